// Comments as records of their own (daemon/store/comment_tables.h): saved
// with their event, read newest end first without touching the history,
// built for an older database on open, checked and rebuilt by the
// consistency checker and the repair.

#include "daemon/store/comment_tables.h"

#include <gtest/gtest.h>

#include "daemon/store/consistency.h"
#include "daemon/store/quarantine.h"
#include "daemon/store/record_check.h"
#include "tests/store/store_fixture.h"

namespace helpdesk::store {
namespace {

class CommentTables : public StoreFixture {
 protected:
  void SetUp() override {
    OpenStore();
    StartWriter();
  }

  // A new ticket; its number.
  uint64_t NewTicket() {
    uint64_t number = 0;
    EXPECT_TRUE(Run([&](WriteContext& w) {
                  auto t = CreateTicketIn(w, "sak");
                  if (t.ok()) number = std::stoull(t->id());
                  return t.status();
                }).status.ok());
    return number;
  }

  // Adds comments "<first>" .. "<first + n - 1>" to ticket `number`, one
  // write; the seq of the last.
  uint64_t AddComments(uint64_t number, int first, int n) {
    WriteResult r = Run([&](WriteContext& w) -> Status {
      for (int i = first; i < first + n; ++i) {
        auto current = GetTicket(w.txn(), w.tables(), number);
        if (!current.ok()) return current.status();
        v1::AddCommentRequest req;
        req.set_author("kari");
        req.set_body(std::to_string(i));
        auto c = tickets::DecideComment(**current, req, {"r", w.now()});
        if (!c.ok()) return c.status();
        if (Status s = w.Save(&**current, c->ticket, std::move(c->event));
            !s.ok())
          return s;
      }
      return Status::Ok();
    });
    EXPECT_TRUE(r.status.ok()) << r.status.message();
    return r.events.empty() ? 0 : r.events.back().seq();
  }

  CommentPage Page(uint64_t number, uint64_t before, size_t limit) {
    auto txn = Txn::BeginRead(*env_);
    auto page = ListComments(*txn, t_, number, before, limit);
    EXPECT_TRUE(page.ok()) << page.status().message();
    return page.ok() ? *page : CommentPage{};
  }
  static std::vector<std::string> Bodies(const CommentPage& p) {
    std::vector<std::string> out;
    for (const auto& c : p.comments) out.push_back(c.body());
    return out;
  }

  ConsistencyReport Check() {
    auto txn = Txn::BeginRead(*env_);
    auto r = CheckConsistency(*txn, t_);
    EXPECT_TRUE(r.ok()) << r.status().message();
    return r.ok() ? *r : ConsistencyReport{};
  }
  static std::string Findings(const ConsistencyReport& r) {
    std::string all;
    for (const auto& f : r.findings) all += (all.empty() ? "" : " | ") + f;
    return all;
  }

