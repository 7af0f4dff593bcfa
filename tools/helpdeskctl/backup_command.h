#pragma once
// `helpdeskctl backup` and `helpdeskctl restore` (daemon/store/backup.h).
// Each returns the process exit code:
//   0  done: what the backup holds on standard output
//   1  refused, nothing changed: the file or database is there already,
//      the daemon runs (restore), or the file is no helpdeskd backup this
//      build restores
//   2  no database there, or an I/O error
// Not thread-safe (one command per process).

#include <string>

namespace helpdesk::ctl {

int BackupCommand(const std::string& data_dir, const std::string& to);

int RestoreCommand(const std::string& from, const std::string& data_dir,
                   bool replace);

}  // namespace helpdesk::ctl
