#pragma once
// What a ticket status means beyond its place in the life cycle
// (daemon/tickets/state_machine.h has the moves). Pure; any thread.

#include "proto/helpdesk.pb.h"

namespace helpdesk::proto {

// Open means someone still owes the user work: not resolved, not closed.
// Open tickets count in their assignee's load and can be assigned.
inline bool IsOpen(v1::TicketStatus status) {
  return status != v1::TICKET_STATUS_RESOLVED &&
         status != v1::TICKET_STATUS_CLOSED;
}

}  // namespace helpdesk::proto
