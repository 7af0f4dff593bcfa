#include "daemon/tickets/state_machine.h"

#include <algorithm>
#include <array>

namespace helpdesk::tickets {

using v1::TicketStatus;

const std::vector<TicketStatus>& AllowedNext(TicketStatus from) {
  // Indexed by enum number; see the diagram in the header.
  static const std::array<std::vector<TicketStatus>, 8> kNext = {{
      {},                                  // unspecified
      {v1::TICKET_STATUS_ASSIGNED},        // new
      {v1::TICKET_STATUS_IN_PROGRESS},     // assigned
      {v1::TICKET_STATUS_WAITING_ON_USER,  // in_progress
       v1::TICKET_STATUS_WAITING_ON_SUPPLIER, v1::TICKET_STATUS_RESOLVED},
      {v1::TICKET_STATUS_IN_PROGRESS, v1::TICKET_STATUS_RESOLVED},  // w. user
      {v1::TICKET_STATUS_IN_PROGRESS, v1::TICKET_STATUS_RESOLVED},  // w. supp.
      {v1::TICKET_STATUS_CLOSED, v1::TICKET_STATUS_IN_PROGRESS},    // resolved
      {},                                                           // closed
  }};
  static const std::vector<TicketStatus> kNone;
  auto i = static_cast<size_t>(from);
  return i < kNext.size() ? kNext[i] : kNone;
}

bool IsAllowed(TicketStatus from, TicketStatus to) {
  const auto& next = AllowedNext(from);
  return std::find(next.begin(), next.end(), to) != next.end();
}

}  // namespace helpdesk::tickets
