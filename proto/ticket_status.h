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

// The open statuses, in life-cycle order (each IsOpen).
inline constexpr v1::TicketStatus kOpenStatuses[] = {
    v1::TICKET_STATUS_NEW, v1::TICKET_STATUS_ASSIGNED,
    v1::TICKET_STATUS_IN_PROGRESS, v1::TICKET_STATUS_WAITING_ON_USER,
    v1::TICKET_STATUS_WAITING_ON_SUPPLIER};

}  // namespace helpdesk::proto
