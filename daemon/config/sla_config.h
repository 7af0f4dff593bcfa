#pragma once
// The [sla] table of the config file: the warning share, whether
// waiting_on_supplier pauses the clocks, the desk calendar's hours, closed
// and half days, and overrides of the built-in targets per SLA class and
// priority. Read from TOML (ReadSla) and turned into a validated
// sla::Policy (BuildPolicy). Plain values and pure functions; any thread.
// The reading of the TOML table is config's own (sla_toml.h).

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "proto/status.h"
#include "sla/policy.h"

namespace helpdesk::config {

inline constexpr uint32_t kMaxTargetMinutes = 366 * 24 * 60;
inline constexpr uint32_t kDefaultSlaSweepSeconds = 5;
inline constexpr uint32_t kMaxSlaSweepSeconds = 3600;

// What the operator set; an empty optional or list keeps the built-in
// value of sla::DefaultPolicy().
struct SlaSettings {
  std::optional<uint32_t> warn_percent;  // 1..99
  std::optional<bool> pause_on_supplier;
  // How often the daemon records the warnings and breaches that fell due
  // (not part of the policy: when, not what); kDefaultSlaSweepSeconds.
  std::optional<uint32_t> sweep_seconds;
  // The desk calendar's hours Monday to Friday: "08:00-15:30", or several
  // segments "08:00-11:30, 12:00-15:30".
  std::optional<std::string> desk_hours;
  // YYYY-MM-DD, days of the desk calendar: closed, or open to 12:00.
  std::vector<std::string> closed_days, half_days;

  // One [[sla.target]] table: the targets of one class and priority.
  struct TargetOverride {
    std::string sla_class;  // "standard"
    std::string priority;   // "critical", "high", "normal" or "low"
    std::optional<uint32_t> response_minutes, resolution_minutes;
    std::optional<std::string> calendar;  // "desk" or "24x7"
    // "file:line: sla.target entry N", so later errors say where; may be
    // empty.
    std::string source;
  };
  std::vector<TargetOverride> targets;
};

// sla::DefaultPolicy() with `settings` applied, then sla::Validate. The
// error names every problem: a bad day or hours, a class or priority the
// policy does not have, a response target longer than its resolution.
[[nodiscard]] StatusOr<sla::Policy> BuildPolicy(const SlaSettings& settings);

}  // namespace helpdesk::config
