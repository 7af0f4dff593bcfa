// Staff records: ids, Normalize, Validate (every problem at once, each at
// its JSON pointer) and the create/update decisions.

#include "daemon/staff/staff.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace helpdesk::staff {
namespace {

const Registry kRegistry{
    {"kongsberg", "notodden", "flesberg", "rollag", "hjartdal"},
    {"network", "servers", "school-platforms", "telephony", "security"}};

v1::WorkPeriod* AddPeriod(v1::StaffMember& m, std::vector<v1::Weekday> days,
                          const char* start, const char* end) {
  v1::WorkPeriod* p = m.add_working_hours();
  for (v1::Weekday d : days) p->add_days(d);
  p->set_start(start);
  p->set_end(end);
  return p;
}

const std::vector<v1::Weekday> kWeekdays = {
    v1::WEEKDAY_MONDAY, v1::WEEKDAY_TUESDAY, v1::WEEKDAY_WEDNESDAY,
    v1::WEEKDAY_THURSDAY, v1::WEEKDAY_FRIDAY};

v1::Absence* AddAbsence(v1::StaffMember& m, const char* from, const char* to,
                        v1::AbsenceKind kind) {
  v1::Absence* a = m.add_absences();
  a->set_from(from);
  a->set_to(to);
  a->set_kind(kind);
  return a;
}

// A valid, normalized full-time record.
v1::StaffMember Kari() {
  v1::StaffMember m;
  m.set_id("kari.haugen");
  m.set_name("Kari Haugen");
  m.set_title("Nettverksingeniør");
  m.set_home_municipality("kongsberg");
  m.add_skills("network");
  m.add_skills("servers");
  m.set_fte_percent(100);
  AddPeriod(m, kWeekdays, "08:00", "15:30");
  AddAbsence(m, "2026-07-06", "2026-07-31", v1::ABSENCE_KIND_HOLIDAY);
  Normalize(m);
  return m;
}

std::vector<std::string> Pointers(const Status& s) {
  std::vector<std::string> out;
  for (const auto& e : s.errors()) out.push_back(e.pointer);
  return out;
}

// The detail reported at `pointer`, or "" when there is none.
std::string DetailAt(const Status& s, const std::string& pointer) {
  for (const auto& e : s.errors())
    if (e.pointer == pointer) return e.detail;
  return "";
}

std::vector<std::string> Covers(const v1::StaffMember& m) {
  return {m.covers().begin(), m.covers().end()};
}

// ---------------------------------------------------------------- ids

TEST(IsStaffId, AcceptsLowercaseGroupsJoinedByDotOrHyphen) {
  for (const char* id :
       {"kari.haugen", "ola-2", "a", "9", "x1.y2-z3", "per.olav.nordmann"})
    EXPECT_TRUE(IsStaffId(id)) << id;
  EXPECT_TRUE(IsStaffId(std::string(kMaxIdBytes, 'a')));
}

TEST(IsStaffId, RejectsEverythingElse) {
  for (const char* id :
       {"", "Kari", "kari haugen", "kari_haugen", ".kari", "kari.", "-kari",
        "kari-", "kari..haugen", "kari.-haugen", "kåre", "kari/../x", "kari\n",
        "kari@kongsberg.kommune.no"})
    EXPECT_FALSE(IsStaffId(id)) << id;
  EXPECT_FALSE(IsStaffId(std::string(kMaxIdBytes + 1, 'a')));
}

// ---------------------------------------------------------------- Normalize

TEST(Normalize, PutsHomeFirstInCoversAddingItWhenMissing) {
  v1::StaffMember m;
  m.set_home_municipality("rollag");
  m.add_covers("flesberg");
  Normalize(m);
  EXPECT_EQ(Covers(m), (std::vector<std::string>{"rollag", "flesberg"}));
}

TEST(Normalize, MovesHomeToTheFrontAndKeepsTheOrderOfTheRest) {
  v1::StaffMember m;
  m.set_home_municipality("rollag");
  for (const char* c : {"notodden", "flesberg", "rollag", "hjartdal"})
    m.add_covers(c);
  Normalize(m);
  EXPECT_EQ(Covers(m), (std::vector<std::string>{"rollag", "notodden",
                                                 "flesberg", "hjartdal"}));
  Normalize(m);  // idempotent
  EXPECT_EQ(Covers(m), (std::vector<std::string>{"rollag", "notodden",
                                                 "flesberg", "hjartdal"}));
}

TEST(Normalize, EmployerDefaultsToHomeButAHiredInEmployerIsKept) {
  v1::StaffMember own;
  own.set_home_municipality("flesberg");
  Normalize(own);
  EXPECT_EQ(own.employer_municipality(), "flesberg");

  // The adviser at Flesberg hired in from Rollag.
  v1::StaffMember hired;
  hired.set_home_municipality("flesberg");
  hired.set_employer_municipality("rollag");
  Normalize(hired);
  EXPECT_EQ(hired.employer_municipality(), "rollag");
}

TEST(Normalize, ActiveDefaultsToTrueButFalseIsKept) {
  v1::StaffMember m;
  Normalize(m);
  ASSERT_TRUE(m.has_active());
  EXPECT_TRUE(m.active());

  v1::StaffMember off;
  off.set_active(false);
  Normalize(off);
  EXPECT_FALSE(off.active());
}

TEST(Normalize, DropsTheAnswerOnlyNowField) {
  v1::StaffMember m = Kari();
  m.mutable_now()->set_at_work(true);
  Normalize(m);
  EXPECT_FALSE(m.has_now());
}

// ---------------------------------------------------------------- Validate

TEST(Validate, AValidRecordPasses) {
  Status s = Validate(Kari(), kRegistry);
  EXPECT_TRUE(s.ok()) << s.message();
}

TEST(Validate, AcceptsTheEdgesOfEachRange) {
  v1::StaffMember m = Kari();
  m.set_name(std::string(kMaxNameBytes, 'n'));
  m.set_fte_percent(1);
  m.clear_working_hours();
  AddPeriod(m, {v1::WEEKDAY_MONDAY}, "00:00", "12:00");
  // Touching periods do not overlap; 24:00 ends a day.
  AddPeriod(m, {v1::WEEKDAY_MONDAY}, "12:00", "24:00");
  AddAbsence(m, "2026-02-28", "2026-02-28", v1::ABSENCE_KIND_SICK);
  AddAbsence(m, "2028-02-29", "2028-03-01", v1::ABSENCE_KIND_COURSE);
  Status s = Validate(m, kRegistry);
  EXPECT_TRUE(s.ok()) << s.message();
  m.set_fte_percent(100);
  EXPECT_TRUE(Validate(m, kRegistry).ok());
}

TEST(Validate, AWorkingDayOutsideMondayToSundayIsRefused) {
  // The JSON layer refuses unknown day names; a seed file or another
  // proto source can still carry an unspecified or out-of-range day.
  v1::StaffMember m = Kari();
  m.clear_working_hours();
  AddPeriod(m, {v1::WEEKDAY_MONDAY, v1::WEEKDAY_UNSPECIFIED}, "08:00", "15:30");
  EXPECT_EQ(Pointers(Validate(m, kRegistry)),
            std::vector<std::string>{"/workingHours/0/days/1"});
}

TEST(Validate, ReportsEveryProblemAtOnceAtItsPointer) {
  v1::StaffMember m;
  m.set_id("Kari Haugen");
  m.set_name(std::string(kMaxNameBytes + 1, 'n'));
  m.set_title("IKT-veileder\ti skolen");
  m.set_home_municipality("atlantis");
  m.set_employer_municipality("lilleby");
  m.add_covers("kongsberg");
  m.add_covers("atlantis");
  m.add_covers("kongsberg");
  m.add_skills("network");
  m.add_skills("cooking");
  m.add_skills("network");
  m.set_fte_percent(0);
  AddPeriod(m, {v1::WEEKDAY_MONDAY}, "8:00", "15:30");      // 0
  AddPeriod(m, {v1::WEEKDAY_TUESDAY}, "08:00", "24:01");    // 1
  AddPeriod(m, {v1::WEEKDAY_WEDNESDAY}, "15:00", "08:00");  // 2
  AddPeriod(m, {v1::WEEKDAY_THURSDAY}, "08:00", "12:00");   // 3
  AddPeriod(m, {v1::WEEKDAY_FRIDAY, v1::WEEKDAY_THURSDAY}, "11:00",
            "16:00");                  // 4
  AddPeriod(m, {}, "08:00", "12:00");  // 5
  AddPeriod(m, {v1::WEEKDAY_SATURDAY, v1::WEEKDAY_SATURDAY}, "10:00",
            "12:00");                                                   // 6
  AddAbsence(m, "2026-02-30", "2026-03-02", v1::ABSENCE_KIND_SICK);     // 0
  AddAbsence(m, "2026-07-06", "2026-07", v1::ABSENCE_KIND_HOLIDAY);     // 1
  AddAbsence(m, "2026-07-10", "2026-07-01", v1::ABSENCE_KIND_HOLIDAY);  // 2
  AddAbsence(m, "2026-07-10", "2026-07-11", v1::ABSENCE_KIND_UNSPECIFIED);
  AddAbsence(m, "2026-08-10", "2026-08-11", v1::ABSENCE_KIND_COURSE)
      ->set_note("kurs\x01");  // 4

  Status s = Validate(m, kRegistry);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.code(), Code::kInvalidField);
  const std::vector<std::string> want = {
      "/id",
      "/name",
      "/title",
      "/homeMunicipality",
      "/employerMunicipality",
      "/covers/1",
      "/covers/2",
      "/skills/1",
      "/skills/2",
      "/ftePercent",
      "/workingHours/0/start",
      "/workingHours/1/end",
      "/workingHours/2/end",
      "/workingHours/4",
      "/workingHours/5/days",
      "/workingHours/6/days/1",
      "/absences/0/from",
      "/absences/1/to",
      "/absences/2/to",
      "/absences/3/kind",
      "/absences/4/note",
  };
  EXPECT_EQ(Pointers(s), want);
  EXPECT_EQ(s.field(), "/id");
  EXPECT_EQ(s.message().rfind(std::to_string(want.size()) + " problems", 0), 0u)
      << s.message();

