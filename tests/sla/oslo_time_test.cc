#include "sla/oslo_time.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <string>

namespace helpdesk::sla {
namespace {

using std::chrono::sys_seconds;

// "2026-01-15T07:00:00Z" as an instant (read by protobuf's RFC 3339
// parser, not by the code under test).
sys_seconds Utc(const char* text) {
  google::protobuf::Timestamp t;
  EXPECT_TRUE(google::protobuf::util::TimeUtil::FromString(text, &t)) << text;
  return sys_seconds(std::chrono::seconds(t.seconds()));
}

std::string Local(sys_seconds t) {
  OsloTime o = ToOslo(t);
  return FormatLocalDay(o.day) + " " + FormatClock(o.minute) + " d" +
         std::to_string(o.weekday);
}

TEST(OsloZone, IsAvailable) { EXPECT_TRUE(CheckOsloZone().ok()); }

TEST(ToOslo, WinterIsUtcPlusOneSummerPlusTwo) {
  EXPECT_EQ(Local(Utc("2026-01-15T07:00:00Z")), "2026-01-15 08:00 d4");
  EXPECT_EQ(Local(Utc("2026-07-15T06:00:00Z")), "2026-07-15 08:00 d3");
}

TEST(ToOslo, AcrossTheDaylightSavingWeekendsOf2026) {
  // Spring: 29 March 02:00 local jumps to 03:00.
  EXPECT_EQ(Local(Utc("2026-03-29T00:59:00Z")), "2026-03-29 01:59 d7");
  EXPECT_EQ(Local(Utc("2026-03-29T01:00:00Z")), "2026-03-29 03:00 d7");
  // Autumn: 25 October 03:00 local falls back to 02:00.
  EXPECT_EQ(Local(Utc("2026-10-25T00:30:00Z")), "2026-10-25 02:30 d7");
  EXPECT_EQ(Local(Utc("2026-10-25T01:30:00Z")), "2026-10-25 02:30 d7");
  EXPECT_EQ(Local(Utc("2026-10-25T02:00:00Z")), "2026-10-25 03:00 d7");
}

TEST(ToOslo, MidnightBelongsToTheNewDay) {
  EXPECT_EQ(Local(Utc("2026-11-24T23:00:00Z")), "2026-11-25 00:00 d3");
  EXPECT_EQ(Local(Utc("2026-11-24T22:59:00Z")), "2026-11-24 23:59 d2");
}

TEST(FromOslo, RoundTripsAndHandlesTheGapAndTheRepeat) {
  auto d = ParseLocalDay("2026-11-25");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(FromOslo(*d, 8 * 60), Utc("2026-11-25T07:00:00Z"));
  d = ParseLocalDay("2026-03-29");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(FromOslo(*d, 2 * 60 + 30), Utc("2026-03-29T01:00:00Z"));  // skipped
  d = ParseLocalDay("2026-10-25");
  ASSERT_TRUE(d.ok());
  EXPECT_EQ(FromOslo(*d, 2 * 60 + 30), Utc("2026-10-25T00:30:00Z"));  // first
  for (int m = 0; m < 24 * 60; m += 7) {
    d = ParseLocalDay("2026-06-01");
    ASSERT_TRUE(d.ok());
    OsloTime o = ToOslo(FromOslo(*d, m));
    EXPECT_EQ(o.day, *d);
    EXPECT_EQ(o.minute, m);
  }
}

TEST(ParseLocalDay, StrictAboutShapeAndCalendar) {
  EXPECT_TRUE(ParseLocalDay("2028-02-29").ok());
  EXPECT_FALSE(ParseLocalDay("2026-02-29").ok());
  EXPECT_FALSE(ParseLocalDay("2026-13-01").ok());
  EXPECT_FALSE(ParseLocalDay("2026-1-01").ok());
  EXPECT_FALSE(ParseLocalDay("26-01-01").ok());
  EXPECT_FALSE(ParseLocalDay("2026/01/01").ok());
  EXPECT_FALSE(ParseLocalDay("").ok());
  EXPECT_FALSE(ParseLocalDay("2026-01-0x").ok());
}

TEST(ParseClock, StrictHoursAndMinutes) {
  auto m = ParseClock("08:00");
  EXPECT_TRUE(m.ok());
  EXPECT_EQ(*m, 480);
  m = ParseClock("24:00");
  EXPECT_TRUE(m.ok());
  EXPECT_EQ(*m, 1440);
  EXPECT_FALSE(ParseClock("24:01").ok());
  EXPECT_FALSE(ParseClock("8:00").ok());
  EXPECT_FALSE(ParseClock("08:60").ok());
  EXPECT_FALSE(ParseClock("08.00").ok());
  EXPECT_FALSE(ParseClock("").ok());
  EXPECT_EQ(FormatClock(15 * 60 + 30), "15:30");
}

}  // namespace
}  // namespace helpdesk::sla
