// kill -9 while clients write with an Idempotency-Key, then every request
// of the round retried with its own key, as a client that cannot tell what
// happened to its request would. In each round six clients file tickets
// (a unique marker in each title), comment on them (a unique marker in
// each body) and move them to in_progress, each request with a key of its
// own. Once a random number (40-200) of writes has been acknowledged the
// daemon is SIGKILLed mid-stream and restarted; then each client sends
// every request of the round again, answered or not, in order, with the
// same key and the same bytes. Afterwards:
//  - every retry succeeds, and the retry of an acknowledged request is a
//    replay (Idempotent-Replayed) of the same ticket at the same version;
//  - each request is in the event log exactly once: one ticketCreated per
//    title marker, one commentAdded per body marker, one statusChanged
//    to in_progress per ticket moved (no duplicates, nothing lost);
//  - the store's consistency checker finds nothing, as the kill left the
//    store and after the retries.
// The clock stands still (--clock-frozen), so no sweep moves a ticket
// between the kill and the retries. HELPDESK_CRASH_SEED=<n> replays a run.

#include <gtest/gtest.h>

#include <atomic>
#include <condition_variable>
#include <iostream>
#include <map>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/crash/crash_support.h"
#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/store_check.h"

namespace helpdesk::testing {
namespace {

using nlohmann::json;

constexpr int kRounds = 5;
constexpr int kClients = 6;
constexpr int kMinAcked = 40;
constexpr int kMaxAcked = 200;
constexpr auto kRoundDeadline = std::chrono::seconds(40);

// One request as first sent, and what became of it.
struct Sent {
  std::string kind;    // "create", "comment", "status"
  std::string marker;  // unique in the title, the comment body, or the id
  std::string target;
  std::string body;
  std::string key;
  bool answered = false;
  json answer;  // when answered
};

struct Round {
  std::mutex mu;
  std::condition_variable cv;
  int acked = 0;
  std::vector<std::vector<Sent>> sent{kClients};  // per client, in order
};

// A client's stream until a request fails (the kill).
void Client(int c, int round, uint32_t seed, uint16_t port, Round& out) {
  std::mt19937 rng(seed * 131 + round * 17 + c);
  HttpClient client(port, std::chrono::seconds(5));
  Authorise(client);
  struct Mine {
    std::string id;
    uint32_t version = 0;
    bool moved = false;
  };
  std::vector<Mine> mine;
  for (int i = 0;; ++i) {
    const std::string tag = "idem-r" + std::to_string(round) + "-c" +
                            std::to_string(c) + "-n" + std::to_string(i);
    const int dice = std::uniform_int_distribution(0, 99)(rng);
    Sent s;
    s.key = "key-" + tag;
    s.marker = tag;
    Mine* t = mine.empty() ? nullptr
                           : &mine[std::uniform_int_distribution<size_t>(
                                 0, mine.size() - 1)(rng)];
    if (t == nullptr || dice < 50) {
      s.kind = "create";
      s.target = "/api/v1/tickets";
      s.body = json{{"title", "Kræsj " + tag},
                    {"description", "Idempotenstest " + tag},
                    {"municipality", kMunicipalities[(c + i) % 7]},
                    {"serviceId", "brukerstotte-fjernhjelp"},
                    {"reporter", "idem-client-" + std::to_string(c)}}
                   .dump();
    } else if (dice < 80 || t->moved) {
      s.kind = "comment";
      s.target = "/api/v1/tickets/" + t->id + "/comments";
      s.body = json{{"body", "kommentar " + tag}}.dump();
    } else {
      s.kind = "status";
      s.marker = t->id;
      s.target = "/api/v1/tickets/" + t->id + "/status";
      s.body = json{{"status", "in_progress"}, {"version", t->version}}.dump();
    }
    {
      std::lock_guard lock(out.mu);
      out.sent[c].push_back(s);
    }
    HttpResponse r =
        client.Post(s.target, s.body, {{"Idempotency-Key", s.key}});
    if (r.status != 200 && r.status != 201) return;  // killed (or a bug)
    json answer = Parse(r);
    if (s.kind == "create") mine.push_back({answer.value("id", ""), 0});
    for (Mine& m : mine)
      if (m.id == answer.value("id", "")) {
        m.version = answer.value("version", 0u);
        if (s.kind == "status") m.moved = true;
      }
    std::lock_guard lock(out.mu);
    out.sent[c].back().answered = true;
    out.sent[c].back().answer = std::move(answer);
    ++out.acked;
    out.cv.notify_all();
  }
}

// Sends every request of client `c` again; checks each answer. Counts in
// `committed_unanswered` the requests the kill left unanswered that had
// been done all the same (their retry is a replay).
void Retry(uint16_t port, std::vector<Sent>& sent,
           std::atomic<int>& committed_unanswered) {
  HttpClient client(port);
  Authorise(client);
  for (Sent& s : sent) {
    HttpResponse r =
        client.Post(s.target, s.body, {{"Idempotency-Key", s.key}});
    ASSERT_TRUE(r.status == 200 || r.status == 201)
        << s.kind << " " << s.key << " retried: " << r.status << " " << r.error
        << r.body;
    json answer = Parse(r);
    if (!s.answered && r.header("idempotent-replayed") == "true")
      ++committed_unanswered;
    if (s.answered) {
      EXPECT_EQ(r.header("idempotent-replayed"), "true") << s.key;
      EXPECT_EQ(answer.value("id", ""), s.answer.value("id", "")) << s.key;
      EXPECT_EQ(answer.value("version", 0u), s.answer.value("version", 0u))
          << s.key;
    }
  }
}

void Verify(uint16_t port, const Round& round) {
  HttpClient client(port);
  Authorise(client);
  std::map<std::string, int> seen;  // marker -> events
  ASSERT_NO_FATAL_FAILURE(ForEachEvent(client, [&](const json& e) {
    if (e.contains("ticketCreated")) {
      const std::string title = e["ticketCreated"]["ticket"].value("title", "");
      ++seen[title.substr(title.find(' ') + 1)];
    }
    if (e.contains("commentAdded")) {
      const std::string body = e["commentAdded"].value("body", "");
      ++seen[body.substr(body.find(' ') + 1)];
    }
    if (e.contains("statusChanged") &&
        e["statusChanged"].value("to", "") == "in_progress")
      ++seen[e.value("ticketId", "")];
  }));
  size_t checked = 0;
  for (const auto& requests : round.sent)
    for (const Sent& s : requests) {
      EXPECT_EQ(seen[s.marker], 1)
          << s.kind << " " << s.marker << (s.answered ? " (acknowledged)" : "");
      ++checked;
    }
  std::cout << checked << " requests, each exactly once\n";
}

TEST(Crash, Kill9ThenRetryingEveryKeyedRequestDuplicatesAndLosesNothing) {
  const uint32_t seed = CrashSeed();
  std::cout << "HELPDESK_CRASH_SEED=" << seed << "\n";
  RecordProperty("seed", std::to_string(seed));
  std::mt19937 rng(seed);
  ScratchDir dir;
  DaemonProcess daemon(
      dir.path() + "/data",
      {std::string("--clock-start=") + kClockStart, "--clock-frozen"});
  ASSERT_EQ(daemon.Start(), "");
  LogIn(daemon);
  for (int r = 0; r < kRounds; ++r) {
    SCOPED_TRACE("round " + std::to_string(r) +
                 ", HELPDESK_CRASH_SEED=" + std::to_string(seed));
    const int threshold =
        std::uniform_int_distribution(kMinAcked, kMaxAcked)(rng);
    Round round;
    const KilledRound killed = KillMidStream(
        daemon, kClients, round.mu, round.cv, [&] { return round.acked; },
        threshold, kRoundDeadline,
        [&](int c) { Client(c, r, seed, daemon.port(), round); });
    ASSERT_TRUE(killed.reached) << "only " << round.acked << " of " << threshold
                                << " writes acknowledged; daemon log:\n"
                                << daemon.Log();
    EXPECT_EQ(StoreProblems(daemon.data_dir()), "")
        << "the store as the kill left it";
    ASSERT_EQ(daemon.Start(), "") << "restart after kill -9";
    std::vector<std::thread> retries;
    std::atomic<int> committed_unanswered{0};
    for (int c = 0; c < kClients; ++c)
      retries.emplace_back([&, c] {
        Retry(daemon.port(), round.sent[c], committed_unanswered);
      });
    for (auto& t : retries) t.join();
    std::cout << committed_unanswered << " unanswered requests had been done "
              << "(their retry replayed)\n";
    Verify(daemon.port(), round);
    EXPECT_EQ(StoreProblems(daemon.data_dir()), "") << "after the retries";
    if (::testing::Test::HasFailure()) {
      std::cerr << "---- " << daemon.log_file() << " ----\n"
                << daemon.Log() << "---- end of daemon log ----\n";
      return;
    }
  }
  EXPECT_EQ(daemon.Terminate(), 0) << daemon.Log();
}

}  // namespace
}  // namespace helpdesk::testing
