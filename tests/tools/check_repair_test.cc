// `helpdeskctl check` and `helpdeskctl repair` on a data directory holding
// records that cannot be read (made by a real daemon, then damaged with
// LMDB: tests/support/poisoned_data.h), and on one whose indexes disagree
// with its tickets. The real binary, and the real daemon afterwards.

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "tests/support/daemon_process.h"
#include "tests/support/http_client.h"
#include "tests/support/identities.h"
#include "tests/support/plant.h"
#include "tests/support/poisoned_data.h"
#include "tests/support/scratch_dir.h"
#include "tests/tools/ctl_runner.h"

namespace helpdesk::testing {
namespace {

using nlohmann::json;

bool Has(const std::string& text, const std::string& part) {
  return text.find(part) != std::string::npos;
}

TEST(CtlCheck, ACleanDataDirectoryChecksOk) {
  ScratchDir dir;
  const std::string data = dir.path() + "/data";
  DaemonProcess daemon(data, {std::string("--clock-start=") + kPoisonedAt});
  ASSERT_EQ(daemon.Start(), "");
  HttpClient client(daemon.port());
  const std::string token =
      Identities(daemon.data_dir(), daemon.port()).Token("test.desk");
  client.ActAs([token](const std::string&) { return token; }, "test.desk");
  ASSERT_EQ(client
                .Post("/api/v1/tickets",
                      json{{"title", "Skjermen er svart"},
                           {"description", "Ingen bilde."},
                           {"municipality", "tinn"},
                           {"serviceId", "brukerstotte-fjernhjelp"},
                           {"reporter", "kari.nordmann"}}
                          .dump())
                .status,
            201);
  // Safe while the daemon runs.
  CtlResult r = RunCtl({"check", "--data-dir", data});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Has(r.out, "ok: 1 ticket and")) << r.Describe();
  // Repair is not: the daemon holds the directory.
  r = RunCtl({"repair", "--data-dir", data});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_TRUE(Has(r.err, "stop the daemon first")) << r.Describe();
}

// An upgrade to compact records stopped part-way (its mark still set): the
// offline changes refuse the directory and say to start the daemon, which
// finishes the upgrade; then they run.
TEST(CtlCheck, AnUnfinishedUpgradeIsRefusedUntilTheDaemonFinishesIt) {
  ScratchDir dir;
  const std::string data = dir.path() + "/data";
  DaemonProcess daemon(data, {std::string("--clock-start=") + kPoisonedAt});
  ASSERT_EQ(daemon.Start(), "");
  ASSERT_EQ(daemon.Terminate(), 0);
  ASSERT_TRUE(PlantRaw(data, "meta", "compacting_records", "1").ok());
  CtlResult r = RunCtl({"repair", "--data-dir", data});
  EXPECT_EQ(r.exit_code, 2) << r.Describe();
  EXPECT_TRUE(Has(r.err, "part-way through its upgrade to compact records"))
      << r.Describe();
  ASSERT_EQ(daemon.Start(), "");
  ASSERT_EQ(daemon.Terminate(), 0);
  r = RunCtl({"repair", "--data-dir", data});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Has(r.out, "nothing to repair")) << r.Describe();
}

