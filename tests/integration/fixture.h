#pragma once
// One fresh daemon per test, on port 0 in its own temporary data directory,
// with JSON helpers for the assertions. On a failed test the daemon's log is
// printed.

#include <gtest/gtest.h>

#include <functional>
#include <iostream>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <thread>
#include <vector>

#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/identities.h"

namespace helpdesk::testing {

using nlohmann::json;

// Wednesday 15 April 2026, 10:00 in Oslo: an ordinary working morning,
// when most of the demo staff are at work.
inline constexpr char kClockStart[] = "2026-04-15T08:00:00Z";

class DaemonTest : public ::testing::Test {
 protected:
  // Flags for the daemon. The default starts its clock at kClockStart, so
  // what the dispatcher decides does not depend on the hour the tests run;
  // override to change limits, extending DaemonTest::Flags() (a second
  // --clock-start is refused: a subclass wanting another instant replaces
  // the list).
  virtual std::vector<std::string> Flags() {
    return {std::string("--clock-start=") + kClockStart};
  }

  void SetUp() override {
    daemon_ = std::make_unique<DaemonProcess>(dir_.path() + "/data", Flags());
    ASSERT_EQ(daemon_->Start(), "");
    ids_ = std::make_unique<Identities>(daemon_->data_dir(), daemon_->port());
    client_ = NewClient();
  }

  // A client acting as `kDesk` (Identities: admin, dispatcher and agent),
  // or as the account its request's X-Actor header names.
  // `port` 0 is daemon_'s; another daemon on the same data directory has
  // the same accounts (ids_->set_port() to it first).
  std::unique_ptr<HttpClient> NewClient(uint16_t port = 0) {
    auto c = std::make_unique<HttpClient>(port ? port : daemon_->port());
    Identities* ids = ids_.get();
    c->ActAs([ids](const std::string& a) { return ids->Token(a); }, kDesk);
    return c;
  }
  static constexpr char kDesk[] = "test.desk";

  // Race() (tests/support/racers.h) as `account`: sends `method target`
  // with the JSON body `body(i)` from client i, for i in [0, n), at once,
  // each on a connection opened beforehand, logged in before the threads
  // start; returns the HTTP status each got, by i (0 for no answer).
  std::vector<int> RaceAs(const std::string& account, int n,
                          const std::string& method, const std::string& target,
                          const std::function<std::string(int)>& body) {
    std::vector<int> codes(static_cast<size_t>(n));
    std::map<std::string, std::string> headers = ids_->As(account);
    headers["Content-Type"] = "application/json";
    std::vector<std::unique_ptr<HttpClient>> racers;
    for (int i = 0; i < n; ++i) {
      racers.push_back(NewClient());
      if (racers.back()->Get("/healthz", headers).status != 200) return codes;
    }
    std::vector<std::thread> threads;
    for (int i = 0; i < n; ++i) {
      threads.emplace_back([&, i] {
        codes[static_cast<size_t>(i)] =
            racers[static_cast<size_t>(i)]
                ->Send(method, target, body(i), headers)
                .status;
      });
    }
    for (auto& t : threads) t.join();
    return codes;
  }

  // After daemon_ (re)started on a new port: logins go there, and client_
  // is a new client (sessions survive a restart).
  void Reconnect() {
    ids_->set_port(daemon_->port());
    client_ = NewClient();
  }

  // Logs in afresh: a session lasts 12 hours of the daemon's clock, which
  // some tests move on, or restart days later. A new ids_ for the daemon
  // on `port` (0: daemon_'s) on daemon_'s data directory, and a new
  // client_; clients made before must not be used after.
  void LogInAgain(uint16_t port = 0) {
    ids_ = std::make_unique<Identities>(daemon_->data_dir(),
                                        port ? port : daemon_->port());
    client_ = NewClient(port);
  }

  // "Authorization: Bearer <token>\r\n" of `account`, for raw requests.
  std::string AuthLine(const std::string& account = kDesk) {
    return "Authorization: Bearer " + ids_->Token(account) + "\r\n";
  }

  void TearDown() override {
    if (HasFailure() && daemon_ != nullptr) {
      std::cerr << "---- " << daemon_->log_file() << " ----\n"
                << daemon_->Log() << "---- end of daemon log ----\n";
    }
  }

  static json GoodTicket() {
    return {{"title", "Skriveren skriver ikke ut"},
            {"description", "Papirstopp i skuff 2 hver gang."},
            {"municipality", "rollag"},
            {"location", "rollag-kommunehus"},
            {"serviceId", "skrivere-og-utskrift"},
            {"priority", "high"},
            {"reporter", "kari.nordmann"}};
  }

