// The whole life of a ticket through the real daemon over HTTP.

#include <set>

#include "tests/integration/fixture.h"

namespace helpdesk::testing {
namespace {

class Lifecycle : public DaemonTest {
 protected:
  json Move(const std::string& id, const json& body, int expect = 200) {
    HttpResponse r =
        client_->Post("/api/v1/tickets/" + id + "/status", body.dump());
    EXPECT_EQ(r.status, expect) << r.body;
    return json::parse(r.body);
  }
};

TEST_F(Lifecycle, CreateAnswersTheTicketWithLocationAndETag) {
  HttpResponse r = client_->Post("/api/v1/tickets", GoodTicket().dump(),
                                 {{"X-Request-Id", "test-create-1"}});
  ASSERT_EQ(r.status, 201) << r.body;
  json t = json::parse(r.body);
  EXPECT_EQ(t["id"], "1");
  EXPECT_EQ(t["status"], "new");
  EXPECT_EQ(t["priority"], "high");
  EXPECT_EQ(t["version"], 1);
  EXPECT_FALSE(t["createdAt"].get<std::string>().empty());
  EXPECT_EQ(r.header("location"), "/api/v1/tickets/1");
  EXPECT_EQ(r.header("etag"), "\"1\"");
  EXPECT_EQ(r.header("x-request-id"), "test-create-1");
  json got = GetJson("/api/v1/tickets/1");
  EXPECT_EQ(got["title"], GoodTicket()["title"]);
  EXPECT_EQ(got["location"], "rollag-kommunehus");
  json second = Create();
  EXPECT_EQ(second["id"], "2");
}

TEST_F(Lifecycle, WalksEveryStatusAndRecordsWhoDidWhat) {
  std::string id = Create()["id"];
  json t = Move(id, {{"status", "assigned"}, {"assignee", "ola.it"},
                     {"version", 1}, {"actor", "jobbfordeler"}});
  EXPECT_EQ(t["assignee"], "ola.it");
  int v = t["version"];
  for (const char* s : {"in_progress", "waiting_on_user", "in_progress",
                        "waiting_on_supplier", "in_progress", "resolved",
                        "in_progress", "resolved", "closed"}) {
    t = Move(id, {{"status", s}, {"version", v}, {"actor", "ola.it"}});
    EXPECT_EQ(t["status"], s);
    EXPECT_EQ(t["version"], v + 1);
    v = t["version"];
  }
  HttpResponse c = client_->Post("/api/v1/tickets/" + id + "/comments",
                                 R"({"author":"ola.it","body":"hei"})");
  ExpectProblem(c, 409, "/problems/illegal-transition");  // closed

  json events = GetJson("/api/v1/tickets/" + id + "/events");
  ASSERT_EQ(events["events"].size(), 11u);
  EXPECT_EQ(events["events"][0]["actor"], "kari.nordmann");
  EXPECT_TRUE(events["events"][0].contains("ticketCreated"));
  EXPECT_EQ(events["events"][1]["actor"], "jobbfordeler");
  EXPECT_EQ(events["events"][1]["statusChanged"]["from"], "new");
  EXPECT_EQ(events["events"][1]["statusChanged"]["to"], "assigned");
  EXPECT_EQ(events["events"][10]["statusChanged"]["to"], "closed");
  for (const auto& e : events["events"])
    EXPECT_FALSE(e["requestId"].get<std::string>().empty());
}

TEST_F(Lifecycle, CommentsAreKeptInOrderOnTheTicket) {
  std::string id = Create()["id"];
  for (const char* body : {"Første", "Andre – med æøå"}) {
    HttpResponse r = client_->Post(
        "/api/v1/tickets/" + id + "/comments",
        json({{"author", "ola.it"}, {"body", body}}).dump());
    ASSERT_EQ(r.status, 201) << r.body;
  }
  json t = GetJson("/api/v1/tickets/" + id);
  ASSERT_EQ(t["comments"].size(), 2u);
  EXPECT_EQ(t["comments"][1]["body"], "Andre – med æøå");
  EXPECT_EQ(t["commentCount"], 2);
  EXPECT_EQ(t["version"], 3);
}

TEST_F(Lifecycle, StaleVersionsConflictAndIfMatchWorks) {
  std::string id = Create()["id"];
  Move(id, {{"status", "assigned"}, {"assignee", "ola"}, {"version", 1}});
  // A second agent still holding version 1 is refused.
  HttpResponse stale = client_->Post(
      "/api/v1/tickets/" + id + "/status",
      json({{"status", "in_progress"}, {"version", 1}}).dump());
  ExpectProblem(stale, 409, "/problems/version-conflict");
  EXPECT_EQ(json::parse(stale.body)["currentVersion"], 2);
  HttpResponse missing = client_->Post("/api/v1/tickets/" + id + "/status",
                                       R"({"status":"in_progress"})");
  ExpectProblem(missing, 428, "/problems/version-required");
  HttpResponse etag = client_->Get("/api/v1/tickets/" + id);
  HttpResponse matched = client_->Post(
      "/api/v1/tickets/" + id + "/status", R"({"status":"in_progress"})",
      {{"If-Match", etag.header("etag")}});
  EXPECT_EQ(matched.status, 200) << matched.body;
}

TEST_F(Lifecycle, IllegalMovesNameTheAllowedOnes) {
  std::string id = Create()["id"];
  HttpResponse r = client_->Post("/api/v1/tickets/" + id + "/status",
                                 R"({"status":"closed","version":1})");
  ExpectProblem(r, 409, "/problems/illegal-transition");
  EXPECT_EQ(json::parse(r.body)["allowed"], json::array({"assigned"}));
  HttpResponse no_assignee = client_->Post(
      "/api/v1/tickets/" + id + "/status", R"({"status":"assigned","version":1})");
  ExpectProblem(no_assignee, 422, "/problems/invalid-field");
  EXPECT_EQ(json::parse(no_assignee.body)["field"], "assignee");
}

TEST_F(Lifecycle, ListsFilterAndPageNewestFirst) {
  const char* munis[] = {"rollag", "tinn", "rollag", "hjartdal", "rollag"};
  for (const char* m : munis) {
    json body = GoodTicket();
    body["municipality"] = m;
    body.erase("location");
    Create(body);
  }
  Move("3", {{"status", "assigned"}, {"assignee", "ola"}, {"version", 1}});
  json all = GetJson("/api/v1/tickets");
  ASSERT_EQ(all["tickets"].size(), 5u);
  EXPECT_EQ(all["tickets"][0]["id"], "5");
  EXPECT_EQ(all["nextCursor"], "");
  json rollag = GetJson("/api/v1/tickets?municipality=rollag");
  ASSERT_EQ(rollag["tickets"].size(), 3u);
  json mine = GetJson("/api/v1/tickets?assignee=ola&status=assigned&municipality=rollag");
  ASSERT_EQ(mine["tickets"].size(), 1u);
  EXPECT_EQ(mine["tickets"][0]["id"], "3");
  EXPECT_EQ(GetJson("/api/v1/tickets?status=new")["tickets"].size(), 4u);

  std::vector<std::string> seen;
  std::string cursor;
  for (int page = 0; page < 10; ++page) {
    json p = GetJson("/api/v1/tickets?limit=2" +
                     (cursor.empty() ? "" : "&cursor=" + cursor));
    for (const auto& t : p["tickets"]) seen.push_back(t["id"]);
    cursor = p["nextCursor"];
    if (cursor.empty()) break;
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"5", "4", "3", "2", "1"}));
}

