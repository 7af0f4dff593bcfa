// The consistency checker finds each kind of disagreement planted between
// the tickets and what is derived from them, and the repair quarantines
// unreadable records and rebuilds what disagrees.

#include "daemon/store/consistency.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "daemon/store/quarantine.h"
#include "daemon/store/sla_index.h"
#include "daemon/store/staff_tables.h"
#include "daemon/store/tables.h"
#include "daemon/store/writer.h"
#include "tests/store/store_fixture.h"

namespace helpdesk::store {
namespace {

using google::protobuf::util::TimeUtil;

class Consistency : public StoreFixture {
 protected:
  void SetUp() override {
    OpenStore();
    StartWriter();
    for (int i = 0; i < 3; ++i) {
      ASSERT_TRUE(Run([](WriteContext& w) {
                    v1::Ticket t = Stored(w.NextTicketNumber());
                    return w.Save(nullptr, t, v1::Event());
                  }).status.ok());
    }
    writer_->Stop();
  }

  ConsistencyReport Check() {
    auto txn = Txn::BeginRead(*env_);
    auto r = CheckConsistency(*txn, t_);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : ConsistencyReport{};
  }

  // The one finding there is; "" if none, every one if more.
  std::string OnlyFinding() {
    ConsistencyReport r = Check();
    EXPECT_TRUE(r.unreadable.empty());
    std::string all;
    for (const auto& f : r.findings) all += (all.empty() ? "" : " | ") + f;
    EXPECT_LE(r.findings.size(), 1u) << all;
    return all;
  }

