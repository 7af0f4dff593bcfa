// kill -9 under concurrent load: every ticket whose 201 arrived must be there
// after restart, intact, and the event log must have no gap.

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <set>
#include <thread>

#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"

namespace helpdesk::testing {
namespace {

using nlohmann::json;

constexpr int kRounds = 12;
constexpr int kClients = 16;
const char* kMunicipalities[] = {"kongsberg", "notodden", "nore-og-uvdal",
                                 "flesberg",  "rollag",   "tinn", "hjartdal"};

struct Acked {
  json request;
  std::string id;
};

// Every acknowledged ticket is there with what was sent; the log is 1..N.
void Verify(uint16_t port, const std::vector<Acked>& acked) {
  HttpClient client(port);
  for (const auto& a : acked) {
    HttpResponse r = client.Get("/api/v1/tickets/" + a.id);
    ASSERT_EQ(r.status, 200) << "acknowledged ticket " << a.id << " is lost";
    json t = json::parse(r.body);
    for (const char* field :
         {"title", "description", "municipality", "reporter", "serviceId"}) {
      EXPECT_EQ(t[field], a.request[field]) << "ticket " << a.id << " " << field;
    }
  }
  std::set<std::string> created;
  uint64_t expected = 1;
  std::string after = "0";
  while (true) {
    HttpResponse r = client.Get("/api/v1/events?limit=1000&after=" + after);
    ASSERT_EQ(r.status, 200) << r.body;
    json page = json::parse(r.body);
    for (const auto& e : page["events"]) {
      ASSERT_EQ(std::stoull(e["seq"].get<std::string>()), expected)
          << "gap or duplicate in the event log";
      ++expected;
      if (e.contains("ticketCreated")) created.insert(e["ticketId"]);
    }
    if (page["nextCursor"] == "") break;
    after = page["nextCursor"];
  }
  for (const auto& a : acked)
    EXPECT_TRUE(created.count(a.id)) << "no TicketCreated event for " << a.id;
}

TEST(Crash, Kill9UnderLoadLosesNothingAcknowledged) {
  ScratchDir dir;
  DaemonProcess daemon(dir.path() + "/data");
  ASSERT_EQ(daemon.Start(), "");
  std::mt19937 rng(std::random_device{}());
  std::vector<Acked> all_acked;

  for (int round = 0; round < kRounds; ++round) {
    const int threshold = std::uniform_int_distribution(50, 500)(rng);
    std::mutex mu;
    std::condition_variable cv;
    std::vector<Acked> acked;  // guarded by mu
    std::atomic<bool> stop{false};
    std::vector<std::thread> clients;
    for (int c = 0; c < kClients; ++c) {
      clients.emplace_back([&, c] {
        HttpClient client(daemon.port(), std::chrono::seconds(5));
        for (int i = 0; !stop; ++i) {
          json req = {
              {"title", "r" + std::to_string(round) + " c" + std::to_string(c) +
                            " #" + std::to_string(i)},
              {"description", "Kræsjtest: skjermen er svart på kontor " +
                                  std::to_string(i)},
              {"municipality", kMunicipalities[(c + i) % 7]},
              {"serviceId", "workstation"},
              {"reporter", "crash-client-" + std::to_string(c)}};
          HttpResponse r = client.Post("/api/v1/tickets", req.dump());
          if (r.status != 201) break;  // the daemon is gone
          std::lock_guard lock(mu);
          acked.push_back({req, json::parse(r.body)["id"]});
          cv.notify_all();
        }
      });
    }
    {
      std::unique_lock lock(mu);
      bool reached = cv.wait_for(lock, std::chrono::seconds(30), [&] {
        return static_cast<int>(acked.size()) >= threshold;
      });
      ASSERT_TRUE(reached) << "clients acknowledged only " << acked.size();
    }
    daemon.Kill9();  // while the clients are still writing
    stop = true;
    for (auto& t : clients) t.join();
    all_acked.insert(all_acked.end(), acked.begin(), acked.end());

    ASSERT_EQ(daemon.Start(), "") << "restart after kill -9, round " << round;
    ASSERT_NO_FATAL_FAILURE(Verify(daemon.port(), all_acked)) << "round " << round;
  }
  EXPECT_EQ(daemon.Terminate(), 0) << daemon.Log();
  RecordProperty("acknowledged", static_cast<int>(all_acked.size()));
}

}  // namespace
}  // namespace helpdesk::testing