TEST(CtlCheck, FindsUnreadableRecordsAndRepairQuarantinesThem) {
  ScratchDir dir;
  const std::string data = dir.path() + "/data";
  PoisonedData names;
  ASSERT_EQ(MakePoisonedData(data, names), "");
  // The newest ticket is damaged too, past parsing at all.
  const std::string newest = names.other_ticket;
  ASSERT_TRUE(
      PlantRaw(data, "tickets",
               std::string(7, '\0') + static_cast<char>(std::stoi(newest)),
               "\xff\xff\xff")
          .ok());

  CtlResult r = RunCtl({"check", "--data-dir", data});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  for (const std::string& line :
       {"unreadable: tickets " + names.damaged_ticket +
            ": a string field is not valid UTF-8",
        "unreadable: catalogue service/" + names.damaged_service,
        "unreadable: staff member/" + names.damaged_staff,
        std::string("unreadable: events ")})
    EXPECT_TRUE(Has(r.out, line)) << line << "\n" << r.Describe();
  EXPECT_TRUE(Has(r.out, "helpdeskctl repair --data-dir")) << r.Describe();

  r = RunCtl({"repair", "--data-dir", data, "--actor", "driftsansvarlig"});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Has(r.out, "quarantined: tickets " + names.damaged_ticket))
      << r.Describe();
  // The ticket's index entries, count and load went with it.
  EXPECT_TRUE(Has(r.out, "rebuilt the list indexes")) << r.Describe();

  r = RunCtl({"check", "--data-dir", data});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();

  // The daemon serves, without the records, and the log says why.
  DaemonProcess daemon(data, {std::string("--clock-start=") + kWeekLater});
  ASSERT_EQ(daemon.Start(), "");
  HttpClient client(daemon.port());
  const std::string token =
      Identities(daemon.data_dir(), daemon.port()).Token("test.desk");
  client.ActAs([token](const std::string&) { return token; }, "test.desk");
  EXPECT_EQ(client.Get("/api/v1/tickets/" + names.damaged_ticket).status, 404);
  EXPECT_EQ(client.Get("/api/v1/tickets").status, 200);
  EXPECT_EQ(client.Get("/api/v1/catalogue").status, 200);
  HttpResponse log = client.Get("/api/v1/events?limit=200");
  ASSERT_EQ(log.status, 200) << log.body;
  json events = json::parse(log.body, nullptr, false);
  int quarantined = 0;
  bool ticket_named = false;
  for (const auto& e : events.value("events", json::array())) {
    if (!e.contains("recordQuarantined")) continue;
    ++quarantined;
    EXPECT_EQ(e.value("actor", ""), "driftsansvarlig") << e.dump();
    const json& q = e["recordQuarantined"];
    if (q.value("table", "") == "tickets" &&
        q.value("key", "") == names.damaged_ticket)
      ticket_named = true;
  }
  // The ticket, service and person, and the events that created them.
  EXPECT_GE(quarantined, 5) << log.body;
  EXPECT_TRUE(ticket_named) << log.body;
  EXPECT_EQ(client
                .Post("/api/v1/tickets/" + names.good_ticket + "/comments",
                      json{{"body", "Hei"}}.dump())
                .status,
            201);
  // The newest ticket was quarantined; its number stays taken, so a new
  // ticket never inherits its history.
  HttpResponse created = client.Post(
      "/api/v1/tickets", json{{"title", "Ny PC"},
                              {"description", "Trenger ny PC"},
                              {"municipality", "kongsberg"},
                              {"serviceId", "brukerstotte-fjernhjelp"},
                              {"reporter", "kari.nordmann"}}
                             .dump());
  ASSERT_EQ(created.status, 201) << created.body;
  const std::string id =
      json::parse(created.body, nullptr, false).value("id", "");
  EXPECT_GT(std::stoull(id), std::stoull(newest)) << id;
  HttpResponse history = client.Get("/api/v1/tickets/" + id + "/events");
  ASSERT_EQ(history.status, 200) << history.body;
  EXPECT_EQ(json::parse(history.body, nullptr, false)
                .value("events", json::array())
                .size(),
            2u)
      << "a new ticket's history is its creation and assignment: "
      << history.body;
  EXPECT_EQ(daemon.Terminate(), 0) << daemon.Log();
  r = RunCtl({"check", "--data-dir", data});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
}

TEST(CtlCheck, FindsAStaleIndexAndRepairRebuildsIt) {
  ScratchDir dir;
  const std::string data = dir.path() + "/data";
  PoisonedData names;
  ASSERT_EQ(MakePoisonedData(data, names), "");
  ASSERT_EQ(RunCtl({"repair", "--data-dir", data}).exit_code, 0);
  // An sla_due entry for a ticket whose clocks do not give it.
  const std::string key =
      std::string(7, '\0') + '\x01' + std::string(7, '\0') + '\x01' + '\x03';
  ASSERT_TRUE(PlantRaw(data, "sla_due", key, "").ok());
  CtlResult r = RunCtl({"check", "--data-dir", data});
  EXPECT_EQ(r.exit_code, 1) << r.Describe();
  EXPECT_TRUE(Has(r.out, "disagrees: sla_due: an entry for ticket 1"))
      << r.Describe();
  r = RunCtl({"repair", "--data-dir", data});
  EXPECT_EQ(r.exit_code, 0) << r.Describe();
  EXPECT_TRUE(Has(r.out, "rebuilt")) << r.Describe();
  EXPECT_EQ(RunCtl({"check", "--data-dir", data}).exit_code, 0);
}

}  // namespace
}  // namespace helpdesk::testing
