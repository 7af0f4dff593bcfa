#pragma once
// A blocking HTTP/1.1 client for helpdeskctl: one request per connection to
// a daemon named by an http:// URL, bounded by one deadline. Beast stays in
// the .cc (it costs more than ten seconds per translation unit), so this
// header has plain types only. Free functions; any thread.

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "proto/status.h"

namespace helpdesk::ctl {

// Where the daemon listens. Only plain http://HOST[:PORT][/] is taken:
// helpdeskd serves plain HTTP, and its API lives at fixed paths.
struct Url {
  std::string host;  // a name or an address; IPv6 without the brackets
  uint16_t port = 80;
  std::string text;  // as given, for messages
};

// kInvalidParameter, saying what is wrong, for anything but the above
// (https, a path, a user, a query).
StatusOr<Url> ParseUrl(std::string_view text);

struct HttpReply {
  int status = 0;
  std::string content_type;  // without parameters, lowercase
  std::string body;
};

using Headers = std::vector<std::pair<std::string, std::string>>;

// Sends one request and reads the answer, all within `timeout` (name
// lookup aside: an address or "localhost" resolves at once). kUnavailable
// when the daemon cannot be reached or does not answer in time.
StatusOr<HttpReply> Exchange(const Url& url, std::string_view method,
                             std::string_view target, std::string_view body,
                             const Headers& headers,
                             std::chrono::milliseconds timeout);

}  // namespace helpdesk::ctl