  // The body parsed as JSON; a parse failure is a test failure, not a throw.
  static json Parse(const HttpResponse& r) {
    json j = json::parse(r.body, nullptr, false);
    EXPECT_FALSE(j.is_discarded())
        << "not JSON (" << r.status << " " << r.error << "): " << r.body;
    return j.is_discarded() ? json::object() : j;
  }

  // The service of TicketNoOneCanTake(): it needs a skill ("mainframe")
  // that no one on the demo staff has, a registry error dispatch cannot
  // get round with a partial match.
  static constexpr const char* kServiceNoOneCanTake = "stormaskin-drift";

  // Adds kServiceNoOneCanTake and its skill to the catalogue (once per
  // daemon, by a catalogue import as the desk's admin).
  void AddServiceNoOneCanTake() {
    HttpResponse got = client_->Get("/api/v1/catalogue?view=flat");
    ASSERT_EQ(got.status, 200) << got.body;
    json catalogue = Parse(got);
    for (const auto& s : catalogue["services"])
      if (s["id"] == kServiceNoOneCanTake) return;
    catalogue["skills"].push_back(
        {{"id", "mainframe"}, {"name", "Stormaskin"}});
    json service;
    for (const auto& s : catalogue["services"])
      if (s["id"] == "applikasjonsdrift") service = s;
    ASSERT_FALSE(service.is_null());
    service["id"] = kServiceNoOneCanTake;
    service["name"] = "Drift av stormaskin";
    service["skills"] = json::array({"mainframe", "applications"});
    catalogue["services"].push_back(service);
    HttpResponse put =
        client_->Send("PUT", "/api/v1/catalogue", catalogue.dump(),
                      {{"Content-Type", "application/json"}});
    ASSERT_EQ(put.status, 200) << put.body;
  }

  // A ticket for kServiceNoOneCanTake (added first): the dispatcher leaves
  // it 'new', in the dispatcher queue (no_skilled_staff).
  json TicketNoOneCanTake() {
    AddServiceNoOneCanTake();
    json t = GoodTicket();
    t["serviceId"] = kServiceNoOneCanTake;
    t["title"] = "Stormaskinen svarer ikke";
    t.erase("priority");
    return t;
  }

  // GoodTicket() filed by the employee `account` (of Rollag) as their own:
  // the answer.
  json FileAs(const std::string& account) {
    json t = GoodTicket();
    t.erase("reporter");
    HttpResponse r =
        client_->Post("/api/v1/tickets", t.dump(), ids_->As(account));
    EXPECT_EQ(r.status, 201) << r.error << r.body;
    return Parse(r);
  }

  json Create(const json& body = GoodTicket()) {
    HttpResponse r = client_->Post("/api/v1/tickets", body.dump());
    EXPECT_EQ(r.status, 201) << r.error << r.body;
    return Parse(r);
  }

  // Creates TicketNoOneCanTake() and checks that it stayed 'new'; waits
  // until the page to the dispatcher it causes (README, "Paging") is sent,
  // so that what the test reads next holds its events.
  json CreateUnassigned() {
    json t = Create(TicketNoOneCanTake());
    EXPECT_EQ(t.value("status", ""), "new")
        << "someone on the demo staff can now take a ticket for "
        << kServiceNoOneCanTake << ": " << t.dump();
    WaitForPageSent(t.value("id", ""));
    return t;
  }

  // Polls GET /api/v1/pages (for at most 10 s) until a page of `ticket`
  // has its first step sent.
  void WaitForPageSent(const std::string& ticket) {
    const auto deadline =
        std::chrono::steady_clock::now() + std::chrono::seconds(10);
    std::string last;
    while (std::chrono::steady_clock::now() < deadline) {
      HttpResponse r = client_->Get("/api/v1/pages");
      last = r.body;
      if (r.status == 200)
        for (const auto& p : Parse(r).value("pages", json::array()))
          if (p.value("ticketId", "") == ticket &&
              p["steps"][0].value("state", "") == "sent")
            return;
      std::this_thread::sleep_for(std::chrono::milliseconds(20));  // a poll
    }
    ADD_FAILURE() << "no page of ticket " << ticket << " was sent: " << last;
  }

  // POST /assign: a dispatcher (`actor`, the X-Actor header) gives ticket
  // `id` to `assignee` with a reason; `version` 0 sends none.
  HttpResponse AssignTo(const std::string& id, const std::string& assignee,
                        int version,
                        const std::string& actor = "ole.kristiansen",
                        std::map<std::string, std::string> headers = {}) {
    json body = {{"assignee", assignee},
                 {"reason", "Testen gir saken til " + assignee}};
    if (version != 0) body["version"] = version;
    headers["X-Actor"] = actor;
    return client_->Post("/api/v1/tickets/" + id + "/assign", body.dump(),
                         headers);
  }