  // Each detail says what is wrong in the user's terms.
  EXPECT_NE(DetailAt(s, "/homeMunicipality")
                .find("unknown municipality "
                      "'atlantis'"),
            std::string::npos);
  EXPECT_NE(DetailAt(s, "/covers/2").find("listed twice"), std::string::npos);
  EXPECT_NE(DetailAt(s, "/skills/1").find("unknown skill 'cooking'"),
            std::string::npos);
  EXPECT_NE(DetailAt(s, "/skills/2").find("listed twice"), std::string::npos);
  EXPECT_NE(DetailAt(s, "/name").find("101 bytes"), std::string::npos);
  EXPECT_NE(DetailAt(s, "/title").find("control characters"),
            std::string::npos);
  EXPECT_NE(DetailAt(s, "/ftePercent").find("got 0"), std::string::npos);
  EXPECT_NE(DetailAt(s, "/workingHours/0/start").find("'8:00'"),
            std::string::npos);
  EXPECT_NE(DetailAt(s, "/workingHours/1/end").find("'24:01'"),
            std::string::npos);
  EXPECT_NE(DetailAt(s, "/workingHours/2/end").find("must be after start"),
            std::string::npos);
  EXPECT_NE(DetailAt(s, "/workingHours/4").find("thursday"), std::string::npos);
  EXPECT_NE(DetailAt(s, "/absences/2/to").find("before from"),
            std::string::npos);
}

