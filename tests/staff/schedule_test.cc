// Compiled schedules: working hours at their edges, absences, public
// holidays and the Europe/Oslo daylight-saving changes as AtWork sees them.

#include "daemon/staff/schedule.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <vector>

#include "sla/holidays.h"
#include "sla/oslo_time.h"

namespace helpdesk::staff {
namespace {

using std::chrono::sys_seconds;

constexpr int kMon = 1, kTue = 2, kWed = 3, kThu = 4, kFri = 5, kSat = 6,
              kSun = 7;

int Clock(const char* text) {
  auto m = sla::ParseClock(text);
  EXPECT_TRUE(m.ok()) << text;
  return m.ok() ? *m : -1;
}

date::local_days Day(const char* text) {
  auto d = sla::ParseLocalDay(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? *d : date::local_days{};
}

// "2026-03-29T01:00Z" as an instant.
sys_seconds Utc(std::string_view text) {
  const bool shape = text.size() == 17 && text[10] == 'T' && text[16] == 'Z';
  auto day = sla::ParseLocalDay(text.substr(0, 10));
  auto minute = sla::ParseClock(text.substr(11, 5));
  EXPECT_TRUE(shape && day.ok() && minute.ok()) << text;
  if (!day.ok() || !minute.ok()) return {};
  return sys_seconds(day->time_since_epoch()) + std::chrono::minutes(*minute);
}

void AddPeriod(v1::StaffMember& m, std::vector<int> days, const char* start,
               const char* end) {
  v1::WorkPeriod* p = m.add_working_hours();
  for (int d : days) p->add_days(static_cast<v1::Weekday>(d));
  p->set_start(start);
  p->set_end(end);
}

void AddAbsence(v1::StaffMember& m, const char* from, const char* to,
                v1::AbsenceKind kind) {
  v1::Absence* a = m.add_absences();
  a->set_from(from);
  a->set_to(to);
  a->set_kind(kind);
}

Schedule OfficeHours() {
  v1::StaffMember m;
  AddPeriod(m, {kMon, kTue, kWed, kThu, kFri}, "08:00", "15:30");
  return Schedule::Of(m);
}

// At work at `utc`, as dispatch and coverage ask it.
bool AtWorkAt(const Schedule& s, std::string_view utc) {
  sla::OsloTime t = sla::ToOslo(Utc(utc));
  return s.AtWork(t, sla::IsPublicHoliday(t.day));
}

TEST(InHours, StartIsInsideEndIsOutside) {
  const Schedule s = OfficeHours();
  EXPECT_FALSE(s.InHours(kMon, Clock("07:59")));
  EXPECT_TRUE(s.InHours(kMon, Clock("08:00")));
  EXPECT_TRUE(s.InHours(kFri, Clock("15:29")));
  EXPECT_FALSE(s.InHours(kFri, Clock("15:30")));
  EXPECT_FALSE(s.InHours(kSat, Clock("10:00")));
  EXPECT_FALSE(s.InHours(kSun, Clock("10:00")));
  EXPECT_FALSE(s.InHours(0, Clock("10:00")));
  EXPECT_FALSE(s.InHours(8, Clock("10:00")));
  EXPECT_EQ(s.WeeklyMinutes(), 5 * 450);
}

TEST(InHours, SeveralPeriodsADayInAnyOrder) {
  v1::StaffMember m;
  AddPeriod(m, {kMon}, "12:30", "15:00");
  AddPeriod(m, {kMon, kWed}, "08:00", "11:00");
  AddPeriod(m, {kWed}, "20:00", "24:00");
  const Schedule s = Schedule::Of(m);
  EXPECT_TRUE(s.InHours(kMon, Clock("10:59")));
  EXPECT_FALSE(s.InHours(kMon, Clock("11:00")));
  EXPECT_FALSE(s.InHours(kMon, Clock("12:29")));
  EXPECT_TRUE(s.InHours(kMon, Clock("12:30")));
  EXPECT_FALSE(s.InHours(kMon, Clock("15:00")));
  EXPECT_FALSE(s.InHours(kWed, Clock("12:30")));
  EXPECT_TRUE(s.InHours(kWed, Clock("23:59")));
  EXPECT_FALSE(s.InHours(kThu, 0));  // 24:00 ends Wednesday, not Thursday
  EXPECT_EQ(s.WeeklyMinutes(), 180 + 150 + 180 + 240);
}

TEST(InHours, APartTimerWorksOnlyTheirDays) {
  // A 40 % post: Monday and Tuesday.
  v1::StaffMember m;
  AddPeriod(m, {kMon, kTue}, "08:00", "15:30");
  const Schedule s = Schedule::Of(m);
  EXPECT_TRUE(s.InHours(kTue, Clock("12:00")));
  EXPECT_FALSE(s.InHours(kWed, Clock("12:00")));
  EXPECT_EQ(s.WeeklyMinutes(), 2 * 450);
}

TEST(InHours, MalformedPeriodsAreSkipped) {
  v1::StaffMember m;
  AddPeriod(m, {kMon}, "8:00", "15:30");
  AddPeriod(m, {kTue}, "15:00", "08:00");
  AddPeriod(m, {kWed}, "08:00", "10:00");
  const Schedule s = Schedule::Of(m);
  EXPECT_FALSE(s.InHours(kMon, Clock("09:00")));
  EXPECT_FALSE(s.InHours(kTue, Clock("09:00")));
  EXPECT_TRUE(s.InHours(kWed, Clock("09:00")));
  EXPECT_EQ(s.WeeklyMinutes(), 120);
}

TEST(WorksDuring, TouchingIsNotOverlapping) {
  v1::StaffMember m;
  AddPeriod(m, {kMon}, "12:00", "15:00");
  const Schedule s = Schedule::Of(m);
  EXPECT_FALSE(s.WorksDuring(kMon, Clock("08:00"), Clock("12:00")));
  EXPECT_TRUE(s.WorksDuring(kMon, Clock("08:00"), Clock("12:01")));
  EXPECT_TRUE(s.WorksDuring(kMon, Clock("14:59"), Clock("18:00")));
  EXPECT_FALSE(s.WorksDuring(kMon, Clock("15:00"), Clock("18:00")));
  EXPECT_FALSE(s.WorksDuring(kTue, Clock("00:00"), Clock("24:00")));
}

TEST(AbsentOn, BothEndsAreIncludedAndOverlapsAllCount) {
  v1::StaffMember m;
  // Listed out of order; a sick leave that runs past the holiday.
  AddAbsence(m, "2026-07-20", "2026-08-03", v1::ABSENCE_KIND_SICK);
  AddAbsence(m, "2026-07-06", "2026-07-31", v1::ABSENCE_KIND_HOLIDAY);
  AddAbsence(m, "2026-09-01", "2026-09-01", v1::ABSENCE_KIND_COURSE);
  const Schedule s = Schedule::Of(m);
  EXPECT_EQ(s.AbsentOn(Day("2026-07-05")), v1::ABSENCE_KIND_UNSPECIFIED);
  EXPECT_EQ(s.AbsentOn(Day("2026-07-06")), v1::ABSENCE_KIND_HOLIDAY);
  EXPECT_EQ(s.AbsentOn(Day("2026-07-19")), v1::ABSENCE_KIND_HOLIDAY);
  EXPECT_NE(s.AbsentOn(Day("2026-07-25")), v1::ABSENCE_KIND_UNSPECIFIED);
  EXPECT_NE(s.AbsentOn(Day("2026-07-31")), v1::ABSENCE_KIND_UNSPECIFIED);
  EXPECT_EQ(s.AbsentOn(Day("2026-08-01")), v1::ABSENCE_KIND_SICK);
  EXPECT_EQ(s.AbsentOn(Day("2026-08-03")), v1::ABSENCE_KIND_SICK);
  EXPECT_EQ(s.AbsentOn(Day("2026-08-04")), v1::ABSENCE_KIND_UNSPECIFIED);
  EXPECT_EQ(s.AbsentOn(Day("2026-08-31")), v1::ABSENCE_KIND_UNSPECIFIED);
  EXPECT_EQ(s.AbsentOn(Day("2026-09-01")), v1::ABSENCE_KIND_COURSE);
  EXPECT_EQ(s.AbsentOn(Day("2026-09-02")), v1::ABSENCE_KIND_UNSPECIFIED);
}

TEST(AbsentOn, ALongAbsenceIsFoundPastAShortOneInsideIt) {
  v1::StaffMember m;
  AddAbsence(m, "2026-01-01", "2026-12-31", v1::ABSENCE_KIND_LEAVE);
  AddAbsence(m, "2026-03-02", "2026-03-03", v1::ABSENCE_KIND_COURSE);
  AddAbsence(m, "2026-05-04", "2026-05-04", v1::ABSENCE_KIND_SICK);
  const Schedule s = Schedule::Of(m);
  EXPECT_EQ(s.AbsentOn(Day("2026-06-15")), v1::ABSENCE_KIND_LEAVE);
  EXPECT_NE(s.AbsentOn(Day("2026-05-04")), v1::ABSENCE_KIND_UNSPECIFIED);
  EXPECT_EQ(s.AbsentOn(Day("2027-01-01")), v1::ABSENCE_KIND_UNSPECIFIED);
}

TEST(AtWork, NotOnAPublicHolidayEvenInHours) {
  const Schedule s = OfficeHours();
  // Thursday 14 May 2026 is Ascension Day (Kristi himmelfartsdag).
  sla::OsloTime t = sla::ToOslo(Utc("2026-05-14T08:00Z"));
  ASSERT_EQ(t.weekday, kThu);
  EXPECT_TRUE(s.InHours(t.weekday, t.minute));
  EXPECT_FALSE(AtWorkAt(s, "2026-05-14T08:00Z"));
  EXPECT_TRUE(AtWorkAt(s, "2026-05-13T08:00Z"));
  EXPECT_TRUE(AtWorkAt(s, "2026-05-15T08:00Z"));
}

TEST(AtWork, NotWhenAbsent) {
  v1::StaffMember m;
  AddPeriod(m, {kMon, kTue, kWed, kThu, kFri}, "08:00", "15:30");
  AddAbsence(m, "2026-11-24", "2026-11-24", v1::ABSENCE_KIND_SICK);
  const Schedule s = Schedule::Of(m);
  EXPECT_TRUE(AtWorkAt(s, "2026-11-23T10:00Z"));
  EXPECT_FALSE(AtWorkAt(s, "2026-11-24T10:00Z"));
  EXPECT_TRUE(AtWorkAt(s, "2026-11-25T10:00Z"));
}

TEST(AtWork, OfficeHoursFollowTheLocalClockAcrossDaylightSaving) {
  const Schedule s = OfficeHours();
  // Before the spring change: 08:00 is 07:00 UTC.
  EXPECT_FALSE(AtWorkAt(s, "2026-03-27T06:59Z"));
  EXPECT_TRUE(AtWorkAt(s, "2026-03-27T07:00Z"));
  EXPECT_TRUE(AtWorkAt(s, "2026-03-27T14:29Z"));
  EXPECT_FALSE(AtWorkAt(s, "2026-03-27T14:30Z"));
  // After it (29 March): 08:00 is 06:00 UTC, 15:30 is 13:30 UTC.
  EXPECT_FALSE(AtWorkAt(s, "2026-03-30T05:59Z"));
  EXPECT_TRUE(AtWorkAt(s, "2026-03-30T06:00Z"));
  EXPECT_TRUE(AtWorkAt(s, "2026-03-30T13:29Z"));
  EXPECT_FALSE(AtWorkAt(s, "2026-03-30T13:30Z"));
  // Before the autumn change (25 October) and after it.
  EXPECT_TRUE(AtWorkAt(s, "2026-10-23T06:00Z"));
  EXPECT_FALSE(AtWorkAt(s, "2026-10-23T13:30Z"));
  EXPECT_FALSE(AtWorkAt(s, "2026-10-26T06:30Z"));
  EXPECT_TRUE(AtWorkAt(s, "2026-10-26T07:00Z"));
  EXPECT_TRUE(AtWorkAt(s, "2026-10-26T14:29Z"));
}

TEST(AtWork, ANightPeriodOnTheDaysTheClockChanges) {
  // Sunday 01:00-04:00 local, through the skipped and the repeated hour.
  v1::StaffMember m;
  AddPeriod(m, {kSun}, "01:00", "04:00");
  const Schedule s = Schedule::Of(m);
  EXPECT_TRUE(AtWorkAt(s, "2026-03-29T00:59Z"));   // 01:59 CET
  EXPECT_TRUE(AtWorkAt(s, "2026-03-29T01:00Z"));   // 03:00 CEST
  EXPECT_TRUE(AtWorkAt(s, "2026-03-29T01:59Z"));   // 03:59 CEST
  EXPECT_FALSE(AtWorkAt(s, "2026-03-29T02:00Z"));  // 04:00 CEST
  EXPECT_TRUE(AtWorkAt(s, "2026-10-25T00:30Z"));   // 02:30 CEST
  EXPECT_TRUE(AtWorkAt(s, "2026-10-25T01:30Z"));   // 02:30 CET
  EXPECT_TRUE(AtWorkAt(s, "2026-10-25T02:59Z"));   // 03:59 CET
  EXPECT_FALSE(AtWorkAt(s, "2026-10-25T03:00Z"));  // 04:00 CET
  EXPECT_FALSE(AtWorkAt(s, "2026-10-24T22:59Z"));  // 00:59 CEST
}

}  // namespace
}  // namespace helpdesk::staff
