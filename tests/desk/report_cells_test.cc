// The SLA report from the report cells the writer keeps, against the same
// report built from every ticket: two years of a desk on a real store and
// writer, tickets filed, assigned, moved, reprioritised and left to breach
// at random, with the SLA sweep recording breaches; then reports over
// random ranges (whole days, months, years and ranges that start and end
// mid-day) and every grouping must equal the report made by reading every
// ticket, and the consistency checker must find every cell as the tickets
// give it.

#include <google/protobuf/util/message_differencer.h>
#include <gtest/gtest.h>

#include <future>
#include <random>

#include "daemon/desk/desk.h"
#include "daemon/reports/sla_report.h"
#include "daemon/store/catalogue_tables.h"
#include "daemon/store/consistency.h"
#include "daemon/store/tables.h"
#include "daemon/tickets/sla_clocks.h"
#include "proto/timestamps.h"
#include "sla/oslo_time.h"
#include "tests/support/desk_on_disk.h"

namespace helpdesk::desk {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_seconds;

template <typename T, typename Call>
StatusOr<T> Wait(Call call) {
  std::promise<StatusOr<T>> answer;
  call([&answer](StatusOr<T> r) { answer.set_value(std::move(r)); });
  auto f = answer.get_future();
  if (f.wait_for(std::chrono::seconds(20)) != std::future_status::ready)
    return Status::Internal("no answer within 20 s");
  return f.get();
}

void WaitFor(const std::function<void(std::function<void()>)>& call) {
  std::promise<void> done;
  call([&done] { done.set_value(); });
  done.get_future().wait_for(std::chrono::seconds(20));
}

class ReportCells : public ::testing::Test {
 protected:
  void SetUp() override { ASSERT_TRUE(disk_.Open().ok()); }

  std::vector<v1::Ticket> AllTickets() {
    std::vector<v1::Ticket> out;
    auto txn = store::Txn::BeginRead(disk_.env());
    EXPECT_TRUE(txn.ok());
    EXPECT_TRUE(
        store::ForEachTicket(*txn, disk_.tables(), [&](const v1::Ticket& t) {
          out.push_back(t);
          return Status::Ok();
        }).ok());
    return out;
  }

  std::map<std::string, std::string> ServiceNames() {
    std::map<std::string, std::string> names;
    auto txn = store::Txn::BeginRead(disk_.env());
    auto catalogue = store::LoadCatalogue(*txn, disk_.tables());
    EXPECT_TRUE(catalogue.ok());
    for (const auto& s : catalogue->services()) names[s.id()] = s.name();
    return names;
  }

  // The desk's report and the one made from every ticket, at the desk's now.
  void ExpectSameReport(std::optional<sys_seconds> from,
                        std::optional<sys_seconds> to, reports::GroupBy by,
                        const std::string& what) {
    SlaReportQuery q;
    q.from = from;
    q.to = to;
    q.group_by = by;
    auto from_cells = disk_.desk().SlaReport(q);
    ASSERT_TRUE(from_cells.ok())
        << what << ": " << from_cells.status().message();
    reports::SlaReportInput in;
    in.now = disk_.now();
    in.to = to.value_or(in.now + seconds(1));
    in.from = from.value_or(in.to - hours(24 * 30));
    in.group_by = by;
    const sla::PolicyBook book{sla::DefaultPolicy()};
    const v1::SlaReport from_tickets = reports::BuildSlaReport(
        AllTickets(), disk_.desk().region(), ServiceNames(), book, in);
    if (by == reports::GroupBy::kMunicipality)
      ExpectOldCounts(*from_cells, in, what);
    std::string diff;
    google::protobuf::util::MessageDifferencer d;
    d.ReportDifferencesToString(&diff);
    EXPECT_TRUE(d.Compare(from_tickets, *from_cells))
        << what << " (" << from_tickets.tickets() << " tickets):\n"
        << diff;
  }

  void Reports(sys_seconds start, std::mt19937& random,
               const std::string& when);

