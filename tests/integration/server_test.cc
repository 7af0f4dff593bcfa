// The HTTP server's limits against the real daemon: the whole-request
// timeout, max_connections under a burst, running out of file descriptors,
// and reports that run while tickets are read.

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>
#include <future>
#include <sstream>

#include "tests/integration/fixture.h"

namespace helpdesk::testing {
namespace {

using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;

constexpr char kHealthz[] = "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";

// A plain TCP connection, for tests that hold many open at once (an
// HttpClient holds an event loop's descriptors besides its socket).
class RawConnection {
 public:
  explicit RawConnection(uint16_t port)
      : fd_(socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0)) {
    sockaddr_in a{};
    a.sin_family = AF_INET;
    a.sin_port = htons(port);
    a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connected_ = fd_ >= 0 &&
                 connect(fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) == 0;
  }
  ~RawConnection() {
    if (fd_ >= 0) close(fd_);
  }
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool connected() const { return connected_; }
  bool Send(std::string_view bytes) {
    return send(fd_, bytes.data(), bytes.size(), MSG_NOSIGNAL) ==
           static_cast<ssize_t>(bytes.size());
  }
  // What arrives until a response head is complete (or, with `to_close`,
  // until the server closes), or the timeout passes.
  std::string Read(milliseconds timeout, bool to_close = false) {
    const auto deadline = Clock::now() + timeout;
    while (to_close || received_.find("\r\n\r\n") == std::string::npos) {
      const auto left =
          std::chrono::duration_cast<milliseconds>(deadline - Clock::now());
      if (left.count() <= 0) break;
      pollfd p{fd_, POLLIN, 0};
      if (poll(&p, 1, static_cast<int>(left.count())) <= 0) break;
      char buf[4096];
      ssize_t n = recv(fd_, buf, sizeof buf, 0);
      if (n <= 0) {
        closed_ = true;
        break;
      }
      received_.append(buf, static_cast<size_t>(n));
    }
    return received_;
  }
  bool closed() const { return closed_; }

 private:
  int fd_;
  bool connected_ = false;
  bool closed_ = false;
  std::string received_;
};

int StatusOf(const std::string& response) {
  if (response.rfind("HTTP/1.1 ", 0) != 0 || response.size() < 12) return 0;
  return std::stoi(response.substr(9, 3));
}

// The daemon's CPU time so far (user and system), from /proc.
double CpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  std::getline(in, stat);
  std::istringstream fields(stat.substr(stat.rfind(')') + 2));
  std::string skip;
  for (int field = 3; field <= 13; ++field) fields >> skip;
  unsigned long long utime = 0, stime = 0;
  fields >> utime >> stime;
  return static_cast<double>(utime + stime) /
         static_cast<double>(sysconf(_SC_CLK_TCK));
}

size_t OpenFds(pid_t pid) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& e : std::filesystem::directory_iterator(
           "/proc/" + std::to_string(pid) + "/fd"))
    ++n;
  return n;
}

// The lines of `text` that contain `needle`.
size_t LinesWith(const std::string& text, const std::string& needle) {
  std::istringstream lines(text);
  size_t n = 0;
  for (std::string line; std::getline(lines, line);)
    n += line.find(needle) != std::string::npos;
  return n;
}

// A daemon started with the fixture's flags and `extra_` (set by the
// subclass's constructor).
class DaemonWithFlags : public DaemonTest {
 protected:
  std::vector<std::string> Flags() override {
    std::vector<std::string> flags = DaemonTest::Flags();
    flags.insert(flags.end(), extra_.begin(), extra_.end());
    return flags;
  }
  std::vector<std::string> extra_;
};

// ------------------------------------------------------ request timeout

class RequestTimeout : public DaemonWithFlags {
 protected:
  RequestTimeout() {
    extra_ = {"--idle-timeout-ms", "60000", "--request-timeout-ms", "300"};
  }
};

