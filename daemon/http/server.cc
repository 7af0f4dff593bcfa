#include "daemon/http/server.h"

#include <openssl/err.h>
#include <openssl/ssl.h>
#include <pthread.h>
#include <spdlog/spdlog.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <atomic>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <mutex>
#include <random>
#include <thread>
#include <type_traits>

#include "daemon/http/metrics.h"
#include "daemon/http/problem.h"
#include "daemon/http/query.h"
#include "daemon/http/routes.h"
#include "daemon/http/service.h"
#include "daemon/live/stream.h"

namespace helpdesk::http {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace bhttp = boost::beast::http;
namespace ssl = boost::asio::ssl;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

namespace {

// A connection of an HTTPS port; a plain one is a tcp::socket.
using TlsStream = beast::ssl_stream<tcp::socket>;
template <typename Stream>
constexpr bool kIsTls = std::is_same_v<Stream, TlsStream>;

constexpr auto kToken = asio::as_tuple(asio::use_awaitable);
// After a failed accept the listener waits this long, doubling up to
// kMaxAcceptBackoff while it keeps failing, and logs at most once per
// kAcceptLogEvery.
constexpr std::chrono::milliseconds kFirstAcceptBackoff{50};
constexpr std::chrono::milliseconds kMaxAcceptBackoff{1000};
constexpr std::chrono::seconds kAcceptLogEvery{10};
// Failed TLS handshakes (scanners, plain HTTP, health checks that only
// connect) are logged at most once per this.
constexpr std::chrono::seconds kHandshakeLogEvery{60};
// The TLS 1.2 suites offered: forward-secret AEAD only (Mozilla's
// "intermediate"). TLS 1.3 keeps OpenSSL's defaults, all of them strong.
constexpr char kTls12Ciphers[] =
    "ECDHE-ECDSA-AES128-GCM-SHA256:ECDHE-RSA-AES128-GCM-SHA256:"
    "ECDHE-ECDSA-AES256-GCM-SHA384:ECDHE-RSA-AES256-GCM-SHA384:"
    "ECDHE-ECDSA-CHACHA20-POLY1305:ECDHE-RSA-CHACHA20-POLY1305";

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

// Counts a connection as open from its accept to the end of its session,
// however the session ends: taken before the session is spawned, so a
// burst of accepts cannot pass max_connections, and released by the
// session's frame, so a throw cannot leak it.
class ConnectionSlot {
 public:
  explicit ConnectionSlot(Metrics& metrics) : metrics_(&metrics) {
    metrics.ConnectionOpened();
  }
  ConnectionSlot(ConnectionSlot&& other) noexcept
      : metrics_(std::exchange(other.metrics_, nullptr)) {}
  ConnectionSlot& operator=(ConnectionSlot&&) = delete;
  ~ConnectionSlot() {
    if (metrics_ != nullptr) metrics_->ConnectionClosed();
  }

 private:
  Metrics* metrics_;
};

// One request being handled, for WaitIdle; released however it ends.
class InFlight {
 public:
  explicit InFlight(std::atomic<int>& n) : n_(n) { n_.fetch_add(1); }
  ~InFlight() { n_.fetch_sub(1); }
  InFlight(const InFlight&) = delete;
  InFlight& operator=(const InFlight&) = delete;