  // An oracle apart from the cells: per municipality, each clock counted
  // straight from the tickets as the report read them before there were
  // cells (its business time at now on the policy's calendars), and the
  // nearest-rank median of the stopped ones.
  void ExpectOldCounts(const v1::SlaReport& report,
                       const reports::SlaReportInput& in,
                       const std::string& what) {
    struct Clock {
      uint32_t met = 0, breached = 0, open = 0;
      std::vector<int64_t> stopped;
    };
    struct Row {
      uint32_t tickets = 0;
      Clock clocks[2];
    };
    const sla::PolicyBook book{sla::DefaultPolicy()};
    std::map<std::string, Row> rows;
    for (const v1::Ticket& t : AllTickets()) {
      const sys_seconds created = proto::ToSys(t.created_at());
      if (created < in.from || created >= in.to) continue;
      Row& row = rows[t.municipality()];
      ++row.tickets;
      if (!t.has_sla()) continue;
      const v1::SlaClock* kinds[] = {&t.sla().first_response(),
                                     &t.sla().resolution()};
      for (int k = 0; k < 2; ++k) {
        const v1::SlaClock& c = *kinds[k];
        Clock& out = row.clocks[k];
        const int64_t used = tickets::Elapsed(c, book, in.now).count();
        if (c.state() == v1::SLA_CLOCK_STATE_MET) {
          ++out.met;
          out.stopped.push_back(used);
        } else if (c.state() == v1::SLA_CLOCK_STATE_BREACHED) {
          ++out.breached;
          if (!c.counting()) out.stopped.push_back(used);
        } else if (c.state() == v1::SLA_CLOCK_STATE_RUNNING &&
                   used > c.target_seconds()) {
          ++out.breached;
        } else {
          ++out.open;
        }
      }
    }
    for (const v1::SlaReportRow& got : report.rows()) {
      Row& want = rows[got.key()];
      EXPECT_EQ(got.tickets(), want.tickets) << what << ": " << got.key();
      const v1::SlaAttainment* kinds[] = {&got.first_response(),
                                          &got.resolution()};
      for (int k = 0; k < 2; ++k) {
        Clock& c = want.clocks[k];
        const v1::SlaAttainment& a = *kinds[k];
        EXPECT_EQ(a.met(), c.met) << what << ": " << got.key() << " " << k;
        EXPECT_EQ(a.breached(), c.breached) << what << ": " << got.key();
        EXPECT_EQ(a.open(), c.open) << what << ": " << got.key();
        std::sort(c.stopped.begin(), c.stopped.end());
        const int64_t median =
            c.stopped.empty()
                ? 0
                : c.stopped[(c.stopped.size() + 1) / 2 - 1];  // rank ceil(n/2)
        EXPECT_EQ(a.median_seconds(), median) << what << ": " << got.key();
      }
    }
  }

