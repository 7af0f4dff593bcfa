#include "daemon/http/api.h"

#include <fmt/format.h>
#include <google/protobuf/util/time_util.h>

#include <cctype>
#include <memory>

#include "daemon/auth/policy.h"
#include "daemon/auth/secrets.h"
#include "daemon/desk/desk.h"
#include "daemon/http/openapi.h"
#include "daemon/http/problem.h"
#include "daemon/http/query.h"
#include "daemon/http/responses.h"
#include "daemon/http/route_docs.h"
#include "proto/json.h"
#include "proto/ticket_status.h"
#include "proto/wire_names.h"

namespace helpdesk::http {
namespace {

// A placeholder's segment that cannot name what the placeholder says is
// not found, whatever the method or the body (routes.h).
Status CheckPathId(std::string_view kind, std::string_view id) {
  if (kind == "ticket") return desk::CheckTicketId(id);
  if (kind == "staff") return desk::CheckStaffId(id);
  // Pages are numbered as tickets are.
  if (kind == "page" && !desk::CheckTicketId(id).ok())
    return Status::NotFound("no page with id '" + std::string(id) + "'");
  if (kind == "account" && !auth::IsAccountId(id))
    return Status::NotFound("no account '" + std::string(id) + "'");
  return Status::Ok();
}

// The token of "Authorization: Bearer <token>" (the scheme in any case);
// "" when the header is another scheme or absent.
std::string_view BearerToken(std::string_view header) {
  constexpr std::string_view kScheme = "bearer ";
  if (header.size() <= kScheme.size()) return {};
  for (size_t i = 0; i < kScheme.size(); ++i)
    if (std::tolower(static_cast<unsigned char>(header[i])) != kScheme[i])
      return {};
  std::string_view token = header.substr(kScheme.size());
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && token.back() == ' ') token.remove_suffix(1);
  return token;
}

bool ChangesState(std::string_view method) {
  return method != "GET" && method != "HEAD";
}

// A write's Idempotency-Key: none, or one of 1 to 255 visible ASCII
// characters, sent once. Never echoed: it may hold anything.
Status CheckIdempotencyKey(const Request& r) {
  constexpr size_t kMaxKey = 255;
  const std::string_view key = r.idempotency_key;
  bool visible = true;
  for (unsigned char c : key) visible = visible && c >= 0x21 && c <= 0x7e;
  if (r.idempotency_keys <= 1 && visible && key.size() <= kMaxKey &&
      (r.idempotency_keys == 0 || !key.empty()))
    return Status::Ok();
  std::string why = r.idempotency_keys > 1 ? "was sent more than once"
                    : key.empty()          ? "is empty"
                    : !visible ? "holds a space, a control or a non-ASCII byte"
                               : "is longer than 255 characters";
  return Status::InvalidParameter(
      "Idempotency-Key",
      "Idempotency-Key " + why +
          "; send it once, as 1 to 255 visible ASCII characters (0x21-0x7E), "
          "such as a UUID, new for each new request and the same for its "
          "retries");
}

// The query parameter a screen's dashboard token may come in, and where.
constexpr std::string_view kAccessToken = "access_token";
bool TakesAccessToken(std::string_view method, std::string_view path) {
  return (method == "GET" || method == "HEAD") &&
         (path == "/api/v1/stream" || path == "/api/v1/dashboard");
}

// Outside the route table on purpose: a daemon without --clock-frozen has
// no such path, nor does it show in 405s, metrics labels or the index.
constexpr std::string_view kTestClockPath = "/test/clock";

}  // namespace

Api::Api(desk::Desk& desk, const Metrics& metrics, MoveClock move_clock,
         AbuseLimits::Options limits, LiveOptions live)
    : desk_(desk),
      metrics_(metrics),
      move_clock_(std::move(move_clock)),
      limits_(limits),
      live_(std::move(live)) {
  // Built here, at start-up, not by the first request on an I/O thread.
  (void)OpenApiDocument();
  (void)OpenApiETag();
}

Access Api::AccessOf(std::string_view method, std::string_view target) const {
  // Judged on the decoded path, exactly as Handle routes it: an encoded
  // path ("/api/v1/ticket%73") must not reach the writer unmarked. A
  // target that does not decode is answered at once by Handle.
  auto decoded = ParseTarget(target);
  if (!decoded.ok()) return Access::kRead;
  // Answered once the sweep it runs is written, from the writer thread.
  if (move_clock_ && decoded->path == kTestClockPath) return Access::kWrite;
  RouteMatch m = FindRoute(method, decoded->path);
  return m.route != nullptr ? m.route->access : Access::kRead;
}

