// The report_cells table: kept with each ticket, its keys, and the upgrade
// of a schema 8 database, which had none: made from the tickets on open.

#include "daemon/store/report_cells.h"

#include <gtest/gtest.h>

#include "tests/store/store_fixture.h"

namespace helpdesk::store {
namespace {

// 2026-01-01T00:00:00Z.
constexpr int64_t kNewYear = 1767225600;

v1::Ticket TicketAt(int n, int64_t created, const char* assignee,
                    v1::SlaClockState response) {
  v1::Ticket t;
  t.set_id(std::to_string(n));
  t.set_title("Sak");
  t.set_municipality("rollag");
  t.set_service_id("skrivere-og-utskrift");
  t.set_priority(v1::PRIORITY_NORMAL);
  t.set_status(v1::TICKET_STATUS_ASSIGNED);
  t.set_assignee(assignee);
  t.mutable_created_at()->set_seconds(created);
  auto* c = t.mutable_sla()->mutable_first_response();
  c->set_state(response);
  c->set_target_seconds(3600);
  c->set_elapsed_seconds(600 * n);
  t.mutable_sla()->mutable_resolution()->set_state(v1::SLA_CLOCK_STATE_RUNNING);
  t.mutable_sla()->mutable_resolution()->set_counting(true);
  return t;
}

class ReportCellsTable : public StoreFixture {
 protected:
  void SetUp() override { OpenStore(); }

  std::map<std::string, reports::Cell> Stored() {
    std::map<std::string, reports::Cell> out;
    auto txn = Txn::BeginRead(*env_);
    for (Period p : {Period::kDay, Period::kMonth, Period::kYear,
                     Period::kMonthByAssignee})
      EXPECT_TRUE(
          ForEachReportCell(*txn, t_, p, 0, 1 << 30, [&](reports::Cell&& c) {
            out[ReportCellKey(p, c.key)] = c;
          }).ok());
    return out;
  }

