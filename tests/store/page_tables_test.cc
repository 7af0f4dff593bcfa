// The paging outbox (daemon/store/page_tables.h): a page and its events in
// one write, the due index following the page's next action, one page per
// ticket and reason, the list newest first with its filters, and the
// tables made empty for a version 6 database on open.

#include "daemon/store/page_tables.h"

#include <gtest/gtest.h>

#include "proto/timestamps.h"
#include "tests/store/store_fixture.h"

namespace helpdesk::store {
namespace {

class PageTables : public StoreFixture {
 protected:
  void SetUp() override {
    OpenStore();
    StartWriter();
  }

  // Page `id` of ticket `ticket`, to `to`, next due at `due_ms`.
  static v1::Page Page(const std::string& id, const std::string& ticket,
                       const std::string& to, int64_t due_ms) {
    v1::Page p;
    p.set_id(id);
    p.set_ticket_id(ticket);
    p.set_reason(v1::PAGE_REASON_URGENT);
    p.set_state(v1::PAGE_STATE_OPEN);
    p.add_steps()->set_to(to);
    if (due_ms >= 0) {
      p.mutable_next_action_at()->set_seconds(due_ms / 1000);
      p.mutable_next_action_at()->set_nanos((due_ms % 1000) * 1000000);
    }
    return p;
  }

  WriteResult Save(const v1::Page* before, const v1::Page& now,
                   bool with_event = true) {
    return Run([&](WriteContext& w) {
      std::vector<v1::Event> events;
      if (with_event) {
        v1::Event e;
        e.set_ticket_id(now.ticket_id());
        *e.mutable_page_created()->mutable_page() = now;
        events.push_back(std::move(e));
      }
      return w.SavePage(before, now, std::move(events));
    });
  }

