#include "daemon/http/server.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <random>
#include <thread>

#include "daemon/http/api.h"
#include "daemon/http/metrics.h"
#include "daemon/http/problem.h"

namespace helpdesk::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr auto kToken = asio::as_tuple(asio::use_awaitable);

// An incoming X-Request-Id is kept if it is short and plain; else we make one.
std::string RequestId(std::string_view given) {
  bool sane = !given.empty() && given.size() <= 64;
  for (char c : given)
    sane = sane && (std::isalnum(static_cast<unsigned char>(c)) || c == '-' ||
                    c == '_' || c == '.');
  if (sane) return std::string(given);
  thread_local std::mt19937_64 rng{std::random_device{}()};
  static const char kHex[] = "0123456789abcdef";
  std::string id(16, '0');
  uint64_t bits = rng();
  for (char& c : id) {
    c = kHex[bits & 15];
    bits >>= 4;
  }
  return id;
}

// Runs Api::Handle and resumes the coroutine on its own executor with the
// response, wherever Api answers from (an I/O thread or the writer).
template <typename Token>
auto AsyncHandle(Api& api, Request request, Token&& token) {
  return asio::async_initiate<Token, void(Response)>(
      [&api](auto handler, Request req) {
        auto ex = asio::get_associated_executor(handler);
        using Handler = decltype(handler);
        auto h = std::make_shared<Handler>(std::move(handler));
        api.Handle(req, [h, ex](Response resp) {
          asio::post(ex, [h, resp = std::move(resp)]() mutable {
            (*h)(std::move(resp));
          });
        });
      },
      token, std::move(request));
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::io_context& ioc, Api& api, Metrics& metrics, Options options)
      : ioc(ioc),
        api(api),
        metrics(metrics),
        options(std::move(options)),
        acceptor(ioc) {}

  asio::awaitable<void> Accept();
  asio::awaitable<void> Session(tcp::socket socket);
  asio::awaitable<void> Reject(tcp::socket socket);

  asio::io_context& ioc;
  Api& api;
  Metrics& metrics;
  const Options options;
  tcp::acceptor acceptor;
  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};
};

Server::Server(asio::io_context& ioc, Api& api, Metrics& metrics,
               Options options)
    : impl_(std::make_shared<Impl>(ioc, api, metrics, std::move(options))) {}

Server::~Server() = default;

StatusOr<uint16_t> Server::Listen() {
  boost::system::error_code ec;
  auto address = asio::ip::make_address(impl_->options.address, ec);
  if (ec) {
    return Status::Internal("listen address '" + impl_->options.address +
                            "' is not an IP address: " + ec.message());
  }
  tcp::endpoint endpoint(address, impl_->options.port);
  auto& a = impl_->acceptor;
  a.open(endpoint.protocol(), ec);
  if (!ec) a.set_option(asio::socket_base::reuse_address(true), ec);
  if (!ec) a.bind(endpoint, ec);
  if (!ec) a.listen(asio::socket_base::max_listen_connections, ec);
  if (ec) {
    return Status::Internal("cannot listen on " + impl_->options.address + ":" +
                            std::to_string(impl_->options.port) + ": " +
                            ec.message());
  }
  return a.local_endpoint().port();
}

void Server::Start() {
  asio::co_spawn(impl_->acceptor.get_executor(), impl_->Accept(),
                 asio::detached);
}

void Server::StopAccepting() {
  impl_->stopping = true;
  asio::post(impl_->acceptor.get_executor(), [impl = impl_] {
    boost::system::error_code ec;
    impl->acceptor.close(ec);
  });
}

bool Server::WaitIdle(std::chrono::steady_clock::time_point deadline) {
  while (impl_->in_flight.load() > 0) {
    if (std::chrono::steady_clock::now() >= deadline) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  return true;
}

asio::awaitable<void> Server::Impl::Accept() {
  auto self = shared_from_this();
  while (!stopping) {
    auto [ec, socket] =
        co_await acceptor.async_accept(asio::make_strand(ioc), kToken);
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping) break;
      // Out of file descriptors and the like: log, and keep serving.
      spdlog::warn("accept failed: {}", ec.message());
      continue;
    }
    socket.set_option(tcp::no_delay(true), ec);
    auto ex = socket.get_executor();
    if (static_cast<size_t>(metrics.open_connections()) >=
        options.max_connections) {
      metrics.ConnectionRejected();
      asio::co_spawn(ex, Reject(std::move(socket)), asio::detached);
      continue;
    }
    asio::co_spawn(ex, Session(std::move(socket)), asio::detached);
  }
}

