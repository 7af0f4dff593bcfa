#pragma once
// `helpdeskctl report`: the daemon's SLA report (GET /api/v1/reports/sla,
// DOMAIN.md rules 4, 10 and 12) as an aligned table of one view, or the
// daemon's JSON or CSV as received. Returns the process exit code:
//   0  printed (or written to --output)
//   2  usage error, the daemon not reachable, or a problem answer
// The report goes to standard output or the output file, errors to
// standard error. Not thread-safe (one command per process).

#include <chrono>
#include <optional>
#include <string>

#include "proto/helpdesk.pb.h"

namespace helpdesk::ctl {

struct ReportOptions {
  std::string url;  // http://HOST:PORT of the daemon
  std::chrono::milliseconds timeout{30000};
  std::string from, to;  // RFC 3339; empty: the daemon's default
  std::string group_by = "municipality";  // as the daemon's groupBy
  std::string view = "groups";            // groups, equal-service, volume
  std::string format = "text";            // text, json, csv
  std::optional<double> fixed_share;      // 0..1; the daemon's default 0.4
  std::string variable;                   // volume, population; empty: default
  std::optional<double> amount;           // kroner
  std::string output;                     // a file; empty: standard output
};

int ReportCommand(const ReportOptions& options);

// The report as text: a header line naming the range and the grouping,
// then the table of `view` ("groups", "equal-service" or "volume").
// Durations are business time, "1 h 05 min". Pure.
std::string FormatSlaReport(const v1::SlaReport& report,
                            const std::string& view);

// Business seconds for people: "-" for none stopped, "45 min",
// "1 h 05 min" (rounded to the minute).
std::string FormatBusinessTime(int64_t seconds, uint32_t stopped);

}  // namespace helpdesk::ctl
