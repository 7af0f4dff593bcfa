#include "daemon/http/problem.h"

#include <algorithm>

#include "proto/json.h"

namespace helpdesk::http {
namespace {

struct Kind {
  int status;
  const char* type;
  const char* title;
};

Kind KindOf(Code code) {
  switch (code) {
    case Code::kOk:
      return {200, "about:blank", "OK"};
    case Code::kMalformedJson:
      return {400, "/problems/malformed-json", "Malformed JSON"};
    case Code::kInvalidField:
      return {422, "/problems/invalid-field", "Invalid field"};
    case Code::kInvalidParameter:
      return {400, "/problems/invalid-parameter", "Invalid parameter"};
    case Code::kNotFound:
      return {404, "/problems/not-found", "Not found"};
    case Code::kAlreadyExists:
      return {409, "/problems/already-exists", "Already exists"};
    case Code::kVersionConflict:
      return {409, "/problems/version-conflict", "Version conflict"};
    case Code::kVersionRequired:
      return {428, "/problems/version-required", "Version required"};
    case Code::kIllegalTransition:
      return {409, "/problems/illegal-transition", "Illegal status change"};
    case Code::kKeyReused:
      return {422, "/problems/idempotency-key-reused",
              "Idempotency key reused"};
    case Code::kStorageFull:
      return {507, "/problems/storage-full", "Storage full"};
    case Code::kDiskFull:
      return {507, "/problems/disk-full", "Disk full"};
    case Code::kUnauthenticated:
      return {401, "/problems/unauthenticated", "Not logged in"};
    case Code::kForbidden:
      return {403, "/problems/forbidden", "Forbidden"};
    case Code::kTooManyRequests:
      return {429, "/problems/too-many-requests", "Too many requests"};
    case Code::kUnavailable:
      return {503, "/problems/unavailable", "Service unavailable"};
    case Code::kInternal:
      return {500, "/problems/internal", "Internal error"};
  }
  return {500, "/problems/internal", "Internal error"};
}

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

Response Problem(const Status& status, std::string_view instance,
                 std::string_view request_id) {
  Kind k = KindOf(status.code());
  Response r = Make(k.status, Body(k.status, k.type, k.title, status.message(),
                                   instance, request_id, &status));
  if (status.code() == Code::kTooManyRequests)
    r.headers.emplace_back("Retry-After", std::to_string(std::max<uint64_t>(
                                              status.retry_after(), 1)));
  if (status.code() == Code::kUnauthenticated)
    r.headers.emplace_back("WWW-Authenticate", "Bearer realm=\"helpdeskd\"");
  return r;
}

Response Problem(int http_status, std::string_view type, std::string_view title,
                 std::string_view detail, std::string_view instance,
                 std::string_view request_id) {
  return Make(http_status, Body(http_status, type, title, detail, instance,
                                request_id, nullptr));
}

}  // namespace helpdesk::http
