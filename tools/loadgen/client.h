#pragma once

// The wire side of helpdesk-loadgen: pre-serialised HTTP/1.1 requests and a
// deliberately small response reader, so that the generator costs the
// machine less than the daemon it measures. Every call is bounded by a
// deadline. Functions here are free of shared state; a stream and its read
// buffer belong to one coroutine at a time.

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdint>
#include <string>

namespace helpdesk::loadgen {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;

inline constexpr std::chrono::seconds kConnectTimeout{5};
inline constexpr std::chrono::seconds kRequestTimeout{10};

// One answer. ec is set when the connection failed (it is then unusable);
// otherwise status and body are the daemon's, and close says the daemon
// will close the connection after this answer.
struct Response {
  beast::error_code ec;
  unsigned status = 0;
  bool close = false;
  std::string body;
};

// The bytes of one keep-alive request; a non-empty body is sent as
// application/json.
std::string SerialiseRequest(http::verb verb, const std::string& target,
                             const std::string& host, const std::string& body);

// Resolves host and connects stream, within kConnectTimeout.
asio::awaitable<beast::error_code> Connect(beast::tcp_stream& stream,
                                           const std::string& host,
                                           uint16_t port);

// Writes request and reads one response, within timeout. in holds
// bytes read from stream but not yet consumed; pass the same string for every
// call on one connection, and clear it when reconnecting.
asio::awaitable<Response> Exchange(
    beast::tcp_stream& stream, std::string& in, const std::string& request,
    std::chrono::milliseconds timeout = kRequestTimeout);

}  // namespace helpdesk::loadgen
