#include "daemon/reports/sla_report.h"

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <map>
#include <numeric>
#include <random>

#include "daemon/reports/report_csv.h"

namespace helpdesk::reports {
namespace {

using std::chrono::hours;
using std::chrono::seconds;
using std::chrono::sys_seconds;

// 2026-04-15T08:00:00Z
const sys_seconds kT0{seconds{1776240000}};

v1::Region TestRegion() {
  v1::Region r;
  auto add = [&](const char* id, const char* name, uint32_t pop) {
    auto* m = r.add_municipalities();
    m->set_id(id);
    m->set_name(name);
    m->set_population(pop);
  };
  add("kongsberg", "Kongsberg", 28000);
  add("rollag", "Rollag", 1400);
  add("tinn", "Tinn", 5800);
  return r;
}

// A clock on the 24x7 calendar (business time = wall time).
v1::SlaClock Clock(v1::SlaClockState state, int64_t target, int64_t elapsed,
                   bool counting, sys_seconds since) {
  v1::SlaClock c;
  c.set_target_seconds(target);
  c.set_calendar("24x7");
  c.set_state(state);
  c.set_counting(counting);
  c.set_elapsed_seconds(elapsed);
  c.mutable_since()->set_seconds(since.time_since_epoch().count());
  return c;
}

v1::SlaClock Met(int64_t elapsed) {
  return Clock(v1::SLA_CLOCK_STATE_MET, 3600, elapsed, false, kT0);
}
v1::SlaClock BreachedStopped(int64_t elapsed) {
  return Clock(v1::SLA_CLOCK_STATE_BREACHED, 3600, elapsed, false, kT0);
}
v1::SlaClock Running(sys_seconds since) {
  return Clock(v1::SLA_CLOCK_STATE_RUNNING, 3600, 0, true, since);
}

int next_id = 1;

v1::Ticket MakeTicket(const std::string& muni, const std::string& service,
                      v1::Priority priority, sys_seconds created,
                      v1::SlaClock response, v1::SlaClock resolution,
                      const std::string& assignee = "") {
  v1::Ticket t;
  t.set_id(std::to_string(next_id++));
  t.set_municipality(muni);
  t.set_service_id(service);
  t.set_priority(priority);
  t.set_assignee(assignee);
  t.mutable_created_at()->set_seconds(created.time_since_epoch().count());
  *t.mutable_sla()->mutable_first_response() = response;
  *t.mutable_sla()->mutable_resolution() = resolution;
  return t;
}

class SlaReportTest : public ::testing::Test {
 protected:
  v1::SlaReport Build(GroupBy by, CostKey cost = {}) {
    SlaReportInput in;
    in.from = kT0 - hours(24 * 60);
    in.to = kT0 + hours(24);
    in.now = kT0 + hours(2);
    in.group_by = by;
    in.cost = cost;
    return BuildSlaReport(tickets_, region_, names_, book_, in);
  }

