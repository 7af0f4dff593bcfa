#include "tools/helpdeskctl/http_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <charconv>
#include <cstdlib>

namespace helpdesk::ctl {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

StatusOr<Url> ParseUrl(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidParameter(
        "--url", "--url '" + std::string(text) + "': " + why +
                     "; expected http://HOST:PORT, such as "
                     "http://127.0.0.1:8080");
  };
  constexpr std::string_view kScheme = "http://";
  if (text.starts_with("https://"))
    return bad(
        "https is not supported: helpdeskd serves plain HTTP (put a "
        "TLS proxy in front of it and run helpdeskctl beside the "
        "daemon)");
  if (!text.starts_with(kScheme)) return bad("not an http:// URL");
  std::string_view rest = text.substr(kScheme.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.find_first_of("/?#") != std::string_view::npos)
    return bad("only host and port are taken, no path or query");
  if (rest.find('@') != std::string_view::npos)
    return bad("no user or password: the API has none");
  Url url;
  url.text = std::string(text);
  std::string_view port;
  if (rest.starts_with('[')) {  // [IPv6]:port
    size_t close = rest.find(']');
    if (close == std::string_view::npos) return bad("unclosed '['");
    url.host = std::string(rest.substr(1, close - 1));
    rest.remove_prefix(close + 1);
    if (!rest.empty() && rest.front() != ':') return bad("junk after ']'");
    if (!rest.empty()) port = rest.substr(1);
  } else {
    size_t colon = rest.find(':');
    url.host = std::string(rest.substr(0, colon));
    if (colon != std::string_view::npos) port = rest.substr(colon + 1);
  }
  if (url.host.empty()) return bad("no host");
  if (!port.empty() || rest.ends_with(':')) {
    unsigned value = 0;
    auto [end, ec] =
        std::from_chars(port.data(), port.data() + port.size(), value);
    if (ec != std::errc() || end != port.data() + port.size() || value == 0 ||
        value > 65535)
      return bad("the port must be a number from 1 to 65535");
    url.port = static_cast<uint16_t>(value);
  }
  return url;
}

namespace {

// The synchronous Beast calls have no deadline of their own, so the
// asynchronous ones run on a private io_context until they finish or the
// stream's expiry cancels them.
template <typename Op>
beast::error_code Run(asio::io_context& ioc, Op op) {
  beast::error_code result = asio::error::would_block;
  op([&](beast::error_code ec, auto&&...) { result = ec; });
  ioc.restart();
  ioc.run();
  return result;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

}  // namespace

StatusOr<HttpReply> Exchange(const Url& url, std::string_view method,
                             std::string_view target, std::string_view body,
                             const Headers& headers,
                             std::chrono::milliseconds timeout) {
  const std::string where = url.host + ":" + std::to_string(url.port);
  auto unavailable = [&](const std::string& what, beast::error_code ec) {
    return Status::Unavailable(
        what + " " + where + ": " +
        (ec == beast::error::timeout
             ? "no answer within " + std::to_string(timeout.count() / 1000) +
                   " s"
             : ec.message()) +
        (what == "cannot connect to" ? " (is helpdeskd running there?)" : ""));
  };
  asio::io_context ioc;
  tcp::resolver resolver(ioc);
  beast::error_code ec;
  auto endpoints = resolver.resolve(url.host, std::to_string(url.port), ec);
  if (ec) return unavailable("cannot resolve", ec);

  beast::tcp_stream stream(ioc);
  stream.expires_after(timeout);  // one deadline for the whole exchange
  ec =
      Run(ioc, [&](auto handler) { stream.async_connect(endpoints, handler); });
  if (ec) return unavailable("cannot connect to", ec);

  bhttp::request<bhttp::string_body> req;
  req.method_string(std::string(method));
  req.target(std::string(target));
  req.version(11);
  req.set(bhttp::field::host, where);
  req.set(bhttp::field::user_agent, "helpdeskctl");
  req.set(bhttp::field::connection, "close");
  // Every route but /healthz needs a credential: the API token or session
  // in $HELPDESK_TOKEN (an environment variable, never an argument, which
  // any user could read in the process list).
  if (const char* token = std::getenv("HELPDESK_TOKEN");
      token != nullptr && *token != '\0')
    req.set(bhttp::field::authorization, std::string("Bearer ") + token);
  for (const auto& [name, value] : headers) req.set(name, value);
  req.body() = std::string(body);
  if (!body.empty() || method == "PUT" || method == "POST")
    req.prepare_payload();
  ec =
      Run(ioc, [&](auto handler) { bhttp::async_write(stream, req, handler); });
  if (ec) return unavailable("cannot send to", ec);

  beast::flat_buffer buffer;
  bhttp::response_parser<bhttp::string_body> parser;
  parser.body_limit(std::uint64_t{256} << 20);  // a catalogue is far smaller
  ec = Run(ioc, [&](auto handler) {
    bhttp::async_read(stream, buffer, parser, handler);
  });
  if (ec) return unavailable("no complete answer from", ec);
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);  // best effort

  auto& res = parser.get();
  HttpReply reply;
  reply.status = res.result_int();
  std::string type = Lower(res[bhttp::field::content_type]);
  reply.content_type = type.substr(0, type.find(';'));
  while (!reply.content_type.empty() && reply.content_type.back() == ' ')
    reply.content_type.pop_back();
  reply.body = std::move(res.body());
  return reply;
}

}  // namespace helpdesk::ctl
