// SLA clocks on tickets through the real daemon, its clock started on
// Wednesday 15 April 2026 at 10:00 in Oslo: the targets of the service's
// class and the ticket's priority from the moment it is filed, the first
// response met by in_progress or a reply from staff, the clocks paused
// while waiting on the user, and resolution met by resolved.

#include <chrono>
#include <map>
#include <memory>
#include <thread>

#include "tests/integration/fixture.h"

namespace helpdesk::testing {
namespace {

class SlaTest : public DaemonTest {
 protected:
  // The clock stands at kClockStart unless a test moves it, so instants
  // compare exactly however long the test takes.
  std::vector<std::string> Flags() override {
    std::vector<std::string> flags = DaemonTest::Flags();
    flags.push_back("--clock-frozen");
    return flags;
  }

  // Moves the daemon's standing clock forwards to `at`.
  void MoveClockTo(HttpClient& client, const std::string& at) {
    HttpResponse r = client.Post("/test/clock?at=" + at, "");
    ASSERT_EQ(r.status, 200) << r.body;
  }

  // A high-priority printer ticket (class "standard": 1 h first response,
  // 4 h resolution on the desk calendar, Mon-Fri 08:00-15:30).
  json FileHigh() {
    json t = Create();
    EXPECT_EQ(t["sla"]["slaClass"], "standard") << t.dump();
    return t;
  }

