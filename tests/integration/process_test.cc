// The daemon as a process: restarts, clean shutdown, timeouts and limits.

#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>

#include "tests/integration/fixture.h"
#include "tests/support/filler.h"

namespace helpdesk::testing {
namespace {

using Process = DaemonTest;

TEST_F(Process, DataSurvivesACleanRestartAndNumbersContinue) {
  for (int i = 0; i < 3; ++i) {
    json body = GoodTicket();
    body["title"] = "Sak nummer " + std::to_string(i + 1);
    Create(body);
  }
  ASSERT_EQ(client_
                ->Post("/api/v1/tickets/2/comments", R"({"body":"ser på det"})",
                       {{"X-Actor", "ola"}})
                .status,
            201);
  // The dispatcher gave every ticket to someone with the printers skill;
  // kari.haugen (who has not) is given ticket 3.
  ASSERT_EQ(AssignTo("3", "kari.haugen", 2).status, 200);
  std::vector<json> before;
  for (int id = 1; id <= 3; ++id)
    before.push_back(GetJson("/api/v1/tickets/" + std::to_string(id)));
  std::vector<json> events_before = AllEvents();
  ASSERT_EQ(events_before.size(), 8u);  // 3 x (created, assigned), 2 more
  // The people's open work, which the dispatcher balances on.
  std::map<std::string, json> load_before;
  for (const auto& t : before)
    load_before[t["assignee"]] =
        GetJson("/api/v1/staff/" + t["assignee"].get<std::string>())["now"];
  ASSERT_EQ(load_before["kari.haugen"]["openTickets"], 1);
  // The log's last number (its account events too).
  const uint64_t last_seq =
      std::stoull(AllEventsWithAccounts().back()["seq"].get<std::string>());

  client_.reset();
  EXPECT_EQ(daemon_->Terminate(), 0) << "SIGTERM must end with exit status 0";
  ASSERT_EQ(daemon_->Start(), "");
  Reconnect();
  for (int id = 1; id <= 3; ++id)
    EXPECT_EQ(GetJson("/api/v1/tickets/" + std::to_string(id)), before[id - 1]);
  EXPECT_EQ(GetJson("/api/v1/tickets")["tickets"].size(), 3u);
  EXPECT_EQ(GetJson("/api/v1/tickets?assignee=kari.haugen")["tickets"].size(),
            1u);
  EXPECT_EQ(AllEvents(), events_before);
  for (const auto& [person, now] : load_before)
    EXPECT_EQ(GetJson("/api/v1/staff/" + person)["now"]["openTickets"],
              now["openTickets"])
        << person;
  json fourth = Create();
  EXPECT_EQ(fourth["id"], "4");
  EXPECT_EQ(fourth["status"], "assigned");
  std::vector<json> events_after = AllEvents();
  ASSERT_EQ(events_after.size(), 10u);
  EXPECT_EQ(events_after[8]["seq"], std::to_string(last_seq + 1));
  EXPECT_EQ(events_after[8]["ticketId"], "4");
  EXPECT_EQ(events_after[9]["seq"], std::to_string(last_seq + 2));
  EXPECT_TRUE(events_after[9].contains("assigned")) << events_after[9].dump();

  // And once more through Restart(), the municipalities are not seeded twice.
  ASSERT_EQ(daemon_->Restart(), "");
  Reconnect();
  EXPECT_EQ(GetJson("/api/v1/municipalities")["municipalities"].size(), 7u);
  EXPECT_EQ(Create()["id"], "5");
}

TEST_F(Process, SigtermAnswersTheWritesInFlightBeforeExiting) {
  constexpr int kWriters = 4;
  std::mutex mu;
  std::condition_variable cv;
  int acked = 0;  // guarded by mu
  std::vector<std::vector<std::string>> ids(kWriters);
  std::vector<std::thread> writers;
  const auto desk = ids_->As(kDesk);  // logged in before the threads start
  for (int w = 0; w < kWriters; ++w) {
    writers.emplace_back([&, w] {
      HttpClient c(daemon_->port());
      for (int i = 0; i < 100000; ++i) {
        json body = GoodTicket();
        body["title"] = "w" + std::to_string(w) + " #" + std::to_string(i);
        HttpResponse r = c.Post("/api/v1/tickets", body.dump(), desk);
        if (r.status != 201) break;  // 503 while stopping, or closed
        ids[w].push_back(json::parse(r.body)["id"]);
        std::lock_guard lock(mu);
        ++acked;
        cv.notify_all();
      }
    });
  }
  {
    std::unique_lock lock(mu);
    ASSERT_TRUE(cv.wait_for(lock, std::chrono::seconds(30),
                            [&] { return acked >= 100; }))
        << "writers never got going: " << acked;
  }
  EXPECT_EQ(daemon_->Terminate(), 0);
  for (auto& t : writers) t.join();
  ASSERT_EQ(daemon_->Start(), "");
  ids_->set_port(daemon_->port());
  auto c = NewClient();
  size_t total = 0;
  for (int w = 0; w < kWriters; ++w) {
    total += ids[w].size();
    for (size_t i = 0; i < ids[w].size(); ++i) {
      HttpResponse r = c->Get("/api/v1/tickets/" + ids[w][i]);
      ASSERT_EQ(r.status, 200)
          << "acknowledged ticket " << ids[w][i] << " lost";
      EXPECT_EQ(json::parse(r.body)["title"],
                "w" + std::to_string(w) + " #" + std::to_string(i));
    }
  }
  Reconnect();
  EXPECT_GE(EventCount(), 2 * total);  // created and assigned, each
}

TEST_F(Process, SigtermDoesNotWaitForIdleOrHalfSentConnections) {
  // One kept-alive connection after an answer, one stuck mid-request; the
  // default idle and request timeouts (30 s, 10 s) are far away.
  ASSERT_EQ(client_->Get("/healthz").status, 200);
  HttpClient half(daemon_->port(), std::chrono::seconds(30));
  std::thread stuck(
      [&] { half.SendRaw("POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\n"); });
  // The half request is on the wire once the daemon counts its connection.
  bool two_open = false;
  const auto deadline =
      std::chrono::steady_clock::now() + std::chrono::seconds(5);
  while (!two_open && std::chrono::steady_clock::now() < deadline) {
    HttpResponse m = client_->Get("/metrics");
    two_open =
        m.body.find("helpdesk_http_connections_open 2\n") != std::string::npos;
  }
  EXPECT_TRUE(two_open) << client_->Get("/metrics").body;
  const auto start = std::chrono::steady_clock::now();
  EXPECT_EQ(daemon_->Terminate(std::chrono::seconds(10)), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - start, std::chrono::seconds(10));
  stuck.join();
}

class Timeouts : public DaemonTest {
  std::vector<std::string> Flags() override {
    std::vector<std::string> flags = DaemonTest::Flags();
    for (const char* f :
         {"--idle-timeout-ms", "300", "--request-timeout-ms", "300"})
      flags.push_back(f);
    return flags;
  }
};

// The client waits at most 5 s: `closed` means the server hung up first.
TEST_F(Timeouts, IdleAndSlowClientsAreDisconnected) {
  HttpClient slow(daemon_->port(), std::chrono::seconds(5));
  const std::pair<const char*, std::string> cases[] = {
      {"nothing at all", ""},
      {"half a request line", "GET /heal"},
      {"headers never finished", "GET /healthz HTTP/1.1\r\nHost: x\r\n"},
      {"body never finished",
       "POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\n" + AuthLine() +
           "Content-Type: application/json\r\nContent-Length: "
           "100\r\n\r\n{\"ti"},
  };
  for (const auto& [what, bytes] : cases) {
    HttpClient::Raw r = slow.SendRaw(bytes);
    EXPECT_TRUE(r.connected) << what;
    EXPECT_TRUE(r.closed) << what << ": still open after " << r.elapsed.count()
                          << " ms";
    EXPECT_LT(r.elapsed, std::chrono::seconds(5)) << what;
  }
  // A kept-alive connection left idle after an answer is closed as well.
  HttpClient::Raw after_answer =
      slow.SendRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n\r\n");
  EXPECT_NE(after_answer.received.find(" 200 "), std::string::npos);
  EXPECT_TRUE(after_answer.closed);
  EXPECT_LT(after_answer.elapsed, std::chrono::seconds(5));
  // Nothing was written, and the daemon still serves others.
  EXPECT_EQ(EventCount(), 0u);
  EXPECT_EQ(client_->Get("/healthz").status, 200);
}

class Limits : public DaemonTest {
  std::vector<std::string> Flags() override {
    std::vector<std::string> flags = DaemonTest::Flags();
    for (const char* f : {"--map-size-mb", "1", "--max-map-size-mb", "1",
                          "--max-connections", "4"})
      flags.push_back(f);
    return flags;
  }
};

TEST_F(Limits, AFullDatabaseRefusesWritesWith507AndKeepsServing) {
  std::vector<json> acked;
  HttpResponse last;
  for (int i = 0; i < 2000; ++i) {  // 1 MiB holds well under 2000 of these
    json body = GoodTicket();
    body["title"] = "Full disk " + std::to_string(i);
    body["description"] = testing::Incompressible(15000, i + 1);
    last = client_->Post("/api/v1/tickets", body.dump());
    if (last.status != 201) break;
    json t = json::parse(last.body);
    body["id"] = t["id"];
    acked.push_back(body);
  }
  ExpectProblem(last, 507, "/problems/storage-full");
  ASSERT_FALSE(acked.empty());
  EXPECT_EQ(GetJson("/healthz")["status"], "ok");
  for (const auto& a : acked) {
    json t = GetJson("/api/v1/tickets/" + a["id"].get<std::string>());
    EXPECT_EQ(t["title"], a["title"]);
    EXPECT_EQ(t["description"], a["description"]);
    EXPECT_EQ(t["version"], 2) << "the ticket and its assignment, together";
  }
  // The refused write left nothing behind: two events (created, assigned)
  // per acknowledged create, and no ticket that was not acknowledged.
  std::vector<json> events = AllEvents();
  EXPECT_EQ(events.size(), 2 * acked.size());
  size_t listed = 0;
  std::string cursor;
  do {
    json page = GetJson("/api/v1/tickets?limit=200" +
                        (cursor.empty() ? "" : "&cursor=" + cursor));
    listed += page.value("tickets", json::array()).size();
    cursor = page.value("nextCursor", "");
  } while (!cursor.empty());
  EXPECT_EQ(listed, acked.size());
  // Writing goes on being refused once the pages freed since are used up
  // (the reads above are audited: their records are writes of their own,
  // which move pages), and the daemon stops cleanly and starts again on
  // the full database with everything there.
  HttpResponse again;
  for (int i = 0; i < 200; ++i) {
    json body = GoodTicket();
    body["title"] = "Again " + std::to_string(i);
    body["description"] = std::string(15000, 'y');
    again = client_->Post("/api/v1/tickets", body.dump());
    if (again.status != 201) break;
    body["id"] = json::parse(again.body)["id"];
    acked.push_back(body);
  }
  ExpectProblem(again, 507, "/problems/storage-full");
  client_.reset();
  EXPECT_EQ(daemon_->Terminate(), 0);
  ASSERT_EQ(daemon_->Start(), "");
  Reconnect();
  EXPECT_EQ(AllEvents().size(), 2 * acked.size());
  EXPECT_EQ(GetJson("/api/v1/tickets/" +
                    acked.back()["id"].get<std::string>())["title"],
            acked.back()["title"]);
}

TEST_F(Limits, ConnectionsBeyondTheLimitGet503) {
  // /healthz needs no login: plain clients, so that no login's own
  // connection is still being closed while these are counted.
  HttpClient first(daemon_->port());
  ASSERT_EQ(first.Get("/healthz").status, 200);  // connects: one open
  std::vector<std::unique_ptr<HttpClient>> held;
  for (int i = 0; i < 3; ++i) {  // with `first`, four are open
    held.push_back(std::make_unique<HttpClient>(daemon_->port()));
    ASSERT_EQ(held.back()->Get("/healthz").status, 200);
  }
  HttpClient extra(daemon_->port());
  ExpectProblem(extra.Get("/healthz"), 503, "/problems/unavailable");
  held.pop_back();  // one closes ...
  // ... and within a bounded time a new one is served again.
  int status = 0;
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
  while (status != 200 && std::chrono::steady_clock::now() < deadline) {
    HttpClient again(daemon_->port());
    status = again.Get("/healthz").status;
  }
  EXPECT_EQ(status, 200);
}

TEST(Config, BadFlagsAndConfigFilesStopStartUpWithAReason) {
  ScratchDir dir;
  std::string conf = dir.path() + "/bad.toml";
  FILE* f = fopen(conf.c_str(), "w");
  fputs("port = 8080\nbogus_setting = 1\n", f);
  fclose(f);
  DaemonProcess bad_key(dir.path() + "/d1", {"--config", conf});
  std::string why = bad_key.Start();
  EXPECT_NE(why.find("bogus_setting"), std::string::npos) << why;
  EXPECT_NE(why.find(":2"), std::string::npos) << why;  // the line
  DaemonProcess bad_flag(dir.path() + "/d2", {"--io-threads", "0"});
  why = bad_flag.Start();
  EXPECT_NE(why.find("io-threads"), std::string::npos) << why;
}

// The SLA policy from the settings: --sla-warn-percent moves the warnings.
class SlaSettings : public DaemonTest {
  std::vector<std::string> Flags() override {
    std::vector<std::string> flags = DaemonTest::Flags();
    flags.push_back("--sla-warn-percent=50");
    flags.push_back("--clock-frozen");  // the instants below are exact
    return flags;
  }
};

TEST_F(SlaSettings, TheWarnPercentFlagSetsWhenWarningsFallDue) {
  // standard/high: a 1 h first response from 08:00Z (10:00 in Oslo), so
  // the warning is half an hour in instead of the built-in 45 minutes.
  json t = Create();
  const json& response = t["sla"]["firstResponse"];
  EXPECT_EQ(response["dueAt"], "2026-04-15T09:00:00Z") << t.dump();
  EXPECT_EQ(response["warningAt"], "2026-04-15T08:30:00Z") << t.dump();
  EXPECT_EQ(t["sla"]["resolution"]["warningAt"], "2026-04-15T10:00:00Z")
      << t.dump();
}

TEST(Config, ABadSlaTableStopsStartUpNamingTheKey) {
  ScratchDir dir;
  auto start_with = [&](const std::string& name, const std::string& text) {
    std::string conf = dir.path() + "/" + name + ".toml";
    FILE* f = fopen(conf.c_str(), "w");
    fputs(text.c_str(), f);
    fclose(f);
    DaemonProcess daemon(dir.path() + "/" + name, {"--config", conf});
    return daemon.Start();
  };
  std::string why =
      start_with("percent", "port = 0\n[sla]\nwarn_percent = 100\n");
  EXPECT_NE(why.find("sla.warn_percent"), std::string::npos) << why;
  EXPECT_NE(why.find(":3"), std::string::npos) << why;  // the line
  // A class the policy does not have is found when the policy is built.
  why = start_with("class",
                   "[[sla.target]]\nclass = \"gold\"\npriority = \"high\"\n"
                   "response_minutes = 10\n");
  EXPECT_NE(why.find("sla.target"), std::string::npos) << why;
  EXPECT_NE(why.find("'gold' is not an SLA class"), std::string::npos) << why;
  EXPECT_NE(why.find(":1"), std::string::npos) << why;
}

}  // namespace
}  // namespace helpdesk::testing