 private:
  std::atomic<int>& n_;
};

// The metric label of the route `r` asks for (an answer made here, not by
// the route, still counts under it).
std::string RouteLabel(const Request& r) {
  auto target = ParseTarget(r.target);
  if (!target.ok()) return "";
  return std::string(MetricLabel(FindRoute(r.method, target->path).pattern));
}

// The exception barrier's answer: the client learns only that the request
// failed and by which id the log tells why.
Response Failed(const Request& r, std::string_view what, Metrics& metrics) {
  metrics.ExceptionCaught();
  // The path only: a query may hold what a person searched for.
  const std::string_view target = r.target;
  spdlog::error("{} {:.200} (request {}) failed with an exception: {}",
                r.method, target.substr(0, target.find('?')), r.request_id,
                what);
  Response resp = Problem(ProblemKind::kInternal,
                          "the server failed while handling this request; "
                          "the log says why under request id " +
                              r.request_id,
                          "", r.request_id);
  resp.route = RouteLabel(r);
  return resp;
}

// Handles a request that answers before Handle returns (a read or a
// report), on the calling thread; a throw becomes a 500.
Response HandleNow(Service& service, Metrics& metrics, const Request& r) {
  Response resp;
  try {
    service.Handle(r, [&resp](Response answer) { resp = std::move(answer); });
  } catch (const std::exception& e) {
    resp = Failed(r, e.what(), metrics);
  } catch (...) {
    resp = Failed(r, "not a std::exception", metrics);
  }
  return resp;
}

// Handles a write, which answers later from another thread. A throw
// before it answers becomes the 500; whichever answer comes first is the
// one given, so `respond` runs once.
void HandleLater(Service& service, Metrics& metrics, const Request& r,
                 Respond respond) {
  auto answered = std::make_shared<std::atomic<bool>>(false);
  Respond once = [answered, respond = std::move(respond)](Response resp) {
    if (!answered->exchange(true)) respond(std::move(resp));
  };
  try {
    service.Handle(r, once);
  } catch (const std::exception& e) {
    once(Failed(r, e.what(), metrics));
  } catch (...) {
    once(Failed(r, "not a std::exception", metrics));
  }
}

// Runs `start`, which hands a Respond to whatever answers (the writer, the
// report pool), and resumes the coroutine on its own executor with the
// response, whichever thread answered.
template <typename Start, typename Token>
auto AsyncAnswer(Start start, Token&& token) {
  return asio::async_initiate<Token, void(Response)>(
      [](auto handler, Start start) {
        auto ex = asio::get_associated_executor(handler);
        using Handler = decltype(handler);
        auto h = std::make_shared<Handler>(std::move(handler));
        start([h, ex](Response resp) {
          asio::post(ex, [h, resp = std::move(resp)]() mutable {
            (*h)(std::move(resp));
          });
        });
      },
      token, std::move(start));
}

bool OutOfFds(const boost::system::error_code& ec) {
  return ec.category() == boost::system::system_category() &&
         (ec.value() == EMFILE || ec.value() == ENFILE);
}

// Failed accepts, logged at most once per kAcceptLogEvery with how many
// there were: running out of file descriptors must not fill the disk.
// Used by the accept coroutine only.
class AcceptFailures {
 public:
  void Failed(const boost::system::error_code& ec,
              std::chrono::milliseconds backoff) {
    ++since_log_;
    ++since_success_;
    const auto now = Clock::now();
    if (logged_ && now - last_log_ < kAcceptLogEvery) return;
    spdlog::warn(
        "accept failed {} time(s) since the last such line: {}; waiting {} ms "
        "before accepting again{}",
        since_log_, ec.message(), backoff.count(),
        OutOfFds(ec) ? " (out of file descriptors: raise the fd limit, "
                       "e.g. LimitNOFILE= or ulimit -n, or lower "
                       "max_connections)"
                     : "");
    since_log_ = 0;
    last_log_ = now;
    logged_ = true;
  }
  void Succeeded() {
    if (since_success_ == 0) return;
    spdlog::info("accepting connections again after {} failed accept(s)",
                 since_success_);
    since_success_ = 0;
  }