void Api::Handle(const Request& r, Respond respond) {
  auto target = ParseTarget(r.target);
  if (!target.ok())
    return respond(Problem(target.status(), r.target, r.request_id));
  const std::string& path = target->path;
  if (move_clock_ && path == kTestClockPath)
    return MoveTestClock(r, *target, std::move(respond));
  RouteMatch m = FindRoute(r.method, path);
  if (m.pattern.empty()) {
    return respond(Problem(ProblemKind::kNotFound,
                           "no route " + path + "; " + RouteIndex(), path,
                           r.request_id));
  }
  // Every answer is labelled with the route's metric label.
  Respond labelled = [pattern = MetricLabel(m.pattern),
                      respond = std::move(respond)](Response resp) {
    resp.route = std::string(pattern);
    respond(std::move(resp));
  };
  if (Status s = CheckPathId(m.id_kind, m.id); !s.ok())
    return labelled(Problem(s, path, r.request_id));
  if (Status s = CheckPathId(m.sub_kind, m.sub_id); !s.ok())
    return labelled(Problem(s, path, r.request_id));
  if (m.route == nullptr) {
    return labelled(MethodNotAllowed(r.method, path, m.allow, r.request_id));
  }
  // One address may not flood the daemon, logged in or not.
  if (uint64_t wait =
          limits_.TakeAddress(r.client_address, AbuseLimits::Clock::now())) {
    return labelled(Problem(
        Status::TooManyRequests(
            wait, "too many requests from " + r.client_address + "; wait " +
                      std::to_string(wait) + " s (Retry-After) and send fewer"),
        path, r.request_id));
  }
  // Deny by default: every route but the public ones needs a credential,
  // and one of the roles the route table names.
  auth::Principal who;
  const bool open = (m.route->who & auth::kPublic) != 0;
  if (!open) {
    auto p = Authenticate(r, *target);
    if (!p.ok()) return labelled(Problem(p.status(), path, r.request_id));
    who = std::move(*p);
    if ((who.roles & m.route->who) == 0) {
      return labelled(Problem(
          Status::Forbidden(
              "", r.method + " " + std::string(m.pattern) + " needs the role " +
                      auth::RoleNames(m.route->who & ~auth::kPublic) +
                      " (one of them); the account '" + who.account + "' has " +
                      (who.roles ? auth::RoleNames(who.roles) : "none")),
          path, r.request_id));
    }
    // A page's cookie is sent by the browser whoever made the page: a
    // change made with it must also carry the session's CSRF token, which
    // only our pages can read.
    if (who.by_cookie && ChangesState(r.method)) {
      const std::string want =
          desk_.CsrfTokenOf(CookieValue(r.cookie, kSessionCookie));
      if (r.csrf_token.empty() ||
          !auth::ConstantTimeEquals(r.csrf_token, want)) {
        return labelled(Problem(
            Status::Forbidden("X-CSRF-Token",
                              "a change made with the session cookie must "
                              "send the session's CSRF token (the login's "
                              "'csrfToken', also in GET /api/v1/session) in "
                              "the X-CSRF-Token header"),
            path, r.request_id));
      }
    }
    if (Status s = auth::CheckActor(who, "X-Actor", r.actor); !s.ok())
      return labelled(Problem(s, path, r.request_id));
    if (uint64_t wait =
            limits_.TakeAccount(who.account, AbuseLimits::Clock::now())) {
      return labelled(Problem(
          Status::TooManyRequests(wait, "too many requests from the account '" +
                                            who.account + "'; wait " +
                                            std::to_string(wait) +
                                            " s (Retry-After) and send fewer"),
          path, r.request_id));
    }
  }
  who.client_address = r.client_address;
  who.request_id = r.request_id;
  // Every write takes a JSON body (a DELETE takes none).
  if (IsWrite(m.route->access) && r.method != "DELETE" &&
      !IsJsonContentType(r.content_type)) {
    return labelled(UnsupportedMediaType(r.content_type, path, r.request_id));
  }
  desk::IdempotencyKey idempotency;
  if (IsWrite(m.route->access)) {
    if (Status s = CheckIdempotencyKey(r); !s.ok())
      return labelled(Problem(s, path, r.request_id));
    if (r.idempotency_keys == 1) {
      idempotency.key = r.idempotency_key;
      idempotency.fingerprint =
          desk::RequestFingerprint(r.method, r.target, r.body);
      // Set by the desk just before it answers, on the thread that answers.
      auto replayed = std::make_shared<bool>(false);
      idempotency.replayed = [replayed] { *replayed = true; };
      labelled = [replayed, labelled = std::move(labelled)](Response resp) {
        if (*replayed) {
          resp.replayed = true;
          resp.headers.emplace_back("Idempotent-Replayed", "true");
        }
        labelled(std::move(resp));
      };
    }
  }
  // The query parameters a route takes are those its documentation lists
  // (route_docs.h), so the OpenAPI document cannot promise another; a
  // route that does not read its query (a page) refuses nothing in it.
  const RouteDoc* doc = DocOf(*m.route);
  if (doc == nullptr || doc->reads_query) {
    if (Status s = CheckParams(
            *target, doc ? std::span<const std::string_view>(doc->query_names)
                         : std::span<const std::string_view>());
        !s.ok())
      return labelled(Problem(s, r.target, r.request_id));
  }
  const Call call{r,        *target,
                  m.id,     MetricLabel(m.pattern),
                  m.sub_id, idempotency.key.empty() ? nullptr : &idempotency,
                  who};
  (this->*(m.route->handler))(call, std::move(labelled));
}

