// The demo staff against the survey in DOMAIN.md and the facts the dispatch
// scenarios rely on (see the top of daemon/seed/demo_staff.textproto).

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "daemon/seed/seed.h"
#include "daemon/staff/schedule.h"
#include "daemon/staff/staff.h"
#include "proto/wire_names.h"
#include "sla/oslo_time.h"

namespace helpdesk::seed {
namespace {

struct Demo {
  v1::Region region;
  v1::Catalogue catalogue;
  std::vector<v1::StaffMember> staff;
};

const Demo& Data() {
  static const Demo demo = [] {
    Demo d;
    auto region = DemoRegion();
    EXPECT_TRUE(region.ok()) << region.status().message();
    d.region = *region;
    auto catalogue = DefaultCatalogue(d.region);
    EXPECT_TRUE(catalogue.ok()) << catalogue.status().message();
    d.catalogue = *catalogue;
    auto staff = DemoStaff(d.region, d.catalogue);
    EXPECT_TRUE(staff.ok()) << staff.status().message();
    if (staff.ok()) d.staff = *staff;
    return d;
  }();
  return demo;
}

const v1::StaffMember& Person(const std::string& id) {
  for (const auto& m : Data().staff)
    if (m.id() == id) return m;
  ADD_FAILURE() << "no demo person " << id;
  static const v1::StaffMember kNone;
  return kNone;
}

bool Has(const google::protobuf::RepeatedPtrField<std::string>& list,
         const std::string& value) {
  return std::find(list.begin(), list.end(), value) != list.end();
}

std::vector<std::string> Covers(const v1::StaffMember& m) {
  return {m.covers().begin(), m.covers().end()};
}

TEST(DemoStaff, AreValidAgainstTheDemoRegionAndTheBuiltInCatalogue) {
  const Demo& d = Data();
  ASSERT_FALSE(d.staff.empty());
  staff::Registry registry;
  for (const auto& m : d.region.municipalities())
    registry.municipalities.push_back(m.id());
  for (const auto& s : d.catalogue.skills()) registry.skills.push_back(s.id());
  std::set<std::string> ids;
  for (const auto& m : d.staff) {
    Status s = staff::Validate(m, registry);
    EXPECT_TRUE(s.ok()) << m.id() << ": " << s.message();
    EXPECT_TRUE(ids.insert(m.id()).second) << m.id() << " twice";
    // Already normalized: normalizing again changes nothing.
    v1::StaffMember again = m;
    staff::Normalize(again);
    EXPECT_EQ(again.SerializeAsString(), m.SerializeAsString()) << m.id();
    EXPECT_TRUE(m.has_active() && m.active()) << m.id();
    EXPECT_EQ(m.version(), 0u) << m.id();
    EXPECT_FALSE(m.title().empty()) << m.id();
    EXPECT_FALSE(m.working_hours().empty()) << m.id();
  }
}

TEST(DemoStaff, CountsPerMunicipalityFollowTheSurvey) {
  std::map<std::string, int> by_home;
  for (const auto& m : Data().staff) ++by_home[m.home_municipality()];
  std::map<std::string, int> survey = {
      {"kongsberg", 13}, {"notodden", 5}, {"nore-og-uvdal", 4}, {"flesberg", 3},
      {"rollag", 3},     {"tinn", 3},     {"hjartdal", 1}};
  EXPECT_EQ(by_home, survey);
  EXPECT_EQ(Data().staff.size(), 32u);
}

TEST(DemoStaff, PhoneNumbersAreFictionalNorwegianMobilesOnePerPerson) {
  const std::regex mobile("9[0-9]{2} [0-9]{2} [0-9]{3}");
  std::set<std::string> phones;
  for (const auto& m : Data().staff) {
    EXPECT_TRUE(std::regex_match(m.phone(), mobile)) << m.id() << m.phone();
    EXPECT_EQ(m.phone().substr(0, 6), "900 00") << m.id();
    EXPECT_TRUE(phones.insert(m.phone()).second) << m.phone() << " twice";
  }
}

TEST(DemoStaff, KongsbergHasADispatcherAndATeamLeader) {
  int dispatchers = 0, leaders = 0;
  for (const auto& m : Data().staff) {
    if (m.home_municipality() != "kongsberg") continue;
    dispatchers += m.title() == "Jobbfordeler";
    leaders += m.title().rfind("Teamleder", 0) == 0;
  }
  EXPECT_EQ(dispatchers, 1);
  EXPECT_EQ(leaders, 1);
}

TEST(DemoStaff, HjartdalHasOnePersonWhoAloneCoversItOnSite) {
  std::vector<const v1::StaffMember*> home, covering;
  for (const auto& m : Data().staff) {
    if (m.home_municipality() == "hjartdal") home.push_back(&m);
    if (Has(m.covers(), "hjartdal")) covering.push_back(&m);
  }
  ASSERT_EQ(home.size(), 1u);
  const v1::StaffMember& sigrid = *home.front();
  EXPECT_EQ(sigrid.id(), "sigrid.bakka");
  EXPECT_NE(sigrid.title().find("1. linje"), std::string::npos);
  EXPECT_TRUE(Has(sigrid.skills(), "user-support"));
  EXPECT_TRUE(Has(sigrid.skills(), "hardware"));
  EXPECT_GT(sigrid.skills_size(), 2);
  EXPECT_EQ(Covers(sigrid), std::vector<std::string>{"hjartdal"});
  ASSERT_EQ(covering.size(), 1u);
  EXPECT_EQ(covering.front()->id(), "sigrid.bakka");
}

TEST(DemoStaff, HiredInPostsBetweenFlesbergAndRollag) {
  const auto& adviser = Person("torbjorn.flatin");
  EXPECT_EQ(adviser.home_municipality(), "flesberg");
  EXPECT_EQ(adviser.employer_municipality(), "rollag");
  EXPECT_EQ(Covers(adviser), (std::vector<std::string>{"flesberg", "rollag"}));
  EXPECT_EQ(adviser.fte_percent(), 40u);
  EXPECT_TRUE(Has(adviser.skills(), "printers"));

  const auto& guide = Person("ingvild.haugerud");
  EXPECT_EQ(guide.home_municipality(), "rollag");
  EXPECT_EQ(guide.employer_municipality(), "flesberg");
  EXPECT_EQ(Covers(guide), (std::vector<std::string>{"rollag", "flesberg"}));
  EXPECT_EQ(guide.fte_percent(), 40u);
  EXPECT_EQ(guide.title(), "IKT-veileder i skolen");

  const auto& rollag_adviser = Person("solveig.traaen");
  EXPECT_EQ(rollag_adviser.employer_municipality(), "rollag");
  EXPECT_EQ(Covers(rollag_adviser), std::vector<std::string>{"rollag"});
  EXPECT_EQ(rollag_adviser.fte_percent(), 60u);

  // Nobody else is hired in, and only hired-in people cover more than home.
  for (const auto& m : Data().staff) {
    bool hired_in = m.employer_municipality() != m.home_municipality();
    EXPECT_EQ(hired_in, m.id() == adviser.id() || m.id() == guide.id())
        << m.id();
    EXPECT_EQ(m.covers_size() > 1, hired_in) << m.id();
    if (hired_in) {
      EXPECT_TRUE(Has(m.covers(), m.employer_municipality())) << m.id();
    }
  }
}

TEST(DemoStaff, FlesbergHasTwoSchoolItGuidesAt60Percent) {
  int guides = 0;
  for (const auto& m : Data().staff)
    if (m.home_municipality() == "flesberg" &&
        m.title() == "IKT-veileder i skolen" && m.fte_percent() == 60)
      ++guides;
  EXPECT_EQ(guides, 2);
}

TEST(DemoStaff, PartTimePostsAsInTheSurvey) {
  std::map<std::string, std::multiset<uint32_t>> part_time;
  for (const auto& m : Data().staff)
    if (m.fte_percent() < 100)
      part_time[m.home_municipality()].insert(m.fte_percent());
  EXPECT_EQ(part_time["nore-og-uvdal"], std::multiset<uint32_t>{40});
  EXPECT_EQ(part_time["flesberg"], (std::multiset<uint32_t>{40, 60, 60}));
  EXPECT_EQ(part_time["rollag"], (std::multiset<uint32_t>{40, 60}));
  EXPECT_EQ(part_time.count("hjartdal"), 0u);
}

// Working time follows the employer's rules (DOMAIN.md rule 11): a
// person's week at work is their stillingsprosent of the employer's
// full-time week, and the employers' weeks differ: 37.5 h with lunch
// included, Notodden 38 h, Rollag 39 h, and Hjartdal 37.5 h plus a
// half-hour lunch a day (40 h at work).
TEST(DemoStaff, WorkingHoursAreTheFtePercentOfTheEmployersWeek) {
  const std::map<std::string, int> full_week_minutes = {
      {"kongsberg", 2250}, {"notodden", 2280}, {"nore-og-uvdal", 2250},
      {"flesberg", 2250},  {"rollag", 2340},   {"tinn", 2250},
      {"hjartdal", 2400}};
  for (const auto& m : Data().staff) {
    int full = full_week_minutes.at(m.employer_municipality());
    EXPECT_EQ(staff::Schedule::Of(m).WeeklyMinutes() * 100,
              full * static_cast<int>(m.fte_percent()))
        << m.id();
  }
  // The hired-in adviser keeps his employer's (Rollag's) day, not Flesberg's.
  const auto& adviser = Person("torbjorn.flatin");
  ASSERT_EQ(adviser.working_hours_size(), 1);
  EXPECT_EQ(adviser.working_hours(0).start(), "07:45");
  EXPECT_EQ(adviser.working_hours(0).end(), "15:33");
}

TEST(DemoStaff, AFewAbsencesIn2026And2027) {
  auto first = sla::ParseLocalDay("2026-01-01");
  auto last = sla::ParseLocalDay("2027-12-31");
  ASSERT_TRUE(first.ok() && last.ok());
  std::set<v1::AbsenceKind> kinds;
  int absences = 0;
  for (const auto& m : Data().staff) {
    for (const auto& a : m.absences()) {
      ++absences;
      kinds.insert(a.kind());
      auto from = sla::ParseLocalDay(a.from());
      auto to = sla::ParseLocalDay(a.to());
      ASSERT_TRUE(from.ok() && to.ok());
      EXPECT_LE(*first, *from) << m.id();
      EXPECT_LE(*to, *last) << m.id();
      EXPECT_FALSE(a.note().empty()) << m.id();
    }
  }
  EXPECT_GE(absences, 5);
  EXPECT_LE(absences, 20);
  EXPECT_TRUE(kinds.count(v1::ABSENCE_KIND_HOLIDAY));
  EXPECT_TRUE(kinds.count(v1::ABSENCE_KIND_COURSE));
}

TEST(DemoStaff, EverySkillOfTheCatalogueIsHeldBySomeone) {
  std::map<std::string, int> holders;
  for (const auto& m : Data().staff)
    for (const auto& s : m.skills()) ++holders[s];
  for (const auto& skill : Data().catalogue.skills())
    EXPECT_GE(holders[skill.id()], 1) << skill.id();
  EXPECT_GE(holders["supplier-followup"], 2);
}

// For every "necessary" service and every municipality it applies to:
// someone who covers the municipality on site and holds all the skills of
// the service. The gaps are the ones the data file names, and each of them
// can be reached by travel from a neighbour within 90 minutes.
TEST(DemoStaff, OnSiteCoverageOfNecessaryServicesHasOnlyTheNamedGaps) {
  const Demo& d = Data();
  auto qualified = [&](const v1::StaffMember& m, const v1::Service& s) {
    for (const auto& skill : s.skills())
      if (!Has(m.skills(), skill)) return false;
    return true;
  };
  std::set<std::string> gaps;
  int checked = 0;
  for (const auto& service : d.catalogue.services()) {
    if (service.presence() != v1::PRESENCE_NECESSARY ||
        service.state() == v1::SERVICE_STATE_RETIRED)
      continue;
    for (const auto& municipality : d.region.municipalities()) {
      if (!service.municipalities().empty() &&
          !Has(service.municipalities(), municipality.id()))
        continue;
      ++checked;
      bool covered = false;
      for (const auto& m : d.staff)
        covered = covered ||
                  (Has(m.covers(), municipality.id()) && qualified(m, service));
      if (!covered) gaps.insert(municipality.id() + "/" + service.id());
    }
  }
  EXPECT_GT(checked, 50);
  EXPECT_EQ(gaps, (std::set<std::string>{"flesberg/datarom-tilsyn",
                                         "hjartdal/datarom-tilsyn",
                                         "hjartdal/it-beredskap"}));
  for (const std::string& gap : gaps) {
    std::string where = gap.substr(0, gap.find('/'));
    std::string service_id = gap.substr(gap.find('/') + 1);
    const v1::Service* service = nullptr;
    for (const auto& s : d.catalogue.services())
      if (s.id() == service_id) service = &s;
    ASSERT_NE(service, nullptr);
    bool reachable = false;
    for (const auto& t : DemoTravelTimes()) {
      if (t.minutes > 90 || (t.from != where && t.to != where)) continue;
      const std::string& other = t.from == where ? t.to : t.from;
      for (const auto& m : d.staff)
        reachable = reachable ||
                    (m.home_municipality() == other && qualified(m, *service));
    }
    EXPECT_TRUE(reachable) << gap;
  }
}

// The survey (DOMAIN.md rule 7): in Kongsberg the operations manager, the
// IT-support team leader, a school support person and three server/network
// people; Tinn's two IT consultants; nobody in Notodden or elsewhere.
TEST(DemoStaff, VaktIsDoneByThePeopleTheSurveyNames) {
  std::map<std::string, int> vakt_by_home;
  std::map<std::string, int> vakt_by_title;
  for (const auto& m : Data().staff) {
    if (!DoesVakt(m)) continue;
    ++vakt_by_home[m.home_municipality()];
    ++vakt_by_title[m.title()];
  }
  EXPECT_EQ(vakt_by_home,
            (std::map<std::string, int>{{"kongsberg", 6}, {"tinn", 2}}));
  EXPECT_EQ(vakt_by_title["Teamleder IT-støtte"], 1);
  EXPECT_EQ(vakt_by_title["Driftsansvarlig servere"], 1);
  EXPECT_EQ(vakt_by_title["IKT-konsulent skole"], 1);
  int server_network = 0;
  for (const auto& m : Data().staff)
    if (DoesVakt(m) && m.home_municipality() == "kongsberg" &&
        (Has(m.skills(), "servers") || Has(m.skills(), "network")) &&
        m.title() != "Driftsansvarlig servere")
      ++server_network;
  EXPECT_EQ(server_network, 3);
  // Tinn's leader is not one of its two consultants on vakt.
  EXPECT_FALSE(DoesVakt(Person("havard.boen")));
  // Someone inactive never does vakt, nor anyone in Notodden.
  v1::StaffMember away = Person("lars.bakken");
  away.set_active(false);
  EXPECT_FALSE(DoesVakt(away));
  EXPECT_FALSE(DoesVakt(Person("kjetil.aasen")));  // servers, Notodden
}

TEST(DemoStaff, AnUnknownSkillInTheCatalogueIsReportedWithThePerson) {
  v1::Catalogue without_printers = Data().catalogue;
  auto* skills = without_printers.mutable_skills();
  for (int i = 0; i < skills->size(); ++i)
    if (skills->Get(i).id() == "printers") skills->DeleteSubrange(i--, 1);
  auto staff = DemoStaff(Data().region, without_printers);
  ASSERT_FALSE(staff.ok());
  EXPECT_NE(staff.status().message().find("printers"), std::string::npos)
      << staff.status().message();
  EXPECT_NE(staff.status().message().find("marius.johansen"), std::string::npos)
      << staff.status().message();
}

}  // namespace
}  // namespace helpdesk::seed
