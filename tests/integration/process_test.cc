// The daemon as a process: restarts, clean shutdown, timeouts and limits.

#include <thread>

#include "tests/integration/fixture.h"

namespace helpdesk::testing {
namespace {

using Process = DaemonTest;

TEST_F(Process, DataSurvivesACleanRestartAndNumbersContinue) {
  for (int i = 0; i < 3; ++i) Create();
  ASSERT_EQ(client_->Post("/api/v1/tickets/2/comments",
                          R"({"author":"ola","body":"ser på det"})").status,
            201);
  client_.reset();
  EXPECT_EQ(daemon_->Terminate(), 0) << daemon_->Log();
  ASSERT_EQ(daemon_->Start(), "");
  client_ = std::make_unique<HttpClient>(daemon_->port());
  EXPECT_EQ(GetJson("/api/v1/tickets")["tickets"].size(), 3u);
  EXPECT_EQ(GetJson("/api/v1/tickets/2")["comments"][0]["body"], "ser på det");
  EXPECT_EQ(Create()["id"], "4");
  EXPECT_EQ(EventCount(), 5u);
}

TEST_F(Process, SigtermAnswersTheWritesInFlightBeforeExiting) {
  std::atomic<int> acked{0};
  std::vector<std::thread> writers;
  std::vector<std::vector<std::string>> ids(4);
  std::atomic<bool> started{false};
  for (int w = 0; w < 4; ++w) {
    writers.emplace_back([&, w] {
      HttpClient c(daemon_->port());
      for (int i = 0; i < 100000; ++i) {
        HttpResponse r = c.Post("/api/v1/tickets", GoodTicket().dump());
        if (r.status != 201) break;
        ids[w].push_back(json::parse(r.body)["id"]);
        started = ++acked >= 100;
      }
    });
  }
  auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!started && std::chrono::steady_clock::now() < deadline)
    std::this_thread::yield();
  ASSERT_TRUE(started) << "writers never got going: " << acked;
  EXPECT_EQ(daemon_->Terminate(), 0) << daemon_->Log();
  for (auto& t : writers) t.join();
  ASSERT_EQ(daemon_->Start(), "");
  HttpClient c(daemon_->port());
  for (const auto& list : ids)
    for (const auto& id : list)
      EXPECT_EQ(c.Get("/api/v1/tickets/" + id).status, 200) << id;
}

class Timeouts : public DaemonTest {
  std::vector<std::string> Flags() override {
    return {"--idle-timeout-ms", "300", "--request-timeout-ms", "300"};
  }
};

TEST_F(Timeouts, IdleAndSlowClientsAreDisconnected) {
  HttpClient slow(daemon_->port(), std::chrono::seconds(5));
  // Nothing at all: the idle timeout closes it.
  HttpClient::Raw idle = slow.SendRaw("");
  EXPECT_TRUE(idle.closed);
  // Half a request, never finished: the request timeout closes it.
  HttpClient::Raw half = slow.SendRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n");
  EXPECT_TRUE(half.closed);
  // And the daemon still serves others.
  EXPECT_EQ(client_->Get("/healthz").status, 200);
}

class Limits : public DaemonTest {
  std::vector<std::string> Flags() override {
    return {"--map-size-mb", "1", "--max-map-size-mb", "1",
            "--max-connections", "4"};
  }
};

TEST_F(Limits, AFullDatabaseRefusesWritesWith507AndKeepsServing) {
  json body = GoodTicket();
  body["description"] = std::string(15000, 'x');
  std::vector<std::string> acked;
  HttpResponse last;
  for (int i = 0; i < 2000; ++i) {
    last = client_->Post("/api/v1/tickets", body.dump());
    if (last.status != 201) break;
    acked.push_back(json::parse(last.body)["id"]);
  }
  ExpectProblem(last, 507, "/problems/storage-full");
  ASSERT_FALSE(acked.empty());
  EXPECT_EQ(client_->Get("/healthz").status, 200);
  for (const auto& id : acked)
    EXPECT_EQ(client_->Get("/api/v1/tickets/" + id).status, 200);
}

TEST_F(Limits, ConnectionsBeyondTheLimitGet503) {
  ASSERT_EQ(client_->Get("/healthz").status, 200);  // connects: one open
  std::vector<std::unique_ptr<HttpClient>> held;
  for (int i = 0; i < 3; ++i) {  // with client_, four are open
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

}  // namespace
}  // namespace helpdesk::testing
