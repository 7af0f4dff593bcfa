#pragma once
// One fresh daemon per test, on port 0 in its own data directory, with JSON
// helpers for the assertions.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"

namespace helpdesk::testing {

using nlohmann::json;

class DaemonTest : public ::testing::Test {
 protected:
  // Flags for the daemon; override to change limits.
  virtual std::vector<std::string> Flags() { return {}; }

  void SetUp() override {
    daemon_ = std::make_unique<DaemonProcess>(dir_.path() + "/data", Flags());
    ASSERT_EQ(daemon_->Start(), "");
    client_ = std::make_unique<HttpClient>(daemon_->port());
  }

  static json GoodTicket() {
    return {{"title", "Skriveren skriver ikke ut"},
            {"description", "Papirstopp i skuff 2 hver gang."},
            {"municipality", "rollag"},
            {"location", "rollag-kommunehus"},
            {"serviceId", "printer"},
            {"priority", "high"},
            {"reporter", "kari.nordmann"}};
  }

  json Create(const json& body = GoodTicket()) {
    HttpResponse r = client_->Post("/api/v1/tickets", body.dump());
    EXPECT_EQ(r.status, 201) << r.body;
    return json::parse(r.body);
  }

  json GetJson(const std::string& target, int expect = 200) {
    HttpResponse r = client_->Get(target);
    EXPECT_EQ(r.status, expect) << target << ": " << r.body;
    return json::parse(r.body);
  }

  // The event log's length: what "nothing was written" is checked against.
  size_t EventCount() {
    size_t n = 0;
    std::string after = "0";
    while (true) {
      json page = GetJson("/api/v1/events?limit=1000&after=" + after);
      n += page["events"].size();
      if (page["nextCursor"] == "") return n;
      after = page["nextCursor"];
    }
  }

  // A problem+json answer with the given status and type.
  static void ExpectProblem(const HttpResponse& r, int status,
                            const std::string& type) {
    EXPECT_EQ(r.status, status) << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json");
    json p = json::parse(r.body, nullptr, false);
    ASSERT_FALSE(p.is_discarded()) << r.body;
    EXPECT_EQ(p["type"], type) << r.body;
    EXPECT_EQ(p["status"], status);
    EXPECT_FALSE(p["detail"].get<std::string>().empty());
  }

  ScratchDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<HttpClient> client_;
};

}  // namespace helpdesk::testing