  json Move(const json& t, const std::string& status) {
    HttpResponse r = client_->Post(
        "/api/v1/tickets/" + t["id"].get<std::string>() + "/status",
        json{{"status", status}, {"version", t["version"]}}.dump());
    EXPECT_EQ(r.status, 200) << r.body;
    return Parse(r);
  }
};

TEST_F(SlaTest, ClocksStartWithTheTargetsOfTheClassAndPriority) {
  json t = FileHigh();
  const json& response = t["sla"]["firstResponse"];
  EXPECT_EQ(response["state"], "running");
  EXPECT_EQ(response["targetSeconds"], "3600");
  EXPECT_EQ(response["calendar"], "desk");
  EXPECT_EQ(response["dueAt"], "2026-04-15T09:00:00Z");
  EXPECT_EQ(response["warningAt"], "2026-04-15T08:45:00Z");
  const json& resolution = t["sla"]["resolution"];
  EXPECT_EQ(resolution["targetSeconds"], "14400");
  EXPECT_EQ(resolution["dueAt"], "2026-04-15T12:00:00Z");
  // A read shows the same targets and the business time used so far.
  json again = GetJson("/api/v1/tickets/" + t["id"].get<std::string>());
  EXPECT_EQ(again["sla"]["resolution"]["dueAt"], "2026-04-15T12:00:00Z");
  EXPECT_EQ(again["sla"]["resolution"]["state"], "running");
}

TEST_F(SlaTest, InProgressMeetsTheFirstResponseAndResolvedTheResolution) {
  json t = Move(FileHigh(), "in_progress");
  EXPECT_EQ(t["sla"]["firstResponse"]["state"], "met") << t.dump();
  EXPECT_TRUE(t["sla"]["firstResponse"].contains("stoppedAt"));
  EXPECT_EQ(t["sla"]["resolution"]["state"], "running");
  t = Move(t, "resolved");
  EXPECT_EQ(t["sla"]["resolution"]["state"], "met");
  EXPECT_FALSE(t["sla"]["resolution"]["counting"].get<bool>());
}

TEST_F(SlaTest, WaitingOnTheUserPausesTheClocks) {
  json t = Move(FileHigh(), "in_progress");
  t = Move(t, "waiting_on_user");
  const json& paused = t["sla"]["resolution"];
  EXPECT_EQ(paused["state"], "paused");
  EXPECT_FALSE(paused.contains("dueAt"));
  // Half an hour waiting on the user does not count.
  MoveClockTo(*client_, "2026-04-15T08:30:00Z");
  t = Move(t, "in_progress");
  const json& running = t["sla"]["resolution"];
  EXPECT_EQ(running["state"], "running");
  EXPECT_EQ(running["dueAt"], "2026-04-15T12:30:00Z");
}

TEST_F(SlaTest, AReplyFromStaffIsTheFirstResponseOneFromTheReporterIsNot) {
  json t = FileHigh();
  const std::string comments =
      "/api/v1/tickets/" + t["id"].get<std::string>() + "/comments";
  // The reporter, an employee in Rollag, writes on her own ticket ...
  ids_->Employee("kari.nordmann", "rollag");
  HttpResponse own =
      client_->Post(comments, json{{"body", "Fortsatt feil"}}.dump(),
                    {{"X-Actor", "kari.nordmann"}});
  ASSERT_EQ(own.status, 201) << own.body;
  EXPECT_EQ(Parse(own)["sla"]["firstResponse"]["state"], "running");
  // ... and an agent answers her.
  HttpResponse staff =
      client_->Post(comments, json{{"body", "Vi ser på det"}}.dump(),
                    {{"X-Actor", "kari.haugen"}});
  ASSERT_EQ(staff.status, 201) << staff.body;
  EXPECT_EQ(Parse(staff)["sla"]["firstResponse"]["state"], "met");
}

TEST_F(SlaTest, APriorityChangeTakesTheNewTargetsAndKeepsTheTimeUsed) {
  json t = FileHigh();
  const std::string id = t["id"];
  const std::string priority = "/api/v1/tickets/" + id + "/priority";
  HttpResponse r = client_->Post(priority,
                                 json{{"priority", "critical"},
                                      {"reason", "Hele rådhuset"},
                                      {"version", t["version"]}}
                                     .dump(),
                                 {{"X-Actor", "per.dispatcher"}});
  ASSERT_EQ(r.status, 200) << r.body;
  json after = Parse(r);
  EXPECT_EQ(after["priority"], "critical");
  const json& resolution = after["sla"]["resolution"];
  EXPECT_EQ(resolution["targetSeconds"], "7200");
  // Filed at 10:00 Oslo, and the clock stands: due two hours after filing.
  EXPECT_EQ(resolution["dueAt"], "2026-04-15T10:00:00Z");
  json events = GetJson("/api/v1/tickets/" + id + "/events");
  const json& last = events["events"].back();
  EXPECT_EQ(last["priorityChanged"]["from"], "high");
  EXPECT_EQ(last["priorityChanged"]["to"], "critical");
  EXPECT_EQ(last["actor"], "per.dispatcher");
  // Bad changes change nothing.
  EXPECT_EQ(client_->Post(priority, json{{"version", 3}}.dump()).status, 422);
  EXPECT_EQ(
      client_
          ->Post(priority, json{{"priority", "urgent"}, {"version", 3}}.dump())
          .status,
      422);
  EXPECT_EQ(client_
                ->Post(priority,
                       json{{"priority", "critical"}, {"version", 3}}.dump())
                .status,
            409);
  EXPECT_EQ(client_->Post(priority, json{{"priority", "low"}}.dump()).status,
            428);
  EXPECT_EQ(GetJson("/api/v1/tickets/" + id)["version"], 3);
}

// The SLA events of ticket `id`, by kind: "slaWarning/first_response" ...
std::map<std::string, int> Alerts(const json& events) {
  std::map<std::string, int> out;
  for (const auto& e : events["events"])
    for (const char* k : {"slaWarning", "slaBreached"})
      if (e.contains(k))
        ++out[std::string(k) + "/" + e[k]["kind"].get<std::string>()];
  return out;
}

TEST_F(SlaTest, WarningsAndBreachesAreRecordedOnceAlsoAcrossDowntime) {
  json t =
      FileHigh();  // 10:00 Oslo: first response due 11:00, resolution 14:00
  const std::string id = t["id"];
  ASSERT_GE(daemon_->Terminate(), 0);
  auto start_at = [&](const std::string& clock) {
    auto d = std::make_unique<DaemonProcess>(
        daemon_->data_dir(),
        std::vector<std::string>{"--clock-start=" + clock});
    EXPECT_EQ(d->Start(), "");
    ids_->set_port(d->port());  // the same accounts and sessions
    auto c = NewClient(d->port());
    // The start-up pass is queued to the writer before the port is
    // announced: a write answered now comes after it.
    EXPECT_EQ(c->Post("/api/v1/tickets", GoodTicket().dump()).status, 201);
    json events = Parse(c->Get("/api/v1/tickets/" + id + "/events"));
    json ticket = Parse(c->Get("/api/v1/tickets/" + id));
    EXPECT_EQ(d->Terminate(), 0);
    return std::pair{Alerts(events), ticket};
  };
  // Down until 11:30 Oslo: the first response warned and breached, once.
  auto [after_first, ticket] = start_at("2026-04-15T09:30:00Z");
  EXPECT_EQ(after_first,
            (std::map<std::string, int>{{"slaBreached/first_response", 1},
                                        {"slaWarning/first_response", 1}}));
  EXPECT_EQ(ticket["sla"]["firstResponse"]["state"], "breached");
  EXPECT_TRUE(ticket["sla"]["firstResponse"]["warned"].get<bool>());
  EXPECT_EQ(ticket["version"], t["version"]);  // alerts edit nothing
  // The same instant again: nothing new.
  auto [again, unused] = start_at("2026-04-15T09:30:00Z");
  EXPECT_EQ(again, after_first);
  // 15:00 Oslo: the resolution too.
  auto [later, unused2] = start_at("2026-04-15T13:00:00Z");
  EXPECT_EQ(later,
            (std::map<std::string, int>{{"slaBreached/first_response", 1},
                                        {"slaBreached/resolution", 1},
                                        {"slaWarning/first_response", 1},
                                        {"slaWarning/resolution", 1}}));
}

TEST_F(SlaTest, AWarningIsRecordedWhenItFallsDueWhileRunning) {
  json t = FileHigh();  // first response warning at 10:45 Oslo (08:45Z)
  const std::string id = t["id"];
  ASSERT_GE(daemon_->Terminate(), 0);
  DaemonProcess d(daemon_->data_dir(),
                  {"--clock-start=2026-04-15T08:44:58Z", "--clock-frozen"});
  ASSERT_EQ(d.Start(), "");
  ids_->set_port(d.port());  // the same accounts and sessions
  std::unique_ptr<HttpClient> client = NewClient(d.port());
  HttpClient& c = *client;
  // Two seconds before it falls due nothing is recorded, however long the
  // start took; once the clock reaches it, it is (moving the test clock
  // answers after the alerts due by then are recorded).
  EXPECT_TRUE(
      Alerts(Parse(c.Get("/api/v1/tickets/" + id + "/events"))).empty());
  MoveClockTo(c, "2026-04-15T08:45:00Z");
  const std::map<std::string, int> seen =
      Alerts(Parse(c.Get("/api/v1/tickets/" + id + "/events")));
  EXPECT_EQ(seen,
            (std::map<std::string, int>{{"slaWarning/first_response", 1}}))
      << d.Log();
  json events = Parse(c.Get("/api/v1/tickets/" + id + "/events"));
  for (const auto& e : events["events"])
    if (e.contains("slaWarning")) {
      EXPECT_EQ(e["slaWarning"]["dueAt"], "2026-04-15T08:45:00Z");
      EXPECT_EQ(e["slaWarning"]["elapsedSeconds"], "2700");  // 75 % of 1 h
      EXPECT_EQ(e["at"], "2026-04-15T08:45:00Z");
    }
}

}  // namespace
}  // namespace helpdesk::testing
