#pragma once
// Commands of the desk that the adapters put together from more than one
// request body (the path, headers, the body), and their own rules. Plain
// values and pure checks; any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/paging/plan.h"
#include "proto/status.h"

namespace helpdesk::desk {

// Ids that cannot name anything are not found, whatever else a request
// says: kNotFound naming the id, else ok.
Status CheckTicketId(std::string_view id);  // "1042"
Status CheckStaffId(std::string_view id);   // "kari.haugen"

// A dispatcher (the origin's actor) gives the ticket to `assignee`, or an
// agent takes it (`take`: the origin's actor is the assignee).
struct AssignCommand {
  bool take = false;
  std::string assignee;  // the staff id; for take, the origin's actor
  std::string reason;    // the dispatcher's words; empty for take
  uint32_t version = 0;  // the body's version; 0: not given
  std::optional<uint32_t> if_match;
};
// The request's own rules (a reason for an assignment, someone to take
// it), checked before it is queued and again in the write.
Status CheckAssignment(const AssignCommand& a);

// What the paging sender did for one page in one round: its attempts at
// the deliveries that were due (paging::DueDeliveries), to be recorded.
struct PageRound {
  uint64_t page = 0;
  std::vector<paging::Attempt> attempts;
};

}  // namespace helpdesk::desk
