#include "tools/helpdeskctl/backup_command.h"

#include <chrono>
#include <cstdio>

#include "daemon/store/backup.h"
#include "tools/helpdeskctl/catalogue_commands.h"
#include "tools/helpdeskctl/text_output.h"

namespace helpdesk::ctl {
namespace {

std::string Describe(const store::BackupFacts& f) {
  const double mib = static_cast<double>(f.bytes) / (1024.0 * 1024.0);
  char size[32];
  std::snprintf(size, sizeof size, "%.1f MiB", mib);
  return std::to_string(f.tickets) + (f.tickets == 1 ? " ticket" : " tickets") +
         ", the event log to " + std::to_string(f.last_event) + ", schema " +
         std::to_string(f.schema_version) + ", " + size + ", epoch " +
         (f.epoch.empty() ? "(none yet)" : f.epoch);
}

int ExitFor(const Status& s) {
  switch (s.code()) {
    case Code::kAlreadyExists:
    case Code::kUnavailable:
    case Code::kInvalidParameter:
      return kExitProblems;
    default:
      return kExitError;
  }
}

}  // namespace

int BackupCommand(const std::string& data_dir, const std::string& to) {
  auto facts = store::Backup(data_dir, to);
  if (!facts.ok()) {
    Err(facts.status().message());
    return ExitFor(facts.status());
  }
  std::printf("backup %s: %s\n", to.c_str(), Describe(*facts).c_str());
  return kExitOk;
}

int RestoreCommand(const std::string& from, const std::string& data_dir,
                   bool replace) {
  const int64_t now = std::chrono::duration_cast<std::chrono::seconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  auto facts = store::Restore(from, data_dir, replace, now);
  if (!facts.ok()) {
    const Status& s = facts.status();
    Err(s.code() == Code::kUnavailable
            ? "refusing to restore: " + s.message() +
                  "; stop the daemon first. Nothing was changed"
            : s.message() + "; nothing was changed");
    return ExitFor(s);
  }
  std::printf(
      "restored %s into %s: %s (a new epoch: live clients start over)\n",
      from.c_str(), data_dir.c_str(), Describe(*facts).c_str());
  return kExitOk;
}

}  // namespace helpdesk::ctl
