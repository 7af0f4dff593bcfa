// `helpdeskctl coverage` against the real daemon on the demo data, its
// clock started on Wednesday 15 April 2026 at 10:00 in Oslo. The demo
// region has no standing gap (Hjartdal's one person makes its on-site
// cells thin, which the travel fallback covers), so the report exits 0;
// past the end of the demo rota there is no vakt, and it exits 1; usage
// and connection errors exit 2.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "tests/integration/fixture.h"
#include "tests/tools/ctl_runner.h"

namespace helpdesk::testing {
namespace {

class CtlCoverage : public DaemonTest {
 protected:
  void SetUp() override {
    DaemonTest::SetUp();
    // helpdeskctl's children act as the test desk's account.
    ::setenv("HELPDESK_TOKEN", ids_->Token(kDesk).c_str(), 1);
  }
  std::vector<std::string> Flags() override {
    return {"--clock-start=2026-04-15T08:00:00Z"};
  }
  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(daemon_->port());
  }
};

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

// A port bound but not listening: connecting is refused, and nobody else
// can take the port while the socket is held.
class RefusingPort {
 public:
  RefusingPort() {
    fd_ = ::socket(AF_INET, SOCK_STREAM, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    addr.sin_port = 0;
    socklen_t len = sizeof addr;
    if (fd_ >= 0 &&
        ::bind(fd_, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
        ::getsockname(fd_, reinterpret_cast<sockaddr*>(&addr), &len) == 0)
      url_ = "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));
  }
  ~RefusingPort() {
    if (fd_ >= 0) ::close(fd_);
  }
  RefusingPort(const RefusingPort&) = delete;
  RefusingPort& operator=(const RefusingPort&) = delete;
  const std::string& url() const { return url_; }  // empty: no port

 private:
  int fd_ = -1;
  std::string url_;
};

// Sets an environment variable for the helpdeskctl children of one test
// and puts the old value back.
class ScopedEnv {
 public:
  ScopedEnv(std::string name, const std::string& value)
      : name_(std::move(name)) {
    if (const char* old = std::getenv(name_.c_str())) old_ = old;
    Set(value);
  }
  ~ScopedEnv() {
    if (old_)
      ::setenv(name_.c_str(), old_->c_str(), 1);
    else
      ::unsetenv(name_.c_str());
  }
  ScopedEnv(const ScopedEnv&) = delete;
  ScopedEnv& operator=(const ScopedEnv&) = delete;
  void Set(const std::string& value) {
    ::setenv(name_.c_str(), value.c_str(), 1);
  }

 private:
  std::string name_;
  std::optional<std::string> old_;
};

// The lines of `text` between the line `from` and the next line that does
// not start with two spaces.
std::string Section(const std::string& text, const std::string& from) {
  size_t at = text.find("\n" + from + "\n");
  if (at == std::string::npos) return "";
  std::string out;
  size_t pos = at + from.size() + 2;
  while (pos < text.size() && text.compare(pos, 2, "  ") == 0) {
    size_t end = text.find('\n', pos);
    if (end == std::string::npos) end = text.size();
    out += text.substr(pos, end + 1 - pos);
    pos = end + 1;
  }
  return out;
}

// Past the demo rota's two years: no vakt for the whole four weeks.
constexpr const char* kPastTheRota = "2029-01-10T09:00:00Z";

TEST_F(CtlCoverage, TextReportShowsTablesAndThinCellsAndExitsZero) {
  CtlResult r = RunCtl({"coverage", "--url", Url()});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(r.out.starts_with("Coverage at 2026-04-15T")) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "(minimum 2 per cell)\n")) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "\nCompetence areas ")) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "\nServices ")) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "qualified office hours   now")) << r.Describe();
  // Hjartdal's municipality line under a service that needs presence,
  // thin there, but not a standing gap.
  EXPECT_TRUE(Contains(r.out, "\n    hjartdal ")) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "\nStanding gaps: none\n")) << r.Describe();
  const std::string thin =
      Section(r.out, "Thin on site (the travel fallback sends someone):");
  EXPECT_TRUE(Contains(thin, "in Hjartdal")) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "\nThin right now:")) << r.Describe();
}

TEST_F(CtlCoverage, GapsOnlyAtAGivenTimeWithNoVaktExitsOne) {
  CtlResult ok = RunCtl({"coverage", "--url", Url(), "--gaps-only", "--at",
                         "2026-04-15T10:00:00+02:00"});
  EXPECT_EQ(ok.exit_code, 0) << ok.Describe();
  EXPECT_TRUE(
      ok.out.starts_with("Coverage at 2026-04-15T08:00:00Z (minimum 2 per "
                         "cell)\n"))
      << ok.Describe();
  EXPECT_FALSE(Contains(ok.out, "Competence areas")) << ok.Describe();

  CtlResult r =
      RunCtl({"coverage", "--url", Url(), "--gaps-only", "--at", kPastTheRota});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_EQ(Section(r.out, "Standing gaps:"),
            "  No vakt from Wed 2029-01-10 10:00 to Wed 2029-02-07 10:00 "
            "(672 hours): no shift in the rota\n")
      << r.Describe();
}

