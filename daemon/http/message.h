#pragma once
// Plain request and response values passed between the Beast session
// (server.cc) and the handlers (api.cc), so that handlers compile without
// Beast and are testable without sockets. Plain values; any thread.

#include <memory>
#include <string>
#include <utility>
#include <vector>

namespace helpdesk::live {
struct StreamRequest;
}

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
  std::string origin;          // the Origin header (browsers send it)
  std::string host;            // the Host header
  bool websocket = false;      // a websocket upgrade (RFC 6455's headers)
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
  // A websocket upgrade accepted (101): the server hands the connection
  // to the live stream with what the route checked (live/stream.h).
  std::shared_ptr<const live::StreamRequest> stream;
};

}  // namespace helpdesk::http
