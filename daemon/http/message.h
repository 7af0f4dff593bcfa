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
  // X-Actor as sent: refused unless it names the caller (the actor is who
  // the credential says).
  std::string actor;
  std::string authorization;   // the Authorization header
  std::string cookie;          // the Cookie header(s), joined by "; "
  std::string csrf_token;      // X-CSRF-Token
  std::string client_address;  // the peer's IP address
  bool tls = false;            // came over HTTPS
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
