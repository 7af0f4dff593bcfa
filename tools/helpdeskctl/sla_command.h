#pragma once
// `helpdeskctl sla due`: the due and warning instants of the first-response
// and resolution targets of an SLA class and priority from a start instant,
// by the built-in policy (sla::DefaultPolicy), or the one a daemon config
// file's [sla] table makes of it, and its business calendars,
// and the closed and half days in between, so that a person can check the
// calendar maths by hand. Offline: no daemon. Returns the process exit
// code: 0 printed, 2 usage error (bad --start, unknown class or priority).
// Output to standard output, errors to standard error. Not thread-safe (one
// command per process).

#include <chrono>
#include <string>
#include <string_view>

#include "proto/status.h"

namespace helpdesk::ctl {

struct SlaDueOptions {
  std::string start;            // RFC 3339, or Oslo local "YYYY-MM-DDTHH:MM"
  std::string sla_class;        // "standard"
  std::string priority;         // "critical", "high", "normal" or "low"
  std::string format = "text";  // "text" or "json"
  // The daemon's config file: its [sla] table changes the policy (targets,
  // desk hours, closed and half days, warning share). Empty: built in.
  std::string config;
};

int SlaDueCommand(const SlaDueOptions& options);

// The SLA classes of the built-in policy, for help texts:
// "business-critical, standard, order".
std::string BuiltInSlaClasses();

// The instant `text` names: RFC 3339 with Z or an offset
// ("2026-04-01T12:00:00Z", "2026-04-01T14:00+02:00"; seconds and a
// fraction optional, the fraction dropped), or without an offset a local
// time in Europe/Oslo ("2026-04-01T14:00", seconds optional) converted with
// sla::FromOslo (a time the spring change skips becomes the change itself,
// one the autumn change repeats its first occurrence). Pure.
StatusOr<std::chrono::sys_seconds> ParseStartInstant(std::string_view text);

}  // namespace helpdesk::ctl
