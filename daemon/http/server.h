#pragma once
// The HTTP listener and its sessions (Boost.Beast on Boost.Asio, one
// coroutine per connection on its own strand). Enforces the limits: header
// and body size, idle and whole-request timeouts, connection count. Hands
// each request to the Service (Api) and writes back what it answers: reads
// on the I/O thread, writes from the writer, long reads (Access::kReport)
// on a small report pool of its own. A throw while handling a request is
// caught at the connection: that request is answered 500 and counted, and
// the daemon keeps serving. When accept() fails (out of file descriptors)
// the listener backs off, 50 ms doubling to 1 s, and logs once in a while.
//
// With a certificate and key (UseTls) the port speaks HTTPS only
// (TLS 1.2 or 1.3, through Beast's ssl_stream): the handshake must end
// within the request timeout, and a client that sends plain HTTP or
// garbage is closed unanswered (counted in the log); every limit above
// applies as over plain HTTP.
//
// Beast and OpenSSL stay inside server.cc: this header forward-declares
// what it needs. Thread-safety: Listen and Start before the io_context
// runs; StopAccepting and WaitIdle from any thread.

#include <chrono>
#include <cstdint>
#include <memory>
#include <string>

#include "proto/status.h"

namespace boost::asio {
class io_context;
}

namespace helpdesk::live {
class Hub;
struct StreamOptions;
}  // namespace helpdesk::live

namespace helpdesk::http {

class Service;
class Metrics;

class Server {
 public:
  struct Options {
    std::string address = "127.0.0.1";
    uint16_t port = 8080;
    size_t max_body_bytes = 64 * 1024;
    size_t max_import_bytes = 8 * 1024 * 1024;  // PUT /api/v1/catalogue
    size_t max_header_bytes = 8 * 1024;
    std::chrono::milliseconds idle_timeout{30000};
    std::chrono::milliseconds request_timeout{10000};
    size_t max_connections = 10000;
    // The report pool (reports, and the parsing and deciding of bulk
    // writes): threads, and requests that may wait for one beyond those
    // running; more get 503 with Retry-After.
    size_t report_threads = 2;
    size_t report_queue = 8;
  };

  Server(boost::asio::io_context& ioc, Service& service, Metrics& metrics,
         Options options);
  // Waits for the reports still running on the pool.
  ~Server();
  Server(const Server&) = delete;
  Server& operator=(const Server&) = delete;

  // Serves HTTPS only, with the certificate (then its intermediates) and
  // its unencrypted private key from these PEM files; before Listen. An
  // unreadable file, one that is not PEM, or a key of another certificate
  // fails with a message naming the file and what is wrong.
  [[nodiscard]] Status UseTls(const std::string& cert_file,
                              const std::string& key_file);
  // Hands the connections whose request the service answered with a
  // websocket upgrade (Response::stream) to the live stream; before
  // Start. Without it such an answer is a 503.
  void UseLive(live::Hub& hub, const live::StreamOptions& options);
  // Binds and listens; returns the bound port (useful with port 0).
  StatusOr<uint16_t> Listen();
  // Starts accepting on the io_context.
  void Start();
  // Closes the listener; sessions finish the request they are on and close.
  void StopAccepting();
  // Waits until no request is being handled (reports included), or the
  // deadline passes.
  // Returns true when idle.
  bool WaitIdle(std::chrono::steady_clock::time_point deadline);

 private:
  struct Impl;
  std::shared_ptr<Impl> impl_;
};

}  // namespace helpdesk::http
