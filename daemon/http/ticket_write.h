#pragma once
// The shape of every change to one ticket, shared by the ticket and the
// assignment handlers: read it inside the writer's transaction, let a pure
// decision produce the change, save it with its event. Writer thread only.

#include <string>

#include "daemon/base/status.h"
#include "daemon/store/tables.h"
#include "daemon/store/writer.h"
#include "daemon/tickets/commands.h"

namespace helpdesk::http {

inline Status NoSuchTicket(uint64_t number) {
  return Status::NotFound("no ticket with id '" + std::to_string(number) + "'");
}

// Reads ticket `number`, applies `decide` (current -> StatusOr<Change>),
// saves the change; the result holds the ticket with its comments.
template <typename Decide>
store::WriteResult UpdateTicket(store::WriteContext& w, uint64_t number,
                                Decide decide) {
  store::WriteResult result;
  auto current = store::GetTicket(w.txn(), w.tables(), number);
  if (!current.ok() || !*current) {
    result.status = current.ok() ? NoSuchTicket(number) : current.status();
    return result;
  }
  StatusOr<tickets::Change> c = decide(**current);
  if (!c.ok()) {
    result.status = c.status();
    return result;
  }
  result.status = w.Save(&**current, c->ticket, c->event);
  if (result.status.ok())
    result.status = store::LoadComments(w.txn(), w.tables(), c->ticket);
  result.ticket = std::move(c->ticket);
  result.events.push_back(std::move(c->event));
  return result;
}

}  // namespace helpdesk::http
