#pragma once
// The route table: every route of the HTTP API, one line each (routes.cc).
// Dispatch, the choice of thread (a write is answered from the writer,
// later), the body limit, 405 with its Allow header, 404 and the metric
// route label all come from it; there is no second list. What a client
// needs besides, and the query parameters each route takes, is kept beside
// it entry for entry (route_docs.h), and the OpenAPI document made from
// both (openapi.h). Pure; any thread.

#include <functional>
#include <span>
#include <string>
#include <string_view>

#include "daemon/auth/principal.h"
#include "daemon/desk/origin.h"
#include "daemon/http/message.h"
#include "daemon/http/query.h"

namespace helpdesk::http {

class Api;

// How a route is answered.
enum class Access {
  kRead,   // on the calling I/O thread, before Api::Handle returns
  kWrite,  // through the single writer: later, from another thread
  // A write that replaces a whole document (a catalogue import, a vakt
  // rota of a year or two): its body may be as large as max_import_bytes.
  kBulkWrite,
  // A read that may take seconds (a report over every ticket, the whole
  // catalogue): on the server's small report pool, never on an I/O thread;
  // when the pool's queue is full, 503 with Retry-After.
  kReport,
  // A write that hashes a password first (a login, a new password: tens of
  // ms of argon2id): decided on the report pool like a bulk write, with
  // the ordinary body limit; the pool being full (503) bounds how many
  // hash at once.
  kSlowWrite,
};

inline bool IsWrite(Access a) {
  return a == Access::kWrite || a == Access::kBulkWrite ||
         a == Access::kSlowWrite;
}

// One request as a handler sees it.
struct Call {
  const Request& request;
  const Target& target;    // the decoded path and query parameters
  const std::string& id;   // the placeholder's segment; empty without one
  std::string_view route;  // the route's metric label (MetricLabel)
  // A second placeholder's segment ("{account}" of
  // /api/v1/tickets/{ticket}/followers/{account}); empty without one.
  const std::string& sub_id;
  // A write's Idempotency-Key, checked, with the request's fingerprint;
  // null for a read and a write sent without one.
  const desk::IdempotencyKey* idempotency = nullptr;
  // Who asks: authenticated, and holding a role the route allows (no
  // roles on a public route called without a credential).
  const auth::Principal& who;
};

using Respond = std::function<void(Response)>;
using Handler = void (Api::*)(const Call& call, Respond respond);

struct Route {
  std::string_view method;  // GET (which answers HEAD too), POST or PUT
  // "/api/v1/tickets/{ticket}/status": a placeholder takes one path
  // segment and names what it is; an id that cannot name a ticket or a
  // person is 404 before anything else (Api::Handle).
  std::string_view pattern;
  Handler handler;
  Access access;
  // Who may call it: the roles (auth/principal.h) of which the caller must
  // hold one, or auth::kPublic for no credential at all. What a caller
  // may see and change inside the route is the desk's (auth/policy.h).
  auth::Roles who;
};

// Every route, in the order the API documents them.
std::span<const Route> Routes();

// Where a request's decoded path and method lead.
struct RouteMatch {
  // The route to call; null when the path matches no pattern (404) or no
  // route of its pattern takes the method (405).
  const Route* route = nullptr;
  std::string_view pattern;  // the path's pattern; empty for a 404
  std::string allow;         // for a 405: "GET, HEAD, PUT"
  std::string id;            // the placeholder's segment
  std::string_view id_kind;  // its name: "ticket", "staff", "id"
  std::string sub_id;        // a second placeholder's segment, if any
  std::string_view sub_kind;
};

RouteMatch FindRoute(std::string_view method, std::string_view path);

// The metric label of a pattern of the table: the pattern with every
// placeholder as "{id}" ("/api/v1/tickets/{id}/status").
std::string_view MetricLabel(std::string_view pattern);

// The API's top-level resources ("tickets, events, ..."), for a 404.
std::string RouteIndex();

}  // namespace helpdesk::http
