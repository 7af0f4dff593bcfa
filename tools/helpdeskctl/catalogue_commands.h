#pragma once
// `helpdeskctl catalogue validate|export|import`: each command returns the
// process exit code and writes its own messages.
//   0  done (valid; exported; imported or nothing to change)
//   1  problems found or the change refused (nothing was changed)
//   2  usage, I/O or transport error (unreadable file, no daemon answering,
//      storage failure)
// Results go to standard output; problems, refusals and errors to standard
// error. Not thread-safe (one command per process).

#include <chrono>
#include <string>

namespace helpdesk::ctl {

inline constexpr int kExitOk = 0;
inline constexpr int kExitProblems = 1;
inline constexpr int kExitError = 2;

inline constexpr const char* kDefaultUrl = "http://127.0.0.1:8080";

// Where the catalogue lives: a running daemon's API, or (data_dir set) the
// data directory of a daemon, read directly.
struct Target {
  std::string url = kDefaultUrl;
  std::string data_dir;  // wins over url when set
  std::chrono::milliseconds timeout{30000};
};

// "helpdeskctl-<pid>": the request id of every request and event this
// process makes, so the event log can be matched with what was run.
std::string RequestId();

// Who a change is recorded as: `given`, else $USER, else "helpdeskctl".
std::string ActorOr(const std::string& given);

int ValidateCommand(const std::string& file);

struct ExportOptions {
  Target target;
  std::string output;  // empty or "-": standard output
};
int ExportCommand(const ExportOptions& options);

struct ImportOptions {
  Target target;
  std::string file;
  bool dry_run = false;
  std::string actor;  // empty: $USER, else "helpdeskctl"
};
int ImportCommand(const ImportOptions& options);

}  // namespace helpdesk::ctl
