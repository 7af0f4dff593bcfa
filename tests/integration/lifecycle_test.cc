// The whole life of a ticket through the real daemon over HTTP: create,
// read, list, comment, every status move, optimistic concurrency and the
// event log.

#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "tests/integration/fixture.h"

namespace helpdesk::testing {
namespace {

class Lifecycle : public DaemonTest {
 protected:
  json Move(const std::string& id, const json& body, int expect = 200,
            const std::map<std::string, std::string>& headers = {}) {
    HttpResponse r = client_->Post("/api/v1/tickets/" + id + "/status",
                                   body.dump(), headers);
    EXPECT_EQ(r.status, expect) << body.dump() << " -> " << r.body;
    return Parse(r);
  }

  // A ticket's events, paged through with `page` per request.
  std::vector<json> TicketEvents(const std::string& id, int page) {
    std::vector<json> events;
    std::string after;
    for (int i = 0; i < 1000; ++i) {
      json p = GetJson("/api/v1/tickets/" + id +
                       "/events?limit=" + std::to_string(page) +
                       (after.empty() ? "" : "&after=" + after));
      for (const auto& e : p.value("events", json::array()))
        events.push_back(e);
      after = p.value("nextCursor", "");
      if (after.empty()) break;
    }
    return events;
  }

  // All tickets of a listing query, following nextCursor.
  std::vector<std::string> ListIds(const std::string& query, int limit) {
    std::vector<std::string> ids;
    std::string cursor;
    for (int page = 0; page < 1000; ++page) {
      json p = GetJson("/api/v1/tickets?limit=" + std::to_string(limit) +
                       (query.empty() ? "" : "&" + query) +
                       (cursor.empty() ? "" : "&cursor=" + cursor));
      EXPECT_LE(p.value("tickets", json::array()).size(),
                static_cast<size_t>(limit));
      for (const auto& t : p.value("tickets", json::array()))
        ids.push_back(t.value("id", "?"));
      cursor = p.value("nextCursor", "");
      if (cursor.empty()) break;
    }
    return ids;
  }
};

TEST_F(Lifecycle, CreateAnswers201WithTheTicketLocationAndETag) {
  HttpResponse r = client_->Post("/api/v1/tickets", GoodTicket().dump(),
                                 {{"X-Request-Id", "test-create-1"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.header("content-type").rfind("application/json", 0), 0u)
      << r.header("content-type");
  json t = Parse(r);
  EXPECT_EQ(t["id"], "1");
  EXPECT_EQ(t["status"], "new");
  EXPECT_EQ(t["version"], 1);
  EXPECT_TRUE(t["createdAt"].is_string() &&
              !t["createdAt"].get<std::string>().empty())
      << t.dump();
  for (const char* field : {"title", "description", "municipality", "location",
                            "serviceId", "priority", "reporter"}) {
    EXPECT_EQ(t[field], GoodTicket()[field]) << field;
  }
  EXPECT_EQ(r.header("location"), "/api/v1/tickets/1");
  EXPECT_EQ(r.header("etag"), "\"1\"");
  EXPECT_EQ(r.header("x-request-id"), "test-create-1");

  HttpResponse g = client_->Get("/api/v1/tickets/1");
  ASSERT_EQ(g.status, 200) << g.body;
  EXPECT_EQ(g.header("etag"), "\"1\"");
  json got = Parse(g);
  for (auto& [k, v] : t.items()) EXPECT_EQ(got[k], v) << k;

  // Priority defaults to normal; location is optional.
  json minimal = GoodTicket();
  minimal.erase("priority");
  minimal.erase("location");
  json second = Create(minimal);
  EXPECT_EQ(second["id"], "2");
  EXPECT_EQ(second["priority"], "normal");

  // A charset parameter is still application/json.
  HttpResponse third =
      client_->Post("/api/v1/tickets", GoodTicket().dump(),
                    {{"Content-Type", "application/json; charset=utf-8"}});
  EXPECT_EQ(third.status, 201) << third.body;
}

// A description near the 20000-byte limit is larger than one socket read,
// so the body arrives in pieces; it must be stored whole, byte for byte,
// with its æøå intact.
TEST_F(Lifecycle, ALongDescriptionArrivingInManyReadsIsStoredWhole) {
  std::string description;
  for (int i = 0; description.size() < 19000; ++i)
    description += "Linje " + std::to_string(i) + ": nettverket på Blåfjell "
                   "er nede, æøå ÆØÅ.\n";
  json body = GoodTicket();
  body["description"] = description;
  json t = Create(body);
  ASSERT_TRUE(t.contains("id")) << t.dump();
  json got = GetJson("/api/v1/tickets/" + t["id"].get<std::string>());
  EXPECT_EQ(got.value("description", ""), description);
}

TEST_F(Lifecycle, WalksEveryStatusAndRecordsWhoDidWhat) {
  std::string id = Create()["id"];
  json t = Move(id,
                {{"status", "assigned"},
                 {"assignee", "ola.it"},
                 {"version", 1},
                 {"actor", "jobbfordeler"}},
                200, {{"X-Request-Id", "move-1"}});
  EXPECT_EQ(t["status"], "assigned");
  EXPECT_EQ(t["assignee"], "ola.it");
  EXPECT_EQ(t["version"], 2);
  int v = 2;
  const std::vector<std::string> path = {
      "in_progress", "waiting_on_user", "in_progress", "waiting_on_supplier",
      "in_progress", "resolved",        "in_progress",  // reopen
      "resolved",    "closed"};
  for (size_t i = 0; i < path.size(); ++i) {
    t = Move(id, {{"status", path[i]}, {"version", v}, {"actor", "ola.it"}},
             200, {{"X-Request-Id", "move-" + std::to_string(i + 2)}});
    EXPECT_EQ(t["status"], path[i]);
    EXPECT_EQ(t["version"], v + 1);
    v = t.value("version", v + 1);
  }
  EXPECT_EQ(GetJson("/api/v1/tickets/" + id)["status"], "closed");
  EXPECT_EQ(GetJson("/api/v1/tickets/" + id)["assignee"], "ola.it");

  std::vector<json> events = TicketEvents(id, 100);
  ASSERT_EQ(events.size(), 11u);
  EXPECT_TRUE(events[0].contains("ticketCreated")) << events[0].dump();
  EXPECT_EQ(events[0]["actor"], "kari.nordmann");
  EXPECT_EQ(events[1]["actor"], "jobbfordeler");
  EXPECT_EQ(events[1]["requestId"], "move-1");
  EXPECT_EQ(events[1]["statusChanged"]["from"], "new");
  EXPECT_EQ(events[1]["statusChanged"]["to"], "assigned");
  EXPECT_EQ(events[1]["statusChanged"]["assignee"], "ola.it");
  std::string from = "assigned";
  uint64_t last_seq = 0;
  for (size_t i = 0; i < events.size(); ++i) {
    const json& e = events[i];
    EXPECT_EQ(e["ticketId"], id);
    EXPECT_EQ(e["ticketVersion"], static_cast<int>(i + 1)) << e.dump();
    EXPECT_FALSE(e.value("requestId", "").empty()) << e.dump();
    EXPECT_FALSE(e.value("at", "").empty()) << e.dump();
    ASSERT_TRUE(e["seq"].is_string()) << "uint64 seq must be a JSON string";
    uint64_t seq = std::stoull(e["seq"].get<std::string>());
    EXPECT_GT(seq, last_seq) << "ticket events out of order";
    last_seq = seq;
    if (i >= 2) {
      EXPECT_EQ(e["actor"], "ola.it");
      EXPECT_EQ(e["requestId"], "move-" + std::to_string(i));
      EXPECT_EQ(e["statusChanged"]["from"], from);
      EXPECT_EQ(e["statusChanged"]["to"], path[i - 2]);
      from = path[i - 2];
    }
  }
  // Paged three at a time, the history is the same.
  std::vector<json> paged = TicketEvents(id, 3);
  EXPECT_EQ(paged, events);
}

TEST_F(Lifecycle, CommentsAreKeptInOrderOnTheTicket) {
  std::string id = Create()["id"];
  for (const char* body : {"Første", "Andre – med æøå"}) {
    HttpResponse r =
        client_->Post("/api/v1/tickets/" + id + "/comments",
                      json({{"author", "ola.it"}, {"body", body}}).dump(),
                      {{"X-Request-Id", std::string("comment-") +
                                            (body[0] == 'F' ? "1" : "2")}});
    ASSERT_EQ(r.status, 201) << r.body;
    EXPECT_EQ(Parse(r)["id"], id);
  }
  json t = GetJson("/api/v1/tickets/" + id);
  ASSERT_EQ(t["comments"].size(), 2u) << t.dump();
  EXPECT_EQ(t["comments"][0]["body"], "Første");
  EXPECT_EQ(t["comments"][1]["body"], "Andre – med æøå");
  EXPECT_EQ(t["comments"][1]["author"], "ola.it");
  EXPECT_FALSE(t["comments"][1].value("createdAt", "").empty());
  EXPECT_EQ(t["commentCount"], 2);
  EXPECT_EQ(t["version"], 3);
  // Comments are only in GET by id; a listing carries none (an empty
  // repeated field may still be printed).
  json list = GetJson("/api/v1/tickets");
  ASSERT_EQ(list["tickets"].size(), 1u);
  EXPECT_TRUE(list["tickets"][0].value("comments", json::array()).empty())
      << list.dump();
  EXPECT_EQ(list["tickets"][0]["commentCount"], 2);

  std::vector<json> events = TicketEvents(id, 50);
  ASSERT_EQ(events.size(), 3u);
  EXPECT_EQ(events[2]["commentAdded"]["body"], "Andre – med æøå");
  EXPECT_EQ(events[2]["commentAdded"]["author"], "ola.it");
  EXPECT_EQ(events[2]["requestId"], "comment-2");
  EXPECT_EQ(events[2]["seq"], t["comments"][1]["seq"]);
}

TEST_F(Lifecycle, StaleVersionsConflictAndIfMatchWorks) {
  std::string id = Create()["id"];
  Move(id, {{"status", "assigned"}, {"assignee", "ola"}, {"version", 1}});
  // A second agent still holding version 1 is refused.
  HttpResponse stale =
      client_->Post("/api/v1/tickets/" + id + "/status",
                    json({{"status", "in_progress"}, {"version", 1}}).dump());
  ExpectProblem(stale, 409, "/problems/version-conflict");
  EXPECT_EQ(Parse(stale)["currentVersion"], 2) << stale.body;
  HttpResponse missing = client_->Post("/api/v1/tickets/" + id + "/status",
                                       R"({"status":"in_progress"})");
  ExpectProblem(missing, 428, "/problems/version-required");
  HttpResponse stale_match =
      client_->Post("/api/v1/tickets/" + id + "/status",
                    R"({"status":"in_progress"})", {{"If-Match", "\"1\""}});
  ExpectProblem(stale_match, 409, "/problems/version-conflict");
  EXPECT_EQ(Parse(stale_match)["currentVersion"], 2) << stale_match.body;
  EXPECT_EQ(GetJson("/api/v1/tickets/" + id)["version"], 2);

  HttpResponse current = client_->Get("/api/v1/tickets/" + id);
  ASSERT_EQ(current.header("etag"), "\"2\"");
  HttpResponse matched = client_->Post("/api/v1/tickets/" + id + "/status",
                                       R"({"status":"in_progress"})",
                                       {{"If-Match", current.header("etag")}});
  ASSERT_EQ(matched.status, 200) << matched.body;
  EXPECT_EQ(Parse(matched)["version"], 3);
  EXPECT_EQ(Parse(matched)["status"], "in_progress");
  EXPECT_EQ(TicketEvents(id, 100).size(), 3u);
}

TEST_F(Lifecycle, OfRacingWritersHoldingOneVersionExactlyOneWins) {
  std::string id = Create()["id"];
  constexpr int kRacers = 8;
  std::vector<int> codes(kRacers);
  std::vector<std::string> bodies(kRacers);
  {
    // Each racer connects first, then all send at once.
    std::vector<std::unique_ptr<HttpClient>> racers;
    for (int i = 0; i < kRacers; ++i) {
      racers.push_back(std::make_unique<HttpClient>(daemon_->port()));
      ASSERT_EQ(racers.back()->Get("/healthz").status, 200);
    }
    std::vector<std::thread> threads;
    for (int i = 0; i < kRacers; ++i) {
      threads.emplace_back([&, i] {
        HttpResponse r =
            racers[i]->Post("/api/v1/tickets/" + id + "/status",
                            json({{"status", "assigned"},
                                  {"assignee", "agent-" + std::to_string(i)},
                                  {"version", 1}})
                                .dump());
        codes[i] = r.status;
        bodies[i] = r.body;
      });
    }
    for (auto& t : threads) t.join();
  }
  int winners = 0;
  std::string winner;
  for (int i = 0; i < kRacers; ++i) {
    if (codes[i] == 200) {
      ++winners;
      winner = "agent-" + std::to_string(i);
    } else {
      EXPECT_EQ(codes[i], 409) << bodies[i];
      EXPECT_NE(bodies[i].find("/problems/version-conflict"), std::string::npos)
          << bodies[i];
    }
  }
  EXPECT_EQ(winners, 1);
  json t = GetJson("/api/v1/tickets/" + id);
  EXPECT_EQ(t["version"], 2);
  EXPECT_EQ(t["assignee"], winner);
  EXPECT_EQ(TicketEvents(id, 100).size(), 2u);
}

TEST_F(Lifecycle, IllegalMovesNameTheAllowedOnes) {
  std::string id = Create()["id"];
  HttpResponse r = client_->Post("/api/v1/tickets/" + id + "/status",
                                 R"({"status":"closed","version":1})");
  ExpectProblem(r, 409, "/problems/illegal-transition");
  EXPECT_EQ(Parse(r)["allowed"], json::array({"assigned"})) << r.body;

  Move(id, {{"status", "assigned"}, {"assignee", "ola"}, {"version", 1}});
  Move(id, {{"status", "in_progress"}, {"version", 2}});
  r = client_->Post("/api/v1/tickets/" + id + "/status",
                    R"({"status":"closed","version":3})");
  ExpectProblem(r, 409, "/problems/illegal-transition");
  std::set<std::string> allowed;
  for (const auto& s : Parse(r).value("allowed", json::array()))
    allowed.insert(s.get<std::string>());
  EXPECT_EQ(allowed, (std::set<std::string>{"waiting_on_user",
                                            "waiting_on_supplier", "resolved"}))
      << r.body;
  Move(id, {{"status", "resolved"}, {"version", 3}});
  Move(id, {{"status", "closed"}, {"version", 4}});
  r = client_->Post("/api/v1/tickets/" + id + "/status",
                    R"({"status":"in_progress","version":5})");
  ExpectProblem(r, 409, "/problems/illegal-transition");  // closed is final
  EXPECT_EQ(Parse(r)["allowed"], json::array()) << r.body;
  EXPECT_EQ(GetJson("/api/v1/tickets/" + id)["version"], 5);
}

TEST_F(Lifecycle, ListsFilterAndPageNewestFirst) {
  const char* munis[] = {"rollag", "tinn",     "rollag", "hjartdal",
                         "rollag", "tinn",     "rollag", "kongsberg",
                         "rollag", "flesberg", "rollag", "notodden"};
  for (const char* m : munis) {
    json body = GoodTicket();
    body["municipality"] = m;
    body.erase("location");
    Create(body);
  }
  Move("3", {{"status", "assigned"}, {"assignee", "ola"}, {"version", 1}});
  Move("4", {{"status", "assigned"}, {"assignee", "ola"}, {"version", 1}});
  Move("5", {{"status", "assigned"}, {"assignee", "kari"}, {"version", 1}});

  json all = GetJson("/api/v1/tickets");
  ASSERT_EQ(all["tickets"].size(), 12u);
  EXPECT_EQ(all["tickets"][0]["id"], "12");
  EXPECT_EQ(all["nextCursor"], "");

  // Every page size walks all tickets, newest first, each once.
  for (int limit : {1, 2, 5, 12, 200}) {
    SCOPED_TRACE("limit " + std::to_string(limit));
    EXPECT_EQ(ListIds("", limit),
              (std::vector<std::string>{"12", "11", "10", "9", "8", "7", "6",
                                        "5", "4", "3", "2", "1"}));
  }
  EXPECT_EQ(ListIds("municipality=rollag", 2),
            (std::vector<std::string>{"11", "9", "7", "5", "3", "1"}));
  EXPECT_EQ(ListIds("status=assigned", 2),
            (std::vector<std::string>{"5", "4", "3"}));
  EXPECT_EQ(ListIds("status=new", 4).size(), 9u);
  EXPECT_EQ(ListIds("assignee=ola", 1), (std::vector<std::string>{"4", "3"}));
  EXPECT_EQ(ListIds("assignee=ola&status=assigned&municipality=rollag", 50),
            (std::vector<std::string>{"3"}));
  EXPECT_EQ(ListIds("municipality=hjartdal", 50),
            (std::vector<std::string>{"4"}));
  EXPECT_TRUE(ListIds("municipality=hjartdal&status=new", 50).empty());
  EXPECT_TRUE(ListIds("municipality=flesberg&assignee=ola", 50).empty());
  // Ticket 3 moved on: the status index follows it.
  Move("3", {{"status", "in_progress"}, {"version", 2}});
  EXPECT_EQ(ListIds("status=assigned", 50),
            (std::vector<std::string>{"5", "4"}));
  EXPECT_EQ(ListIds("status=in_progress", 50), (std::vector<std::string>{"3"}));
}

TEST_F(Lifecycle, ACursorKeepsItsPlaceWhileNewTicketsArrive) {
  for (int i = 0; i < 6; ++i) Create();
  json first = GetJson("/api/v1/tickets?limit=2");
  ASSERT_EQ(first["tickets"].size(), 2u);
  std::vector<std::string> seen = {first["tickets"][0]["id"],
                                   first["tickets"][1]["id"]};
  for (int i = 0; i < 3; ++i) Create();  // 7, 8, 9: newer than the cursor
  std::string cursor = first["nextCursor"];
  while (!cursor.empty()) {
    json p = GetJson("/api/v1/tickets?limit=2&cursor=" + cursor);
    for (const auto& t : p["tickets"]) seen.push_back(t["id"]);
    cursor = p.value("nextCursor", "");
    ASSERT_LT(seen.size(), 20u);
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"6", "5", "4", "3", "2", "1"}));
}

TEST_F(Lifecycle, TheGlobalLogIsGapFreeAndPages) {
  for (int i = 0; i < 5; ++i) Create();
  Move("2", {{"status", "assigned"}, {"assignee", "ola"}, {"version", 1}});
  ASSERT_EQ(
      client_
          ->Post("/api/v1/tickets/4/comments", R"({"author":"a","body":"b"})")
          .status,
      201);
  json first = GetJson("/api/v1/events?limit=4");
  ASSERT_EQ(first["events"].size(), 4u);
  EXPECT_EQ(first["nextCursor"], "4");
  json rest = GetJson("/api/v1/events?after=4");
  ASSERT_EQ(rest["events"].size(), 3u);
  EXPECT_EQ(rest["events"][0]["seq"], "5");
  EXPECT_EQ(rest["events"][2]["seq"], "7");
  EXPECT_EQ(rest["nextCursor"], "");
  EXPECT_EQ(GetJson("/api/v1/events?after=7")["events"].size(), 0u);

  std::vector<json> all = AllEvents();
  ASSERT_EQ(all.size(), 7u);
  for (size_t i = 0; i < all.size(); ++i)
    EXPECT_EQ(all[i]["seq"], std::to_string(i + 1));
  EXPECT_TRUE(all[5].contains("statusChanged"));
  EXPECT_EQ(all[5]["ticketId"], "2");
  EXPECT_TRUE(all[6].contains("commentAdded"));
  EXPECT_EQ(all[6]["ticketId"], "4");
}

TEST_F(Lifecycle, MunicipalitiesAreTheSevenOfTheDemoRegion) {
  json m = GetJson("/api/v1/municipalities");
  std::map<std::string, std::set<std::string>> got;
  for (const auto& x : m["municipalities"]) {
    auto& locations = got[x.value("id", "?")];
    EXPECT_FALSE(x.value("name", "").empty()) << x.dump();
    EXPECT_FALSE(x.value("number", "").empty()) << x.dump();
    for (const auto& l : x.value("locations", json::array()))
      locations.insert(l.value("id", "?"));
  }
  std::map<std::string, std::set<std::string>> want = {
      {"kongsberg",
       {"kongsberg-radhus", "kongsberg-skavanger-skole",
        "kongsberg-hvittingfoss-skole", "kongsberg-helsehus",
        "kongsberg-bibliotek"}},
      {"notodden",
       {"notodden-radhus", "notodden-saetre-skole", "notodden-helsetun"}},
      {"nore-og-uvdal",
       {"nore-og-uvdal-kommunehus", "nore-og-uvdal-rodberg-skole",
        "nore-og-uvdal-uvdal-skole", "nore-og-uvdal-sykehjem"}},
      {"flesberg",
       {"flesberg-kommunehus", "flesberg-lampeland-skole",
        "flesberg-sykehjem"}},
      {"rollag",
       {"rollag-kommunehus", "rollag-veggli-skole", "rollag-sykehjem"}},
      {"tinn",
       {"tinn-radhus", "tinn-rjukan-ungdomsskole", "tinn-helsesenter",
        "tinn-atra-skole"}},
      {"hjartdal",
       {"hjartdal-kommunehus", "hjartdal-sauland-skole",
        "hjartdal-omsorgssenter"}},
  };
  EXPECT_EQ(got, want);
  EXPECT_EQ(m["municipalities"].size(), 7u);
}

TEST_F(Lifecycle, HealthAndMetrics) {
  HttpResponse h = client_->Get("/healthz");
  ASSERT_EQ(h.status, 200);
  EXPECT_EQ(Parse(h)["status"], "ok");
  Create();
  HttpResponse metrics = client_->Get("/metrics");
  ASSERT_EQ(metrics.status, 200);
  EXPECT_EQ(metrics.header("content-type").rfind("text/plain", 0), 0u)
      << metrics.header("content-type");
  for (const char* needle :
       {"helpdesk_http_requests_total{", "route=\"/api/v1/tickets\"",
        "helpdesk_writer_batch_size_count 1\n", "helpdesk_tickets_open 1\n",
        "helpdesk_tickets{status=\"new\"} 1\n",
        "helpdesk_http_request_duration_seconds_count",
        "helpdesk_events_last_seq 1\n"}) {
    EXPECT_NE(metrics.body.find(needle), std::string::npos)
        << "no '" << needle << "' in\n"
        << metrics.body;
  }
  // The create is counted with its route, method and code.
  bool counted = false;
  std::stringstream lines(metrics.body);
  for (std::string line; std::getline(lines, line);) {
    counted = counted ||
              (line.rfind("helpdesk_http_requests_total{", 0) == 0 &&
               line.find("route=\"/api/v1/tickets\"") != std::string::npos &&
               line.find("method=\"POST\"") != std::string::npos &&
               line.find("code=\"201\"") != std::string::npos &&
               line.substr(line.rfind(' ') + 1) == "1");
  }
  EXPECT_TRUE(counted) << metrics.body;
}

}  // namespace
}  // namespace helpdesk::testing