TEST(Validate, FteAbove100IsRefused) {
  v1::StaffMember m = Kari();
  m.set_fte_percent(101);
  Status s = Validate(m, kRegistry);
  EXPECT_EQ(Pointers(s), std::vector<std::string>{"/ftePercent"});
  EXPECT_EQ(s.message().rfind("1 problem in the staff record", 0), 0u)
      << s.message();
}

TEST(Validate, ControlCharactersInTheNameAreRefused) {
  for (const char* name : {"Kari\nHaugen", "Kari\x7f", "\x1b[31mKari"}) {
    v1::StaffMember m = Kari();
    m.set_name(name);
    EXPECT_EQ(Pointers(Validate(m, kRegistry)),
              std::vector<std::string>{"/name"})
        << name;
  }
}

TEST(Validate, AMissingNameOrHomeIsReported) {
  v1::StaffMember m = Kari();
  m.clear_name();
  m.clear_home_municipality();
  EXPECT_EQ(Pointers(Validate(m, kRegistry)),
            (std::vector<std::string>{"/name", "/homeMunicipality"}));
}

TEST(Validate, AnOverlapIsFoundWhateverTheOrderOfThePeriods) {
  // The later period in the list is the one reported.
  v1::StaffMember m = Kari();
  m.clear_working_hours();
  AddPeriod(m, {v1::WEEKDAY_MONDAY}, "12:00", "16:00");
  AddPeriod(m, {v1::WEEKDAY_TUESDAY}, "09:00", "13:00");
  AddPeriod(m, {v1::WEEKDAY_MONDAY}, "08:00", "12:01");
  EXPECT_EQ(Pointers(Validate(m, kRegistry)),
            std::vector<std::string>{"/workingHours/2"});
}

