// The SLA due-time index: which entries a ticket's clocks give, kept right
// by every ticket write through the WriteContext, read earliest first, and
// built for existing tickets when a version 3 database is upgraded.

#include "daemon/store/sla_index.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>
#include <lmdb.h>

#include <limits>
#include <optional>
#include <string>
#include <vector>

#include "daemon/store/tables.h"
#include "daemon/store/writer.h"
#include "tests/support/scratch_dir.h"

namespace helpdesk::store {
namespace {

using google::protobuf::util::TimeUtil;

constexpr int64_t kT0 = 1767225600;  // 2026-01-01T00:00:00Z

// A clock counting since kT0 that warns at `warn` and falls due at `due`.
v1::SlaClock Counting(v1::SlaClockKind kind, int64_t warn, int64_t due) {
  v1::SlaClock c;
  c.set_kind(kind);
  c.set_target_seconds(due - kT0);
  c.set_calendar("24x7");
  c.set_state(v1::SLA_CLOCK_STATE_RUNNING);
  c.set_counting(true);
  *c.mutable_since() = TimeUtil::SecondsToTimestamp(kT0);
  *c.mutable_warning_at() = TimeUtil::SecondsToTimestamp(warn);
  *c.mutable_due_at() = TimeUtil::SecondsToTimestamp(due);
  return c;
}

// Paused as the clocks do it: not counting, no due times.
void Pause(v1::SlaClock& c, int64_t at) {
  c.set_state(v1::SLA_CLOCK_STATE_PAUSED);
  c.set_counting(false);
  c.set_elapsed_seconds(at - c.since().seconds());
  *c.mutable_since() = TimeUtil::SecondsToTimestamp(at);
  c.clear_warning_at();
  c.clear_due_at();
}

void Resume(v1::SlaClock& c, int64_t at, int64_t warn, int64_t due) {
  c.set_state(v1::SLA_CLOCK_STATE_RUNNING);
  c.set_counting(true);
  *c.mutable_since() = TimeUtil::SecondsToTimestamp(at);
  *c.mutable_warning_at() = TimeUtil::SecondsToTimestamp(warn);
  *c.mutable_due_at() = TimeUtil::SecondsToTimestamp(due);
}

void Stop(v1::SlaClock& c, int64_t at, v1::SlaClockState state) {
  c.set_state(state);
  c.set_counting(false);
  *c.mutable_stopped_at() = TimeUtil::SecondsToTimestamp(at);
  c.clear_warning_at();
  c.clear_due_at();
}

// Ticket `n` with both clocks counting: first response warns at +60 and is
// due at +100, resolution warns at +600 and is due at +1000 (plus `shift`).
v1::Ticket WithClocks(uint64_t n, int64_t shift = 0) {
  v1::Ticket t;
  t.set_id(std::to_string(n));
  t.set_municipality("rollag");
  t.set_status(v1::TICKET_STATUS_NEW);
  t.set_version(1);
  auto* sla = t.mutable_sla();
  sla->set_sla_class("standard");
  sla->set_priority(v1::PRIORITY_NORMAL);
  sla->set_warn_share(0.6);
  *sla->mutable_first_response() = Counting(
      v1::SLA_CLOCK_KIND_FIRST_RESPONSE, kT0 + 60 + shift, kT0 + 100 + shift);
  *sla->mutable_resolution() = Counting(v1::SLA_CLOCK_KIND_RESOLUTION,
                                        kT0 + 600 + shift, kT0 + 1000 + shift);
  return t;
}

v1::Ticket WithoutClocks(uint64_t n) {
  v1::Ticket t = WithClocks(n);
  t.clear_sla();
  return t;
}

std::string Key(int64_t at, uint64_t ticket, int alert) {
  return Be64(static_cast<uint64_t>(at)) + Be64(ticket) +
         static_cast<char>(alert);
}

TEST(SlaDueKeys, CountingClocksHaveAWarningAndABreach) {
  EXPECT_EQ(SlaDueKeys(WithClocks(7)),
            (std::vector<std::string>{Key(kT0 + 60, 7, kFirstResponseWarning),
                                      Key(kT0 + 100, 7, kFirstResponseBreach),
                                      Key(kT0 + 600, 7, kResolutionWarning),
                                      Key(kT0 + 1000, 7, kResolutionBreach)}));
  EXPECT_EQ(Key(0, 1, 2).size(), 17u);
}

TEST(SlaDueKeys, TicketsWithoutClocksHaveNone) {
  EXPECT_TRUE(SlaDueKeys(WithoutClocks(1)).empty());
}

TEST(SlaDueKeys, PausedAndStoppedClocksHaveNone) {
  v1::Ticket t = WithClocks(3);
  Pause(*t.mutable_sla()->mutable_first_response(), kT0 + 10);
  EXPECT_EQ(SlaDueKeys(t),
            (std::vector<std::string>{Key(kT0 + 600, 3, kResolutionWarning),
                                      Key(kT0 + 1000, 3, kResolutionBreach)}));
  Pause(*t.mutable_sla()->mutable_resolution(), kT0 + 10);
  EXPECT_TRUE(SlaDueKeys(t).empty());

  v1::Ticket stopped = WithClocks(3);
  Stop(*stopped.mutable_sla()->mutable_first_response(), kT0 + 20,
       v1::SLA_CLOCK_STATE_MET);
  Stop(*stopped.mutable_sla()->mutable_resolution(), kT0 + 2000,
       v1::SLA_CLOCK_STATE_BREACHED);
  EXPECT_TRUE(SlaDueKeys(stopped).empty());
}

TEST(SlaDueKeys, AWarnedClockKeepsOnlyItsBreachAndABreachedOneNeither) {
  v1::Ticket t = WithClocks(4);
  t.mutable_sla()->mutable_first_response()->set_warned(true);
  EXPECT_EQ(SlaDueKeys(t),
            (std::vector<std::string>{Key(kT0 + 100, 4, kFirstResponseBreach),
                                      Key(kT0 + 600, 4, kResolutionWarning),
                                      Key(kT0 + 1000, 4, kResolutionBreach)}));
  // Breached and still counting: nothing more to raise for it.
  t.mutable_sla()->mutable_first_response()->set_state(
      v1::SLA_CLOCK_STATE_BREACHED);
  EXPECT_EQ(SlaDueKeys(t),
            (std::vector<std::string>{Key(kT0 + 600, 4, kResolutionWarning),
                                      Key(kT0 + 1000, 4, kResolutionBreach)}));
  // A breach recorded with the warning not (both fell due in one sweep gap):
  // the warning is still owed by the index's rule.
  v1::Ticket u = WithClocks(5);
  u.mutable_sla()->mutable_resolution()->set_state(
      v1::SLA_CLOCK_STATE_BREACHED);
  EXPECT_EQ(SlaDueKeys(u),
            (std::vector<std::string>{Key(kT0 + 60, 5, kFirstResponseWarning),
                                      Key(kT0 + 100, 5, kFirstResponseBreach),
                                      Key(kT0 + 600, 5, kResolutionWarning)}));
}

TEST(SlaDueKeys, InstantsRoundUpToWholeSecondsAndMalformedClocksAreSkipped) {
  v1::Ticket t = WithClocks(6);
  auto* fr = t.mutable_sla()->mutable_first_response();
  fr->mutable_warning_at()->set_nanos(1);
  fr->clear_due_at();  // counting without a due time: not indexed
  Pause(*t.mutable_sla()->mutable_resolution(), kT0);
  EXPECT_EQ(
      SlaDueKeys(t),
      (std::vector<std::string>{Key(kT0 + 61, 6, kFirstResponseWarning)}));
}

class SlaIndex : public ::testing::Test {
 protected:
  void Open() {
    tables_.reset();
    env_.reset();
    auto env = Env::Open({.dir = dir_.path() + "/db"});
    ASSERT_TRUE(env.ok());
    env_.emplace(std::move(*env));
    Seed seed;
    seed.region.add_municipalities()->set_id("rollag");
    auto tables = OpenTables(*env_, seed);
    ASSERT_TRUE(tables.ok()) << tables.status().message();
    tables_ = *tables;
  }

