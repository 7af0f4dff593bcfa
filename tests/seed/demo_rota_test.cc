// The demo vakt rota: weekly Monday 08:00 handovers in Oslo time, valid for
// the rota API, and fair.

#include <gtest/gtest.h>

#include <map>
#include <string>
#include <vector>

#include "daemon/seed/seed.h"
#include "daemon/staff/schedule.h"
#include "daemon/staff/staff.h"
#include "proto/timestamps.h"
#include "sla/oslo_time.h"

namespace helpdesk::seed {
namespace {

using std::chrono::hours;

const std::vector<v1::StaffMember>& Staff() {
  static const std::vector<v1::StaffMember> staff = [] {
    auto region = DemoRegion();
    auto catalogue = DefaultCatalogue(*region);
    auto s = DemoStaff(*region, *catalogue);
    EXPECT_TRUE(s.ok()) << s.status().message();
    return s.ok() ? *s : std::vector<v1::StaffMember>{};
  }();
  return staff;
}

std::vector<std::string> Ids(const std::vector<v1::StaffMember>& staff) {
  std::vector<std::string> ids;
  for (const auto& m : staff) ids.push_back(m.id());
  return ids;
}

date::local_days Day(const char* text) {
  auto d = sla::ParseLocalDay(text);
  EXPECT_TRUE(d.ok()) << text;
  return d.ok() ? *d : date::local_days{};
}

v1::VaktRota Rota(const char* first_monday, int weeks) {
  auto rota = DemoRota(Staff(), Day(first_monday), weeks);
  EXPECT_TRUE(rota.ok()) << rota.status().message();
  return rota.ok() ? *rota : v1::VaktRota{};
}

TEST(DemoRota, IsAcceptedByTheRotaDecisionAsItIs) {
  v1::VaktRota rota = Rota("2026-01-05", 104);
  ASSERT_EQ(rota.shifts_size(), 104);
  EXPECT_EQ(rota.version(), 0u);
  auto decided =
      staff::DecideRota(v1::VaktRota{}, rota, std::nullopt, Ids(Staff()));
  ASSERT_TRUE(decided.ok()) << decided.status().message();
  EXPECT_EQ(decided->version(), 1u);
  rota.set_version(1);
  EXPECT_EQ(decided->SerializeAsString(), rota.SerializeAsString());
}

TEST(DemoRota, WeeklyFromMonday0800OsloWithNoGaps) {
  v1::VaktRota rota = Rota("2026-01-05", 104);
  ASSERT_EQ(rota.shifts_size(), 104);
  for (int i = 0; i < rota.shifts_size(); ++i) {
    const auto& s = rota.shifts(i);
    for (auto at : {proto::ToSys(s.start()), proto::ToSys(s.end())}) {
      sla::OsloTime local = sla::ToOslo(at);
      EXPECT_EQ(local.weekday, 1) << "shift " << i;
      EXPECT_EQ(local.minute, 8 * 60) << "shift " << i;
    }
    EXPECT_EQ(sla::ToOslo(proto::ToSys(s.start())).day,
              Day("2026-01-05") + date::weeks(i));
    if (i > 0) {
      EXPECT_EQ(s.start().seconds(), rota.shifts(i - 1).end().seconds());
    }
  }
}

TEST(DemoRota, TheWeeksOfTheDaylightSavingChangesAreAnHourShortAndLong) {
  v1::VaktRota rota = Rota("2026-03-16", 33);  // to 2026-11-02
  std::map<std::string, int64_t> hours_by_week;
  for (const auto& s : rota.shifts()) {
    auto start = proto::ToSys(s.start());
    hours_by_week[sla::FormatLocalDay(sla::ToOslo(start).day)] =
        (s.end().seconds() - s.start().seconds()) / 3600;
  }
  ASSERT_EQ(hours_by_week.size(), 33u);
  // Spring forward on Sunday 29 March, fall back on Sunday 25 October.
  EXPECT_EQ(hours_by_week["2026-03-23"], 167);
  EXPECT_EQ(hours_by_week["2026-10-19"], 169);
  for (const auto& [week, length] : hours_by_week)
    if (week != "2026-03-23" && week != "2026-10-19") {
      EXPECT_EQ(length, 168) << week;
    }
  // Monday 08:00 is 07:00 UTC in winter and 06:00 UTC in summer.
  EXPECT_EQ(rota.shifts(0).start().seconds() % 86400, 7 * 3600);
  EXPECT_EQ(rota.shifts(2).start().seconds() % 86400, 6 * 3600);
}

TEST(DemoRota, PrimaryAndBackupAreTwoVaktPeopleAndLastWeeksPrimaryIsBackup) {
  std::map<std::string, const v1::StaffMember*> by_id;
  for (const auto& m : Staff()) by_id[m.id()] = &m;
  v1::VaktRota rota = Rota("2026-01-05", 52);
  for (int i = 0; i < rota.shifts_size(); ++i) {
    const auto& s = rota.shifts(i);
    EXPECT_NE(s.primary(), s.backup());
    ASSERT_TRUE(by_id.count(s.primary()) && by_id.count(s.backup()));
    EXPECT_TRUE(DoesVakt(*by_id[s.primary()])) << s.primary();
    EXPECT_TRUE(DoesVakt(*by_id[s.backup()])) << s.backup();
    if (i > 0) {
      EXPECT_EQ(s.backup(), rota.shifts(i - 1).primary());
    }
  }
}

// Over any number of weeks, each person who does vakt is primary (and
// backup) as many weeks as any other, give or take one.
TEST(DemoRota, SpreadsTheWeeksEvenly) {
  int vakt_people = 0;
  for (const auto& m : Staff()) vakt_people += DoesVakt(m);
  ASSERT_EQ(vakt_people, 8);
  for (int weeks : {1, 3, 8, 9, 10, 13, 17, 18, 26, 52, 53, 104}) {
    v1::VaktRota rota = Rota("2026-06-01", weeks);
    std::map<std::string, int> primary, backup;
    for (const auto& m : Staff())
      if (DoesVakt(m)) primary[m.id()] = backup[m.id()] = 0;
    for (const auto& s : rota.shifts()) {
      ++primary[s.primary()];
      ++backup[s.backup()];
    }
    for (const auto* counts : {&primary, &backup}) {
      ASSERT_EQ(counts->size(), 8u) << weeks;
      int lo = weeks, hi = 0;
      for (const auto& [id, n] : *counts) {
        lo = std::min(lo, n);
        hi = std::max(hi, n);
      }
      EXPECT_LE(hi - lo, 1) << weeks << " weeks";
    }
  }
}

TEST(DemoRota, NotesNameTheIsoWeek) {
  v1::VaktRota rota = Rota("2026-12-21", 3);
  ASSERT_EQ(rota.shifts_size(), 3);
  EXPECT_EQ(rota.shifts(0).note(), "Uke 52/2026");
  EXPECT_EQ(rota.shifts(1).note(), "Uke 53/2026");  // 2026 has 53 weeks
  EXPECT_EQ(rota.shifts(2).note(), "Uke 1/2027");
}

TEST(DemoRota, RefusesWhatCannotBeAWeeklyRota) {
  auto tuesday = DemoRota(Staff(), Day("2026-01-06"), 4);
  ASSERT_FALSE(tuesday.ok());
  EXPECT_NE(tuesday.status().message().find("2026-01-06"), std::string::npos);
  EXPECT_FALSE(DemoRota(Staff(), Day("2026-01-05"), -1).ok());
  EXPECT_FALSE(DemoRota(Staff(), Day("2026-01-05"),
                        static_cast<int>(staff::kMaxShifts) + 1)
                   .ok());
  auto none = DemoRota(Staff(), Day("2026-01-05"), 0);
  ASSERT_TRUE(none.ok());
  EXPECT_EQ(none->shifts_size(), 0);
  // One person on vakt cannot have a backup.
  std::vector<v1::StaffMember> alone;
  bool kept_one = false;
  for (const auto& m : Staff()) {
    if (DoesVakt(m) && kept_one) continue;
    kept_one = kept_one || DoesVakt(m);
    alone.push_back(m);
  }
  auto one = DemoRota(alone, Day("2026-01-05"), 4);
  ASSERT_FALSE(one.ok());
  EXPECT_NE(one.status().message().find("at least two"), std::string::npos);
}

}  // namespace
}  // namespace helpdesk::seed
