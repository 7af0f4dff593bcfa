// Free-text search over tickets (schema 11): the words of a ticket's title
// and description in ticket_words, found as the catalogue's search finds a
// service's (case, æ/ø/å and endings folded), newest first, with the list
// filters, a page at a time; kept in step with every save, erased with the
// personal text, built for an older database by the upgrade, checked and
// rebuilt by the consistency check and the repair.

#include "daemon/store/ticket_words.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include "daemon/store/consistency.h"
#include "daemon/store/erasure.h"
#include "daemon/store/quarantine.h"
#include "tests/store/store_fixture.h"

namespace helpdesk::store {
namespace {

class TicketWordsTest : public StoreFixture {
 protected:
  void SetUp() override { OpenStore({"rollag", "tinn"}); }

  // Files ticket `n` with its text, in `municipality`, reported by `reporter`.
  void Put(uint64_t n, const std::string& title, const std::string& description,
           const std::string& municipality = "rollag",
           const std::string& reporter = "kari") {
    Change([&](Txn& txn) {
      v1::Ticket ticket;
      ticket.set_id(std::to_string(n));
      ticket.set_title(title);
      ticket.set_description(description);
      ticket.set_municipality(municipality);
      ticket.set_reporter(reporter);
      ticket.set_status(v1::TICKET_STATUS_NEW);
      ASSERT_TRUE(PutTicket(txn, t_, nullptr, ticket).ok());
    });
  }

  // Saves ticket `n` changed by `change`.
  template <typename F>
  void Edit(uint64_t n, F change) {
    Change([&](Txn& txn) {
      auto before = GetTicket(txn, t_, n);
      ASSERT_TRUE(before.ok() && *before);
      v1::Ticket after = **before;
      change(after);
      ASSERT_TRUE(PutTicket(txn, t_, &**before, after).ok());
    });
  }

  TicketPage Search(const std::string& q, TicketFilter f = {},
                    uint64_t before = 0, size_t limit = 100) {
    f.words = QueryWords(q);
    auto txn = Txn::BeginRead(*env_);
    auto page = ListTickets(*txn, t_, f, before, limit);
    EXPECT_TRUE(page.ok()) << page.status().message();
    return page.ok() ? *page : TicketPage{};
  }

  std::vector<std::string> Ids(const std::string& q, TicketFilter f = {}) {
    std::vector<std::string> ids;
    for (const auto& t : Search(q, std::move(f)).tickets) ids.push_back(t.id());
    return ids;
  }

