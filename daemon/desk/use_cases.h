#pragma once
// The desk's use cases: each one change a person (or a sweep) asks for,
// decided by the pure cores (tickets, catalogue, staff, dispatch, sla) and
// saved through the writer's transaction in one piece, every event with
// the Scope's instant and origin. Each returns what the change came to, or
// the Status saying why not, having written nothing.
//
// Writer thread only, inside a write (store::Writer); the Desk submits
// them for the daemon, helpdeskctl's offline import calls ImportCatalogue
// on its own writer.

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalogue/edit.h"
#include "daemon/desk/commands.h"
#include "daemon/desk/scope.h"
#include "daemon/store/catalogue_tables.h"
#include "daemon/store/ticket_words.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::desk {

struct RotaDecision;  // staff_view.h

// ------------------------------------------------------------ tickets
// Each answers the ticket as saved, with its comments.

// Files a ticket against an active service of its municipality, starts its
// SLA clocks and assigns it (dispatch) in the same write. `words`: the
// request's words for search, if worked out before the write
// (store::WordsOfText of its title and description).
StatusOr<v1::Ticket> CreateTicket(Scope& s,
                                  const v1::CreateTicketRequest& request,
                                  const store::TextWords* words = nullptr);

// `if_match`: the version from an If-Match header, if any (the body's
// `version` otherwise); one is required for every change below.
StatusOr<v1::Ticket> ChangeStatus(Scope& s, uint64_t ticket,
                                  const v1::ChangeStatusRequest& request,
                                  std::optional<uint32_t> if_match);

// The clocks take the new priority's targets, keeping the time used. The
// actor is the origin's.
StatusOr<v1::Ticket> ChangePriority(Scope& s, uint64_t ticket,
                                    const v1::ChangePriorityRequest& request,
                                    std::optional<uint32_t> if_match);

// A reply by someone on the staff is the first response.
StatusOr<v1::Ticket> Comment(Scope& s, uint64_t ticket,
                             const v1::AddCommentRequest& request);
StatusOr<v1::Ticket> Follow(Scope& s, uint64_t ticket,
                            const std::string& account, bool add);

// A dispatcher (the origin's actor) gives the ticket to `assignee`, or an
// agent takes it (commands.h).
StatusOr<v1::Ticket> Assign(Scope& s, uint64_t ticket, const AssignCommand& a);

// ------------------------------------------------------------ catalogue
// Each is decided against the catalogue as the writer's transaction sees
// it, so two admins racing cannot both win with stale copies; a change
// that changes nothing records no event (EditResult::changed is false).

StatusOr<catalogue::EditResult> ImportCatalogue(Scope& s,
                                                const v1::Catalogue& incoming);

// A catalogue change as a pure decision over the catalogue and the
// region's municipality ids.
using CatalogueEdit = std::function<catalogue::EditResult(
    const v1::Catalogue& current, const std::vector<std::string>& munis)>;
// A change decided before the write (by the Desk, on the caller's thread)
// against the catalogue at `version`, with what it writes planned then.
struct CatalogueDecision {
  uint32_t version = 0;
  store::CatalogueWrites writes;
  catalogue::EditResult decided;
  CatalogueEdit edit;  // decides again when the catalogue has moved on
};
// Saves the decision when the catalogue is still at its version: the
// writer checks only that, and puts the planned entries. When it has moved
// on, the decision's `edit` decides again against what the writer sees.
StatusOr<catalogue::EditResult> ApplyCatalogueEdit(
    Scope& s, const CatalogueDecision& decision);
StatusOr<catalogue::EditResult> CreateService(Scope& s,
                                              const v1::Service& service);
StatusOr<catalogue::EditResult> UpdateService(Scope& s, std::string_view id,
                                              const v1::Service& service,
                                              std::optional<uint32_t> if_match);
StatusOr<catalogue::EditResult> SetServiceState(Scope& s, std::string_view id,
                                                v1::ServiceState to,
                                                std::optional<uint32_t> version,
                                                const std::string& reason);
StatusOr<catalogue::EditResult> CreateCategory(Scope& s,
                                               const v1::Category& category);
StatusOr<catalogue::EditResult> UpdateCategory(
    Scope& s, std::string_view id, const v1::Category& category,
    std::optional<uint32_t> if_match);

// ------------------------------------------------------------ staff
// Each answers the record with `now` at the batch's instant; each change
// re-runs dispatch for the absent and the queue (Redispatch) in the same
// write. Sending what is stored changes nothing.

StatusOr<v1::StaffMember> CreateStaff(Scope& s, const v1::StaffMember& body);
StatusOr<v1::StaffMember> UpdateStaff(Scope& s, std::string_view id,
                                      const v1::StaffMember& body,
                                      std::optional<uint32_t> if_match);
StatusOr<v1::VaktRota> PutRota(Scope& s, const v1::VaktRota& body,
                               std::optional<uint32_t> if_match);
// Saves `decided` (DecideRotaIn, staff_view.h, run before the write) when
// the staff and rota are still as it was decided against; else decides
// `body` again as PutRota does.
StatusOr<v1::VaktRota> ApplyRota(Scope& s, const RotaDecision& decided,
                                 const v1::VaktRota& body,
                                 std::optional<uint32_t> if_match);

// ------------------------------------------------------------ sweeps
// Each answers how many events it recorded.

// The open tickets of everyone inactive or absent today go to others (or
// stay, recorded once as kept), and the new tickets waiting in the
// dispatcher queue are tried again.
StatusOr<size_t> Redispatch(Scope& s);

// One SlaWarning or SlaBreached event for each alert of the due-time
// index that has fallen due by the batch's instant.
StatusOr<size_t> RecordSlaAlerts(Scope& s);

// ------------------------------------------------------------ paging
// (paging.cc; README, "Paging")

// Acknowledges the page: every step not yet sent is cancelled. An
// acknowledged page is answered as it is.
StatusOr<v1::Page> AckPage(Scope& s, uint64_t page);
// A test page to staff member `to`, over every configured channel.
StatusOr<v1::Page> MakeTestPage(Scope& s, std::string_view to);
// Starts the steps of each page that fell due and records the sender's
// attempts (PageDelivered for each delivery delivered or given up).
// Answers how many events it recorded.
StatusOr<size_t> RecordPageRound(Scope& s, const std::vector<PageRound>& round);

}  // namespace helpdesk::desk
