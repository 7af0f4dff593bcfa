// The report cells (daemon/reports/cells.h): one ticket's part, how cells
// add and subtract, and the bytes the store keeps.

#include "daemon/reports/cells.h"

#include <gtest/gtest.h>

namespace helpdesk::reports {
namespace {

using std::chrono::seconds;
using std::chrono::sys_seconds;

// 2026-04-15T08:00:00Z, 10:00 in Oslo.
const sys_seconds kT0{seconds{1776240000}};

v1::SlaClock Clock(v1::SlaClockState state, int64_t elapsed, bool counting) {
  v1::SlaClock c;
  c.set_target_seconds(3600);
  c.set_calendar("24x7");
  c.set_state(state);
  c.set_counting(counting);
  c.set_elapsed_seconds(elapsed);
  c.mutable_since()->set_seconds(kT0.time_since_epoch().count());
  return c;
}

v1::Ticket Ticket(v1::SlaClock response, v1::SlaClock resolution) {
  v1::Ticket t;
  t.set_id("7");
  t.set_municipality("tinn");
  t.set_service_id("skrivere-og-utskrift");
  t.set_priority(v1::PRIORITY_HIGH);
  t.set_assignee("kari");
  t.mutable_created_at()->set_seconds(kT0.time_since_epoch().count());
  *t.mutable_sla()->mutable_first_response() = response;
  *t.mutable_sla()->mutable_resolution() = resolution;
  return t;
}

TEST(Cells, ATicketsPartIsKeyedByItsOsloDayAndCountsItsClocks) {
  // Created 23:30 UTC on 14 April: already 15 April in Oslo.
  v1::Ticket t = Ticket(Clock(v1::SLA_CLOCK_STATE_MET, 600, false),
                        Clock(v1::SLA_CLOCK_STATE_BREACHED, 7200, false));
  t.mutable_created_at()->set_seconds(kT0.time_since_epoch().count() -
                                      8 * 3600 - 1800);
  const Cell c = CellOf(t);
  EXPECT_EQ(c.key.day, OsloDay(kT0));
  EXPECT_EQ(c.key.municipality, "tinn");
  EXPECT_EQ(c.key.priority, v1::PRIORITY_HIGH);
  EXPECT_EQ(c.key.assignee, "kari");
  EXPECT_EQ(c.tickets, 1u);
  EXPECT_EQ(c.response, (ClockTally{1, 0, 0, {600}}));
  EXPECT_EQ(c.resolution, (ClockTally{0, 1, 0, {7200}}));
}

TEST(Cells, ACountingClockIsOpenAsStoredAndBreachedWhenReadPastItsTarget) {
  const v1::Ticket t =
      Ticket(Clock(v1::SLA_CLOCK_STATE_RUNNING, 0, true),
             Clock(v1::SLA_CLOCK_STATE_BREACHED, 4000, /*counting=*/true));
  const Cell stored = CellOf(t);
  EXPECT_EQ(stored.response, (ClockTally{0, 0, 1, {}}));
  // Breached and still counting: breached, no stopped time.
  EXPECT_EQ(stored.resolution, (ClockTally{0, 1, 0, {}}));
  const sla::PolicyBook book{sla::DefaultPolicy()};
  EXPECT_EQ(CellOf(t, ReadAt{book, kT0 + seconds(3600)}).response,
            (ClockTally{0, 0, 1, {}}))
      << "at its target, not past it";
  EXPECT_EQ(CellOf(t, ReadAt{book, kT0 + seconds(3601)}).response,
            (ClockTally{0, 1, 0, {}}));
  // A paused clock past its target is breached either way.
  const v1::Ticket paused =
      Ticket(Clock(v1::SLA_CLOCK_STATE_RUNNING, 3700, false),
             Clock(v1::SLA_CLOCK_STATE_RUNNING, 10, false));
  EXPECT_EQ(CellOf(paused).response, (ClockTally{0, 1, 0, {}}));
  EXPECT_EQ(CellOf(paused).resolution, (ClockTally{0, 0, 1, {}}));
  // No clocks (filed before them): a ticket, nothing else.
  v1::Ticket bare = t;
  bare.clear_sla();
  EXPECT_EQ(CellOf(bare).tickets, 1u);
  EXPECT_EQ(CellOf(bare).response, ClockTally{});
}

TEST(Cells, AddAndTakeAreExactAndTakingWhatIsNotThereChangesNothing) {
  Cell a = CellOf(Ticket(Clock(v1::SLA_CLOCK_STATE_MET, 900, false),
                         Clock(v1::SLA_CLOCK_STATE_MET, 1800, false)));
  const Cell b = CellOf(Ticket(Clock(v1::SLA_CLOCK_STATE_MET, 300, false),
                               Clock(v1::SLA_CLOCK_STATE_RUNNING, 0, true)));
  AddTo(a, b);
  AddTo(a, b);
  EXPECT_EQ(a.tickets, 3u);
  EXPECT_EQ(a.response.stopped, (Times{300, 300, 900}));
  EXPECT_EQ(a.resolution, (ClockTally{1, 0, 2, {1800}}));
  ASSERT_TRUE(TakeFrom(a, b));
  EXPECT_EQ(a.response.stopped, (Times{300, 900}));
  const Cell before = a;
  Cell other = b;
  other.response.stopped = {301};
  EXPECT_FALSE(TakeFrom(a, other)) << "301 s is not in it";
  EXPECT_EQ(a, before);
  ASSERT_TRUE(TakeFrom(a, b));
  EXPECT_FALSE(TakeFrom(a, b)) << "one open resolution left to take: none";
  EXPECT_EQ(a.tickets, 1u);
}

TEST(Cells, TheStoredBytesRoundTripAndJunkIsRefused) {
  Cell a = CellOf(Ticket(Clock(v1::SLA_CLOCK_STATE_MET, 86400 * 40, false),
                         Clock(v1::SLA_CLOCK_STATE_BREACHED, 5, false)));
  for (int i = 0; i < 200; ++i)
    AddTo(a, CellOf(Ticket(Clock(v1::SLA_CLOCK_STATE_MET, i * 37, false),
                           Clock(v1::SLA_CLOCK_STATE_RUNNING, 0, true))));
  const std::string bytes = EncodeCell(a);
  Cell back;
  back.key = a.key;
  ASSERT_TRUE(DecodeCell(bytes, back));
  EXPECT_EQ(back, a);
  EXPECT_LT(bytes.size(), 600u) << "about 2 bytes a stopped time";
  for (size_t cut = 0; cut < bytes.size(); ++cut)
    EXPECT_FALSE(DecodeCell(bytes.substr(0, cut), back)) << cut;
  EXPECT_FALSE(DecodeCell(bytes + "x", back));
  EXPECT_FALSE(DecodeCell(std::string(12, '\xff'), back));
}

TEST(Cells, CountsChangeInPlaceForAPartWithoutStoppedTimes) {
  Cell stored = CellOf(Ticket(Clock(v1::SLA_CLOCK_STATE_MET, 900, false),
                              Clock(v1::SLA_CLOCK_STATE_RUNNING, 0, true)));
  const Cell fresh =
      CellOf(Ticket(Clock(v1::SLA_CLOCK_STATE_RUNNING, 0, true),
                    Clock(v1::SLA_CLOCK_STATE_RUNNING, 0, true)));
  std::string bytes = EncodeCell(stored);
  ASSERT_TRUE(AdjustCounts(bytes, fresh, true));
  AddTo(stored, fresh);
  Cell back;
  ASSERT_TRUE(DecodeCell(bytes, back));
  EXPECT_EQ(back.tickets, stored.tickets);
  EXPECT_EQ(back.response, stored.response);
  EXPECT_EQ(back.resolution, stored.resolution);
  ASSERT_TRUE(AdjustCounts(bytes, fresh, false));
  ASSERT_TRUE(DecodeCell(bytes, back));
  EXPECT_EQ(back.tickets, 1u);
  EXPECT_EQ(back.response, (ClockTally{1, 0, 0, {900}}));
  // Not in place: a part with stopped times, a count below zero, junk.
  const std::string before = bytes;
  EXPECT_FALSE(AdjustCounts(bytes, stored, true));
  EXPECT_FALSE(AdjustCounts(bytes, fresh, false)) << "no open response left";
  std::string junk = "short";
  EXPECT_FALSE(AdjustCounts(junk, fresh, true));
  EXPECT_EQ(bytes, before);
}

}  // namespace
}  // namespace helpdesk::reports