  v1::Region region_ = TestRegion();
  std::map<std::string, std::string> names_{{"printer", "Skriver"},
                                            {"email", "E-post"}};
  sla::PolicyBook book_{sla::DefaultPolicy()};
  std::vector<v1::Ticket> tickets_{
      // Kongsberg, printer: response met at 600 s and 1200 s, one still
      // running since T0 (2 h at now: past its 1 h target -> breached).
      MakeTicket("kongsberg", "printer", v1::PRIORITY_HIGH, kT0, Met(600),
                 Met(3000), "kari"),
      MakeTicket("kongsberg", "printer", v1::PRIORITY_HIGH, kT0, Met(1200),
                 BreachedStopped(7200), "kari"),
      MakeTicket("kongsberg", "printer", v1::PRIORITY_NORMAL, kT0, Running(kT0),
                 Running(kT0)),
      // Rollag, printer: response met at 3000 s; resolution running since
      // T0 + 90 min (30 min at now: open).
      MakeTicket("rollag", "printer", v1::PRIORITY_HIGH, kT0 - hours(24 * 31),
                 Met(3000), Running(kT0 + hours(1) + std::chrono::minutes(30)),
                 "ola"),
      // Rollag, email: breached and stopped.
      MakeTicket("rollag", "email", v1::PRIORITY_CRITICAL, kT0,
                 BreachedStopped(5000), BreachedStopped(9000), "ola"),
      // Outside [from, to): ignored.
      MakeTicket("tinn", "email", v1::PRIORITY_LOW, kT0 + hours(48), Met(1),
                 Met(1)),
  };
};

TEST(NearestRankTest, PicksTheValueAtRankCeilPN) {
  std::vector<int64_t> v{50, 10, 40, 20, 30};
  EXPECT_EQ(NearestRank(v, 0.5), 30);  // rank 3 of 5
  EXPECT_EQ(NearestRank(v, 0.9), 50);  // rank 5
  std::vector<int64_t> four{1, 2, 3, 4};
  EXPECT_EQ(NearestRank(four, 0.5), 2);  // rank 2 of 4
  std::vector<int64_t> ten(10);
  std::iota(ten.begin(), ten.end(), 1);
  EXPECT_EQ(NearestRank(ten, 0.9), 9);
  std::vector<int64_t> none;
  EXPECT_EQ(NearestRank(none, 0.5), 0);
}

TEST_F(SlaReportTest, CountsAttainmentPerMunicipality) {
  auto r = Build(GroupBy::kMunicipality);
  EXPECT_EQ(r.tickets(), 5u);
  EXPECT_EQ(r.group_by(), "municipality");
  ASSERT_EQ(r.rows_size(), 3);  // every municipality, in region order
  const auto& kb = r.rows(0);
  EXPECT_EQ(kb.key(), "kongsberg");
  EXPECT_EQ(kb.name(), "Kongsberg");
  EXPECT_EQ(kb.tickets(), 3u);
  EXPECT_EQ(kb.first_response().met(), 2u);
  EXPECT_EQ(kb.first_response().breached(), 1u);  // running past target
  EXPECT_EQ(kb.first_response().open(), 0u);
  EXPECT_EQ(kb.first_response().stopped(), 2u);
  EXPECT_EQ(kb.first_response().median_seconds(), 600);
  EXPECT_EQ(kb.first_response().p90_seconds(), 1200);
  EXPECT_EQ(kb.resolution().met(), 1u);
  EXPECT_EQ(kb.resolution().breached(), 2u);
  EXPECT_EQ(kb.resolution().median_seconds(), 3000);
  EXPECT_EQ(kb.resolution().p90_seconds(), 7200);

  const auto& ro = r.rows(1);
  EXPECT_EQ(ro.key(), "rollag");
  EXPECT_EQ(ro.first_response().met(), 1u);
  EXPECT_EQ(ro.first_response().breached(), 1u);
  EXPECT_EQ(ro.resolution().open(), 1u);
  EXPECT_EQ(ro.resolution().breached(), 1u);
  EXPECT_EQ(ro.resolution().median_seconds(), 9000);

  EXPECT_EQ(r.rows(2).key(), "tinn");
  EXPECT_EQ(r.rows(2).tickets(), 0u);

  EXPECT_EQ(r.total().tickets(), 5u);
  EXPECT_EQ(r.total().first_response().met(), 3u);
  EXPECT_EQ(r.total().first_response().breached(), 2u);
  // Stopped responses 600, 1200, 3000, 5000: median rank 2, p90 rank 4.
  EXPECT_EQ(r.total().first_response().median_seconds(), 1200);
  EXPECT_EQ(r.total().first_response().p90_seconds(), 5000);
}

TEST_F(SlaReportTest, GroupsByService) {
  auto r = Build(GroupBy::kService);
  ASSERT_EQ(r.rows_size(), 2);
  EXPECT_EQ(r.rows(0).key(), "email");
  EXPECT_EQ(r.rows(0).name(), "E-post");
  EXPECT_EQ(r.rows(0).tickets(), 1u);
  EXPECT_EQ(r.rows(1).key(), "printer");
  EXPECT_EQ(r.rows(1).tickets(), 4u);
}

TEST_F(SlaReportTest, GroupsByPriorityWithEveryPriority) {
  auto r = Build(GroupBy::kPriority);
  ASSERT_EQ(r.rows_size(), 4);
  EXPECT_EQ(r.rows(0).key(), "critical");
  EXPECT_EQ(r.rows(0).tickets(), 1u);
  EXPECT_EQ(r.rows(1).key(), "high");
  EXPECT_EQ(r.rows(1).tickets(), 3u);
  EXPECT_EQ(r.rows(2).key(), "normal");
  EXPECT_EQ(r.rows(2).tickets(), 1u);
  EXPECT_EQ(r.rows(3).key(), "low");
  EXPECT_EQ(r.rows(3).tickets(), 0u);
}

TEST_F(SlaReportTest, GroupsByAssigneeWithUnassigned) {
  auto r = Build(GroupBy::kAssignee);
  ASSERT_EQ(r.rows_size(), 3);
  EXPECT_EQ(r.rows(0).key(), "kari");
  EXPECT_EQ(r.rows(0).tickets(), 2u);
  EXPECT_EQ(r.rows(1).key(), "ola");
  EXPECT_EQ(r.rows(1).tickets(), 2u);
  EXPECT_EQ(r.rows(2).key(), "unassigned");
  EXPECT_EQ(r.rows(2).tickets(), 1u);
}

TEST_F(SlaReportTest, GroupsByOsloMonth) {
  // 2026-03-31T22:30Z is already April 1st in Oslo (summer time).
  tickets_.push_back(MakeTicket("tinn", "email", v1::PRIORITY_LOW,
                                sys_seconds{seconds{1774996200}}, Met(1),
                                Met(1)));
  auto r = Build(GroupBy::kMonth);
  ASSERT_EQ(r.rows_size(), 2);
  EXPECT_EQ(r.rows(0).key(), "2026-03");
  EXPECT_EQ(r.rows(0).tickets(), 1u);
  EXPECT_EQ(r.rows(1).key(), "2026-04");
  EXPECT_EQ(r.rows(1).tickets(), 5u);
}

TEST_F(SlaReportTest, EqualServiceShowsMunicipalitiesSideBySide) {
  auto r = Build(GroupBy::kMunicipality);
  ASSERT_EQ(r.equal_service_size(), 2);
  const auto& printer = r.equal_service(1);
  EXPECT_EQ(printer.service_id(), "printer");
  EXPECT_EQ(printer.service_name(), "Skriver");
  ASSERT_EQ(printer.municipalities_size(), 2);
  EXPECT_EQ(printer.municipalities(0).municipality(), "kongsberg");
  EXPECT_EQ(printer.municipalities(0).first_response().median_seconds(), 600);
  EXPECT_EQ(printer.municipalities(1).municipality(), "rollag");
  EXPECT_EQ(printer.municipalities(1).first_response().median_seconds(), 3000);
  EXPECT_EQ(printer.first_response_median_spread_seconds(), 2400);
  // Rollag has no stopped resolution of the printer: no spread.
  EXPECT_EQ(printer.resolution_median_spread_seconds(), 0);
}

// Many cells and many stopped times, skewed (most clocks stop within the
// hour, some after weeks, a few after years or absurdly late; many stop at
// 0 s or at the same second): the medians and 90th percentiles of the
// total, of every row and of every equal-service cell are exactly the
// nearest-rank ones of the times the cells hold, for both clocks. The
// same with the rows from other cells of the same tickets (a report by
// month reads cells by month and assignee alone).
TEST(SlaReportManyCellsTest, PercentilesAreExactOverManyCellsAndSkewedTimes) {
  std::mt19937_64 random(16);
  const v1::Region region = TestRegion();
  const std::vector<std::string> services = {"printer", "email", "vpn"};
  std::vector<Cell> cells;  // by municipality and service
  std::map<std::pair<std::string, std::string>, std::vector<int64_t>> times;
  std::vector<int64_t> all;
  auto resolved = times;
  std::vector<int64_t> all_resolved;
  const auto time = [&random]() -> int64_t {
    const uint64_t pick = random() % 1000;
    if (pick < 200) return 0;
    if (pick < 300) return 1800;
    if (pick < 900) return static_cast<int64_t>(random() % 3600);
    if (pick < 995) return static_cast<int64_t>(random() % (30 * 86400));
    if (pick < 999) return static_cast<int64_t>(random() % (5LL * 365 * 86400));
    return static_cast<int64_t>(random() >> 1);  // up to INT64_MAX
  };
  for (int day = 0; day < 400; ++day)
    for (const auto& m : region.municipalities())
      for (const auto& service : services) {
        Cell c;
        c.key.day = 20000 + day;
        c.key.municipality = m.id();
        c.key.service_id = service;
        c.tickets = 1 + static_cast<uint32_t>(random() % 40);
        // Tinn's VPN clocks mostly stop at once: its median is 0 s.
        const bool at_once = m.id() == "tinn" && service == "vpn";
        for (uint32_t i = 0; i < c.tickets; ++i) {
          const int64_t t = at_once && random() % 10 < 7 ? 0 : time();
          c.response.stopped.push_back(t);
          ++c.response.met;
          times[{m.id(), service}].push_back(t);
          all.push_back(t);
          if (i % 3 == 0) {  // a third of them resolved
            const int64_t r = time();
            c.resolution.stopped.push_back(r);
            ++c.resolution.met;
            resolved[{m.id(), service}].push_back(r);
            all_resolved.push_back(r);
          } else {
            ++c.resolution.open;
          }
        }
        std::sort(c.response.stopped.begin(), c.response.stopped.end());
        std::sort(c.resolution.stopped.begin(), c.resolution.stopped.end());
        cells.push_back(std::move(c));
      }
  ASSERT_GT(all.size(), 50'000u);
  SlaReportInput in;
  in.from = sys_seconds{std::chrono::days(20000)};
  in.to = sys_seconds{std::chrono::days(20400)};
  in.now = in.to;
  in.group_by = GroupBy::kMunicipality;
  const std::map<std::string, std::string> names;
  const auto expect_exact = [](const v1::SlaAttainment& a,
                               std::vector<int64_t> values,
                               const std::string& what) {
    ASSERT_EQ(a.stopped(), values.size()) << what;
    std::vector<int64_t> copy = values;
    EXPECT_EQ(a.median_seconds(), NearestRank(copy, 0.5)) << what;
    EXPECT_EQ(a.p90_seconds(), NearestRank(values, 0.9)) << what;
  };

  const v1::SlaReport r = BuildSlaReport(cells, region, names, in);
  expect_exact(r.total().first_response(), all, "total");
  expect_exact(r.total().resolution(), all_resolved, "total resolution");
  for (const auto& row : r.rows()) {
    std::vector<int64_t> values, resolution;
    for (const auto& service : services) {
      const auto& v = times[{row.key(), service}];
      values.insert(values.end(), v.begin(), v.end());
      const auto& w = resolved[{row.key(), service}];
      resolution.insert(resolution.end(), w.begin(), w.end());
    }
    expect_exact(row.first_response(), values, "row " + row.key());
    expect_exact(row.resolution(), resolution, "resolution " + row.key());
  }
  ASSERT_EQ(r.equal_service_size(), 3);
  EXPECT_EQ(
      r.equal_service(2).municipalities(2).first_response().median_seconds(),
      0);
  for (const auto& s : r.equal_service())
    for (const auto& m : s.municipalities()) {
      expect_exact(m.first_response(),
                   times[{m.municipality(), s.service_id()}],
                   s.service_id() + " in " + m.municipality());
      expect_exact(m.resolution(), resolved[{m.municipality(), s.service_id()}],
                   s.service_id() + " resolved in " + m.municipality());
    }

  // Rows by municipality from cells of a month each, without service.
  std::map<std::pair<int32_t, std::string>, Cell> by_month;
  for (const Cell& c : cells) {
    Cell& into = by_month[{(c.key.day - 20000) / 30, c.key.municipality}];
    into.key.day = 20000 + (c.key.day - 20000) / 30 * 30;
    into.key.municipality = c.key.municipality;
    AddTo(into, c);
  }
  std::vector<Cell> rows;
  for (auto& [key, c] : by_month) rows.push_back(std::move(c));
  const v1::SlaReport again = BuildSlaReport(cells, rows, region, names, in);
  std::string diff;
  google::protobuf::util::MessageDifferencer d;
  d.ReportDifferencesToString(&diff);
  EXPECT_TRUE(d.Compare(r, again)) << diff;
}

double SumShares(const v1::SlaReport& r) {
  double sum = 0;
  for (const auto& row : r.volume()) sum += row.share_percent();
  return sum;
}

TEST_F(SlaReportTest, CostSplitByVolume) {
  auto r = Build(
      GroupBy::kMunicipality,
      {.fixed_share = 0.4, .variable = Variable::kVolume, .amount = 1'000'000});
  ASSERT_EQ(r.volume_size(), 3);
  // Fixed 40 % / 3 each; variable 60 % by 3, 2 and 0 of 5 tickets.
  EXPECT_NEAR(r.volume(0).fixed_percent(), 40.0 / 3, 1e-9);
  EXPECT_NEAR(r.volume(0).variable_percent(), 36.0, 1e-9);
  EXPECT_NEAR(r.volume(1).variable_percent(), 24.0, 1e-9);
  EXPECT_NEAR(r.volume(2).variable_percent(), 0.0, 1e-9);
  EXPECT_NEAR(SumShares(r), 100.0, 1e-9);
  EXPECT_NEAR(r.volume(2).share_kroner(), 1'000'000 * 0.4 / 3, 1e-6);
  EXPECT_EQ(r.volume(0).tickets(), 3u);
  ASSERT_EQ(r.volume(1).services_size(), 2);
  EXPECT_EQ(r.volume(1).services(0).service_id(), "email");
  EXPECT_EQ(r.cost_key().variable(), "volume");
}

TEST_F(SlaReportTest, CostSplitByPopulation) {
  auto r = Build(GroupBy::kMunicipality, {.fixed_share = 0.5,
                                          .variable = Variable::kPopulation,
                                          .amount = std::nullopt});
  const double pop = 28000 + 1400 + 5800;
  EXPECT_NEAR(r.volume(1).share_percent(), 100 * (0.5 / 3 + 0.5 * 1400 / pop),
              1e-9);
  EXPECT_NEAR(SumShares(r), 100.0, 1e-9);
  EXPECT_EQ(r.volume(0).share_kroner(), 0);  // no amount given
}

TEST_F(SlaReportTest, CostSplitWithoutWeightsIsEqual) {
  tickets_.clear();
  auto r = Build(GroupBy::kMunicipality);
  EXPECT_NEAR(r.volume(0).share_percent(), 100.0 / 3, 1e-9);
  EXPECT_NEAR(SumShares(r), 100.0, 1e-9);
}

TEST_F(SlaReportTest, CsvTables) {
  auto r =
      Build(GroupBy::kMunicipality,
            {.fixed_share = 0.4, .variable = Variable::kVolume, .amount = 100});
  std::string group = GroupCsv(r);
  EXPECT_EQ(group.substr(0, group.find("\r\n")),
            "municipality,name,tickets,first_response_met,"
            "first_response_breached,first_response_open,"
            "first_response_median_seconds,first_response_p90_seconds,"
            "resolution_met,resolution_breached,resolution_open,"
            "resolution_median_seconds,resolution_p90_seconds");
  EXPECT_NE(group.find("\r\nkongsberg,Kongsberg,3,2,1,0,600,1200,1,2,0,3000,"
                       "7200\r\n"),
            std::string::npos);
  std::string volume = VolumeCsv(r);
  EXPECT_EQ(volume.substr(0, volume.find("\r\n")),
            "municipality,name,tickets,population,service:email,"
            "service:printer,fixed_percent,variable_percent,share_percent,"
            "fixed_kroner,variable_kroner,share_kroner");
  EXPECT_NE(volume.find("\r\nrollag,Rollag,2,1400,1,1,13.3333,24.0000,"
                        "37.3333,13.33,24.00,37.33\r\n"),
            std::string::npos);
  std::string equal = EqualServiceCsv(r);
  EXPECT_NE(equal.find("\r\nprinter,Skriver,rollag,1,"), std::string::npos);
}

TEST_F(SlaReportTest, CsvQuotesNamesWithCommasAndQuotes) {
  names_["printer"] = "Skriver, \"felles\"";
  std::string csv = GroupCsv(Build(GroupBy::kService));
  EXPECT_NE(csv.find("\r\nprinter,\"Skriver, \"\"felles\"\"\",4,"),
            std::string::npos)
      << csv;
}

TEST(ReportCsvTest, TextThatLooksLikeAFormulaIsPrefixedNumbersAreNot) {
  // Service and municipality names come from clients; a spreadsheet opening
  // the export must show them, not run them (OWASP CSV injection).
  v1::SlaReport report;
  report.set_group_by("service");
  const std::pair<const char*, const char*> cells[] = {
      {"=HYPERLINK(\"http://x\")", "\"'=HYPERLINK(\"\"http://x\"\")\""},
      {"+47 99", "'+47 99"},
      {"-2+3", "'-2+3"},
      {"@SUM(A1)", "'@SUM(A1)"},
      {"\t=1", "'\t=1"},
      {"=1,2", "\"'=1,2\""},  // quoted, the prefix inside the quotes
      {"a=b", "a=b"},
      {"Skriver", "Skriver"},
  };
  for (const auto& [name, _] : cells) {
    auto* row = report.add_rows();
    row->set_key("svc");
    row->set_name(name);
    row->set_tickets(1);
    // Impossible in a real report, but a number column: stays a number.
    row->mutable_first_response()->set_median_seconds(-5);
  }
  const std::string csv = GroupCsv(report);
  for (const auto& [name, want] : cells) {
    EXPECT_NE(csv.find("\r\nsvc," + std::string(want) + ",1,0,0,0,-5,"),
              std::string::npos)
        << name << " in:\n"
        << csv;
  }
}

TEST(SlaReportParseTest, NamesRoundTrip) {
  for (auto by : {GroupBy::kMunicipality, GroupBy::kService, GroupBy::kPriority,
                  GroupBy::kAssignee, GroupBy::kMonth})
    EXPECT_EQ(ParseGroupBy(GroupByName(by)), by);
  EXPECT_FALSE(ParseGroupBy("kommune"));
  EXPECT_EQ(ParseVariable("population"), Variable::kPopulation);
  EXPECT_FALSE(ParseVariable("users"));
}

}  // namespace
}  // namespace helpdesk::reports
