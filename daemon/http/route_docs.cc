// The table of route documentation, joined in the route table's order, and
// its first half: the probes, the session, tickets and the log, live, and
// the pages. The second half is route_docs_registry.cc.

#include "daemon/http/route_docs.h"

#include <algorithm>
#include <cstdint>
#include <map>

#include "daemon/desk/queries.h"
#include "daemon/http/route_docs_parts.h"
#include "daemon/http/ticket_rows.h"
#include "proto/helpdesk.pb.h"

namespace helpdesk::http {

using namespace docs;  // NOLINT: the makers are what this file is made of

namespace {

constexpr double kMaxSeq = static_cast<double>(UINT64_MAX - 1);

const std::vector<ProblemKind> kTicketChange = {
    ProblemKind::kVersionConflict, ProblemKind::kVersionRequired,
    ProblemKind::kIllegalTransition};

// The answer with a ticket: its ETag, and on a new one its Location.
std::vector<AnswerDoc> TicketJson() {
  return Json<v1::Ticket>(
      "the ticket as it is now, with its latest 20 comments (oldest first "
      "among them), `commentCount`, and `commentsNext` when there are older "
      "ones");
}

std::vector<RouteDoc> Probes() {
  return {
      {.method = "GET",
       .pattern = "/healthz",
       .operation_id = "getHealth",
       .tag = "operations",
       .summary = "Liveness",
       .description = "Answers whenever the daemon answers at all.",
       .reads_query = false,
       .answers = {{.schema = "Health"}}},
      {.method = "GET",
       .pattern = "/readyz",
       .operation_id = "getReadiness",
       .tag = "operations",
       .summary = "Readiness: whether writes can go through",
       .description =
           "503 `/problems/not-ready` while they cannot (the disk or the "
           "database map full, the writer stopped), `detail` saying why.",
       .reads_query = false,
       .answers = {{.schema = "Readiness"}},
       .problems = {ProblemKind::kNotReady}},
      {.method = "GET",
       .pattern = "/metrics",
       .operation_id = "getMetrics",
       .tag = "operations",
       .summary = "Prometheus metrics",
       .description = "The Prometheus text exposition format, version 0.0.4.",
       .reads_query = false,
       .answers = {{.media_type = "text/plain; version=0.0.4; charset=utf-8",
                    .description = "the metrics"}}},
      {.method = "GET",
       .pattern = "/api/v1/openapi.json",
       .operation_id = "getOpenApi",
       .tag = "operations",
       .summary = "This document",
       .description =
           "The OpenAPI 3.1 document of every route, generated from the "
           "daemon's route table, so it describes the daemon that serves "
           "it.",
       .answers = {{.schema = "OpenApiDocument"}},
       .headers = {{"ETag", "of the document: the same for the same build"},
                   {"Cache-Control", "no-cache: revalidate before reuse"}}},
  };
}

std::vector<RouteDoc> Session() {
  return {
      {.method = "POST",
       .pattern = "/api/v1/session",
       .operation_id = "logIn",
       .tag = "session",
       .summary = "Log in",
       .description =
           "Answers the session's secret twice: in `token`, to send as "
           "`Authorization: Bearer <token>`, and as the HttpOnly cookie "
           "`hd_session` for pages, which then send `csrfToken` in "
           "X-CSRF-Token with every change. After failed logins to the "
           "account or from the address, logins wait (429).",
       .request = Msg<v1::LoginRequest>(),
       .status = 201,
       .answers = Json<v1::Session>("the session, with `token` and "
                                    "`csrfToken`"),
       .headers = {{"Set-Cookie",
                    "hd_session=<token>; Path=/; HttpOnly; SameSite=Strict; "
                    "Max-Age=<the session's life> (and Secure over HTTPS)"},
                   kNoStore},
       .key = KeyUse::kRefused,
       .problems = {ProblemKind::kUnauthenticated}},
      {.method = "GET",
       .pattern = "/api/v1/session",
       .operation_id = "getSession",
       .tag = "session",
       .summary = "Who am I",
       .description = "The caller's credential and account; `csrfToken` when "
                      "called with the session cookie (a page reloaded).",
       .answers = Json<v1::Session>(),
       .headers = {kNoStore}},
      {.method = "DELETE",
       .pattern = "/api/v1/session",
       .operation_id = "logOut",
       .tag = "session",
       .summary = "Log out",
       .description = "Revokes the credential the request came with and "
                      "clears the cookie; a live stream opened with it is "
                      "closed (4001).",
       .answers = Json<v1::Credential>("the credential, revoked"),
       .headers = {{"Set-Cookie",
                    "hd_session=; Max-Age=0: the cookie "
                    "cleared"}}},
  };
}

const std::string& ListDescription() {
  static const std::string text =
      "Newest first, from indexes. An employee sees the tickets they "
      "reported or follow. Each row is a summary (`" +
      SummaryFields() +
      "`) unless `view=full` or `fields` asks for more. A search (`q`) "
      "takes at most " +
      std::to_string(desk::kSearchSteps) +
      " steps through the index a page (a step finds a word's next ticket), "
      "and a list by two or more of `status`, `municipality` and "
      "`assignee` at most " +
      std::to_string(desk::kListSteps) +
      " (a step finds a filter's next ticket): words or filters common "
      "alone and rare together may answer a short page, even an empty one, "
      "with a `nextCursor` to go on.";
  return text;
}

std::vector<RouteDoc> Tickets() {
  const auto* statuses = v1::TicketStatus_descriptor();
  return {
      {.method = "GET",
       .pattern = "/api/v1/tickets",
       .operation_id = "listTickets",
       .tag = "tickets",
       .summary = "List tickets",
       .description = ListDescription(),
       .query = {OneOf("status", WireNames(statuses), "",
                       "only tickets in this status"),
                 Text("municipality",
                      "only tickets of this municipality "
                      "(an id of GET /api/v1/municipalities)"),
                 Text("assignee", "only tickets assigned to this staff id"),
                 Text("q",
                      "free text, at most 500 bytes: only tickets whose title "
                      "and description hold every word (case, æ/ø/å and "
                      "Norwegian word endings folded, as the catalogue's "
                      "search does: `skrivaren` finds `Skriveren`; stop "
                      "words ignored). Combines with the other filters"),
                 OneOf("view", {"summary", "full"}, "summary",
                       "`full`: every field a list has (no comments, and the "
                       "assignment without the decision's steps and "
                       "explanation)"),
                 Text("fields",
                      "instead of the summary, these fields of a ticket, "
                      "comma-separated as the answers spell them, or paths "
                      "into them (`id,title,location,sla.resolution.dueAt`); "
                      "`id` always. Not with `view`"),
                 Limit(200, "50"), Cursor()},
       .answers = Json<v1::ListTicketsResponse>(
           "a page of tickets, each row only the fields the summary, "
           "`view` or `fields` gives; `nextCursor` empty on the last")},
      {.method = "POST",
       .pattern = "/api/v1/tickets",
       .operation_id = "createTicket",
       .tag = "tickets",
       .summary = "File a ticket",
       .description =
           "The dispatcher assigns it at once when someone can take it. IT "
           "staff may name another `reporter`; an employee files their own.",
       .request = Msg<v1::CreateTicketRequest>(),
       .status = 201,
       .answers = TicketJson(),
       .headers = {kETag, kLocation}},
      {.method = "GET",
       .pattern = "/api/v1/tickets/{ticket}",
       .operation_id = "getTicket",
       .tag = "tickets",
       .summary = "One ticket",
       .answers = TicketJson(),
       .headers = {kETag}},
      {.method = "POST",
       .pattern = "/api/v1/tickets/{ticket}/status",
       .operation_id = "changeTicketStatus",
       .tag = "tickets",
       .summary = "Change a ticket's status",
       .description =
           "Needs the version seen (`version` or If-Match). Not to "
           "`assigned`: assignment goes through /assign and /take. An "
           "employee may only confirm or reopen their own resolved ticket.",
       .request = Msg<v1::ChangeStatusRequest>(),
       .answers = TicketJson(),
       .headers = {kETag},
       .if_match = true,
       .problems = kTicketChange},
      {.method = "POST",
       .pattern = "/api/v1/tickets/{ticket}/assign",
       .operation_id = "assignTicket",
       .tag = "tickets",
       .summary = "Give a ticket to someone",
       .description = "A dispatcher gives the ticket to `assignee` (an active "
                      "staff id) with a `reason`; needs its version.",
       .request = Msg<v1::AssignRequest>(),
       .answers = TicketJson(),
       .headers = {kETag},
       .if_match = true,
       .problems = kTicketChange},
      {.method = "POST",
       .pattern = "/api/v1/tickets/{ticket}/take",
       .operation_id = "takeTicket",
       .tag = "tickets",
       .summary = "Take a ticket",
       .description = "The agent who calls takes it (their account's staff "
                      "record, 403 without one); needs its version.",
       .request = Msg<v1::TakeRequest>(),
       .answers = TicketJson(),
       .headers = {kETag},
       .if_match = true,
       .problems = kTicketChange},
      {.method = "POST",
       .pattern = "/api/v1/tickets/{ticket}/priority",
       .operation_id = "changeTicketPriority",
       .tag = "tickets",
       .summary = "Change a ticket's priority",
       .description = "The SLA clocks take the new priority's targets and "
                      "keep the business time used; needs its version.",
       .request = Msg<v1::ChangePriorityRequest>(),
       .answers = TicketJson(),
       .headers = {kETag},
       .if_match = true,
       .problems = kTicketChange},
      {.method = "GET",
       .pattern = "/api/v1/tickets/{ticket}/comments",
       .operation_id = "listComments",
       .tag = "tickets",
       .summary = "A page of a ticket's comments",
       .description = "The latest `limit` comments with `seq` below "
                      "`before`, oldest first within the page. Start from a "
                      "ticket's `commentsNext`; `next` is the page before.",
       .query = {Whole("before", 1, kMaxSeq, "",
                       "only comments below this seq (the previous page's "
                       "`nextCursor`); absent: from the newest"),
                 Limit(200, "50")},
       .answers = Json<v1::ListCommentsResponse>()},
      {.method = "POST",
       .pattern = "/api/v1/tickets/{ticket}/comments",
       .operation_id = "addComment",
       .tag = "tickets",
       .summary = "Comment on a ticket",
       .description = "`visibility` is `public` (the default) or `internal` "
                      "(IT staff only: never shown to the employee).",
       .request = Msg<v1::AddCommentRequest>(),
       .status = 201,
       .answers = TicketJson(),
       .headers = {kETag},
       .problems = {ProblemKind::kIllegalTransition}},
      {.method = "GET",
       .pattern = "/api/v1/tickets/{ticket}/events",
       .operation_id = "listTicketEvents",
       .tag = "events",
       .summary = "A ticket's history",
       .description = "The ticket's events, oldest first.",
       .query = {Whole("after", 0, kMaxSeq, "0",
                       "only events after this seq (the last one seen)"),
                 Limit(1000, "100"),
                 Whole("cursor", 0, kMaxSeq, "0",
                       "the same as `after` (give one of them)")},
       .answers = Json<v1::ListEventsResponse>()},
      {.method = "POST",
       .pattern = "/api/v1/tickets/{ticket}/followers",
       .operation_id = "addFollower",
       .tag = "tickets",
       .summary = "A colleague follows a ticket",
       .description = "The follower sees the ticket, as its reporter does.",
       .request = Msg<v1::FollowRequest>(),
       .answers = TicketJson(),
       .headers = {kETag},
       .problems = {ProblemKind::kIllegalTransition}},
      {.method = "DELETE",
       .pattern = "/api/v1/tickets/{ticket}/followers/{account}",
       .operation_id = "removeFollower",
       .tag = "tickets",
       .summary = "A colleague no longer follows a ticket",
       .answers = TicketJson(),
       .headers = {kETag},
       .problems = {ProblemKind::kIllegalTransition}},
      {.method = "GET",
       .pattern = "/api/v1/events",
       .operation_id = "listEvents",
       .tag = "events",
       .summary = "The event log",
       .description =
           "Every change, gap-free and oldest first, from sequence `after`: "
           "keep the last seq and resume from it.",
       .query = {Whole("after", 0, kMaxSeq, "0",
                       "only events after this seq (the last one seen)"),
                 Limit(1000, "100"),
                 Whole("cursor", 0, kMaxSeq, "0",
                       "the same as `after` (give one of them)")},
       .answers = Json<v1::ListEventsResponse>()},
      {.method = "GET",
       .pattern = "/api/v1/municipalities",
       .operation_id = "listMunicipalities",
       .tag = "region",
       .summary = "The region's municipalities",
       .description = "With their locations.",
       .answers = Json<v1::ListMunicipalitiesResponse>()},
  };
}

std::vector<RouteDoc> Live() {
  std::vector<std::string> event_types;
  const auto* body = v1::Event::descriptor()->FindOneofByName("body");
  for (int i = 0; i < body->field_count(); ++i)
    event_types.emplace_back(body->field(i)->json_name());
  const QueryParam access_token = {
      .name = "access_token",
      .description =
          "a dashboard-only account's token, for a screen given a "
          "URL",
      .credential = true};
  return {
      {.method = "GET",
       .pattern = "/api/v1/stream",
       .operation_id = "openStream",
       .tag = "live",
       .summary = "The live stream (websocket)",
       .description =
           "A websocket (RFC 6455): every committed event, in order and "
           "once, as the JSON of GET /api/v1/events, after a hello "
           "(`StreamHello`) and a snapshot (`StreamSnapshot`). The query is "
           "the subscription; every list is comma-separated and an empty one "
           "takes anything. A browser's Origin must be the daemon's own or "
           "one of `[live] allowed_origins` (else 403). Refusals before the "
           "upgrade are problems; a plain GET is 426.",
       .query = {ListOf("municipality", {}, "municipality ids"),
                 ListOf("assignee", {},
                        "staff ids, or `me`: an event matches when the "
                        "ticket's assignee before or after it is one"),
                 ListOf("status", WireNames(v1::TicketStatus_descriptor()),
                        "ticket statuses, before or after the event"),
                 ListOf("types", event_types,
                        "event types: the event body's key"),
                 ListOf("ticket", {}, "ticket ids"),
                 Whole("since", 0, static_cast<double>(UINT64_MAX / 2), "",
                       "resume after this event (with `epoch`)"),
                 Text("epoch", "the hello's `epoch`, as given (hex digits)"),
                 access_token},
       .status = 101,
       .answers = {{.media_type = "",
                    .description = "Switching Protocols: the websocket"}},
       .problems = {ProblemKind::kUpgradeRequired, ProblemKind::kUnavailable}},
      {.method = "GET",
       .pattern = "/api/v1/dashboard",
       .operation_id = "getBoard",
       .tag = "live",
       .summary = "The wall dashboard's board",
       .description = "Figures without personal text: open tickets per "
                      "municipality, alerts, the vakt on duty now.",
       .query = {access_token},
       .answers = Json<v1::Board>()},
  };
}

std::vector<RouteDoc> Pages() {
  const auto page = [](std::string_view pattern, std::string_view id,
                       std::string_view summary, bool html) {
    RouteDoc d{.method = "GET",
               .pattern = pattern,
               .operation_id = id,
               .tag = "pages",
               .summary = summary,
               .description =
                   "A file embedded in the daemon. The query is not read "
                   "(the dashboard takes its token after `#`).",
               .reads_query = false,
               .headers = {{"ETag", "of the file's bytes"},
                           {"Cache-Control", "no-cache"},
                           {"Content-Security-Policy",
                            "nothing but the daemon's own files"}}};
    if (html) {
      d.answers = {{.media_type = "text/html; charset=utf-8"}};
    } else {
      d.answers = {{.media_type = "text/css; charset=utf-8"},
                   {.media_type = "text/javascript; charset=utf-8"},
                   {.media_type = "image/svg+xml"}};
    }
    return d;
  };
  return {
      page("/dashboard", "getDashboardPage", "The wall dashboard", true),
      page("/dashboard/{asset}", "getDashboardFile", "A file of the dashboard",
           false),
      page("/", "getPortalPage", "The employee portal", true),
      page("/agent", "getAgentPage", "The agent view", true),
      page("/assets/{asset}", "getPageFile",
           "A file of the portal and the agent view", false),
  };
}

}  // namespace

std::vector<RouteDoc> CoreRouteDocs() {
  std::vector<RouteDoc> out;
  for (auto part : {Probes(), Session(), Tickets(), Live(), Pages()})
    for (auto& d : part) out.push_back(std::move(d));
  return out;
}

std::span<const RouteDoc> RouteDocs() {
  static const std::vector<RouteDoc> kDocs = [] {
    std::vector<RouteDoc> docs = CoreRouteDocs();
    for (auto& d : RegistryRouteDocs()) docs.push_back(std::move(d));
    for (auto& d : docs)
      for (const auto& p : d.query) d.query_names.push_back(p.name);
    // In the route table's order; an entry of no route goes last.
    const auto order = [](const RouteDoc& d) {
      const auto routes = Routes();
      for (size_t i = 0; i < routes.size(); ++i)
        if (routes[i].method == d.method && routes[i].pattern == d.pattern)
          return i;
      return routes.size();
    };
    std::stable_sort(docs.begin(), docs.end(),
                     [&](const RouteDoc& a, const RouteDoc& b) {
                       return order(a) < order(b);
                     });
    return docs;
  }();
  return kDocs;
}

const RouteDoc* DocOf(const Route& route) {
  // By the route's address: the table is one static array.
  static const std::map<const Route*, const RouteDoc*> kByRoute = [] {
    std::map<const Route*, const RouteDoc*> by;
    for (const RouteDoc& d : RouteDocs())
      for (const Route& r : Routes())
        if (r.method == d.method && r.pattern == d.pattern) by.emplace(&r, &d);
    return by;
  }();
  auto it = kByRoute.find(&route);
  return it == kByRoute.end() ? nullptr : it->second;
}

}  // namespace helpdesk::http