TEST_F(CtlCoverage, JsonIsTheDaemonsReport) {
  CtlResult r = RunCtl({"coverage", "--url", Url(), "--format", "json"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  json j = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.Describe();
  EXPECT_EQ(j.value("required", 0), 2) << r.out;
  EXPECT_FALSE(j.value("skills", json::array()).empty()) << r.out;
  EXPECT_FALSE(j.value("services", json::array()).empty()) << r.out;
  EXPECT_TRUE(j.value("gaps", json::array()).empty()) << r.out;
  EXPECT_FALSE(j.value("thinOnSite", json::array()).empty()) << r.out;
  EXPECT_EQ(j.value("vaktHorizonDays", 0), 28) << r.out;

  CtlResult g = RunCtl({"coverage", "--url", Url(), "--format", "json",
                        "--gaps-only", "--at", kPastTheRota});
  EXPECT_EQ(g.exit_code, 1) << g.Describe();
  json gj = json::parse(g.out, nullptr, false);
  ASSERT_TRUE(gj.is_object()) << g.Describe();
  EXPECT_EQ(gj.value("required", 0), 2) << g.out;
  ASSERT_EQ(gj.value("vaktGaps", json::array()).size(), 1u) << g.out;
  EXPECT_EQ(gj["vaktGaps"][0].value("hours", 0), 672) << g.out;
  EXPECT_EQ(gj.value("gaps", json::array()).size(), 1u) << g.out;
  EXPECT_TRUE(gj.value("skills", json::array()).empty()) << g.out;
}

// $HELPDESK_URL names the daemon when --url does not (coverage, report and
// the catalogue commands), so a shell names it once; a --url given wins,
// and --data-dir still reads the database rather than clashing with it.
TEST_F(CtlCoverage, HelpdeskUrlIsTheDefaultDaemon) {
  RefusingPort refusing;
  ASSERT_NE(refusing.url(), "");
  ScopedEnv env("HELPDESK_URL", Url());
  CtlResult coverage = RunCtl({"coverage", "--gaps-only"});
  EXPECT_EQ(coverage.exit_code, 0) << coverage.Describe();
  EXPECT_TRUE(coverage.out.starts_with("Coverage at 2026-04-15T"))
      << coverage.Describe();
  CtlResult report = RunCtl({"report", "--format", "json"});
  EXPECT_EQ(report.exit_code, 0) << report.Describe();
  CtlResult exported = RunCtl({"catalogue", "export"});
  EXPECT_EQ(exported.exit_code, 0) << exported.Describe();
  EXPECT_TRUE(Contains(exported.out, "version = 1")) << exported.Describe();

  env.Set(refusing.url());
  CtlResult given = RunCtl({"coverage", "--gaps-only", "--url", Url()});
  EXPECT_EQ(given.exit_code, 0) << given.Describe();
  CtlResult offline =
      RunCtl({"catalogue", "export", "--data-dir", daemon_->data_dir()});
  EXPECT_EQ(offline.exit_code, 0) << offline.Describe();
  CtlResult refused = RunCtl({"coverage", "--timeout", "5"});
  EXPECT_EQ(refused.exit_code, 2) << refused.Describe();
  EXPECT_EQ(refused.out, "") << refused.Describe();
}

TEST(CtlCoverageErrors, BadAtIsAUsageError) {
  // Refused before any request: no daemon is needed.
  CtlResult r =
      RunCtl({"coverage", "--url", "http://127.0.0.1:1", "--at", "garbage"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "--at must be an RFC 3339 time")) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "'garbage'")) << r.Describe();
  EXPECT_EQ(r.out, "") << r.Describe();

  CtlResult f = RunCtl({"coverage", "--format", "xml"});
  EXPECT_EQ(f.exit_code, 2) << f.Describe();
}

TEST(CtlCoverageErrors, NoDaemonIsExitTwo) {
  RefusingPort refusing;
  ASSERT_NE(refusing.url(), "");
  CtlResult r = RunCtl({"coverage", "--url", refusing.url(), "--timeout", "5"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_FALSE(r.err.empty()) << r.Describe();
  EXPECT_EQ(r.out, "") << r.Describe();
}

}  // namespace
}  // namespace helpdesk::testing
