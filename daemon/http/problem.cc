#include "daemon/http/problem.h"

#include <algorithm>
#include <iterator>

#include "proto/json.h"

namespace helpdesk::http {
namespace {

// The catalogue, in the order of ProblemKind (checked below).
constexpr ProblemType kTypes[] = {
    {ProblemKind::kMalformedJson, 400, "/problems/malformed-json",
     "Malformed JSON", "the body is not a JSON object"},
    {ProblemKind::kInvalidField, 422, "/problems/invalid-field",
     "Invalid field",
     "a body field is missing, empty, too long, of the wrong type, not UTF-8 "
     "once decoded, unknown, or names something that is not there "
     "(`field` names it); for catalogue, staff and rota changes every "
     "problem is in `errors` ({pointer, detail}, at most 100; `moreErrors` "
     "counts the rest)"},
    {ProblemKind::kInvalidParameter, 400, "/problems/invalid-parameter",
     "Invalid parameter",
     "a query parameter that the route does not take or whose value is "
     "wrong, a bad cursor, a filter naming nothing known, a bad If-Match, "
     "or an Idempotency-Key that is empty, too long, not visible ASCII, sent "
     "twice or sent where none is taken (`parameter` names it)"},
    {ProblemKind::kNotFound, 404, "/problems/not-found", "Not found",
     "no such route or record, or one the caller may not see (an employee "
     "gets it for another's ticket)"},
    {ProblemKind::kAlreadyExists, 409, "/problems/already-exists",
     "Already exists", "a record with that id exists"},
    {ProblemKind::kVersionConflict, 409, "/problems/version-conflict",
     "Version conflict",
     "the record changed since the version sent (`currentVersion` is the "
     "version now): read it again and decide again"},
    {ProblemKind::kVersionRequired, 428, "/problems/version-required",
     "Version required",
     "a change without the version it was based on (the body's `version` or "
     "If-Match)"},
    {ProblemKind::kIllegalTransition, 409, "/problems/illegal-transition",
     "Illegal status change",
     "the move is not allowed from the record's state (`allowed` lists those "
     "that are)"},
    {ProblemKind::kKeyReused, 422, "/problems/idempotency-key-reused",
     "Idempotency key reused",
     "the Idempotency-Key was sent in the last 24 hours with a different "
     "request (method, path, query or body); send a new key"},
    {ProblemKind::kStorageFull, 507, "/problems/storage-full", "Storage full",
     "the database reached max_map_size_mb; nothing was written"},
    {ProblemKind::kDiskFull, 507, "/problems/disk-full", "Disk full",
     "the disk holding the data directory is full; nothing was written"},
    {ProblemKind::kUnauthenticated, 401, "/problems/unauthenticated",
     "Not logged in",
     "no credential, or one the daemon does not know (unknown, revoked, "
     "expired, or its account disabled), or a failed login"},
    {ProblemKind::kForbidden, 403, "/problems/forbidden", "Forbidden",
     "the account has none of the roles the route needs, or a rule inside "
     "the route refuses it (`field` names the field when there is one), or "
     "a change made with the session cookie came without X-CSRF-Token"},
    {ProblemKind::kTooManyRequests, 429, "/problems/too-many-requests",
     "Too many requests",
     "too many requests from the address or the account, or too many failed "
     "logins; wait Retry-After seconds"},
    {ProblemKind::kUnavailable, 503, "/problems/unavailable",
     "Service unavailable",
     "too many connections, the write queue or the report pool full, too "
     "many live subscribers, or shutting down; retry after Retry-After"},
    {ProblemKind::kInternal, 500, "/problems/internal", "Internal error",
     "the daemon failed while handling the request; its log says why under "
     "the request id"},
    {ProblemKind::kMalformedRequest, 400, "/problems/malformed-request",
     "Malformed request", "the HTTP request could not be parsed"},
    {ProblemKind::kHeadersTooLarge, 431, "/problems/headers-too-large",
     "Request headers too large", "the headers are over max_header_bytes"},
    {ProblemKind::kBodyTooLarge, 413, "/problems/body-too-large",
     "Body too large",
     "the body is over max_body_bytes (max_import_bytes for a catalogue "
     "import or a vakt rota)"},
    {ProblemKind::kMethodNotAllowed, 405, "/problems/method-not-allowed",
     "Method not allowed",
     "the path is a route's, the method is not one of its (Allow lists "
     "them)"},
    {ProblemKind::kUnsupportedMediaType, 415,
     "/problems/unsupported-media-type", "Unsupported media type",
     "a write whose body is not declared Content-Type: application/json"},
    {ProblemKind::kUpgradeRequired, 426, "/problems/upgrade-required",
     "Upgrade required",
     "GET /api/v1/stream without a websocket upgrade (Upgrade names it)"},
    {ProblemKind::kNotReady, 503, "/problems/not-ready", "Not ready",
     "GET /readyz while writes cannot go through (`detail` says why)"},
};

constexpr bool InKindOrder() {
  for (size_t i = 0; i < std::size(kTypes); ++i)
    if (static_cast<size_t>(kTypes[i].kind) != i) return false;
  return std::size(kTypes) == static_cast<size_t>(ProblemKind::kNotReady) + 1;
}
static_assert(InKindOrder(), "kTypes must list every ProblemKind in order");

std::string Body(int http_status, std::string_view type, std::string_view title,
                 std::string_view detail, std::string_view instance,
                 std::string_view request_id, const Status* extra) {
  std::string out = "{\"type\":";
  proto::AppendJsonString(out, type);
  out += ",\"title\":";
  proto::AppendJsonString(out, title);
  out += ",\"status\":" + std::to_string(http_status) + ",\"detail\":";
  proto::AppendJsonString(out, detail);
  out += ",\"instance\":";
  proto::AppendJsonString(out, instance);
  out += ",\"requestId\":";
  proto::AppendJsonString(out, request_id);
  if (extra) {
    if (!extra->field().empty()) {
      out += extra->code() == Code::kInvalidParameter ||
                     extra->code() == Code::kKeyReused
                 ? ",\"parameter\":"
                 : ",\"field\":";
      proto::AppendJsonString(out, extra->field());
    }
    if (extra->code() == Code::kIllegalTransition) {
      out += ",\"allowed\":[";
      for (size_t i = 0; i < extra->allowed().size(); ++i) {
        if (i) out += ',';
        proto::AppendJsonString(out, extra->allowed()[i]);
      }
      out += ']';
    }
    if (!extra->errors().empty()) {
      out += ",\"errors\":[";
      for (size_t i = 0; i < extra->errors().size(); ++i) {
        if (i) out += ',';
        out += "{\"pointer\":";
        proto::AppendJsonString(out, extra->errors()[i].pointer);
        out += ",\"detail\":";
        proto::AppendJsonString(out, extra->errors()[i].detail);
        out += '}';
      }
      out += ']';
    }
    if (extra->more_errors() > 0)
      out += ",\"moreErrors\":" + std::to_string(extra->more_errors());
    if (extra->current_version())
      out += ",\"currentVersion\":" + std::to_string(*extra->current_version());
  }
  out += '}';
  return out;
}

Response Make(int http_status, std::string body) {
  Response r;
  r.status = http_status;
  r.content_type = "application/problem+json";
  r.body = std::move(body);
  if (http_status == 503) r.headers.emplace_back("Retry-After", "1");
  return r;
}

}  // namespace

std::span<const ProblemType> ProblemTypes() { return kTypes; }

const ProblemType& TypeOf(ProblemKind kind) {
  return kTypes[static_cast<size_t>(kind)];
}

ProblemKind KindOf(Code code) {
  switch (code) {
    case Code::kMalformedJson:
      return ProblemKind::kMalformedJson;
    case Code::kInvalidField:
      return ProblemKind::kInvalidField;
    case Code::kInvalidParameter:
      return ProblemKind::kInvalidParameter;
    case Code::kNotFound:
      return ProblemKind::kNotFound;
    case Code::kAlreadyExists:
      return ProblemKind::kAlreadyExists;
    case Code::kVersionConflict:
      return ProblemKind::kVersionConflict;
    case Code::kVersionRequired:
      return ProblemKind::kVersionRequired;
    case Code::kIllegalTransition:
      return ProblemKind::kIllegalTransition;
    case Code::kKeyReused:
      return ProblemKind::kKeyReused;
    case Code::kStorageFull:
      return ProblemKind::kStorageFull;
    case Code::kDiskFull:
      return ProblemKind::kDiskFull;
    case Code::kUnauthenticated:
      return ProblemKind::kUnauthenticated;
    case Code::kForbidden:
      return ProblemKind::kForbidden;
    case Code::kTooManyRequests:
      return ProblemKind::kTooManyRequests;
    case Code::kUnavailable:
      return ProblemKind::kUnavailable;
    case Code::kOk:  // never answered as a problem
    case Code::kInternal:
      break;
  }
  return ProblemKind::kInternal;
}

Response Problem(const Status& status, std::string_view instance,
                 std::string_view request_id) {
  const ProblemType& k = TypeOf(KindOf(status.code()));
  Response r = Make(k.status, Body(k.status, k.type, k.title, status.message(),
                                   instance, request_id, &status));
  if (status.code() == Code::kTooManyRequests)
    r.headers.emplace_back("Retry-After", std::to_string(std::max<uint64_t>(
                                              status.retry_after(), 1)));
  if (status.code() == Code::kUnauthenticated)
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"helpdeskd\"");
  return r;
}

Response Problem(ProblemKind kind, std::string_view detail,
                 std::string_view instance, std::string_view request_id) {
  const ProblemType& k = TypeOf(kind);
  return Make(k.status, Body(k.status, k.type, k.title, detail, instance,
                             request_id, nullptr));
}

}  // namespace helpdesk::http
