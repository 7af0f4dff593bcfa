#include "daemon/http/api.h"

#include <spdlog/spdlog.h>

#include <charconv>

#include "daemon/http/json.h"
#include "daemon/http/problem.h"
#include "daemon/http/query.h"
#include "daemon/http/responses.h"
#include "daemon/http/ticket_write.h"
#include "daemon/staff/schedule.h"
#include "daemon/store/catalogue_tables.h"
#include "daemon/tickets/commands.h"
#include "daemon/tickets/sla_clocks.h"
#include "daemon/tickets/state_machine.h"
#include "proto/timestamps.h"
#include "proto/wire_names.h"

namespace helpdesk::http {
namespace {

constexpr uint64_t kMaxPage = 200;
constexpr uint64_t kDefaultPage = 50;

Response TicketResponse(int status, const v1::Ticket& t) {
  Response r = Json(status, ToJson(t));
  r.headers.emplace_back("ETag", "\"" + std::to_string(t.version()) + "\"");
  // A 201 is a new ticket or a new comment, which a new ticket never has.
  if (status == 201 && t.comment_count() == 0)
    r.headers.emplace_back("Location", "/api/v1/tickets/" + t.id());
  return r;
}

Status NoTicket(std::string_view id) {
  return Status::NotFound("no ticket with id '" + std::string(id) + "'");
}

}  // namespace

Api::Api(const store::Env& env, const store::Tables& tables,
         store::Writer& writer, const Metrics& metrics, v1::Region region,
         dispatch::Options dispatch_options, store::NowFn now,
         sla::Policy sla_policy)
    : env_(env),
      tables_(tables),
      writer_(writer),
      metrics_(metrics),
      region_(std::move(region)),
      municipality_ids_([this] {
        std::vector<std::string> ids;
        for (const auto& m : region_.municipalities()) ids.push_back(m.id());
        return ids;
      }()),
      now_(std::move(now)),
      rosters_(tables, region_, std::move(dispatch_options)),
      sla_book_(std::move(sla_policy)) {}

void Api::ReadClocks(v1::Ticket& t,
                     const google::protobuf::Timestamp& now) const {
  if (!t.has_sla()) return;
  const auto at = proto::ToSys(now);
  auto* sla = t.mutable_sla();
  *sla->mutable_first_response() =
      tickets::ReadAt(sla->first_response(), sla_book_, at);
  *sla->mutable_resolution() =
      tickets::ReadAt(sla->resolution(), sla_book_, at);
}

google::protobuf::Timestamp Api::Now() const {
  if (now_) return now_();
  google::protobuf::Timestamp t;
  t.set_seconds(std::chrono::duration_cast<std::chrono::seconds>(
                    std::chrono::system_clock::now().time_since_epoch())
                    .count());
  return t;
}

bool Api::IsWrite(const Request& r) {
  if (r.method != "POST" && r.method != "PUT") return false;
  // Judged on the decoded path, exactly as Handle routes it: an encoded
  // path ("/api/v1/ticket%73") must not reach the writer unmarked. A
  // target that does not decode is answered at once by Handle.
  auto target = ParseTarget(r.target);
  if (!target.ok()) return false;
  std::string_view path = target->path;
  // Every change of the catalogue, the staff registry and the vakt rota
  // goes through the writer (a request refused early is answered at once,
  // which a write may also be).
  if (path == "/api/v1/catalogue" || path.starts_with("/api/v1/catalogue/") ||
      path == "/api/v1/staff" || path.starts_with("/api/v1/staff/") ||
      path == "/api/v1/vakt")
    return true;
  if (r.method != "POST") return false;
  if (path == "/api/v1/tickets") return true;
  constexpr std::string_view kTickets = "/api/v1/tickets/";
  if (!path.starts_with(kTickets)) return false;
  path.remove_prefix(kTickets.size());
  std::string_view sub = path.substr(std::min(path.find('/'), path.size()));
  return sub == "/status" || sub == "/comments" || sub == "/assign" ||
         sub == "/take" || sub == "/priority";
}

void Api::Handle(const Request& r, Respond respond) {
  auto target = ParseTarget(r.target);
  if (!target.ok()) {
    respond(Problem(target.status(), r.target, r.request_id));
    return;
  }
  const std::string& path = target->path;
  auto answer = [&](std::string route, Response resp) {
    resp.route = std::move(route);
    respond(std::move(resp));
  };
  auto not_allowed = [&](std::string route, const char* allow) {
    answer(std::move(route),
           MethodNotAllowed(r.method, path, allow, r.request_id));
  };
  auto needs_json = [&](const std::string& route) {
    if (IsJsonContentType(r.content_type)) return false;
    answer(route, UnsupportedMediaType(r.content_type, path, r.request_id));
    return true;
  };
  const bool get = r.method == "GET" || r.method == "HEAD";
  const bool post = r.method == "POST";

  if (path == "/healthz") {
    if (!get) return not_allowed("/healthz", "GET, HEAD");
    return answer("/healthz", Json(200, "{\"status\":\"ok\"}"));
  }
  if (path == "/metrics") {
    if (!get) return not_allowed("/metrics", "GET, HEAD");
    return answer("/metrics", RenderMetrics());
  }
  if (path == "/api/v1/municipalities") {
    if (!get) return not_allowed(path, "GET, HEAD");
    return answer(path, ListMunicipalities(r, *target));
  }
  if (path == "/api/v1/reports/coverage") {
    if (!get) return not_allowed(path, "GET, HEAD");
    return answer(path, CoverageReport(r, *target));
  }
  if (path == "/api/v1/reports/sla") {
    if (!get) return not_allowed(path, "GET, HEAD");
    return answer(path, ReportSla(r, *target));
  }
  if (path == "/api/v1/events") {
    if (!get) return not_allowed(path, "GET, HEAD");
    return answer(path, ListEvents(r, *target, std::nullopt));
  }
  if (path == "/api/v1/catalogue" || path.starts_with("/api/v1/catalogue/")) {
    return HandleCatalogue(r, *target, std::move(respond));
  }
  if (path == "/api/v1/staff" || path.starts_with("/api/v1/staff/") ||
      path == "/api/v1/vakt" || path.starts_with("/api/v1/vakt/")) {
    return HandleStaff(r, *target, std::move(respond));
  }
  if (path == "/api/v1/tickets") {
    if (get) return answer(path, ListTickets(r, *target));
    if (!post) return not_allowed(path, "GET, HEAD, POST");
    if (needs_json(path)) return;
    return CreateTicket(r, *target,
                        [respond = std::move(respond)](Response resp) {
                          resp.route = "/api/v1/tickets";
                          respond(std::move(resp));
                        });
  }
  constexpr std::string_view kTickets = "/api/v1/tickets/";
  if (path.starts_with(kTickets)) {
    std::string_view rest = std::string_view(path).substr(kTickets.size());
    std::string_view id = rest.substr(0, rest.find('/'));
    std::string_view sub = rest.substr(id.size());
    std::string route = "/api/v1/tickets/{id}" + std::string(sub);
    auto number = tickets::ParseTicketId(id);
    bool known_sub = sub.empty() || sub == "/status" || sub == "/comments" ||
                     sub == "/events" || sub == "/assign" || sub == "/take" ||
                     sub == "/priority";
    if (known_sub && !number) {
      return answer(route, Problem(NoTicket(id), path, r.request_id));
    }
    if (sub.empty()) {
      if (!get) return not_allowed(route, "GET, HEAD");
      return answer(route, GetTicket(r, *number));
    }
    if (sub == "/events") {
      if (!get) return not_allowed(route, "GET, HEAD");
      return answer(route, ListEvents(r, *target, number));
    }
    if (sub == "/assign" || sub == "/take") {
      if (!post) return not_allowed(route, "POST");
      if (needs_json(route)) return;
      return AssignTicket(r, *number, sub == "/take",
                          [route, respond = std::move(respond)](Response resp) {
                            resp.route = route;
                            respond(std::move(resp));
                          });
    }
    if (sub == "/priority") {
      if (!post) return not_allowed(route, "POST");
      if (needs_json(route)) return;
      return ChangePriority(
          r, *number, [route, respond = std::move(respond)](Response resp) {
            resp.route = route;
            respond(std::move(resp));
          });
    }
    if (sub == "/status" || sub == "/comments") {
      if (!post) return not_allowed(route, "POST");
      if (needs_json(route)) return;
      auto wrapped = [route, respond = std::move(respond)](Response resp) {
        resp.route = route;
        respond(std::move(resp));
      };
      if (sub == "/status") return ChangeStatus(r, *number, std::move(wrapped));
      return AddComment(r, *number, std::move(wrapped));
    }
  }
  answer("",
         Problem(404, "/problems/not-found", "Not found",
                 "no route " + path +
                     "; the API is under /api/v1/ "
                     "(tickets, events, municipalities, catalogue, staff, "
                     "vakt, reports/coverage, reports/sla), plus /healthz and "
                     "/metrics",
                 path, r.request_id));
}

// ------------------------------------------------------------ reads

Response Api::GetTicket(const Request& r, uint64_t number) {
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return Problem(txn.status(), r.target, r.request_id);
  auto ticket = store::GetTicket(*txn, tables_, number);
  if (!ticket.ok()) return Problem(ticket.status(), r.target, r.request_id);
  if (!*ticket)
    return Problem(NoTicket(std::to_string(number)), r.target, r.request_id);
  if (Status s = store::LoadComments(*txn, tables_, **ticket); !s.ok())
    return Problem(s, r.target, r.request_id);
  ReadClocks(**ticket, Now());
  return TicketResponse(200, **ticket);
}

Response Api::ListTickets(const Request& r, const Target& t) {
  Status s =
      CheckParams(t, {"status", "municipality", "assignee", "limit", "cursor"});
  if (!s.ok()) return Problem(s, r.target, r.request_id);
  store::TicketFilter filter;
  if (auto it = t.params.find("status"); it != t.params.end()) {
    const auto* v =
        proto::FindWireEnumValue(v1::TicketStatus_descriptor(), it->second);
    if (v == nullptr) {
      return Problem(Status::InvalidParameter(
                         "status", "'status' must be one of " +
                                       proto::WireEnumChoices(
                                           v1::TicketStatus_descriptor())),
                     r.target, r.request_id);
    }
    filter.status = static_cast<v1::TicketStatus>(v->number());
  }
  if (auto it = t.params.find("municipality"); it != t.params.end())
    filter.municipality = it->second;
  if (auto it = t.params.find("assignee"); it != t.params.end())
    filter.assignee = it->second;
  auto limit = UintParam(t, "limit", 1, kMaxPage, kDefaultPage);
  if (!limit.ok()) return Problem(limit.status(), r.target, r.request_id);
  uint64_t before = 0;
  if (auto it = t.params.find("cursor");
      it != t.params.end() && !it->second.empty()) {
    auto c = DecodeCursor(it->second);
    if (!c.ok()) return Problem(c.status(), r.target, r.request_id);
    before = *c;
  }
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return Problem(txn.status(), r.target, r.request_id);
  auto page = store::ListTickets(*txn, tables_, filter, before, *limit);
  if (!page.ok()) return Problem(page.status(), r.target, r.request_id);
  v1::ListTicketsResponse out;
  for (auto& ticket : page->tickets) *out.add_tickets() = std::move(ticket);
  if (page->next_before) out.set_next_cursor(EncodeCursor(*page->next_before));
  return Json(200, ToJson(out));
}

Response Api::ListEvents(const Request& r, const Target& t,
                         std::optional<uint64_t> ticket) {
  Status s = CheckParams(t, {"after", "limit", "cursor"});
  if (!s.ok()) return Problem(s, r.target, r.request_id);
  // For the log, the cursor is simply the last seq seen: a dashboard keeps
  // it and resumes from it. `cursor` and `after` mean the same.
  const std::string after_name = t.params.count("cursor") ? "cursor" : "after";
  if (t.params.count("cursor") && t.params.count("after")) {
    return Problem(Status::InvalidParameter(
                       "cursor", "give 'after' or 'cursor', not both"),
                   r.target, r.request_id);
  }
  auto after = UintParam(t, after_name, 0, UINT64_MAX - 1, 0);
  if (!after.ok()) return Problem(after.status(), r.target, r.request_id);
  auto limit = UintParam(t, "limit", 1, 1000, 100);
  if (!limit.ok()) return Problem(limit.status(), r.target, r.request_id);
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return Problem(txn.status(), r.target, r.request_id);
  if (ticket) {
    auto found = store::GetTicket(*txn, tables_, *ticket);
    if (!found.ok()) return Problem(found.status(), r.target, r.request_id);
    if (!*found)
      return Problem(NoTicket(std::to_string(*ticket)), r.target, r.request_id);
  }
  auto page = store::ListEvents(*txn, tables_, *after, *limit, ticket);
  if (!page.ok()) return Problem(page.status(), r.target, r.request_id);
  v1::ListEventsResponse out;
  for (auto& e : page->events) *out.add_events() = std::move(e);
  if (page->next_after) out.set_next_cursor(std::to_string(*page->next_after));
  return Json(200, ToJson(out));
}

Response Api::ListMunicipalities(const Request& r, const Target& t) {
  if (Status s = CheckParams(t, {}); !s.ok())
    return Problem(s, r.target, r.request_id);
  v1::ListMunicipalitiesResponse out;
  *out.mutable_municipalities() = region_.municipalities();
  return Json(200, ToJson(out));
}

Response Api::RenderMetrics() {
  std::string out;
  metrics_.Render(out);
  store::Writer::Stats w = writer_.GetStats();
  out +=
      "# HELP helpdesk_writer_batch_size Writes applied per LMDB "
      "transaction (group commit).\n"
      "# TYPE helpdesk_writer_batch_size histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < std::size(store::Writer::kBatchBuckets); ++i) {
    cumulative += w.batch_size_buckets[i];
    out += "helpdesk_writer_batch_size_bucket{le=\"" +
           std::to_string(store::Writer::kBatchBuckets[i]) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  cumulative += w.batch_size_buckets.back();
  out += "helpdesk_writer_batch_size_bucket{le=\"+Inf\"} " +
         std::to_string(cumulative) + "\n";
  out += "helpdesk_writer_batch_size_sum " + std::to_string(w.writes) + "\n";
  out += "helpdesk_writer_batch_size_count " + std::to_string(w.batches) + "\n";
  out +=
      "# HELP helpdesk_writer_queue_depth Writes waiting for the writer.\n"
      "# TYPE helpdesk_writer_queue_depth gauge\n"
      "helpdesk_writer_queue_depth " +
      std::to_string(w.queued) + "\n" +
      "# HELP helpdesk_events_last_seq Sequence number of the newest event.\n"
      "# TYPE helpdesk_events_last_seq gauge\n"
      "helpdesk_events_last_seq " +
      std::to_string(w.last_seq) + "\n" +
      "# HELP helpdesk_store_map_size_bytes Current LMDB map size.\n"
      "# TYPE helpdesk_store_map_size_bytes gauge\n"
      "helpdesk_store_map_size_bytes " +
      std::to_string(w.map_size) + "\n";
  auto txn = store::Txn::BeginRead(env_);
  if (txn.ok()) {
    auto counts = store::CountByStatus(*txn, tables_);
    if (counts.ok()) {
      uint64_t open = 0;
      out +=
          "# HELP helpdesk_tickets Tickets by status.\n"
          "# TYPE helpdesk_tickets gauge\n";
      for (int s = 1; s < v1::TicketStatus_ARRAYSIZE; ++s) {
        auto status = static_cast<v1::TicketStatus>(s);
        if (tickets::IsOpen(status)) open += (*counts)[s];
        out += "helpdesk_tickets{status=\"" + proto::WireName(status) + "\"} " +
               std::to_string((*counts)[s]) + "\n";
      }
      out +=
          "# HELP helpdesk_tickets_open Tickets not yet resolved or closed.\n"
          "# TYPE helpdesk_tickets_open gauge\n"
          "helpdesk_tickets_open " +
          std::to_string(open) + "\n";
    }
  }
  Response r = Json(200, std::move(out));
  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
  return r;
}

// ------------------------------------------------------------ writes

void Api::SubmitWrite(const Request& r, store::WriteFn fn, int ok_status,
                      Respond respond) {
  auto shared = std::make_shared<Respond>(std::move(respond));
  Status queued = writer_.Submit(
      std::move(fn), [this, shared, ok_status, instance = r.target,
                      request_id = r.request_id](store::WriteResult result) {
        if (!result.status.ok()) {
          (*shared)(Problem(result.status, instance, request_id));
          return;
        }
        ReadClocks(result.ticket, Now());
        (*shared)(TicketResponse(ok_status, result.ticket));
      });
  if (!queued.ok()) (*shared)(Problem(queued, r.target, r.request_id));
}

void Api::CreateTicket(const Request& r, const Target& t, Respond respond) {
  if (Status s = CheckParams(t, {}); !s.ok())
    return respond(Problem(s, r.target, r.request_id));
  v1::CreateTicketRequest req;
  if (Status s = ParseJson(r.body, req); !s.ok())
    return respond(Problem(s, r.target, r.request_id));
  if (Status s = tickets::ValidateCreate(req, region_); !s.ok())
    return respond(Problem(s, r.target, r.request_id));
  SubmitWrite(
      r,
      [this, req = std::move(req), rid = r.request_id](store::WriteContext& w) {
        store::WriteResult result;
        // The service is checked here, in the writer's transaction, so a
        // retire committed a moment ago is seen.
        auto service = store::GetService(w.txn(), w.tables(), req.service_id());
        if (!service.ok()) {
          result.status = service.status();
          return result;
        }
        const v1::Service* found = *service ? &**service : nullptr;
        if (Status s = tickets::CheckService(req, found); !s.ok()) {
          result.status = std::move(s);
          return result;
        }
        tickets::RequestContext ctx{rid, w.now()};
        tickets::Change c =
            tickets::DecideCreate(req, *found, w.NextTicketNumber(), ctx);
        // The SLA clocks start now, with the targets of the service's class
        // and the ticket's priority, kept on the ticket from here on.
        if (auto clocks = tickets::StartClocks(
                sla_book_, c.ticket.service().sla_class(), c.ticket.priority(),
                proto::ToSys(w.now()))) {
          *c.ticket.mutable_sla() = *clocks;
          *c.event.mutable_ticket_created()->mutable_ticket()->mutable_sla() =
              *clocks;
        }
        result.status = w.Save(nullptr, c.ticket, c.event);
        result.events.push_back(std::move(c.event));
        // Who gets it is decided in the same transaction: the ticket is
        // never seen unassigned by mistake, and a crash loses neither.
        if (result.status.ok())
          result.status = Dispatch(w, c.ticket, v1::ASSIGNMENT_TRIGGER_CREATED,
                                   "", rid, result);
        result.ticket = std::move(c.ticket);
        return result;
      },
      201, std::move(respond));
}

store::WriteResult Api::WithDueAlerts(
    store::WriteContext& w, const std::function<store::WriteResult()>& change) {
  store::WriteResult alerts;
  if (Status s = RecordSlaAlerts(w, alerts); !s.ok()) {
    alerts.status = s;
    return alerts;
  }
  store::WriteResult result = change();
  alerts.events.insert(alerts.events.end(),
                       std::make_move_iterator(result.events.begin()),
                       std::make_move_iterator(result.events.end()));
  result.events = std::move(alerts.events);
  return result;
}

void Api::ChangeStatus(const Request& r, uint64_t number, Respond respond) {
  v1::ChangeStatusRequest req;
  if (Status s = ParseJson(r.body, req); !s.ok())
    return respond(Problem(s, r.target, r.request_id));
  auto if_match = ParseIfMatch(r.if_match);
  if (!if_match.ok())
    return respond(Problem(if_match.status(), r.target, r.request_id));
  SubmitWrite(
      r,
      [this, req = std::move(req), if_match = *if_match, rid = r.request_id,
       number](store::WriteContext& w) {
        return WithDueAlerts(w, [&] {
          return UpdateTicket(w, number, [&](const v1::Ticket& current) {
            auto c = tickets::DecideStatusChange(current, req, if_match,
                                                 {rid, w.now()});
            if (c.ok() && c->ticket.has_sla())
              tickets::OnStatus(*c->ticket.mutable_sla(), sla_book_,
                                current.status(), c->ticket.status(),
                                proto::ToSys(w.now()));
            return c;
          });
        });
      },
      200, std::move(respond));
}

void Api::ChangePriority(const Request& r, uint64_t number, Respond respond) {
  v1::ChangePriorityRequest req;
  if (Status s = ParseJson(r.body, req); !s.ok())
    return respond(Problem(s, r.target, r.request_id));
  auto if_match = ParseIfMatch(r.if_match);
  if (!if_match.ok())
    return respond(Problem(if_match.status(), r.target, r.request_id));
  auto actor = ActorOf(r.actor, req.actor());
  if (!actor.ok())
    return respond(Problem(actor.status(), r.target, r.request_id));
  SubmitWrite(
      r,
      [this, req = std::move(req), if_match = *if_match, actor = *actor,
       rid = r.request_id, number](store::WriteContext& w) {
        return WithDueAlerts(w, [&] {
          return UpdateTicket(w, number, [&](const v1::Ticket& current) {
            auto c = tickets::DecidePriorityChange(current, req, if_match,
                                                   actor, {rid, w.now()});
            // The clocks take the new targets and keep the time used.
            if (c.ok() && c->ticket.has_sla())
              tickets::OnPriority(*c->ticket.mutable_sla(), sla_book_,
                                  c->ticket.priority(), proto::ToSys(w.now()));
            return c;
          });
        });
      },
      200, std::move(respond));
}

void Api::AddComment(const Request& r, uint64_t number, Respond respond) {
  v1::AddCommentRequest req;
  if (Status s = ParseJson(r.body, req); !s.ok())
    return respond(Problem(s, r.target, r.request_id));
  SubmitWrite(
      r,
      [this, req = std::move(req), rid = r.request_id,
       number](store::WriteContext& w) {
        return WithDueAlerts(w, [&] {
          return UpdateTicket(
              w, number,
              [&](const v1::Ticket& current) -> StatusOr<tickets::Change> {
                auto c = tickets::DecideComment(current, req, {rid, w.now()});
                if (!c.ok() || !c->ticket.has_sla()) return c;
                // A reply by someone on the staff is the first response.
                auto roster = rosters_.Get(w.txn());
                if (!roster.ok()) return roster.status();
                if ((*roster)->Find(req.author()) != nullptr)
                  tickets::OnPublicReply(*c->ticket.mutable_sla(), sla_book_,
                                         proto::ToSys(w.now()));
                return c;
              });
        });
      },
      201, std::move(respond));
}

}  // namespace helpdesk::http