// The idle timeout (60 s) is far beyond the client's 5 s: a close inside
// them is the request timeout's, which must hold although the deadline moved
// earlier once the first bytes came.
TEST_F(RequestTimeout, AHalfSentRequestIsCutAtTheRequestTimeout) {
  HttpClient slow(daemon_->port(), std::chrono::seconds(5));
  auto expect_cut = [&slow](const std::string& bytes) {
    HttpClient::Raw r = slow.SendRaw(bytes);
    EXPECT_TRUE(r.connected && r.closed)
        << bytes << ": still open after " << r.elapsed.count() << " ms";
    EXPECT_GE(r.elapsed, milliseconds(250)) << bytes;
    EXPECT_LT(r.elapsed, std::chrono::seconds(5)) << bytes;
  };
  expect_cut("GET /heal");
  expect_cut("GET /healthz HTTP/1.1\r\nHost: x\r\n");
  expect_cut("POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\n" + AuthLine() +
             "Content-Type: application/json\r\nContent-Length: 100\r\n\r\n"
             "{\"ti");
  // A kept-alive connection between requests is under the idle timeout
  // only: answered, then still open when the client gives up a second on.
  HttpClient patient(daemon_->port(), std::chrono::seconds(1));
  HttpClient::Raw idle = patient.SendRaw(kHealthz);
  EXPECT_EQ(StatusOf(idle.received), 200) << idle.received;
  EXPECT_FALSE(idle.closed) << "closed after " << idle.elapsed.count() << " ms";
  EXPECT_EQ(EventCount(), 0u);
}

// ------------------------------------------------------ connection burst

class ConnectionBurst : public DaemonWithFlags {
 protected:
  ConnectionBurst() { extra_ = {"--max-connections", "4"}; }
};

// Forty connections at once, each asking once and then holding its
// kept-alive connection: no more than max_connections are served, and
// every other gets its 503 rather than nothing. The daemon is stopped
// (SIGSTOP) while they connect and send, so it finds all forty waiting and
// accepts them in one run.
TEST_F(ConnectionBurst, NoMoreThanMaxConnectionsAreServed) {
  client_.reset();  // the fixture's client holds no connection either
  constexpr int kBurst = 40;
  ASSERT_EQ(kill(daemon_->pid(), SIGSTOP), 0);
  std::vector<std::unique_ptr<RawConnection>> burst;
  for (int i = 0; i < kBurst; ++i)
    burst.push_back(std::make_unique<RawConnection>(daemon_->port()));
  bool sent = true;
  for (auto& c : burst) sent = sent && c->connected() && c->Send(kHealthz);
  ASSERT_EQ(kill(daemon_->pid(), SIGCONT), 0);
  ASSERT_TRUE(sent);
  int served = 0, refused = 0;
  for (auto& c : burst) {
    const int status = StatusOf(c->Read(std::chrono::seconds(5)));
    served += status == 200;
    refused += status == 503;
  }
  EXPECT_EQ(served, 4);
  EXPECT_EQ(served + refused, kBurst);
}

// ------------------------------------------------------ file descriptors

// A host whose fd limit is low and cannot be raised: 128 allows 64
// connections (the rest is kept for the database, logs and 503s).
class FdLimit : public DaemonTest {
 protected:
  void SetUp() override {
    daemon_ = std::make_unique<DaemonProcess>(dir_.path() + "/data", Flags());
    daemon_->set_fd_limit(128);
    ASSERT_EQ(daemon_->Start(), "");
  }
  uintmax_t LogBytes() const {
    return std::filesystem::file_size(daemon_->log_file());
  }
};

TEST_F(FdLimit, ConnectionsPastTheFdLimitGet503AndTheDaemonDoesNotSpin) {
  EXPECT_NE(daemon_->Log().find("using 64"), std::string::npos)
      << "the log says max_connections was lowered to what 128 fds allow";
  const double cpu_before = CpuSeconds(daemon_->pid());
  const uintmax_t log_before = LogBytes();
  std::vector<std::unique_ptr<RawConnection>> held;
  int refused = 0;
  std::string refusal;
  for (int i = 0; i < 200; ++i) {  // more than the fd limit
    auto c = std::make_unique<RawConnection>(daemon_->port());
    ASSERT_TRUE(c->connected() && c->Send(kHealthz)) << i;
    const std::string got = c->Read(std::chrono::seconds(3));
    const int status = StatusOf(got);
    ASSERT_TRUE(status == 200 || status == 503)
        << "client " << i << " got no answer within 3 s: " << got;
    if (status == 200) {
      held.push_back(std::move(c));  // idle, kept alive
    } else {
      ++refused;
      refusal = c->Read(std::chrono::seconds(3), true);
    }
  }
  EXPECT_EQ(held.size(), 64u);
  EXPECT_EQ(refused, 200 - 64);
  EXPECT_NE(refusal.find("max_connections is 64"), std::string::npos)
      << refusal;
  // One closes, and soon a new client is served.
  held.pop_back();
  int status = 0;
  for (auto deadline = Clock::now() + std::chrono::seconds(10);
       status != 200 && Clock::now() < deadline;) {
    RawConnection again(daemon_->port());
    again.Send(kHealthz);
    status = StatusOf(again.Read(std::chrono::seconds(3)));
  }
  EXPECT_EQ(status, 200);
  EXPECT_LT(CpuSeconds(daemon_->pid()) - cpu_before, 1.0);
  EXPECT_LT(LogBytes() - log_before, 64u * 1024);
}

