// Every kind of bad input gets a problem+json that says what to fix, and
// changes nothing.

#include "tests/integration/fixture.h"

namespace helpdesk::testing {
namespace {

class BadInput : public DaemonTest {
 protected:
  void SetUp() override {
    DaemonTest::SetUp();
    Create();  // ticket 1, so updates have something to hit
    events_before_ = EventCount();
  }
  void TearDown() override {
    EXPECT_EQ(EventCount(), events_before_) << "bad input wrote something";
    EXPECT_EQ(GetJson("/api/v1/tickets")["tickets"].size(), 1u);
  }
  size_t events_before_ = 0;
};

TEST_F(BadInput, MalformedJsonIs400) {
  for (const char* body : {"{", "", "not json", "[1,2]", "\"a string\"", "{\"title\":}"}) {
    ExpectProblem(client_->Post("/api/v1/tickets", body), 400,
                  "/problems/malformed-json");
  }
}

TEST_F(BadInput, FieldProblemsAre422NamingTheField) {
  struct Case {
    std::function<void(json&)> mutate;
    std::string field;
  };
  std::vector<Case> cases = {
      {[](json& j) { j.erase("title"); }, "title"},
      {[](json& j) { j["title"] = ""; }, "title"},
      {[](json& j) { j["title"] = 7; }, "title"},
      {[](json& j) { j["title"] = std::string(500, 'x'); }, "title"},
      {[](json& j) { j.erase("description"); }, "description"},
      {[](json& j) { j["municipality"] = "oslo"; }, "municipality"},
      {[](json& j) { j.erase("municipality"); }, "municipality"},
      {[](json& j) { j["location"] = "tinn-radhus"; }, "location"},
      {[](json& j) { j["serviceId"] = "   "; }, "serviceId"},
      {[](json& j) { j.erase("reporter"); }, "reporter"},
      {[](json& j) { j["priority"] = 5; }, "priority"},
      {[](json& j) { j["priority"] = "urgent"; }, "priority"},
      {[](json& j) { j["municiplaity"] = "rollag"; }, "municiplaity"},
      {[](json& j) { j["reporter"] = json::object(); }, "reporter"},
  };
  for (const auto& c : cases) {
    json body = GoodTicket();
    c.mutate(body);
    HttpResponse r = client_->Post("/api/v1/tickets", body.dump());
    ExpectProblem(r, 422, "/problems/invalid-field");
    json p = json::parse(r.body);
    EXPECT_EQ(p["field"], c.field) << body.dump();
    EXPECT_NE(p["detail"].get<std::string>().find(c.field), std::string::npos)
        << p["detail"];
  }
}

TEST_F(BadInput, BadUpdatesChangeNothing) {
  ExpectProblem(client_->Post("/api/v1/tickets/1/status",
                              R"({"status":"flying","version":1})"),
                422, "/problems/invalid-field");
  ExpectProblem(client_->Post("/api/v1/tickets/1/status", R"({"version":1})"),
                422, "/problems/invalid-field");
  ExpectProblem(client_->Post("/api/v1/tickets/1/comments", R"({"author":"a"})"),
                422, "/problems/invalid-field");
  ExpectProblem(client_->Post("/api/v1/tickets/99/status",
                              R"({"status":"assigned","assignee":"a","version":1})"),
                404, "/problems/not-found");
  ExpectProblem(client_->Post("/api/v1/tickets/1/status",
                              R"({"status":"in_progress"})",
                              {{"If-Match", "\"abc\""}}),
                400, "/problems/invalid-parameter");
  EXPECT_EQ(GetJson("/api/v1/tickets/1")["version"], 1);
}

TEST_F(BadInput, WrongContentTypeIs415) {
  ExpectProblem(client_->Send("POST", "/api/v1/tickets", GoodTicket().dump(),
                              {{"Content-Type", "text/plain"}}),
                415, "/problems/unsupported-media-type");
}

TEST_F(BadInput, RoutesMethodsAndIds) {
  ExpectProblem(client_->Get("/api/v1/nothing"), 404, "/problems/not-found");
  ExpectProblem(client_->Get("/api/v1/tickets/42"), 404, "/problems/not-found");
  ExpectProblem(client_->Get("/api/v1/tickets/abc"), 404, "/problems/not-found");
  HttpResponse r = client_->Send("DELETE", "/api/v1/tickets/1", "", {});
  ExpectProblem(r, 405, "/problems/method-not-allowed");
  EXPECT_EQ(r.header("allow"), "GET, HEAD");
  ExpectProblem(client_->Send("PUT", "/api/v1/tickets", "{}",
                              {{"Content-Type", "application/json"}}),
                405, "/problems/method-not-allowed");
}

TEST_F(BadInput, BadQueryParametersAre400) {
  for (const char* q : {"?limit=0", "?limit=201", "?limit=x", "?cursor=bogus",
                        "?status=flying", "?statsu=new", "?limit=1&limit=2",
                        "?municipality=%zz"}) {
    HttpResponse r = client_->Get(std::string("/api/v1/tickets") + q);
    ExpectProblem(r, 400, "/problems/invalid-parameter");
  }
  ExpectProblem(client_->Get("/api/v1/events?after=-1"), 400,
                "/problems/invalid-parameter");
}

TEST_F(BadInput, OversizeBodyIs413AndOversizeHeadersAre431) {
  json body = GoodTicket();
  body["description"] = std::string(70000, 'x');
  ExpectProblem(client_->Post("/api/v1/tickets", body.dump()), 413,
                "/problems/body-too-large");
  HttpResponse r = client_->Get("/healthz", {{"X-Padding", std::string(9000, 'a')}});
  ExpectProblem(r, 431, "/problems/headers-too-large");
}

TEST_F(BadInput, GarbageOnTheWireGetsA400AndAClose) {
  HttpClient::Raw raw = client_->SendRaw("HELLO THERE\r\n\r\n");
  EXPECT_NE(raw.received.find("400"), std::string::npos) << raw.received;
  EXPECT_TRUE(raw.closed);
}

}  // namespace
}  // namespace helpdesk::testing
