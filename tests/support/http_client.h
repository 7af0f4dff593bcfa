#pragma once
// A small blocking HTTP/1.1 client for tests: one keep-alive connection to
// 127.0.0.1:port, with a deadline on every call, plus raw exchanges for
// malformed requests and slow or idle clients. Beast stays in the .cc (it
// costs seconds per translation unit), so this header has plain types only.
// Not thread-safe: one client per thread.

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>

namespace helpdesk::testing {

struct HttpResponse {
  int status = 0;  // 0: no response (connection failed, closed or timed out)
  std::map<std::string, std::string> headers;  // names in lowercase
  std::string body;
  std::string error;  // why status is 0
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

class HttpClient {
 public:
  // `timeout` bounds each call: connect, write and read together.
  explicit HttpClient(uint16_t port, std::chrono::milliseconds timeout =
                                         std::chrono::seconds(10));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse Get(const std::string& target,
                   const std::map<std::string, std::string>& headers = {});
  // Sends `json` with Content-Type: application/json unless `headers` sets
  // another Content-Type.
  HttpResponse Post(const std::string& target, const std::string& json,
                    const std::map<std::string, std::string>& headers = {});
  // Any method. Reuses the kept-alive connection; if the server had closed
  // it (nothing of a response came back on a reused connection) the request
  // is sent once more on a fresh one.
  HttpResponse Send(const std::string& method, const std::string& target,
                    const std::string& body,
                    const std::map<std::string, std::string>& headers);

  // Who the requests go as. With `token_of` set, each request without an
  // Authorization header is sent with "Authorization: Bearer
  // <token_of(actor)>", where actor is its X-Actor header (then not sent)
  // or `default_actor`; an X-Actor of "" sends no credential at all.
  // Tests name who acts as they did before there were logins.
  void ActAs(std::function<std::string(const std::string&)> token_of,
             std::string default_actor);

  // Drops the kept-alive connection, if any.
  void Close();
  bool connected() const;

  // Opens a fresh connection, writes `bytes` (possibly none), then reads
  // until the server closes the connection or the timeout passes.
  struct Raw {
    std::string received;
    bool connected = false;  // the connection was made at all
    bool closed = false;     // the server closed it (EOF or reset)
    std::chrono::milliseconds elapsed{0};  // from connect to close/timeout
  };
  Raw SendRaw(const std::string& bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::function<std::string(const std::string&)> token_of_;
  std::string default_actor_;
};

}  // namespace helpdesk::testing
