// The SLA clocks of a ticket on the default policy: started with the
// class's targets, paused while waiting on the user with the paused time
// excluded exactly (over a weekend and a holiday), stopped by in_progress,
// a public reply and resolved, reopened, and recomputed on a new priority.

#include "daemon/tickets/sla_clocks.h"

#include <gtest/gtest.h>

#include <limits>

#include "sla/oslo_time.h"

namespace helpdesk::tickets {
namespace {

using std::chrono::hours;
using std::chrono::seconds;

sys_seconds Oslo(int y, unsigned m, unsigned d, int hh, int mm) {
  return sla::FromOslo(
      date::local_days(date::year(y) / date::month(m) / date::day(d)),
      hh * 60 + mm);
}

sys_seconds Sys(const google::protobuf::Timestamp& t) {
  return sys_seconds(seconds(t.seconds()));
}

class SlaClocks : public ::testing::Test {
 protected:
  sla::PolicyBook book_{sla::DefaultPolicy()};

  v1::TicketSla Start(const char* cls, v1::Priority p, sys_seconds at) {
    auto s = StartClocks(book_, cls, p, at);
    EXPECT_TRUE(s.has_value());
    return s.value_or(v1::TicketSla());
  }
};

// Wednesday 15 April 2026, 10:00 in Oslo.
const sys_seconds kWed10 = Oslo(2026, 4, 15, 10, 0);

TEST_F(SlaClocks, StartWithTheTargetsOfTheClassAndPriority) {
  v1::TicketSla s = Start("standard", v1::PRIORITY_HIGH, kWed10);
  EXPECT_EQ(s.sla_class(), "standard");
  EXPECT_EQ(s.priority(), v1::PRIORITY_HIGH);
  EXPECT_DOUBLE_EQ(s.warn_share(), 0.75);
  const auto& r = s.first_response();
  EXPECT_EQ(r.kind(), v1::SLA_CLOCK_KIND_FIRST_RESPONSE);
  EXPECT_EQ(r.state(), v1::SLA_CLOCK_STATE_RUNNING);
  EXPECT_TRUE(r.counting());
  EXPECT_EQ(r.target_seconds(), 3600);
  EXPECT_EQ(r.calendar(), "desk");
  EXPECT_EQ(Sys(r.due_at()), Oslo(2026, 4, 15, 11, 0));
  EXPECT_EQ(Sys(r.warning_at()), Oslo(2026, 4, 15, 10, 45));
  EXPECT_EQ(s.resolution().target_seconds(), 4 * 3600);
  EXPECT_EQ(Sys(s.resolution().due_at()), Oslo(2026, 4, 15, 14, 0));
  EXPECT_FALSE(StartClocks(book_, "no-such-class", v1::PRIORITY_HIGH, kWed10));
}

TEST_F(SlaClocks, InProgressMeetsTheFirstResponseAndResolvedTheResolution) {
  v1::TicketSla s = Start("standard", v1::PRIORITY_HIGH, kWed10);
  OnStatus(s, book_, v1::TICKET_STATUS_ASSIGNED, v1::TICKET_STATUS_IN_PROGRESS,
           Oslo(2026, 4, 15, 10, 40));
  EXPECT_EQ(s.first_response().state(), v1::SLA_CLOCK_STATE_MET);
  EXPECT_FALSE(s.first_response().counting());
  EXPECT_EQ(s.first_response().elapsed_seconds(), 40 * 60);
  EXPECT_EQ(Sys(s.first_response().stopped_at()), Oslo(2026, 4, 15, 10, 40));
  EXPECT_EQ(s.resolution().state(), v1::SLA_CLOCK_STATE_RUNNING);
  // Resolved the next morning: 5.5 h of desk time used, over the 4 h.
  OnStatus(s, book_, v1::TICKET_STATUS_IN_PROGRESS, v1::TICKET_STATUS_RESOLVED,
           Oslo(2026, 4, 16, 10, 0));
  EXPECT_EQ(s.resolution().state(), v1::SLA_CLOCK_STATE_BREACHED);
  EXPECT_EQ(s.resolution().elapsed_seconds(), 7 * 3600 + 1800);
  EXPECT_FALSE(s.resolution().has_due_at());
}

TEST_F(SlaClocks, APublicReplyMeetsTheFirstResponseOnce) {
  v1::TicketSla s = Start("standard", v1::PRIORITY_NORMAL, kWed10);
  OnPublicReply(s, book_, Oslo(2026, 4, 15, 13, 0));
  EXPECT_EQ(s.first_response().state(), v1::SLA_CLOCK_STATE_MET);
  OnPublicReply(s, book_, Oslo(2026, 4, 16, 13, 0));
  EXPECT_EQ(Sys(s.first_response().stopped_at()), Oslo(2026, 4, 15, 13, 0));
  EXPECT_EQ(s.first_response().elapsed_seconds(), 3 * 3600);
}

TEST_F(SlaClocks, WaitingOnTheUserOverAWeekendAndAHolidayIsExcludedExactly) {
  // Resolution of a standard/normal ticket: 2 desk days (15 h). Filed
  // Wednesday 13 May 2026 at 14:00; waits on the user from 14:30 to Monday
  // 18 May 09:00: Thursday 14 May is Ascension Day, then a weekend; Friday
  // 15 May 08:00-15:30 (7.5 h) and Monday 08:00-09:00 (1 h) are paused
  // business time and must not count.
  v1::TicketSla s =
      Start("standard", v1::PRIORITY_NORMAL, Oslo(2026, 5, 13, 14, 0));
  OnStatus(s, book_, v1::TICKET_STATUS_IN_PROGRESS,
           v1::TICKET_STATUS_WAITING_ON_USER, Oslo(2026, 5, 13, 14, 30));
  EXPECT_EQ(s.resolution().state(), v1::SLA_CLOCK_STATE_PAUSED);
  EXPECT_FALSE(s.resolution().has_due_at());
  EXPECT_EQ(s.resolution().elapsed_seconds(), 1800);
  EXPECT_EQ(Elapsed(s.resolution(), book_, Oslo(2026, 5, 18, 8, 59)),
            seconds(1800));
  OnStatus(s, book_, v1::TICKET_STATUS_WAITING_ON_USER,
           v1::TICKET_STATUS_IN_PROGRESS, Oslo(2026, 5, 18, 9, 0));
  EXPECT_EQ(s.resolution().state(), v1::SLA_CLOCK_STATE_RUNNING);
  // 14.5 h left from Monday 09:00: Monday to 15:30 (6.5 h), Tuesday 7.5 h
  // (14 h), Wednesday 08:00-08:30.
  EXPECT_EQ(Sys(s.resolution().due_at()), Oslo(2026, 5, 20, 8, 30));
  EXPECT_EQ(Elapsed(s.resolution(), book_, Oslo(2026, 5, 18, 10, 0)),
            seconds(1800 + 3600));
}

// Found by fuzzing stored records: a running clock whose elapsed time is
// near the type's limit (a damaged record) is read as the most there can
// be, and breached, rather than overflowing.
TEST_F(SlaClocks, AStoredClockNearTheLimitSaturatesWhenRead) {
  v1::TicketSla s = Start("standard", v1::PRIORITY_NORMAL, kWed10);
  v1::SlaClock clock = s.resolution();
  ASSERT_TRUE(clock.counting());
  clock.set_elapsed_seconds(std::numeric_limits<int64_t>::max() - 10);
  const auto later = Oslo(2026, 4, 16, 12, 0);
  EXPECT_EQ(Elapsed(clock, book_, later).count(),
            std::numeric_limits<int64_t>::max());
  EXPECT_EQ(ReadAt(clock, book_, later).state(), v1::SLA_CLOCK_STATE_BREACHED);
}

TEST_F(SlaClocks, WaitingOnASupplierDoesNotPauseByDefault) {
  v1::TicketSla s = Start("standard", v1::PRIORITY_NORMAL, kWed10);
  OnStatus(s, book_, v1::TICKET_STATUS_IN_PROGRESS,
           v1::TICKET_STATUS_WAITING_ON_SUPPLIER, Oslo(2026, 4, 15, 11, 0));
  EXPECT_TRUE(s.resolution().counting());
  s.set_pause_on_supplier(true);  // a policy that pauses on suppliers
  v1::TicketSla t = s;
  OnStatus(t, book_, v1::TICKET_STATUS_IN_PROGRESS,
           v1::TICKET_STATUS_WAITING_ON_SUPPLIER, Oslo(2026, 4, 15, 11, 0));
  EXPECT_FALSE(t.resolution().counting());
}

TEST_F(SlaClocks, AReopenedTicketCountsOnFromTheTimeItHadUsed) {
  v1::TicketSla s = Start("standard", v1::PRIORITY_HIGH, kWed10);
  OnStatus(s, book_, v1::TICKET_STATUS_IN_PROGRESS, v1::TICKET_STATUS_RESOLVED,
           Oslo(2026, 4, 15, 11, 0));
  EXPECT_EQ(s.resolution().state(), v1::SLA_CLOCK_STATE_MET);
  OnStatus(s, book_, v1::TICKET_STATUS_RESOLVED, v1::TICKET_STATUS_IN_PROGRESS,
           Oslo(2026, 4, 15, 13, 0));
  EXPECT_EQ(s.resolution().state(), v1::SLA_CLOCK_STATE_RUNNING);
  EXPECT_FALSE(s.resolution().has_stopped_at());
  // 1 h used of 4: 3 h from 13:00 is 2.5 h to closing and half an hour
  // on Thursday morning.
  EXPECT_EQ(Sys(s.resolution().due_at()), Oslo(2026, 4, 16, 8, 30));
  EXPECT_EQ(s.first_response().state(), v1::SLA_CLOCK_STATE_MET);
}

TEST_F(SlaClocks, APriorityChangeKeepsTheTimeUsed) {
  v1::TicketSla s = Start("standard", v1::PRIORITY_NORMAL, kWed10);
  // Two hours in, it becomes critical: 2 h resolution target, 2 h used.
  OnPriority(s, book_, v1::PRIORITY_CRITICAL, Oslo(2026, 4, 15, 12, 0));
  EXPECT_EQ(s.priority(), v1::PRIORITY_CRITICAL);
  EXPECT_EQ(s.resolution().target_seconds(), 2 * 3600);
  EXPECT_EQ(s.resolution().elapsed_seconds(), 2 * 3600);
  EXPECT_EQ(Sys(s.resolution().due_at()), Oslo(2026, 4, 15, 12, 0));
  // Back to low: 10 desk days, 2 h used.
  OnPriority(s, book_, v1::PRIORITY_LOW, Oslo(2026, 4, 15, 12, 0));
  EXPECT_EQ(s.resolution().target_seconds(), 10 * 450 * 60);
  EXPECT_EQ(s.resolution().elapsed_seconds(), 2 * 3600);
  // A stopped clock keeps its target.
  OnPublicReply(s, book_, Oslo(2026, 4, 15, 12, 30));
  const auto before = s.first_response().target_seconds();
  OnPriority(s, book_, v1::PRIORITY_CRITICAL, Oslo(2026, 4, 15, 13, 0));
  EXPECT_EQ(s.first_response().target_seconds(), before);
}

TEST_F(SlaClocks, AnAnswerShowsTheClockAsItReadsNow) {
  v1::TicketSla s = Start("standard", v1::PRIORITY_HIGH, kWed10);
  v1::SlaClock at_noon =
      ReadAt(s.first_response(), book_, Oslo(2026, 4, 15, 12, 0));
  EXPECT_EQ(at_noon.elapsed_seconds(), 2 * 3600);
  EXPECT_EQ(at_noon.state(), v1::SLA_CLOCK_STATE_BREACHED);
  v1::SlaClock early =
      ReadAt(s.first_response(), book_, Oslo(2026, 4, 15, 10, 30));
  EXPECT_EQ(early.state(), v1::SLA_CLOCK_STATE_RUNNING);
  EXPECT_EQ(early.elapsed_seconds(), 1800);
}

TEST_F(SlaClocks, BusinessCriticalCriticalWorkCountsAroundTheClock) {
  // Saturday 02:00: 15 minutes on the 24x7 calendar.
  v1::TicketSla s = Start("business-critical", v1::PRIORITY_CRITICAL,
                          Oslo(2026, 3, 21, 2, 0));
  EXPECT_EQ(s.first_response().calendar(), "24x7");
  EXPECT_EQ(Sys(s.first_response().due_at()), Oslo(2026, 3, 21, 2, 15));
}

}  // namespace
}  // namespace helpdesk::tickets
