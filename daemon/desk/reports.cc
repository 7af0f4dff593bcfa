// The SLA report over the tickets created in a range. The whole Oslo days
// of the range are read from the report cells the writer keeps (years,
// then months, then days, as few cells as cover them), and the part of a
// day at either end, if the range does not start or end at midnight, from
// the tickets themselves (found by bisection on the ticket numbers, which
// grow with created_at). A ticket whose clock counts and may have passed
// its target by now (it has a due alert in sla_due) is read again and
// counted as it stands now. A report by month or by assignee builds its
// rows from the cells of each month by assignee alone, and the rest from
// years as the others do. All in one read transaction; built by
// daemon/reports (pure).

#include <map>
#include <memory_resource>
#include <set>

#include "daemon/desk/context.h"
#include "daemon/desk/desk.h"
#include "daemon/reports/cells.h"
#include "daemon/reports/sla_report.h"
#include "daemon/store/catalogue_tables.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/record_check.h"
#include "daemon/store/report_cells.h"
#include "daemon/store/sla_index.h"
#include "daemon/store/tables.h"
#include "proto/timestamps.h"
#include "sla/oslo_time.h"

namespace helpdesk::desk {
namespace {

using std::chrono::days;
using std::chrono::sys_seconds;

constexpr days kDefaultRange{30};
constexpr days kMaxRange{20 * 366};
// Due alerts read at once for the tickets counted as they stand now: those
// not yet recorded (the sweep's few seconds, or the time the daemon was
// down; main records those before it serves).
constexpr size_t kMaxDue = 1'000'000;

// A run of whole periods of one length: [from, to) in days.
struct Span {
  store::Period period;
  int32_t from, to;
};

// Covers the days [from, to) with as few cells as possible: days up to the
// first of a month, months up to a new year, years, then months and days.
// Without years, days and months only, the days the same as with them.
std::vector<Span> Cover(int32_t from, int32_t to, bool years) {
  using store::Period;
  using store::PeriodEnd;
  using store::PeriodStart;
  std::vector<Span> spans;
  const auto add = [&](Period p, int32_t a, int32_t b) {
    if (a < b) spans.push_back({p, a, b});
  };
  int32_t at = from;
  int32_t start = at;
  while (at < to && PeriodStart(Period::kMonth, at) != at) ++at;
  add(Period::kDay, start, at);
  if (years) {
    start = at;
    while (at < to && PeriodStart(Period::kYear, at) != at &&
           PeriodEnd(Period::kMonth, at) <= to)
      at = PeriodEnd(Period::kMonth, at);
    add(Period::kMonth, start, at);
    // Here `at` starts a year, or no whole year is left.
    start = at;
    while (at < to && PeriodStart(Period::kYear, at) == at &&
           PeriodEnd(Period::kYear, at) <= to)
      at = PeriodEnd(Period::kYear, at);
    add(Period::kYear, start, at);
  }
  start = at;
  while (at < to && PeriodEnd(Period::kMonth, at) <= to)
    at = PeriodEnd(Period::kMonth, at);
  add(Period::kMonth, start, at);
  add(Period::kDay, at, to);
  return spans;
}

// The first ticket number created at or after `from` (bisection: numbers
// grow with created_at); past the last when none is.
StatusOr<uint64_t> FirstCreatedAt(const store::Txn& txn,
                                  const store::Tables& tables,
                                  sys_seconds from) {
  auto last = store::LastTicketNumber(txn, tables);
  if (!last.ok()) return last.status();
  uint64_t lo = 1, hi = *last + 1;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    // A damaged (or quarantined) ticket has no created_at to compare: the
    // first readable one after it decides; the report skips it.
    uint64_t probe = mid;
    auto ticket =
        store::GetTicket(txn, tables, probe, store::TicketDetail::kRecord);
    const auto unknown = [&] {
      return store::IsDamaged(ticket.status()) || (ticket.ok() && !*ticket);
    };
    while (unknown() && probe + 1 < hi)
      ticket =
          store::GetTicket(txn, tables, ++probe, store::TicketDetail::kRecord);
    if (unknown()) {
      hi = mid;
      continue;
    }
    if (!ticket.ok()) return ticket.status();
    if (proto::ToSys((*ticket)->created_at()) >= from) {
      hi = mid;
    } else {
      lo = probe + 1;
    }
  }
  return lo;
}

// Calls `visit` with each readable ticket created in [from, to).
Status ForEachCreated(const store::Txn& txn, const store::Tables& tables,
                      sys_seconds from, sys_seconds to,
                      const std::function<void(const v1::Ticket&)>& visit) {
  if (from >= to) return Status::Ok();
  auto first = FirstCreatedAt(txn, tables, from);
  if (!first.ok()) return first.status();
  auto last = store::LastTicketNumber(txn, tables);
  if (!last.ok()) return last.status();
  for (uint64_t n = *first; n <= *last; ++n) {
    auto ticket =
        store::GetTicket(txn, tables, n, store::TicketDetail::kRecord);
    if (store::IsDamaged(ticket.status())) {
      store::NoteDamaged(store::TicketName(n));
      continue;
    }
    if (!ticket.ok()) return ticket.status();
    if (!*ticket) continue;
    if (proto::ToSys((*ticket)->created_at()) >= to) break;
    visit(**ticket);
  }
  return Status::Ok();
}

}  // namespace