// One connection: a socket and the deadline its watchdog enforces. Both are
// used only on the connection's strand.
struct Connection {
  explicit Connection(tcp::socket s)
      : socket(std::move(s)), timer(socket.get_executor()) {}
  tcp::socket socket;
  asio::steady_timer timer;
  std::chrono::steady_clock::time_point deadline;
};

// Closes the socket once its deadline passes. Moving the deadline is just an
// assignment; the timer is re-armed only when it fires early, so a busy
// keep-alive connection costs one timer wait per timeout period, not one
// per read and write.
asio::awaitable<void> Watchdog(std::shared_ptr<Connection> c) {
  while (c->socket.is_open()) {
    c->timer.expires_at(c->deadline);
    auto [ec] = co_await c->timer.async_wait(kToken);
    if (ec == asio::error::operation_aborted && !c->socket.is_open()) break;
    if (std::chrono::steady_clock::now() >= c->deadline) {
      boost::system::error_code ignored;
      c->socket.shutdown(tcp::socket::shutdown_both, ignored);
      c->socket.close(ignored);
    }
  }
}

// The status line and headers, built directly: our header values are our
// own (sanitised request id, numeric ids, constants), so no escaping.
std::string ResponseHead(const Response& r, const std::string& request_id,
                         unsigned version, bool keep_alive, size_t length) {
  std::string h;
  h.reserve(256);
  h += "HTTP/1.1 ";
  h += std::to_string(r.status);
  h += ' ';
  h += bhttp::obsolete_reason(static_cast<bhttp::status>(r.status));
  h += "\r\nServer: helpdeskd\r\nContent-Type: ";
  h += r.content_type;
  h += "\r\nX-Request-Id: ";
  h += request_id;
  for (const auto& [name, value] : r.headers) {
    h += "\r\n";
    h += name;
    h += ": ";
    h += value;
  }
  h += "\r\nContent-Length: ";
  h += std::to_string(length);
  if (!keep_alive)
    h += "\r\nConnection: close";
  else if (version == 10)
    h += "\r\nConnection: keep-alive";
  h += "\r\n\r\n";
  return h;
}

asio::awaitable<void> Server::Impl::Reject(tcp::socket socket) {
  auto self = shared_from_this();
  Response r =
      Problem(503, "/problems/unavailable", "Service unavailable",
              "too many open connections (max_connections is " +
                  std::to_string(options.max_connections) + "); retry shortly",
              "", "");
  std::string bytes =
      ResponseHead(r, RequestId(""), 11, false, r.body.size()) + r.body;
  // Bounded: a client that does not read its 503 is dropped by the watchdog.
  auto conn = std::make_shared<Connection>(std::move(socket));
  conn->deadline = std::chrono::steady_clock::now() + std::chrono::seconds(2);
  asio::co_spawn(conn->socket.get_executor(), Watchdog(conn), asio::detached);
  co_await asio::async_write(conn->socket, asio::buffer(bytes), kToken);
  boost::system::error_code ignored;
  conn->socket.shutdown(tcp::socket::shutdown_both, ignored);
  conn->socket.close(ignored);
  conn->timer.cancel();
}

