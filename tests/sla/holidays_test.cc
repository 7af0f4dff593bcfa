#include "sla/holidays.h"

#include <gtest/gtest.h>

#include <string>

#include "sla/oslo_time.h"

namespace helpdesk::sla {
namespace {

date::local_days Day(const char* text) {
  date::local_days d;
  EXPECT_TRUE(ParseLocalDay(text, d)) << text;
  return d;
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

}  // namespace
}  // namespace helpdesk::sla
