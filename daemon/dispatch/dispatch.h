#pragma once
// Assignment by lokal-tilstedeværelse rules (DOMAIN.md rules 1, 2, 6, 7,
// 11): given the ticket, the service snapshot it was filed against, the
// roster (staff and vakt rota), each person's open load and `now`, who gets
// the ticket and why.
//
// The rule path, one step after another, each keeping some candidates:
//   skills      every skill the service needs (external delivery: the
//               supplier-follow-up skill of the internal owner)
//   active      the person is active
//   not_absent  no absence covers today (Europe/Oslo)
//   available   at work now (working hours, not a public holiday); for
//               high and critical tickets when no one qualified is at work:
//               whoever is on vakt now (primary before backup); for normal
//               and low tickets when no one is at work: those at work on the
//               next working day anyone is (so the ticket waits with a
//               person, not in a queue)
//   presence    necessary: people who cover the ticket's municipality on
//               site; else, when travel fallback is on, people based in the
//               nearest neighbouring municipality with anyone available, by
//               the travel-time table (equally near ones together, so the
//               table's order never decides; a travel assignment); else
//               unassigned (no_local_staff).
//               desirable: local people first, else the region.
//               not_needed: the region.
//   choose      the lowest load (open work weighted by priority, divided by
//               the FTE share), then the least recently assigned, then id.
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
};

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
