// The whole life of a ticket through the real daemon over HTTP: create
// (with the dispatcher's decision in the same write), read, list, comment,
// assign and take, every status move, optimistic concurrency and the event
// log. The daemon's clock starts on a working morning (kClockStart), when
// the dispatcher gives a printer ticket to someone at once.

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "tests/integration/lifecycle_fixture.h"

namespace helpdesk::testing {
namespace {

TEST_F(Lifecycle, CreateAnswers201WithTheTicketLocationAndETag) {
  HttpResponse r = client_->Post("/api/v1/tickets", GoodTicket().dump(),
                                 {{"X-Request-Id", "test-create-1"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.header("content-type").rfind("application/json", 0), 0u)
      << r.header("content-type");
  json t = Parse(r);
  EXPECT_EQ(t["id"], "1");
  // Filed and, in the same write, given to someone by the dispatcher: two
  // changes, so version 2.
  EXPECT_EQ(t["status"], "assigned");
  EXPECT_EQ(t["version"], 2);
  EXPECT_FALSE(t.value("assignee", "").empty()) << t.dump();
  const json& a = t["assignment"];
  EXPECT_EQ(a["outcome"], "assigned") << a.dump();
  EXPECT_EQ(a["trigger"], "created");
  EXPECT_EQ(a["by"], "dispatch");
  EXPECT_EQ(a["assignee"], t["assignee"]);
  EXPECT_FALSE(a.value("explanation", "").empty()) << a.dump();
  EXPECT_TRUE(t["createdAt"].is_string() &&
              !t["createdAt"].get<std::string>().empty())
      << t.dump();
  for (const char* field : {"title", "description", "municipality", "location",
                            "serviceId", "priority", "reporter"}) {
    EXPECT_EQ(t[field], GoodTicket()[field]) << field;
  }
  EXPECT_EQ(r.header("location"), "/api/v1/tickets/1");
  EXPECT_EQ(r.header("etag"), "\"2\"");
  EXPECT_EQ(r.header("x-request-id"), "test-create-1");

  HttpResponse g = client_->Get("/api/v1/tickets/1");
  ASSERT_EQ(g.status, 200) << g.body;
  EXPECT_EQ(g.header("etag"), "\"2\"");
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

  // A ticket no one can take is created all the same: 'new', with no
  // assignee, waiting in the dispatcher queue with the reason recorded.
  HttpResponse queued =
      client_->Post("/api/v1/tickets", TicketNoOneCanTake().dump());
  ASSERT_EQ(queued.status, 201) << queued.body;
  EXPECT_EQ(queued.header("location"), "/api/v1/tickets/4");
  EXPECT_EQ(queued.header("etag"), "\"2\"");
  json q = Parse(queued);
  EXPECT_EQ(q["status"], "new");
  EXPECT_EQ(q["version"], 2);
  EXPECT_EQ(q.value("assignee", ""), "");
  EXPECT_EQ(q["assignment"]["outcome"], "unassigned") << q.dump();
  EXPECT_EQ(q["assignment"]["unassignedReason"], "no_skilled_staff");
  EXPECT_EQ(GetJson("/api/v1/tickets/4"), q);
}

// A description near the 20000-byte limit is larger than one socket read,
// so the body arrives in pieces; it must be stored whole, byte for byte,
// with its æøå intact.
TEST_F(Lifecycle, ALongDescriptionArrivingInManyReadsIsStoredWhole) {
  std::string description;
  for (int i = 0; description.size() < 19000; ++i)
    description += "Linje " + std::to_string(i) +
                   ": nettverket på Blåfjell "
                   "er nede, æøå ÆØÅ.\n";
  json body = GoodTicket();
  body["description"] = description;
  json t = Create(body);
  ASSERT_TRUE(t.contains("id")) << t.dump();
  json got = GetJson("/api/v1/tickets/" + t["id"].get<std::string>());
  EXPECT_EQ(got.value("description", ""), description);
}

TEST_F(Lifecycle, WalksEveryStatusAndRecordsWhoDidWhat) {
  HttpResponse created = client_->Post("/api/v1/tickets", GoodTicket().dump(),
                                       {{"X-Request-Id", "create-1"}});
  ASSERT_EQ(created.status, 201) << created.body;
  json t = Parse(created);
  const std::string id = t["id"];
  const std::string dispatched = t["assignee"];
  ASSERT_EQ(t["status"], "assigned") << t.dump();
  // The dispatcher (ole.kristiansen, the jobbfordeler) gives it to someone
  // else, with a reason.
  const std::string agent =
      dispatched == "kari.haugen" ? "solveig.traaen" : "kari.haugen";
  HttpResponse assigned =
      AssignTo(id, agent, 2, "ole.kristiansen", {{"X-Request-Id", "move-1"}});
  ASSERT_EQ(assigned.status, 200) << assigned.body;
  t = Parse(assigned);
  EXPECT_EQ(t["status"], "assigned");
  EXPECT_EQ(t["assignee"], agent);
  EXPECT_EQ(t["version"], 3);
  EXPECT_EQ(t["assignment"]["trigger"], "manual");
  EXPECT_EQ(t["assignment"]["by"], "ole.kristiansen");
  EXPECT_EQ(t["assignment"]["previousAssignee"], dispatched);
  EXPECT_EQ(t["assignment"]["reason"], "Testen gir saken til " + agent);
  int v = 3;
  const std::vector<std::string> path = {
      "in_progress", "waiting_on_user", "in_progress", "waiting_on_supplier",
      "in_progress", "resolved",        "in_progress",  // reopen
      "resolved",    "closed"};
  for (size_t i = 0; i < path.size(); ++i) {
    t = Move(id, {{"status", path[i]}, {"version", v}}, 200,
             {{"X-Request-Id", "move-" + std::to_string(i + 2)},
              {"X-Actor", agent}});
    EXPECT_EQ(t["status"], path[i]);
    EXPECT_EQ(t["version"], v + 1);
    EXPECT_EQ(t["assignee"], agent) << "a status move keeps the assignee";
    v = t.value("version", v + 1);
  }
  EXPECT_EQ(GetJson("/api/v1/tickets/" + id)["status"], "closed");
  EXPECT_EQ(GetJson("/api/v1/tickets/" + id)["assignee"], agent);

  std::vector<json> events = TicketEvents(id, 100);
  ASSERT_EQ(events.size(), 12u);
  EXPECT_TRUE(events[0].contains("ticketCreated")) << events[0].dump();
  // Filed by the desk on the reporter's behalf: the desk's account acted.
  EXPECT_EQ(events[0]["actor"], std::string(kDesk));
  EXPECT_EQ(events[0]["ticketCreated"]["ticket"]["reporter"], "kari.nordmann")
      << events[0].dump();
  EXPECT_EQ(events[0]["requestId"], "create-1");
  // The dispatcher's decision, in the request that filed the ticket.
  EXPECT_EQ(events[1]["actor"], "dispatch");
  EXPECT_EQ(events[1]["requestId"], "create-1");
  EXPECT_EQ(events[1]["assigned"]["from"], "new");
  EXPECT_EQ(events[1]["assigned"]["to"], "assigned");
  EXPECT_EQ(events[1]["assigned"]["assignment"]["assignee"], dispatched);
  EXPECT_EQ(events[1]["assigned"]["assignment"]["trigger"], "created");
  // The dispatcher's reassignment.
  EXPECT_EQ(events[2]["actor"], "ole.kristiansen");
  EXPECT_EQ(events[2]["requestId"], "move-1");
  EXPECT_EQ(events[2]["assigned"]["from"], "assigned");
  EXPECT_EQ(events[2]["assigned"]["to"], "assigned");
  EXPECT_EQ(events[2]["assigned"]["assignment"]["assignee"], agent);
  EXPECT_EQ(events[2]["assigned"]["assignment"]["trigger"], "manual");
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
    if (i >= 3) {
      EXPECT_EQ(e["actor"], agent);
      EXPECT_EQ(e["requestId"], "move-" + std::to_string(i - 1));
      EXPECT_EQ(e["statusChanged"]["from"], from);
      EXPECT_EQ(e["statusChanged"]["to"], path[i - 3]);
      from = path[i - 3];
    }
  }
  // Paged three at a time, the history is the same.
  std::vector<json> paged = TicketEvents(id, 3);
  EXPECT_EQ(paged, events);
}

// Assign and take set the status by where the ticket is: one someone was
// working on goes back to 'assigned' (the new person has not started), one
// waiting on the user keeps waiting, a resolved or closed one is not
// assigned at all, and giving it to the person who has it is a conflict.
TEST_F(Lifecycle, AssignAndTakeFollowWhereTheTicketIs) {
  json t = Create();
  const std::string id = t["id"];
  const std::string first = t["assignee"];
  const std::string second =
      first == "kari.haugen" ? "hanne.lie" : "kari.haugen";
  const std::string third =
      first == "solveig.traaen" ? "sigrid.bakka" : "solveig.traaen";
  Move(id, {{"status", "in_progress"}, {"version", 2}});

  HttpResponse taken = TakeAs(id, second, 3);
  ASSERT_EQ(taken.status, 200) << taken.body;
  t = Parse(taken);
  EXPECT_EQ(t["status"], "assigned") << "in_progress -> assigned";
  EXPECT_EQ(t["assignee"], second);
  EXPECT_EQ(t["assignment"]["trigger"], "taken");
  EXPECT_EQ(t["assignment"]["by"], second);
  EXPECT_EQ(t["assignment"]["previousAssignee"], first);
  EXPECT_EQ(t["version"], 4);

  ExpectProblem(TakeAs(id, second, 4), 409, "/problems/illegal-transition");
  ExpectProblem(AssignTo(id, second, 4), 409, "/problems/illegal-transition");

  Move(id, {{"status", "in_progress"}, {"version", 4}});
  Move(id, {{"status", "waiting_on_user"}, {"version", 5}});
  HttpResponse assigned = AssignTo(id, third, 6);
  ASSERT_EQ(assigned.status, 200) << assigned.body;
  t = Parse(assigned);
  EXPECT_EQ(t["status"], "waiting_on_user") << "still waiting on the user";
  EXPECT_EQ(t["assignee"], third);
  EXPECT_EQ(t["version"], 7);

  Move(id, {{"status", "resolved"}, {"version", 7}});
  ExpectProblem(AssignTo(id, first, 8), 409, "/problems/illegal-transition");
  ExpectProblem(TakeAs(id, first, 8), 409, "/problems/illegal-transition");
  Move(id, {{"status", "closed"}, {"version", 8}});
  ExpectProblem(TakeAs(id, first, 9), 409, "/problems/illegal-transition");
  t = GetJson("/api/v1/tickets/" + id);
  EXPECT_EQ(t["version"], 9);
  EXPECT_EQ(t["status"], "closed");
  EXPECT_EQ(t["assignee"], third);

  std::vector<json> events = TicketEvents(id, 100);
  ASSERT_EQ(events.size(), 9u);
  EXPECT_EQ(events[3]["actor"], second);
  EXPECT_EQ(events[3]["assigned"]["from"], "in_progress");
  EXPECT_EQ(events[3]["assigned"]["to"], "assigned");
  EXPECT_EQ(events[6]["assigned"]["from"], "waiting_on_user");
  EXPECT_EQ(events[6]["assigned"]["to"], "waiting_on_user");
}

TEST_F(Lifecycle, CommentsAreKeptInOrderOnTheTicket) {
  std::string id = Create()["id"];
  for (const char* body : {"Første", "Andre – med æøå"}) {
    HttpResponse r = client_->Post(
        "/api/v1/tickets/" + id + "/comments", json({{"body", body}}).dump(),
        {{"X-Request-Id",
          std::string("comment-") + (body[0] == 'F' ? "1" : "2")},
         {"X-Actor", "ola.it"}});
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
  EXPECT_EQ(t["version"], 4);  // created, assigned, two comments
  // Comments are only in GET by id; a listing carries none (an empty
  // repeated field may still be printed).
  json list = GetJson("/api/v1/tickets?view=full");
  ASSERT_EQ(list["tickets"].size(), 1u);
  EXPECT_TRUE(list["tickets"][0].value("comments", json::array()).empty())
      << list.dump();
  EXPECT_EQ(list["tickets"][0]["commentCount"], 2);

  std::vector<json> events = TicketEvents(id, 50);
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events[2]["commentAdded"]["body"], "Første");
  EXPECT_EQ(events[3]["commentAdded"]["body"], "Andre – med æøå");
  EXPECT_EQ(events[3]["commentAdded"]["author"], "ola.it");
  EXPECT_EQ(events[3]["requestId"], "comment-2");
  EXPECT_EQ(events[3]["seq"], t["comments"][1]["seq"]);
}

TEST_F(Lifecycle, StaleVersionsConflictAndIfMatchWorks) {
  json created = Create();
  std::string id = created["id"];
  ASSERT_EQ(created["version"], 2);
  const std::string agent =
      created["assignee"] == "kari.haugen" ? "hanne.lie" : "kari.haugen";
  ASSERT_EQ(AssignTo(id, agent, 2).status, 200);
  // A second agent still holding version 2 is refused.
  HttpResponse stale =
      client_->Post("/api/v1/tickets/" + id + "/status",
                    json({{"status", "in_progress"}, {"version", 2}}).dump());
  ExpectProblem(stale, 409, "/problems/version-conflict");
  EXPECT_EQ(Parse(stale)["currentVersion"], 3) << stale.body;
  HttpResponse missing = client_->Post("/api/v1/tickets/" + id + "/status",
                                       R"({"status":"in_progress"})");
  ExpectProblem(missing, 428, "/problems/version-required");
  HttpResponse stale_match =
      client_->Post("/api/v1/tickets/" + id + "/status",
                    R"({"status":"in_progress"})", {{"If-Match", "\"2\""}});
  ExpectProblem(stale_match, 409, "/problems/version-conflict");
  EXPECT_EQ(Parse(stale_match)["currentVersion"], 3) << stale_match.body;
  // The same for assign and take, with a body version or If-Match.
  HttpResponse stale_assign = AssignTo(id, "hanne.lie", 2);
  ExpectProblem(stale_assign, 409, "/problems/version-conflict");
  EXPECT_EQ(Parse(stale_assign)["currentVersion"], 3) << stale_assign.body;
  ExpectProblem(
      AssignTo(id, "hanne.lie", 0, "ole.kristiansen", {{"If-Match", "\"2\""}}),
      409, "/problems/version-conflict");
  ExpectProblem(AssignTo(id, "hanne.lie", 0), 428,
                "/problems/version-required");
  ExpectProblem(TakeAs(id, "silje.berg", 0, {{"If-Match", "\"2\""}}), 409,
                "/problems/version-conflict");
  ExpectProblem(TakeAs(id, "silje.berg", 0), 428, "/problems/version-required");
  EXPECT_EQ(GetJson("/api/v1/tickets/" + id)["version"], 3);

  HttpResponse current = client_->Get("/api/v1/tickets/" + id);
  ASSERT_EQ(current.header("etag"), "\"3\"");
  HttpResponse matched = client_->Post("/api/v1/tickets/" + id + "/status",
                                       R"({"status":"in_progress"})",
                                       {{"If-Match", current.header("etag")}});
  ASSERT_EQ(matched.status, 200) << matched.body;
  EXPECT_EQ(Parse(matched)["version"], 4);
  EXPECT_EQ(Parse(matched)["status"], "in_progress");
  EXPECT_EQ(matched.header("etag"), "\"4\"");
  // A take with the current ETag works as well.
  HttpResponse taken =
      TakeAs(id, "silje.berg", 0, {{"If-Match", matched.header("etag")}});
  ASSERT_EQ(taken.status, 200) << taken.body;
  EXPECT_EQ(Parse(taken)["version"], 5);
  EXPECT_EQ(Parse(taken)["assignee"], "silje.berg");
  EXPECT_EQ(TicketEvents(id, 100).size(), 5u);
}

// Agents racing to take a ticket from the dispatcher queue.
TEST_F(Lifecycle, OfRacingWritersHoldingOneVersionExactlyOneWins) {
  json queued = CreateUnassigned();
  std::string id = queued["id"];
  ASSERT_EQ(queued["version"], 2);
  const std::vector<std::string> agents = {
      "marius.johansen", "hanne.lie",      "jonas.holm",   "per.olav.dahl",
      "thomas.eriksen",  "solveig.traaen", "sigrid.bakka", "geir.lunde"};
  const int racers_count = static_cast<int>(agents.size());
  std::vector<int> codes(racers_count);
  std::vector<std::string> bodies(racers_count);
  {
    // Each racer connects first, then all send at once.
    // Each racer logs in first (Identities is for one thread).
    std::vector<std::unique_ptr<HttpClient>> racers;
    std::vector<std::map<std::string, std::string>> as;
    for (int i = 0; i < racers_count; ++i) {
      as.push_back(ids_->As(agents[i]));
      racers.push_back(NewClient());
      ASSERT_EQ(racers.back()->Get("/healthz").status, 200);
    }
    std::vector<std::thread> threads;
    for (int i = 0; i < racers_count; ++i) {
      threads.emplace_back([&, i] {
        HttpResponse r = racers[i]->Post("/api/v1/tickets/" + id + "/take",
                                         json({{"version", 2}}).dump(), as[i]);
        codes[i] = r.status;
        bodies[i] = r.body;
      });
    }
    for (auto& t : threads) t.join();
  }
  int winners = 0;
  std::string winner;
  for (int i = 0; i < racers_count; ++i) {
    if (codes[i] == 200) {
      ++winners;
      winner = agents[i];
    } else {
      EXPECT_EQ(codes[i], 409) << bodies[i];
      EXPECT_NE(bodies[i].find("/problems/version-conflict"), std::string::npos)
          << bodies[i];
    }
  }
  EXPECT_EQ(winners, 1);
  json t = GetJson("/api/v1/tickets/" + id);
  EXPECT_EQ(t["version"], 3);
  EXPECT_EQ(t["status"], "assigned");
  EXPECT_EQ(t["assignee"], winner);
  // As before paging (created, queued, taken once); besides them only the
  // dispatcher's page (made, sent, and answered by the take).
  size_t of_ticket = 0;
  for (const auto& e : TicketEvents(id, 100))
    of_ticket += !e.contains("pageCreated") && !e.contains("pageDelivered") &&
                 !e.contains("pageAcknowledged");
  EXPECT_EQ(of_ticket, 3u);
}

TEST_F(Lifecycle, IllegalMovesNameTheAllowedOnes) {
  // A new ticket (no one could take it) leaves 'new' only by being given
  // to someone, through /assign or /take.
  std::string queued = CreateUnassigned()["id"];
  HttpResponse r = client_->Post("/api/v1/tickets/" + queued + "/status",
                                 R"({"status":"closed","version":2})");
  ExpectProblem(r, 409, "/problems/illegal-transition");
  EXPECT_EQ(Parse(r)["allowed"], json::array({"assigned"})) << r.body;
  r = client_->Post("/api/v1/tickets/" + queued + "/status",
                    R"({"status":"assigned","version":2})");
  ExpectProblem(r, 422, "/problems/invalid-field");
  EXPECT_EQ(Parse(r)["field"], "status") << r.body;
  EXPECT_NE(Parse(r)
                .value("detail", "")
                .find("/api/v1/tickets/" + queued + "/assign"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(GetJson("/api/v1/tickets/" + queued)["version"], 2);

  std::string id = Create()["id"];
  r = client_->Post("/api/v1/tickets/" + id + "/status",
                    R"({"status":"closed","version":2})");
  ExpectProblem(r, 409, "/problems/illegal-transition");
  EXPECT_EQ(Parse(r)["allowed"], json::array({"in_progress"})) << r.body;
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
  ExpectProblem(AssignTo(id, "kari.haugen", 5), 409,
                "/problems/illegal-transition");
  EXPECT_EQ(GetJson("/api/v1/tickets/" + id)["version"], 5);
}

}  // namespace
}  // namespace helpdesk::testing
