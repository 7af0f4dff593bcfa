#pragma once
// The ticket (sak) life cycle:
//
//   new -> assigned -> in_progress <-> waiting_on_user | waiting_on_supplier
//   in_progress | waiting_on_user | waiting_on_supplier -> resolved
//   resolved -> closed;  resolved -> in_progress (reopen)
//
// Pure functions; any thread.

#include <vector>

#include "proto/helpdesk.pb.h"

namespace helpdesk::tickets {

// The statuses a ticket in `from` may move to; empty for closed.
const std::vector<v1::TicketStatus>& AllowedNext(v1::TicketStatus from);

bool IsAllowed(v1::TicketStatus from, v1::TicketStatus to);

}  // namespace helpdesk::tickets