  testing::DeskOnDisk disk_;
};

TEST_F(ReportCells, ReportsFromCellsEqualReportsFromEveryTicket) {
  std::mt19937 random(20261130);
  const auto staff = [] {
    auth::Principal who;
    who.account = "gunn.heggelund";
    who.roles = auth::kAgent | auth::kDispatcher;
    return OriginOf(who, "test");
  }();
  const char* towns[] = {"tinn", "rollag", "kongsberg", "notodden"};
  const char* services[] = {"skrivere-og-utskrift", "brukerstotte-fjernhjelp",
                            "passord-og-mfa", "e-post"};
  const v1::Priority priorities[] = {v1::PRIORITY_CRITICAL, v1::PRIORITY_HIGH,
                                     v1::PRIORITY_NORMAL, v1::PRIORITY_LOW};
  std::vector<std::pair<std::string, uint32_t>> open;  // id, version
  const sys_seconds start = disk_.now();
  int refused = 0;
  // About a year and a half: across a new year and the DST changes.
  for (int step = 0; step < 900; ++step) {
    disk_.Advance(minutes(std::uniform_int_distribution<int>(5, 1700)(random)));
    const int what = std::uniform_int_distribution<int>(0, 9)(random);
    if (what < 4 || open.empty()) {
      v1::CreateTicketRequest r;
      r.set_title("Sak " + std::to_string(step));
      r.set_description("Beskrivelse.");
      r.set_municipality(towns[random() % 4]);
      r.set_service_id(services[random() % 4]);
      r.set_priority(priorities[random() % 4]);
      r.set_reporter("kari.nordmann");
      auto t = Wait<v1::Ticket>([&](auto done) {
        disk_.desk().CreateTicket(staff, r, std::move(done));
      });
      if (t.ok())
        open.emplace_back(t->id(), t->version());
      else
        ++refused;
      continue;
    }
    const size_t i = random() % open.size();
    auto& [id, version] = open[i];
    StatusOr<v1::Ticket> t = Status::Internal("none");
    if (what == 4) {
      v1::ChangePriorityRequest r;
      r.set_priority(priorities[random() % 4]);
      r.set_reason("Endret etter samtale");
      r.set_version(version);
      t = Wait<v1::Ticket>([&](auto done) {
        disk_.desk().ChangePriority(staff, id, r, std::nullopt,
                                    std::move(done));
      });
    } else if (what == 5) {
      AssignCommand a;
      a.assignee = random() % 2 ? "gunn.heggelund" : "ola.gronvold";
      a.reason = "Kjenner systemet";
      a.version = version;
      t = Wait<v1::Ticket>([&](auto done) {
        disk_.desk().Assign(staff, id, a, std::move(done));
      });
    } else {
      static const v1::TicketStatus kMoves[] = {
          v1::TICKET_STATUS_IN_PROGRESS, v1::TICKET_STATUS_WAITING_ON_USER,
          v1::TICKET_STATUS_RESOLVED, v1::TICKET_STATUS_CLOSED,
          v1::TICKET_STATUS_IN_PROGRESS};
      v1::ChangeStatusRequest r;
      r.set_status(kMoves[random() % 5]);
      r.set_version(version);
      t = Wait<v1::Ticket>([&](auto done) {
        disk_.desk().ChangeStatus(staff, id, r, std::nullopt, std::move(done));
      });
    }
    if (!t.ok()) {
      ++refused;  // an illegal move, say: nothing written
      continue;
    }
    version = t->version();
    if (t->status() == v1::TICKET_STATUS_CLOSED) open.erase(open.begin() + i);
    // Now and then the sweep records the breaches that fell due; between
    // sweeps, some are due and not recorded: the report reads those again.
    if (random() % 3 == 0)
      WaitFor([&](auto then) { disk_.desk().SweepSla(std::move(then)); });
  }
  ASSERT_GT(AllTickets().size(), 300u);
  ASSERT_LT(refused, 500);

  // Every cell as the tickets give it.
  {
    auto txn = store::Txn::BeginRead(disk_.env());
    auto check = store::CheckConsistency(*txn, disk_.tables());
    ASSERT_TRUE(check.ok());
    EXPECT_TRUE(check->clean())
        << (check->findings.empty() ? "unreadable" : check->findings.front());
  }

  // Clocks pass their targets with no sweep to record it: the reports read
  // those tickets as they stand now. Then once more after the sweep.
  disk_.Advance(hours(30));
  for (bool swept : {false, true}) {
    if (swept)
      WaitFor([&](auto then) { disk_.desk().SweepSla(std::move(then)); });
    Reports(start, random, swept ? ", swept" : ", not swept");
  }
}

void ReportCells::Reports(sys_seconds start, std::mt19937& random,
                          const std::string& when) {
  const auto midnight = [](int y, unsigned m, unsigned d) {
    return sla::FromOslo(date::local_days(date::year(y) / m / d), 0);
  };
  for (reports::GroupBy by :
       {reports::GroupBy::kMunicipality, reports::GroupBy::kService,
        reports::GroupBy::kPriority, reports::GroupBy::kAssignee,
        reports::GroupBy::kMonth}) {
    const std::string name = std::string(reports::GroupByName(by)) + when;
    ExpectSameReport(std::nullopt, std::nullopt, by, name + ", last 30 days");
    ExpectSameReport(midnight(2026, 1, 1), midnight(2027, 1, 1), by,
                     name + ", 2026 (to its end)");
    ExpectSameReport(midnight(2026, 4, 1), midnight(2028, 6, 1), by,
                     name + ", whole months over a year");
    ExpectSameReport(start - hours(24 * 400), disk_.now() + hours(24 * 400), by,
                     name + ", everything, mid-day edges");
    // Bounded on the days the clocks change, at and around midnight.
    for (auto [from, to] :
         {std::pair{midnight(2027, 3, 28), midnight(2027, 10, 31)},
          std::pair{midnight(2027, 3, 28) + minutes(30),
                    midnight(2027, 10, 31) - minutes(30)},
          std::pair{midnight(2026, 10, 25) - minutes(30),
                    midnight(2027, 3, 29) + minutes(30)}})
      ExpectSameReport(from, to, by, name + ", DST days");
    for (int i = 0; i < 6; ++i) {
      const auto span = disk_.now() - start;
      const auto a = start + seconds(std::uniform_int_distribution<int64_t>(
                                 0, span.count())(random));
      const auto b = a + seconds(std::uniform_int_distribution<int64_t>(
                             1, 200 * 86400)(random));
      ExpectSameReport(a, b, by, name + ", random range " + std::to_string(i));
    }
  }
}

}  // namespace
}  // namespace helpdesk::desk
