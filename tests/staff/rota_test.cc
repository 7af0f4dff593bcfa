// The vakt rota as one document: sorted, non-overlapping shifts of known
// people, replaced under optimistic concurrency once it exists.

#include <gtest/gtest.h>

#include <chrono>
#include <string>
#include <vector>

#include "daemon/staff/schedule.h"
#include "daemon/staff/staff.h"
#include "proto/timestamps.h"

namespace helpdesk::staff {
namespace {

using proto::ToSys;
using proto::ToTimestamp;
using std::chrono::hours;
using std::chrono::seconds;
using std::chrono::sys_seconds;

const std::vector<std::string> kStaff = {"kari.haugen", "ola-2", "per.dahl"};

// Friday 2026-01-09 15:30 Oslo (14:30 UTC).
const sys_seconds kT0 = sys_seconds(seconds(1767969000));

v1::VaktShift* AddShift(v1::VaktRota& rota, sys_seconds start, sys_seconds end,
                        const char* primary, const char* backup = "") {
  v1::VaktShift* s = rota.add_shifts();
  *s->mutable_start() = ToTimestamp(start);
  *s->mutable_end() = ToTimestamp(end);
  s->set_primary(primary);
  s->set_backup(backup);
  return s;
}

std::vector<std::string> Pointers(const Status& s) {
  std::vector<std::string> out;
  for (const auto& e : s.errors()) out.push_back(e.pointer);
  return out;
}

TEST(DecideRota, AFirstRotaNeedsNoVersionAndComesBackSortedByStart) {
  v1::VaktRota body;
  AddShift(body, kT0 + hours(48), kT0 + hours(72), "per.dahl");
  AddShift(body, kT0, kT0 + hours(24), "kari.haugen", "ola-2");
  AddShift(body, kT0 + hours(24), kT0 + hours(48), "ola-2");  // touching
  body.mutable_shifts(1)->mutable_start()->set_nanos(500000000);
  auto got = DecideRota(v1::VaktRota(), body, std::nullopt, kStaff);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->version(), 1u);
  ASSERT_EQ(got->shifts_size(), 3);
  EXPECT_EQ(got->shifts(0).primary(), "kari.haugen");
  EXPECT_EQ(got->shifts(0).backup(), "ola-2");
  EXPECT_EQ(got->shifts(0).start().nanos(), 0);
  EXPECT_EQ(got->shifts(1).primary(), "ola-2");
  EXPECT_EQ(got->shifts(2).primary(), "per.dahl");
}

TEST(DecideRota, AnEmptyRotaClearsIt) {
  v1::VaktRota current;
  AddShift(current, kT0, kT0 + hours(24), "kari.haugen");
  current.set_version(5);
  auto got = DecideRota(current, v1::VaktRota(), 5, kStaff);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got->shifts_size(), 0);
  EXPECT_EQ(got->version(), 6u);
}

TEST(DecideRota, AnOverlapIsReportedAtTheIndexInTheBody) {
  v1::VaktRota body;
  AddShift(body, kT0 + hours(20), kT0 + hours(30), "per.dahl");  // 0
  AddShift(body, kT0, kT0 + hours(10), "kari.haugen");           // 1
  AddShift(body, kT0 + hours(5), kT0 + hours(15), "ola-2");      // 2
  auto got = DecideRota(v1::VaktRota(), body, std::nullopt, kStaff);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().code(), Code::kInvalidField);
  EXPECT_EQ(Pointers(got.status()), std::vector<std::string>{"/shifts/2"});
  EXPECT_NE(got.status().errors()[0].detail.find("overlaps shift 1"),
            std::string::npos)
      << got.status().errors()[0].detail;
}

TEST(DecideRota, ALongShiftOverlappingSeveralLaterOnesNamesEachOfThem) {
  v1::VaktRota body;
  AddShift(body, kT0, kT0 + hours(100), "kari.haugen");            // 0
  AddShift(body, kT0 + hours(10), kT0 + hours(20), "ola-2");       // 1
  AddShift(body, kT0 + hours(30), kT0 + hours(40), "per.dahl");    // 2
  AddShift(body, kT0 + hours(100), kT0 + hours(110), "per.dahl");  // 3: after
  auto got = DecideRota(v1::VaktRota(), body, std::nullopt, kStaff);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(Pointers(got.status()),
            (std::vector<std::string>{"/shifts/1", "/shifts/2"}));
  for (const auto& e : got.status().errors())
    EXPECT_NE(e.detail.find("overlaps shift 0"), std::string::npos) << e.detail;
}

TEST(DecideRota, TwoShiftsStartingTogetherOverlap) {
  v1::VaktRota body;
  AddShift(body, kT0, kT0 + hours(10), "kari.haugen");
  AddShift(body, kT0, kT0 + hours(1), "ola-2");
  auto got = DecideRota(v1::VaktRota(), body, std::nullopt, kStaff);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(Pointers(got.status()), std::vector<std::string>{"/shifts/1"});
}

