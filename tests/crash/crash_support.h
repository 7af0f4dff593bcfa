#pragma once
// What the kill -9 tests share: the instant their daemons start at, the
// demo region's municipalities, the seed of a run's random choices, and
// the walk of the whole event log, and a round of clients cut short by
// kill -9. Header-only; test-only.

#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <cstdlib>
#include <functional>
#include <mutex>
#include <nlohmann/json.hpp>
#include <random>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/identities.h"

namespace helpdesk::testing {

// Wednesday 15 April 2026, 10:00 in Oslo: remote support finds someone at
// work.
inline constexpr char kClockStart[] = "2026-04-15T08:00:00Z";
inline const char* const kMunicipalities[] = {
    "kongsberg", "notodden", "nore-og-uvdal", "flesberg",
    "rollag",    "tinn",     "hjartdal"};

// HELPDESK_CRASH_SEED replays a run; else a fresh one, which the test
// prints.
inline uint32_t CrashSeed() {
  if (const char* s = std::getenv("HELPDESK_CRASH_SEED"))
    return static_cast<uint32_t>(std::strtoul(s, nullptr, 10));
  return std::random_device{}();
}

// The session token the crash tests' clients act with: the account
// "test.desk" (admin, dispatcher and agent; tests/support/identities.h),
// logged in once after the first start. A session survives kill -9 and
// restarts: it is in the database. LogIn after the first start.
inline std::string& CrashToken() {
  static std::string token;
  return token;
}
inline void LogIn(const DaemonProcess& daemon) {
  CrashToken() =
      Identities(daemon.data_dir(), daemon.port()).Token("test.desk");
}
// Every request of `client` goes as the test desk (an X-Actor is dropped).
inline void Authorise(HttpClient& client) {
  client.ActAs([token = CrashToken()](const std::string&) { return token; },
               "test.desk");
}

// The body as JSON; null when it is not JSON.
inline nlohmann::json Parse(const HttpResponse& r) {
  nlohmann::json j = nlohmann::json::parse(r.body, nullptr, false);
  return j.is_discarded() ? nlohmann::json() : j;
}

// Reads the whole event log, 200 at a time, asserting that it is 1..N
// without gap or duplicate, and calls `each` for every event. Use with
// ASSERT_NO_FATAL_FAILURE.
inline void ForEachEvent(
    HttpClient& client,
    const std::function<void(const nlohmann::json&)>& each) {
  uint64_t expected = 1;
  std::string after = "0";
  for (int page = 0;; ++page) {
    ASSERT_LT(page, 100000) << "the event log does not end";
    HttpResponse r = client.Get("/api/v1/events?limit=200&after=" + after);
    ASSERT_EQ(r.status, 200) << r.error << r.body;
    nlohmann::json p = nlohmann::json::parse(r.body, nullptr, false);
    ASSERT_TRUE(p.is_object()) << r.body;
    nlohmann::json events = p.value("events", nlohmann::json::array());
    ASSERT_LE(events.size(), 200u);
    for (const auto& e : events) {
      ASSERT_TRUE(e.contains("seq") && e["seq"].is_string()) << e.dump();
      const uint64_t seq = std::stoull(e["seq"].get<std::string>());
      ASSERT_EQ(seq, expected)
          << (seq < expected ? "duplicate" : "gap") << " in the event log";
      ++expected;
      each(e);
    }
    const std::string next = p.value("nextCursor", "");
    if (next.empty()) break;
    ASSERT_FALSE(events.empty()) << "a nextCursor on an empty page";
    after = next;
  }
}

// How a round of KillMidStream went.
struct KilledRound {
  bool reached = false;  // `threshold` writes were acknowledged
  int finished = 0;      // clients that had stopped before the kill
};

// Runs `client(c)` for each of `clients` clients on a thread of its own,
// SIGKILLs `daemon` mid-stream once `acked()` reaches `threshold` (or every
// client stopped, or `deadline` passed), then joins them. The clients
// notify `cv` at each acknowledgement; `acked` is read under `mu`.
inline KilledRound KillMidStream(DaemonProcess& daemon, int clients,
                                 std::mutex& mu, std::condition_variable& cv,
                                 const std::function<int()>& acked,
                                 int threshold, std::chrono::seconds deadline,
                                 const std::function<void(int)>& client) {
  KilledRound out;
  std::vector<std::thread> threads;
  for (int c = 0; c < clients; ++c)
    threads.emplace_back([&, c] {
      client(c);
      std::lock_guard lock(mu);
      ++out.finished;
      cv.notify_all();
    });
  {
    std::unique_lock lock(mu);
    out.reached = cv.wait_for(lock, deadline, [&] {
      return acked() >= threshold || out.finished == clients;
    });
    out.reached = out.reached && acked() >= threshold;
  }
  daemon.Kill9();  // while the clients are still writing
  for (auto& t : threads) t.join();
  return out;
}

}  // namespace helpdesk::testing
