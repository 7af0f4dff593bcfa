#include "sla/policy.h"

#include <gtest/gtest.h>

#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "catalogue/catalogue_file.h"
#include "catalogue/default_catalogue.h"
#include "sla/oslo_time.h"

namespace helpdesk::sla {
namespace {

// The problems of a Validate, in words.
std::vector<std::string> Problems(const Status& s) {
  std::vector<std::string> out;
  for (const auto& e : s.errors()) out.push_back(e.detail);
  return out;
}

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_seconds;

// "2026-03-31 14:00", Oslo local time.
sys_seconds Oslo(std::string_view text) {
  auto day = ParseLocalDay(text.substr(0, 10));
  auto minute = ParseClock(text.substr(11));
  EXPECT_TRUE(day.ok() && minute.ok()) << text;
  if (!day.ok() || !minute.ok()) return {};
  return FromOslo(*day, *minute);
}

// The wall-clock reading of an instant, seconds only when not zero.
std::string Local(sys_seconds t) {
  const OsloTime o = ToOslo(t);
  std::string out = FormatLocalDay(o.day) + " " + FormatClock(o.minute);
  const auto sec = t.time_since_epoch().count() % 60;
  if (sec != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ":%02d", static_cast<int>(sec));
    out += buf;
  }
  return out;
}

const PolicyBook& Book() {
  static const PolicyBook book(DefaultPolicy());
  return book;
}

const ClassTargets& Class(std::string_view id) {
  const ClassTargets* c = Book().Find(id);
  EXPECT_NE(c, nullptr) << id;
  static const ClassTargets none{};
  return c != nullptr ? *c : none;
}

// Starts to compare targets on different calendars with: a due time is
// only comparable from the same start, and a target that is no looser must
// be due no later from every one of them. Office hours, just before
// closing, a weekend night, a half day before Easter, a DST night.
std::vector<sys_seconds> ReferenceStarts() {
  return {Oslo("2026-03-16 09:00"), Oslo("2026-03-20 15:00"),
          Oslo("2026-03-21 02:00"), Oslo("2026-04-01 11:00"),
          Oslo("2026-03-29 01:30"), Oslo("2026-12-23 15:00")};
}

// Whether `strict` is due no later than `loose` from every reference start.
void ExpectNoLooser(const Target& strict, const Target& loose,
                    const std::string& what) {
  for (sys_seconds start : ReferenceStarts()) {
    auto a = Book().DueOf(strict, start);
    auto b = Book().DueOf(loose, start);
    ASSERT_TRUE(a && b) << what;
    EXPECT_LE(a->due, b->due) << what << " from " << Local(start) << ": "
                              << Local(a->due) << " vs " << Local(b->due);
  }
}

// --- The default policy -------------------------------------------------

TEST(DefaultPolicy, Validates) {
  EXPECT_EQ(Problems(Validate(DefaultPolicy())), std::vector<std::string>{});
  EXPECT_DOUBLE_EQ(DefaultPolicy().warn_share, 0.75);
}

// The classes come from the built-in catalogue itself, so a class added
// there without targets here fails this test.
TEST(DefaultPolicy, EveryClassOfTheBuiltInCatalogueHasTargets) {
  const catalogue::ParsedFile file =
      catalogue::ParseCatalogueFile(catalogue::DefaultCatalogueText());
  ASSERT_TRUE(file.findings.empty());
  std::set<std::string> in_catalogue;
  for (const auto& c : file.catalogue.sla_classes()) {
    in_catalogue.insert(c.id());
    EXPECT_NE(Book().Find(c.id()), nullptr) << c.id();
  }
  EXPECT_EQ(in_catalogue,
            (std::set<std::string>{"business-critical", "standard", "order"}));
  // And the policy names no class the catalogue does not have.
  for (const auto& c : Book().policy().classes)
    EXPECT_TRUE(in_catalogue.count(c.sla_class)) << c.sla_class;
}

// DOMAIN.md rule 5: business-critical classes (business_critical = true in
// the catalogue) are stricter, never looser, than standard.
TEST(DefaultPolicy, BusinessCriticalIsNeverLooserThanStandard) {
  const catalogue::ParsedFile file =
      catalogue::ParseCatalogueFile(catalogue::DefaultCatalogueText());
  int critical_classes = 0;
  for (const auto& c : file.catalogue.sla_classes()) {
    if (!c.business_critical()) continue;
    ++critical_classes;
    const ClassTargets& bc = Class(c.id());
    const ClassTargets& standard = Class("standard");
    for (int p = kCritical; p <= kLow; ++p) {
      const std::string where = c.id() + " " + std::string(PriorityName(p));
      ExpectNoLooser(bc.response[p], standard.response[p], where + " response");
      ExpectNoLooser(bc.resolution[p], standard.resolution[p],
                     where + " resolution");
    }
  }
  EXPECT_EQ(critical_classes, 1);
}

TEST(DefaultPolicy, HigherPriorityIsNeverLooserWithinAClass) {
  for (const ClassTargets& c : Book().policy().classes) {
    for (int p = kCritical; p < kLow; ++p) {
      const std::string where = c.sla_class + " " +
                                std::string(PriorityName(p)) + " vs " +
                                std::string(PriorityName(p + 1));
      ExpectNoLooser(c.response[p], c.response[p + 1], where + " response");
      ExpectNoLooser(c.resolution[p], c.resolution[p + 1],
                     where + " resolution");
    }
  }
}

TEST(DefaultPolicy, TheReferenceFigures) {
  const ClassTargets& s = Class("standard");
  EXPECT_EQ(s.response[kCritical].time, minutes(15));
  EXPECT_EQ(s.response[kCritical].calendar, "desk");
  EXPECT_EQ(s.resolution[kCritical].time, hours(2));
  EXPECT_EQ(s.resolution[kCritical].calendar, "desk");
  EXPECT_EQ(s.response[kHigh].time, hours(1));
  EXPECT_EQ(s.response[kHigh].calendar, "desk");
  EXPECT_EQ(s.resolution[kHigh].time, hours(4));
  EXPECT_EQ(s.resolution[kHigh].calendar, "desk");
  // Business-critical critical work has vakt: counted around the clock.
  const ClassTargets& bc = Class("business-critical");
  EXPECT_EQ(bc.response[kCritical].time, minutes(15));
  EXPECT_EQ(bc.response[kCritical].calendar, "24x7");
  EXPECT_EQ(bc.resolution[kCritical].time, hours(2));
  EXPECT_EQ(bc.resolution[kCritical].calendar, "24x7");
  EXPECT_NE(Book().Calendar("desk"), nullptr);
  EXPECT_NE(Book().Calendar("24x7"), nullptr);
}

// --- Validate -------------------------------------------------------------

TEST(ValidatePolicy, UnknownCalendar) {
  Policy p = DefaultPolicy();
  p.classes[1].response[kHigh].calendar = "nightly";
  EXPECT_EQ(Problems(Validate(p)),
            std::vector<std::string>{
                "class 'standard', high: the response target's calendar "
                "'nightly' is not one of the policy's"});
}

TEST(ValidatePolicy, ZeroTarget) {
  Policy p = DefaultPolicy();
  p.classes[2].response[kLow].time = seconds(0);
  EXPECT_EQ(Problems(Validate(p)),
            std::vector<std::string>{
                "class 'order', low: the response target must be above 0"});
}

TEST(ValidatePolicy, ResolutionShorterThanResponse) {
  Policy p = DefaultPolicy();
  p.classes[1].resolution[kNormal].time = hours(3);  // response 4 h
  EXPECT_EQ(Problems(Validate(p)),
            std::vector<std::string>{"class 'standard', normal: resolution "
                                     "is shorter than first response"});
}

TEST(ValidatePolicy, WarnShareStrictlyBetweenZeroAndOne) {
  for (double share : {0.0, 1.0, -0.5, 1.5}) {
    Policy p = DefaultPolicy();
    p.warn_share = share;
    EXPECT_EQ(Problems(Validate(p)),
              std::vector<std::string>{
                  "warn_share must be above 0 and below 1, e.g. 0.75"})
        << share;
  }
}

TEST(ValidatePolicy, AClassTwice) {
  Policy p = DefaultPolicy();
  p.classes.push_back(p.classes[1]);
  EXPECT_EQ(Problems(Validate(p)),
            std::vector<std::string>{"class 'standard' is listed twice"});
}

TEST(ValidatePolicy, DuplicateCalendarIds) {
  Policy p = DefaultPolicy();
  p.calendars.push_back(DeskCalendar());
  EXPECT_EQ(Problems(Validate(p)),
            std::vector<std::string>{"calendars: id 'desk' is used twice"});
}

TEST(ValidatePolicy, AnInvalidCalendarIsNamed) {
  Policy p = DefaultPolicy();
  p.calendars[0].week[1] = {{900, 800}};
  const auto problems = Problems(Validate(p));
  ASSERT_EQ(problems.size(), 1u);
  EXPECT_TRUE(problems[0].starts_with("calendar 'desk': week: monday"))
      << problems[0];
}

// --- DueOf ----------------------------------------------------------------

// A standard/high ticket on the afternoon before Easter 2026: Tuesday 31
// March 08:00-15:30, Wednesday 1 April a half day to 12:00 (onsdag før
// skjærtorsdag), Thursday 2 to Monday 6 April closed (Maundy Thursday, Good
// Friday, the weekend with Easter Sunday, Easter Monday).
TEST(DueOf, StandardHighOnTheAfternoonBeforeEaster) {
  const sys_seconds start = Oslo("2026-03-31 14:00");
  const ClassTargets& s = Class("standard");

  // Response 1 h: 14:00 + 1 h = 15:00 the same day, before closing at
  // 15:30. Warning at 75 %: 45 min, 14:45.
  auto response = Book().DueOf(s.response[kHigh], start);
  ASSERT_TRUE(response);
  EXPECT_EQ(Local(response->due), "2026-03-31 15:00");
  EXPECT_EQ(Local(response->warning), "2026-03-31 14:45");

  // Resolution 4 h: Tuesday 14:00-15:30 is 1 h 30 min, leaving 2 h 30 min
  // from Wednesday 08:00: due 10:30, inside the half day. Warning at 3 h:
  // 1 h 30 min Tuesday + 1 h 30 min Wednesday = 09:30.
  auto resolution = Book().DueOf(s.resolution[kHigh], start);
  ASSERT_TRUE(resolution);
  EXPECT_EQ(Local(resolution->due), "2026-04-01 10:30");
  EXPECT_EQ(Local(resolution->warning), "2026-04-01 09:30");

  // Normal resolution, 2 desk days (15 h), runs over Easter: Tuesday
  // 1 h 30 min, Wednesday 4 h (5 h 30 min), Thursday 2 to Monday 6 closed,
  // Tuesday 7 April 7 h 30 min (13 h), Wednesday 8 April 2 h: 10:00.
  // Warning at 11 h 15 min: 5 h 30 min by Wednesday, 5 h 45 min on
  // Tuesday 7 April from 08:00: 13:45.
  auto normal = Book().DueOf(s.resolution[kNormal], start);
  ASSERT_TRUE(normal);
  EXPECT_EQ(Local(normal->due), "2026-04-08 10:00");
  EXPECT_EQ(Local(normal->warning), "2026-04-07 13:45");
}

// Business-critical critical work counts on 24x7 (vakt): at 02:00 on a
// Saturday, 15 min later; the warning at 75 % is 11 min 15 s.
TEST(DueOf, BusinessCriticalCriticalOnASaturdayNight) {
  const sys_seconds start = Oslo("2026-03-21 02:00");  // a Saturday
  ASSERT_EQ(ToOslo(start).weekday, 6);
  const ClassTargets& bc = Class("business-critical");
  auto response = Book().DueOf(bc.response[kCritical], start);
  ASSERT_TRUE(response);
  EXPECT_EQ(Local(response->due), "2026-03-21 02:15");
  EXPECT_EQ(Local(response->warning), "2026-03-21 02:11:15");
  auto resolution = Book().DueOf(bc.resolution[kCritical], start);
  ASSERT_TRUE(resolution);
  EXPECT_EQ(Local(resolution->due), "2026-03-21 04:00");
  EXPECT_EQ(Local(resolution->warning), "2026-03-21 03:30");
  // The same ticket in the standard class waits for Monday's desk.
  auto standard = Book().DueOf(Class("standard").response[kCritical], start);
  ASSERT_TRUE(standard);
  EXPECT_EQ(Local(standard->due), "2026-03-23 08:15");
}

// 24x7 counts real time: across the spring change (02:00 -> 03:00 on 29
// March 2026) 15 min from 01:55 is 03:10 on the wall.
TEST(DueOf, AroundTheClockAcrossTheSpringChange) {
  auto due = Book().DueOf(Class("business-critical").response[kCritical],
                          Oslo("2026-03-29 01:55"));
  ASSERT_TRUE(due);
  EXPECT_EQ(Local(due->due), "2026-03-29 03:10");
}

// After a pause the clock goes on from where it stopped: `elapsed` is
// business time already used.
TEST(DueOf, ElapsedTimeIsSubtracted) {
  const sys_seconds start = Oslo("2026-03-31 14:00");
  const Target& four_hours = Class("standard").resolution[kHigh];

  // 1 h used: 3 h left, Tuesday 1 h 30 min + Wednesday 1 h 30 min = 09:30;
  // the warning (3 h in all) 2 h on: Tuesday 1 h 30 min + 30 min = 08:30.
  auto after_hour = Book().DueOf(four_hours, start, hours(1));
  ASSERT_TRUE(after_hour);
  EXPECT_EQ(Local(after_hour->due), "2026-04-01 09:30");
  EXPECT_EQ(Local(after_hour->warning), "2026-04-01 08:30");

  // 3 h 30 min used, past the warning at 3 h: the warning is now, the due
  // time 30 min on.
  auto past_warning = Book().DueOf(four_hours, start, minutes(210));
  ASSERT_TRUE(past_warning);
  EXPECT_EQ(past_warning->warning, start);
  EXPECT_EQ(Local(past_warning->due), "2026-03-31 14:30");

  // Used up (or more): both are now.
  auto used_up = Book().DueOf(four_hours, start, hours(5));
  ASSERT_TRUE(used_up);
  EXPECT_EQ(used_up->warning, start);
  EXPECT_EQ(used_up->due, start);
}

TEST(DueOf, UnknownCalendarIsNullopt) {
  EXPECT_FALSE(
      Book().DueOf(Target{hours(1), "nightly"}, Oslo("2026-03-31 14:00")));
  EXPECT_FALSE(Book().DueOf(Target{hours(1), ""}, Oslo("2026-03-31 14:00")));
}

}  // namespace
}  // namespace helpdesk::sla
