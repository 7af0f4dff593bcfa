#pragma once
// The real helpdeskd as a child process, for integration and crash tests:
// started on port 0 in a temporary data directory, waited for through the
// port file it writes once listening, and stopped with SIGTERM or SIGKILL.
// Not thread-safe: one test thread drives it.

#include <sys/types.h>

#include <chrono>
#include <string>
#include <vector>

namespace helpdesk::testing {

class DaemonProcess {
 public:
  // `data_dir` is kept across restarts; `extra_flags` are passed as given.
  explicit DaemonProcess(std::string data_dir,
                         std::vector<std::string> extra_flags = {});
  ~DaemonProcess();  // kills a child that is still running
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // Starts the daemon and waits (up to 20 s) until it listens. Returns an
  // empty string on success, else what went wrong (with its log).
  std::string Start();
  uint16_t port() const { return port_; }
  bool running() const { return pid_ > 0; }

  void Kill9();
  // SIGTERM, then waits up to `timeout`; returns the exit status, or -1 if
  // it had to be killed.
  int Terminate(std::chrono::seconds timeout = std::chrono::seconds(20));

  std::string Log() const;  // what the daemon wrote to stderr
  const std::string& data_dir() const { return data_dir_; }

 private:
  std::string data_dir_;
  std::vector<std::string> extra_flags_;
  std::string port_file_, log_file_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
};

// A fresh directory under $TMPDIR, removed with everything in it.
class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace helpdesk::testing
