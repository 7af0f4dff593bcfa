#pragma once
// What the desk's use cases share among themselves (tickets.cc, staff.cc,
// sweeps.cc); not included outside daemon/desk. Writer thread only.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/auth/policy.h"
#include "daemon/desk/scope.h"
#include "daemon/desk/use_cases.h"
#include "daemon/store/tables.h"
#include "daemon/tickets/commands.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::desk {

inline Status NoSuchTicket(std::string_view id) {
  return Status::NotFound("no ticket with id '" + std::string(id) + "'");
}
inline Status NoSuchTicket(uint64_t number) {
  return NoSuchTicket(std::to_string(number));
}

// Decides who gets `ticket` (as saved) by the dispatch rules and saves the
// decision with its event; `exclude` is never chosen (the absent assignee
// of a re-run). A storage error fails the batch; a decision the ticket
// cannot take is logged and leaves it as it is.
Status Dispatch(Scope& s, v1::Ticket& ticket, v1::AssignmentTrigger trigger,
                std::string_view exclude);
// The decision alone, not saved: the change to make, or none (nothing to
// record, or a decision the ticket cannot take, logged). A new ticket is
// decided before it is saved, and saved once with both its events.
StatusOr<std::optional<tickets::Change>> DecideDispatch(
    Scope& s, const v1::Ticket& ticket, v1::AssignmentTrigger trigger,
    std::string_view exclude);

// Whether an SLA alert of the due-time index has fallen due by `now`
// (seconds since the epoch), as `txn` sees the index.
StatusOr<bool> AlertsDue(const store::Txn& txn, const store::Tables& tables,
                         int64_t now);

// (paging.cc) After a write's use case, inside its transaction: the pages
// its events (those from index `first` of the batch's) call for, numbered
// and saved with their PageCreated events, and the acknowledgement of a
// ticket's open pages by a person on the staff who changed it. A storage
// error fails the batch.
Status PageAfter(Scope& s, size_t first);

// The latest kTicketComments comments of `ticket` (queries.h), oldest
// first among them, and the link to the older ones when there are any:
// what every answer with one ticket holds. Reads that many records, never
// the ticket's history (reads.cc).
Status AddLatestComments(const store::Txn& txn, const store::Tables& tables,
                         v1::Ticket& ticket);

// Reads ticket `number` and applies `decide` (current -> StatusOr<Change>)
// to it; `save`: stores the change with its event. The ticket as decided,
// with its latest comments when saved.
template <typename Decide>
StatusOr<v1::Ticket> DecideOnTicket(Scope& s, uint64_t number, Decide decide,
                                    bool save) {
  auto current = store::GetTicket(s.txn(), s.tables(), number);
  if (!current.ok()) return current.status();
  if (!*current) return NoSuchTicket(number);
  // A ticket the caller may not see is not there for them.
  if (!auth::MaySee(s.origin().who, **current)) return NoSuchTicket(number);
  StatusOr<tickets::Change> c = decide(**current);
  if (!c.ok()) return c.status();
  if (!save) return std::move(c->ticket);
  if (Status st = s.store().Save(&**current, c->ticket, std::move(c->event));
      !st.ok())
    return st;
  if (Status st = AddLatestComments(s.txn(), s.tables(), c->ticket); !st.ok())
    return st;
  return std::move(c->ticket);
}

// A person's change of one ticket. The SLA alerts that have fallen due are
// recorded first, in the same write, so a change that stops a clock never
// skips its alert; but only when the change will be made (it is decided
// once without saving first): a refused change writes nothing.
template <typename Decide>
StatusOr<v1::Ticket> ChangeTicket(Scope& s, uint64_t number, Decide decide) {
  auto due = AlertsDue(s.txn(), s.tables(), s.now().seconds());
  if (!due.ok()) return due.status();
  if (*due) {
    if (auto dry = DecideOnTicket(s, number, decide, false); !dry.ok())
      return dry.status();
    if (auto alerts = RecordSlaAlerts(s); !alerts.ok()) return alerts.status();
  }
  return DecideOnTicket(s, number, decide, true);
}

}  // namespace helpdesk::desk