// The fds run out anyway (here the limit is lowered under the running
// daemon, as other descriptors would use them up): the listener waits
// instead of spinning, logs a line now and then, and serves the waiting
// clients once descriptors are free again.
TEST_F(DaemonTest, RunningOutOfFdsBacksOffAndServesOnceOthersClose) {
  client_.reset();
  const pid_t pid = daemon_->pid();
  rlimit old{};
  ASSERT_EQ(prlimit(pid, RLIMIT_NOFILE, nullptr, &old), 0);
  const rlimit lowered{OpenFds(pid) + 8, old.rlim_max};
  ASSERT_EQ(prlimit(pid, RLIMIT_NOFILE, &lowered, nullptr), 0);
  const uintmax_t log_before = std::filesystem::file_size(daemon_->log_file());

  std::vector<std::unique_ptr<RawConnection>> clients;
  for (int i = 0; i < 16; ++i) {
    clients.push_back(std::make_unique<RawConnection>(daemon_->port()));
    ASSERT_TRUE(clients.back()->connected() && clients.back()->Send(kHealthz));
  }
  // Connections are accepted in the order they came: those that got an fd
  // are answered, the rest wait in the backlog. While the first of those
  // waits (3 s), the daemon stays idle.
  const double cpu_before = CpuSeconds(pid);
  size_t answered = 0;
  while (answered < clients.size() &&
         StatusOf(clients[answered]->Read(std::chrono::seconds(3))) == 200)
    ++answered;
  const double cpu = CpuSeconds(pid) - cpu_before;
  ASSERT_GT(answered, 0u);
  ASSERT_LT(answered, clients.size()) << "the lowered limit left fds to spare";
  EXPECT_LT(cpu, 0.3) << "the accept loop spins";

  // Those answered close: every waiting client is served.
  clients.erase(clients.begin(),
                clients.begin() + static_cast<std::ptrdiff_t>(answered));
  for (auto& c : clients)
    EXPECT_EQ(StatusOf(c->Read(std::chrono::seconds(5))), 200);

  const std::string log = daemon_->Log();
  EXPECT_LT(std::filesystem::file_size(daemon_->log_file()) - log_before,
            16u * 1024);
  EXPECT_GE(LinesWith(log, "accept failed"), 1u) << log;
  EXPECT_LE(LinesWith(log, "accept failed"), 2u) << log;
  EXPECT_NE(log.find("out of file descriptors"), std::string::npos) << log;
}

// ------------------------------------------------------ reports

// SLA and coverage reports run on their own pool: tickets are read while
// two clients ask for reports in a loop, and every answer is right.
TEST_F(DaemonTest, ReportsAndTicketReadsInterleave) {
  for (int i = 0; i < 20; ++i) Create();
  // Logged in here: Identities is for one thread.
  auto reports = [port = daemon_->port(),
                  desk = ids_->As(kDesk)](const std::string& target) {
    HttpClient c(port);
    int ok = 0;
    for (int i = 0; i < 20; ++i) ok += c.Get(target, desk).status == 200;
    return ok;
  };
  auto sla = std::async(std::launch::async, reports,
                        "/api/v1/reports/sla?from=2026-01-01T00:00:00Z");
  auto coverage =
      std::async(std::launch::async, reports, "/api/v1/reports/coverage");
  for (int i = 0; i < 200; ++i) {
    json t = GetJson("/api/v1/tickets/" + std::to_string(1 + i % 20));
    EXPECT_EQ(t.value("id", ""), std::to_string(1 + i % 20));
  }
  EXPECT_EQ(sla.get(), 20);
  EXPECT_EQ(coverage.get(), 20);
  json report = GetJson("/api/v1/reports/sla?from=2026-01-01T00:00:00Z");
  EXPECT_FALSE(report.empty()) << report.dump();
}

}  // namespace
}  // namespace helpdesk::testing