 private:
  bool logged_ = false;
  Clock::time_point last_log_;
  uint64_t since_log_ = 0;
  uint64_t since_success_ = 0;
};

// Failed TLS handshakes, counted and logged with the last one's reason.
// Any thread (a mutex guards all of it).
class HandshakeFailures {
 public:
  void Failed(const std::string& peer, const std::string& why) {
    std::lock_guard lock(mu_);
    ++since_log_;
    const auto now = Clock::now();
    if (logged_ && now - last_log_ < kHandshakeLogEvery) return;
    spdlog::warn(
        "{} TLS handshake(s) failed since the last such line; the last, from "
        "{}: {}",
        since_log_, peer.empty() ? "an unknown address" : peer, why);
    since_log_ = 0;
    last_log_ = now;
    logged_ = true;
  }

 private:
  std::mutex mu_;
  bool logged_ = false;
  Clock::time_point last_log_;
  uint64_t since_log_ = 0;
};

// Why OpenSSL failed: `ec` (asio takes the first error off OpenSSL's
// queue, the one nearest the cause), else what is queued.
std::string OpenSslError(const boost::system::error_code& ec) {
  const unsigned long queued = ERR_get_error();
  ERR_clear_error();
  if (ec || queued == 0) return ec.message();
  char text[256];
  ERR_error_string_n(queued, text, sizeof text);
  return text;
}

Status CheckReadable(const char* setting, const std::string& path) {
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (f == nullptr)
    return Status::Internal(std::string("cannot read ") + setting + " '" +
                            path + "': " + std::strerror(errno));
  std::fclose(f);
  return Status::Ok();
}

// The server's TLS settings: 1.2 at least (1.3 when the client has it),
// strong suites, no compression and no renegotiation; the certificate
// chain and key from PEM files, checked to belong together.
StatusOr<std::unique_ptr<ssl::context>> MakeTlsContext(
    const std::string& cert_file, const std::string& key_file) {
  if (Status s = CheckReadable("tls_cert_file", cert_file); !s.ok()) return s;
  if (Status s = CheckReadable("tls_key_file", key_file); !s.ok()) return s;
  auto ctx = std::make_unique<ssl::context>(ssl::context::tls_server);
  SSL_CTX* native = ctx->native_handle();
  ERR_clear_error();
  if (SSL_CTX_set_min_proto_version(native, TLS1_2_VERSION) != 1 ||
      SSL_CTX_set_cipher_list(native, kTls12Ciphers) != 1)
    return Status::Internal("cannot set up TLS: " +
                            OpenSslError(boost::system::error_code()));
  SSL_CTX_set_options(native, SSL_OP_ALL | SSL_OP_NO_COMPRESSION |
                                  SSL_OP_NO_RENEGOTIATION |
                                  SSL_OP_CIPHER_SERVER_PREFERENCE);
  // An encrypted key fails to load rather than ask for a passphrase on a
  // terminal the daemon may not have.
  boost::system::error_code ec;
  ctx->set_password_callback(
      [](std::size_t, ssl::context::password_purpose) { return std::string(); },
      ec);
  ctx->use_certificate_chain_file(cert_file, ec);
  if (ec)
    return Status::Internal("tls_cert_file '" + cert_file +
                            "' is not a PEM certificate: " + OpenSslError(ec));
  ctx->use_private_key_file(key_file, ssl::context::pem, ec);
  const bool mismatch =
      ec && ec.category() == asio::error::get_ssl_category() &&
      ERR_GET_REASON(static_cast<unsigned long>(ec.value())) ==
          X509_R_KEY_VALUES_MISMATCH;
  if (ec && !mismatch)
    return Status::Internal(
        "tls_key_file '" + key_file +
        "' is not an unencrypted PEM private key: " + OpenSslError(ec));
  // A key of another type than the certificate's loads beside it: only
  // this check finds it.
  if (mismatch || SSL_CTX_check_private_key(native) != 1) {
    ERR_clear_error();
    return Status::Internal("tls_key_file '" + key_file +
                            "' does not match the certificate in "
                            "tls_cert_file '" +
                            cert_file + "' (a key of another certificate?)");
  }
  return ctx;
}

// One connection: a stream (a tcp::socket, or TLS over one) and the
// deadline its watchdog enforces. Used only on the connection's strand.
template <typename Stream>
struct Connection {
  // `args` after the socket: the TLS context of a TlsStream.
  template <typename... Args>
  Connection(std::chrono::milliseconds step, tcp::socket s, Args&... args)
      : stream(std::move(s), args...),
        timer(stream.get_executor()),
        step(step) {
    boost::system::error_code ec;
    auto endpoint = socket().remote_endpoint(ec);
    if (!ec) peer = endpoint.address().to_string();
  }

