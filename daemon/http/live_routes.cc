// The live routes (README, "Live"): the websocket stream's upgrade, the
// wall dashboard's board, and the pages embedded in the binary.
#include <cctype>

#include "daemon/desk/desk.h"
#include "daemon/http/api.h"
#include "daemon/http/responses.h"
#include "daemon/live/hub.h"
#include "daemon/live/stream.h"
#include "daemon/web/assets.h"

namespace helpdesk::http {
namespace {

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// A browser's Origin: absent (not a browser, or the same origin's old
// habits), this daemon's own scheme and host, or one allowed in the
// config. A page elsewhere must not open a stream with a user's cookie.
bool OriginAllowed(const Request& r, const std::vector<std::string>& allowed) {
  if (r.origin.empty()) return true;
  const std::string origin = Lower(r.origin);
  if (origin == Lower((r.tls ? "https://" : "http://") + r.host)) return true;
  for (const auto& a : allowed)
    if (origin == Lower(a)) return true;
  return false;
}

// `epoch` as the hello gives it: hex digits, at most 64.
bool IsEpoch(std::string_view e) {
  if (e.size() > 64) return false;
  for (char c : e)
    if (!std::isxdigit(static_cast<unsigned char>(c))) return false;
  return true;
}

}  // namespace

void Api::Stream(const Call& c, Respond respond) {
  const Request& r = c.request;
  if (!OriginAllowed(r, live_.allowed_origins))
    return respond(Fail(
        c, Status::Forbidden(
               "Origin", "a page from " + r.origin +
                             " may not open this daemon's stream; open it "
                             "from the daemon's own pages, or add the origin "
                             "to [live] allowed_origins")));
  std::vector<std::string> municipalities;
  for (const auto& m : desk_.region().municipalities())
    municipalities.push_back(m.id());
  auto filter =
      live::ParseFilter(c.target.params, municipalities, c.who.staff_id);
  if (!filter.ok()) return respond(Fail(c, filter.status()));
  auto asked = std::make_shared<live::StreamRequest>();
  if (c.target.params.count("since")) {
    auto since = UintParam(c.target, "since", 0, UINT64_MAX / 2, 0);
    if (!since.ok()) return respond(Fail(c, since.status()));
    asked->since = *since;
  }
  if (auto it = c.target.params.find("epoch"); it != c.target.params.end()) {
    if (!IsEpoch(it->second))
      return respond(
          Fail(c, Status::InvalidParameter(
                      "epoch",
                      "epoch takes the 'epoch' of the stream's hello "
                      "message (hex digits), as given")));
    asked->epoch = it->second;
  }
  if (!r.websocket) {
    Response resp = Problem(
        ProblemKind::kUpgradeRequired,
        "GET /api/v1/stream is a websocket: connect with a websocket client "
        "(Upgrade: websocket), or read the log with GET /api/v1/events",
        r.target, r.request_id);
    resp.headers.emplace_back("Upgrade", "websocket");
    return respond(std::move(resp));
  }
  if (live_.hub == nullptr || live_.hub->Full())
    return respond(Fail(
        c, Status::Unavailable("too many live subscribers; retry shortly")));
  asked->who = c.who;
  asked->secret = std::string(SecretOf(r, c.target));
  // What staff follow is audited as a read of the log (the query without
  // a URL's token).
  std::string query;
  for (const auto& [name, value] : c.target.params)
    if (name != "access_token")
      query += (query.empty() ? "" : "&") + name + "=" + value;
  desk_.NoteStream(c.who, query);
  asked->filter = std::move(*filter);
  Response resp;
  resp.status = 101;
  resp.stream = std::move(asked);
  respond(std::move(resp));
}

void Api::Dashboard(const Call& c, Respond respond) {
  auto board = desk_.Board();
  if (!board.ok()) return respond(Fail(c, board.status()));
  respond(Json(200, *board));
}

void Api::Page(const Call& c, Respond respond) {
  const web::Asset* asset = web::FindAsset(c.target.path);
  if (asset == nullptr)
    return respond(Problem(ProblemKind::kNotFound, "no page " + c.target.path,
                           c.target.path, c.request.request_id));
  Response resp;
  resp.status = 200;
  resp.content_type = std::string(asset->content_type);
  resp.body = std::string(asset->body);
  resp.headers.emplace_back("ETag", std::string(asset->etag));
  resp.headers.emplace_back("Cache-Control", "no-cache");
  // Nothing but the daemon's own files: no inline script or style, no
  // other origin, not framed, no forms posted anywhere else.
  resp.headers.emplace_back(
      "Content-Security-Policy",
      "default-src 'none'; script-src 'self'; style-src 'self'; "
      "img-src 'self' data:; connect-src 'self'; form-action 'self'; "
      "frame-ancestors 'none'; base-uri 'none'");
  resp.headers.emplace_back("X-Content-Type-Options", "nosniff");
  resp.headers.emplace_back("Referrer-Policy", "no-referrer");
  resp.headers.emplace_back("X-Frame-Options", "DENY");
  respond(std::move(resp));
}

void Api::RenderLiveMetrics(std::string& out) const {
  if (live_.hub == nullptr) return;
  const live::Hub::Stats s = live_.hub->GetStats();
  auto metric = [&out](const char* name, const char* type, const char* help,
                       uint64_t value) {
    out += std::string("# HELP ") + name + " " + help + "\n# TYPE " + name +
           " " + type + "\n" + name + " " + std::to_string(value) + "\n";
  };
  metric("helpdesk_live_subscribers", "gauge",
         "Websocket subscribers of the live stream now.", s.subscribers);
  metric("helpdesk_live_subscribed_total", "counter",
         "Websocket subscriptions made.", s.subscribed);
  metric("helpdesk_live_refused_total", "counter",
         "Subscriptions refused at [live] max_subscribers.", s.refused);
  metric("helpdesk_live_too_slow_total", "counter",
         "Subscribers closed (4000) because their queue filled.", s.overflowed);
  metric("helpdesk_live_events_total", "counter",
         "Committed events read to fan out (none while nobody subscribes).",
         s.events);
  metric("helpdesk_live_frames_total", "counter",
         "Events queued to subscribers (one per subscriber and event).",
         s.frames);
  metric("helpdesk_live_renders_total", "counter",
         "Event texts rendered (once per event and view).", s.renders);
  metric("helpdesk_live_log_read_errors_total", "counter",
         "Failed reads of the event log by the live hub.", s.read_errors);
  out +=
      "# HELP helpdesk_live_closed_total Streams ended, by why: the client, "
      "idle (half-open, reaped), too_slow (4000), credential (4001), "
      "going_away (1001), client_message (1003, 1009), failed (1011, "
      "1013).\n# TYPE helpdesk_live_closed_total counter\n";
  for (int i = 0; i < live::Hub::kClosedReasons; ++i)
    out +=
        "helpdesk_live_closed_total{reason=\"" +
        std::string(live::Hub::ClosedName(static_cast<live::Hub::Closed>(i))) +
        "\"} " + std::to_string(s.closed[i]) + "\n";
  metric("helpdesk_live_lag_events", "gauge",
         "Events committed and not yet fanned out.",
         s.committed_seq - std::min(s.committed_seq, s.fanned_seq));
}

}  // namespace helpdesk::http
