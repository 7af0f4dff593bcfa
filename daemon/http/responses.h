#pragma once
// Small builders of the answers every handler file gives: a JSON body, an
// ETag of a record version, a problem, 405 with its Allow header, 415, and
// the completion that renders what the desk answers a write. Any thread;
// only that completion logs (when rendering an answer fails).

#include <google/protobuf/message.h>
#include <spdlog/spdlog.h>

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <utility>

#include "daemon/desk/origin.h"
#include "daemon/http/message.h"
#include "daemon/http/problem.h"
#include "daemon/http/query.h"
#include "daemon/http/routes.h"
#include "proto/json.h"
#include "proto/status.h"
#include "proto/wire_names.h"

namespace helpdesk::http {

inline Response Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
}

inline Response Json(int status, const google::protobuf::Message& message) {
  return Json(status, proto::ToJson(message));
}

// The problem `s` about the request of `c`.
inline Response Fail(const Call& c, const Status& s) {
  return Problem(s, c.request.target, c.request.request_id);
}

// What renders the desk's answer to a write: `render` the value, or the
// Status as a problem. It outlives the request, so it keeps copies of what
// the problem names.
template <typename T, typename Render>
std::function<void(StatusOr<T>)> Answer(const Call& c, Respond respond,
                                        Render render) {
  return [respond = std::move(respond), render = std::move(render),
          instance = c.request.target,
          request_id = c.request.request_id](StatusOr<T> result) {
    if (!result.ok())
      return respond(Problem(result.status(), instance, request_id));
    Response answer;
    std::string what;
    try {
      answer = render(*result);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
      what = "not a std::exception";
    }
    if (!what.empty()) {
      // Without this the client would hear nothing until its request
      // timed out, and might send again a change that was made.
      spdlog::error("{} (request {}): the answer to a saved change failed: {}",
                    instance, request_id, what);
      answer = Problem(ProblemKind::kInternal,
                       "the change was made and saved, but its answer "
                       "failed: do not send it again; read it back instead "
                       "(the log says why under request id " +
                           request_id + ")",
                       instance, request_id);
    }
    respond(std::move(answer));
  };
}

// The origin of a change by the caller, with the request's id, address
// and Idempotency-Key.
inline desk::Origin OriginOf(const Call& c) {
  desk::Origin origin = desk::OriginOf(c.who, c.request.request_id);
  if (c.idempotency != nullptr) origin.idempotency = *c.idempotency;
  origin.answer_off_writer = true;
  return origin;
}

// A change of the catalogue, the staff registry or the rota as its request
// gives it, read in the order clients see problems in: the If-Match it was
// based on (`versioned` changes only), then the body. (No route of these
// takes a query parameter: Api::Handle refused any.)
template <typename Body>
struct Change {
  std::optional<uint32_t> if_match;
  Body body;
  desk::Origin origin;
};
template <typename Body>
StatusOr<Change<Body>> ReadChange(const Call& c, bool versioned = true) {
  Change<Body> out;
  if (versioned) {
    auto if_match = ParseIfMatch(c.request.if_match);
    if (!if_match.ok()) return if_match.status();
    out.if_match = *if_match;
  }
  if (Status s = proto::ParseJson(c.request.body, out.body); !s.ok()) return s;
  out.origin = OriginOf(c);
  return out;
}

// The enum query parameter `name` by its wire name (nullopt when absent);
// kInvalidParameter listing the choices for any other value.
template <typename E>
StatusOr<std::optional<E>> EnumParam(
    const Target& t, const std::string& name,
    const google::protobuf::EnumDescriptor* descriptor) {
  auto it = t.params.find(name);
  if (it == t.params.end()) return std::optional<E>();
  const auto* v = proto::FindWireEnumValue(descriptor, it->second);
  if (v == nullptr)
    return Status::InvalidParameter(
        name,
        "'" + name + "' must be one of " + proto::WireEnumChoices(descriptor));
  return std::optional<E>(static_cast<E>(v->number()));
}

// The `cursor` parameter as the position it encodes; 0 when absent or
// empty (from the newest).
inline StatusOr<uint64_t> CursorParam(const Target& t) {
  auto it = t.params.find("cursor");
  if (it == t.params.end() || it->second.empty()) return uint64_t{0};
  return DecodeCursor(it->second);
}

inline Response WithETag(Response r, uint64_t version) {
  r.headers.emplace_back("ETag", "\"" + std::to_string(version) + "\"");
  return r;
}

// `method` is not one of `allow` ("GET, HEAD, POST") on `path`.
inline Response MethodNotAllowed(std::string_view method, std::string_view path,
                                 std::string_view allow,
                                 std::string_view request_id) {
  Response r =
      Problem(ProblemKind::kMethodNotAllowed,
              std::string(method) + " is not allowed on " + std::string(path) +
                  "; allowed: " + std::string(allow),
              path, request_id);
  r.headers.emplace_back("Allow", std::string(allow));
  return r;
}

// A body that is not declared JSON (`content_type` as sent).
inline Response UnsupportedMediaType(std::string_view content_type,
                                     std::string_view path,
                                     std::string_view request_id) {
  return Problem(ProblemKind::kUnsupportedMediaType,
                 "send the body as JSON with 'Content-Type: application/json' "
                 "(got '" +
                     std::string(content_type) + "')",
                 path, request_id);
}

}  // namespace helpdesk::http
