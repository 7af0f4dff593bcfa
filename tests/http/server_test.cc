// The Beast server in-process on port 0, behind a Service of the test's own:
// no route of the product throws or blocks on purpose, so this one does
// (as leveldb's tests wrap its Env). Everything else is real: the sockets,
// the sessions, the metrics and the report pool.

#include "daemon/http/server.h"

#include <gtest/gtest.h>

#include <boost/asio/io_context.hpp>
#include <condition_variable>
#include <future>
#include <mutex>
#include <stdexcept>
#include <thread>

#include "daemon/http/metrics.h"
#include "daemon/http/service.h"
#include "tests/support/http_client.h"

namespace helpdesk::http {
namespace {

using testing::HttpClient;
using testing::HttpResponse;
using namespace std::chrono_literals;

// /throw, /throw-int and /api/v1/municipalities (a route of the table)
// throw from Handle (for any method: POST is a write); /report/... is a report
// and /bulk/... a bulk write, each blocking until Release(); anything else
// answers {"ok":true}.
class TestService : public Service {
 public:
  Access AccessOf(std::string_view method,
                  std::string_view target) const override {
    if (target.starts_with("/report")) return Access::kReport;
    if (target.starts_with("/bulk")) return Access::kBulkWrite;
    return method == "POST" ? Access::kWrite : Access::kRead;
  }

  void Handle(const Request& r, Respond respond) override {
    if (r.target == "/throw" || r.target == "/api/v1/municipalities")
      throw std::runtime_error("a bug in a handler");
    if (r.target == "/throw-int") throw 42;
    if (r.target.starts_with("/report") || r.target.starts_with("/bulk")) {
      std::unique_lock lock(mu_);
      ++blocked_;
      cv_.notify_all();
      cv_.wait(lock, [this] { return released_; });
    }
    Response resp;
    resp.body = "{\"ok\":true}";
    respond(std::move(resp));
  }

  // Waits (up to 10 s) until `n` reports are inside Handle.
  bool WaitBlocked(int n) {
    std::unique_lock lock(mu_);
    return cv_.wait_for(lock, 10s, [&] { return blocked_ >= n; });
  }
  void Release() {
    std::lock_guard lock(mu_);
    released_ = true;
    cv_.notify_all();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int blocked_ = 0;        // guarded by mu_
  bool released_ = false;  // guarded by mu_
};

// One I/O thread: a report that ran on it would stop every other request.
class ServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto port = server_.Listen();
    ASSERT_TRUE(port.ok()) << port.status().message();
    port_ = *port;
    server_.Start();
    io_ = std::thread([this] { ioc_.run(); });
  }
  void TearDown() override {
    service_.Release();
    server_.StopAccepting();
    ioc_.stop();
    io_.join();
  }

  std::string RenderedMetrics() const {
    std::string out;
    metrics_.Render(out);
    return out;
  }

  // Waits (up to 10 s) until no connection is counted open.
  bool AllClosed() const {
    for (auto deadline = std::chrono::steady_clock::now() + 10s;
         std::chrono::steady_clock::now() < deadline;
         std::this_thread::sleep_for(2ms))
      if (metrics_.open_connections() == 0) return true;
    return false;
  }

  boost::asio::io_context ioc_{1};
  Metrics metrics_;
  TestService service_;
  Server server_{ioc_,
                 service_,
                 metrics_,
                 {.address = "127.0.0.1",
                  .port = 0,
                  .report_threads = 1,
                  .report_queue = 0}};
  uint16_t port_ = 0;
  std::thread io_;
};

void ExpectInternalError(const HttpResponse& r) {
  EXPECT_EQ(r.status, 500) << r.error;
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_NE(r.body.find("\"type\":\"/problems/internal\""), std::string::npos)
      << r.body;
  EXPECT_NE(r.body.find(r.header("x-request-id")), std::string::npos)
      << "the detail names the request id the log has: " << r.body;
  EXPECT_EQ(r.body.find("a bug in a handler"), std::string::npos)
      << "what threw stays in the log: " << r.body;
}

TEST_F(ServerTest, AThrowIsA500ForThatRequestAndTheConnectionServesOn) {
  HttpClient client(port_, 5s);
  ExpectInternalError(client.Get("/throw"));
  ExpectInternalError(client.Get("/throw-int"));
  ExpectInternalError(client.Post("/throw", "{}"));  // a write
  EXPECT_EQ(client.Get("/fine").status, 200);
  EXPECT_EQ(client.Post("/fine", "{}").status, 200);
  const std::string m = RenderedMetrics();
  EXPECT_NE(m.find("helpdesk_http_exceptions_total 3\n"), std::string::npos)
      << m;
  EXPECT_NE(m.find("route=\"unmatched\",method=\"GET\",code=\"500\"} 2\n"),
            std::string::npos)
      << m;
  // A route of the table that fails counts under its own label (counted
  // once its answer is written: the next request on the connection is read
  // only after that).
  ExpectInternalError(client.Get("/api/v1/municipalities"));
  EXPECT_EQ(client.Get("/fine").status, 200);
  EXPECT_NE(RenderedMetrics().find("route=\"/api/v1/municipalities\",method="
                                   "\"GET\",code=\"500\"} 1\n"),
            std::string::npos)
      << RenderedMetrics();
  client.Close();
  EXPECT_TRUE(AllClosed()) << "the connection count leaked: "
                           << metrics_.open_connections();
}

TEST_F(ServerTest, AReportRunsOffTheIoThreadAndAFullPoolSays503) {
  auto report = std::async(std::launch::async, [this] {
    HttpClient c(port_, 20s);
    return c.Get("/report/1").status;
  });
  ASSERT_TRUE(service_.WaitBlocked(1));
  // The report holds the pool's one thread; the one I/O thread serves on.
  HttpClient client(port_, 5s);
  EXPECT_EQ(client.Get("/fine").status, 200);
  // No room to wait (report_queue 0): the next report is refused at once.
  HttpResponse busy = client.Get("/report/2");
  EXPECT_EQ(busy.status, 503) << busy.error;
  EXPECT_EQ(busy.header("retry-after"), "1");
  EXPECT_NE(busy.body.find("/problems/unavailable"), std::string::npos);
  service_.Release();
  EXPECT_EQ(report.get(), 200);
  EXPECT_EQ(client.Get("/report/3").status, 200);
}

// A catalogue import or a rota is parsed and decided in tens of ms before
// the writer saves it: on the pool too, so the I/O thread serves on.
TEST_F(ServerTest, ABulkWriteIsDecidedOffTheIoThreadAndSharesTheReportPool) {
  auto bulk = std::async(std::launch::async, [this] {
    HttpClient c(port_, 20s);
    return c.Send("PUT", "/bulk/1", "{}", {}).status;
  });
  ASSERT_TRUE(service_.WaitBlocked(1));
  HttpClient client(port_, 5s);
  EXPECT_EQ(client.Get("/fine").status, 200);
  EXPECT_EQ(client.Post("/fine", "{}").status, 200);  // a write, too
  HttpResponse busy = client.Get("/report/1");
  EXPECT_EQ(busy.status, 503) << busy.error;
  service_.Release();
  EXPECT_EQ(bulk.get(), 200);
  EXPECT_EQ(client.Send("PUT", "/bulk/2", "{}", {}).status, 200);
}

}  // namespace
}  // namespace helpdesk::http
