#pragma once
// Small builders of the answers every handler file gives: a JSON body, an
// ETag of a record version, 405 with its Allow header, and 415. Pure; any
// thread.

#include <cstdint>
#include <string>
#include <string_view>

#include "daemon/http/message.h"
#include "daemon/http/problem.h"

namespace helpdesk::http {

inline Response Json(int status, std::string body) {
  Response r;
  r.status = status;
  r.body = std::move(body);
  return r;
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
      Problem(405, "/problems/method-not-allowed", "Method not allowed",
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
  return Problem(415, "/problems/unsupported-media-type",
                 "Unsupported media type",
                 "send the body as JSON with 'Content-Type: application/json' "
                 "(got '" +
                     std::string(content_type) + "')",
                 path, request_id);
}

}  // namespace helpdesk::http