  // POST /take: the agent `actor` (a staff id) takes ticket `id`.
  HttpResponse TakeAs(const std::string& id, const std::string& actor,
                      int version,
                      std::map<std::string, std::string> headers = {}) {
    json body = json::object();
    if (version != 0) body["version"] = version;
    headers["X-Actor"] = actor;
    return client_->Post("/api/v1/tickets/" + id + "/take", body.dump(),
                         headers);
  }

  json GetJson(const std::string& target, int expect = 200) {
    HttpResponse r = client_->Get(target);
    EXPECT_EQ(r.status, expect) << target << ": " << r.error << r.body;
    return Parse(r);
  }

  // The whole global event log, paged through with limit=200, without the
  // events of accounts and credentials (the first start makes the demo
  // accounts, and Identities makes more as a test goes): what the tests
  // count is what happened to tickets, the catalogue and the staff.
  std::vector<json> AllEvents() {
    std::vector<json> events;
    for (const auto& e : AllEventsWithAccounts())
      if (!e.contains("accountChanged") && !e.contains("credentialChanged"))
        events.push_back(e);
    return events;
  }
  // The whole global event log, paged through with limit=200.
  std::vector<json> AllEventsWithAccounts() {
    std::vector<json> events;
    std::string after = "0";
    for (int page = 0; page < 100000; ++page) {
      json p = GetJson("/api/v1/events?limit=200&after=" + after);
      if (!p.contains("events") && !p.contains("nextCursor")) break;
      for (const auto& e : p.value("events", json::array()))
        events.push_back(e);
      after = p.value("nextCursor", "");
      if (after.empty()) break;
    }
    return events;
  }
  size_t EventCount() { return AllEvents().size(); }

  // What "nothing was written" is checked against: the length of the event
  // log and every ticket's id and version (newest first, all pages).
  std::string Snapshot() {
    std::string s = "events=" + std::to_string(EventCount()) + " tickets:";
    std::string cursor;
    for (int page = 0; page < 100000; ++page) {
      json p = GetJson("/api/v1/tickets?view=full&limit=200" +
                       (cursor.empty() ? "" : "&cursor=" + cursor));
      for (const auto& t : p.value("tickets", json::array()))
        s += " " + t.value("id", "?") + "@" +
             std::to_string(t.value("version", 0)) + "/" +
             t.value("status", "?") + "/c" +
             std::to_string(t.value("commentCount", 0));
      cursor = p.value("nextCursor", "");
      if (cursor.empty()) break;
    }
    return s;
  }

  // PUT with a JSON body: Content-Type application/json unless `headers`
  // sets one.
  HttpResponse Put(const std::string& target, const std::string& body,
                   std::map<std::string, std::string> headers = {}) {
    if (!headers.count("Content-Type"))
      headers.emplace("Content-Type", "application/json");
    return client_->Send("PUT", target, body, headers);
  }

  // Snapshot() plus the whole tjenestekatalog as import takes it: what
  // "a refused catalogue change wrote nothing" is checked against.
  std::string CatalogueSnapshot() {
    return Snapshot() +
           " catalogue:" + GetJson("/api/v1/catalogue?view=flat").dump();
  }

  // The events of the global log that changed the catalogue.
  std::vector<json> CatalogueEvents() {
    std::vector<json> out;
    for (const auto& e : AllEvents())
      if (e.contains("catalogueChanged")) out.push_back(e);
    return out;
  }

  // A problem+json answer with the given status and type, a non-empty
  // detail, and a request id.
  static void ExpectProblem(const HttpResponse& r, int status,
                            const std::string& type) {
    EXPECT_EQ(r.status, status) << r.error << r.body;
    EXPECT_EQ(r.header("content-type"), "application/problem+json")
        << r.status << " " << r.body;
    EXPECT_FALSE(r.header("x-request-id").empty()) << r.body;
    json p = json::parse(r.body, nullptr, false);
    ASSERT_TRUE(p.is_object()) << "not a problem object: " << r.body;
    EXPECT_EQ(p.value("type", ""), type) << r.body;
    EXPECT_EQ(p.value("status", 0), status) << r.body;
    EXPECT_TRUE(p.contains("detail") && p["detail"].is_string() &&
                !p["detail"].get<std::string>().empty())
        << r.body;
  }

  ScratchDir dir_;
  std::unique_ptr<DaemonProcess> daemon_;
  std::unique_ptr<HttpClient> client_;
  std::unique_ptr<Identities> ids_;
};

}  // namespace helpdesk::testing
