#pragma once
// Plain request and response values passed between the Beast session
// (server.cc) and the handlers (api.cc), so that handlers compile without
// Beast and are testable without sockets. Plain values; any thread.

#include <string>
#include <utility>
#include <vector>

namespace helpdesk::http {

struct Request {
  std::string method;  // "GET"
  std::string target;  // "/api/v1/tickets?status=new"
  std::string content_type;
  std::string if_match;
  std::string request_id;  // always set by the session
  std::string actor;       // X-Actor: who makes an admin change (until auth)
  // Idempotency-Key as sent, and how many times it was sent (one is valid).
  std::string idempotency_key;
  int idempotency_keys = 0;
  std::string body;
};

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string route;  // the route pattern, for metrics ("" if none matched)
  // The first answer to an Idempotency-Key, sent again: it carries
  // Idempotent-Replayed: true, and is counted.
  bool replayed = false;
};

}  // namespace helpdesk::http