  // The TCP socket, under TLS or not: what the watchdog closes.
  tcp::socket& socket() { return beast::get_lowest_layer(stream); }

  // Moving the deadline later is just an assignment (the watchdog finds it
  // when it wakes). Moving it earlier than the watchdog's wake-up wakes it
  // now, so it re-arms for the new deadline.
  void SetDeadline(Clock::time_point t) {
    deadline = t;
    if (t < timer.expiry()) timer.cancel();
  }

  Stream stream;
  asio::steady_timer timer;
  Clock::time_point deadline;
  // The watchdog sleeps at most this long at a time: the shortest timeout
  // the session sets as now + timeout. Its wake-up is then never later
  // than a deadline set since, so the usual moves (idle 30 s, then request
  // 10 s) never cancel it: a busy keep-alive connection costs one timer
  // wait per `step`, not one per read and write.
  const std::chrono::milliseconds step;
  std::string peer;  // the client's IP address, as the audit records it
  // Handed to the live stream, whose websocket keeps its own time: the
  // watchdog ends.
  bool live = false;
};

// Closes the socket once its deadline passes (under TLS too: what is
// pending on the stream then fails, and the session ends).
template <typename Stream>
asio::awaitable<void> Watchdog(std::shared_ptr<Connection<Stream>> c) {
  while (c->socket().is_open() && !c->live) {
    const auto now = Clock::now();
    if (now >= c->deadline) {
      boost::system::error_code ignored;
      c->socket().shutdown(tcp::socket::shutdown_both, ignored);
      c->socket().close(ignored);
      break;
    }
    c->timer.expires_at(std::min(c->deadline, now + c->step));
    // Woken when it fires, when the deadline moves earlier, or when the
    // session ends: look again either way.
    co_await c->timer.async_wait(kToken);
  }
}

}  // namespace

struct Server::Impl : std::enable_shared_from_this<Server::Impl> {
  Impl(asio::io_context& ioc, Service& service, Metrics& metrics,
       Options options)
      : ioc(ioc),
        service(service),
        metrics(metrics),
        options(std::move(options)),
        accept_strand(asio::make_strand(ioc)),
        acceptor(accept_strand),
        accept_backoff(accept_strand),
        reports_work(reports.get_executor()) {
    for (size_t i = 0; i < std::max<size_t>(1, this->options.report_threads);
         ++i) {
      report_threads.emplace_back([this] {
        // Below the I/O threads: on a small machine a report running on
        // every core must not slow what they answer. Best effort.
        (void)setpriority(PRIO_PROCESS, static_cast<id_t>(gettid()), 10);
        pthread_setname_np(pthread_self(), "hd-report");
        reports.run();
      });
    }
  }

  asio::awaitable<void> Accept();
  template <typename Stream>
  asio::awaitable<void> Session(tcp::socket socket,
                                [[maybe_unused]] ConnectionSlot slot);
  template <typename Stream>
  asio::awaitable<void> Serve(std::shared_ptr<Connection<Stream>> conn);
  template <typename Stream>
  asio::awaitable<void> Reject(tcp::socket socket);
  template <typename Stream>
  std::shared_ptr<Connection<Stream>> Connect(tcp::socket socket,
                                              std::chrono::milliseconds step) {
    if constexpr (kIsTls<Stream>)
      return std::make_shared<Connection<Stream>>(step, std::move(socket),
                                                  *tls);
    else
      return std::make_shared<Connection<Stream>>(step, std::move(socket));
  }
  // Over TLS, the handshake (by the connection's deadline); false when it
  // failed, which is counted. Over plain HTTP, true.
  template <typename Stream>
  asio::awaitable<bool> Handshake(Connection<Stream>& conn);
  asio::awaitable<Response> Answer(Access access, Request r);
  // A place on the report pool (running or waiting), if there is one.
  bool TakePoolSlot() {
    if (reports_pending.fetch_add(1) <
        options.report_threads + options.report_queue)
      return true;
    reports_pending.fetch_sub(1);
    return false;
  }
  Response ReportsBusy(const Request& r) const;

