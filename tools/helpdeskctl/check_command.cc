#include "tools/helpdeskctl/check_command.h"

#include <cstdio>

#include "tools/helpdeskctl/catalogue_commands.h"
#include "tools/helpdeskctl/offline_store.h"
#include "tools/helpdeskctl/text_output.h"

namespace helpdesk::ctl {
namespace {

void Out(const std::string& line) { std::fputs((line + "\n").c_str(), stdout); }

std::string Plural(size_t n, const char* one, const char* many) {
  return std::to_string(n) + " " + (n == 1 ? one : many);
}

// Prints each problem on a line of its own; the count of them.
size_t PrintProblems(const store::ConsistencyReport& r) {
  for (const auto& u : r.unreadable)
    Out("unreadable: " + u.table + " " + u.name + ": " + u.why);
  for (const auto& f : r.findings) Out("disagrees: " + f);
  if (r.more_findings > 0)
    Out("disagrees: ... and " + std::to_string(r.more_findings) + " more");
  return r.unreadable.size() + r.findings.size() + r.more_findings;
}

std::string Checked(const store::ConsistencyReport& r) {
  return Plural(r.tickets, "ticket", "tickets") + " and " +
         Plural(r.events, "event", "events") + " checked";
}

}  // namespace

int CheckCommand(const std::string& dir) {
  auto report = CheckDataDir(dir);
  if (!report.ok()) {
    Err(report.status().message());
    return kExitError;
  }
  if (report->clean()) {
    Out("ok: " + Checked(*report) +
        "; every record reads and the indexes agree with the tickets");
    return kExitOk;
  }
  PrintProblems(*report);
  Out(Plural(report->unreadable.size(), "unreadable record",
             "unreadable records") +
      ", " +
      Plural(report->findings.size() + report->more_findings, "disagreement",
             "disagreements") +
      " (" + Checked(*report) +
      "); with the daemon stopped, run: helpdeskctl "
      "repair --data-dir " +
      dir);
  return kExitProblems;
}

int RepairCommand(const RepairOptions& o) {
  auto outcome = RepairDataDir(o.data_dir, ActorOr(o.actor));
  if (!outcome.ok()) {
    const Status& s = outcome.status();
    Err(s.code() == Code::kUnavailable
            ? "refusing to repair: " + s.message() +
                  "; stop the daemon first. Nothing was changed"
            : s.message() + "; nothing was changed");
    return kExitError;
  }
  for (const auto& u : outcome->quarantined)
    Out("quarantined: " + u.table + " " + u.name + " (" + u.why +
        "); its bytes are in the quarantine table as " + u.table + "/" +
        u.name);
  if (outcome->rebuilt) {
    Out("rebuilt the list indexes, status counts, open loads and SLA "
        "due-time index from the tickets, and the comment records from the "
        "events; they disagreed:");
    for (const auto& f : outcome->findings_before) Out("  " + f);
  }
  if (outcome->quarantined.empty() && !outcome->rebuilt)
    Out("nothing to repair");
  if (!outcome->after.clean()) {
    PrintProblems(outcome->after);
    Out("problems remain after the repair");
    return kExitProblems;
  }
  Out("ok: " + Checked(outcome->after) +
      "; every record reads and the indexes agree with the tickets");
  return kExitOk;
}

}  // namespace helpdesk::ctl
