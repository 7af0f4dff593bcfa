// HTTP/1.1 on the wire: raw bytes, pipelining, chunked bodies, HEAD, and
// request ids.

#include "tests/integration/fixture.h"

namespace helpdesk::testing {
namespace {

using Wire = DaemonTest;

size_t Count(const std::string& haystack, const std::string& needle) {
  size_t n = 0;
  for (size_t at = haystack.find(needle); at != std::string::npos;
       at = haystack.find(needle, at + 1))
    ++n;
  return n;
}

TEST_F(Wire, GarbageGetsA400AndAClose) {
  HttpClient raw(daemon_->port(), std::chrono::seconds(5));
  HttpClient::Raw r = raw.SendRaw("HELLO THERE\r\n\r\n");
  EXPECT_EQ(r.received.rfind("HTTP/1.1 400", 0), 0u) << r.received;
  EXPECT_TRUE(r.closed) << "still open after " << r.elapsed.count() << " ms";
  EXPECT_EQ(client_->Get("/healthz").status, 200);
}

TEST_F(Wire, PipelinedRequestsAreAnsweredInOrder) {
  const std::string auth = AuthLine();
  HttpClient raw(daemon_->port(), std::chrono::seconds(5));
  HttpClient::Raw r = raw.SendRaw(
      "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /api/v1/tickets/1 HTTP/1.1\r\nHost: x\r\n" +
      auth +
      "\r\n"
      "GET /api/v1/municipalities HTTP/1.1\r\nHost: x\r\n" +
      auth + "Connection: close\r\n\r\n");
  EXPECT_TRUE(r.closed);
  size_t ok1 = r.received.find("HTTP/1.1 200");
  size_t missing = r.received.find("HTTP/1.1 404");
  size_t ok2 = r.received.find("HTTP/1.1 200", ok1 + 1);
  ASSERT_NE(ok1, std::string::npos) << r.received;
  ASSERT_NE(missing, std::string::npos) << r.received;
  ASSERT_NE(ok2, std::string::npos) << r.received;
  EXPECT_LT(ok1, missing);
  EXPECT_LT(missing, ok2);
  EXPECT_NE(r.received.find("kongsberg", ok2), std::string::npos);
}

TEST_F(Wire, Http10GetsAnAnswerAndAClose) {
  HttpClient raw(daemon_->port(), std::chrono::seconds(5));
  HttpClient::Raw r = raw.SendRaw("GET /healthz HTTP/1.0\r\n\r\n");
  EXPECT_NE(r.received.find(" 200 "), std::string::npos) << r.received;
  EXPECT_NE(r.received.find("\"ok\""), std::string::npos) << r.received;
  EXPECT_TRUE(r.closed);
}

TEST_F(Wire, AChunkedBodyIsAccepted) {
  std::string body = GoodTicket().dump();
  std::string half1 = body.substr(0, body.size() / 2);
  std::string half2 = body.substr(body.size() / 2);
  auto hex = [](size_t n) {
    char buf[32];
    std::snprintf(buf, sizeof buf, "%zx", n);
    return std::string(buf);
  };
  HttpClient raw(daemon_->port(), std::chrono::seconds(5));
  HttpClient::Raw r = raw.SendRaw(
      "POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\n" + AuthLine() +
      "Content-Type: application/json\r\nTransfer-Encoding: chunked\r\n"
      "Connection: close\r\n\r\n" +
      hex(half1.size()) + "\r\n" + half1 + "\r\n" + hex(half2.size()) + "\r\n" +
      half2 + "\r\n0\r\n\r\n");
  EXPECT_EQ(r.received.rfind("HTTP/1.1 201", 0), 0u) << r.received;
  EXPECT_EQ(GetJson("/api/v1/tickets/1")["title"], GoodTicket()["title"]);
}

TEST_F(Wire, AnAnnouncedOversizeBodyIsRefusedWithoutWaitingForIt) {
  // Content-Length says 10 MB; none of it is sent. The answer must come
  // from the header alone, long before any timeout.
  HttpClient raw(daemon_->port(), std::chrono::seconds(3));
  HttpClient::Raw r = raw.SendRaw(
      "POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\n" + AuthLine() +
      "Content-Type: application/json\r\nContent-Length: 10000000\r\n\r\n");
  EXPECT_EQ(r.received.rfind("HTTP/1.1 413", 0), 0u) << r.received;
  EXPECT_NE(r.received.find("/problems/body-too-large"), std::string::npos);
  EXPECT_EQ(EventCount(), 0u);
}

TEST_F(Wire, HeadHasTheHeadersOfGetAndNoBody) {
  Create();  // version 2: filed, then assigned by the dispatcher
  HttpResponse get = client_->Get("/api/v1/tickets/1");
  HttpResponse head = client_->Send("HEAD", "/api/v1/tickets/1", "", {});
  EXPECT_EQ(head.status, 200) << head.error;
  EXPECT_EQ(head.header("etag"), "\"2\"");
  EXPECT_EQ(head.header("etag"), get.header("etag"));
  EXPECT_EQ(head.header("content-type"), get.header("content-type"));
  EXPECT_TRUE(head.body.empty());
  // The connection is still good for the next request.
  EXPECT_EQ(client_->Get("/healthz").status, 200);
}

TEST_F(Wire, EveryResponseCarriesARequestIdThatEventsRecord) {
  HttpResponse mine = client_->Get("/healthz", {{"X-Request-Id", "abc-123"}});
  EXPECT_EQ(mine.header("x-request-id"), "abc-123");
  HttpResponse problem =
      client_->Get("/api/v1/tickets/77", {{"X-Request-Id", "lost-77"}});
  EXPECT_EQ(problem.header("x-request-id"), "lost-77");
  EXPECT_EQ(Parse(problem)["requestId"], "lost-77") << problem.body;
  EXPECT_EQ(Parse(problem)["instance"], "/api/v1/tickets/77") << problem.body;

  // Without one the daemon makes one up, different each time, and the
  // events of a write record the same id the response carried: a create
  // writes the ticket and the dispatcher's decision.
  HttpResponse a = client_->Post("/api/v1/tickets", GoodTicket().dump());
  HttpResponse b = client_->Post("/api/v1/tickets", GoodTicket().dump());
  ASSERT_EQ(a.status, 201);
  ASSERT_EQ(b.status, 201);
  EXPECT_FALSE(a.header("x-request-id").empty());
  EXPECT_NE(a.header("x-request-id"), b.header("x-request-id"));
  std::vector<json> events = AllEvents();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_TRUE(events[0].contains("ticketCreated")) << events[0].dump();
  EXPECT_TRUE(events[1].contains("assigned")) << events[1].dump();
  EXPECT_EQ(events[0]["requestId"], a.header("x-request-id"));
  EXPECT_EQ(events[1]["requestId"], a.header("x-request-id"));
  EXPECT_EQ(events[2]["requestId"], b.header("x-request-id"));
  EXPECT_EQ(events[3]["requestId"], b.header("x-request-id"));
}

TEST_F(Wire, ManyRequestsShareOneKeptAliveConnection) {
  HttpClient raw(daemon_->port(), std::chrono::seconds(5));
  std::string requests;
  for (int i = 0; i < 50; ++i)
    requests += "GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n";
  requests += "GET /healthz HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  HttpClient::Raw r = raw.SendRaw(requests);
  EXPECT_EQ(Count(r.received, "HTTP/1.1 200"), 51u)
      << r.received.substr(0, 500);
  EXPECT_TRUE(r.closed);
}

// A whole catalogue is larger than any other body: its import has its own
// limit (max_import_bytes), every other route keeps max_body_bytes.
TEST_F(Wire, ACatalogueImportMayBeLargerThanOtherBodies) {
  json flat = GetJson("/api/v1/catalogue?view=flat");
  for (auto& s : flat["services"]) s["description"] = std::string(1900, 'x');
  const std::string big = flat.dump();
  ASSERT_GT(big.size(), 64u * 1024) << "the default max_body_bytes";
  HttpResponse imported = client_->Send("PUT", "/api/v1/catalogue", big,
                                        {{"Content-Type", "application/json"}});
  EXPECT_EQ(imported.status, 200) << imported.body;

  json service = GetJson("/api/v1/catalogue/services/eksamen");
  service["description"] = std::string(70 * 1024, 'y');
  HttpResponse refused =
      client_->Send("PUT", "/api/v1/catalogue/services/eksamen", service.dump(),
                    {{"Content-Type", "application/json"}});
  ExpectProblem(refused, 413, "/problems/body-too-large");
}

}  // namespace
}  // namespace helpdesk::testing
