#pragma once
// The real helpdeskctl binary as a child process, for the tools tests:
// arguments in, exit code and both output streams out, within a deadline.
// Not thread-safe: one call at a time per test thread.

#include <chrono>
#include <string>
#include <vector>

namespace helpdesk::testing {

struct CtlResult {
  int exit_code = -1;  // -1: it did not exit in time, or could not start
  std::string out;     // standard output
  std::string err;     // standard error
  std::string error;   // why exit_code is -1
  // For failure messages: everything there is to see.
  std::string Describe() const;
};

// Runs `helpdeskctl args...` (its path compiled in as HELPDESKCTL_BINARY)
// and collects its output until it exits or `timeout` passes (it is then
// killed). `input`, when given, is the file its standard input reads.
CtlResult RunCtl(const std::vector<std::string>& args,
                 std::chrono::milliseconds timeout = std::chrono::seconds(20),
                 const std::string& input = "");

}  // namespace helpdesk::testing