std::string_view Api::SecretOf(const Request& r, const Target& target) {
  if (auto bearer = BearerToken(r.authorization); !bearer.empty())
    return bearer;
  if (auto cookie = CookieValue(r.cookie, kSessionCookie); !cookie.empty())
    return cookie;
  if (!TakesAccessToken(r.method, target.path)) return {};
  auto it = target.params.find(std::string(kAccessToken));
  return it == target.params.end() ? std::string_view()
                                   : std::string_view(it->second);
}

StatusOr<auth::Principal> Api::Authenticate(const Request& r,
                                            const Target& target) const {
  const std::string_view bearer = BearerToken(r.authorization);
  const std::string_view cookie = CookieValue(r.cookie, kSessionCookie);
  if (bearer.empty() && cookie.empty() &&
      target.params.count(std::string(kAccessToken))) {
    if (!TakesAccessToken(r.method, target.path))
      return Status::Unauthenticated(
          "access_token is taken only by GET /api/v1/stream and GET "
          "/api/v1/dashboard; send the token as 'Authorization: Bearer "
          "<token>'");
    auto who = desk_.Authenticate(SecretOf(r, target));
    // A secret in a URL ends up in histories and logs: only a screen's,
    // which reads figures and nothing else, may go there.
    if (who.ok() && who->roles != auth::kDashboard)
      return Status::Unauthenticated(
          "only a token of an account whose only role is dashboard may go "
          "in the URL (access_token); send this one as 'Authorization: "
          "Bearer <token>'");
    return who;
  }
  if (bearer.empty() && cookie.empty()) {
    return Status::Unauthenticated(
        !r.authorization.empty()
            ? "the Authorization header must be 'Bearer <token>'"
            : "log in first: POST /api/v1/session with your account and "
              "password, then send the session's token as 'Authorization: "
              "Bearer <token>' (pages use the cookie it sets)");
  }
  auto who = desk_.Authenticate(bearer.empty() ? cookie : bearer);
  if (who.ok()) who->by_cookie = bearer.empty();
  return who;
}

void Api::Health(const Call&, Respond respond) {
  respond(Json(200, std::string("{\"status\":\"ok\"}")));
}

void Api::MoveTestClock(const Request& r, const Target& target,
                        Respond respond) {
  if (r.method != "POST")
    return respond(
        MethodNotAllowed(r.method, target.path, "POST", r.request_id));
  if (Status s = CheckParams(target, {"at"}); !s.ok())
    return respond(Problem(s, target.path, r.request_id));
  auto at = OptionalTimeParam(target, "at");
  if (!at.ok()) return respond(Problem(at.status(), target.path, r.request_id));
  if (!*at) {
    return respond(Problem(
        Status::InvalidParameter("at",
                                 "'at' is required: the instant to move the "
                                 "clock to, such as 2026-04-15T08:45:00Z"),
        target.path, r.request_id));
  }
  google::protobuf::Timestamp to;
  to.set_seconds((*at)->time_since_epoch().count());
  if (Status s = move_clock_(to); !s.ok())
    return respond(Problem(s, target.path, r.request_id));
  std::string body = "{\"now\":";
  proto::AppendJsonString(body, google::protobuf::util::TimeUtil::ToString(to));
  body += "}";
  // Answered once the alerts due by then are recorded, and the
  // Idempotency-Keys and sessions expired by then deleted (and the last
  // uses of sessions and tokens written), and the personal text past
  // retention erased: a test reads them straight after, without waiting
  // for the sweep's next round.
  desk_.SweepSla([this, respond = std::move(respond), body = std::move(body)] {
    desk_.SweepKeys([this, respond, body] {
      desk_.SweepCredentials([this, respond, body] {
        desk_.SweepRetention([respond, body] { respond(Json(200, body)); });
      });
    });
  });
}