  // Ticket `n` as SetUp stores it: assigned, high, its resolution clock
  // counting.
  static v1::Ticket Stored(uint64_t n) {
    v1::Ticket t;
    t.set_id(std::to_string(n));
    t.set_title("sak " + std::to_string(n));
    t.set_status(v1::TICKET_STATUS_ASSIGNED);
    t.set_municipality("rollag");
    t.set_assignee(n == 3 ? "ola" : "kari");
    if (n == 3) t.add_followers("ansatt2.rollag");
    t.set_priority(v1::PRIORITY_HIGH);
    auto* c = t.mutable_sla()->mutable_resolution();
    c->set_counting(true);
    *c->mutable_warning_at() = TimeUtil::SecondsToTimestamp(1767229200);
    *c->mutable_due_at() = TimeUtil::SecondsToTimestamp(1767232800);
    return t;
  }
};

TEST_F(Consistency, AStoreKeptByTheWriterIsClean) {
  ConsistencyReport r = Check();
  EXPECT_TRUE(r.clean());
  EXPECT_EQ(r.tickets, 3u);
  EXPECT_EQ(r.events, 3u);
}

TEST_F(Consistency, FindsAMissingAndAStaleListIndexEntry) {
  const auto keys = TicketIndexKeys(Stored(2), 2);
  Change([&](Txn& txn) {
    ASSERT_TRUE(DelEntry(txn, t_.ticket_index, keys[3]).ok());
  });
  EXPECT_EQ(OnlyFinding(),
            "ticket_index: ticket 2 has 4 of its 5 entries; lists by some "
            "filters miss it");
  v1::Ticket old = Stored(2);
  old.set_status(v1::TICKET_STATUS_NEW);
  Change([&](Txn& txn) {
    ASSERT_TRUE(PutEntry(txn, t_.ticket_index, keys[3]).ok());
    ASSERT_TRUE(
        PutEntry(txn, t_.ticket_index, TicketIndexKeys(old, 2)[1]).ok());
  });
  EXPECT_NE(OnlyFinding().find("a stale entry for ticket 2"),
            std::string::npos);
  Change([&](Txn& txn) {
    ASSERT_TRUE(
        DelEntry(txn, t_.ticket_index, TicketIndexKeys(old, 2)[1]).ok());
    ASSERT_TRUE(
        PutEntry(txn, t_.ticket_index, TicketIndexKeys(Stored(9), 9)[0]).ok());
  });
  EXPECT_EQ(OnlyFinding(),
            "ticket_index: an entry for ticket 9, which is not stored");
}

// The repair's rebuild of the list index, a ticket to a batch: every
// entry comes back, a stale one goes, and the counts are right.
TEST_F(Consistency, TheListIndexIsRebuiltInBatches) {
  v1::Ticket old = Stored(2);
  old.set_status(v1::TICKET_STATUS_NEW);
  Change([&](Txn& txn) {
    ASSERT_TRUE(
        DelEntry(txn, t_.ticket_index, TicketIndexKeys(Stored(1), 1)[3]).ok());
    ASSERT_TRUE(
        PutEntry(txn, t_.ticket_index, TicketIndexKeys(old, 2)[1]).ok());
    ASSERT_TRUE(
        txn.Put(t_.meta, CountKey(v1::TICKET_STATUS_ASSIGNED), Be64(7)).ok());
  });
  ASSERT_FALSE(Check().clean());
  Change([&](Txn& txn) {
    ASSERT_TRUE(RebuildTicketIndex(txn, t_, /*tickets_per_batch=*/1).ok());
  });
  ConsistencyReport r = Check();
  EXPECT_TRUE(r.clean()) << (r.findings.empty() ? "" : r.findings.front());
  auto txn = Txn::BeginRead(*env_);
  TicketFilter all;
  all.status = v1::TICKET_STATUS_ASSIGNED;
  auto page = ListTickets(*txn, t_, all, 0, 10);
  ASSERT_TRUE(page.ok());
  ASSERT_EQ(page->tickets.size(), 3u);
  EXPECT_EQ(page->tickets[0].id(), "3");  // newest first
  EXPECT_EQ(page->tickets[2].id(), "1");
  EXPECT_EQ((*CountByStatus(*txn, t_))[v1::TICKET_STATUS_ASSIGNED], 3u);
}

TEST_F(Consistency, FindsAMissingAndAStaleFollowerEntry) {
  // The follower's list walks their entries beside their own.
  {
    auto txn = Txn::BeginRead(*env_);
    TicketFilter mine;
    mine.reporter = "ansatt2.rollag";
    auto own = ListTickets(*txn, t_, mine, 0, 10);
    ASSERT_TRUE(own.ok());
    EXPECT_TRUE(own->tickets.empty());
    mine.with_followed = true;
    auto followed = ListTickets(*txn, t_, mine, 0, 10);
    ASSERT_TRUE(followed.ok());
    ASSERT_EQ(followed->tickets.size(), 1u);
    EXPECT_EQ(followed->tickets[0].id(), "3");
  }
  const auto keys = FollowerIndexKeys(Stored(3), 3);
  ASSERT_EQ(keys.size(), 1u);
  Change([&](Txn& txn) {
    ASSERT_TRUE(DelEntry(txn, t_.ticket_index, keys[0]).ok());
  });
  EXPECT_EQ(OnlyFinding(),
            "ticket_index: ticket 3 has 0 of its 1 follower entries; a "
            "follower's list misses it");
  v1::Ticket other = Stored(2);
  other.add_followers("ansatt3.rollag");
  Change([&](Txn& txn) {
    ASSERT_TRUE(PutEntry(txn, t_.ticket_index, keys[0]).ok());
    ASSERT_TRUE(
        PutEntry(txn, t_.ticket_index, FollowerIndexKeys(other, 2)[0]).ok());
  });
  EXPECT_NE(OnlyFinding().find("a stale follower entry for ticket 2"),
            std::string::npos);
}

TEST_F(Consistency, FindsAWrongStatusCount) {
  Change([&](Txn& txn) {
    ASSERT_TRUE(
        txn.Put(t_.meta, CountKey(v1::TICKET_STATUS_ASSIGNED), Be64(4)).ok());
  });
  EXPECT_EQ(OnlyFinding(),
            "status count of assigned is 4, the stored tickets "
            "give 3");
}

TEST_F(Consistency, FindsAWrongOrMissingOpenLoad) {
  Change([&](Txn& txn) {
    v1::StaffLoad load;
    for (int p = 0; p < 5; ++p) load.add_open_by_priority(0);
    load.set_open_by_priority(v1::PRIORITY_HIGH, 1);
    ASSERT_TRUE(txn.Put(t_.staff, "load/kari", load.SerializeAsString()).ok());
  });
  EXPECT_EQ(OnlyFinding(),
            "open load of kari at priority high is 1, the stored "
            "tickets give 2");
  Change([&](Txn& txn) { ASSERT_TRUE(txn.Del(t_.staff, "load/ola").ok()); });
  EXPECT_EQ(Check().findings.size(), 2u);
}

TEST_F(Consistency, FindsAMissingAndAStrayDueEntry) {
  const auto keys = SlaDueKeys(Stored(1));
  ASSERT_EQ(keys.size(), 2u);
  Change([&](Txn& txn) { ASSERT_TRUE(txn.Del(t_.sla_due, keys[1]).ok()); });
  EXPECT_NE(OnlyFinding().find("sla_due: ticket 1 lacks its entry"),
            std::string::npos);
  std::string stray = keys[1];
  stray[7] = '\x01';  // another instant
  Change([&](Txn& txn) {
    ASSERT_TRUE(txn.Put(t_.sla_due, keys[1], "").ok());
    ASSERT_TRUE(txn.Put(t_.sla_due, stray, "").ok());
  });
  EXPECT_NE(OnlyFinding().find("sla_due: an entry for ticket 1 at"),
            std::string::npos);
}

TEST_F(Consistency, FindsAGapInTheEventLog) {
  Change([&](Txn& txn) { ASSERT_TRUE(txn.Del(t_.events, Be64(2)).ok()); });
  EXPECT_EQ(OnlyFinding(), "events: the log jumps from 1 to 3");
}

TEST_F(Consistency, ListsUnreadableRecordsWithoutJudgingTheirEntries) {
  Change([&](Txn& txn) {
    ASSERT_TRUE(txn.Put(t_.tickets, Be64(2), "\x0a\x01\xff").ok());
    ASSERT_TRUE(txn.Put(t_.events, Be64(3), "\xff\xff").ok());
    ASSERT_TRUE(txn.Put(t_.staff, "member/per", "\x12\x01\xff").ok());
  });
  ConsistencyReport r = Check();
  EXPECT_TRUE(r.findings.empty()) << r.findings.front();
  ASSERT_EQ(r.unreadable.size(), 3u);
  EXPECT_EQ(r.unreadable[0].table, "tickets");
  EXPECT_EQ(r.unreadable[0].name, "2");
  EXPECT_EQ(r.unreadable[0].why, "a string field is not valid UTF-8");
  EXPECT_EQ(r.unreadable[1].table, "events");
  EXPECT_EQ(r.unreadable[1].why, "not a readable record (damaged bytes)");
  EXPECT_EQ(r.unreadable[2].name, "member/per");
}

TEST_F(Consistency, RepairQuarantinesAndRebuildsUntilClean) {
  Change([&](Txn& txn) {
    ASSERT_TRUE(txn.Put(t_.tickets, Be64(2), "\x0a\x01\xff").ok());
    ASSERT_TRUE(txn.Put(t_.events, Be64(2), "\xff\xff").ok());
  });
  auto txn = Txn::BeginWrite(*env_);
  auto out = Repair(*txn, t_, TimeUtil::SecondsToTimestamp(1767300000), "ops");
  ASSERT_TRUE(out.ok()) << out.status().message();
  ASSERT_TRUE(txn->Commit().ok());
  EXPECT_EQ(out->quarantined.size(), 2u);
  EXPECT_TRUE(out->rebuilt);
  EXPECT_TRUE(out->after.clean());
  EXPECT_EQ(out->after.tickets, 2u);

  auto read = Txn::BeginRead(*env_);
  auto q = read->Get(t_.quarantine, "tickets/2");
  ASSERT_TRUE(q.ok() && *q);
  v1::QuarantinedRecord record;
  ASSERT_TRUE(record.ParseFromString(std::string(**q)));
  EXPECT_EQ(record.raw(), std::string("\x0a\x01\xff"));
  EXPECT_EQ(record.key(), Be64(2));
  auto log = ListEvents(*read, t_, 0, 10);
  ASSERT_EQ(log->events.size(), 4u);  // 1..3, and the ticket's
  EXPECT_EQ(log->events[1].record_quarantined().table(), "events");
  EXPECT_EQ(log->events[1].seq(), 2u);
  EXPECT_EQ(log->events[3].record_quarantined().table(), "tickets");
  EXPECT_EQ(log->events[3].record_quarantined().key(), "2");
  EXPECT_EQ(log->events[3].actor(), "ops");
  auto load = GetLoad(*read, t_, "kari");
  EXPECT_EQ(load->open_by_priority(v1::PRIORITY_HIGH), 1u);
  auto counts = CountByStatus(*read, t_);
  EXPECT_EQ((*counts)[v1::TICKET_STATUS_ASSIGNED], 2u);
}

}  // namespace
}  // namespace helpdesk::store
