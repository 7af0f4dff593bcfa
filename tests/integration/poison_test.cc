// Records that cannot be read (an older build stored strings that are not
// UTF-8; a damaged file) never fail other work. The data directory is made
// by a real daemon and then damaged with LMDB (tests/support/
// poisoned_data.h): a ticket whose SLA alerts are due, a catalogue
// service, a staff member and the events that created them. A daemon
// started on it a week later answers every route, names the damaged
// records where they are asked for, and keeps writing everything else.

#include <gtest/gtest.h>

#include <algorithm>
#include <set>

#include "tests/integration/fixture.h"
#include "tests/support/plant.h"
#include "tests/support/poisoned_data.h"

namespace helpdesk::testing {
namespace {

// A client of `daemon` acting as the desk (DaemonTest::kDesk), with the
// accounts of its data directory in `ids`.
std::unique_ptr<HttpClient> DeskClient(const DaemonProcess& daemon,
                                       std::unique_ptr<Identities>& ids) {
  ids = std::make_unique<Identities>(daemon.data_dir(), daemon.port());
  auto c = std::make_unique<HttpClient>(daemon.port());
  Identities* i = ids.get();
  c->ActAs([i](const std::string& a) { return i->Token(a); }, "test.desk");
  return c;
}

class Poisoned : public DaemonTest {
 protected:
  std::vector<std::string> Flags() override {
    return {std::string("--clock-start=") + kWeekLater};
  }
  void SetUp() override {
    ASSERT_EQ(MakePoisonedData(dir_.path() + "/data", names_), "");
    DaemonTest::SetUp();
  }

  // A 500 whose detail names `record` as damaged and says what to run.
  void ExpectDamaged(const HttpResponse& r, const std::string& record) {
    ExpectProblem(r, 500, "/problems/internal");
    const std::string detail = Parse(r).value("detail", "");
    EXPECT_NE(detail.find(record + " is damaged in the store"),
              std::string::npos)
        << r.body;
    EXPECT_NE(detail.find("helpdeskctl check"), std::string::npos) << r.body;
  }

  // How often the daemon's log says `record` was skipped.
  size_t Logged(const std::string& record) {
    const std::string log = daemon_->Log();
    const std::string line = record + " is damaged in the store (it does";
    size_t n = 0;
    for (size_t at = log.find(line); at != std::string::npos;
         at = log.find(line, at + 1))
      ++n;
    return n;
  }

  std::vector<std::string> Ids(const json& list, const char* field) {
    std::vector<std::string> out;
    for (const auto& t : list.value(field, json::array()))
      out.push_back(t.value("id", ""));
    return out;
  }

