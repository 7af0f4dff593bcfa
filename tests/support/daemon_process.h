#pragma once
// The real helpdeskd as a child process, for integration and crash tests.
//
// Started with fork/exec as
//   helpdeskd --port 0 --data-dir DIR --port-file DIR/port --log-level warn
//             [extra flags]
// and waited for (with a deadline) through the port file, which the daemon
// writes atomically once it listens. Stopped with SIGTERM (Terminate) or
// SIGKILL (Kill9); Start() again restarts it on the same data directory.
// The child's stdout and stderr go to DIR.log, beside the data directory.
// Not thread-safe: one test thread drives it; port() may be read by others
// while the daemon runs.

#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

#include "tests/support/scratch_dir.h"

namespace helpdesk::testing {

class DaemonProcess {
 public:
  // `data_dir` is kept across restarts (the daemon creates it on first
  // start); `extra_flags` are appended to every start as given.
  explicit DaemonProcess(std::string data_dir,
                         std::vector<std::string> extra_flags = {});
  ~DaemonProcess();  // SIGKILLs a child that is still running
  DaemonProcess(const DaemonProcess&) = delete;
  DaemonProcess& operator=(const DaemonProcess&) = delete;

  // Starts the daemon and waits up to 20 s until it listens. Returns an
  // empty string on success, else what went wrong, with the daemon's log.
  // Use as ASSERT_EQ(daemon.Start(), "").
  [[nodiscard]] std::string Start();
  // Stops a running daemon with SIGTERM (SIGKILL if it does not exit) and
  // starts it again on the same data directory.
  [[nodiscard]] std::string Restart();

  // Starts the daemon with RLIMIT_NOFILE at `n`, soft and hard (a host with
  // a low limit, which the daemon cannot raise); 0: as the test's own.
  void set_fd_limit(uint64_t n) { fd_limit_ = n; }

  uint16_t port() const { return port_; }
  bool running() const { return pid_ > 0; }
  pid_t pid() const { return pid_; }

  // SIGKILL and reap. No-op when not running.
  void Kill9();
  // SIGTERM, then waits up to `timeout` for the exit. Returns the exit
  // status (128 + signal if a signal ended it), or -1 if it did not exit in
  // time (it is then SIGKILLed) or was not running.
  int Terminate(std::chrono::milliseconds timeout = std::chrono::seconds(20));

  std::string Log() const;  // everything the daemon wrote, all starts
  const std::string& data_dir() const { return data_dir_; }
  const std::string& log_file() const { return log_file_; }

 private:
  std::string data_dir_;
  std::vector<std::string> extra_flags_;
  std::string port_file_, log_file_;
  pid_t pid_ = -1;
  uint16_t port_ = 0;
  int starts_ = 0;
  uint64_t fd_limit_ = 0;
};

}  // namespace helpdesk::testing
