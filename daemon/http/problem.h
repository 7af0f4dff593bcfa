#pragma once
// RFC 9457 problem+json responses: a stable `type` per failure kind, a human
// `title`, a `detail` that says what to fix, and extension members (`field`,
// `allowed`, `currentVersion`) where they help. Every type the daemon sends
// is one of ProblemTypes(), which the OpenAPI document lists (openapi.h):
// there is no other way to make a problem. Pure; any thread.

#include <span>
#include <string_view>

#include "daemon/http/message.h"
#include "proto/status.h"

namespace helpdesk::http {

// Every kind of problem: one per Status code but kOk, then those found by
// the server, the route table or a handler rather than by the desk.
enum class ProblemKind {
  kMalformedJson,
  kInvalidField,
  kInvalidParameter,
  kNotFound,
  kAlreadyExists,
  kVersionConflict,
  kVersionRequired,
  kIllegalTransition,
  kKeyReused,
  kStorageFull,
  kDiskFull,
  kUnauthenticated,
  kForbidden,
  kTooManyRequests,
  kUnavailable,
  kInternal,
  kMalformedRequest,      // the HTTP request did not parse
  kHeadersTooLarge,       // over max_header_bytes
  kBodyTooLarge,          // over the route's body limit
  kMethodNotAllowed,      // a path of the table, another method
  kUnsupportedMediaType,  // a write's body not declared JSON
  kUpgradeRequired,       // a plain GET of the websocket stream
  kNotReady,              // GET /readyz while writes cannot go through
};

// What a client reads about a kind: its status, type and title as every
// answer of it carries them, and when it comes (for the API's documents).
struct ProblemType {
  ProblemKind kind;
  int status;
  std::string_view type;   // "/problems/not-found"
  std::string_view title;  // "Not found"
  std::string_view when;
};

// Every kind, in the order of ProblemKind.
std::span<const ProblemType> ProblemTypes();
const ProblemType& TypeOf(ProblemKind kind);
// The kind a Status of `code` is answered as; kInternal for kOk.
ProblemKind KindOf(Code code);

Response Problem(const Status& status, std::string_view instance,
                 std::string_view request_id);

// For failures found by the session, the route table or a handler (413,
// 431, 404 ...).
Response Problem(ProblemKind kind, std::string_view detail,
                 std::string_view instance, std::string_view request_id);

}  // namespace helpdesk::http