  PoisonedData names_;
};

TEST_F(Poisoned, EveryReadAnswersAndNamesOnlyTheDamagedRecord) {
  const std::string bad = "/api/v1/tickets/" + names_.damaged_ticket;
  ExpectDamaged(client_->Get(bad), "ticket " + names_.damaged_ticket);
  GetJson("/api/v1/tickets/" + names_.good_ticket);
  // Its history is still there for an operator to read.
  GetJson(bad + "/events");

  const auto listed = Ids(GetJson("/api/v1/tickets"), "tickets");
  EXPECT_EQ(listed, (std::vector<std::string>{names_.other_ticket,
                                              names_.good_ticket}));
  // Paging past the damaged one.
  json first = GetJson("/api/v1/tickets?municipality=rollag&limit=1");
  EXPECT_EQ(Ids(first, "tickets"),
            std::vector<std::string>{names_.other_ticket});
  json second = GetJson("/api/v1/tickets?municipality=rollag&limit=1&cursor=" +
                        first.value("nextCursor", ""));
  EXPECT_EQ(Ids(second, "tickets"),
            std::vector<std::string>{names_.good_ticket})
      << second.dump();

  // The log goes on past the damaged events (the creates of the ticket,
  // the service and the person).
  const auto events = AllEvents();
  EXPECT_GT(events.size(), 5u);

  GetJson("/api/v1/reports/sla?from=2026-04-01T00:00:00Z");
  EXPECT_EQ(client_
                ->Get("/api/v1/reports/sla?from=2026-04-01T00:00:00Z&"
                      "format=csv")
                .status,
            200);
  GetJson("/api/v1/reports/sla?from=2026-04-15T08:00:00Z&view=volume");
  GetJson("/api/v1/reports/coverage");

  GetJson("/api/v1/catalogue");
  const json flat = GetJson("/api/v1/catalogue?view=flat");
  for (const auto& s : flat.value("services", json::array()))
    EXPECT_NE(s.value("id", ""), names_.damaged_service);
  GetJson("/api/v1/catalogue/services?q=skriver");
  GetJson("/api/v1/catalogue/categories");
  ExpectDamaged(
      client_->Get("/api/v1/catalogue/services/" + names_.damaged_service),
      "catalogue record service/" + names_.damaged_service);

  const auto staff = Ids(GetJson("/api/v1/staff"), "staff");
  EXPECT_EQ(std::count(staff.begin(), staff.end(), names_.damaged_staff), 0);
  EXPECT_EQ(std::count(staff.begin(), staff.end(), names_.good_staff), 1);
  ExpectDamaged(client_->Get("/api/v1/staff/" + names_.damaged_staff),
                "staff record member/" + names_.damaged_staff);
  GetJson("/api/v1/vakt");
  GetJson("/api/v1/vakt/now");
  GetJson("/api/v1/municipalities");
  EXPECT_EQ(client_->Get("/metrics").status, 200);

  // Skipped records are logged once each, not at every read.
  for (int i = 0; i < 3; ++i) GetJson("/api/v1/tickets");
  EXPECT_EQ(Logged("ticket " + names_.damaged_ticket), 1u);
  // protobuf's own line for every parse of such a string is left out.
  EXPECT_EQ(daemon_->Log().find("invalid UTF-8"), std::string::npos)
      << daemon_->Log();
}

TEST_F(Poisoned, WritesToEverythingElseWorkAndTheSweepsGoOn) {
  // A week on, the readable tickets' alerts are due, as are the damaged
  // one's: the sweep at start (written before the daemon announces its
  // port) records the readable ones all the same.
  const std::string good = "/api/v1/tickets/" + names_.good_ticket;
  bool breached = false;
  for (const auto& e : AllEvents())
    if (e.contains("slaBreached") &&
        e.value("ticketId", "") == names_.good_ticket)
      breached = true;
  EXPECT_TRUE(breached) << "no SLA breach recorded for the readable ticket";

  json t = GetJson(good);
  // The reporter, an employee in Rollag, comments on her ticket.
  ids_->Employee("kari.nordmann", "rollag");
  HttpResponse r =
      client_->Post(good + "/comments", json{{"body", "Fortsatt feil."}}.dump(),
                    {{"X-Actor", "kari.nordmann"}});
  EXPECT_EQ(r.status, 201) << r.body;
  const std::string other = "/api/v1/tickets/" + names_.other_ticket;
  json o = GetJson(other);
  r = client_->Post(other + "/status", json{{"status", "in_progress"},
                                            {"version", o.value("version", 0)}}
                                           .dump());
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(client_->Post("/api/v1/tickets", GoodTicket().dump()).status, 201);

  // A damaged person's tickets can still be listed by assignee.
  EXPECT_EQ(
      client_->Get("/api/v1/tickets?assignee=" + names_.damaged_staff).status,
      200);

  // The damaged ticket itself: a clean refusal naming it.
  const std::string bad = "/api/v1/tickets/" + names_.damaged_ticket;
  ExpectDamaged(client_->Post(bad + "/comments", json{{"body", "Hei"}}.dump()),
                "ticket " + names_.damaged_ticket);

  // Staff: another person's change works; the damaged one is named.
  json person = GetJson("/api/v1/staff/" + names_.good_staff);
  person.erase("now");
  person["phone"] = "+47 32 11 11 11";
  EXPECT_EQ(Put("/api/v1/staff/" + names_.good_staff, person.dump()).status,
            200);
  ExpectDamaged(Put("/api/v1/staff/" + names_.damaged_staff, person.dump()),
                "staff record member/" + names_.damaged_staff);

  // Catalogue: other services change; retiring the damaged one is refused
  // with its name, and a PUT replaces it (the repair an operator tries).
  const std::string svc = "/api/v1/catalogue/services/";
  ExpectDamaged(client_->Post(svc + names_.damaged_service + "/retire",
                              json{{"reason", "Skadet"}}.dump()),
                "catalogue record service/" + names_.damaged_service);
  json databaser = GetJson(svc + "databaser");
  databaser["name"] = "Databaser og SQL";
  EXPECT_EQ(Put(svc + "databaser", databaser.dump()).status, 200);
  json replacement = databaser;
  replacement.erase("version");
  replacement["id"] = names_.damaged_service;
  replacement["name"] = "Erstattet tjeneste";
  r = Put(svc + names_.damaged_service, replacement.dump());
  EXPECT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(GetJson(svc + names_.damaged_service).value("name", ""),
            "Erstattet tjeneste");
}

// The vakt rota itself cannot be read: tickets are still filed and
// dispatched (as if no one were on vakt), the rota's own reads name it,
// and a PUT without If-Match (it has no version to match) replaces it.
class PoisonedRota : public Poisoned {
 protected:
  void SetUp() override {
    ASSERT_EQ(MakePoisonedData(dir_.path() + "/data", names_), "");
    ASSERT_TRUE(PlantRaw(dir_.path() + "/data", "staff", "rota",
                         std::string("\x0a\x05\xff\xfe\xfd\xfc\xfb", 7))
                    .ok());
    DaemonTest::SetUp();
  }
};

TEST_F(PoisonedRota, TicketsAreStillDispatchedAndAPutReplacesTheRota) {
  HttpResponse r = client_->Post("/api/v1/tickets", GoodTicket().dump());
  EXPECT_EQ(r.status, 201) << r.body;
  EXPECT_FALSE(Parse(r).value("assignee", "").empty()) << r.body;
  ExpectDamaged(client_->Get("/api/v1/vakt"), "staff record rota");

  const json shift = {{"start", "2026-04-22T06:00:00Z"},
                      {"end", "2026-04-23T06:00:00Z"},
                      {"primary", names_.good_staff}};
  r = Put("/api/v1/vakt", json{{"shifts", json::array({shift})}}.dump());
  ASSERT_EQ(r.status, 200) << r.body;
  json rota = GetJson("/api/v1/vakt");
  ASSERT_EQ(rota["shifts"].size(), 1u) << rota.dump();
  EXPECT_EQ(rota["shifts"][0]["primary"], names_.good_staff);
  // Its version is above any the damaged rota could have had, so an
  // If-Match a client kept from before never matches by chance.
  EXPECT_GT(rota.value("version", 0), 1) << rota.dump();
}

// More damaged tickets with alerts due than a write looks past at first
// (AlertsDue looks at 16, then 516): filed first, so all their entries
// come before the readable ticket's. Its alerts are still recorded at
// start, and it still takes changes.
class ManyDamagedDue : public DaemonTest {
 protected:
  static constexpr int kDamaged = 20;  // two entries each: 40 > 16
  std::vector<std::string> Flags() override {
    return {std::string("--clock-start=") + kWeekLater};
  }
  void SetUp() override {
    const std::string data = dir_.path() + "/data";
    {
      DaemonProcess before(data, {std::string("--clock-start=") + kPoisonedAt});
      ASSERT_EQ(before.Start(), "");
      std::unique_ptr<Identities> ids;
      std::unique_ptr<HttpClient> c = DeskClient(before, ids);
      for (int i = 0; i <= kDamaged; ++i) {
        json t = GoodTicket();
        t["title"] = i < kDamaged ? "Skjerm SKADET#" : "Skjermen er svart";
        ASSERT_EQ(c->Post("/api/v1/tickets", t.dump()).status, 201);
      }
      ASSERT_EQ(before.Terminate(), 0);
    }
    ASSERT_TRUE(PlantInvalidUtf8(data, "SKADET#").ok());
    DaemonTest::SetUp();
  }
  const std::string good_ = "/api/v1/tickets/" + std::to_string(kDamaged + 1);
};

TEST_F(ManyDamagedDue, TheReadableTicketsAlertsAreRecordedAndItTakesChanges) {
  std::set<std::string> alerts;
  for (const auto& e : AllEvents())
    if (e.value("ticketId", "") == std::to_string(kDamaged + 1))
      for (const char* kind : {"slaWarning", "slaBreached"})
        if (e.contains(kind)) alerts.insert(kind);
  EXPECT_EQ(alerts, (std::set<std::string>{"slaWarning", "slaBreached"}));
  json t = GetJson(good_);
  HttpResponse r = client_->Post(
      good_ + "/status",
      json{{"status", "in_progress"}, {"version", t.value("version", 0)}}
          .dump());
  EXPECT_EQ(r.status, 200) << r.body;
}

}  // namespace
}  // namespace helpdesk::testing