  // helpdeskctl repair, as it runs it: one write transaction.
  RepairOutcome RepairNow() {
    auto txn = Txn::BeginWrite(*env_);
    auto outcome = Repair(*txn, t_, google::protobuf::Timestamp(), "test");
    EXPECT_TRUE(outcome.ok()) << outcome.status().message();
    EXPECT_TRUE(txn->Commit().ok());
    return outcome.ok() ? *outcome : RepairOutcome{};
  }
};

TEST_F(CommentTables, EachCommentIsARecordReadLatestFirstInPages) {
  const uint64_t a = NewTicket(), b = NewTicket();
  AddComments(a, 0, 5);
  AddComments(b, 100, 2);  // another ticket's comments stay its own
  AddComments(a, 5, 2);

  CommentPage latest = Page(a, 0, 3);
  EXPECT_EQ(Bodies(latest), (std::vector<std::string>{"4", "5", "6"}));
  ASSERT_TRUE(latest.next_before);
  EXPECT_EQ(*latest.next_before, latest.comments.front().seq());
  EXPECT_EQ(latest.comments.back().author(), "kari");
  EXPECT_TRUE(latest.comments.back().has_created_at());

  CommentPage older = Page(a, *latest.next_before, 3);
  EXPECT_EQ(Bodies(older), (std::vector<std::string>{"1", "2", "3"}));
  ASSERT_TRUE(older.next_before);
  CommentPage oldest = Page(a, *older.next_before, 3);
  EXPECT_EQ(Bodies(oldest), (std::vector<std::string>{"0"}));
  EXPECT_FALSE(oldest.next_before);

  EXPECT_EQ(Bodies(Page(b, 0, 10)), (std::vector<std::string>{"100", "101"}));
  EXPECT_TRUE(Page(a + b + 1, 0, 10).comments.empty());  // no such ticket

  auto txn = Txn::BeginRead(*env_);
  auto ticket = GetTicket(*txn, t_, a);
  EXPECT_EQ((*ticket)->comment_count(), 7u);
  EXPECT_EQ((*ticket)->comments_size(), 0);  // never stored with it
}

TEST_F(CommentTables, ADamagedCommentIsSkippedAndListedByTheChecker) {
  const uint64_t a = NewTicket();
  const uint64_t last = AddComments(a, 0, 3);
  writer_->Stop();
  Change([&](Txn& txn) {
    ASSERT_TRUE(txn.Put(t_.ticket_comments, CommentKey(a, last - 1),
                        "\x0a\x05\x08")  // a field cut short
                    .ok());
  });
  EXPECT_EQ(Bodies(Page(a, 0, 10)), (std::vector<std::string>{"0", "2"}));
  ConsistencyReport r = Check();
  ASSERT_EQ(r.unreadable.size(), 1u) << Findings(r);
  EXPECT_EQ(r.unreadable[0].table, "ticket_comments");
  EXPECT_EQ(r.unreadable[0].name,
            std::to_string(a) + "/" + std::to_string(last - 1));

  // The repair moves it aside, then builds it again from its event.
  const RepairOutcome outcome = RepairNow();
  EXPECT_EQ(outcome.quarantined.size(), 1u);
  EXPECT_TRUE(outcome.after.clean()) << Findings(outcome.after);
  EXPECT_EQ(Bodies(Page(a, 0, 10)), (std::vector<std::string>{"0", "1", "2"}));
}

TEST_F(CommentTables, TheCheckerFindsCommentsThatDisagreeAndRepairRebuilds) {
  const uint64_t a = NewTicket(), b = NewTicket();
  const uint64_t last_a = AddComments(a, 0, 3);
  AddComments(b, 10, 2);
  writer_->Stop();
  EXPECT_TRUE(Check().clean()) << Findings(Check());

  Change([&](Txn& txn) {
    // One of a's comments lost; a stray record for b that no event gives.
    ASSERT_TRUE(txn.Del(t_.ticket_comments, CommentKey(a, last_a)).ok());
    v1::Comment stray;
    stray.set_seq(last_a);
    stray.set_body("not in the log");
    ASSERT_TRUE(txn.Put(t_.ticket_comments, CommentKey(b, last_a),
                        stray.SerializeAsString())
                    .ok());
  });
  const std::string found = Findings(Check());
  EXPECT_NE(found.find("ticket_comments: ticket " + std::to_string(a) +
                       " has 2 comment records, its comment count is 3"),
            std::string::npos)
      << found;
  EXPECT_NE(found.find(CommentName(b, last_a) + " has no CommentAdded event"),
            std::string::npos)
      << found;

  const RepairOutcome outcome = RepairNow();
  EXPECT_TRUE(outcome.rebuilt);
  EXPECT_TRUE(outcome.after.clean()) << Findings(outcome.after);
  EXPECT_EQ(Bodies(Page(a, 0, 10)), (std::vector<std::string>{"0", "1", "2"}));
  EXPECT_EQ(Bodies(Page(b, 0, 10)), (std::vector<std::string>{"10", "11"}));
}

TEST_F(CommentTables, ACommentWhoseEventWasQuarantinedIsKept) {
  const uint64_t a = NewTicket();
  const uint64_t last = AddComments(a, 0, 2);
  writer_->Stop();
  Change([&](Txn& txn) {
    ASSERT_TRUE(txn.Put(t_.events, Be64(last), "\x0a\x05\x08").ok());
  });
  const RepairOutcome outcome = RepairNow();
  ASSERT_EQ(outcome.quarantined.size(), 1u);
  EXPECT_TRUE(outcome.after.clean()) << Findings(outcome.after);
  // The record is the only copy of that comment left.
  EXPECT_EQ(Bodies(Page(a, 0, 10)), (std::vector<std::string>{"0", "1"}));
}

// A version 4 database kept comments only in their events: opened by this
// build, it gets a record for each, by one scan of the log.
TEST_F(CommentTables, AVersionFourDatabaseGetsItsCommentsOnOpen) {
  const uint64_t a = NewTicket(), b = NewTicket();
  AddComments(a, 0, 30);
  AddComments(b, 50, 1);
  AddComments(a, 30, 3);
  writer_->Stop();
  writer_.reset();
  Change([&](Txn& txn) {
    ASSERT_EQ(mdb_drop(txn.get(), t_.ticket_comments.dbi, /*del=*/1), 0);
    ASSERT_TRUE(txn.Put(t_.meta, "schema_version", "4").ok());
  });
  {
    auto txn = Txn::BeginRead(*env_);
    EXPECT_FALSE(txn->OpenTable("ticket_comments", /*create=*/false).ok());
  }
  auto tables = OpenTables(*env_, {});
  ASSERT_TRUE(tables.ok()) << tables.status().message();
  t_ = *tables;
  {
    auto txn = Txn::BeginRead(*env_);
    EXPECT_EQ(txn->Get(t_.meta, "schema_version")->value(),
              std::to_string(kSchemaVersion));
    EXPECT_EQ(kSchemaVersion, 16);
  }
  CommentPage latest = Page(a, 0, 20);
  ASSERT_EQ(latest.comments.size(), 20u);
  EXPECT_EQ(latest.comments.front().body(), "13");
  EXPECT_EQ(latest.comments.back().body(), "32");
  ASSERT_TRUE(latest.next_before);
  EXPECT_EQ(Page(a, *latest.next_before, 20).comments.size(), 13u);
  EXPECT_EQ(Bodies(Page(b, 0, 20)), (std::vector<std::string>{"50"}));
  EXPECT_TRUE(Check().clean()) << Findings(Check());
}

}  // namespace
}  // namespace helpdesk::store
