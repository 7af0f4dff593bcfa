// Free-text search over tickets (schema 11): the words of a ticket's title
// and description in ticket_words, found as the catalogue's search finds a
// service's (case, æ/ø/å and endings folded), newest first, with the list
// filters, a page at a time; kept in step with every save, erased with the
// personal text, built for an older database by the upgrade, checked and
// rebuilt by the consistency check and the repair.

#include "daemon/store/ticket_words.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <map>

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

  // Every ticket `f` lists, two a page: paging is walked too.
  std::vector<std::string> AllPages(const TicketFilter& f) {
    auto txn = Txn::BeginRead(*env_);
    std::vector<std::string> ids;
    for (uint64_t before = 0;;) {
      auto page = ListTickets(*txn, t_, f, before, 2);
      EXPECT_TRUE(page.ok());
      if (!page.ok()) return ids;
      for (const auto& t : page->tickets) ids.push_back(t.id());
      if (!page->next_before) return ids;
      before = *page->next_before;
    }
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

TEST_F(TicketWordsTest, WordsWorkedOutBeforeTheWriteAreTakenOnlyForTheirText) {
  // As the desk works them out on the thread that took the request.
  const TextWords known = WordsOfText("Skriveren på 2. etasje", "Papirstopp.");
  EXPECT_EQ(known.words, TicketWords([] {
              v1::Ticket t;
              t.set_title("Skriveren på 2. etasje");
              t.set_description("Papirstopp.");
              return t;
            }()));
  auto file = [&](uint64_t n, const std::string& title,
                  const TextWords& words) {
    Change([&](Txn& txn) {
      v1::Ticket ticket;
      ticket.set_id(std::to_string(n));
      ticket.set_title(title);
      ticket.set_description("Papirstopp.");
      ticket.set_municipality("rollag");
      ticket.set_reporter("kari");
      ticket.set_status(v1::TICKET_STATUS_NEW);
      ASSERT_TRUE(PutTicket(txn, t_, nullptr, ticket, &words).ok());
    });
  };
  // Words lent for the very text are what is put (a word the text does
  // not hold shows they were taken, not worked out again)...
  TextWords marked = known;
  ASSERT_EQ(QueryWords("merke").size(), 1u);
  marked.words.push_back(QueryWords("merke").front());
  file(1, "Skriveren på 2. etasje", marked);
  EXPECT_EQ(Ids("merke"), (List{"1"}));
  EXPECT_EQ(Ids("skriver papirstopp"), (List{"1"}));
  // ...and words lent for another text are not: the ticket's own are.
  file(2, "Skjermen er svart", marked);
  EXPECT_EQ(Ids("merke"), (List{"1"}));
  EXPECT_EQ(Ids("skjerm papirstopp"), (List{"2"}));
  EXPECT_EQ(Ids("skriver"), (List{"1"}));
}

TEST_F(TicketWordsTest, ASearchTakesTheListFiltersAndPages) {
  Put(1, "Skriver", "", "rollag");
  Put(2, "Skriver", "", "tinn");
  Put(3, "Skjerm", "", "tinn");
  Put(4, "Skriver", "", "tinn");
  Put(5, "Skriver", "", "rollag");
  Edit(4, [](v1::Ticket& t) {  // closed: no open load to keep
    t.set_status(v1::TICKET_STATUS_RESOLVED);
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
        PutEntry(txn, t_.ticket_words, WordPrefix("toner") + Be64(1)).ok());
    ASSERT_TRUE(
        DelEntry(txn, t_.ticket_words, WordPrefix("skjerm") + Be64(2)).ok());
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
  t_ = *reopened;  // the upgrade to 14 made the tables again
  EXPECT_EQ(Ids("skriver"), (List{"9", "7", "5", "3", "1"}));
  EXPECT_TRUE(Findings().empty());
  {
    auto txn = Txn::BeginRead(*env_);
    EXPECT_EQ(txn->Get(t_.meta, "schema_version")->value(), "16");
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

// Schema 14: ticket_index and ticket_words are tables of numbers, each
// prefix stored once. A schema 13 database held each entry as a key of its
// own: its tables are made again on open and filled from the tickets, and
// every list and search answers as before; a stop part-way goes on.
TEST_F(TicketWordsTest, ASchemaThirteenDatabaseGetsTablesOfNumbersOnOpen) {
  for (uint64_t n = 1; n <= 9; ++n)
    Put(n, n % 2 ? "Skriver" : "Skjerm", "Kontor " + std::to_string(n),
        n % 3 ? "rollag" : "tinn", n % 2 ? "kari" : "ola");
  Edit(4, [](v1::Ticket& t) {  // closed: no open load to keep
    t.set_status(v1::TICKET_STATUS_RESOLVED);
    t.set_assignee("per");
    t.add_followers("kari");
  });
  Edit(7, [](v1::Ticket& t) { t.set_status(v1::TICKET_STATUS_RESOLVED); });
  // What the lists and searches answer, oldest first for the queue.
  auto answers = [&] {
    std::vector<List> out;
    auto ids = [&](const TicketFilter& f) { return AllPages(f); };
    auto filter = [](v1::TicketStatus status, std::string municipality,
                     std::string assignee, std::string reporter = "",
                     bool with_followed = false) {
      TicketFilter f;
      f.status = status;
      f.municipality = std::move(municipality);
      f.assignee = std::move(assignee);
      f.reporter = std::move(reporter);
      f.with_followed = with_followed;
      return f;
    };
    const auto any = v1::TICKET_STATUS_UNSPECIFIED;
    out.push_back(ids({}));
    out.push_back(ids(filter(any, "tinn", "")));
    out.push_back(ids(filter(v1::TICKET_STATUS_NEW, "rollag", "")));
    out.push_back(ids(filter(any, "", "per")));
    out.push_back(ids(filter(any, "", "", "kari")));
    out.push_back(ids(filter(any, "", "", "kari", true)));
    out.push_back(Ids("skriver"));
    out.push_back(Ids("kontor", filter(any, "tinn", "")));
    auto txn = Txn::BeginRead(*env_);
    auto oldest = OldestTickets(*txn, t_, v1::TICKET_STATUS_NEW, 3);
    EXPECT_TRUE(oldest.ok());
    out.emplace_back();
    if (oldest.ok())
      for (const auto& t : *oldest) out.back().push_back(t.id());
    return out;
  };
  const auto before = answers();
  ASSERT_EQ(before[0], (List{"9", "8", "7", "6", "5", "4", "3", "2", "1"}));
  ASSERT_EQ(before[5], (List{"9", "7", "5", "4", "3", "1"}));
  ASSERT_EQ(before[8], (List{"1", "2", "3"}));
  auto flags = [&](Table table) {
    unsigned f = 0;
    auto txn = Txn::BeginRead(*env_);
    EXPECT_EQ(mdb_dbi_flags(txn->get(), table.dbi, &f), MDB_SUCCESS);
    return f & (MDB_DUPSORT | MDB_DUPFIXED);
  };
  EXPECT_EQ(flags(t_.ticket_index), unsigned{MDB_DUPSORT | MDB_DUPFIXED});
  EXPECT_EQ(flags(t_.ticket_words), unsigned{MDB_DUPSORT | MDB_DUPFIXED});
  // As schema 13 stored them: each entry a key of its own.
  Change([&](Txn& txn) {
    for (auto [table, name] : {std::pair{&t_.ticket_index, "ticket_index"},
                               std::pair{&t_.ticket_words, "ticket_words"}}) {
      std::vector<std::string> entries;
      {
        auto cursor = Cursor::Open(txn, *table);
        ASSERT_TRUE(cursor.ok());
        for (auto m = cursor->First(); m.ok() && *m; m = cursor->Next())
          entries.push_back(EntryAt(*cursor));
      }
      ASSERT_FALSE(entries.empty());
      ASSERT_EQ(mdb_drop(txn.get(), table->dbi, 1), MDB_SUCCESS);
      auto plain = txn.OpenTable(name, /*create=*/true);
      ASSERT_TRUE(plain.ok());
      *table = *plain;
      for (const auto& e : entries) ASSERT_TRUE(txn.Put(*table, e, "").ok());
    }
    ASSERT_TRUE(txn.Put(t_.meta, "schema_version", "13").ok());
  });
  ASSERT_EQ(flags(t_.ticket_index), 0u);
  auto reopened = OpenTables(*env_, {});
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  t_ = *reopened;
  EXPECT_EQ(flags(t_.ticket_index), unsigned{MDB_DUPSORT | MDB_DUPFIXED});
  EXPECT_EQ(flags(t_.ticket_words), unsigned{MDB_DUPSORT | MDB_DUPFIXED});
  EXPECT_EQ(answers(), before);
  EXPECT_TRUE(Findings().empty());
  {
    auto txn = Txn::BeginRead(*env_);
    EXPECT_EQ(txn->Get(t_.meta, "schema_version")->value(), "16");
    EXPECT_FALSE(txn->Get(t_.meta, kIndexingTickets)->has_value());
    EXPECT_FALSE(txn->Get(t_.meta, kIndexingWords)->has_value());
  }
  // Stopped part-way: the entries of tickets 1-4 in, the mark at 5.
  Change([&](Txn& txn) {
    ASSERT_EQ(mdb_drop(txn.get(), t_.ticket_index.dbi, 0), MDB_SUCCESS);
    for (uint64_t n = 1; n <= 4; ++n) {
      auto ticket = GetTicket(txn, t_, n);
      ASSERT_TRUE(ticket.ok() && *ticket);
      for (const auto& k : TicketIndexKeys(**ticket, n))
        ASSERT_TRUE(PutEntry(txn, t_.ticket_index, k).ok());
      for (const auto& k : FollowerIndexKeys(**ticket, n))
        ASSERT_TRUE(PutEntry(txn, t_.ticket_index, k).ok());
    }
    ASSERT_TRUE(txn.Put(t_.meta, kIndexingTickets, Be64(5)).ok());
  });
  EXPECT_NE(answers(), before);
  ASSERT_TRUE(IndexTicketNumbers(*env_, t_, 0, /*tickets_per_txn=*/2).ok());
  EXPECT_EQ(answers(), before);
  EXPECT_TRUE(Findings().empty());
  auto txn = Txn::BeginRead(*env_);
  EXPECT_FALSE(txn->Get(t_.meta, kIndexingTickets)->has_value());
}

// Schema 16 keeps a ticket under each list filter alone: the upgrade takes
// schema 15's keys for combinations of status, municipality and assignee
// out of ticket_index, and every list, combined filters too, answers as
// before.
TEST_F(TicketWordsTest, ASchemaFifteenDatabaseLosesItsCombinedKeysOnOpen) {
  for (uint64_t n = 1; n <= 12; ++n)
    Put(n, n % 2 ? "Skriver" : "Skjerm", "Kontor " + std::to_string(n),
        n % 3 ? "rollag" : "tinn", n % 2 ? "kari" : "ola");
  for (uint64_t n : {2, 3, 5, 6, 9, 11})
    Edit(n, [n](v1::Ticket& t) {
      // Not open: no open load to keep.
      t.set_status(n % 2 ? v1::TICKET_STATUS_CLOSED
                         : v1::TICKET_STATUS_RESOLVED);
      t.set_assignee(n < 6 ? "per" : "ola");
    });
  auto ids = [&](v1::TicketStatus status, std::string municipality,
                 std::string assignee, std::string q = "") {
    TicketFilter f;
    f.status = status;
    f.municipality = std::move(municipality);
    f.assignee = std::move(assignee);
    if (!q.empty()) f.words = QueryWords(q);
    return AllPages(f);
  };
  const auto any = v1::TICKET_STATUS_UNSPECIFIED;
  const auto closed = v1::TICKET_STATUS_CLOSED;
  const auto fresh = v1::TICKET_STATUS_NEW;
  auto answers = [&] {
    return std::vector<List>{ids(any, "", ""),
                             ids(fresh, "", ""),
                             ids(any, "tinn", ""),
                             ids(any, "", "per"),
                             ids(fresh, "rollag", ""),
                             ids(closed, "", "ola"),
                             ids(any, "tinn", "ola"),
                             ids(closed, "rollag", "per"),
                             ids(closed, "tinn", "per"),
                             ids(v1::TICKET_STATUS_RESOLVED, "tinn", "per"),
                             ids(fresh, "tinn", "", "kontor")};
  };
  const auto before = answers();
  ASSERT_EQ(before[4], (List{"10", "8", "7", "4", "1"}));
  ASSERT_EQ(before[5], (List{"11", "9"}));
  ASSERT_EQ(before[6], (List{"9", "6"}));
  ASSERT_EQ(before[7], (List{"5"}));
  ASSERT_EQ(before[8], (List{"3"}));
  ASSERT_TRUE(before[9].empty());
  ASSERT_EQ(before[10], (List{"12"}));
  // The ticket_index entries by the first byte of their keys.
  auto entries_by_kind = [&] {
    std::map<int, size_t> kinds;
    auto txn = Txn::BeginRead(*env_);
    auto cursor = Cursor::Open(*txn, t_.ticket_index);
    EXPECT_TRUE(cursor.ok());
    for (auto m = cursor->First(); m.ok() && *m; m = cursor->Next())
      ++kinds[static_cast<uint8_t>(cursor->key()[0])];
    return kinds;
  };
  const auto kinds = entries_by_kind();
  EXPECT_EQ(kinds.at(0), 12u);
  EXPECT_EQ(kinds.at(4), 12u);
  EXPECT_EQ(kinds.count(3) + kinds.count(5) + kinds.count(7), 0u);
  // As schema 15 stored them: also under each combination.
  Change([&](Txn& txn) {
    for (uint64_t n = 1; n <= 12; ++n) {
      auto ticket = GetTicket(txn, t_, n);
      ASSERT_TRUE(ticket.ok() && *ticket);
      for (uint8_t mask : {3, 5, 6, 7}) {
        std::string key(1, static_cast<char>(mask));
        if (mask & 1) key += static_cast<char>((*ticket)->status());
        if (mask & 2) key += (*ticket)->municipality() + '\0';
        if (mask & 4) key += (*ticket)->assignee() + '\0';
        ASSERT_TRUE(PutEntry(txn, t_.ticket_index, key + Be64(n)).ok());
      }
    }
    ASSERT_TRUE(txn.Put(t_.meta, "schema_version", "15").ok());
  });
  EXPECT_EQ(entries_by_kind().at(7), 12u);
  // This build's check finds them stale; its repair would drop them too.
  EXPECT_FALSE(Findings().empty());
  auto reopened = OpenTables(*env_, {});
  ASSERT_TRUE(reopened.ok()) << reopened.status().message();
  t_ = *reopened;
  EXPECT_EQ(entries_by_kind(), kinds);
  EXPECT_EQ(answers(), before);
  EXPECT_TRUE(Findings().empty());
  auto txn = Txn::BeginRead(*env_);
  EXPECT_EQ(txn->Get(t_.meta, "schema_version")->value(), "16");
}

// Filters common alone and rare together: a list by two walks both
// ranges, and with a bound on its steps says where to go on, missing
// nothing.
TEST_F(TicketWordsTest, ABoundedListByTwoFiltersMissesNothing) {
  // The odd tickets are rollag's, the even ones tinn's; per has 30 and 70
  // and every odd one.
  for (uint64_t n = 1; n <= 100; ++n)
    Put(n, "Skriver", "Toner", n % 2 ? "rollag" : "tinn");
  for (uint64_t n = 1; n <= 100; ++n)
    if (n % 2 || n == 30 || n == 70)
      Edit(n, [](v1::Ticket& t) {
        t.set_status(v1::TICKET_STATUS_ASSIGNED);
        t.set_assignee("per");
      });
  TicketFilter f;
  f.municipality = "tinn";
  f.assignee = "per";
  // Odd: some pages stop with a match found but not yet confirmed by
  // every range, which the next page must not miss.
  f.search_steps = 7;
  List found;
  uint64_t before = 0;
  int pages = 0;
  auto txn = Txn::BeginRead(*env_);
  do {
    auto page = ListTickets(*txn, t_, f, before, 3);
    ASSERT_TRUE(page.ok());
    for (const auto& t : page->tickets) found.push_back(t.id());
    before = page->next_before.value_or(0);
    ASSERT_LT(++pages, 200);
  } while (before != 0);
  EXPECT_EQ(found, (List{"70", "30"}));
  EXPECT_GT(pages, 10);  // the bound did stop pages early
  f.search_steps = 0;
  auto whole = ListTickets(*txn, t_, f, 0, 3);
  ASSERT_TRUE(whole.ok());
  ASSERT_EQ(whole->tickets.size(), 2u);
  EXPECT_FALSE(whole->next_before.has_value());
}

}  // namespace
}  // namespace helpdesk::store