  std::map<std::string, reports::Cell> Expected() {
    auto txn = Txn::BeginRead(*env_);
    auto e = ExpectedReportCells(*txn, t_);
    EXPECT_TRUE(e.ok());
    return *e;
  }
};

TEST_F(ReportCellsTable, KeptWithEachTicketAndMovedWhenItChanges) {
  // 31 December 23:30 in Oslo is still 2025; 00:30 is 2026.
  v1::Ticket a =
      TicketAt(1, kNewYear - 3600 - 1800, "kari", v1::SLA_CLOCK_STATE_MET);
  v1::Ticket b = TicketAt(2, kNewYear - 1800, "kari", v1::SLA_CLOCK_STATE_MET);
  Change([&](Txn& txn) {
    ASSERT_TRUE(PutTicket(txn, t_, nullptr, a).ok());
    ASSERT_TRUE(PutTicket(txn, t_, nullptr, b).ok());
  });
  auto cells = Stored();
  EXPECT_EQ(cells.size(), 8u)
      << "a day, a month, a year and a month by assignee each";
  EXPECT_EQ(cells, Expected());
  const int32_t day_a = reports::OsloDay(
      std::chrono::sys_seconds(std::chrono::seconds(kNewYear - 3600 - 1800)));
  EXPECT_EQ(PeriodStart(Period::kYear, day_a + 1), day_a + 1)
      << "b is on New Year's Day in Oslo";

  // Reassigned: out of kari's day, month and month-by-assignee cells, into
  // ola's; kari's emptied go. A year's cells are not by assignee: 2026's
  // stays.
  v1::Ticket moved = b;
  moved.set_assignee("ola");
  Change([&](Txn& txn) { ASSERT_TRUE(PutTicket(txn, t_, &b, moved).ok()); });
  cells = Stored();
  EXPECT_EQ(cells, Expected());
  size_t ola = 0;
  for (const auto& [key, cell] : cells) ola += cell.key.assignee == "ola";
  EXPECT_EQ(ola, 3u);
  EXPECT_EQ(cells.size(), 8u);
  size_t by_assignee = 0;
  for (const auto& [key, cell] : cells) {
    if (key[0] != static_cast<char>(Period::kMonthByAssignee)) continue;
    ++by_assignee;
    EXPECT_EQ(cell.key.municipality, "");
    EXPECT_EQ(cell.key.service_id, "");
    EXPECT_EQ(cell.key.priority, 0);
    EXPECT_EQ(cell.tickets, 1u);
  }
  EXPECT_EQ(by_assignee, 2u) << "kari's December, ola's January";
}

TEST_F(ReportCellsTable, KeysRoundTripAndSortByPeriodThenDay) {
  reports::CellKey k{.day = 20558,
                     .municipality = "nore-og-uvdal",
                     .service_id = "e-post",
                     .priority = 2,
                     .assignee = "gunn.heggelund"};
  Period p;
  reports::CellKey back;
  ASSERT_TRUE(ParseReportCellKey(ReportCellKey(Period::kMonth, k), p, back));
  EXPECT_EQ(p, Period::kMonth);
  EXPECT_EQ(back, k);
  reports::CellKey later = k;
  later.day += 1;
  later.municipality = "a";
  EXPECT_LT(ReportCellKey(Period::kDay, k), ReportCellKey(Period::kDay, later));
  EXPECT_LT(ReportCellKey(Period::kDay, later),
            ReportCellKey(Period::kMonth, k));
  EXPECT_FALSE(ParseReportCellKey("\x01\x00\x00", p, back));
  // A month's by assignee: the rest of the key empty.
  const reports::CellKey alone = KeyIn(Period::kMonthByAssignee, k);
  EXPECT_EQ(alone.day, 20544);  // 2026-04-01
  ASSERT_TRUE(ParseReportCellKey(ReportCellKey(Period::kMonthByAssignee, alone),
                                 p, back));
  EXPECT_EQ(p, Period::kMonthByAssignee);
  EXPECT_EQ(back, alone);
  EXPECT_EQ(back.assignee, "gunn.heggelund");
  EXPECT_EQ(back.municipality, "");
  // Months and years: their first and next first days.
  const int32_t feb15 = 20499;                           // 2026-02-15
  EXPECT_EQ(PeriodStart(Period::kMonth, feb15), 20485);  // 2026-02-01
  EXPECT_EQ(PeriodEnd(Period::kMonth, feb15), 20513);    // 2026-03-01
  EXPECT_EQ(PeriodStart(Period::kYear, feb15), 20454);   // 2026-01-01
  EXPECT_EQ(PeriodEnd(Period::kYear, feb15), 20819);     // 2027-01-01
}

TEST_F(ReportCellsTable, ASchemaEightDatabaseGetsItsCellsOnOpen) {
  Change([&](Txn& txn) {
    for (int n = 1; n <= 40; ++n) {
      v1::Ticket ticket = TicketAt(
          n, kNewYear + n * 86400 * 9, n % 3 ? "kari" : "",
          n % 4 ? v1::SLA_CLOCK_STATE_MET : v1::SLA_CLOCK_STATE_BREACHED);
      ASSERT_TRUE(PutTicket(txn, t_, nullptr, ticket).ok());
    }
  });
  const auto before = Stored();
  ASSERT_FALSE(before.empty());
  // As version 8 left it: no cells.
  Change([&](Txn& txn) {
    ASSERT_EQ(mdb_drop(txn.get(), t_.report_cells.dbi, 0), MDB_SUCCESS);
    ASSERT_TRUE(txn.Put(t_.meta, "schema_version", "8").ok());
  });
  ASSERT_TRUE(Stored().empty());
  auto tables = OpenTables(*env_, {});
  ASSERT_TRUE(tables.ok()) << tables.status().message();
  t_ = *tables;
  auto txn = Txn::BeginRead(*env_);
  EXPECT_EQ(txn->Get(t_.meta, "schema_version")->value(),
            std::to_string(kSchemaVersion));
  EXPECT_EQ(kSchemaVersion, 16);
  EXPECT_EQ(Stored(), before);
}

TEST_F(ReportCellsTable, ASchemaElevenDatabaseGetsItsMonthsByAssigneeOnOpen) {
  Change([&](Txn& txn) {
    for (int n = 1; n <= 40; ++n) {
      v1::Ticket ticket = TicketAt(
          n, kNewYear + n * 86400 * 5, n % 3 ? (n % 2 ? "kari" : "ola") : "",
          n % 4 ? v1::SLA_CLOCK_STATE_MET : v1::SLA_CLOCK_STATE_BREACHED);
      ASSERT_TRUE(PutTicket(txn, t_, nullptr, ticket).ok());
    }
  });
  const auto before = Stored();
  ASSERT_EQ(before, Expected());
  // As version 11 left it: no cells of a month by assignee, and a stray
  // one (a damaged upgrade) that the upgrade replaces.
  std::vector<std::string> months_by_assignee;
  for (const auto& [key, cell] : before)
    if (key[0] == static_cast<char>(Period::kMonthByAssignee))
      months_by_assignee.push_back(key);
  ASSERT_GE(months_by_assignee.size(), 12u) << "eight months, three people";
  Change([&](Txn& txn) {
    for (const auto& key : months_by_assignee)
      ASSERT_TRUE(txn.Del(t_.report_cells, key).ok());
    reports::Cell stray;
    stray.key =
        KeyIn(Period::kMonthByAssignee, reports::CellKey{.day = 20500,
                                                         .municipality = {},
                                                         .service_id = {},
                                                         .priority = 0,
                                                         .assignee = "nils"});
    stray.tickets = 3;
    ASSERT_TRUE(txn.Put(t_.report_cells,
                        ReportCellKey(Period::kMonthByAssignee, stray.key),
                        reports::EncodeCell(stray))
                    .ok());
    ASSERT_TRUE(txn.Put(t_.meta, "schema_version", "11").ok());
  });
  ASSERT_NE(Stored(), before);
  auto tables = OpenTables(*env_, {});
  ASSERT_TRUE(tables.ok()) << tables.status().message();
  t_ = *tables;
  auto txn = Txn::BeginRead(*env_);
  EXPECT_EQ(txn->Get(t_.meta, "schema_version")->value(), "16");
  EXPECT_EQ(Stored(), before);
}

}  // namespace
}  // namespace helpdesk::store
