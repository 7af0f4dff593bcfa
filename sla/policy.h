#pragma once
// SLA policies: for every SLA class of the catalogue and every priority, the
// first-response and resolution targets and the business calendar each
// counts on (targets belong to the service's class
// and the priority, never to the municipality; business-critical classes
// are stricter). And the due times a target gives from a start instant.
// Pure: no clock reads; any thread. Priorities are the schema's numbers.

#include <array>
#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/helpdesk.pb.h"
#include "proto/status.h"
#include "sla/calendar.h"

namespace helpdesk::sla {

// Priorities by the numbers of helpdesk.v1.Priority.
inline constexpr int kCritical = v1::PRIORITY_CRITICAL,
                     kHigh = v1::PRIORITY_HIGH, kNormal = v1::PRIORITY_NORMAL,
                     kLow = v1::PRIORITY_LOW;
// "critical" ... "low": the wire name, from the schema.
std::string PriorityName(int priority);
// The number of the priority named `name`; 0 for none.
int PriorityNumber(std::string_view name);
// "critical, high, normal, low".
std::string PriorityChoices();

// One clock's target: how much business time, counted on which calendar.
struct Target {
  std::chrono::seconds time{0};
  std::string calendar;  // a calendar id of the policy
};

struct ClassTargets {
  std::string sla_class;  // the catalogue's SLA class id, "standard"
  // Indexed by priority 1..4; [0] unused.
  std::array<Target, 5> response;
  std::array<Target, 5> resolution;
};

struct Policy {
  std::vector<CalendarSpec> calendars;  // by id
  std::vector<ClassTargets> classes;    // by sla_class
  // A warning is due when this share of a target has passed (0 < x < 1).
  double warn_share = 0.75;
  // waiting_on_user always pauses both clocks; waiting_on_supplier only
  // when this is set (the cooperation answers for its suppliers).
  bool pause_on_supplier = false;
};

// Every problem of `policy` in words: calendars valid with unique ids,
// every target > 0 on a known calendar, resolution no shorter than
// response, warn_share in (0, 1), each class once.
// As the errors of kInvalidField; ok when there is none.
Status Validate(const Policy& policy);

// The default policy of the demo cooperation, for the built-in catalogue's
// classes "business-critical", "standard" and "order", on the desk
// calendar (Mon-Fri 08:00-15:30) and 24x7 for business-critical critical
// work, which has vakt. Realistic for a Norwegian municipal desk: critical
// 15 min response / 2 h resolution, high 1 h / 4 h on the standard class.
Policy DefaultPolicy();

// When a target falls due, from `start`.
struct Due {
  std::chrono::sys_seconds warning;  // at warn_share of the target
  std::chrono::sys_seconds due;
};

// A policy with its calendars built, ready to compute due times. Immutable
// after construction; any thread.
class PolicyBook {
 public:
  // `policy` must have passed Validate.
  explicit PolicyBook(Policy policy);

  const Policy& policy() const { return policy_; }
  const ClassTargets* Find(std::string_view sla_class) const;
  const BusinessCalendar* Calendar(std::string_view id) const;

  // The due and warning instants of `target` started at `start` with
  // `elapsed` business time already used (after a pause or a priority
  // change). nullopt when the target's calendar is unknown.
  std::optional<Due> DueOf(const Target& target, std::chrono::sys_seconds start,
                           std::chrono::seconds elapsed = {}) const;

 private:
  Policy policy_;
  std::map<std::string, BusinessCalendar, std::less<>> calendars_;
};

}  // namespace helpdesk::sla
