// The dispatcher's rules on the demo region: its 32 staff, its vakt rota,
// its travel table and the built-in catalogue, at chosen Oslo instants.

#include <gtest/gtest.h>

#include <map>

#include "catalogue/catalogue.h"
#include "daemon/dispatch/coverage.h"
#include "daemon/dispatch/dispatch.h"
#include "daemon/seed/seed.h"
#include "daemon/staff/schedule.h"
#include "sla/oslo_time.h"

namespace helpdesk::dispatch {
namespace {

using std::chrono::sys_seconds;

date::local_days Day(int y, unsigned m, unsigned d) {
  return date::local_days(date::year(y) / date::month(m) / date::day(d));
}

// An instant by the Oslo wall clock.
sys_seconds Oslo(int y, unsigned m, unsigned d, int hh, int mm) {
  return sla::FromOslo(Day(y, m, d), hh * 60 + mm);
}

class DemoRegion : public ::testing::Test {
 protected:
  void SetUp() override {
    auto region = seed::DemoRegion();
    ASSERT_TRUE(region.ok());
    region_ = *region;
    auto catalogue = seed::DefaultCatalogue(region_);
    ASSERT_TRUE(catalogue.ok());
    catalogue_ = *catalogue;
    auto staff = seed::DemoStaff(region_, catalogue_);
    ASSERT_TRUE(staff.ok()) << staff.status().message();
    staff_ = *staff;
    auto rota = seed::DemoRota(staff_, Day(2026, 1, 5), 104);
    ASSERT_TRUE(rota.ok());
    rota_ = *rota;
    Build();
  }

  void Build(bool travel_fallback = true) {
    Options options;
    options.travel_fallback = travel_fallback;
    for (const auto& t : seed::DemoTravelTimes())
      options.travel.push_back({t.from, t.to, t.minutes});
    roster_ = std::make_unique<Roster>(
        staff_, rota_,
        std::vector<v1::Municipality>(region_.municipalities().begin(),
                                      region_.municipalities().end()),
        options);
  }

  v1::StaffMember& Person(const std::string& id) {
    for (auto& m : staff_)
      if (m.id() == id) return m;
    ADD_FAILURE() << "no demo person " << id;
    return staff_.front();
  }

  void Absent(const std::string& id, const char* from, const char* to) {
    auto* a = Person(id).add_absences();
    a->set_from(from);
    a->set_to(to);
    a->set_kind(v1::ABSENCE_KIND_SICK);
    Build();
  }

  v1::Assignment Decide(const std::string& service_id,
                        const std::string& municipality, v1::Priority priority,
                        sys_seconds now, std::string_view exclude = "",
                        std::string_view last_helper = "") {
    const v1::Service* service = catalogue::FindService(catalogue_, service_id);
    EXPECT_NE(service, nullptr) << service_id;
    ticket_ = v1::Ticket();
    ticket_.set_id("1");
    ticket_.set_municipality(municipality);
    ticket_.set_priority(priority);
    *ticket_.mutable_service() = catalogue::Snapshot(*service);
    Input in;
    in.ticket = &ticket_;
    in.service = &ticket_.service();
    in.exclude = exclude;
    in.now = now;
    in.last_helper = [helper = std::string(last_helper)] { return helper; };
    return dispatch::Decide(in, *roster_, [&](const dispatch::Person& p) {
      auto it = loads_.find(p.member->id());
      return it == loads_.end() ? Load{} : it->second;
    });
  }

  const v1::StaffMember& Assignee(const v1::Assignment& a) {
    const auto* p = roster_->Find(a.assignee());
    EXPECT_NE(p, nullptr) << a.assignee();
    return *p->member;
  }

