#pragma once
// A small blocking HTTP/1.1 client for tests: one keep-alive connection to
// 127.0.0.1:port, with a timeout on every call. Beast stays in the .cc.
// Not thread-safe: one client per thread.

#include <chrono>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace helpdesk::testing {

struct HttpResponse {
  int status = 0;  // 0: no response (connection failed or closed)
  std::map<std::string, std::string> headers;  // lowercase names
  std::string body;
  std::string error;  // why status is 0
  std::string header(const std::string& lower_name) const {
    auto it = headers.find(lower_name);
    return it == headers.end() ? "" : it->second;
  }
};

class HttpClient {
 public:
  explicit HttpClient(uint16_t port,
                      std::chrono::milliseconds timeout = std::chrono::seconds(10));
  ~HttpClient();
  HttpClient(const HttpClient&) = delete;
  HttpClient& operator=(const HttpClient&) = delete;

  HttpResponse Get(const std::string& target,
                   const std::map<std::string, std::string>& headers = {});
  HttpResponse Post(const std::string& target, const std::string& json,
                    const std::map<std::string, std::string>& headers = {});
  HttpResponse Send(const std::string& method, const std::string& target,
                    const std::string& body,
                    const std::map<std::string, std::string>& headers);

  // Writes raw bytes on a fresh connection and reads until the server
  // closes it or the timeout passes. `closed` tells which.
  struct Raw {
    std::string received;
    bool closed = false;
  };
  Raw SendRaw(const std::string& bytes);

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace helpdesk::testing