  std::vector<std::string> Findings() {
    auto txn = Txn::BeginRead(*env_);
    auto report = CheckConsistency(*txn, t_);
    EXPECT_TRUE(report.ok());
    return report.ok() ? report->findings : std::vector<std::string>{};
  }
};

using List = std::vector<std::string>;

TEST_F(TicketWordsTest, WordsAreFoundWhateverTheirCaseLettersAndEndings) {
  Put(1, "Skriveren på 2. etasje", "Papirstopp igjen, ringer Pål.");
  Put(2, "Passord utløpt", "Får ikke logget på Visma.");
  Put(3, "Ny skrivar til kontoret", "");
  // Bokmål and nynorsk forms meet at their stem; æ/ø/å typed as ASCII.
  EXPECT_EQ(Ids("skriver"), (List{"3", "1"}));
  EXPECT_EQ(Ids("SKRIVARANE"), (List{"3", "1"}));
  EXPECT_EQ(Ids("utlopt passord"), (List{"2"}));
  EXPECT_EQ(Ids("paal"), (List{"1"}));
  EXPECT_EQ(Ids("visma"), (List{"2"}));
  // Every word must be there.
  EXPECT_EQ(Ids("skriver papirstopp"), (List{"1"}));
  EXPECT_TRUE(Ids("skriver visma").empty());
  EXPECT_TRUE(Ids("scanner").empty());
  // Stop words alone have nothing to look for.
  EXPECT_TRUE(QueryWords("ikke på det").empty());
}

TEST_F(TicketWordsTest, ASearchTakesTheListFiltersAndPages) {
  Put(1, "Skriver", "", "rollag");
  Put(2, "Skriver", "", "tinn");
  Put(3, "Skjerm", "", "tinn");
  Put(4, "Skriver", "", "tinn");
  Put(5, "Skriver", "", "rollag");
  Edit(4, [](v1::Ticket& t) {
    t.set_status(v1::TICKET_STATUS_ASSIGNED);
    t.set_assignee("ola");
  });
  TicketFilter tinn;
  tinn.municipality = "tinn";
  EXPECT_EQ(Ids("skriver", tinn), (List{"4", "2"}));
  TicketFilter ola;
  ola.assignee = "ola";
  EXPECT_EQ(Ids("skriver", ola), (List{"4"}));
  TicketFilter fresh;
  fresh.status = v1::TICKET_STATUS_NEW;
  fresh.municipality = "tinn";
  EXPECT_EQ(Ids("skriver", fresh), (List{"2"}));
  // Two a page, newest first, each once.
  auto first = Search("skriver", {}, 0, 2);
  ASSERT_EQ(first.tickets.size(), 2u);
  EXPECT_EQ(first.tickets[0].id(), "5");
  EXPECT_EQ(first.tickets[1].id(), "4");
  ASSERT_TRUE(first.next_before.has_value());
  auto second = Search("skriver", {}, *first.next_before, 2);
  ASSERT_EQ(second.tickets.size(), 2u);
  EXPECT_EQ(second.tickets[0].id(), "2");
  EXPECT_EQ(second.tickets[1].id(), "1");
  EXPECT_FALSE(second.next_before.has_value());
}

TEST_F(TicketWordsTest, AnEmployeesSearchKeepsToTheirOwnTickets) {
  Put(1, "Skriver", "", "rollag", "kari");
  Put(2, "Skriver", "", "rollag", "per");
  Put(3, "Skjerm", "", "rollag", "kari");
  TicketFilter kari;
  kari.reporter = "kari";
  EXPECT_EQ(Ids("skriveren", kari), (List{"1"}));
}

TEST_F(TicketWordsTest, ABoundedPageSaysWhereToGoOnAndMissesNothing) {
  // "toner" is in the even tickets, "papirstopp" in the odd ones, both only
  // in 30 and 70: each step of the walk passes one ticket, and a page that
  // may take only a few steps stops short and says where to go on.
  for (uint64_t n = 1; n <= 100; ++n)
    Put(n, "Skriver",
        n == 30 || n == 70 ? "Toner og papirstopp"
        : n % 2            ? "Papirstopp"
                           : "Toner");
  TicketFilter f;
  f.search_steps = 8;
  List found;
  uint64_t before = 0;
  int pages = 0;
  do {
    auto page = Search("toner papirstopp", f, before, 3);
    for (const auto& t : page.tickets) found.push_back(t.id());
    before = page.next_before.value_or(0);
    ASSERT_LT(++pages, 200);
  } while (before != 0);
  EXPECT_EQ(found, (List{"70", "30"}));
  EXPECT_GT(pages, 10);  // the bound did stop pages early
  // Unbounded, one page finds both.
  EXPECT_EQ(Ids("toner papirstopp"), (List{"70", "30"}));
}

TEST_F(TicketWordsTest, AChangedTextMovesItsWordsAndErasureRemovesThem) {
  Put(1, "Skriver", "Papirstopp");
  Edit(1, [](v1::Ticket& t) { t.set_status(v1::TICKET_STATUS_ASSIGNED); });
  EXPECT_EQ(Ids("papirstopp"), (List{"1"}));
  Edit(1, [](v1::Ticket& t) { t.set_description("Toner tom"); });
  EXPECT_TRUE(Ids("papirstopp").empty());
  EXPECT_EQ(Ids("toner"), (List{"1"}));
  Edit(1, [](v1::Ticket& t) {
    t = ErasedTicket(
        t, google::protobuf::util::TimeUtil::SecondsToTimestamp(1767225600));
  });
  EXPECT_TRUE(Ids("toner").empty());
  EXPECT_TRUE(Ids("skriver").empty());
  EXPECT_TRUE(Ids("slettet").empty());  // the marker is no word of theirs
  EXPECT_TRUE(Findings().empty());
}

TEST_F(TicketWordsTest, ALongDescriptionIsFoundByItsFirstWords) {
  std::string description;
  for (int i = 0; i < 300; ++i) description += "ord" + std::to_string(i) + " ";
  description += std::string(100, 'x');  // a word too long to index
  Put(1, "Skriver", description);
  EXPECT_EQ(Ids("ord0"), (List{"1"}));
  EXPECT_EQ(Ids("ord198"), (List{"1"}));  // the 200th word with the title's
  EXPECT_TRUE(Ids("ord199").empty());
  EXPECT_TRUE(Ids(std::string(100, 'x')).empty());
  EXPECT_TRUE(Findings().empty());
}

TEST_F(TicketWordsTest, TheCheckFindsAStaleOrMissingWordAndRepairMendsIt) {
  Put(1, "Skriver", "Papirstopp");
  Put(2, "Skjerm", "");
  EXPECT_TRUE(Findings().empty());
  Change([&](Txn& txn) {
    ASSERT_TRUE(
        txn.Put(t_.ticket_words, WordPrefix("toner") + Be64(1), "").ok());
    ASSERT_TRUE(txn.Del(t_.ticket_words, WordPrefix("skjerm") + Be64(2)).ok());
  });
  const auto findings = Findings();
  ASSERT_EQ(findings.size(), 2u);
  EXPECT_NE(findings[0].find("a stale entry 'toner' for ticket 1"),
            std::string::npos)
      << findings[0];
  EXPECT_NE(findings[1].find("ticket 2 has 0 of its 1 word entries"),
            std::string::npos)
      << findings[1];
  Change([&](Txn& txn) {
    auto outcome = Repair(
        txn, t_, google::protobuf::util::TimeUtil::SecondsToTimestamp(0), "op");
    ASSERT_TRUE(outcome.ok()) << outcome.status().message();
    EXPECT_TRUE(outcome->after.clean());
  });
  EXPECT_EQ(Ids("skjerm"), (List{"2"}));
  EXPECT_TRUE(Ids("toner").empty());
}

TEST_F(TicketWordsTest, TheUpgradeIndexesAnOlderDatabaseAndGoesOnAfterAStop) {
  for (uint64_t n = 1; n <= 9; ++n)
    Put(n, n % 2 ? "Skriver" : "Skjerm", "Kontor " + std::to_string(n));
  // As schema 10 left it: no words.
  Change([&](Txn& txn) {
    ASSERT_EQ(mdb_drop(txn.get(), t_.ticket_words.dbi, 0), MDB_SUCCESS);
    ASSERT_TRUE(txn.Put(t_.meta, "schema_version", "10").ok());
  });
  EXPECT_TRUE(Ids("skriver").empty());
  // The next start records the new version and the mark, then indexes.
  auto reopened = OpenTables(*env_, {});
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  EXPECT_EQ(Ids("skriver"), (List{"9", "7", "5", "3", "1"}));
  EXPECT_TRUE(Findings().empty());
  {
    auto txn = Txn::BeginRead(*env_);
    EXPECT_EQ(txn->Get(t_.meta, "schema_version")->value(), "13");
    EXPECT_FALSE(txn->Get(t_.meta, kIndexingWords)->has_value());
  }
  // Stopped part-way: the words of tickets 1-4 in, the mark at 5.
  Change([&](Txn& txn) {
    ASSERT_EQ(mdb_drop(txn.get(), t_.ticket_words.dbi, 0), MDB_SUCCESS);
    ASSERT_TRUE(txn.Put(t_.meta, kIndexingWords, Be64(5)).ok());
  });
  Put(10, "Skriver", "");  // a ticket saved meanwhile is indexed by its save
  ASSERT_TRUE(IndexTicketWords(*env_, t_, 0, /*tickets_per_txn=*/2).ok());
  EXPECT_EQ(Ids("skriver"), (List{"10", "9", "7", "5"}));
  EXPECT_EQ(Ids("kontor"), (List{"9", "8", "7", "6", "5"}));
  auto txn = Txn::BeginRead(*env_);
  EXPECT_FALSE(txn->Get(t_.meta, kIndexingWords)->has_value());
}

}  // namespace
}  // namespace helpdesk::store