  // Runs `fn` as one write, as the writer would, and commits it.
  template <typename Fn>
  void Write(Fn fn) {
    auto txn = Txn::BeginWrite(*env_);
    ASSERT_TRUE(txn.ok());
    auto last_ticket = LastTicketNumber(*txn, *tables_);
    auto last_seq = LastEventSeq(*txn, *tables_);
    ASSERT_TRUE(last_ticket.ok() && last_seq.ok());
    WriteContext ctx(*txn, *tables_, TimeUtil::SecondsToTimestamp(kT0),
                     *last_ticket, *last_seq);
    fn(ctx);
    ASSERT_FALSE(ctx.failed()) << ctx.failure().message();
    ASSERT_TRUE(txn->Commit().ok());
  }

  // Saves one ticket change in its own write; returns what was stored.
  v1::Ticket Save(const std::optional<v1::Ticket>& before, v1::Ticket now) {
    if (before) now.set_version(before->version() + 1);
    Write([&](WriteContext& w) {
      v1::Event e;
      e.set_ticket_id(now.id());
      ASSERT_TRUE(w.Save(before ? &*before : nullptr, now, std::move(e)).ok());
    });
    return now;
  }

  std::vector<SlaDue> All() {
    return Due(std::numeric_limits<int64_t>::max(),
               std::numeric_limits<size_t>::max());
  }
  std::vector<SlaDue> Due(int64_t until, size_t limit) {
    auto txn = Txn::BeginRead(*env_);
    auto due = DueBy(*txn, *tables_, until, limit);
    EXPECT_TRUE(due.ok()) << due.status().message();
    return due.ok() ? *due : std::vector<SlaDue>();
  }
  std::optional<int64_t> Next() {
    auto txn = Txn::BeginRead(*env_);
    auto next = NextDue(*txn, *tables_);
    EXPECT_TRUE(next.ok()) << next.status().message();
    return next.ok() ? *next : std::nullopt;
  }
  std::string SchemaVersion() {
    auto txn = Txn::BeginRead(*env_);
    auto v = txn->Get(tables_->meta, "schema_version");
    return v.ok() && *v ? std::string(**v) : "";
  }

