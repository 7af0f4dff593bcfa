#pragma once
// The SLA clocks of a ticket (DOMAIN.md rules 4 and 5): first response and
// resolution, started when the ticket is filed with the targets of its
// service's SLA class and its priority (snapshotted: later policy edits do
// not rewrite history), paused while the ticket waits on the user (and, if
// the policy says so, on a supplier) with the paused time excluded exactly,
// stopped by the first public reply or in_progress (first response) and by
// resolved (resolution). A priority change recomputes the due times keeping
// the time used.
//
// Pure: the instant is passed in; calendars come from the PolicyBook. Any
// thread.

#include <chrono>
#include <optional>
#include <string>

#include "proto/helpdesk.pb.h"
#include "sla/policy.h"

namespace helpdesk::tickets {

using std::chrono::sys_seconds;

// The clocks of a ticket filed now in `sla_class` with `priority`, both
// counting. nullopt when the policy has no targets for the class (the
// ticket then has no clocks; the catalogue keeps classes and policy in
// step).
std::optional<v1::TicketSla> StartClocks(const sla::PolicyBook& book,
                                         const std::string& sla_class,
                                         v1::Priority priority,
                                         sys_seconds now);

// The clocks after a status move `from` -> `to` at `now`:
//   to waiting_on_user (or waiting_on_supplier when the policy pauses on
//   it): counting clocks pause; back from there they count again;
//   to in_progress: the first response is met;
//   to resolved: both stop (an unmet first response stops with it);
//   resolved -> in_progress (reopened): the resolution clock counts again
//   from the time it had used.
void OnStatus(v1::TicketSla& sla, const sla::PolicyBook& book,
              v1::TicketStatus from, v1::TicketStatus to, sys_seconds now);

// A public reply by staff: the first response is met (if not already).
void OnPublicReply(v1::TicketSla& sla, const sla::PolicyBook& book,
                   sys_seconds now);

// A new priority: the targets of the class for it, the time used kept;
// clocks already stopped are not changed. Unknown class: no change.
void OnPriority(v1::TicketSla& sla, const sla::PolicyBook& book,
                v1::Priority priority, sys_seconds now);

// The clock as it reads at `now` (for answers): elapsed including the
// counting time since `since`, and BREACHED once a counting clock is past
// its due time even before the breach is recorded.
v1::SlaClock ReadAt(const v1::SlaClock& clock, const sla::PolicyBook& book,
                    sys_seconds now);

// Business time a clock has used by `now`.
std::chrono::seconds Elapsed(const v1::SlaClock& clock,
                             const sla::PolicyBook& book, sys_seconds now);

}  // namespace helpdesk::tickets
