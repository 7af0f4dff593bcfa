#include "sla/calendar.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <string_view>
#include <vector>

#include "sla/oslo_time.h"

namespace helpdesk::sla {
namespace {

// The problems of a Validate, in words.
std::vector<std::string> Problems(const Status& s) {
  std::vector<std::string> out;
  for (const auto& e : s.errors()) out.push_back(e.detail);
  return out;
}

using date::days;
using date::local_days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_seconds;

local_days Day(std::string_view text) {
  auto d = ParseLocalDay(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? *d : local_days{};
}

// "2026-03-31 14:00", Oslo local time.
sys_seconds Oslo(std::string_view text) {
  auto minute = ParseClock(text.substr(11));
  EXPECT_TRUE(minute.ok()) << text;
  return FromOslo(Day(text.substr(0, 10)), minute.ok() ? *minute : 0);
}

// The wall-clock reading of an instant, seconds only when not zero.
std::string Local(sys_seconds t) {
  if (t == sys_seconds::max()) return "never";
  const OsloTime o = ToOslo(t);
  std::string out = FormatLocalDay(o.day) + " " + FormatClock(o.minute);
  const auto sec = t.time_since_epoch().count() % 60;
  if (sec != 0) out += ":" + std::to_string(sec);
  return out;
}

std::string Hours(const BusinessCalendar& cal, std::string_view day) {
  std::string out;
  for (const Segment& s : cal.HoursOn(Day(day)))
    out += (out.empty() ? "" : ",") + FormatClock(s.from) + "-" +
           FormatClock(s.to);
  return out.empty() ? "closed" : out;
}

unsigned Weekday(std::string_view day) {
  return date::weekday(Day(day)).iso_encoding();
}

// Several segments a day, a segment running to midnight and one from
// midnight, Sunday night hours across both changes of daylight saving,
// half days cut at 13:00, special and closed days.
CalendarSpec SplitCalendar() {
  CalendarSpec spec;
  spec.id = "split";
  for (int d = 1; d <= 4; ++d) spec.week[d] = {{450, 690}, {720, 960}};
  spec.week[5] = {{450, 690}, {720, 1440}};
  spec.week[6] = {{0, 90}, {600, 840}};
  spec.week[7] = {{60, 240}};
  spec.half_day_before_easter = true;
  spec.half_day_christmas_eve = true;
  spec.half_day_end = 13 * 60;
  spec.special_days[Day("2026-05-17")] = {{600, 720}};
  spec.special_days[Day("2026-03-29")] = {{90, 200}, {600, 660}};
  spec.special_days[Day("2027-03-28")] = {};
  for (auto d = Day("2026-07-06"); d <= Day("2026-07-10"); d += days(1))
    spec.closed_days.push_back(d);
  spec.closed_days.push_back(Day("2027-07-12"));
  return spec;
}

const BusinessCalendar& Desk() {
  static const BusinessCalendar cal(DeskCalendar());
  return cal;
}
const BusinessCalendar& TwentyFourSeven() {
  static const BusinessCalendar cal(AlwaysOpen());
  return cal;
}
const BusinessCalendar& Split() {
  static const BusinessCalendar cal(SplitCalendar());
  return cal;
}

// --- Validate ---------------------------------------------------------

TEST(Validate, TheShippedCalendarsAreFine) {
  EXPECT_TRUE(Validate(DeskCalendar()).ok());
  EXPECT_TRUE(Validate(AlwaysOpen()).ok());
  EXPECT_TRUE(Validate(SplitCalendar()).ok());
  EXPECT_EQ(Desk().spec().id, "desk");
  EXPECT_EQ(TwentyFourSeven().spec().id, "24x7");
}

TEST(Validate, ReportsEveryProblemInWords) {
  CalendarSpec spec;
  spec.week[0] = {{0, 10}};
  spec.week[1] = {{480, 720}, {700, 900}};
  spec.week[2] = {{900, 800}};
  spec.week[3] = {{600, 700}, {480, 540}};
  spec.half_day_end = 1500;
  spec.special_days[Day("2026-12-24")] = {{480, 1500}};
  spec.closed_days = {Day("2026-12-24")};
  EXPECT_EQ(Problems(Validate(spec)),
            (std::vector<std::string>{
                "id: empty",
                "week: entry 0 is unused (weekdays are 1 = monday to 7 = "
                "sunday) and must be empty",
                "week: monday segment 2 (11:40-15:00) overlaps segment 1 "
                "(08:00-12:00)",
                "week: tuesday segment 1 (15:00-13:20) is not a time range "
                "within 00:00-24:00",
                "week: wednesday segment 2 (08:00-09:00) comes before segment "
                "1 (10:00-11:40): segments must be in order",
                "half_day_end: 1500 min is not a time within 00:00-24:00",
                "special day 2026-12-24 segment 1 (08:00-1500 min) is not a "
                "time range within 00:00-24:00",
                "special day 2026-12-24 is also a closed day",
            }));
}

TEST(Validate, TouchingSegmentsAreFineAnEmptyWeekIsNot) {
  CalendarSpec spec;
  spec.id = "x";
  spec.week[1] = {{0, 480}, {480, 1440}};
  EXPECT_TRUE(Validate(spec).ok());
  spec.week[1].clear();
  EXPECT_EQ(Problems(Validate(spec)),
            std::vector<std::string>{"week: no open hours on any weekday"});
  spec.week[1] = {{-5, 60}};
  EXPECT_EQ(Problems(Validate(spec)),
            std::vector<std::string>{"week: monday segment 1 (-5 min-01:00) "
                                     "is not a time range within 00:00-24:00"});
}

TEST(Validate, AlwaysOpenTakesNothingElse) {
  CalendarSpec spec = AlwaysOpen();
  spec.week[2] = {{480, 960}};
  spec.closed_days = {Day("2026-12-24")};
  spec.special_days[Day("2026-12-31")] = {};
  spec.half_day_new_years_eve = true;
  EXPECT_EQ(Problems(Validate(spec)),
            (std::vector<std::string>{
                "always_open: a 24x7 calendar takes no week hours",
                "always_open: a 24x7 calendar takes no closed days",
                "always_open: a 24x7 calendar takes no special days",
                "always_open: a 24x7 calendar takes no half days",
            }));
}

// --- HoursOn ----------------------------------------------------------

TEST(HoursOn, DeskWeekAndWeekend) {
  EXPECT_EQ(Hours(Desk(), "2026-03-30"), "08:00-15:30");  // Monday
  EXPECT_EQ(Hours(Desk(), "2026-03-27"), "08:00-15:30");  // Friday
  EXPECT_EQ(Hours(Desk(), "2026-03-28"), "closed");       // Saturday
  EXPECT_EQ(Hours(Desk(), "2026-03-29"), "closed");       // Sunday
  EXPECT_EQ(Hours(TwentyFourSeven(), "2026-12-25"), "00:00-24:00");
}

TEST(HoursOn, TheHolidaysAndHalfDaysOf2026) {
  const BusinessCalendar& d = Desk();
  EXPECT_EQ(Hours(d, "2026-01-01"), "closed");       // New Year's Day, Thu
  EXPECT_EQ(Hours(d, "2026-03-31"), "08:00-15:30");  // Tuesday before Easter
  EXPECT_EQ(Hours(d, "2026-04-01"), "08:00-12:00");  // onsdag før skjærtorsdag
  EXPECT_EQ(Hours(d, "2026-04-02"), "closed");       // Maundy Thursday
  EXPECT_EQ(Hours(d, "2026-04-03"), "closed");       // Good Friday
  EXPECT_EQ(Hours(d, "2026-04-06"), "closed");       // Easter Monday
  EXPECT_EQ(Hours(d, "2026-04-07"), "08:00-15:30");
  EXPECT_EQ(Hours(d, "2026-05-01"), "closed");       // Friday
  EXPECT_EQ(Hours(d, "2026-05-14"), "closed");       // Ascension Day
  EXPECT_EQ(Hours(d, "2026-05-25"), "closed");       // Whit Monday
  EXPECT_EQ(Hours(d, "2026-12-24"), "08:00-12:00");  // Christmas Eve, Thu
  EXPECT_EQ(Hours(d, "2026-12-25"), "closed");
  EXPECT_EQ(Hours(d, "2026-12-28"), "08:00-15:30");
  EXPECT_EQ(Hours(d, "2026-12-31"), "08:00-12:00");  // New Year's Eve, Thu
}

TEST(HoursOn, HolidaysOnAWeekendGetNoWeekdayInstead) {
  const BusinessCalendar& d = Desk();
  // 17 May 2026 is a Sunday: Monday 18 May is an ordinary day.
  ASSERT_EQ(Weekday("2026-05-17"), 7u);
  EXPECT_EQ(Hours(d, "2026-05-17"), "closed");
  EXPECT_EQ(Hours(d, "2026-05-18"), "08:00-15:30");
  // 2027: 1 May a Saturday, Christmas Day and Boxing Day a weekend; the
  // Mondays after are working days; Christmas Eve and New Year's Eve are
  // Fridays, so half days.
  ASSERT_EQ(Weekday("2027-05-01"), 6u);
  ASSERT_EQ(Weekday("2027-12-25"), 6u);
  EXPECT_EQ(Hours(d, "2027-05-03"), "08:00-15:30");
  EXPECT_EQ(Hours(d, "2027-12-24"), "08:00-12:00");
  EXPECT_EQ(Hours(d, "2027-12-27"), "08:00-15:30");
  EXPECT_EQ(Hours(d, "2027-12-31"), "08:00-12:00");
  // A half day on a weekend stays closed: Christmas Eve 2022, a Saturday.
  ASSERT_EQ(Weekday("2022-12-24"), 6u);
  EXPECT_EQ(Hours(d, "2022-12-24"), "closed");
  // Half days follow Easter from year to year: 2027 Easter is 28 March.
  EXPECT_EQ(Hours(d, "2027-03-24"), "08:00-12:00");
  EXPECT_EQ(Hours(d, "2027-03-25"), "closed");
  EXPECT_EQ(Hours(d, "2035-03-21"), "08:00-12:00");  // Easter 25 March 2035
}

TEST(HoursOn, SpecialAndClosedDaysAndTheirOrder) {
  const BusinessCalendar& s = Split();
  EXPECT_EQ(Hours(s, "2026-03-30"), "07:30-11:30,12:00-16:00");
  EXPECT_EQ(Hours(s, "2026-03-27"), "07:30-11:30,12:00-24:00");
  EXPECT_EQ(Hours(s, "2026-04-01"), "07:30-11:30,12:00-13:00");  // half day
  EXPECT_EQ(Hours(s, "2026-05-17"), "10:00-12:00");  // special beats holiday
  EXPECT_EQ(Hours(s, "2026-05-14"), "closed");       // holiday
  EXPECT_EQ(Hours(s, "2026-07-08"), "closed");       // closed day
  EXPECT_EQ(Hours(s, "2027-03-28"), "closed");       // empty special day
  CalendarSpec spec = DeskCalendar();
  spec.closed_on_public_holidays = false;
  spec.half_day_before_easter = false;
  const BusinessCalendar open_on_holidays(spec);
  EXPECT_EQ(Hours(open_on_holidays, "2026-05-14"), "08:00-15:30");
  EXPECT_EQ(Hours(open_on_holidays, "2026-04-01"), "08:00-15:30");
}

// --- Add --------------------------------------------------------------

TEST(Add, TheAfternoonBeforeEaster2026) {
  const sys_seconds opened = Oslo("2026-03-31 14:00");  // Tuesday
  // Tue 14:00-15:30 gives 1.5 h; Wednesday 1 April is a half day
  // (08:00-12:00), so the remaining 2.5 h end at 10:30 on Wednesday.
  EXPECT_EQ(Local(Desk().Add(opened, hours(4))), "2026-04-01 10:30");
  // 8 h: 1.5 h + 4 h by Wednesday noon; Maundy Thursday, Good Friday, the
  // weekend and Easter Monday are closed; the last 2.5 h run from 08:00 on
  // Tuesday 7 April, summer time (UTC+2): 10:30 local, 08:30 UTC.
  const sys_seconds due = Desk().Add(opened, hours(8));
  EXPECT_EQ(Local(due), "2026-04-07 10:30");
  EXPECT_EQ(due.time_since_epoch() % days(1), hours(8) + minutes(30));
  // Used up exactly at Wednesday noon: due at noon, not on Tuesday.
  EXPECT_EQ(Local(Desk().Add(opened, minutes(330))), "2026-04-01 12:00");
}

TEST(Add, FridayAfternoonToMonday) {
  // Fri 15:00-15:30 gives 0.5 h, the other 1.5 h run from Monday 08:00.
  EXPECT_EQ(Local(Desk().Add(Oslo("2026-03-06 15:00"), hours(2))),
            "2026-03-09 09:30");
  // The same over the spring change: 66.5 h on the wall, 65.5 h real.
  const sys_seconds due = Desk().Add(Oslo("2026-03-27 15:00"), hours(2));
  EXPECT_EQ(Local(due), "2026-03-30 09:30");
  EXPECT_EQ(due - Oslo("2026-03-27 15:00"), hours(65) + minutes(30));
}

TEST(Add, AStartInClosedTimeWaitsForTheOpening) {
  const BusinessCalendar& d = Desk();
  EXPECT_EQ(Local(d.Add(Oslo("2026-03-28 10:00"), hours(1))),
            "2026-03-30 09:00");  // Saturday
  EXPECT_EQ(Local(d.Add(Oslo("2026-03-30 07:00"), minutes(30))),
            "2026-03-30 08:30");  // before opening
  EXPECT_EQ(Local(d.Add(Oslo("2026-03-30 16:00"), hours(1))),
            "2026-03-31 09:00");  // after closing
  EXPECT_EQ(Local(d.Add(Oslo("2026-05-14 09:00"), hours(1))),
            "2026-05-15 09:00");  // Ascension Day
  EXPECT_EQ(Local(d.Add(Oslo("2026-12-24 13:00"), hours(1))),
            "2026-12-28 09:00");  // after the half day, over Christmas
}

TEST(Add, ZeroIsTheStartEvenWhenClosedAndSecondsCount) {
  const sys_seconds saturday = Oslo("2026-03-28 10:00");
  EXPECT_EQ(Desk().Add(saturday, seconds(0)), saturday);
  EXPECT_EQ(Desk().Add(saturday, seconds(-5)), saturday);
  EXPECT_EQ(Local(Desk().Add(saturday, seconds(1))), "2026-03-30 08:00:1");
  EXPECT_EQ(Local(Desk().Add(Oslo("2026-03-30 15:29"), seconds(61))),
            "2026-03-31 08:00:1");
}

TEST(Add, AlwaysOpenCountsRealHoursOverTheChanges) {
  // 24 h of business time from Saturday noon: Sunday 29 March has 23 h,
  // so the wall clock reads 13:00; over 25 October it reads 11:00.
  EXPECT_EQ(Local(TwentyFourSeven().Add(Oslo("2026-03-28 12:00"), hours(24))),
            "2026-03-29 13:00");
  EXPECT_EQ(Local(TwentyFourSeven().Add(Oslo("2026-10-24 12:00"), hours(24))),
            "2026-10-25 11:00");
}

TEST(Add, ACalendarThatNeverOpensGivesUpAfterTenYears) {
  // Open only on Mondays 08:00-09:00, and every Monday to the end of 2036
  // a closed day: more than ten years without open time.
  CalendarSpec spec;
  spec.id = "mondays";
  spec.week[1] = {{480, 540}};
  for (auto d = Day("2026-01-05"); d <= Day("2036-12-31"); d += days(7))
    spec.closed_days.push_back(d);
  ASSERT_TRUE(Validate(spec).ok());
  const BusinessCalendar never(spec);
  const sys_seconds start = Oslo("2026-01-01 00:00");
  EXPECT_EQ(never.Add(start, hours(1)), sys_seconds::max());
  EXPECT_EQ(never.NextOpen(start), sys_seconds::max());
  EXPECT_EQ(never.Subtract(Oslo("2036-12-31 00:00"), hours(1)),
            sys_seconds::min());
  // Nine years of closed Mondays are still walked: the first open Monday
  // after 2034 is 8 January 2035 (1 January is New Year's Day).
  spec.closed_days.clear();
  for (auto d = Day("2026-01-05"); d <= Day("2034-12-31"); d += days(7))
    spec.closed_days.push_back(d);
  const BusinessCalendar late(spec);
  ASSERT_EQ(Weekday("2035-01-08"), 1u);
  EXPECT_EQ(Local(late.NextOpen(start)), "2035-01-08 08:00");
  EXPECT_EQ(Local(late.Add(start, minutes(30))), "2035-01-08 08:30");
}

TEST(Add, InstantsAtTheEndsOfTimeAreSafe) {
  for (const BusinessCalendar* cal : {&Desk(), &TwentyFourSeven()}) {
    const sys_seconds max = sys_seconds::max(), min = sys_seconds::min();
    EXPECT_EQ(cal->Add(max, hours(1)), max) << cal->spec().id;
    EXPECT_EQ(cal->Add(min, seconds::max()), max) << cal->spec().id;
    EXPECT_EQ(cal->NextOpen(max), max) << cal->spec().id;
    EXPECT_EQ(cal->Subtract(min, hours(1)), min) << cal->spec().id;
    EXPECT_EQ(cal->Subtract(max, seconds::max()), min) << cal->spec().id;
    EXPECT_GT(cal->Between(min, max), hours(24 * 365 * 1000)) << cal->spec().id;
  }
}

// --- Between ----------------------------------------------------------

TEST(Between, AcrossAWeekendAndAHolidayCountsOnlyOpenHours) {
  // Wed 13 May 14:00-15:30 (1.5 h), Ascension Thursday closed, Friday
  // 7.5 h, the weekend (17 May a Sunday) closed, Monday 08:00-10:00 (2 h).
  EXPECT_EQ(Desk().Between(Oslo("2026-05-13 14:00"), Oslo("2026-05-18 10:00")),
            hours(11));
  // Over Easter: Wednesday 11:00-12:00 and Tuesday 08:00-09:00.
  EXPECT_EQ(Desk().Between(Oslo("2026-04-01 11:00"), Oslo("2026-04-07 09:00")),
            hours(2));
  EXPECT_EQ(Desk().Between(Oslo("2026-04-02 00:00"), Oslo("2026-04-07 00:00")),
            seconds(0));
  EXPECT_EQ(Desk().Between(Oslo("2026-05-18 10:00"), Oslo("2026-05-13 14:00")),
            seconds(0));
}

TEST(Between, TheBusinessHoursOfTheYear2026) {
  // 261 weekdays; 8 holidays on a weekday (1 Jan, 2, 3 and 6 April, 1 May,
  // 14 and 25 May, 25 December); 3 half days of 4 h (1 April, 24 and 31
  // December); 250 full days of 7.5 h: 1875 h + 12 h.
  const sys_seconds first = Oslo("2026-01-01 00:00");
  EXPECT_EQ(Desk().Between(first, Oslo("2027-01-01 00:00")), hours(1887));
  EXPECT_EQ(Local(Desk().Add(first, hours(1887))), "2026-12-31 12:00");
  EXPECT_EQ(Local(Desk().Subtract(Oslo("2027-01-01 00:00"), hours(1887))),
            "2026-01-02 08:00");
}

TEST(Between, APauseOverAWeekendAndAHolidayMovesTheDueTimeByOpenHoursOnly) {
  // Opened Tuesday 12 May 09:00 with 16 business hours: Tue 6.5 h, Wed
  // 7.5 h, Ascension Thursday closed, Friday 2 h: due Friday 10:00.
  const BusinessCalendar& d = Desk();
  const sys_seconds opened = Oslo("2026-05-12 09:00");
  EXPECT_EQ(Local(d.Add(opened, hours(16))), "2026-05-15 10:00");
  // Waiting for the user from Wednesday 14:00 to Monday 18 May 10:00.
  // Used before the pause: 6.5 h + 6 h = 12.5 h; the other 3.5 h run from
  // Monday 10:00: due 13:30. The pause is worth 11 business hours, not the
  // 4 days 20 hours on the wall.
  const sys_seconds pause = Oslo("2026-05-13 14:00");
  const sys_seconds resume = Oslo("2026-05-18 10:00");
  const seconds used = d.Between(opened, pause);
  EXPECT_EQ(used, hours(12) + minutes(30));
  EXPECT_EQ(Local(d.Add(resume, hours(16) - used)), "2026-05-18 13:30");
  EXPECT_EQ(Local(d.Add(opened, hours(16) + d.Between(pause, resume))),
            "2026-05-18 13:30");
}

TEST(Between, TheDaylightSavingWeekendsOf2026) {
  for (const char* sunday : {"2026-03-29", "2026-10-25"}) {
    EXPECT_EQ(Hours(Desk(), sunday), "closed");
  }
  // The desk does not notice: Friday 08:00 to Monday 15:30 is 15 h.
  EXPECT_EQ(Desk().Between(Oslo("2026-03-27 08:00"), Oslo("2026-03-30 15:30")),
            hours(15));
  EXPECT_EQ(Desk().Between(Oslo("2026-10-23 08:00"), Oslo("2026-10-26 15:30")),
            hours(15));
  // 24x7 counts a 23 h and a 25 h Sunday.
  EXPECT_EQ(TwentyFourSeven().Between(Oslo("2026-03-29 00:00"),
                                      Oslo("2026-03-30 00:00")),
            hours(23));
  EXPECT_EQ(TwentyFourSeven().Between(Oslo("2026-10-25 00:00"),
                                      Oslo("2026-10-26 00:00")),
            hours(25));
  // Sunday 01:00-04:00 is 2 h in spring and 4 h in autumn; a special
  // 01:30-03:20 on the spring Sunday is 50 minutes (02:00-03:00 skipped).
  EXPECT_EQ(Split().Between(Oslo("2027-03-28 00:00"), Oslo("2027-03-29 00:00")),
            seconds(0));  // an empty special day
  EXPECT_EQ(Split().Between(Oslo("2026-10-25 00:00"), Oslo("2026-10-26 00:00")),
            hours(4));
  EXPECT_EQ(Split().Between(Oslo("2026-03-29 00:00"), Oslo("2026-03-29 09:00")),
            minutes(50));
  EXPECT_EQ(Split().Between(Oslo("2031-03-30 00:00"), Oslo("2031-03-31 00:00")),
            hours(2));
}

// --- IsOpen, NextOpen, Subtract --------------------------------------

TEST(IsOpen, AtTheEdges) {
  const BusinessCalendar& d = Desk();
  EXPECT_TRUE(d.IsOpen(Oslo("2026-03-30 08:00")));
  EXPECT_FALSE(d.IsOpen(Oslo("2026-03-30 08:00") - seconds(1)));
  EXPECT_TRUE(d.IsOpen(Oslo("2026-03-30 15:30") - seconds(1)));
  EXPECT_FALSE(d.IsOpen(Oslo("2026-03-30 15:30")));
  EXPECT_FALSE(d.IsOpen(Oslo("2026-04-02 10:00")));
  EXPECT_TRUE(Split().IsOpen(Oslo("2026-03-27 23:59")));
  EXPECT_TRUE(Split().IsOpen(Oslo("2026-03-28 00:00")));
  EXPECT_TRUE(TwentyFourSeven().IsOpen(Oslo("2026-12-25 03:00")));
}

TEST(NextOpen, SkipsEasterAndKeepsAnOpenInstant) {
  EXPECT_EQ(Local(Desk().NextOpen(Oslo("2026-04-01 12:00"))),
            "2026-04-07 08:00");
  const sys_seconds open = Oslo("2026-04-01 11:59");
  EXPECT_EQ(Desk().NextOpen(open), open);
  EXPECT_EQ(TwentyFourSeven().NextOpen(Oslo("2026-12-25 03:00")),
            Oslo("2026-12-25 03:00"));
}

TEST(Subtract, WalksBackOverClosedTime) {
  const BusinessCalendar& d = Desk();
  EXPECT_EQ(Local(d.Subtract(Oslo("2026-04-07 10:30"), hours(8))),
            "2026-03-31 14:00");
  EXPECT_EQ(Local(d.Subtract(Oslo("2026-03-30 08:00"), hours(1))),
            "2026-03-27 14:30");
  EXPECT_EQ(Local(d.Subtract(Oslo("2026-03-28 12:00"), hours(1))),
            "2026-03-27 14:30");
  // The latest such instant: a whole day back from Tuesday's opening is
  // Monday's opening, not Friday's closing.
  EXPECT_EQ(Local(d.Subtract(Oslo("2026-03-31 08:00"), minutes(450))),
            "2026-03-30 08:00");
  EXPECT_EQ(
      Local(TwentyFourSeven().Subtract(Oslo("2026-03-29 13:00"), hours(24))),
      "2026-03-28 12:00");
}

// --- Against FromOslo and the wall clock -----------------------------

TEST(Calendar, EveryDayOfFourteenYearsMapsLikeFromOslo) {
  // The offset shortcut must agree with FromOslo on every day, the
  // changes of daylight saving included.
  for (const BusinessCalendar* cal : {&Desk(), &Split(), &TwentyFourSeven()}) {
    for (auto d = Day("2024-01-01"); d < Day("2038-01-01"); d += days(1)) {
      seconds want(0);
      for (const Segment& s : cal->HoursOn(d))
        want += FromOslo(d, s.to) - FromOslo(d, s.from);
      ASSERT_EQ(cal->Between(FromOslo(d, 0), FromOslo(d + days(1), 0)), want)
          << cal->spec().id << " " << FormatLocalDay(d);
    }
  }
}

TEST(Calendar, BetweenAgreesWithTheWallClockMinuteByMinute) {
  // A minute is open when its Oslo reading lies in that day's hours; the
  // test calendars put no boundary inside the repeated autumn hour, where
  // the two readings of a boundary would differ.
  std::mt19937_64 rng(20260401);
  std::vector<sys_seconds> changes;
  for (int y = 2025; y <= 2031; ++y) {
    using date::Sunday;
    for (auto month : {date::March, date::October})
      changes.push_back(
          FromOslo(local_days(date::year(y) / month / Sunday[date::last]), 0));
  }
  std::uniform_int_distribution<size_t> pick(0, changes.size() - 1);
  std::uniform_int_distribution<int> offset(-5 * 1440, 2 * 1440);
  std::uniform_int_distribution<int> length(0, 10 * 1440);
  for (const BusinessCalendar* cal : {&Desk(), &Split()}) {
    for (int i = 0; i < 60; ++i) {
      const sys_seconds from = changes[pick(rng)] + minutes(offset(rng));
      const sys_seconds to = from + minutes(length(rng));
      seconds want(0);
      local_days day{};
      std::vector<Segment> hours_of_day;
      for (sys_seconds t = from; t < to; t += minutes(1)) {
        const OsloTime o = ToOslo(t);
        if (o.day != day) hours_of_day = cal->HoursOn(day = o.day);
        for (const Segment& s : hours_of_day)
          if (s.from <= o.minute && o.minute < s.to) want += minutes(1);
      }
      ASSERT_EQ(cal->Between(from, to), want)
          << cal->spec().id << " " << Local(from) << " to " << Local(to);
    }
  }
}

// --- Properties -------------------------------------------------------

TEST(CalendarProperty, AddBetweenSubtractAgree) {
  std::mt19937_64 rng(20260331);
  const sys_seconds first = Oslo("2025-01-01 00:00");
  const auto span = (Oslo("2032-01-01 00:00") - first).count();
  std::uniform_int_distribution<int64_t> when(0, span);
  std::uniform_int_distribution<int64_t> target(0, 400 * 3600);
  std::uniform_int_distribution<int> coin(0, 3);
  std::uniform_int_distribution<int> day_of(0, 7 * 365);
  std::uniform_int_distribution<int> boundary(0, 1);
  for (const BusinessCalendar* cal : {&Desk(), &Split(), &TwentyFourSeven()}) {
    for (int i = 0; i < 1500; ++i) {
      sys_seconds s = first + seconds(when(rng));
      if (coin(rng) == 0) {
        // Start exactly on a boundary of some open segment.
        const local_days d = Day("2025-01-01") + days(day_of(rng));
        const auto h = cal->HoursOn(d);
        if (!h.empty()) {
          const Segment& seg = h[static_cast<size_t>(rng() % h.size())];
          s = FromOslo(d, boundary(rng) ? seg.from : seg.to);
        }
      }
      seconds a(target(rng)), b(target(rng));
      if (coin(rng) == 0) {  // whole half hours, to land on boundaries
        a = minutes(30) * (a.count() / 1800);
        b = minutes(30) * (b.count() / 1800);
      }
      const std::string where = cal->spec().id + " from " + Local(s) +
                                " a=" + std::to_string(a.count()) +
                                " b=" + std::to_string(b.count());
      const sys_seconds ea = cal->Add(s, a), eab = cal->Add(s, a + b);
      ASSERT_EQ(cal->Between(s, ea), a) << where;
      ASSERT_EQ(cal->Between(s, eab), a + b) << where;
      ASSERT_EQ(cal->Add(ea, b), eab) << where;
      ASSERT_LE(ea, eab) << where;  // monotonic in the target
      if (a > seconds(0)) {
        // Back from the due time: the start when it is open, else the
        // opening the clock waited for.
        const sys_seconds back = cal->Subtract(ea, a);
        ASSERT_EQ(back, cal->IsOpen(s) ? s : cal->NextOpen(s)) << where;
      }
      const sys_seconds back = cal->Subtract(s, a);
      ASSERT_EQ(cal->Between(back, s), a) << where;
      ASSERT_TRUE(a == seconds(0) || cal->IsOpen(back)) << where;
      const sys_seconds next = cal->NextOpen(s);
      ASSERT_GE(next, s) << where;
      ASSERT_TRUE(cal->IsOpen(next)) << where;
      ASSERT_EQ(cal->Between(s, next), seconds(0)) << where;
      ASSERT_EQ(cal->Between(s, eab),
                cal->Between(s, ea) + cal->Between(ea, eab))
          << where;
    }
  }
}

TEST(CalendarProperty, DueIsMonotonicInTheTarget) {
  std::mt19937_64 rng(17052026);
  std::uniform_int_distribution<int64_t> when(0, 3LL * 365 * 86400);
  std::uniform_int_distribution<int64_t> step(0, 7200);
  const sys_seconds first = Oslo("2026-01-01 00:00");
  for (const BusinessCalendar* cal : {&Desk(), &Split(), &TwentyFourSeven()}) {
    for (int i = 0; i < 50; ++i) {
      const sys_seconds s = first + seconds(when(rng));
      sys_seconds previous = cal->Add(s, seconds(0));
      seconds x(0);
      for (int k = 0; k < 200; ++k) {
        x += seconds(step(rng));
        const sys_seconds due = cal->Add(s, x);
        ASSERT_LE(previous, due) << cal->spec().id << " " << Local(s);
        previous = due;
      }
    }
  }
}

}  // namespace
}  // namespace helpdesk::sla
