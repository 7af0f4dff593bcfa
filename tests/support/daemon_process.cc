#include "tests/support/daemon_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace helpdesk::testing {
namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

// How often a deadline-bounded wait looks at its condition again.
constexpr auto kPollInterval = std::chrono::milliseconds(2);
constexpr auto kStartDeadline = std::chrono::seconds(20);

std::string DescribeWaitStatus(int status) {
  if (WIFEXITED(status))
    return "exit status " + std::to_string(WEXITSTATUS(status));
  if (WIFSIGNALED(status))
    return "killed by signal " + std::to_string(WTERMSIG(status));
  return "wait status " + std::to_string(status);
}

int ExitCode(int status) {
  if (WIFEXITED(status)) return WEXITSTATUS(status);
  if (WIFSIGNALED(status)) return 128 + WTERMSIG(status);
  return -1;
}

// waitpid without WNOHANG, retried on EINTR.
void Reap(pid_t pid) {
  while (waitpid(pid, nullptr, 0) < 0 && errno == EINTR) {
  }
}

}  // namespace

DaemonProcess::DaemonProcess(std::string data_dir,
                             std::vector<std::string> extra_flags)
    : data_dir_(std::move(data_dir)),
      extra_flags_(std::move(extra_flags)),
      port_file_(data_dir_ + "/port"),
      log_file_(data_dir_ + ".log") {}

DaemonProcess::~DaemonProcess() { Kill9(); }

std::string DaemonProcess::Start() {
  if (running())
    return "helpdeskd is already running (pid " + std::to_string(pid_) + ")";
  std::error_code ec;
  fs::remove(port_file_, ec);  // a stale one would announce the old port
  port_ = 0;
  ++starts_;
  {
    std::ofstream log(log_file_, std::ios::app);
    log << "---- helpdesk test harness: start #" << starts_ << " ----\n";
  }

  // Everything the child needs is prepared before fork(): between fork and
  // exec only async-signal-safe calls are allowed (the test may have
  // threads).
  std::vector<std::string> args = {
      HELPDESKD_BINARY, "--port",   "0",           "--data-dir", data_dir_,
      "--port-file",    port_file_, "--log-level", "warn"};
  // Defaults of the tests, unless a test gives its own (a flag given twice
  // is refused): dozens of demo passwords are hashed on a first start, at
  // the production cost seconds per test daemon; and tests send hundreds
  // of requests a second as one account.
  for (const char* flag : {"--password-cost=minimum", "--rate-limit=0",
                           "--address-rate-limit=0"}) {
    const std::string name =
        std::string(flag).substr(0, std::string(flag).find('='));
    bool given = false;
    for (const auto& f : extra_flags_) given = given || f.starts_with(name);
    if (!given) args.emplace_back(flag);
  }
  args.insert(args.end(), extra_flags_.begin(), extra_flags_.end());
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(nullptr);
  const pid_t parent = getpid();
  const rlimit fd_limit{fd_limit_, fd_limit_};

  pid_ = fork();
  if (pid_ < 0) {
    pid_ = -1;
    return std::string("fork: ") + std::strerror(errno);
  }
  if (pid_ == 0) {
    // Die with the test: a crashed or timed-out test leaves no daemon.
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    if (getppid() != parent) _exit(126);
    int log = open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    int null = open("/dev/null", O_RDONLY);
    if (null >= 0) dup2(null, 0);
    if (log >= 0) {
      dup2(log, 1);
      dup2(log, 2);
    }
    // The test's own sockets must not live on in the daemon.
    close_range(3, ~0U, 0);
    if (fd_limit.rlim_cur > 0) setrlimit(RLIMIT_NOFILE, &fd_limit);
    execv(argv[0], argv.data());
    _exit(127);
  }

  // Wait for the port file: a condition with a deadline, polled.
  const auto deadline = Clock::now() + kStartDeadline;
  while (Clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return std::string("helpdeskd (") + HELPDESKD_BINARY +
             ") exited during start-up (" + DescribeWaitStatus(status) +
             "); its log:\n" + Log();
    }
    std::ifstream in(port_file_);
    unsigned port = 0;
    if (in >> port && port > 0 && port < 65536) {
      port_ = static_cast<uint16_t>(port);
      return "";
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  Kill9();
  return "helpdeskd did not write " + port_file_ + " within " +
         std::to_string(kStartDeadline.count()) + " s; its log:\n" + Log();
}

std::string DaemonProcess::Restart() {
  if (running()) {
    int code = Terminate();
    if (code != 0)
      return "helpdeskd did not stop cleanly before the restart (" +
             std::to_string(code) + "); its log:\n" + Log();
  }
  return Start();
}

void DaemonProcess::Kill9() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  Reap(pid_);
  pid_ = -1;
}

int DaemonProcess::Terminate(std::chrono::milliseconds timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  const auto deadline = Clock::now() + timeout;
  while (Clock::now() < deadline) {
    int status = 0;
    pid_t r = waitpid(pid_, &status, WNOHANG);
    if (r == pid_) {
      pid_ = -1;
      return ExitCode(status);
    }
    if (r < 0 && errno != EINTR) {  // not our child any more: nothing to wait
      pid_ = -1;
      return -1;
    }
    std::this_thread::sleep_for(kPollInterval);
  }
  Kill9();
  return -1;
}

std::string DaemonProcess::Log() const {
  std::ifstream in(log_file_);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

}  // namespace helpdesk::testing