asio::awaitable<void> Server::Impl::Session(tcp::socket socket) {
  auto self = shared_from_this();
  metrics.ConnectionOpened();
  auto conn = std::make_shared<Connection>(std::move(socket));
  conn->deadline = std::chrono::steady_clock::now() + options.idle_timeout;
  asio::co_spawn(conn->socket.get_executor(), Watchdog(conn), asio::detached);
  beast::flat_buffer buffer;
  while (!stopping) {
    // Between requests the idle timeout applies; once a request has begun,
    // all of it must arrive within the request timeout (slow clients).
    if (buffer.size() == 0) {
      conn->deadline = std::chrono::steady_clock::now() + options.idle_timeout;
      auto [ec, n] = co_await conn->socket.async_read_some(
          buffer.prepare(options.max_header_bytes), kToken);
      if (ec) break;
      buffer.commit(n);
    }
    conn->deadline = std::chrono::steady_clock::now() + options.request_timeout;
    bhttp::request_parser<bhttp::string_body> parser;
    parser.header_limit(static_cast<std::uint32_t>(options.max_header_bytes));
    // The body limit depends on the route, known only once the header is
    // in: parse the header alone first, with the largest limit, then check
    // the declared length against the route's own (chunked bodies are held
    // to it as they arrive).
    parser.body_limit(
        std::max(options.max_body_bytes, options.max_import_bytes));
    parser.eager(false);
    // Most requests arrive whole in one read: parse what is buffered, and go
    // back to the socket only for the rest of an incomplete one.
    boost::system::error_code ec;
    buffer.consume(parser.put(buffer.data(), ec));
    if (ec == bhttp::error::need_more || (!ec && !parser.is_header_done())) {
      auto [rec, n] = co_await bhttp::async_read_header(conn->socket, buffer,
                                                        parser, kToken);
      ec = rec;
    }
    size_t body_limit = options.max_body_bytes;
    // How the route table answers this request: the thread and the body
    // limit (a whole-document replacement may be as large as an import).
    Access access = Access::kRead;
    if (!ec) {
      const auto& h = parser.get();
      access = api.AccessOf(h.method_string(), h.target());
      if (access == Access::kBulkWrite) body_limit = options.max_import_bytes;
      auto length = parser.content_length();
      if (length && *length > body_limit) {
        ec = bhttp::error::body_limit;
      } else if (!parser.is_done()) {
        parser.body_limit(body_limit);
        parser.eager(true);
        buffer.consume(parser.put(buffer.data(), ec));
        if (ec == bhttp::error::need_more || (!ec && !parser.is_done())) {
          auto [rec, n] =
              co_await bhttp::async_read(conn->socket, buffer, parser, kToken);
          ec = rec;
        }
      }
    }
    if (ec == bhttp::error::end_of_stream ||
        ec == asio::error::operation_aborted ||
        ec == asio::error::bad_descriptor ||
        ec == asio::error::connection_reset || ec == asio::error::eof) {
      break;  // closed by the client, or by the watchdog
    }
    const auto start = std::chrono::steady_clock::now();
    in_flight.fetch_add(1);
    Response resp;
    bool keep_alive = false;
    unsigned version = 11;
    bool head = false;
    std::string request_id;
    std::string method = "?";
    if (ec) {
      request_id = RequestId("");
      if (ec == bhttp::error::header_limit) {
        resp = Problem(431, "/problems/headers-too-large",
                       "Request headers too large",
                       "the request headers are over " +
                           std::to_string(options.max_header_bytes) +
                           " bytes; send fewer or shorter headers",
                       "", request_id);
      } else if (ec == bhttp::error::body_limit) {
        resp = Problem(413, "/problems/body-too-large", "Body too large",
                       "the body is over " + std::to_string(body_limit) +
                           " bytes; send less",
                       "", request_id);
      } else {
        resp = Problem(400, "/problems/malformed-request", "Malformed request",
                       "the HTTP request could not be parsed: " + ec.message(),
                       "", request_id);
      }
    } else {
      auto& req = parser.get();
      Request r;
      r.method = std::string(req.method_string());
      r.target = std::string(req.target());
      r.content_type = std::string(req[bhttp::field::content_type]);
      r.if_match = std::string(req[bhttp::field::if_match]);
      r.request_id = RequestId(req["X-Request-Id"]);
      r.actor = std::string(req["X-Actor"]);
      r.body = std::move(req.body());
      keep_alive = req.keep_alive();
      version = req.version();
      head = req.method() == bhttp::verb::head;
      request_id = r.request_id;
      method = r.method;
      if (IsWrite(access)) {
        resp = co_await AsyncHandle(api, std::move(r), asio::use_awaitable);
      } else {  // answered before Handle returns: no hop across threads
        api.Handle(r, [&resp](Response answer) { resp = std::move(answer); });
      }
    }
    keep_alive = keep_alive && !stopping;
    std::string route = resp.route.empty() ? "unmatched" : resp.route;
    int status = resp.status;
    std::string head_bytes =
        ResponseHead(resp, request_id, version, keep_alive, resp.body.size());
    std::array<asio::const_buffer, 2> out = {
        asio::buffer(head_bytes),
        asio::buffer(resp.body.data(), head ? 0 : resp.body.size())};
    conn->deadline = std::chrono::steady_clock::now() + options.request_timeout;
    auto [wec, wn] = co_await asio::async_write(conn->socket, out, kToken);
    in_flight.fetch_sub(1);
    metrics.CountRequest(
        route, method, status,
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
            .count());
    if (wec || !keep_alive) break;
  }
  boost::system::error_code ignored;
  conn->socket.shutdown(tcp::socket::shutdown_send, ignored);
  conn->socket.close(ignored);
  conn->timer.cancel();
  metrics.ConnectionClosed();
}

}  // namespace helpdesk::http
