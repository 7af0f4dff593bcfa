#pragma once
// One websocket subscriber of GET /api/v1/stream (README, "Live"): the
// connection after Api has authenticated and checked the request. It
// says hello (the epoch, the log's head, whether `since` is honoured),
// then either replays the events after `since` from the log or sends a
// snapshot, then the hub's live events, each exactly once, in order.
//
// Keep-alive: the server pings after half the idle timeout without data
// from the client and closes a connection silent for the whole of it (a
// half-open one). The client may send nothing but control frames; a data
// message is closed with 1003, one over max_message_bytes with 1009. The
// credential is checked again every recheck_every: a revoked session or
// token, or a disabled account, is closed with 4001.
//
// Serve runs on the connection's strand, in the HTTP session's coroutine;
// it returns when the websocket is closed. Instantiated for plain TCP and
// for TLS (stream.cc).

#include <boost/asio/any_io_executor.hpp>
#include <boost/asio/awaitable.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>

#include "daemon/auth/principal.h"
#include "daemon/live/filter.h"

namespace helpdesk::live {

class Hub;

// What Api checked and asks for: who (and the secret to check them again
// by), the filter, and where to resume.
struct StreamRequest {
  auth::Principal who;
  std::string secret;
  Filter filter;
  std::optional<uint64_t> since;
  std::string epoch;  // the epoch `since` belongs to, as the client sent it
};

struct StreamOptions {
  std::chrono::seconds idle_timeout{60};
  size_t max_message_bytes = 1024;
  // How often an idle stream is told the log's position (so a filtered
  // client resumes from near the head), and its credential checked again.
  std::chrono::seconds position_every{10};
  std::chrono::seconds recheck_every{30};
  // Events in one message at most, and their bytes (beyond one event).
  size_t batch_events = 256;
  size_t batch_bytes = 64 * 1024;
  // Where a snapshot is read (a dashboard's board reads today's events):
  // the server's report pool, never an I/O thread. Unset: the session's
  // own executor.
  boost::asio::any_io_executor slow;
};

// Close codes of our own (RFC 6455 leaves 4000-4999 to applications).
inline constexpr uint16_t kCloseTooSlow = 4000;
inline constexpr uint16_t kCloseCredentialEnded = 4001;

using HttpRequest =
    boost::beast::http::request<boost::beast::http::string_body>;

// The arguments must outlive the returned awaitable (the caller awaits
// it); none is taken by value, since GCC 12 destroys a temporary of a
// co_await expression twice.
template <typename Stream>
boost::asio::awaitable<void> Serve(
    Hub& hub, const StreamOptions& options, Stream& stream,
    const HttpRequest& request,
    const std::shared_ptr<const StreamRequest>& asked);

}  // namespace helpdesk::live