  // Stores tickets bypassing the index, empties it and marks the database
  // as schema `version`: what an older database with these tickets is.
  void MakeOlder(std::vector<v1::Ticket> tickets, const std::string& version) {
    auto txn = Txn::BeginWrite(*env_);
    for (auto& t : tickets)
      ASSERT_TRUE(PutTicket(*txn, *tables_, nullptr, t).ok());
    ASSERT_EQ(mdb_drop(txn->get(), tables_->sla_due.dbi, /*del=*/1), 0);
    if (version == "2") {
      ASSERT_EQ(mdb_drop(txn->get(), tables_->staff.dbi, /*del=*/1), 0);
      ASSERT_TRUE(txn->Del(tables_->meta, "staff_generation").ok());
    }
    ASSERT_TRUE(txn->Put(tables_->meta, "schema_version", version).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }

  testing::ScratchDir dir_;
  std::optional<Env> env_;
  std::optional<Tables> tables_;
};

TEST_F(SlaIndex, ANewDatabaseHasTheCurrentSchemaAndAnEmptyIndex) {
  Open();
  EXPECT_EQ(SchemaVersion(), std::to_string(kSchemaVersion));
  EXPECT_GE(kSchemaVersion, 4);
  EXPECT_TRUE(All().empty());
  EXPECT_EQ(Next(), std::nullopt);
}

TEST_F(SlaIndex, SaveKeepsTheIndexRightThroughTheClocksLife) {
  Open();
  v1::Ticket t = Save(std::nullopt, WithClocks(1));
  EXPECT_EQ(All(), (std::vector<SlaDue>{{kT0 + 60, 1, kFirstResponseWarning},
                                        {kT0 + 100, 1, kFirstResponseBreach},
                                        {kT0 + 600, 1, kResolutionWarning},
                                        {kT0 + 1000, 1, kResolutionBreach}}));

  // Waiting on the user: both clocks pause, their entries go.
  v1::Ticket paused = t;
  Pause(*paused.mutable_sla()->mutable_first_response(), kT0 + 30);
  Pause(*paused.mutable_sla()->mutable_resolution(), kT0 + 30);
  t = Save(t, paused);
  EXPECT_TRUE(All().empty());
  EXPECT_EQ(Next(), std::nullopt);

  // Back: they count again with later due times.
  v1::Ticket resumed = t;
  Resume(*resumed.mutable_sla()->mutable_first_response(), kT0 + 500, kT0 + 530,
         kT0 + 570);
  Resume(*resumed.mutable_sla()->mutable_resolution(), kT0 + 500, kT0 + 1070,
         kT0 + 1470);
  t = Save(t, resumed);
  EXPECT_EQ(All(), (std::vector<SlaDue>{{kT0 + 530, 1, kFirstResponseWarning},
                                        {kT0 + 570, 1, kFirstResponseBreach},
                                        {kT0 + 1070, 1, kResolutionWarning},
                                        {kT0 + 1470, 1, kResolutionBreach}}));

  // The sweep records the first-response warning: its breach stays.
  v1::Ticket warned = t;
  warned.mutable_sla()->mutable_first_response()->set_warned(true);
  t = Save(t, warned);
  EXPECT_EQ(All(), (std::vector<SlaDue>{{kT0 + 570, 1, kFirstResponseBreach},
                                        {kT0 + 1070, 1, kResolutionWarning},
                                        {kT0 + 1470, 1, kResolutionBreach}}));

  // And the breach: nothing more for that clock while it keeps counting.
  v1::Ticket breached = t;
  breached.mutable_sla()->mutable_first_response()->set_state(
      v1::SLA_CLOCK_STATE_BREACHED);
  t = Save(t, breached);
  EXPECT_EQ(All(), (std::vector<SlaDue>{{kT0 + 1070, 1, kResolutionWarning},
                                        {kT0 + 1470, 1, kResolutionBreach}}));
  EXPECT_EQ(Next(), kT0 + 1070);

  // A change that leaves the clocks alone leaves the index alone.
  v1::Ticket titled = t;
  titled.set_title("printer on fire");
  t = Save(t, titled);
  EXPECT_EQ(All().size(), 2u);

  // Resolved: both stop, every entry goes.
  v1::Ticket resolved = t;
  resolved.set_status(v1::TICKET_STATUS_RESOLVED);
  Stop(*resolved.mutable_sla()->mutable_first_response(), kT0 + 900,
       v1::SLA_CLOCK_STATE_BREACHED);
  Stop(*resolved.mutable_sla()->mutable_resolution(), kT0 + 900,
       v1::SLA_CLOCK_STATE_MET);
  Save(t, resolved);
  EXPECT_TRUE(All().empty());
  EXPECT_EQ(Next(), std::nullopt);
}

TEST_F(SlaIndex, TwoSavesOfOneTicketInOneWriteLeaveOnlyTheLastEntries) {
  Open();
  v1::Ticket first = WithClocks(1);
  v1::Ticket second = first;
  second.set_version(2);
  Pause(*second.mutable_sla()->mutable_first_response(), kT0 + 5);
  v1::Ticket third = second;
  third.set_version(3);
  third.mutable_sla()->mutable_resolution()->set_warned(true);
  Write([&](WriteContext& w) {
    v1::Event e1, e2, e3;
    ASSERT_TRUE(w.Save(nullptr, first, std::move(e1)).ok());
    ASSERT_TRUE(w.Save(&first, second, std::move(e2)).ok());
    ASSERT_TRUE(w.Save(&second, third, std::move(e3)).ok());
  });
  EXPECT_EQ(All(), (std::vector<SlaDue>{{kT0 + 1000, 1, kResolutionBreach}}));

  // The same in a later write, starting from what is stored.
  v1::Ticket fourth = third;
  fourth.set_version(4);
  Resume(*fourth.mutable_sla()->mutable_first_response(), kT0 + 50, kT0 + 80,
         kT0 + 120);
  v1::Ticket fifth = fourth;
  fifth.set_version(5);
  fifth.mutable_sla()->mutable_first_response()->set_warned(true);
  Write([&](WriteContext& w) {
    v1::Event e4, e5;
    ASSERT_TRUE(w.Save(&third, fourth, std::move(e4)).ok());
    ASSERT_TRUE(w.Save(&fourth, fifth, std::move(e5)).ok());
  });
  EXPECT_EQ(All(), (std::vector<SlaDue>{{kT0 + 120, 1, kFirstResponseBreach},
                                        {kT0 + 1000, 1, kResolutionBreach}}));
}

TEST_F(SlaIndex, DueByIsEarliestFirstUpToTheInstantAndTheLimit) {
  Open();
  Save(std::nullopt, WithClocks(2, /*shift=*/0));
  Save(std::nullopt, WithClocks(1, /*shift=*/0));  // same instants as 2
  Save(std::nullopt, WithClocks(3, /*shift=*/-50));
  Save(std::nullopt, WithoutClocks(4));
  EXPECT_EQ(Next(), kT0 + 10);
  EXPECT_TRUE(Due(kT0 + 9, 100).empty());
  EXPECT_EQ(Due(kT0 + 100, 100),
            (std::vector<SlaDue>{{kT0 + 10, 3, kFirstResponseWarning},
                                 {kT0 + 50, 3, kFirstResponseBreach},
                                 {kT0 + 60, 1, kFirstResponseWarning},
                                 {kT0 + 60, 2, kFirstResponseWarning},
                                 {kT0 + 100, 1, kFirstResponseBreach},
                                 {kT0 + 100, 2, kFirstResponseBreach}}));
  EXPECT_EQ(Due(kT0 + 100, 3),
            (std::vector<SlaDue>{{kT0 + 10, 3, kFirstResponseWarning},
                                 {kT0 + 50, 3, kFirstResponseBreach},
                                 {kT0 + 60, 1, kFirstResponseWarning}}));
  EXPECT_TRUE(Due(kT0 + 100, 0).empty());
  EXPECT_TRUE(Due(-1, 100).empty());
  EXPECT_EQ(All().size(), 12u);
  EXPECT_EQ(All().back(), (SlaDue{kT0 + 1000, 2, kResolutionBreach}));
}

TEST_F(SlaIndex, AVersionThreeDatabaseGetsEntriesForItsTicketsWithClocks) {
  Open();
  v1::Ticket warned = WithClocks(2, /*shift=*/100);
  warned.mutable_sla()->mutable_first_response()->set_warned(true);
  v1::Ticket paused = WithClocks(3);
  Pause(*paused.mutable_sla()->mutable_first_response(), kT0 + 1);
  Pause(*paused.mutable_sla()->mutable_resolution(), kT0 + 1);
  MakeOlder({WithoutClocks(1), warned, paused, WithClocks(4)}, "3");
  Open();
  EXPECT_EQ(SchemaVersion(), std::to_string(kSchemaVersion));
  EXPECT_EQ(All(), (std::vector<SlaDue>{{kT0 + 60, 4, kFirstResponseWarning},
                                        {kT0 + 100, 4, kFirstResponseBreach},
                                        {kT0 + 200, 2, kFirstResponseBreach},
                                        {kT0 + 600, 4, kResolutionWarning},
                                        {kT0 + 700, 2, kResolutionWarning},
                                        {kT0 + 1000, 4, kResolutionBreach},
                                        {kT0 + 1100, 2, kResolutionBreach}}));
  // From here on Save keeps them.
  v1::Ticket stopped = WithClocks(4);
  Stop(*stopped.mutable_sla()->mutable_first_response(), kT0 + 5,
       v1::SLA_CLOCK_STATE_MET);
  Save(WithClocks(4), stopped);
  EXPECT_EQ(All().size(), 5u);
  EXPECT_EQ(Next(), kT0 + 200);
}

TEST_F(SlaIndex, AVersionTwoDatabaseGoesThroughEveryStep) {
  Open();
  MakeOlder({WithClocks(1)}, "2");
  Open();
  EXPECT_EQ(SchemaVersion(), std::to_string(kSchemaVersion));
  EXPECT_EQ(All().size(), 4u);
}

TEST_F(SlaIndex, ReopeningKeepsTheIndex) {
  Open();
  v1::Ticket t = Save(std::nullopt, WithClocks(1));
  v1::Ticket warned = t;
  warned.mutable_sla()->mutable_first_response()->set_warned(true);
  Save(t, warned);
  Save(std::nullopt, WithClocks(2, /*shift=*/-30));
  std::vector<SlaDue> before = All();
  ASSERT_EQ(before.size(), 7u);
  Open();
  EXPECT_EQ(SchemaVersion(), std::to_string(kSchemaVersion));
  EXPECT_EQ(All(), before);
  EXPECT_EQ(Next(), kT0 + 30);
}

}  // namespace
}  // namespace helpdesk::store
