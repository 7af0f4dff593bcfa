#include "daemon/store/tables.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "daemon/store/staff_tables.h"
#include "daemon/tickets/commands.h"
#include "tests/store/store_fixture.h"
#include "tests/support/scratch_dir.h"

namespace helpdesk::store {
namespace {

TicketFilter F(v1::TicketStatus status, std::string municipality = "",
               std::string assignee = "") {
  TicketFilter f;
  f.status = status;
  f.municipality = std::move(municipality);
  f.assignee = std::move(assignee);
  return f;
}

class TablesTest : public StoreFixture {
 protected:
  void SetUp() override { OpenStore({"rollag", "tinn"}); }

  // Creates ticket `n` in `municipality` with `status` (and `assignee`,
  // `reporter`), and its event.
  void Put(uint64_t n, const std::string& municipality,
           v1::TicketStatus status = v1::TICKET_STATUS_NEW,
           const std::string& assignee = "", const std::string& reporter = "") {
    auto txn = Txn::BeginWrite(*env_);
    v1::Ticket ticket;
    ticket.set_id(std::to_string(n));
    ticket.set_title("Skriveren skriver ikke ut");
    ticket.set_reporter(reporter);
    ticket.set_municipality(municipality);
    ticket.set_status(status);
    ticket.set_assignee(assignee);
    ASSERT_TRUE(PutTicket(*txn, t_, nullptr, ticket).ok());
    v1::Event e;
    e.set_seq(++seq_);
    e.set_ticket_id(ticket.id());
    ASSERT_TRUE(PutEvent(*txn, t_, e).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }

  std::vector<std::string> Ids(const TicketFilter& f, uint64_t before = 0,
                               size_t limit = 100) {
    auto txn = Txn::BeginRead(*env_);
    auto page = ListTickets(*txn, t_, f, before, limit);
    EXPECT_TRUE(page.ok());
    std::vector<std::string> ids;
    for (const auto& t : page->tickets) ids.push_back(t.id());
    return ids;
  }

  uint64_t seq_ = 0;
};

// A schema upgrade runs in one transaction; when the data it adds does not
// fit the map, the map grows (up to the limit) as it does for the writer.
TEST(SchemaUpgrade, AnUpgradeLargerThanTheMapGrowsIt) {
  testing::ScratchDir dir;
  const std::string db = dir.path() + "/db";
  Seed seed;
  seed.region.add_municipalities()->set_id("rollag");
  {
    auto env = Env::Open({.dir = db});
    ASSERT_TRUE(env.ok());
    auto tables = OpenTables(*env, seed);
    ASSERT_TRUE(tables.ok()) << tables.status().message();
    // Version 2 had no staff registry: the upgrade stores the seed staff.
    auto txn = Txn::BeginWrite(*env);
    ASSERT_TRUE(txn->Put(tables->meta, "schema_version", "2").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  for (int i = 0; i < 2000; ++i) {
    v1::StaffMember m;
    m.set_id("person." + std::to_string(i));
    m.set_name(std::string(2000, 'n'));
    m.set_home_municipality("rollag");
    seed.staff.push_back(std::move(m));
  }
  // About 4 MB of staff; LMDB makes a map opened small just as large as
  // the data in it.
  auto env = Env::Open({.dir = db, .map_size = size_t{1} << 20});
  ASSERT_TRUE(env.ok());
  const size_t small = env->map_size();
  ASSERT_LE(small, size_t{1} << 20);
  auto refused = OpenTables(*env, seed, small);
  ASSERT_EQ(refused.status().code(), Code::kStorageFull)
      << refused.status().message();
  EXPECT_NE(refused.status().message().find("max_map_size_mb"),
            std::string::npos);
  auto tables = OpenTables(*env, seed, size_t{64} << 20);
  ASSERT_TRUE(tables.ok()) << tables.status().message();
  EXPECT_GT(env->map_size(), small);
  auto txn = Txn::BeginRead(*env);
  EXPECT_EQ(txn->Get(tables->meta, "schema_version")->value(),
            std::to_string(kSchemaVersion));
  auto staff = LoadStaff(*txn, *tables);
  ASSERT_TRUE(staff.ok());
  EXPECT_EQ(staff->size(), 2000u);
}

TEST_F(TablesTest, SeedsTheRegionOnlyIntoANewDatabase) {
  // Opening again with another seed keeps what is stored.
  v1::Region other;
  other.add_municipalities()->set_id("hjartdal");
  ASSERT_TRUE(OpenTables(*env_, {.region = other, .catalogue = {}}).ok());
  auto txn = Txn::BeginRead(*env_);
  auto region = LoadRegion(*txn, t_);
  ASSERT_TRUE(region.ok());
  ASSERT_EQ(region->municipalities_size(), 2);
  EXPECT_EQ(region->municipalities(0).id(), "rollag");
  EXPECT_EQ(region->municipalities(1).id(), "tinn");
}

TEST_F(TablesTest, ListsNewestFirstWithEveryFilterCombination) {
  Put(1, "rollag");
  Put(2, "tinn", v1::TICKET_STATUS_ASSIGNED, "ola");
  Put(3, "rollag", v1::TICKET_STATUS_ASSIGNED, "ola");
  Put(4, "rollag", v1::TICKET_STATUS_ASSIGNED, "kari");
  EXPECT_EQ(Ids({}), (std::vector<std::string>{"4", "3", "2", "1"}));
  EXPECT_EQ(Ids(F(v1::TICKET_STATUS_UNSPECIFIED, "rollag")),
            (std::vector<std::string>{"4", "3", "1"}));
  EXPECT_EQ(Ids(F(v1::TICKET_STATUS_ASSIGNED)),
            (std::vector<std::string>{"4", "3", "2"}));
  EXPECT_EQ(Ids(F(v1::TICKET_STATUS_UNSPECIFIED, "", "ola")),
            (std::vector<std::string>{"3", "2"}));
  EXPECT_EQ(Ids(F(v1::TICKET_STATUS_ASSIGNED, "rollag", "ola")),
            (std::vector<std::string>{"3"}));
  EXPECT_TRUE(Ids(F(v1::TICKET_STATUS_UNSPECIFIED, "roll"))
                  .empty());  // no prefix matches
  EXPECT_TRUE(Ids(F(v1::TICKET_STATUS_UNSPECIFIED, "hjartdal")).empty());
}

TEST_F(TablesTest, TheLastAssigneeOfAReportersEarlierTicketsIsReadAlone) {
  constexpr auto kAssigned = v1::TICKET_STATUS_ASSIGNED;
  Put(1, "tinn", kAssigned, "ola", "ansatt.tinn");
  Put(2, "tinn", v1::TICKET_STATUS_NEW, "", "ansatt.tinn");
  Put(3, "tinn", kAssigned, "kari", "ansatt.tinn");
  Put(4, "tinn", kAssigned, "per", "ansatt.rollag");
  Put(5, "tinn", v1::TICKET_STATUS_NEW, "", "ansatt.tinn");
  auto txn = Txn::BeginRead(*env_);
  auto last = [&](uint64_t before, size_t lookback) {
    auto got = LastAssigneeOf(*txn, t_, "ansatt.tinn", before, lookback);
    EXPECT_TRUE(got.ok()) << got.status().message();
    return got.ok() ? *got : "(failed)";
  };
  // Below 6: ticket 5 has none, 4 is another reporter's, 3 has kari.
  EXPECT_EQ(last(6, 20), "kari");
  EXPECT_EQ(last(3, 20), "ola");  // ticket 2 has none
  EXPECT_EQ(last(3, 1), "");      // only ticket 2 looked at
  EXPECT_EQ(last(1, 20), "");     // nothing earlier
  auto other = LastAssigneeOf(*txn, t_, "ansatt.hjartdal", 0, 20);
  ASSERT_TRUE(other.ok());
  EXPECT_EQ(*other, "");
}

TEST_F(TablesTest, TheOldestComeFirstForTheDispatcherQueue) {
  for (uint64_t n = 1; n <= 5; ++n) Put(n, "rollag");
  Put(6, "tinn", v1::TICKET_STATUS_ASSIGNED, "ola");
  Put(7, "tinn");
  auto txn = Txn::BeginRead(*env_);
  auto ids = [&](v1::TicketStatus status, size_t limit) {
    std::vector<std::string> out;
    auto got = OldestTickets(*txn, t_, status, limit);
    EXPECT_TRUE(got.ok());
    if (got.ok())
      for (const auto& t : *got) out.push_back(t.id());
    return out;
  };
  EXPECT_EQ(ids(v1::TICKET_STATUS_NEW, 3),
            (std::vector<std::string>{"1", "2", "3"}));
  EXPECT_EQ(ids(v1::TICKET_STATUS_NEW, 10),
            (std::vector<std::string>{"1", "2", "3", "4", "5", "7"}));
  EXPECT_EQ(ids(v1::TICKET_STATUS_UNSPECIFIED, 2),
            (std::vector<std::string>{"1", "2"}));
  EXPECT_TRUE(ids(v1::TICKET_STATUS_CLOSED, 10).empty());
}

TEST_F(TablesTest, PagesResumeBelowTheLastTicketSeen) {
  for (uint64_t n = 1; n <= 5; ++n) Put(n, "rollag");
  auto txn = Txn::BeginRead(*env_);
  auto first = ListTickets(*txn, t_, {}, 0, 2);
  ASSERT_EQ(first->tickets.size(), 2u);
  ASSERT_TRUE(first->next_before.has_value());
  auto second = ListTickets(*txn, t_, {}, *first->next_before, 2);
  EXPECT_EQ(second->tickets[0].id(), "3");
  auto third = ListTickets(*txn, t_, {}, *second->next_before, 2);
  ASSERT_EQ(third->tickets.size(), 1u);
  EXPECT_EQ(third->tickets[0].id(), "1");
  EXPECT_FALSE(third->next_before.has_value());
}

TEST_F(TablesTest, AStatusChangeMovesIndexEntriesAndCounts) {
  Put(1, "rollag");
  {
    auto txn = Txn::BeginWrite(*env_);
    auto before = GetTicket(*txn, t_, 1);
    v1::Ticket after = **before;
    after.set_status(v1::TICKET_STATUS_ASSIGNED);
    after.set_assignee("ola");
    ASSERT_TRUE(PutTicket(*txn, t_, &**before, after).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  EXPECT_TRUE(Ids(F(v1::TICKET_STATUS_NEW)).empty());
  EXPECT_EQ(Ids(F(v1::TICKET_STATUS_ASSIGNED)),
            (std::vector<std::string>{"1"}));
  EXPECT_EQ(Ids(F(v1::TICKET_STATUS_UNSPECIFIED, "", "ola")),
            (std::vector<std::string>{"1"}));
  EXPECT_EQ(Ids({}), (std::vector<std::string>{"1"}));  // once, not twice
  auto txn = Txn::BeginRead(*env_);
  auto counts = CountByStatus(*txn, t_);
  EXPECT_EQ((*counts)[v1::TICKET_STATUS_NEW], 0u);
  EXPECT_EQ((*counts)[v1::TICKET_STATUS_ASSIGNED], 1u);
}

TEST_F(TablesTest, EventLogPagesInOrderAndPerTicket) {
  Put(1, "rollag");
  Put(2, "tinn");
  Put(3, "rollag");
  auto txn = Txn::BeginRead(*env_);
  auto all = ListEvents(*txn, t_, 0, 2);
  ASSERT_EQ(all->events.size(), 2u);
  EXPECT_EQ(all->events[0].seq(), 1u);
  EXPECT_EQ(all->next_after, 2u);
  auto rest = ListEvents(*txn, t_, *all->next_after, 2);
  ASSERT_EQ(rest->events.size(), 1u);
  EXPECT_EQ(rest->events[0].seq(), 3u);
  EXPECT_FALSE(rest->next_after.has_value());
  auto of_two = ListEvents(*txn, t_, 0, 10, 2);
  ASSERT_EQ(of_two->events.size(), 1u);
  EXPECT_EQ(of_two->events[0].ticket_id(), "2");
  EXPECT_EQ(*LastEventSeq(*txn, t_), 3u);
  EXPECT_EQ(*LastTicketNumber(*txn, t_), 3u);
}

}  // namespace
}  // namespace helpdesk::store
