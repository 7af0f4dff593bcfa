// The coverage report on a small hand-made region: counts, flags, the
// per-municipality cells of on-site services, part-timers, vakt at night,
// absences and the gaps in words.

#include "daemon/dispatch/coverage.h"

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "daemon/staff/schedule.h"
#include "daemon/staff/staff.h"
#include "proto/timestamps.h"
#include "sla/oslo_time.h"

namespace helpdesk::dispatch {
namespace {

using std::chrono::sys_seconds;

constexpr int kMon = 1, kTue = 2, kWed = 3, kThu = 4, kFri = 5;

// "2026-11-25T09:00Z" as an instant.
sys_seconds Utc(std::string_view text) {
  const bool shape = text.size() == 17 && text[10] == 'T' && text[16] == 'Z';
  auto day = sla::ParseLocalDay(text.substr(0, 10));
  auto minute = sla::ParseClock(text.substr(11, 5));
  EXPECT_TRUE(shape && day.ok() && minute.ok()) << text;
  if (!day.ok() || !minute.ok()) return {};
  return sys_seconds(day->time_since_epoch()) + std::chrono::minutes(*minute);
}

// "2026-11-25T09:00Z".
std::string FormatUtc(const google::protobuf::Timestamp& t) {
  return date::format("%Y-%m-%dT%H:%MZ", proto::ToSys(t));
}

// Wednesday 25 November 2026, 10:00 in Oslo.
const char* const kWednesdayMorning = "2026-11-25T09:00Z";
// The night after, 02:00 on Thursday in Oslo.
const char* const kThursdayNight = "2026-11-26T01:00Z";

std::vector<v1::Municipality> Municipalities() {
  std::vector<v1::Municipality> out;
  for (auto [id, name] : {std::pair{"kongsberg", "Kongsberg"},
                          {"notodden", "Notodden"},
                          {"hjartdal", "Hjartdal"},
                          {"flesberg", "Flesberg"},
                          {"rollag", "Rollag"}}) {
    v1::Municipality m;
    m.set_id(id);
    m.set_name(name);
    out.push_back(m);
  }
  return out;
}

v1::StaffMember Member(const char* id, const char* home,
                       std::vector<const char*> skills,
                       std::vector<int> days = {kMon, kTue, kWed, kThu, kFri},
                       std::vector<const char*> also_covers = {}) {
  v1::StaffMember m;
  m.set_id(id);
  m.set_name(id);
  m.set_home_municipality(home);
  for (const char* c : also_covers) m.add_covers(c);
  for (const char* s : skills) m.add_skills(s);
  m.set_fte_percent(static_cast<uint32_t>(days.size() * 20));
  v1::WorkPeriod* p = m.add_working_hours();
  for (int d : days) p->add_days(static_cast<v1::Weekday>(d));
  p->set_start("08:00");
  p->set_end("15:30");
  staff::Normalize(m);
  return m;
}

void AddAbsence(v1::StaffMember& m, const char* from, const char* to) {
  v1::Absence* a = m.add_absences();
  a->set_from(from);
  a->set_to(to);
  a->set_kind(v1::ABSENCE_KIND_SICK);
}

// Seven people; see the comments for who counts where.
std::vector<v1::StaffMember> Staff() {
  std::vector<v1::StaffMember> s;
  s.push_back(Member("anne", "kongsberg",
                     {"network", "servers", "user-support"},
                     {kMon, kTue, kWed, kThu, kFri}, {"hjartdal"}));
  s.push_back(Member("bjorn", "kongsberg", {"network", "user-support"}));
  s.push_back(
      Member("cecilie", "hjartdal", {"user-support", "school-platforms"}));
  // A 40 % school IT guide at Flesberg, hired in to cover Rollag too.
  s.push_back(Member("dag", "flesberg", {"school-platforms", "user-support"},
                     {kMon, kTue}, {"rollag"}));
  // A 60 % post: Monday, Tuesday and Thursday.
  s.push_back(Member("eva", "rollag", {"school-platforms", "network"},
                     {kMon, kTue, kThu}));
  v1::StaffMember frank = Member("frank", "notodden", {"network"});
  frank.set_active(false);
  s.push_back(frank);
  // Off sick on Wednesday and Thursday.
  v1::StaffMember guri =
      Member("guri", "notodden", {"network", "servers", "user-support"});
  AddAbsence(guri, "2026-11-25", "2026-11-26");
  s.push_back(guri);
  return s;
}

v1::Catalogue Catalogue() {
  v1::Catalogue c;
  for (auto [id, name] : {std::pair{"user-support", "Brukerstøtte"},
                          {"telephony", "Telefoni"},
                          {"network", "Nettverk"},
                          {"school-platforms", "Skoleplattformer"},
                          {"servers", "Servere"}}) {
    v1::Skill* s = c.add_skills();
    s->set_id(id);
    s->set_name(name);
  }
  auto service = [&](const char* id, const char* name, v1::Presence presence,
                     std::vector<const char*> skills,
                     std::vector<const char*> municipalities = {}) {
    v1::Service* s = c.add_services();
    s->set_id(id);
    s->set_name(name);
    s->set_category("drift");
    s->set_presence(presence);
    s->set_state(v1::SERVICE_STATE_ACTIVE);
    for (const char* k : skills) s->add_skills(k);
    for (const char* m : municipalities) s->add_municipalities(m);
    return s;
  };
  service("serverdrift", "Serverdrift", v1::PRESENCE_NOT_NEEDED,
          {"network", "servers"});
  service("brukerstotte-pa-stedet", "Brukerstøtte på stedet",
          v1::PRESENCE_NECESSARY, {"user-support"});
  service("eksamen", "Eksamen", v1::PRESENCE_NECESSARY, {"school-platforms"},
          {"kongsberg", "hjartdal"});
  service("nettverksdrift", "Nettverksdrift", v1::PRESENCE_NOT_NEEDED,
          {"network"});
  service("gammel-tjeneste", "Gammel tjeneste", v1::PRESENCE_NOT_NEEDED,
          {"network"})
      ->set_state(v1::SERVICE_STATE_RETIRED);
  service("telefoni", "Telefoni", v1::PRESENCE_DESIRABLE, {"telephony"});
  // Only Eva has both; together, three people cover it.
  service("skolenett", "Skolenett", v1::PRESENCE_NOT_NEEDED,
          {"network", "school-platforms"});
  service("innsyn", "Innsyn", v1::PRESENCE_NOT_NEEDED, {});
  return c;
}

v1::VaktShift Shift(const char* start, const char* end, const char* primary,
                    const char* backup) {
  v1::VaktShift s;
  *s.mutable_start() = proto::ToTimestamp(Utc(start));
  *s.mutable_end() = proto::ToTimestamp(Utc(end));
  s.set_primary(primary);
  s.set_backup(backup);
  return s;
}

// Wednesday 15:30 to Thursday 08:00: Bjørn on vakt, Cecilie his backup.
v1::VaktRota Rota() {
  v1::VaktRota r;
  *r.add_shifts() =
      Shift("2026-11-25T14:30Z", "2026-11-26T07:00Z", "bjorn", "cecilie");
  r.set_version(1);
  return r;
}

std::string Cell(const v1::CoverageCell& c) {
  return std::to_string(c.qualified()) + "/" +
         std::to_string(c.office_hours()) + "/" + std::to_string(c.now()) +
         (c.flagged() ? " flagged" : "") +
         (c.flagged_now() ? " flagged_now" : "");
}

const v1::CoverageRow& Row(
    const google::protobuf::RepeatedPtrField<v1::CoverageRow>& rows,
    const std::string& id) {
  for (const auto& r : rows)
    if (r.id() == id) return r;
  static const v1::CoverageRow kNone;
  ADD_FAILURE() << "no row " << id;
  return kNone;
}

std::vector<std::string> Ids(
    const google::protobuf::RepeatedPtrField<v1::CoverageRow>& rows) {
  std::vector<std::string> out;
  for (const auto& r : rows) out.push_back(r.id());
  return out;
}

// "hjartdal 2/2/2, kongsberg 2/2/2" for the municipality cells of a row.
std::string Local(const v1::CoverageRow& row) {
  std::string out;
  for (const auto& m : row.municipalities())
    out += (out.empty() ? "" : ", ") + m.municipality() + " " + Cell(m.cell());
  return out;
}

class CoverageTest : public ::testing::Test {
 protected:
  v1::CoverageReport At(const char* utc, v1::VaktRota rota = Rota()) {
    Roster roster(Staff(), std::move(rota), Municipalities(), Options{});
    return Coverage(roster, Catalogue(), Utc(utc));
  }
};

TEST_F(CoverageTest, RowsAreSortedByIdAndRetiredServicesLeftOut) {
  const v1::CoverageReport r = At(kWednesdayMorning);
  EXPECT_EQ(r.required(), 2u);
  EXPECT_EQ(proto::ToSys(r.at()), Utc(kWednesdayMorning));
  EXPECT_EQ(Ids(r.skills()),
            (std::vector<std::string>{"network", "school-platforms", "servers",
                                      "telephony", "user-support"}));
  EXPECT_EQ(Ids(r.services()),
            (std::vector<std::string>{"brukerstotte-pa-stedet", "eksamen",
                                      "innsyn", "nettverksdrift", "serverdrift",
                                      "skolenett", "telefoni"}));
  EXPECT_EQ(Row(r.skills(), "school-platforms").name(), "Skoleplattformer");
  EXPECT_EQ(Row(r.services(), "eksamen").category(), "drift");
}

TEST_F(CoverageTest, SkillCellsOnAWednesdayMorning) {
  const v1::CoverageReport r = At(kWednesdayMorning);
  // Anne, Bjørn, Eva and Guri (Frank is inactive); Eva does not work
  // Wednesdays and Guri is off sick.
  EXPECT_EQ(Cell(Row(r.skills(), "network").region()), "4/3/2");
  // Cecilie every day, Dag Monday-Tuesday, Eva Monday, Tuesday, Thursday:
  // one person on Wednesday and Friday.
  EXPECT_EQ(Cell(Row(r.skills(), "school-platforms").region()),
            "3/1/1 flagged flagged_now");
  // Guri is one of two, but absent today: a gap now, not a standing one.
  EXPECT_EQ(Cell(Row(r.skills(), "servers").region()), "2/2/1 flagged_now");
  EXPECT_EQ(Cell(Row(r.skills(), "telephony").region()),
            "0/0/0 flagged flagged_now");
  EXPECT_EQ(Cell(Row(r.skills(), "user-support").region()), "5/4/3");
}

// People cover a service's skills together: its counts are those of its
// thinnest skill.
TEST_F(CoverageTest, ServiceCellsCountTheirThinnestSkill) {
  const v1::CoverageReport r = At(kWednesdayMorning);
  // Servers: Anne and Guri (network has four).
  EXPECT_EQ(Cell(Row(r.services(), "serverdrift").region()),
            "2/2/1 flagged_now");
  EXPECT_EQ(Row(r.services(), "serverdrift").region().thinnest_skill(),
            "servers");
  // Only Eva has both skills, but Cecilie, Dag and Eva hold
  // school-platforms and four people network.
  EXPECT_EQ(Cell(Row(r.services(), "skolenett").region()),
            "3/1/1 flagged flagged_now");
  EXPECT_EQ(Row(r.services(), "skolenett").region().thinnest_skill(),
            "school-platforms");
  EXPECT_EQ(Cell(Row(r.services(), "nettverksdrift").region()), "4/3/2");
  EXPECT_EQ(Cell(Row(r.services(), "telefoni").region()),
            "0/0/0 flagged flagged_now");
  // Needs no particular skill: every active person.
  EXPECT_EQ(Cell(Row(r.services(), "innsyn").region()), "6/4/3");
  // Only necessary services have municipality cells.
  EXPECT_EQ(Row(r.services(), "serverdrift").municipalities_size(), 0);
  EXPECT_EQ(Row(r.services(), "telefoni").municipalities_size(), 0);
}

TEST_F(CoverageTest, ANecessaryServiceHasACellPerMunicipalityCountingOnSite) {
  const v1::CoverageReport r = At(kWednesdayMorning);
  const v1::CoverageRow& row = Row(r.services(), "brukerstotte-pa-stedet");
  EXPECT_EQ(Cell(row.region()), "5/4/3");
  // Every municipality of the region, by id. Hjartdal: Cecilie and Anne,
  // who covers it from Kongsberg. Flesberg and Rollag: only Dag, who works
  // Monday and Tuesday. Notodden: Guri (Frank is inactive).
  EXPECT_EQ(Local(row),
            "flesberg 1/0/0 flagged flagged_now, "
            "hjartdal 2/2/2, "
            "kongsberg 2/2/2, "
            "notodden 1/1/0 flagged flagged_now, "
            "rollag 1/0/0 flagged flagged_now");
}

TEST_F(CoverageTest, AServiceForSomeMunicipalitiesHasCellsForThoseOnly) {
  const v1::CoverageReport r = At(kWednesdayMorning);
  EXPECT_EQ(Local(Row(r.services(), "eksamen")),
            "hjartdal 1/1/1 flagged flagged_now, "
            "kongsberg 0/0/0 flagged flagged_now");
}

TEST_F(CoverageTest, AtNightOnlyThoseOnVaktCount) {
  const v1::CoverageReport r = At(kThursdayNight);
  // Bjørn is primary, Cecilie backup; no one is at work at 02:00.
  EXPECT_EQ(Cell(Row(r.skills(), "network").region()), "4/3/1 flagged_now");
  EXPECT_EQ(Cell(Row(r.skills(), "user-support").region()), "5/4/2");
  EXPECT_EQ(Cell(Row(r.skills(), "school-platforms").region()),
            "3/1/1 flagged flagged_now");
  EXPECT_EQ(Local(Row(r.services(), "brukerstotte-pa-stedet")),
            "flesberg 1/0/0 flagged flagged_now, "
            "hjartdal 2/2/1 flagged_now, "
            "kongsberg 2/2/1 flagged_now, "
            "notodden 1/1/0 flagged flagged_now, "
            "rollag 1/0/0 flagged flagged_now");
}

TEST_F(CoverageTest, NoOneCountsNowWhenNoShiftCoversTheNight) {
  v1::VaktRota rota;
  *rota.add_shifts() =
      Shift("2026-11-26T07:00Z", "2026-11-26T14:30Z", "bjorn", "cecilie");
  const v1::CoverageReport r = At(kThursdayNight, rota);
  EXPECT_EQ(Row(r.skills(), "user-support").region().now(), 0u);
}

TEST_F(CoverageTest, AnAbsentPersonOnVaktDoesNotCount) {
  v1::VaktRota rota;
  *rota.add_shifts() =
      Shift("2026-11-25T14:30Z", "2026-11-26T07:00Z", "guri", "anne");
  const v1::CoverageReport r = At(kThursdayNight, rota);
  // Guri is primary but off sick: only Anne, the backup.
  EXPECT_EQ(Cell(Row(r.skills(), "servers").region()), "2/2/1 flagged_now");
  EXPECT_EQ(Cell(Row(r.skills(), "network").region()), "4/3/1 flagged_now");
}

TEST_F(CoverageTest, OnAPublicHolidayOnlyVaktCounts) {
  // Ascension Day, Thursday 14 May 2026, 10:00 in Oslo; no shift.
  const v1::CoverageReport r = At("2026-05-14T08:00Z", v1::VaktRota());
  EXPECT_EQ(Cell(Row(r.skills(), "user-support").region()),
            "5/4/0 flagged_now");
  // The Friday after is an ordinary working day (Dag works Monday and
  // Tuesday only).
  const v1::CoverageReport friday = At("2026-05-15T08:00Z", v1::VaktRota());
  EXPECT_EQ(Cell(Row(friday.skills(), "user-support").region()), "5/4/4");
}

TEST_F(CoverageTest, GapsSayWhatIsMissingInWords) {
  const v1::CoverageReport r = At(kWednesdayMorning);
  // Standing gaps: services, in id order (a skill no one has first among
  // equals), then the stretches with no vakt. On-site cells apart.
  EXPECT_EQ(
      std::vector<std::string>(r.gaps().begin(), r.gaps().end()),
      (std::vector<std::string>{
          "Eksamen (eksamen) (skill school-platforms): 1 qualified person in "
          "office hours on Wednesday and Friday (3 qualified in all); the "
          "minimum is 2",
          "Skolenett (skolenett) (skill school-platforms): 1 qualified person "
          "in office hours on Wednesday and Friday (3 qualified in all); the "
          "minimum is 2",
          "Telefoni (telefoni) needs telephony, which no active person has: "
          "a catalogue or staff registry error; its tickets wait in the "
          "dispatcher queue, or go to the vakt when urgent",
          "No vakt from Wed 2026-11-25 10:00 to Wed 2026-11-25 15:30 (6 "
          "hours): no shift in the rota",
          "No vakt from Thu 2026-11-26 08:00 to Wed 2026-12-23 10:00 (650 "
          "hours): no shift in the rota",
      }));
  EXPECT_EQ(
      std::vector<std::string>(r.thin_on_site().begin(),
                               r.thin_on_site().end()),
      (std::vector<std::string>{
          "Brukerstøtte på stedet (brukerstotte-pa-stedet) in Flesberg (skill "
          "user-support): no qualified person on site in office hours on "
          "Wednesday, Thursday and Friday; 1 on Monday and Tuesday (1 "
          "qualified in all); the minimum is 2",
          "Brukerstøtte på stedet (brukerstotte-pa-stedet) in Notodden (skill "
          "user-support): 1 qualified person on site in office hours; the "
          "minimum is 2",
          "Brukerstøtte på stedet (brukerstotte-pa-stedet) in Rollag (skill "
          "user-support): no qualified person on site in office hours on "
          "Wednesday, Thursday and Friday; 1 on Monday and Tuesday (1 "
          "qualified in all); the minimum is 2",
          "Eksamen (eksamen) in Hjartdal (skill school-platforms): 1 "
          "qualified person on site in office hours; the minimum is 2",
          "Eksamen (eksamen) in Kongsberg (skill school-platforms): no "
          "qualified person on site; the minimum is 2",
      }));
  EXPECT_EQ(
      std::vector<std::string>(r.gaps_now().begin(), r.gaps_now().end()),
      (std::vector<std::string>{
          "Eksamen (eksamen) (skill school-platforms): 1 qualified person at "
          "work or on vakt now; the minimum is 2",
          "Serverdrift (serverdrift) (skill servers): 1 qualified person at "
          "work or on vakt now; the minimum is 2",
          "Skolenett (skolenett) (skill school-platforms): 1 qualified person "
          "at work or on vakt now; the minimum is 2",
          "Telefoni (telefoni) (skill telephony): no qualified person at work "
          "or on vakt now; the minimum is 2",
      }));
}

// Every skill no one has is named, not the thinnest in office hours; an
// external service needs only the owner's supplier follow-up.
TEST_F(CoverageTest, ARegistryErrorNamesEverySkillNoOneHas) {
  v1::Catalogue c = Catalogue();
  v1::Service* mixed = c.add_services();
  *mixed = c.services(0);
  mixed->set_id("blandet");
  mixed->set_name("Blandet");
  mixed->clear_skills();
  for (const char* k : {"school-platforms", "telephony", "mainframe"})
    mixed->add_skills(k);
  v1::Service* external = c.add_services();
  *external = c.services(0);
  external->set_id("leverandor");
  external->set_name("Leverandør");
  external->set_delivery(v1::DELIVERY_EXTERNAL);
  external->clear_skills();
  external->add_skills("telephony");  // the supplier's, not ours
  Roster roster(Staff(), Rota(), Municipalities(), Options{});
  const v1::CoverageReport r = Coverage(roster, c, Utc(kWednesdayMorning));
  std::vector<std::string> lines;
  for (const auto& g : r.gaps())
    if (g.find("(blandet)") != std::string::npos ||
        g.find("(leverandor)") != std::string::npos)
      lines.push_back(g);
  EXPECT_EQ(lines,
            (std::vector<std::string>{
                "Blandet (blandet) needs telephony and mainframe, which no "
                "active person has: a catalogue or staff registry error; its "
                "tickets wait in the dispatcher queue, or go to the vakt when "
                "urgent",
                "Leverandør (leverandor) needs supplier-followup, which no "
                "active person has: a catalogue or staff registry error; its "
                "tickets wait in the dispatcher queue, or go to the vakt when "
                "urgent"}));
  EXPECT_EQ(Row(r.services(), "leverandor").region().thinnest_skill(),
            "supplier-followup");
}

// Every hour of the coming four weeks is on vakt or in a gap; a shift
// whose primary and backup are both away is a gap too.
TEST_F(CoverageTest, VaktGapsCoverTheNextFourWeeksExactly) {
  v1::VaktRota rota;
  // Wednesday 15:30 to Monday 30 November 08:00, then a week from Monday
  // 30 November with both people off sick on 1 December, then nothing.
  *rota.add_shifts() =
      Shift("2026-11-25T14:30Z", "2026-11-30T07:00Z", "bjorn", "cecilie");
  *rota.add_shifts() =
      Shift("2026-11-30T07:00Z", "2026-12-07T07:00Z", "anne", "guri");
  std::vector<v1::StaffMember> staff = Staff();
  for (auto& m : staff)
    if (m.id() == "anne" || m.id() == "guri") {
      m.clear_absences();
      AddAbsence(m, "2026-12-01", "2026-12-01");
    }
  Roster roster(staff, rota, Municipalities(), Options{});
  const v1::CoverageReport r =
      Coverage(roster, Catalogue(), Utc(kWednesdayMorning));
  EXPECT_EQ(r.vakt_horizon_days(), 28u);
  ASSERT_EQ(r.vakt_gaps_size(), 3) << r.DebugString();
  auto gap = [&](int i) {
    const auto& g = r.vakt_gaps(i);
    return FormatUtc(g.from()) + " " + FormatUtc(g.to()) + " " +
           std::to_string(g.hours()) + " " + g.reason();
  };
  EXPECT_EQ(gap(0),
            "2026-11-25T09:00Z 2026-11-25T14:30Z 6 no shift in the rota");
  EXPECT_EQ(gap(1),
            "2026-11-30T23:00Z 2026-12-01T23:00Z 24 the vakt (anne, backup "
            "guri) is absent or inactive");
  EXPECT_EQ(gap(2),
            "2026-12-07T07:00Z 2026-12-23T09:00Z 386 no shift in the rota");
  // A full rota: no gap at all.
  v1::VaktRota full;
  *full.add_shifts() =
      Shift("2026-11-01T07:00Z", "2027-01-04T07:00Z", "bjorn", "cecilie");
  Roster covered(Staff(), full, Municipalities(), Options{});
  EXPECT_EQ(
      Coverage(covered, Catalogue(), Utc(kWednesdayMorning)).vakt_gaps_size(),
      0);
}

TEST_F(CoverageTest, TheSameInputGivesTheSameReport) {
  EXPECT_EQ(At(kWednesdayMorning).SerializeAsString(),
            At(kWednesdayMorning).SerializeAsString());
}

}  // namespace
}  // namespace helpdesk::dispatch
