#pragma once
// `helpdeskctl coverage`: the daemon's coverage report (GET
// /api/v1/reports/coverage, DOMAIN.md rule 6: at least two operators in
// every area at all times) as a table or as the daemon's JSON. Returns the
// process exit code, for a cron job to alert on:
//   0  no standing gaps
//   1  standing gaps (printed)
//   2  usage error, the daemon not reachable, or a problem answer
// The report goes to standard output, errors to standard error. Not
// thread-safe (one command per process).

#include <chrono>
#include <string>

#include "proto/helpdesk.pb.h"

namespace helpdesk::ctl {

struct CoverageOptions {
  std::string url;  // http://HOST:PORT of the daemon
  std::chrono::milliseconds timeout{30000};
  std::string at;               // RFC 3339; empty: the daemon's now
  std::string format = "text";  // "text" or "json"
  bool gaps_only = false;
};

int CoverageCommand(const CoverageOptions& options);

// The report as text: the header line, the skill and service tables (left
// out with `gaps_only`), then the standing gaps, the thin on-site cells and the
// thin-right-now cells as the daemon words them. Pure.
std::string FormatCoverage(const v1::CoverageReport& report, bool gaps_only);

}  // namespace helpdesk::ctl