// ---------------------------------------------------------------- decisions

TEST(DecideCreate, GivesVersionOneAndANormalizedRecord) {
  v1::StaffMember body;
  body.set_id("ola-2");
  body.set_name("Ola Nordmann");
  body.set_home_municipality("hjartdal");
  body.add_covers("notodden");
  body.set_fte_percent(40);
  body.set_version(7);  // ignored: a new record starts at 1
  auto got = DecideCreate(body, nullptr, kRegistry);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->version(), 1u);
  EXPECT_TRUE(got->active());
  EXPECT_EQ(got->employer_municipality(), "hjartdal");
  EXPECT_EQ(Covers(*got), (std::vector<std::string>{"hjartdal", "notodden"}));
}

TEST(DecideCreate, RefusesAnIdInUse) {
  v1::StaffMember existing = Kari();
  existing.set_version(4);
  auto got = DecideCreate(Kari(), &existing, kRegistry);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Code::kAlreadyExists);
  EXPECT_NE(got.status().message().find("kari.haugen"), std::string::npos);
}

TEST(DecideCreate, RefusesAnInvalidRecord) {
  v1::StaffMember body = Kari();
  body.set_home_municipality("atlantis");
  auto got = DecideCreate(body, nullptr, kRegistry);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Code::kInvalidField);
  EXPECT_EQ(got.status().field(), "/homeMunicipality");
}

v1::StaffMember Stored(uint32_t version) {
  v1::StaffMember m = Kari();
  m.set_version(version);
  return m;
}

TEST(DecideUpdate, BumpsTheVersionWhenBasedOnTheCurrentOne) {
  v1::StaffMember body = Kari();
  body.set_fte_percent(60);
  auto by_header = DecideUpdate(Stored(3), "kari.haugen", body, 3, kRegistry);
  ASSERT_TRUE(by_header.ok()) << by_header.status().message();
  EXPECT_EQ(by_header->version(), 4u);
  EXPECT_EQ(by_header->fte_percent(), 60u);

  body.set_version(3);
  auto by_body =
      DecideUpdate(Stored(3), "kari.haugen", body, std::nullopt, kRegistry);
  ASSERT_TRUE(by_body.ok()) << by_body.status().message();
  EXPECT_EQ(by_body->version(), 4u);
}

TEST(DecideUpdate, TakesTheIdFromThePathWhenTheBodyLeavesItOut) {
  v1::StaffMember body = Kari();
  body.clear_id();
  auto got = DecideUpdate(Stored(1), "kari.haugen", body, 1, kRegistry);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->id(), "kari.haugen");
}

TEST(DecideUpdate, RequiresAVersion) {
  v1::StaffMember body = Kari();
  body.set_version(0);
  auto got =
      DecideUpdate(Stored(3), "kari.haugen", body, std::nullopt, kRegistry);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Code::kVersionRequired);
}

TEST(DecideUpdate, RefusesAStaleVersionAndSaysTheCurrentOne) {
  auto by_header = DecideUpdate(Stored(3), "kari.haugen", Kari(), 2, kRegistry);
  ASSERT_FALSE(by_header.ok());
  EXPECT_EQ(by_header.status().code(), Code::kVersionConflict);
  EXPECT_EQ(by_header.status().current_version(), 3u);

  v1::StaffMember body = Kari();
  body.set_version(4);
  auto by_body =
      DecideUpdate(Stored(3), "kari.haugen", body, std::nullopt, kRegistry);
  ASSERT_FALSE(by_body.ok());
  EXPECT_EQ(by_body.status().code(), Code::kVersionConflict);
}

TEST(DecideUpdate, RefusesAnotherIdInTheBody) {
  v1::StaffMember body = Kari();
  body.set_id("ola-2");
  auto got = DecideUpdate(Stored(3), "kari.haugen", body, 3, kRegistry);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Code::kInvalidField);
  EXPECT_EQ(got.status().field(), "/id");
}

TEST(DecideUpdate, RefusesAnInvalidRecordOfTheRightVersion) {
  v1::StaffMember body = Kari();
  body.add_skills("cooking");
  auto got = DecideUpdate(Stored(3), "kari.haugen", body, 3, kRegistry);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(Pointers(got.status()), std::vector<std::string>{"/skills/2"});
}

}  // namespace
}  // namespace helpdesk::staff
