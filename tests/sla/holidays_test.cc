#include "sla/holidays.h"

#include <gtest/gtest.h>

#include <string>
#include <string_view>
#include <utility>

#include "sla/oslo_time.h"

namespace helpdesk::sla {
namespace {

date::local_days Day(const char* text) {
  auto d = ParseLocalDay(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? *d : date::local_days{};
}

TEST(EasterSunday, KnownDates2024To2035) {
  const char* known[] = {"2024-03-31", "2025-04-20", "2026-04-05",
                         "2027-03-28", "2028-04-16", "2029-04-01",
                         "2030-04-21", "2031-04-13", "2032-03-28",
                         "2033-04-17", "2034-04-09", "2035-03-25"};
  for (int year = 2024; year <= 2035; ++year)
    EXPECT_EQ(FormatLocalDay(EasterSunday(year)), known[year - 2024]) << year;
}

TEST(PublicHolidays, TheTwelveOf2026InOrder) {
  std::string got;
  for (const auto& h : PublicHolidays(2026))
    got += FormatLocalDay(h.day) + " " + std::string(h.name) + "\n";
  EXPECT_EQ(got,
            "2026-01-01 Første nyttårsdag\n"
            "2026-04-02 Skjærtorsdag\n"
            "2026-04-03 Langfredag\n"
            "2026-04-05 Første påskedag\n"
            "2026-04-06 Andre påskedag\n"
            "2026-05-01 Offentlig høytidsdag\n"
            "2026-05-14 Kristi himmelfartsdag\n"
            "2026-05-17 Grunnlovsdag\n"
            "2026-05-24 Første pinsedag\n"
            "2026-05-25 Andre pinsedag\n"
            "2026-12-25 Første juledag\n"
            "2026-12-26 Andre juledag\n");
}

TEST(PublicHolidays, AscensionOn17MayIsListedTwice) {
  // 2029: Easter 1 April, so Ascension Day is 10 May; in 2008 it fell on
  // 1 May, the same day as the other holiday.
  int on_1_may = 0;
  for (const auto& h : PublicHolidays(2008))
    on_1_may += FormatLocalDay(h.day) == "2008-05-01";
  EXPECT_EQ(on_1_may, 2);
}

TEST(IsPublicHoliday, AgreesWithTheListForEveryDayOfTwentyYears) {
  for (int year = 2020; year < 2040; ++year) {
    auto list = PublicHolidays(year);
    for (auto d = date::local_days(date::year(year) / 1 / 1);
         d < date::local_days(date::year(year + 1) / 1 / 1);
         d += date::days(1)) {
      bool listed = false;
      for (const auto& h : list) listed = listed || h.day == d;
      ASSERT_EQ(IsPublicHoliday(d), listed) << FormatLocalDay(d);
    }
  }
}

TEST(IsPublicHoliday, ChristmasEveAndOrdinarySundaysAreNot) {
  EXPECT_FALSE(IsPublicHoliday(Day("2026-12-24")));
  EXPECT_FALSE(IsPublicHoliday(Day("2026-12-31")));
  EXPECT_FALSE(IsPublicHoliday(Day("2026-11-29")));  // a Sunday
  EXPECT_TRUE(IsPublicHoliday(Day("2027-03-25")));   // Maundy Thursday 2027
  EXPECT_TRUE(IsPublicHoliday(Day("2026-05-17")));   // a Sunday, and a holiday
}

TEST(PublicHolidays, OnAWeekendTheyStayPutWithNoWeekdayInstead) {
  // Norway moves no holiday to a Monday: 1 May 2027 is a Saturday, 17 May
  // 2026 and 26 December 2027 are Sundays; the days after are ordinary.
  EXPECT_EQ(date::weekday(Day("2027-05-01")), date::Saturday);
  EXPECT_EQ(date::weekday(Day("2026-05-17")), date::Sunday);
  EXPECT_EQ(date::weekday(Day("2027-12-25")), date::Saturday);
  EXPECT_EQ(date::weekday(Day("2027-12-26")), date::Sunday);
  EXPECT_TRUE(IsPublicHoliday(Day("2027-05-01")));
  EXPECT_TRUE(IsPublicHoliday(Day("2026-05-17")));
  EXPECT_TRUE(IsPublicHoliday(Day("2027-12-25")));
  EXPECT_TRUE(IsPublicHoliday(Day("2027-12-26")));
  EXPECT_FALSE(IsPublicHoliday(Day("2027-05-03")));
  EXPECT_FALSE(IsPublicHoliday(Day("2026-05-18")));
  EXPECT_FALSE(IsPublicHoliday(Day("2027-12-27")));
  EXPECT_FALSE(IsPublicHoliday(Day("2027-12-28")));
  EXPECT_EQ(PublicHolidays(2027).size(), 12u);
}

TEST(PublicHolidays, EasterBasedOnesFallOnTheirWeekdaysEveryYear) {
  // Any year, not a table: Maundy Thursday a Thursday ... Whit Monday a
  // Monday, and Easter Sunday between 22 March and 25 April.
  for (int year = 1900; year <= 2200; ++year) {
    const date::local_days easter = EasterSunday(year);
    ASSERT_EQ(date::weekday(easter), date::Sunday) << year;
    ASSERT_GE(easter, date::local_days(date::year(year) / 3 / 22)) << year;
    ASSERT_LE(easter, date::local_days(date::year(year) / 4 / 25)) << year;
    const auto list = PublicHolidays(year);
    ASSERT_EQ(list.size(), 12u) << year;
    const std::pair<std::string_view, date::weekday> want[] = {
        {"Skjærtorsdag", date::Thursday},
        {"Langfredag", date::Friday},
        {"Første påskedag", date::Sunday},
        {"Andre påskedag", date::Monday},
        {"Kristi himmelfartsdag", date::Thursday},
        {"Første pinsedag", date::Sunday},
        {"Andre pinsedag", date::Monday}};
    for (const auto& h : list)
      for (const auto& [name, weekday] : want)
        if (h.name == name) {
          ASSERT_EQ(date::weekday(h.day), weekday) << year << " " << name;
        }
  }
}

}  // namespace
}  // namespace helpdesk::sla