StatusOr<v1::SlaReport> Desk::SlaReport(const SlaReportQuery& query) const {
  const sys_seconds now = proto::ToSys(Now());
  // Without `to`: up to and including the current second (`to` is
  // exclusive, and a ticket filed this second belongs in the report).
  const sys_seconds to = query.to.value_or(now + std::chrono::seconds(1));
  const sys_seconds from = query.from.value_or(to - kDefaultRange);
  if (from >= to)
    return Status::InvalidParameter("from", "'from' must be before 'to'");
  if (to - from > kMaxRange)
    return Status::InvalidParameter(
        "from", "the range from 'from' to 'to' may be at most 20 years");

  // The whole Oslo days of the range, [first, end), come from the cells.
  int32_t first = reports::OsloDay(from);
  if (sla::FromOslo(date::local_days(date::days(first)), 0) < from) ++first;
  const int32_t end = reports::OsloDay(to);
  const auto midnight = [](int32_t day) {
    return sla::FromOslo(date::local_days(date::days(day)), 0);
  };
  const bool whole_days = first < end;
  const reports::ReadAt at{context_->sla(), now};

  // A report by month or by assignee has rows from cells of their own.
  const bool separate_rows = query.group_by == reports::GroupBy::kMonth ||
                             query.group_by == reports::GroupBy::kAssignee;
  // The stored cells' times, in one arena (some million at ten years):
  // read and freed at once, and near each other.
  std::pmr::monotonic_buffer_resource arena;
  std::vector<reports::Cell> cells;      // as stored, whole periods
  std::vector<reports::Cell> row_cells;  // the same, for separate rows
  std::vector<reports::Cell> read_now;   // edges, and tickets read again
  std::map<std::string, std::string> service_names;
  {
    auto txn = store::Txn::BeginRead(env_);
    if (!txn.ok()) return txn.status();
    const auto edge = [&](const v1::Ticket& t) {
      read_now.push_back(reports::CellOf(t, at));
    };
    if (!whole_days) {
      if (Status s = ForEachCreated(*txn, tables_, from, to, edge); !s.ok())
        return s;
    } else {
      if (Status s = ForEachCreated(*txn, tables_, from, midnight(first), edge);
          !s.ok())
        return s;
      if (Status s = ForEachCreated(*txn, tables_, midnight(end), to, edge);
          !s.ok())
        return s;
      // The whole periods, as few cells as cover them. A report by month
      // or by assignee builds its rows from other cells, of the same
      // tickets: the months' by assignee alone (a year's are neither by
      // month nor by assignee, and a month's by municipality, service,
      // priority and assignee are too many), and the same days.
      const std::vector<Span> spans = Cover(first, end, /*years=*/true);
      std::vector<Span> row_spans;
      if (separate_rows) {
        row_spans = Cover(first, end, /*years=*/false);
        for (Span& span : row_spans)
          if (span.period == store::Period::kMonth)
            span.period = store::Period::kMonthByAssignee;
      }
      for (const Span& span : spans) {
        const bool both = separate_rows && span.period == store::Period::kDay;
        Status s = store::ForEachReportCell(
            *txn, tables_, span.period, span.from, span.to,
            [&](reports::Cell&& c) {
              if (both) row_cells.push_back(c);
              cells.push_back(std::move(c));
            },
            &arena);
        if (!s.ok()) return s;
      }
      for (const Span& span : row_spans) {
        if (span.period == store::Period::kDay) continue;  // read above
        Status s = store::ForEachReportCell(
            *txn, tables_, span.period, span.from, span.to,
            [&](reports::Cell&& c) { row_cells.push_back(std::move(c)); },
            &arena);
        if (!s.ok()) return s;
      }
      // Counting clocks past their due alert: as they stand now.
      auto due =
          store::DueBy(*txn, tables_, now.time_since_epoch().count(), kMaxDue);
      if (!due.ok()) return due.status();
      std::set<uint64_t> again;
      for (const store::SlaDue& d : *due)
        if (d.alert == store::kFirstResponseBreach ||
            d.alert == store::kResolutionBreach)
          again.insert(d.ticket);
      // The cells by key, only when some ticket is read again (rarely more
      // than the few whose alerts the sweep has not recorded yet).
      std::map<reports::CellKey, reports::Cell*> by_key, row_by_key;
      if (!again.empty()) {
        for (reports::Cell& c : cells) by_key.emplace(c.key, &c);
        for (reports::Cell& c : row_cells) row_by_key.emplace(c.key, &c);
      }
      // The stored part of a ticket in the cell of `spans` that holds it,
      // or nullptr when there is none (the cells disagree: check names it).
      const auto holder = [](const std::vector<Span>& spans,
                             std::map<reports::CellKey, reports::Cell*>& index,
                             const reports::Cell& stored) -> reports::Cell* {
        reports::CellKey key = stored.key;
        for (const Span& span : spans)
          if (key.day >= span.from && key.day < span.to)
            key = store::KeyIn(span.period, std::move(key));
        auto it = index.find(key);
        return it == index.end() ? nullptr : it->second;
      };
      for (uint64_t n : again) {
        auto ticket =
            store::GetTicket(*txn, tables_, n, store::TicketDetail::kRecord);
        if (!ticket.ok() || !*ticket) continue;  // damaged: skipped as above
        const reports::Cell stored = reports::CellOf(**ticket);
        if (stored.key.day < first || stored.key.day >= end) continue;
        const reports::Cell current = reports::CellOf(**ticket, at);
        if (current == stored) continue;
        reports::Cell* cell = holder(spans, by_key, stored);
        if (!cell) continue;
        reports::Cell part = stored;
        part.key = cell->key;
        if (!reports::TakeFrom(*cell, part)) continue;
        if (separate_rows) {
          reports::Cell* row = holder(row_spans, row_by_key, stored);
          reports::Cell row_part = stored;
          if (row) row_part.key = row->key;
          if (!row || !reports::TakeFrom(*row, row_part)) {
            reports::AddTo(*cell, part);  // as it was: both or neither
            continue;
          }
        }
        read_now.push_back(current);
      }
    }
    auto catalogue = store::LoadCatalogue(*txn, tables_);
    if (!catalogue.ok()) return catalogue.status();
    for (const auto& s : catalogue->services())
      service_names[s.id()] = s.name();
  }
  std::vector<reports::Cell> all = std::move(cells);
  all.reserve(all.size() + read_now.size());
  all.insert(all.end(), read_now.begin(), read_now.end());
  reports::SlaReportInput input;
  input.from = from;
  input.to = to;
  input.now = now;
  input.group_by = query.group_by;
  input.cost = query.cost;
  if (!separate_rows)
    return reports::BuildSlaReport(all, context_->region(), service_names,
                                   input);
  row_cells.reserve(row_cells.size() + read_now.size());
  for (auto& cell : read_now) row_cells.push_back(std::move(cell));
  return reports::BuildSlaReport(all, row_cells, context_->region(),
                                 service_names, input);
}

}  // namespace helpdesk::desk
