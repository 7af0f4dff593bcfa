// The ticket routes, the event log and the municipalities: query and body
// parsed here, everything else the desk's.

#include "daemon/auth/policy.h"
#include "daemon/desk/desk.h"
#include "daemon/http/api.h"
#include "daemon/http/query.h"
#include "daemon/http/responses.h"
#include "daemon/http/ticket_rows.h"
#include "proto/json.h"
#include "proto/wire_names.h"

namespace helpdesk::http {
namespace {

constexpr uint64_t kMaxPage = 200;
constexpr uint64_t kDefaultPage = 50;
// A search's text (`q`): a few words, not a document.
constexpr size_t kMaxSearchBytes = 500;

Response TicketResponse(int status, const v1::Ticket& t) {
  Response r = WithETag(Json(status, t), t.version());
  // A 201 is a new ticket or a new comment, which a new ticket never has.
  if (status == 201 && t.comment_count() == 0)
    r.headers.emplace_back("Location", "/api/v1/tickets/" + t.id());
  return r;
}

// Renders a ticket the desk answers a write with.
std::function<void(StatusOr<v1::Ticket>)> TicketAnswer(const Call& c,
                                                       Respond respond,
                                                       int status) {
  return Answer<v1::Ticket>(c, std::move(respond), [status](v1::Ticket& t) {
    return TicketResponse(status, t);
  });
}

}  // namespace

void Api::ListTickets(const Call& c, Respond respond) {
  const Target& t = c.target;
  desk::TicketQuery query;
  auto status =
      EnumParam<v1::TicketStatus>(t, "status", v1::TicketStatus_descriptor());
  if (!status.ok()) return respond(Fail(c, status.status()));
  if (*status) query.status = **status;
  if (auto it = t.params.find("municipality"); it != t.params.end())
    query.municipality = it->second;
  if (auto it = t.params.find("assignee"); it != t.params.end())
    query.assignee = it->second;
  if (auto it = t.params.find("q"); it != t.params.end()) {
    if (it->second.size() > kMaxSearchBytes)
      return respond(
          Fail(c, Status::InvalidParameter(
                      "q",
                      "q is longer than 500 bytes; search for a few words "
                      "of the title or description")));
    query.text = it->second;
  }
  auto shape = ParseRowShape(t);
  if (!shape.ok()) return respond(Fail(c, shape.status()));
  auto limit = UintParam(t, "limit", 1, kMaxPage, kDefaultPage);
  if (!limit.ok()) return respond(Fail(c, limit.status()));
  query.limit = *limit;
  auto before = CursorParam(t);
  if (!before.ok()) return respond(Fail(c, before.status()));
  query.before = *before;
  auto page = desk_.ListTickets(c.who, query);
  if (!page.ok()) return respond(Fail(c, page.status()));
  // A v1::ListTicketsResponse, each row as the shape asks.
  std::string body = "{\"tickets\":[";
  for (size_t i = 0; i < page->tickets.size(); ++i) {
    if (i) body += ',';
    AppendRow(body, *shape, page->tickets[i]);
  }
  body += "],\"nextCursor\":";
  proto::AppendJsonString(
      body, page->next_before ? EncodeCursor(*page->next_before) : "");
  body += '}';
  respond(Json(200, std::move(body)));
}

void Api::CreateTicket(const Call& c, Respond respond) {
  v1::CreateTicketRequest req;
  if (Status s = proto::ParseJson(c.request.body, req); !s.ok())
    return respond(Fail(c, s));
  desk_.CreateTicket(OriginOf(c), std::move(req),
                     TicketAnswer(c, std::move(respond), 201));
}

void Api::GetTicket(const Call& c, Respond respond) {
  auto ticket = desk_.GetTicket(c.who, c.id);
  if (!ticket.ok()) return respond(Fail(c, ticket.status()));
  respond(TicketResponse(200, *ticket));
}

void Api::ChangeStatus(const Call& c, Respond respond) {
  v1::ChangeStatusRequest req;
  if (Status s = proto::ParseJson(c.request.body, req); !s.ok())
    return respond(Fail(c, s));
  auto if_match = ParseIfMatch(c.request.if_match);
  if (!if_match.ok()) return respond(Fail(c, if_match.status()));
  desk_.ChangeStatus(OriginOf(c), c.id, std::move(req), *if_match,
                     TicketAnswer(c, std::move(respond), 200));
}

void Api::ChangePriority(const Call& c, Respond respond) {
  v1::ChangePriorityRequest req;
  if (Status s = proto::ParseJson(c.request.body, req); !s.ok())
    return respond(Fail(c, s));
  auto if_match = ParseIfMatch(c.request.if_match);
  if (!if_match.ok()) return respond(Fail(c, if_match.status()));
  if (Status s = auth::CheckActor(c.who, "actor", req.actor()); !s.ok())
    return respond(Fail(c, s));
  desk_.ChangePriority(OriginOf(c), c.id, std::move(req), *if_match,
                       TicketAnswer(c, std::move(respond), 200));
}

void Api::AddComment(const Call& c, Respond respond) {
  v1::AddCommentRequest req;
  if (Status s = proto::ParseJson(c.request.body, req); !s.ok())
    return respond(Fail(c, s));
  desk_.Comment(OriginOf(c), c.id, std::move(req),
                TicketAnswer(c, std::move(respond), 201));
}

void Api::AddFollower(const Call& c, Respond respond) {
  v1::FollowRequest req;
  if (Status s = proto::ParseJson(c.request.body, req); !s.ok())
    return respond(Fail(c, s));
  desk_.Follow(OriginOf(c), c.id, req.account(), /*add=*/true,
               TicketAnswer(c, std::move(respond), 200));
}

void Api::RemoveFollower(const Call& c, Respond respond) {
  desk_.Follow(OriginOf(c), c.id, c.sub_id, /*add=*/false,
               TicketAnswer(c, std::move(respond), 200));
}

void Api::ListComments(const Call& c, Respond respond) {
  const Target& t = c.target;
  // `before` is a comment's seq (the page's `nextCursor`); absent: from
  // the newest. Nothing is below seq 1.
  auto before = UintParam(t, "before", 1, UINT64_MAX, 0);
  if (!before.ok()) return respond(Fail(c, before.status()));
  auto limit = UintParam(t, "limit", 1, kMaxPage, kDefaultPage);
  if (!limit.ok()) return respond(Fail(c, limit.status()));
  auto page = desk_.ListComments(c.who, {c.id, *before, *limit});
  if (!page.ok()) return respond(Fail(c, page.status()));
  respond(Json(200, *page));
}

void Api::AssignTicket(const Call& c, Respond respond) {
  v1::AssignRequest req;
  if (Status s = proto::ParseJson(c.request.body, req); !s.ok())
    return respond(Fail(c, s));
  desk::AssignCommand command;
  command.assignee = req.assignee();
  command.reason = req.reason();
  command.version = req.version();
  // The request's own rules first, as a dispatcher reads them.
  if (Status s = desk::CheckAssignment(command); !s.ok())
    return respond(Fail(c, s));
  if (Status s = auth::CheckActor(c.who, "actor", req.actor()); !s.ok())
    return respond(Fail(c, s));
  auto if_match = ParseIfMatch(c.request.if_match);
  if (!if_match.ok()) return respond(Fail(c, if_match.status()));
  command.if_match = *if_match;
  desk_.Assign(OriginOf(c), c.id, std::move(command),
               TicketAnswer(c, std::move(respond), 200));
}

void Api::TakeTicket(const Call& c, Respond respond) {
  v1::TakeRequest req;
  if (Status s = proto::ParseJson(c.request.body, req); !s.ok())
    return respond(Fail(c, s));
  if (Status s = auth::CheckActor(c.who, "actor", req.actor()); !s.ok())
    return respond(Fail(c, s));
  // The agent who takes it is who asks, as their staff record.
  if (c.who.staff_id.empty())
    return respond(
        Fail(c, Status::Forbidden("", "the account '" + c.who.account +
                                          "' is linked to no staff record, so "
                                          "it can take no ticket; an admin "
                                          "links it (the account's staffId)")));
  desk::AssignCommand command;
  command.take = true;
  command.assignee = c.who.staff_id;
  command.version = req.version();
  if (Status s = desk::CheckAssignment(command); !s.ok())
    return respond(Fail(c, s));
  auto if_match = ParseIfMatch(c.request.if_match);
  if (!if_match.ok()) return respond(Fail(c, if_match.status()));
  command.if_match = *if_match;
  desk_.Assign(OriginOf(c), c.id, std::move(command),
               TicketAnswer(c, std::move(respond), 200));
}

void Api::ListEvents(const Call& c, Respond respond) {
  const Target& t = c.target;
  // For the log, the cursor is simply the last seq seen: a dashboard keeps
  // it and resumes from it. `cursor` and `after` mean the same.
  if (t.params.count("cursor") && t.params.count("after"))
    return respond(
        Fail(c, Status::InvalidParameter(
                    "cursor", "give 'after' or 'cursor', not both")));
  const std::string after_name = t.params.count("cursor") ? "cursor" : "after";
  auto after = UintParam(t, after_name, 0, UINT64_MAX - 1, 0);
  if (!after.ok()) return respond(Fail(c, after.status()));
  auto limit = UintParam(t, "limit", 1, 1000, 100);
  if (!limit.ok()) return respond(Fail(c, limit.status()));
  desk::EventQuery query{*after, *limit, std::nullopt};
  if (!c.id.empty()) query.ticket = c.id;
  auto events = desk_.ListEvents(c.who, query);
  if (!events.ok()) return respond(Fail(c, events.status()));
  respond(Json(200, *events));
}

void Api::ListMunicipalities(const Call&, Respond respond) {
  v1::ListMunicipalitiesResponse out;
  *out.mutable_municipalities() = desk_.region().municipalities();
  respond(Json(200, out));
}

}  // namespace helpdesk::http