TEST(DecideRota, ReportsEveryProblemOfEachShift) {
  v1::VaktRota body;
  AddShift(body, kT0, kT0 + hours(10), "nobody");                      // 0
  AddShift(body, kT0 + hours(10), kT0 + hours(20), "ola-2", "ola-2");  // 1
  AddShift(body, kT0 + hours(20), kT0 + hours(30), "per.dahl",
           "someone");  // 2
  AddShift(body, kT0 + hours(40),
           kT0 + hours(40) + seconds(kMaxShiftSeconds) + seconds(1),
           "kari.haugen");                                          // 3
  AddShift(body, kT0 + hours(30), kT0 + hours(29), "kari.haugen");  // 4
  AddShift(body, kT0, kT0, "");                                     // 5
  body.mutable_shifts(5)->clear_start();
  AddShift(body, kT0, kT0, "ola-2")->set_note("a\nb");  // 6
  body.mutable_shifts(6)->clear_end();
  auto got = DecideRota(v1::VaktRota(), body, std::nullopt, kStaff);
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(Pointers(got.status()),
            (std::vector<std::string>{
                "/shifts/0/primary", "/shifts/1/backup", "/shifts/2/backup",
                "/shifts/3/end", "/shifts/4/end", "/shifts/5/start",
                "/shifts/5/primary", "/shifts/6/end", "/shifts/6/note"}));
  EXPECT_NE(got.status().errors()[1].detail.find("someone else than the "
                                                 "primary"),
            std::string::npos);
  EXPECT_NE(got.status().errors()[3].detail.find("31 days"), std::string::npos);
}

TEST(DecideRota, AShiftOfExactlyTheLongestLengthIsAccepted) {
  v1::VaktRota body;
  AddShift(body, kT0, kT0 + seconds(kMaxShiftSeconds), "kari.haugen");
  auto got = DecideRota(v1::VaktRota(), body, std::nullopt, kStaff);
  EXPECT_TRUE(got.ok()) << got.status().message();
}

TEST(DecideRota, OnceARotaExistsAVersionIsRequiredAndChecked) {
  v1::VaktRota current;
  AddShift(current, kT0, kT0 + hours(24), "kari.haugen");
  current.set_version(2);
  v1::VaktRota body;
  AddShift(body, kT0, kT0 + hours(24), "ola-2");

  auto none = DecideRota(current, body, std::nullopt, kStaff);
  ASSERT_FALSE(none.ok());
  EXPECT_EQ(none.status().code(), Code::kVersionRequired);

  auto stale = DecideRota(current, body, 1, kStaff);
  ASSERT_FALSE(stale.ok());
  EXPECT_EQ(stale.status().code(), Code::kVersionConflict);
  EXPECT_EQ(stale.status().current_version(), 2u);

  auto by_header = DecideRota(current, body, 2, kStaff);
  ASSERT_TRUE(by_header.ok()) << by_header.status().message();
  EXPECT_EQ(by_header->version(), 3u);
  EXPECT_EQ(by_header->shifts(0).primary(), "ola-2");

  body.set_version(2);
  auto by_body = DecideRota(current, body, std::nullopt, kStaff);
  ASSERT_TRUE(by_body.ok()) << by_body.status().message();
  EXPECT_EQ(by_body->version(), 3u);
}

// ---------------------------------------------------------------- lookups

// Two touching 12-hour shifts, a day's gap, then a third.
v1::VaktRota ThreeShifts() {
  v1::VaktRota rota;
  AddShift(rota, kT0, kT0 + hours(12), "kari.haugen");
  AddShift(rota, kT0 + hours(12), kT0 + hours(24), "ola-2");
  AddShift(rota, kT0 + hours(48), kT0 + hours(60), "per.dahl");
  return rota;
}

std::string Primary(const v1::VaktShift* s) {
  return s == nullptr ? "none" : s->primary();
}

TEST(ShiftAt, StartIsInsideEndIsOutside) {
  const v1::VaktRota rota = ThreeShifts();
  EXPECT_EQ(Primary(ShiftAt(rota, kT0 - seconds(1))), "none");
  EXPECT_EQ(Primary(ShiftAt(rota, kT0)), "kari.haugen");
  EXPECT_EQ(Primary(ShiftAt(rota, kT0 + hours(12) - seconds(1))),
            "kari.haugen");
  EXPECT_EQ(Primary(ShiftAt(rota, kT0 + hours(12))), "ola-2");
  EXPECT_EQ(Primary(ShiftAt(rota, kT0 + hours(24) - seconds(1))), "ola-2");
  EXPECT_EQ(Primary(ShiftAt(rota, kT0 + hours(24))), "none");  // the gap
  EXPECT_EQ(Primary(ShiftAt(rota, kT0 + hours(36))), "none");
  EXPECT_EQ(Primary(ShiftAt(rota, kT0 + hours(48))), "per.dahl");
  EXPECT_EQ(Primary(ShiftAt(rota, kT0 + hours(60))), "none");
  EXPECT_EQ(Primary(ShiftAt(v1::VaktRota(), kT0)), "none");
}

TEST(NextShift, IsTheFirstStartingStrictlyAfter) {
  const v1::VaktRota rota = ThreeShifts();
  EXPECT_EQ(Primary(NextShift(rota, kT0 - seconds(1))), "kari.haugen");
  EXPECT_EQ(Primary(NextShift(rota, kT0)), "ola-2");
  EXPECT_EQ(Primary(NextShift(rota, kT0 + hours(30))), "per.dahl");
  EXPECT_EQ(Primary(NextShift(rota, kT0 + hours(48))), "none");
  EXPECT_EQ(Primary(NextShift(v1::VaktRota(), kT0)), "none");
}

TEST(ToSys, RoundTripsThroughATimestamp) {
  EXPECT_EQ(ToSys(ToTimestamp(kT0)), kT0);
  EXPECT_EQ(ToTimestamp(kT0).seconds(), 1767969000);
}

}  // namespace
}  // namespace helpdesk::staff