  asio::io_context& ioc;
  Service& service;
  Metrics& metrics;
  const Options options;
  // HTTPS when set (by UseTls, before any session; read-only after).
  std::unique_ptr<ssl::context> tls;
  HandshakeFailures handshake_failures;
  // The listener and its back-off timer, used on this strand only.
  asio::strand<asio::io_context::executor_type> accept_strand;
  tcp::acceptor acceptor;
  asio::steady_timer accept_backoff;
  // Long reads (Access::kReport) and the deciding of bulk writes: run on
  // these threads, never on an I/O thread.
  asio::io_context reports;
  asio::executor_work_guard<asio::io_context::executor_type> reports_work;
  std::vector<std::thread> report_threads;
  std::atomic<size_t> reports_pending{0};  // running and waiting
  std::atomic<bool> stopping{false};
  std::atomic<int> in_flight{0};
  // The live stream (UseLive, before Start; read-only after).
  live::Hub* hub = nullptr;
  std::unique_ptr<live::StreamOptions> live_options;
};

Server::Server(asio::io_context& ioc, Service& service, Metrics& metrics,
               Options options)
    : impl_(std::make_shared<Impl>(ioc, service, metrics, std::move(options))) {
}

Server::~Server() {
  impl_->reports_work.reset();  // the threads end once the queue is empty
  for (auto& t : impl_->report_threads) t.join();
}

Status Server::UseTls(const std::string& cert_file,
                      const std::string& key_file) {
  auto ctx = MakeTlsContext(cert_file, key_file);
  if (!ctx.ok()) return ctx.status();
  impl_->tls = std::move(*ctx);
  return Status::Ok();
}

void Server::UseLive(live::Hub& hub, const live::StreamOptions& options) {
  impl_->hub = &hub;
  impl_->live_options = std::make_unique<live::StreamOptions>(options);
  if (!impl_->live_options->slow)
    impl_->live_options->slow = impl_->reports.get_executor();
}

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
  asio::co_spawn(impl_->accept_strand, impl_->Accept(), asio::detached);
}

