#pragma once
// `helpdeskctl check` and `helpdeskctl repair`, offline on a data
// directory: the store's consistency checker (daemon/store/consistency.h)
// and the quarantine of records that cannot be read
// (daemon/store/quarantine.h). Each returns the process exit code:
//   check:  0 every record reads and the indexes agree; 1 not (each
//           problem on standard output, one a line); 2 error
//   repair: 0 repaired (or nothing to repair) and the check is clean
//           afterwards; 1 problems remain; 2 error, or the daemon runs
// Not thread-safe (one command per process).

#include <string>

namespace helpdesk::ctl {

int CheckCommand(const std::string& data_dir);

struct RepairOptions {
  std::string data_dir;
  std::string actor;  // empty: $USER, else "helpdeskctl"
};
int RepairCommand(const RepairOptions& options);

}  // namespace helpdesk::ctl
