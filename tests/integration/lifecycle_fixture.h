#pragma once
// The fixture of the ticket life-cycle tests (lifecycle_test.cc and
// lists_and_log_test.cc): a daemon whose clock starts on a working morning
// (kClockStart) without the periodic dispatch sweep, and helpers to move,
// list and page.

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "tests/integration/fixture.h"

namespace helpdesk::testing {

class Lifecycle : public DaemonTest {
 protected:
  // These tests change no staff: without the periodic dispatch sweep every
  // write batch after the start-up sweep is theirs.
  std::vector<std::string> Flags() override {
    std::vector<std::string> flags = DaemonTest::Flags();
    flags.push_back("--sweep-seconds=0");
    return flags;
  }

  // Reads /metrics until it holds `line` (with a deadline); returns it.
  std::string MetricsOnceThereIs(const std::string& line) {
    std::string body;
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(10);
    do {
      body = client_->Get("/metrics").body;
    } while (body.find(line) == std::string::npos &&
             std::chrono::steady_clock::now() < deadline);
    EXPECT_NE(body.find(line), std::string::npos) << "no '" << line << "' in\n"
                                                  << body;
    return body;
  }

  // The value of the sample `name` (as printed, labels and all) in a
  // /metrics body; -1 when there is none.
  static long Sample(const std::string& metrics, const std::string& name) {
    const std::string key = "\n" + name + " ";
    const size_t at = metrics.find(key);
    if (at == std::string::npos) return -1;
    return std::stol(metrics.substr(at + key.size()));
  }

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

}  // namespace helpdesk::testing