  v1::Region region_;
  v1::Catalogue catalogue_;
  std::vector<v1::StaffMember> staff_;
  v1::VaktRota rota_;
  std::unique_ptr<Roster> roster_;
  std::map<std::string, Load> loads_;
  v1::Ticket ticket_;
};

// Wednesday 15 April 2026, 10:00 in Oslo: an ordinary working morning.
const sys_seconds kWednesdayMorning = Oslo(2026, 4, 15, 10, 0);

TEST_F(DemoRegion, OnSiteSupportInHjartdalGoesToTheHjartdalPerson) {
  auto a = Decide("brukerstotte-pa-stedet", "hjartdal", v1::PRIORITY_NORMAL,
                  kWednesdayMorning);
  EXPECT_EQ(a.outcome(), v1::ASSIGNMENT_OUTCOME_ASSIGNED);
  EXPECT_EQ(a.assignee(), "sigrid.bakka");
  EXPECT_FALSE(a.travel());
  EXPECT_EQ(a.rule_path(), "necessary > local");
  EXPECT_EQ(a.steps(a.steps_size() - 2).rule(), "local");
  EXPECT_EQ(a.steps(a.steps_size() - 2).kept(), 1u);
  EXPECT_NE(a.explanation().find("Assigned to Sigrid Bakka (sigrid.bakka)"),
            std::string::npos)
      << a.explanation();
  EXPECT_NE(a.explanation().find("covers Hjartdal on site"), std::string::npos)
      << a.explanation();
}

TEST_F(DemoRegion, OnSiteInHjartdalWhileSheIsAwayTravelsFromTheNearest) {
  Absent("sigrid.bakka", "2026-04-15", "2026-04-15");
  auto a = Decide("brukerstotte-pa-stedet", "hjartdal", v1::PRIORITY_NORMAL,
                  kWednesdayMorning);
  ASSERT_EQ(a.outcome(), v1::ASSIGNMENT_OUTCOME_ASSIGNED) << a.explanation();
  EXPECT_TRUE(a.travel());
  EXPECT_EQ(a.rule_path(), "necessary > travel");
  const auto& who = Assignee(a);
  EXPECT_NE(who.home_municipality(), "hjartdal");
  EXPECT_EQ(a.travel_from(),
            roster_->MunicipalityName(
                roster_->MunicipalityIndex(who.home_municipality())));
  // The nearest neighbour in the table wins: no nearer one had anyone.
  const auto& neighbours =
      roster_->Neighbours(roster_->MunicipalityIndex("hjartdal"));
  ASSERT_FALSE(neighbours.empty());
  EXPECT_EQ(a.travel_minutes(), neighbours.front().minutes)
      << "the nearest neighbour of Hjartdal has qualified people at work";
  EXPECT_NE(a.explanation().find("travel assignment from " + a.travel_from()),
            std::string::npos)
      << a.explanation();
}

TEST_F(DemoRegion, OnSiteInHjartdalWithoutTravelFallbackWaitsInTheQueue) {
  Absent("sigrid.bakka", "2026-04-15", "2026-04-15");
  Build(/*travel_fallback=*/false);
  auto a = Decide("brukerstotte-pa-stedet", "hjartdal", v1::PRIORITY_NORMAL,
                  kWednesdayMorning);
  EXPECT_EQ(a.outcome(), v1::ASSIGNMENT_OUTCOME_UNASSIGNED);
  EXPECT_EQ(a.unassigned_reason(), v1::UNASSIGNED_REASON_NO_LOCAL_STAFF);
  EXPECT_EQ(a.assignee(), "");
  EXPECT_NE(a.explanation().find("no_local_staff"), std::string::npos)
      << a.explanation();
}

TEST_F(DemoRegion, ServerRoomInHjartdalIsATravelJobEvenWhenSheIsThere) {
  // No one covering Hjartdal has the servers skill (a coverage gap).
  auto a = Decide("datarom-tilsyn", "hjartdal", v1::PRIORITY_NORMAL,
                  kWednesdayMorning);
  ASSERT_EQ(a.outcome(), v1::ASSIGNMENT_OUTCOME_ASSIGNED) << a.explanation();
  EXPECT_TRUE(a.travel());
  EXPECT_NE(a.assignee(), "sigrid.bakka");
}

TEST_F(DemoRegion, OnSiteWorkInRollagGoesToTheAdviserHiredInFromFlesberg) {
  // Wednesday: Rollag's own adviser does not work Wednesdays; the adviser
  // Rollag employs to cover Flesberg and Rollag does.
  auto a = Decide("feilsok-pa-lokasjon", "rollag", v1::PRIORITY_NORMAL,
                  kWednesdayMorning);
  EXPECT_EQ(a.assignee(), "torbjorn.flatin") << a.explanation();
  EXPECT_FALSE(a.travel());
  // Thursday: both could, by their posts; Rollag's own adviser is at work.
  auto b = Decide("feilsok-pa-lokasjon", "rollag", v1::PRIORITY_NORMAL,
                  Oslo(2026, 4, 16, 10, 0));
  EXPECT_EQ(b.assignee(), "solveig.traaen") << b.explanation();
}

TEST_F(DemoRegion, PrinterProblemInRollagMayGoToTheHiredInAdviser) {
  // Remote work: anyone with the printers skill in the region; with
  // everyone else busier, the hired-in adviser is chosen.
  for (const auto& m : staff_) loads_[m.id()].open_by_priority[3] = 5;
  loads_["torbjorn.flatin"].open_by_priority[3] = 0;
  auto a = Decide("skrivere-og-utskrift", "rollag", v1::PRIORITY_NORMAL,
                  kWednesdayMorning);
  EXPECT_EQ(a.assignee(), "torbjorn.flatin") << a.explanation();
  EXPECT_EQ(a.rule_path(), "not_needed > region");
}

TEST_F(DemoRegion, CriticalServerFaultAtTwoInTheNightGoesToVakt) {
  const auto night = Oslo(2026, 4, 15, 2, 0);
  const v1::VaktShift* shift = staff::ShiftAt(rota_, night);
  ASSERT_NE(shift, nullptr);
  auto a = Decide("serverdrift", "notodden", v1::PRIORITY_CRITICAL, night);
  ASSERT_EQ(a.outcome(), v1::ASSIGNMENT_OUTCOME_ASSIGNED) << a.explanation();
  EXPECT_TRUE(a.vakt());
  EXPECT_TRUE(a.assignee() == shift->primary() ||
              a.assignee() == shift->backup());
  // Out of the desk's hours the primary takes it, whatever the skills.
  EXPECT_EQ(a.assignee(), shift->primary());
  EXPECT_EQ(a.rule_path(), "vakt > primary");
  EXPECT_EQ(a.chosen_by(), "vakt_primary");
}

TEST_F(DemoRegion, NormalTicketAtNightWaitsForTheNextWorkingDay) {
  const auto night = Oslo(2026, 4, 15, 2, 0);
  auto a = Decide("serverdrift", "notodden", v1::PRIORITY_NORMAL, night);
  ASSERT_EQ(a.outcome(), v1::ASSIGNMENT_OUTCOME_ASSIGNED) << a.explanation();
  EXPECT_FALSE(a.vakt());
  EXPECT_EQ(a.rule_path(), "not_needed > next_working_day > region");
  // The chosen person works later that Wednesday.
  const auto schedule = staff::Schedule::Of(Assignee(a));
  EXPECT_TRUE(schedule.WorksDuring(3, 2 * 60, 24 * 60));
}

TEST_F(DemoRegion, OnAPublicHolidayANormalTicketWaitsForTheDayAfter) {
  // Ascension Day, Thursday 14 May 2026, 10:00: nobody works.
  auto a = Decide("skrivere-og-utskrift", "kongsberg", v1::PRIORITY_NORMAL,
                  Oslo(2026, 5, 14, 10, 0));
  ASSERT_EQ(a.outcome(), v1::ASSIGNMENT_OUTCOME_ASSIGNED) << a.explanation();
  EXPECT_NE(a.explanation().find("next at work 2026-05-15"), std::string::npos)
      << a.explanation();
}

TEST_F(DemoRegion, UrgentWorkOnAHolidayGoesToVakt) {
  auto a = Decide("nettverksdrift", "tinn", v1::PRIORITY_HIGH,
                  Oslo(2026, 5, 14, 10, 0));
  EXPECT_TRUE(a.vakt() ||
              a.unassigned_reason() == v1::UNASSIGNED_REASON_NO_VAKT)
      << a.explanation();
}

TEST_F(DemoRegion, SupplierWorkGetsAnInternalOwnerWhoFollowsItUp) {
  auto a = Decide("skriverservice", "flesberg", v1::PRIORITY_NORMAL,
                  kWednesdayMorning);
  ASSERT_EQ(a.outcome(), v1::ASSIGNMENT_OUTCOME_ASSIGNED) << a.explanation();
  EXPECT_FALSE(a.supplier().empty());
  const auto& owner = Assignee(a);
  EXPECT_NE(std::find(owner.skills().begin(), owner.skills().end(),
                      "supplier-followup"),
            owner.skills().end());
  EXPECT_EQ(a.rule_path(), "external > owner");
  EXPECT_NE(a.explanation().find("The supplier " + a.supplier()),
            std::string::npos);
}

TEST_F(DemoRegion, DesirablePresenceFallsBackToTheRegion) {
  Absent("sigrid.bakka", "2026-04-15", "2026-04-15");
  auto a = Decide("skole-larer-og-klasserom", "hjartdal", v1::PRIORITY_NORMAL,
                  kWednesdayMorning);
  ASSERT_EQ(a.outcome(), v1::ASSIGNMENT_OUTCOME_ASSIGNED) << a.explanation();
  EXPECT_EQ(a.rule_path(), "desirable > region");
  EXPECT_FALSE(a.travel());
}

TEST_F(DemoRegion, DesirablePresencePrefersLocalPeople) {
  auto a = Decide("skole-larer-og-klasserom", "hjartdal", v1::PRIORITY_NORMAL,
                  kWednesdayMorning);
  EXPECT_EQ(a.assignee(), "sigrid.bakka");
  EXPECT_EQ(a.rule_path(), "desirable > local");
}

TEST_F(DemoRegion, AmongEqualsTheLowestLoadPerPostWins) {
  // Same open work; the 40 % post carries it 2.5 times as heavily.
  for (const auto& m : staff_) loads_[m.id()].open_by_priority[3] = 1;
  loads_["solveig.traaen"].open_by_priority[3] = 0;
  auto a = Decide("feilsok-pa-lokasjon", "rollag", v1::PRIORITY_NORMAL,
                  Oslo(2026, 4, 13, 10, 0));  // Monday: both at work
  EXPECT_EQ(a.assignee(), "solveig.traaen");
  loads_["solveig.traaen"].open_by_priority[3] = 1;   // 1 per 60 %
  loads_["torbjorn.flatin"].open_by_priority[3] = 1;  // 1 per 40 %
  auto b = Decide("feilsok-pa-lokasjon", "rollag", v1::PRIORITY_NORMAL,
                  Oslo(2026, 4, 13, 10, 0));
  EXPECT_EQ(b.assignee(), "solveig.traaen");
  // Equal per post: the least recently assigned.
  loads_["solveig.traaen"] = {{0, 0, 0, 0, 0}, 9};
  loads_["torbjorn.flatin"] = {{0, 0, 0, 0, 0}, 3};
  auto c = Decide("feilsok-pa-lokasjon", "rollag", v1::PRIORITY_NORMAL,
                  Oslo(2026, 4, 13, 10, 0));
  EXPECT_EQ(c.assignee(), "torbjorn.flatin");
}

TEST_F(DemoRegion, ARerunNeverChoosesTheCurrentAssignee) {
  auto a = Decide("brukerstotte-pa-stedet", "hjartdal", v1::PRIORITY_NORMAL,
                  kWednesdayMorning, "sigrid.bakka");
  EXPECT_NE(a.assignee(), "sigrid.bakka");
  EXPECT_TRUE(a.travel());
}

TEST_F(DemoRegion, NoOneWithTheSkillsLeavesTheTicketUnassigned) {
  for (auto& m : staff_)
    if (std::find(m.skills().begin(), m.skills().end(), "elections") !=
        m.skills().end())
      m.set_active(false);
  Build();
  auto a = Decide("valg", "kongsberg", v1::PRIORITY_NORMAL, kWednesdayMorning);
  EXPECT_EQ(a.outcome(), v1::ASSIGNMENT_OUTCOME_UNASSIGNED);
  EXPECT_EQ(a.unassigned_reason(), v1::UNASSIGNED_REASON_NO_SKILLED_STAFF)
      << a.explanation();
}

TEST_F(DemoRegion, ADispatcherMayOverruleTheRulesAndTheNotesSaySo) {
  ticket_.set_id("7");
  ticket_.set_municipality("hjartdal");
  *ticket_.mutable_service() = catalogue::Snapshot(
      *catalogue::FindService(catalogue_, "brukerstotte-pa-stedet"));
  auto a = DecideManual(ticket_, v1::ASSIGNMENT_TRIGGER_MANUAL, "kari.haugen",
                        "per.dispatcher", "knows the users", *roster_,
                        kWednesdayMorning);
  ASSERT_TRUE(a.ok()) << a.status().message();
  EXPECT_EQ(a->assignee(), "kari.haugen");
  EXPECT_TRUE(a->travel());
  EXPECT_EQ(a->reason(), "knows the users");
  EXPECT_NE(a->explanation().find("lacks hardware"), std::string::npos)
      << a->explanation();
  EXPECT_NE(a->explanation().find("does not cover Hjartdal"), std::string::npos)
      << a->explanation();

  auto unknown = DecideManual(ticket_, v1::ASSIGNMENT_TRIGGER_MANUAL, "nobody",
                              "per", "x", *roster_, kWednesdayMorning);
  EXPECT_EQ(unknown.status().code(), Code::kInvalidField);
  Person("kari.haugen").set_active(false);
  Build();
  auto inactive =
      DecideManual(ticket_, v1::ASSIGNMENT_TRIGGER_TAKEN, "kari.haugen",
                   "kari.haugen", "", *roster_, kWednesdayMorning);
  EXPECT_EQ(inactive.status().code(), Code::kInvalidField);
}

// ------------------------------------------- every ticket reaches a person

// Sunday 19 April 2026, 02:00 in Oslo.
const sys_seconds kSundayNight = Oslo(2026, 4, 19, 2, 0);

// A `high` ticket for every active service, in every municipality it is
// for, on an ordinary working morning: someone takes each one.
TEST_F(DemoRegion, EveryActiveServiceReachesAPersonInOfficeHours) {
  int tickets = 0;
  for (const auto& service : catalogue_.services()) {
    if (service.state() != v1::SERVICE_STATE_ACTIVE) continue;
    for (const auto& m : region_.municipalities()) {
      if (!service.municipalities().empty() &&
          std::find(service.municipalities().begin(),
                    service.municipalities().end(),
                    m.id()) == service.municipalities().end())
        continue;
      auto a =
          Decide(service.id(), m.id(), v1::PRIORITY_HIGH, kWednesdayMorning);
      ++tickets;
      EXPECT_EQ(a.outcome(), v1::ASSIGNMENT_OUTCOME_ASSIGNED)
          << service.id() << " in " << m.id() << ": " << a.explanation();
      EXPECT_FALSE(a.vakt()) << service.id();
    }
  }
  EXPECT_GT(tickets, 300);
}

// A `critical` ticket for every business-critical service at 02:00 on a
// Sunday: the vakt primary takes each, whatever the skills, and the
// explanation names whom to call in for the skills the primary lacks.
TEST_F(DemoRegion, EveryBusinessCriticalServiceReachesTheVaktAtNight) {
  const v1::VaktShift* shift = staff::ShiftAt(rota_, kSundayNight);
  ASSERT_NE(shift, nullptr);
  int services = 0, lacking = 0;
  for (const auto& service : catalogue_.services()) {
    if (service.state() != v1::SERVICE_STATE_ACTIVE ||
        !service.business_critical())
      continue;
    ++services;
    for (const auto& m : region_.municipalities()) {
      auto a =
          Decide(service.id(), m.id(), v1::PRIORITY_CRITICAL, kSundayNight);
      ASSERT_EQ(a.outcome(), v1::ASSIGNMENT_OUTCOME_ASSIGNED)
          << service.id() << ": " << a.explanation();
      EXPECT_TRUE(a.vakt());
      EXPECT_EQ(a.assignee(), shift->primary()) << service.id();
      EXPECT_EQ(a.rule_path(), "vakt > primary");
      EXPECT_FALSE(a.travel());
      if (a.missing_skills_size() == 0) continue;
      ++lacking;
      EXPECT_NE(a.explanation().find("lacks "), std::string::npos)
          << a.explanation();
      EXPECT_GT(a.call_in_size(), 0) << a.explanation();
      EXPECT_NE(a.explanation().find("call in "), std::string::npos)
          << a.explanation();
    }
  }
  EXPECT_GE(services, 8);
  EXPECT_GT(lacking, 0);  // the primary is no all-rounder
}

TEST_F(DemoRegion, AtNightThePrimaryAwayTheBackupTakesIt) {
  const v1::VaktShift* shift = staff::ShiftAt(rota_, kSundayNight);
  ASSERT_NE(shift, nullptr);
  Absent(shift->primary(), "2026-04-19", "2026-04-19");
  auto a = Decide("serverdrift", "tinn", v1::PRIORITY_CRITICAL, kSundayNight);
  ASSERT_EQ(a.outcome(), v1::ASSIGNMENT_OUTCOME_ASSIGNED) << a.explanation();
  EXPECT_EQ(a.assignee(), shift->backup());
  EXPECT_EQ(a.chosen_by(), "vakt_backup");
  EXPECT_NE(a.explanation().find("the primary " + shift->primary() +
                                 " is absent today"),
            std::string::npos)
      << a.explanation();
}

// Only a hole in the rota leaves urgent work out of hours with no one; the
// coverage report shows that hole.
TEST_F(DemoRegion, ARotaGapLeavesUrgentWorkUnassignedAndIsReported) {
  rota_.clear_shifts();
  Build();
  auto a = Decide("serverdrift", "tinn", v1::PRIORITY_CRITICAL, kSundayNight);
  EXPECT_EQ(a.outcome(), v1::ASSIGNMENT_OUTCOME_UNASSIGNED);
  EXPECT_EQ(a.unassigned_reason(), v1::UNASSIGNED_REASON_NO_VAKT);
  EXPECT_NE(a.explanation().find("a gap in the rota"), std::string::npos)
      << a.explanation();
  const v1::CoverageReport report =
      Coverage(*roster_, catalogue_, kSundayNight);
  ASSERT_EQ(report.vakt_gaps_size(), 1);
  EXPECT_EQ(report.vakt_gaps(0).hours(), 28u * 24);
  EXPECT_EQ(report.gaps_size(), 1);
}

// A high ticket on a service that is not business-critical waits for the
// morning (vakt_high = business-critical); on a business-critical one it
// wakes the vakt.
TEST_F(DemoRegion, HighPriorityWakesTheVaktOnlyForBusinessCriticalServices) {
  auto printer = Decide("skrivere-og-utskrift", "kongsberg", v1::PRIORITY_HIGH,
                        kSundayNight);
  ASSERT_EQ(printer.outcome(), v1::ASSIGNMENT_OUTCOME_ASSIGNED);
  EXPECT_FALSE(printer.vakt());
  EXPECT_EQ(printer.rule_path(), "not_needed > next_working_day > region");
  auto mail = Decide("e-post", "kongsberg", v1::PRIORITY_HIGH, kSundayNight);
  EXPECT_TRUE(mail.vakt()) << mail.explanation();
}

// No one holds applications, databases and security together: the best
// partial match takes the health record system, and the explanation says
// what they lack and whom to call in.
TEST_F(DemoRegion, APartialMatchExplainsTheMissingSkills) {
  auto a = Decide("helse-omsorg-journal", "notodden", v1::PRIORITY_HIGH,
                  kWednesdayMorning);
  ASSERT_EQ(a.outcome(), v1::ASSIGNMENT_OUTCOME_ASSIGNED) << a.explanation();
  EXPECT_EQ(a.rule_path(), "not_needed > partial > region");
  const auto& who = Assignee(a);
  int held = 0;
  for (const char* skill : {"applications", "databases", "security"})
    held += std::count(who.skills().begin(), who.skills().end(), skill);
  EXPECT_EQ(held, 2) << who.id();
  ASSERT_EQ(a.missing_skills_size(), 1);
  EXPECT_NE(a.explanation().find("lacks " + a.missing_skills(0) + ": call in"),
            std::string::npos)
      << a.explanation();
  for (const auto& id : a.call_in()) {
    const auto& m = *roster_->Find(id)->member;
    EXPECT_NE(
        std::find(m.skills().begin(), m.skills().end(), a.missing_skills(0)),
        m.skills().end())
        << id;
  }
}

// DOMAIN.md rule 12: a paper jam in Rollag on a quiet morning goes to
// Rollag's own printer people, and the explanation says why.
TEST_F(DemoRegion, RollagsPaperJamGoesToRollagsOwnPrinterPeople) {
  auto a = Decide("skrivere-og-utskrift", "rollag", v1::PRIORITY_NORMAL,
                  kWednesdayMorning);
  ASSERT_EQ(a.outcome(), v1::ASSIGNMENT_OUTCOME_ASSIGNED);
  const auto& who = Assignee(a);
  EXPECT_NE(std::find(who.covers().begin(), who.covers().end(), "rollag"),
            who.covers().end())
      << who.id();
  EXPECT_EQ(a.chosen_by(), "own_municipality");
  EXPECT_NE(a.explanation().find("is one of Rollag's own IT staff"),
            std::string::npos)
      << a.explanation();
  // Within the margin (2) the own staff still win over an idle outsider;
  // beyond it, the load rule does.
  for (const char* id : {"sander.efteland", "torbjorn.flatin"})
    loads_[id].open_by_priority[v1::PRIORITY_LOW] = 1;  // 1.0 and 2.5
  auto within = Decide("skrivere-og-utskrift", "rollag", v1::PRIORITY_NORMAL,
                       kWednesdayMorning);
  EXPECT_EQ(within.assignee(), "sander.efteland") << within.explanation();
  EXPECT_NE(within.explanation().find("within the familiarity margin"),
            std::string::npos)
      << within.explanation();
  loads_["sander.efteland"].open_by_priority[v1::PRIORITY_NORMAL] = 1;  // 3.0
  auto beyond = Decide("skrivere-og-utskrift", "rollag", v1::PRIORITY_NORMAL,
                       kWednesdayMorning);
  EXPECT_NE(Assignee(beyond).home_municipality(), "rollag");
  // Several idle outsiders: the load rule's tie-breaks pick among them.
  EXPECT_EQ(beyond.chosen_by(), "id") << beyond.explanation();
}

TEST_F(DemoRegion, ThePersonWhoHelpedLastIsPreferredButNeverWhenAbsent) {
  auto a = Decide("skrivere-og-utskrift", "rollag", v1::PRIORITY_NORMAL,
                  kWednesdayMorning, "", "marius.johansen");
  EXPECT_EQ(a.assignee(), "marius.johansen") << a.explanation();
  EXPECT_EQ(a.chosen_by(), "last_helper");
  EXPECT_NE(a.explanation().find("helped this reporter last"),
            std::string::npos)
      << a.explanation();
  Absent("marius.johansen", "2026-04-15", "2026-04-15");
  auto b = Decide("skrivere-og-utskrift", "rollag", v1::PRIORITY_NORMAL,
                  kWednesdayMorning, "", "marius.johansen");
  EXPECT_NE(b.assignee(), "marius.johansen");
  // Nor over on-site presence: a Kongsberg helper is not local to Rollag.
  auto c = Decide("feilsok-pa-lokasjon", "rollag", v1::PRIORITY_NORMAL,
                  kWednesdayMorning, "", "per.olav.dahl");
  EXPECT_NE(c.assignee(), "per.olav.dahl") << c.explanation();
}

}  // namespace
}  // namespace helpdesk::dispatch
