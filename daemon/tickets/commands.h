#pragma once
// The domain core: a command and the current state in, a validated change
// (the new ticket state and the event that records it) or the Status saying
// why not out. Pure: no I/O, no clock (now is passed in), no globals.
// Nothing is decided here that the store has to undo: a rejected command
// leaves no trace.

#include <google/protobuf/timestamp.pb.h>

#include <cstdint>
#include <optional>
#include <string>

#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::tickets {

// Length limits, in bytes of UTF-8.
inline constexpr size_t kMaxTitleBytes = 200;
inline constexpr size_t kMaxTextBytes = 20000;  // description, comment body
inline constexpr size_t kMaxNameBytes = 100;    // reporter, actor, assignee
inline constexpr size_t kMaxFollowers = 10;     // colleagues on one ticket

// Who is asking, for the audit trail.
struct RequestContext {
  std::string request_id;
  google::protobuf::Timestamp now;
};

// A new ticket state and the event that records the change. The event has
// no seq yet: the store assigns it when it appends.
struct Change {
  v1::Ticket ticket;
  v1::Event event;
};

// Checks a create request against the region: every required field present
// and within limits, municipality known, location in that municipality.
Status ValidateCreate(const v1::CreateTicketRequest& request,
                      const v1::Region& region);

// Checks the service a create request names against the catalogue: it
// must exist (`service` non-null), be active and apply to the ticket's
// municipality.
Status CheckService(const v1::CreateTicketRequest& request,
                    const v1::Service* service);

// The ticket `number` as created by a request that passed ValidateCreate
// and CheckService against `service`. The ticket keeps a snapshot of the
// service; without a priority it takes the service's default.
Change DecideCreate(const v1::CreateTicketRequest& request,
                    const v1::Service& service, uint64_t number,
                    const RequestContext& ctx);

// A status move. `if_match` is the version from an If-Match header, if any;
// the body's version is used otherwise; one of them is required.
StatusOr<Change> DecideStatusChange(const v1::Ticket& current,
                                    const v1::ChangeStatusRequest& request,
                                    std::optional<uint32_t> if_match,
                                    const RequestContext& ctx);

// Records a dispatch decision on the ticket (dispatch::Decide or
// DecideManual made it): assignee, status and the Assigned event.
//   ASSIGNED   the assignee changes; a ticket that is new, assigned or in
//              progress becomes 'assigned' (the new person has not started);
//              one waiting on the user or a supplier keeps waiting.
//   UNASSIGNED only for a ticket with no assignee: it stays 'new', in the
//              dispatcher queue, with the reason.
//   KEPT       nothing changes but the recorded decision.
// A resolved or closed ticket is not assigned; giving a ticket to the
// person who has it is refused. `if_match`/`version`: for a dispatcher's or
// agent's request one is required (as for a status change); automatic
// decisions pass std::nullopt and 0 and are not version-checked.
StatusOr<Change> DecideAssignment(const v1::Ticket& current,
                                  v1::Assignment assignment, bool check_version,
                                  uint32_t version,
                                  std::optional<uint32_t> if_match,
                                  const RequestContext& ctx);

// A colleague added to (`add`) or removed from the ticket's followers, by
// `actor`. Refused: the reporter (they follow it already), one already
// following (or, to remove, one who is not), more than kMaxFollowers, any
// change on a closed ticket. Who may is auth::CheckFollow's.
StatusOr<Change> DecideFollower(const v1::Ticket& current,
                                const std::string& account, bool add,
                                const std::string& actor,
                                const RequestContext& ctx);

// A new priority for an open ticket, based on the version from `if_match`
// or the request's (one is required). The caller moves the SLA clocks
// (OnPriority in sla_clocks.h).
StatusOr<Change> DecidePriorityChange(const v1::Ticket& current,
                                      const v1::ChangePriorityRequest& request,
                                      std::optional<uint32_t> if_match,
                                      const std::string& actor,
                                      const RequestContext& ctx);

StatusOr<Change> DecideComment(const v1::Ticket& current,
                               const v1::AddCommentRequest& request,
                               const RequestContext& ctx);

// "1042" -> 1042; nullopt for anything that is not a ticket number.
std::optional<uint64_t> ParseTicketId(std::string_view id);

}  // namespace helpdesk::tickets
