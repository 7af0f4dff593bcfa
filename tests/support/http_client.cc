#include "tests/support/http_client.h"

#include <boost/asio.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <cctype>
#include <optional>

namespace helpdesk::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = boost::beast::http;
using tcp = asio::ip::tcp;

struct HttpClient::Impl {
  uint16_t port = 0;
  std::chrono::milliseconds timeout{0};
  asio::io_context ioc;
  std::optional<beast::tcp_stream> stream;
  beast::flat_buffer buffer;

  // The sync Beast calls have no deadline of their own, so the async ones
  // run on this private io_context until they finish or the stream's
  // expiry cancels them.
  template <typename Op>
  beast::error_code Run(Op op) {
    beast::error_code result = asio::error::would_block;
    op([&](beast::error_code ec, std::size_t) { result = ec; });
    ioc.restart();
    ioc.run();
    return result;
  }

  bool Connect(std::string& error) {
    stream.emplace(ioc);
    buffer.clear();
    stream->expires_after(timeout);
    auto ec = Run([&](auto handler) {
      stream->async_connect(
          tcp::endpoint(asio::ip::make_address("127.0.0.1"), port),
          [handler](beast::error_code e) mutable { handler(e, 0); });
    });
    if (ec) {
      error =
          "connect to 127.0.0.1:" + std::to_string(port) + ": " + ec.message();
      stream.reset();
      return false;
    }
    return true;
  }
};

HttpClient::HttpClient(uint16_t port, std::chrono::milliseconds timeout)
    : impl_(std::make_unique<Impl>()) {
  impl_->port = port;
  impl_->timeout = timeout;
}

HttpClient::~HttpClient() = default;

void HttpClient::Close() { impl_->stream.reset(); }

bool HttpClient::connected() const { return impl_->stream.has_value(); }

HttpResponse HttpClient::Get(const std::string& target,
                             const std::map<std::string, std::string>& h) {
  return Send("GET", target, "", h);
}

HttpResponse HttpClient::Post(const std::string& target,
                              const std::string& json,
                              const std::map<std::string, std::string>& h) {
  auto headers = h;
  bool has_type = false;
  for (const auto& [k, v] : h) {
    std::string lower = k;
    for (char& c : lower) c = static_cast<char>(std::tolower(c));
    has_type = has_type || lower == "content-type";
  }
  if (!has_type) headers.emplace("Content-Type", "application/json");
  return Send("POST", target, json, headers);
}

void HttpClient::ActAs(std::function<std::string(const std::string&)> token_of,
                       std::string default_actor) {
  token_of_ = std::move(token_of);
  default_actor_ = std::move(default_actor);
}

HttpResponse HttpClient::Send(const std::string& method,
                              const std::string& target,
                              const std::string& body,
                              const std::map<std::string, std::string>& given) {
  std::map<std::string, std::string> h = given;
  if (token_of_) {
    bool has_auth = false;
    std::string actor = default_actor_;
    for (auto it = h.begin(); it != h.end();) {
      std::string lower = it->first;
      for (char& c : lower) c = static_cast<char>(std::tolower(c));
      has_auth = has_auth || lower == "authorization";
      if (lower == "x-actor") {
        actor = it->second;
        it = h.erase(it);
      } else {
        ++it;
      }
    }
    if (!has_auth && !actor.empty())
      h.emplace("Authorization", "Bearer " + token_of_(actor));
  }
  HttpResponse out;
  for (int attempt = 0; attempt < 2; ++attempt) {
    const bool fresh = !impl_->stream;
    if (fresh && !impl_->Connect(out.error)) return out;
    http::request<http::string_body> req{http::string_to_verb(method), target,
                                         11};
    if (req.method() == http::verb::unknown) req.method_string(method);
    req.set(http::field::host, "127.0.0.1");
    for (const auto& [k, v] : h) req.set(k, v);
    req.body() = body;
    if (!body.empty() || method == "POST" || method == "PUT")
      req.prepare_payload();
    impl_->stream->expires_after(impl_->timeout);
    auto ec = impl_->Run(
        [&](auto handler) { http::async_write(*impl_->stream, req, handler); });
    http::response_parser<http::string_body> parser;
    parser.body_limit(64 << 20);
    if (method == "HEAD") parser.skip(true);
    if (!ec) {
      ec = impl_->Run([&](auto handler) {
        http::async_read(*impl_->stream, impl_->buffer, parser, handler);
      });
    }
    if (ec) {
      impl_->stream.reset();
      out.error = method + " " + target + ": " + ec.message();
      // A kept-alive connection the server closed before this request
      // arrived gives EOF/reset with nothing read: then, and only then, the
      // request cannot have been seen, and is sent again on a new one.
      if (!fresh && !parser.got_some() && ec != beast::error::timeout) continue;
      return out;
    }
    auto& res = parser.get();
    out.status = res.result_int();
    for (const auto& field : res) {
      std::string name(field.name_string());
      for (char& c : name) c = static_cast<char>(std::tolower(c));
      // Repeated fields are joined as HTTP allows (RFC 9110 5.3).
      auto [it, inserted] =
          out.headers.emplace(name, std::string(field.value()));
      if (!inserted) it->second += ", " + std::string(field.value());
    }
    out.body = std::move(res.body());
    out.error.clear();
    if (!res.keep_alive()) impl_->stream.reset();
    return out;
  }
  return out;
}

HttpClient::Raw HttpClient::SendRaw(const std::string& bytes) {
  Raw raw;
  std::string error;
  impl_->stream.reset();
  const auto start = std::chrono::steady_clock::now();
  if (!impl_->Connect(error)) return raw;
  raw.connected = true;
  impl_->stream->expires_after(impl_->timeout);
  beast::error_code ec;
  if (!bytes.empty()) {
    ec = impl_->Run([&](auto handler) {
      asio::async_write(*impl_->stream, asio::buffer(bytes), handler);
    });
  }
  char buf[4096];
  while (!ec) {
    std::size_t n = 0;
    beast::error_code rec = asio::error::would_block;
    impl_->stream->async_read_some(asio::buffer(buf),
                                   [&](beast::error_code e, std::size_t k) {
                                     rec = e;
                                     n = k;
                                   });
    impl_->ioc.restart();
    impl_->ioc.run();
    raw.received.append(buf, n);
    ec = rec;
  }
  raw.elapsed = std::chrono::duration_cast<std::chrono::milliseconds>(
      std::chrono::steady_clock::now() - start);
  // A write that fails because the server already closed counts as closed.
  raw.closed = ec == asio::error::eof || ec == asio::error::connection_reset ||
               ec == asio::error::broken_pipe;
  impl_->stream.reset();
  return raw;
}

}  // namespace helpdesk::testing
