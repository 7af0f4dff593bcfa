// `helpdeskctl report` against the real daemon: five high-priority printer
// tickets filed on Wednesday 15 April 2026 at 10:00 Oslo, three in Rollag
// (one answered and resolved) and two in Kongsberg. Usage errors, problem
// answers and an unreachable daemon exit 2.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "tests/integration/fixture.h"
#include "tests/tools/ctl_runner.h"

namespace helpdesk::testing {
namespace {

constexpr const char* kFrom = "2026-04-15T00:00:00Z";
constexpr const char* kTo = "2026-04-16T00:00:00+02:00";

bool Contains(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

class CtlReport : public DaemonTest {
 protected:
  void SetUp() override {
    DaemonTest::SetUp();
    // helpdeskctl's children act as the test desk's account.
    ::setenv("HELPDESK_TOKEN", ids_->Token(kDesk).c_str(), 1);
  }
  std::string Url() const {
    return "http://127.0.0.1:" + std::to_string(daemon_->port());
  }

  json Move(const json& t, const std::string& status) {
    HttpResponse r = client_->Post(
        "/api/v1/tickets/" + t["id"].get<std::string>() + "/status",
        json{{"status", status}, {"version", t["version"]}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return Parse(r);
  }

  void FileTickets() {
    Move(Move(Create(), "in_progress"), "resolved");
    Create();
    Create();
    json kongsberg = GoodTicket();
    kongsberg["municipality"] = "kongsberg";
    kongsberg["location"] = "kongsberg-radhus";
    Create(kongsberg);
    Create(kongsberg);
  }

  void RestartAt(const std::string& clock) {
    ASSERT_GE(daemon_->Terminate(), 0);
    client_.reset();
    daemon_ = std::make_unique<DaemonProcess>(
        daemon_->data_dir(),
        std::vector<std::string>{"--clock-start=" + clock});
    ASSERT_EQ(daemon_->Start(), "");
    ids_->set_port(daemon_->port());
    client_ = NewClient();
  }

  CtlResult Report(std::vector<std::string> extra) {
    std::vector<std::string> args = {"report", "--url", Url(), "--from",
                                     kFrom,    "--to",  kTo};
    args.insert(args.end(), extra.begin(), extra.end());
    return RunCtl(args);
  }

  // The line of `text` that starts with `start`; empty when none.
  static std::string LineStarting(const std::string& text,
                                  const std::string& start) {
    std::istringstream in(text);
    for (std::string line; std::getline(in, line);)
      if (line.starts_with(start)) return line;
    return "";
  }
};

TEST_F(CtlReport, TextHasTheHeaderAndARowPerMunicipality) {
  FileTickets();
  CtlResult r = Report({});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(r.out.starts_with(
      "SLA report for tickets created 2026-04-15T00:00:00Z to "
      "2026-04-15T22:00:00Z, grouped by municipality, 5 tickets"))
      << r.Describe();
  EXPECT_TRUE(Contains(r.out, "first response")) << r.Describe();
  EXPECT_TRUE(Contains(r.out, "\nmunicipality ")) << r.Describe();
  const std::string rollag = LineStarting(r.out, "Rollag ");
  const std::string kongsberg = LineStarting(r.out, "Kongsberg ");
  EXPECT_FALSE(rollag.empty()) << r.Describe();
  EXPECT_FALSE(kongsberg.empty()) << r.Describe();
  EXPECT_FALSE(LineStarting(r.out, "Hjartdal ").empty())
      << "every municipality, tickets or not: " << r.Describe();
  EXPECT_FALSE(LineStarting(r.out, "Total ").empty()) << r.Describe();
  // Rollag: 3 tickets, one first response met and two open.
  std::istringstream words(rollag);
  std::string name, tickets, met, breached, open;
  words >> name >> tickets >> met >> breached >> open;
  EXPECT_EQ(tickets, "3") << rollag;
  EXPECT_EQ(met, "1") << rollag;
  EXPECT_EQ(open, "2") << rollag;
}

TEST_F(CtlReport, MediansAreBusinessTime) {
  json ticket = Create();  // 10:00 Oslo
  RestartAt("2026-04-15T09:05:00Z");
  Move(ticket, "in_progress");  // first response after 1 h 05 min
  CtlResult r = Report({});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  const std::string rollag = LineStarting(r.out, "Rollag ");
  EXPECT_TRUE(Contains(rollag, " 1 h 05 min ")) << r.Describe();
  EXPECT_TRUE(rollag.ends_with(" -")) << "resolution still open: " << rollag;
}

TEST_F(CtlReport, OtherViewsAsText) {
  FileTickets();
  CtlResult e = Report({"--view", "equal-service"});
  ASSERT_EQ(e.exit_code, 0) << e.Describe();
  EXPECT_TRUE(Contains(e.out, "(skrivere-og-utskrift)")) << e.Describe();
  EXPECT_FALSE(LineStarting(e.out, "  rollag ").empty()) << e.Describe();
  EXPECT_FALSE(LineStarting(e.out, "  kongsberg ").empty()) << e.Describe();

  CtlResult v = Report(
      {"--view", "volume", "--amount", "1000000", "--fixed-share", "0.5"});
  ASSERT_EQ(v.exit_code, 0) << v.Describe();
  EXPECT_TRUE(
      Contains(v.out, "Cost key: 50 % split equally, the rest by volume"))
      << v.Describe();
  EXPECT_TRUE(Contains(v.out, "kroner")) << v.Describe();
  const std::string total = LineStarting(v.out, "Total ");
  EXPECT_TRUE(Contains(total, " 100.00 ")) << v.Describe();
  EXPECT_TRUE(Contains(total, " 1000000.00")) << v.Describe();
}

TEST_F(CtlReport, CsvIsTheDaemonsCsv) {
  FileTickets();
  CtlResult r = Report({"--format", "csv"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(
      r.out.starts_with("municipality,name,tickets,first_response_met,"))
      << r.Describe();
  EXPECT_TRUE(Contains(r.out, "\r\nrollag,Rollag,3,")) << r.Describe();

  CtlResult v = Report({"--format", "csv", "--view", "volume"});
  ASSERT_EQ(v.exit_code, 0) << v.Describe();
  EXPECT_TRUE(v.out.starts_with("municipality,name,tickets,population,"))
      << v.Describe();
}

TEST_F(CtlReport, JsonParsesAndHasTheRows) {
  FileTickets();
  CtlResult r = Report({"--format", "json", "--group-by", "priority"});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  json j = json::parse(r.out, nullptr, false);
  ASSERT_TRUE(j.is_object()) << r.Describe();
  EXPECT_EQ(j.value("groupBy", ""), "priority") << r.out;
  EXPECT_EQ(j.value("tickets", 0), 5) << r.out;
  EXPECT_EQ(j.value("rows", json::array()).size(), 4u) << r.out;
}

TEST_F(CtlReport, OutputFileGetsTheReport) {
  FileTickets();
  const std::string path = dir_.path() + "/sla.csv";
  CtlResult r = Report({"--format", "csv", "-o", path});
  ASSERT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_EQ(r.out, "") << r.Describe();
  std::ifstream in(path, std::ios::binary);
  std::stringstream content;
  content << in.rdbuf();
  EXPECT_TRUE(content.str().starts_with("municipality,name,tickets,"))
      << content.str();
}

TEST_F(CtlReport, ProblemAnswerPrintsItsDetail) {
  // From after to: checked by the daemon only.
  CtlResult r =
      RunCtl({"report", "--url", Url(), "--from", "2026-04-16T00:00:00Z",
              "--to", "2026-04-15T00:00:00Z"});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "'from' must be before 'to'")) << r.Describe();
  EXPECT_TRUE(Contains(r.err, "HTTP 400")) << r.Describe();
  EXPECT_EQ(r.out, "") << r.Describe();
}

TEST(CtlReportErrors, UsageErrorsExitTwo) {
  // Refused before any request: no daemon is needed.
  CtlResult g = RunCtl(
      {"report", "--url", "http://127.0.0.1:1", "--group-by", "kommune"});
  EXPECT_EQ(g.exit_code, 2) << g.Describe();
  EXPECT_TRUE(Contains(g.err, "municipality")) << g.Describe();
  EXPECT_TRUE(Contains(g.err, "assignee")) << g.Describe();
  EXPECT_TRUE(Contains(g.err, "month")) << g.Describe();

  CtlResult t =
      RunCtl({"report", "--url", "http://127.0.0.1:1", "--from", "garbage"});
  EXPECT_EQ(t.exit_code, 2) << t.Describe();
  EXPECT_TRUE(Contains(t.err, "--from must be an RFC 3339 time"))
      << t.Describe();

  CtlResult f = RunCtl({"report", "--fixed-share", "1.5"});
  EXPECT_EQ(f.exit_code, 2) << f.Describe();
}

TEST(CtlReportErrors, NoDaemonIsExitTwo) {
  // A port bound but not listening: connecting is refused, and nobody else
  // can take the port while the socket is held.
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  ASSERT_GE(fd, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  ASSERT_EQ(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr), 0);
  socklen_t len = sizeof addr;
  ASSERT_EQ(::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len), 0);
  const std::string url =
      "http://127.0.0.1:" + std::to_string(ntohs(addr.sin_port));

  CtlResult r = RunCtl({"report", "--url", url, "--timeout", "5"});
  ::close(fd);
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_FALSE(r.err.empty()) << r.Describe();
  EXPECT_EQ(r.out, "") << r.Describe();
}

}  // namespace
}  // namespace helpdesk::testing
