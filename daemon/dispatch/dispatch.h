#pragma once
// Assignment by lokal-tilstedeværelse rules (DOMAIN.md rules 1, 2, 6, 7,
// 11): given the ticket, the service snapshot it was filed against, the
// roster (staff and vakt rota), each person's open load and `now`, who gets
// the ticket and why.
//
// Urgent work always reaches a person: a ticket that goes to the vakt
// (Options: critical ones, and high ones on business-critical services)
// and that the rule path below would leave unassigned or waiting for the
// next working day (out of hours: no one qualified is at work) goes to
//   vakt        the primary of the vakt shift covering `now`, else the
//               backup when the primary is absent or inactive, whatever
//               their skills; the missing skills and the people who hold
//               them (to call in) are named. No one on vakt: a gap in the
//               rota (no_vakt).
//
// The rule path, one step after another, each keeping some candidates:
//   skills      every skill the service needs (external delivery: the
//               supplier-follow-up skill of the internal owner); when no
//               active person has them all, everyone with some of them (a
//               partial match). A skill no active person has at all is a
//               catalogue or registry error: unassigned (no_skilled_staff).
//   active      the person is active
//   not_absent  no absence covers today (Europe/Oslo)
//   available   at work now (working hours, not a public holiday); when
//               no one qualified is at work: urgent work as above; other
//               high and critical tickets to whoever is on vakt now and
//               qualifies (primary before backup); else those at work on
//               the next working day anyone is (so the ticket waits with a
//               person, not in a queue)
//   skills_rank a partial match only: those with the most of the skills
//   presence    necessary: people who cover the ticket's municipality on
//               site; else, when travel fallback is on, people based in the
//               nearest neighbouring municipality with anyone available, by
//               the travel-time table (equally near ones together, so the
//               table's order never decides; a travel assignment); else
//               unassigned (no_local_staff).
//               desirable: local people first, else the region.
//               not_needed: the region.
//   choose      people the reporter knows (DOMAIN.md rule 12) while their
//               load is within the familiarity margin of the lowest: the
//               person who last helped this reporter, then the staff of the
//               reporter's municipality (based there or covering it on
//               site); else the lowest load (open work weighted by
//               priority, divided by the FTE share), then the least
//               recently assigned, then id. `chosen_by` names the rule that
//               decided, and the explanation says it in words.
//
// Pure: no I/O, no clock; deterministic for the same inputs. Any thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <string>
#include <string_view>

#include "daemon/dispatch/roster.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::dispatch {

// The skill an internal owner of external (supplier) work must have.
inline constexpr std::string_view kSupplierFollowUpSkill = "supplier-followup";

// Open work of one person, as the store keeps it.
struct Load {
  // Open tickets assigned to the person, indexed by Priority number.
  uint32_t open_by_priority[5] = {0, 0, 0, 0, 0};
  uint64_t last_assigned_seq = 0;  // 0: never assigned
};

// The load as the store keeps it (v1::StaffLoad).
Load LoadOfStored(const v1::StaffLoad& stored);
// Open tickets, whatever their priority.
uint32_t OpenTickets(const Load& load);

// Weight of one open ticket of `priority` in the load.
uint32_t PriorityWeight(v1::Priority priority);
// Open work weighted by priority.
uint64_t WeightedWork(const Load& load);
// Weighted work per full post: WeightedWork * 100 / fte_percent.
double LoadPerPost(const Load& load, uint32_t fte_percent);

// The load of a person of the roster; called only for candidates that
// survive the filters, so a store lookup per call is affordable.
using LoadOf = std::function<Load(const Person&)>;

struct Input {
  const v1::Ticket* ticket = nullptr;  // municipality, priority
  const v1::ServiceSnapshot* service = nullptr;
  v1::AssignmentTrigger trigger = v1::ASSIGNMENT_TRIGGER_CREATED;
  // Never chosen: the assignee whose absence or deactivation triggered a
  // re-run.
  std::string_view exclude;
  std::chrono::sys_seconds now{};
  // The staff member who last helped the reporter (the assignee of their
  // latest earlier ticket), or "" when none is known; asked only when it
  // can decide (more than one candidate at choose). Unset: none.
  std::function<std::string()> last_helper;
};

// Whether a ticket of `priority` on a service that is (or is not)
// business-critical goes to the vakt, whatever the skills, when no one
// qualified can take it now.
bool GoesToVakt(v1::Priority priority, bool business_critical,
                const Options& options);

// The decision, with outcome ASSIGNED or UNASSIGNED (with its reason),
// the rule path, every step's count and the explanation in words. `at` and
// `by` are set ("dispatch"); previous_assignee is the ticket's assignee.
v1::Assignment Decide(const Input& input, const Roster& roster,
                      const LoadOf& load);

// A dispatcher's choice (trigger MANUAL) or an agent taking the ticket
// (TAKEN): checks that `person` is on the roster and active, and explains
// the choice, noting what the rules would have objected to (missing
// skills, not local for on-site work, absent, off work). `reason` is the
// dispatcher's words. Fails when the person is unknown or inactive.
StatusOr<v1::Assignment> DecideManual(
    const v1::Ticket& ticket, v1::AssignmentTrigger trigger,
    std::string_view person, std::string_view by, std::string_view reason,
    const Roster& roster, std::chrono::sys_seconds now);

// The assignment in a sentence or two a dispatcher reads on the ticket.
// (Decide and DecideManual fill `explanation` with it.)
std::string Explain(const v1::Assignment& assignment, const Roster& roster);

}  // namespace helpdesk::dispatch