  std::vector<uint64_t> DueBy(int64_t ms) {
    auto txn = Txn::BeginRead(*env_);
    auto due = PagesDueBy(*txn, t_, ms, 100);
    EXPECT_TRUE(due.ok());
    return due.ok() ? *due : std::vector<uint64_t>{};
  }
};

TEST_F(PageTables, APageIsSavedWithItsEventAndFoundByTicketAndReason) {
  const v1::Page p = Page("1", "7", "kari", 5000);
  WriteResult r = Save(nullptr, p);
  ASSERT_TRUE(r.status.ok()) << r.status.message();
  ASSERT_EQ(r.events.size(), 1u);
  EXPECT_GT(r.events[0].seq(), 0u);
  auto txn = Txn::BeginRead(*env_);
  auto got = GetPage(*txn, t_, 1);
  ASSERT_TRUE(got.ok() && *got);
  EXPECT_EQ((*got)->steps(0).to(), "kari");
  EXPECT_EQ(*LastPageNumber(*txn, t_), 1u);
  EXPECT_EQ(*PageFor(*txn, t_, 7, v1::PAGE_REASON_URGENT,
                     v1::SLA_CLOCK_KIND_UNSPECIFIED),
            std::optional<uint64_t>(1));
  EXPECT_FALSE(*PageFor(*txn, t_, 7, v1::PAGE_REASON_SLA_WARNING,
                        v1::SLA_CLOCK_KIND_RESOLUTION));
  EXPECT_EQ(PagesOfTicket(*txn, t_, 7)->size(), 1u);
  EXPECT_TRUE(PagesOfTicket(*txn, t_, 8)->empty());
  // The event is in the ticket's history.
  auto history = ListEvents(*txn, t_, 0, 10, 7);
  ASSERT_TRUE(history.ok());
  ASSERT_EQ(history->events.size(), 1u);
  EXPECT_TRUE(history->events[0].has_page_created());
}

TEST_F(PageTables, TheDueIndexFollowsTheNextAction) {
  v1::Page a = Page("1", "7", "kari", 5000), b = Page("2", "8", "ola", 3000);
  ASSERT_TRUE(Save(nullptr, a).status.ok());
  ASSERT_TRUE(Save(nullptr, b).status.ok());
  EXPECT_TRUE(DueBy(2999).empty());
  EXPECT_EQ(DueBy(3000), (std::vector<uint64_t>{2}));
  EXPECT_EQ(DueBy(9000), (std::vector<uint64_t>{2, 1}));
  {
    auto txn = Txn::BeginRead(*env_);
    EXPECT_EQ(*NextPageAction(*txn, t_), std::optional<int64_t>(3000));
  }
  // Moved on, then nothing left to do: the entries move, then go.
  v1::Page later = b;
  later.mutable_next_action_at()->set_seconds(60);
  ASSERT_TRUE(Save(&b, later, false).status.ok());
  EXPECT_EQ(DueBy(9000), (std::vector<uint64_t>{1}));
  v1::Page done = later;
  done.clear_next_action_at();
  ASSERT_TRUE(Save(&later, done, false).status.ok());
  EXPECT_EQ(DueBy(100000), (std::vector<uint64_t>{1}));
}

TEST_F(PageTables, TheListIsNewestFirstFilteredAndPaged) {
  for (int i = 1; i <= 5; ++i) {
    v1::Page p = Page(std::to_string(i), std::to_string(10 + i),
                      i % 2 ? "kari" : "ola", -1);
    if (i == 4) p.set_state(v1::PAGE_STATE_ACKNOWLEDGED);
    ASSERT_TRUE(Save(nullptr, p).status.ok());
  }
  auto txn = Txn::BeginRead(*env_);
  auto ids = [](const PageList& l) {
    std::vector<std::string> out;
    for (const auto& p : l.pages) out.push_back(p.id());
    return out;
  };
  auto first = ListPages(*txn, t_, {}, 0, 2);
  ASSERT_TRUE(first.ok());
  EXPECT_EQ(ids(*first), (std::vector<std::string>{"5", "4"}));
  ASSERT_TRUE(first->next_before);
  auto rest = ListPages(*txn, t_, {}, *first->next_before, 10);
  EXPECT_EQ(ids(*rest), (std::vector<std::string>{"3", "2", "1"}));
  EXPECT_FALSE(rest->next_before);
  EXPECT_EQ(ids(*ListPages(*txn, t_, {.to = "ola"}, 0, 10)),
            (std::vector<std::string>{"4", "2"}));
  EXPECT_EQ(ids(*ListPages(*txn, t_,
                           {.state = v1::PAGE_STATE_OPEN, .to = "ola"}, 0, 10)),
            (std::vector<std::string>{"2"}));
}

TEST_F(PageTables, AStringThatIsNotUtf8IsRefusedAndNothingWritten) {
  v1::Page p = Page("1", "7", "kari", 5000);
  p.set_text(std::string("Rådhuset \xff"));
  WriteResult r = Save(nullptr, p);
  EXPECT_EQ(r.status.code(), Code::kInvalidField) << r.status.message();
  auto txn = Txn::BeginRead(*env_);
  EXPECT_EQ(*LastPageNumber(*txn, t_), 0u);
  EXPECT_TRUE(DueBy(9000).empty());
}

// A version 6 database had no pages: opened by this build, it gets the
// tables, empty, and its version moves on.
TEST_F(PageTables, AVersionSixDatabaseGetsEmptyPageTablesOnOpen) {
  writer_->Stop();
  writer_.reset();
  Change([&](Txn& txn) {
    for (Table table : {t_.pages, t_.pages_due, t_.pages_by_ticket})
      ASSERT_EQ(mdb_drop(txn.get(), table.dbi, /*del=*/1), 0);
    ASSERT_TRUE(txn.Put(t_.meta, "schema_version", "6").ok());
  });
  {
    auto txn = Txn::BeginRead(*env_);
    EXPECT_FALSE(txn->OpenTable("pages", /*create=*/false).ok());
    // A reader of the old database (helpdeskctl check) manages without.
    EXPECT_TRUE(OpenTablesToRead(*txn).ok());
  }
  auto tables = OpenTables(*env_, {});
  ASSERT_TRUE(tables.ok()) << tables.status().message();
  t_ = *tables;
  auto txn = Txn::BeginRead(*env_);
  EXPECT_EQ(txn->Get(t_.meta, "schema_version")->value(),
            std::to_string(kSchemaVersion));
  EXPECT_EQ(*LastPageNumber(*txn, t_), 0u);
}

// A version 7 database has no followers and no synonyms to rebuild: it
// opens as version 8 (and on to the current version), and a build of
// version 7 would refuse it from then on (it would not know their records).
TEST_F(PageTables, AVersionSevenDatabaseMovesOnAsItIs) {
  writer_->Stop();
  writer_.reset();
  Change([&](Txn& txn) {
    ASSERT_TRUE(txn.Put(t_.meta, "schema_version", "7").ok());
  });
  auto tables = OpenTables(*env_, {});
  ASSERT_TRUE(tables.ok()) << tables.status().message();
  t_ = *tables;
  auto txn = Txn::BeginRead(*env_);
  EXPECT_EQ(txn->Get(t_.meta, "schema_version")->value(),
            std::to_string(kSchemaVersion));
  EXPECT_EQ(kSchemaVersion, 16);
}

}  // namespace
}  // namespace helpdesk::store