// Liveness stays /healthz; this says whether writes can go through.
void Api::Ready(const Call& c, Respond respond) {
  const desk::Desk::Readiness r = desk_.GetReadiness();
  if (r.ready) return respond(Json(200, std::string("{\"status\":\"ready\"}")));
  respond(Problem(ProblemKind::kNotReady, r.reason, c.target.path,
                  c.request.request_id));
}

namespace {

// One of the writer's time histograms (desk::Stats::Times), in seconds.
void RenderTimes(std::string& out, std::string_view name, std::string_view help,
                 const desk::Stats::Times& t,
                 const std::vector<double>& bounds) {
  out += fmt::format("# HELP {} {}\n# TYPE {} histogram\n", name, help, name);
  uint64_t cumulative = 0;
  for (size_t i = 0; i < bounds.size() && i < t.buckets.size(); ++i) {
    cumulative += t.buckets[i];
    out +=
        fmt::format("{}_bucket{{le=\"{}\"}} {}\n", name, bounds[i], cumulative);
  }
  if (t.buckets.size() > bounds.size()) cumulative += t.buckets.back();
  out += fmt::format("{}_bucket{{le=\"+Inf\"}} {}\n{}_sum {}\n{}_count {}\n",
                     name, cumulative, name, t.total_seconds, name, t.count);
}

}  // namespace

void Api::RenderMetrics(const Call&, Respond respond) {
  std::string out;
  metrics_.Render(out);
  const desk::Stats w = desk_.GetStats();
  out +=
      "# HELP helpdesk_writer_batch_size Writes applied per LMDB "
      "transaction (group commit).\n"
      "# TYPE helpdesk_writer_batch_size histogram\n";
  uint64_t cumulative = 0;
  for (size_t i = 0; i < w.batch_buckets.size(); ++i) {
    cumulative += w.batch_size_buckets[i];
    out += "helpdesk_writer_batch_size_bucket{le=\"" +
           std::to_string(w.batch_buckets[i]) + "\"} " +
           std::to_string(cumulative) + "\n";
  }
  cumulative += w.batch_size_buckets.back();
  out += "helpdesk_writer_batch_size_bucket{le=\"+Inf\"} " +
         std::to_string(cumulative) + "\n";
  out += "helpdesk_writer_batch_size_sum " + std::to_string(w.writes) + "\n";
  out += "helpdesk_writer_batch_size_count " + std::to_string(w.batches) + "\n";
  RenderTimes(out, "helpdesk_writer_apply_seconds",
              "Time the writer spent on each batch before its commit: "
              "running its writes in the LMDB transaction.",
              w.writer_apply, w.seconds_buckets);
  RenderTimes(out, "helpdesk_writer_commit_seconds",
              "Time of each batch's LMDB commit: writing its pages and "
              "waiting until the disk has them (fdatasync).",
              w.writer_commit, w.seconds_buckets);
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
      std::to_string(w.map_size) + "\n" +
      "# HELP helpdesk_writer_exceptions_total Exceptions thrown in writes "
      "(each answered 500) and their completions.\n"
      "# TYPE helpdesk_writer_exceptions_total counter\n"
      "helpdesk_writer_exceptions_total " +
      std::to_string(w.writer_exceptions) + "\n" +
      "# HELP helpdesk_idempotency_keys Idempotency-Key rows stored (answers "
      "kept for retries; swept 24 h after they were written).\n"
      "# TYPE helpdesk_idempotency_keys gauge\n"
      "helpdesk_idempotency_keys " +
      std::to_string(w.idempotency_keys) + "\n";
  if (!w.tickets_by_status.empty()) {
    uint64_t open = 0;
    out +=
        "# HELP helpdesk_tickets Tickets by status.\n"
        "# TYPE helpdesk_tickets gauge\n";
    for (int s = 1; s < v1::TicketStatus_ARRAYSIZE; ++s) {
      const auto status = static_cast<v1::TicketStatus>(s);
      const uint64_t n = w.tickets_by_status[static_cast<size_t>(s)];
      if (proto::IsOpen(status)) open += n;
      out += "helpdesk_tickets{status=\"" + proto::WireName(status) + "\"} " +
             std::to_string(n) + "\n";
    }
    out +=
        "# HELP helpdesk_tickets_open Tickets not yet resolved or closed.\n"
        "# TYPE helpdesk_tickets_open gauge\n"
        "helpdesk_tickets_open " +
        std::to_string(open) + "\n";
  }
  RenderLiveMetrics(out);
  Response resp = Json(200, std::move(out));
  resp.content_type = "text/plain; version=0.0.4; charset=utf-8";
  respond(std::move(resp));
}

}  // namespace helpdesk::http