void Server::StopAccepting() {
  impl_->stopping = true;
  asio::post(impl_->accept_strand, [impl = impl_] {
    boost::system::error_code ec;
    impl->acceptor.close(ec);
    impl->accept_backoff.cancel();
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
  AcceptFailures failures;
  std::chrono::milliseconds backoff{0};
  while (!stopping) {
    auto [ec, socket] =
        co_await acceptor.async_accept(asio::make_strand(ioc), kToken);
    if (ec) {
      if (ec == asio::error::operation_aborted || stopping) break;
      // A client that gave up while it waited in the backlog.
      if (ec == asio::error::connection_aborted) continue;
      // Out of file descriptors, memory or buffers: the listener stays
      // readable, so trying again at once would spin. Wait, and let the
      // connections that finish meanwhile give their descriptors back.
      metrics.AcceptFailed();
      backoff = std::clamp(backoff * 2, kFirstAcceptBackoff, kMaxAcceptBackoff);
      failures.Failed(ec, backoff);
      accept_backoff.expires_after(backoff);
      co_await accept_backoff.async_wait(kToken);
      continue;
    }
    backoff = std::chrono::milliseconds(0);
    failures.Succeeded();
    socket.set_option(tcp::no_delay(true), ec);
    auto ex = socket.get_executor();
    if (static_cast<size_t>(metrics.open_connections()) >=
        options.max_connections) {
      metrics.ConnectionRejected();
      if (tls)
        asio::co_spawn(ex, Reject<TlsStream>(std::move(socket)),
                       asio::detached);
      else
        asio::co_spawn(ex, Reject<tcp::socket>(std::move(socket)),
                       asio::detached);
      continue;
    }
    // Counted here, where the limit is checked, not once the session runs:
    // a burst of accepts cannot pass max_connections.
    if (tls)
      asio::co_spawn(
          ex, Session<TlsStream>(std::move(socket), ConnectionSlot(metrics)),
          asio::detached);
    else
      asio::co_spawn(
          ex, Session<tcp::socket>(std::move(socket), ConnectionSlot(metrics)),
          asio::detached);
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

template <typename Stream>
asio::awaitable<bool> Server::Impl::Handshake(Connection<Stream>& conn) {
  if constexpr (!kIsTls<Stream>) {
    co_return true;
  } else {
    auto [ec] =
        co_await conn.stream.async_handshake(ssl::stream_base::server, kToken);
    if (!ec) co_return true;
    handshake_failures.Failed(
        conn.peer, Clock::now() >= conn.deadline
                       ? std::string("no handshake within the time allowed")
                       : ec.message());
    co_return false;
  }
}

// Over TLS, the 503 comes after a handshake, within the same bound.
template <typename Stream>
asio::awaitable<void> Server::Impl::Reject(tcp::socket socket) {
  auto self = shared_from_this();
  Response r =
      Problem(ProblemKind::kUnavailable,
              "too many open connections (max_connections is " +
                  std::to_string(options.max_connections) + "); retry shortly",
              "", "");
  std::string bytes =
      ResponseHead(r, RequestId(""), 11, false, r.body.size()) + r.body;
  // Bounded: a client that does not read its 503 is dropped by the watchdog.
  constexpr std::chrono::seconds kRejectTimeout{2};
  auto conn = Connect<Stream>(std::move(socket), kRejectTimeout);
  conn->SetDeadline(Clock::now() + kRejectTimeout);
  asio::co_spawn(conn->socket().get_executor(), Watchdog(conn), asio::detached);
  if (co_await Handshake(*conn))
    co_await asio::async_write(conn->stream, asio::buffer(bytes), kToken);
  boost::system::error_code ignored;
  conn->socket().shutdown(tcp::socket::shutdown_both, ignored);
  conn->socket().close(ignored);
  conn->timer.cancel();
}

// The barrier of a connection: whatever throws while it is served, the
// connection is closed, its slot released (the frame owns it) and the
// daemon serves on.
template <typename Stream>
asio::awaitable<void> Server::Impl::Session(
    tcp::socket socket, [[maybe_unused]] ConnectionSlot slot) {
  auto self = shared_from_this();
  auto conn =
      Connect<Stream>(std::move(socket),
                      std::min(options.idle_timeout, options.request_timeout));
  try {
    co_await Serve(conn);
  } catch (const std::exception& e) {
    metrics.ExceptionCaught();
    spdlog::error("a connection failed with an exception and was closed: {}",
                  e.what());
  } catch (...) {
    metrics.ExceptionCaught();
    spdlog::error("a connection failed with an exception and was closed");
  }
  boost::system::error_code ignored;
  conn->socket().shutdown(tcp::socket::shutdown_send, ignored);
  conn->socket().close(ignored);
  conn->timer.cancel();
}

Response Server::Impl::ReportsBusy(const Request& r) const {
  Response resp = Problem(
      ProblemKind::kUnavailable,
      "the pool for long requests is full (" +
          std::to_string(options.report_threads + options.report_queue) +
          " reports, catalogue imports or rotas running or waiting); retry "
          "shortly",
      "", r.request_id);
  resp.route = RouteLabel(r);
  return resp;
}

// Where a parsed request is answered: a read here on the I/O thread (no hop
// across threads), a write by the writer, a report on the report pool. A
// bulk write (a whole catalogue or rota: parsed and decided in tens of ms
// before the writer saves it) is handed to the writer from the pool too.
asio::awaitable<Response> Server::Impl::Answer(Access access, Request r) {
  if (access == Access::kBulkWrite || access == Access::kSlowWrite) {
    if (!TakePoolSlot()) co_return ReportsBusy(r);
    // The request moves to the pool: its answer (a refusal on the pool, or
    // the writer's) may resume this frame before HandleLater returns there.
    // The place on the pool is given back once, by whichever comes first,
    // so a client that retries at once never meets its own place taken.
    // Handed over raw: GCC 12 destroys a temporary of a co_await
    // expression twice (here the lambda below), so it must hold nothing
    // that owns; the pool takes ownership as it starts.
    Request* moved = new Request(std::move(r));
    co_return co_await AsyncAnswer(
        [this, moved](Respond done) {
          std::shared_ptr<const Request> request(moved);
          auto given_back = std::make_shared<std::atomic<bool>>(false);
          auto give_back = [this, given_back] {
            if (!given_back->exchange(true)) reports_pending.fetch_sub(1);
          };
          asio::post(reports, [this, request, give_back,
                               done = std::move(done)]() mutable {
            HandleLater(service, metrics, *request,
                        [give_back, done = std::move(done)](Response resp) {
                          give_back();
                          done(std::move(resp));
                        });
            give_back();
          });
        },
        asio::use_awaitable);
  }
  if (IsWrite(access)) {
    co_return co_await AsyncAnswer(
        [this, &r](Respond done) {
          HandleLater(service, metrics, r, std::move(done));
        },
        asio::use_awaitable);
  }
  if (access != Access::kReport) co_return HandleNow(service, metrics, r);
  if (!TakePoolSlot()) co_return ReportsBusy(r);
  co_return co_await AsyncAnswer(
      [this, &r](Respond done) {
        asio::post(reports, [this, &r, done = std::move(done)] {
          Response answer = HandleNow(service, metrics, r);
          reports_pending.fetch_sub(1);
          done(std::move(answer));
        });
      },
      asio::use_awaitable);
}

template <typename Stream>
asio::awaitable<void> Server::Impl::Serve(
    std::shared_ptr<Connection<Stream>> conn) {
  // A TLS client starts at once: its handshake is held to the request
  // timeout.
  conn->SetDeadline(Clock::now() + (kIsTls<Stream> ? options.request_timeout
                                                   : options.idle_timeout));
  asio::co_spawn(conn->socket().get_executor(), Watchdog(conn), asio::detached);
  if (!co_await Handshake(*conn)) co_return;
  beast::flat_buffer buffer;
  while (!stopping) {
    // Between requests the idle timeout applies; once a request has begun,
    // all of it must arrive within the request timeout (slow clients).
    if (buffer.size() == 0) {
      conn->SetDeadline(Clock::now() + options.idle_timeout);
      auto [ec, n] = co_await conn->stream.async_read_some(
          buffer.prepare(options.max_header_bytes), kToken);
      if (ec) break;
      buffer.commit(n);
    }
    conn->SetDeadline(Clock::now() + options.request_timeout);
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
      auto [rec, n] = co_await bhttp::async_read_header(conn->stream, buffer,
                                                        parser, kToken);
      ec = rec;
    }
    size_t body_limit = options.max_body_bytes;
    // How the route table answers this request: the thread and the body
    // limit (a whole-document replacement may be as large as an import).
    Access access = Access::kRead;
    if (!ec) {
      const auto& h = parser.get();
      access = service.AccessOf(h.method_string(), h.target());
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
              co_await bhttp::async_read(conn->stream, buffer, parser, kToken);
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
    // TLS failed under HTTP (a closed connection without close_notify, a
    // bad record): nothing can be answered on it.
    if (kIsTls<Stream> && (ec.category() == asio::error::get_ssl_category() ||
                           ec.category() == ssl::error::get_stream_category()))
      break;
    const auto start = Clock::now();
    InFlight busy(in_flight);
    Response resp;
    bool keep_alive = false;
    unsigned version = 11;
    bool head = false;
    std::string request_id;
    std::string method;
    if (ec) {
      request_id = RequestId("");
      if (ec == bhttp::error::header_limit) {
        resp = Problem(ProblemKind::kHeadersTooLarge,
                       "the request headers are over " +
                           std::to_string(options.max_header_bytes) +
                           " bytes; send fewer or shorter headers",
                       "", request_id);
      } else if (ec == bhttp::error::body_limit) {
        resp = Problem(ProblemKind::kBodyTooLarge,
                       "the body is over " + std::to_string(body_limit) +
                           " bytes; send less",
                       "", request_id);
      } else {
        resp = Problem(ProblemKind::kMalformedRequest,
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
      r.authorization = std::string(req[bhttp::field::authorization]);
      for (auto [it, end] = req.equal_range(bhttp::field::cookie); it != end;
           ++it) {
        if (!r.cookie.empty()) r.cookie += "; ";
        r.cookie += it->value();
      }
      r.csrf_token = std::string(req["X-CSRF-Token"]);
      r.client_address = conn->peer;
      r.tls = kIsTls<Stream>;
      r.origin = std::string(req[bhttp::field::origin]);
      r.host = std::string(req[bhttp::field::host]);
      r.websocket = beast::websocket::is_upgrade(req);
      r.idempotency_keys = static_cast<int>(req.count("Idempotency-Key"));
      r.idempotency_key = std::string(req["Idempotency-Key"]);
      r.body = std::move(req.body());
      keep_alive = req.keep_alive();
      version = req.version();
      head = req.method() == bhttp::verb::head;
      request_id = r.request_id;
      method = r.method;
      resp = co_await Answer(access, std::move(r));
      if (resp.stream && hub != nullptr && !stopping) {
        // The connection becomes a live stream until it closes; the
        // upgrade counts as one request.
        metrics.CountRequest(
            resp.route, method, 101,
            std::chrono::duration<double>(Clock::now() - start).count());
        conn->live = true;
        conn->timer.cancel();
        // Named, not temporaries of the co_await (see live/stream.h).
        const live::HttpRequest upgrade = parser.release();
        const std::shared_ptr<const live::StreamRequest> asked =
            std::move(resp.stream);
        co_await live::Serve(*hub, *live_options, conn->stream, upgrade, asked);
        break;
      }
      if (resp.stream) {
        resp = Problem(ProblemKind::kUnavailable,
                       "the live stream is not running; retry shortly", "",
                       request_id);
      }
    }
    keep_alive = keep_alive && !stopping;
    std::string head_bytes =
        ResponseHead(resp, request_id, version, keep_alive, resp.body.size());
    std::array<asio::const_buffer, 2> out = {
        asio::buffer(head_bytes),
        asio::buffer(resp.body.data(), head ? 0 : resp.body.size())};
    conn->SetDeadline(Clock::now() + options.request_timeout);
    auto [wec, wn] = co_await asio::async_write(conn->stream, out, kToken);
    metrics.CountRequest(
        resp.route, method, resp.status,
        std::chrono::duration<double>(Clock::now() - start).count());
    if (resp.replayed) metrics.CountReplay(resp.route);
    if (wec || !keep_alive) {
      // We end it: TLS says so (close_notify), so the client can tell the
      // end from a cut, waiting for its reply at most the request timeout.
      if constexpr (kIsTls<Stream>) {
        if (!wec) co_await conn->stream.async_shutdown(kToken);
      }
      break;
    }
  }
}

}  // namespace helpdesk::http
