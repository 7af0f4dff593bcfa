#include "tests/support/daemon_process.h"

#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <thread>

namespace helpdesk::testing {

namespace fs = std::filesystem;

ScratchDir::ScratchDir() {
  std::string tmpl = (fs::temp_directory_path() / "helpdeskd-it-XXXXXX").string();
  path_ = mkdtemp(tmpl.data());
}

ScratchDir::~ScratchDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

DaemonProcess::DaemonProcess(std::string data_dir,
                             std::vector<std::string> extra_flags)
    : data_dir_(std::move(data_dir)),
      extra_flags_(std::move(extra_flags)),
      port_file_(data_dir_ + ".port"),
      log_file_(data_dir_ + ".log") {}

DaemonProcess::~DaemonProcess() {
  if (pid_ > 0) Kill9();
}

std::string DaemonProcess::Start() {
  std::error_code ec;
  fs::remove(port_file_, ec);
  std::vector<std::string> args = {HELPDESKD_BINARY, "--port", "0",
                                   "--data-dir", data_dir_, "--port-file",
                                   port_file_, "--log-level", "warn"};
  args.insert(args.end(), extra_flags_.begin(), extra_flags_.end());
  pid_ = fork();
  if (pid_ == 0) {
    int fd = open(log_file_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    if (fd >= 0) dup2(fd, 2);
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  // Wait for the port file: a condition with a deadline, polled.
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return "helpdeskd exited during start-up (status " +
             std::to_string(status) + "):\n" + Log();
    }
    std::ifstream in(port_file_);
    unsigned port = 0;
    if (in >> port && port > 0) {
      port_ = static_cast<uint16_t>(port);
      return "";
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  Kill9();
  return "helpdeskd did not listen within 20 s:\n" + Log();
}

void DaemonProcess::Kill9() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  waitpid(pid_, nullptr, 0);
  pid_ = -1;
}

int DaemonProcess::Terminate(std::chrono::seconds timeout) {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    int status = 0;
    if (waitpid(pid_, &status, WNOHANG) == pid_) {
      pid_ = -1;
      return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
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
