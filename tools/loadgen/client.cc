#include "tools/loadgen/client.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <optional>
#include <sstream>
#include <string_view>

namespace helpdesk::loadgen {
namespace {

using tcp = asio::ip::tcp;

// A response header section larger than this is not from helpdeskd.
constexpr size_t kMaxHeaderBytes = 64 * 1024;

bool StartsWithNoCase(std::string_view s, std::string_view prefix) {
  return s.size() >= prefix.size() &&
         std::equal(prefix.begin(), prefix.end(), s.begin(),
                    [](char a, char b) {
                      return std::tolower(static_cast<unsigned char>(a)) ==
                             std::tolower(static_cast<unsigned char>(b));
                    });
}

// The value of a header line if its name is name (lowercase, with ':').
std::optional<std::string_view> FieldValue(std::string_view line,
                                           std::string_view name) {
  if (!StartsWithNoCase(line, name)) return std::nullopt;
  line.remove_prefix(name.size());
  while (!line.empty() && (line.front() == ' ' || line.front() == '\t'))
    line.remove_prefix(1);
  return line;
}

// Status, Content-Length and Connection: close from a header section
// (without the final blank line) into r; the body length is returned.
// helpdeskd always sends Content-Length; a response without one is taken to
// have no body.
std::optional<size_t> ParseHead(std::string_view head, Response& r) {
  // "HTTP/1.1 201 Created"
  if (head.size() < 12 || !head.starts_with("HTTP/1.")) return std::nullopt;
  auto [p, ec] = std::from_chars(head.data() + 9, head.data() + 12, r.status);
  if (ec != std::errc() || p != head.data() + 12) return std::nullopt;
  size_t length = 0;
  for (size_t at = head.find("\r\n"); at != std::string_view::npos;) {
    size_t next = head.find("\r\n", at + 2);
    std::string_view line = head.substr(at + 2, next == std::string_view::npos
                                                    ? std::string_view::npos
                                                    : next - at - 2);
    at = next;
    if (auto v = FieldValue(line, "content-length:")) {
      auto [q, lec] = std::from_chars(v->data(), v->data() + v->size(), length);
      if (lec != std::errc()) return std::nullopt;
    } else if (auto v = FieldValue(line, "connection:")) {
      r.close = StartsWithNoCase(*v, "close");
    }
  }
  return length;
}

}  // namespace

std::string SerialiseRequest(http::verb verb, const std::string& target,
                             const std::string& host, const std::string& body) {
  http::request<http::string_body> req{verb, target, 11};
  req.set(http::field::host, host);
  // The daemon answers nothing but /healthz without a credential: the
  // token (an account with the agent and dashboard roles, for tickets and
  // /metrics) comes in $HELPDESK_TOKEN, as helpdeskctl's does.
  static const std::string token = [] {
    const char* t = std::getenv("HELPDESK_TOKEN");
    return t ? std::string(t) : std::string();
  }();
  if (!token.empty()) req.set(http::field::authorization, "Bearer " + token);
  if (!body.empty()) {
    req.set(http::field::content_type, "application/json");
    req.body() = body;
  }
  req.prepare_payload();
  std::ostringstream out;
  out << req;
  return out.str();
}

asio::awaitable<beast::error_code> Connect(beast::tcp_stream& stream,
                                           const std::string& host,
                                           uint16_t port) {
  tcp::resolver resolver(co_await asio::this_coro::executor);
  auto [rec, endpoints] = co_await resolver.async_resolve(
      host, std::to_string(port), tcp::resolver::numeric_service,
      asio::as_tuple(asio::use_awaitable));
  if (rec) co_return rec;
  stream.expires_after(kConnectTimeout);
  auto [ec, endpoint] = co_await stream.async_connect(
      endpoints, asio::as_tuple(asio::use_awaitable));
  if (!ec) stream.socket().set_option(tcp::no_delay(true), ec);
  co_return ec;
}

asio::awaitable<Response> Exchange(beast::tcp_stream& stream, std::string& in,
                                   const std::string& request,
                                   std::chrono::milliseconds timeout) {
  Response r;
  stream.expires_after(timeout);
  auto [wec, written] = co_await asio::async_write(
      stream, asio::buffer(request), asio::as_tuple(asio::use_awaitable));
  if (wec) {
    r.ec = wec;
    co_return r;
  }
  // One loop, no nested coroutine: this runs once per request.
  char chunk[16384];
  size_t head_end = std::string::npos;
  std::optional<size_t> length;
  for (;;) {
    if (head_end == std::string::npos) {
      head_end = in.find("\r\n\r\n");
      if (head_end != std::string::npos) {
        length = ParseHead(std::string_view(in).substr(0, head_end), r);
        if (!length) {
          r.ec = http::error::bad_status;
          co_return r;
        }
      } else if (in.size() > kMaxHeaderBytes) {
        r.ec = http::error::header_limit;
        co_return r;
      }
    }
    if (head_end != std::string::npos && in.size() >= head_end + 4 + *length)
      break;
    auto [ec, n] = co_await stream.async_read_some(
        asio::buffer(chunk), asio::as_tuple(asio::use_awaitable));
    if (ec) {
      r.ec = ec;
      co_return r;
    }
    in.append(chunk, n);
  }
  r.body = in.substr(head_end + 4, *length);
  in.erase(0, head_end + 4 + *length);
  co_return r;
}

}  // namespace helpdesk::loadgen