TEST_F(Lifecycle, TheGlobalLogIsGapFree) {
  for (int i = 0; i < 5; ++i) Create();
  Move("2", {{"status", "assigned"}, {"assignee", "ola"}, {"version", 1}});
  json first = GetJson("/api/v1/events?limit=4");
  ASSERT_EQ(first["events"].size(), 4u);
  EXPECT_EQ(first["nextCursor"], "4");
  json rest = GetJson("/api/v1/events?after=4");
  ASSERT_EQ(rest["events"].size(), 2u);
  EXPECT_EQ(rest["events"][0]["seq"], "5");
  EXPECT_EQ(rest["events"][1]["seq"], "6");
  EXPECT_EQ(rest["nextCursor"], "");
}

TEST_F(Lifecycle, MunicipalitiesHealthAndMetrics) {
  json m = GetJson("/api/v1/municipalities");
  std::set<std::string> ids;
  for (const auto& x : m["municipalities"]) {
    ids.insert(x["id"]);
    EXPECT_GE(x["locations"].size(), 3u) << x["id"];
  }
  EXPECT_EQ(ids, (std::set<std::string>{"flesberg", "hjartdal", "kongsberg",
                                        "nore-og-uvdal", "notodden", "rollag",
                                        "tinn"}));
  EXPECT_EQ(GetJson("/healthz")["status"], "ok");
  Create();
  HttpResponse metrics = client_->Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  for (const char* line :
       {"helpdesk_http_requests_total{route=\"/api/v1/tickets\",method=\"POST\","
        "code=\"201\"} 1",
        "helpdesk_writer_batch_size_count 1", "helpdesk_tickets_open 1",
        "helpdesk_tickets{status=\"new\"} 1",
        "helpdesk_http_request_duration_seconds_count"}) {
    EXPECT_NE(metrics.body.find(line), std::string::npos) << line;
  }
}

}  // namespace
}  // namespace helpdesk::testing
