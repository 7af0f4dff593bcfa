#pragma once
// The SLA due-time index: when each recorded-but-not-yet-raised SLA alert of
// a ticket falls due, so the sweep reads the next few due alerts instead of
// scanning every ticket.
//
//   sla_due   BE64 instant (seconds) . BE64 ticket number . alert byte -> ""
//
// A ticket's entries follow from the ticket alone (SlaDueKeys): for each of
// its clocks that is counting, the warning (unless `warned`) at warning_at
// and the breach (unless the state is BREACHED) at due_at. Paused and
// stopped clocks have none. WriteContext::Save keeps them with every ticket
// write, so recording a warning or breach on the ticket removes its entry
// in the same transaction: the alert is raised exactly once, across
// restarts too.
//
// Free functions over a Txn; they never keep a view past the transaction.
// Thread-safety: as the Txn they are given.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::store {

// The alert byte of an sla_due key.
inline constexpr int kFirstResponseWarning = 1;
inline constexpr int kFirstResponseBreach = 2;
inline constexpr int kResolutionWarning = 3;
inline constexpr int kResolutionBreach = 4;

// One due alert: at `at` (seconds since the epoch) the clock of `ticket`
// named by `alert` (one of the k... above) warns or falls due.
struct SlaDue {
  int64_t at;
  uint64_t ticket;
  int alert;
  bool operator==(const SlaDue&) const = default;
};

// The sla_due keys of `ticket`, sorted. An instant with nanoseconds is
// rounded up to the next second (an alert is never reported early; the
// clocks use whole seconds anyway) and one before the epoch counts as 0. A
// counting clock missing warning_at or due_at (a malformed record) has no
// entry for it rather than one at the epoch that would head the index
// forever. Pure.
std::vector<std::string> SlaDueKeys(const v1::Ticket& ticket);

// ------------------------------------------------------------ reads

// The entries with instant <= `until_seconds`, earliest first (ties by
// ticket number, then alert), at most `limit` of them.
StatusOr<std::vector<SlaDue>> DueBy(const Txn& txn, const Tables& t,
                                    int64_t until_seconds, size_t limit);

// The earliest instant in the index; nullopt when it is empty.
StatusOr<std::optional<int64_t>> NextDue(const Txn& txn, const Tables& t);

// ------------------------------------------------------------ writes

// Moves the ticket's entries from those of `before` (nullptr for a new
// ticket) to those of `now`; writes nothing when they are the same.
Status UpdateSlaDue(Txn& txn, const Tables& t, const v1::Ticket* before,
                    const v1::Ticket& now);

// Empties sla_due and fills it by one scan over the tickets table. For the
// schema upgrade to version 4.
Status RebuildSlaDue(Txn& txn, const Tables& t);

}  // namespace helpdesk::store
