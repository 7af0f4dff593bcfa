#include "daemon/store/report_cells.h"

#include <date/date.h>
#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <limits>
#include <vector>

#include "daemon/store/record_check.h"

namespace helpdesk::store {
namespace {

constexpr std::array<Period, 4> kPeriods = {
    Period::kDay, Period::kMonth, Period::kYear, Period::kMonthByAssignee};

void PutBe32(std::string& out, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8)
    out += static_cast<char>((v >> shift) & 0xff);
}

uint32_t ReadBe32(std::string_view b) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<uint8_t>(b[i]);
  return v;
}

// The day counts as stored: days before 1970 (no ticket has them) count
// as day 0.
uint32_t StoredDay(int32_t day) {
  return day < 0 ? 0 : static_cast<uint32_t>(day);
}

// The ticket's cell of period `p`, keyed as KeyIn says.
reports::Cell InPeriod(reports::Cell c, Period p) {
  c.key = KeyIn(p, std::move(c.key));
  return c;
}

// Cells added up from many parts, by table key. Each part's times are
// appended and each cell's sorted once at the end: merging them in one by
// one (AddTo) would copy a cell of n parts n times.
class CellSums {
 public:
  void Add(Period p, const reports::Cell& part) {
    const reports::CellKey key = KeyIn(p, part.key);
    auto [it, made] = cells_.try_emplace(ReportCellKey(p, key));
    if (made) it->second.key = key;
    it->second.tickets += part.tickets;
    Append(it->second.response, part.response);
    Append(it->second.resolution, part.resolution);
  }
  std::map<std::string, reports::Cell> Done() && {
    for (auto& [key, cell] : cells_) {
      std::sort(cell.response.stopped.begin(), cell.response.stopped.end());
      std::sort(cell.resolution.stopped.begin(), cell.resolution.stopped.end());
    }
    return std::move(cells_);
  }

 private:
  static void Append(reports::ClockTally& into,
                     const reports::ClockTally& part) {
    into.met += part.met;
    into.breached += part.breached;
    into.open += part.open;
    into.stopped.insert(into.stopped.end(), part.stopped.begin(),
                        part.stopped.end());
  }
  std::map<std::string, reports::Cell> cells_;
};

Status PutCells(Txn& txn, const Tables& t,
                const std::map<std::string, reports::Cell>& cells) {
  for (const auto& [key, cell] : cells)
    if (Status s = txn.Put(t.report_cells, key, reports::EncodeCell(cell));
        !s.ok())
      return s;
  return Status::Ok();
}

Status Change(Txn& txn, const Tables& t, const std::string& key,
              const reports::Cell& part, bool add) {
  auto raw = txn.Get(t.report_cells, key);
  if (!raw.ok()) return raw.status();
  // Most parts have no stopped times: the counts change in place.
  if (*raw) {
    std::string bytes(**raw);
    if (reports::AdjustCounts(bytes, part, add)) {
      if (bytes.size() >= 4 && bytes.compare(0, 4, std::string(4, '\0')) == 0)
        return txn.Del(t.report_cells, key);  // no ticket left in it
      return txn.Put(t.report_cells, key, bytes);
    }
  }
  reports::Cell cell;
  if (*raw && !reports::DecodeCell(**raw, cell)) {
    spdlog::warn(
        "report_cells: a cell that cannot be read is written anew "
        "(helpdeskctl repair rebuilds the cells)");
    cell = {};
  }
  if (add) {
    reports::AddTo(cell, part);
  } else if (!reports::TakeFrom(cell, part)) {
    // It did not hold the ticket's part: take out what it does hold.
    spdlog::warn(
        "report_cells: a cell does not hold a ticket's part of it; "
        "helpdeskctl check names it and repair rebuilds the cells");
    return Status::Ok();
  }
  if (cell.tickets == 0) return txn.Del(t.report_cells, key);
  return txn.Put(t.report_cells, key, reports::EncodeCell(cell));
}

}  // namespace

std::string_view PeriodName(Period p) {
  switch (p) {
    case Period::kDay:
      return "day";
    case Period::kMonth:
      return "month";
    case Period::kYear:
      return "year";
    case Period::kMonthByAssignee:
      return "month by assignee";
  }
  return "";
}

int32_t PeriodStart(Period p, int32_t day) {
  if (p == Period::kDay) return day;
  const date::year_month_day ymd{date::sys_days(date::days(day))};
  const date::year_month_day first = p == Period::kYear
                                         ? ymd.year() / date::January / 1
                                         : ymd.year() / ymd.month() / 1;
  return static_cast<int32_t>(date::sys_days(first).time_since_epoch().count());
}

int32_t PeriodEnd(Period p, int32_t day) {
  if (p == Period::kDay) return day + 1;
  const date::year_month_day ymd{
      date::sys_days(date::days(PeriodStart(p, day)))};
  const date::year_month_day next =
      p == Period::kYear ? (ymd.year() + date::years(1)) / date::January / 1
                         : date::year_month_day(ymd.year() / ymd.month() / 1 +
                                                date::months(1));
  return static_cast<int32_t>(date::sys_days(next).time_since_epoch().count());
}

reports::CellKey KeyIn(Period p, reports::CellKey key) {
  key.day = PeriodStart(p, key.day);
  if (p == Period::kYear) key.assignee.clear();
  if (p == Period::kMonthByAssignee) {
    key.municipality.clear();
    key.service_id.clear();
    key.priority = 0;
  }
  return key;
}

std::string ReportCellKey(Period p, const reports::CellKey& key) {
  std::string out;
  out.reserve(16 + key.municipality.size() + key.service_id.size() +
              key.assignee.size());
  out += static_cast<char>(p);
  PutBe32(out, StoredDay(key.day));
  out += key.municipality;
  out += '\0';
  out += key.service_id;
  out += '\0';
  out += static_cast<char>(static_cast<uint8_t>(key.priority));
  out += key.assignee;
  return out;
}

bool ParseReportCellKey(std::string_view b, Period& p, reports::CellKey& key) {
  if (b.size() < 8 || static_cast<uint8_t>(b[0]) >
                          static_cast<uint8_t>(Period::kMonthByAssignee))
    return false;
  p = static_cast<Period>(b[0]);
  key.day = static_cast<int32_t>(ReadBe32(b.substr(1)));
  b.remove_prefix(5);
  const size_t m = b.find('\0');
  if (m == std::string_view::npos) return false;
  key.municipality = std::string(b.substr(0, m));
  b.remove_prefix(m + 1);
  const size_t s = b.find('\0');
  if (s == std::string_view::npos || s + 1 >= b.size()) return false;
  key.service_id = std::string(b.substr(0, s));
  key.priority = static_cast<uint8_t>(b[s + 1]);
  key.assignee = std::string(b.substr(s + 2));
  return key.day >= 0;
}

Status UpdateReportCells(Txn& txn, const Tables& t, const v1::Ticket* before,
                         const v1::Ticket& now) {
  const reports::Cell after = reports::CellOf(now);
  std::optional<reports::Cell> old;
  if (before) {
    old = reports::CellOf(*before);
    if (*old == after) return Status::Ok();  // a comment, a follower, text
  }
  for (Period p : kPeriods) {
    if (old) {
      const reports::Cell part = InPeriod(*old, p);
      if (Status s = Change(txn, t, ReportCellKey(p, part.key), part, false);
          !s.ok())
        return s;
    }
    const reports::Cell part = InPeriod(after, p);
    if (Status s = Change(txn, t, ReportCellKey(p, part.key), part, true);
        !s.ok())
      return s;
  }
  return Status::Ok();
}

Status ForEachReportCell(const Txn& txn, const Tables& t, Period p,
                         int32_t from_day, int32_t to_day,
                         const std::function<void(reports::Cell&&)>& visit,
                         std::pmr::memory_resource* arena) {
  if (from_day >= to_day) return Status::Ok();
  if (!arena) arena = std::pmr::get_default_resource();
  std::string first(1, static_cast<char>(p));
  PutBe32(first, StoredDay(from_day));
  std::string end(1, static_cast<char>(p));
  PutBe32(end, StoredDay(to_day));
  auto cursor = Cursor::Open(txn, t.report_cells);
  if (!cursor.ok()) return cursor.status();
  for (auto moved = cursor->Seek(first);; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved || cursor->key() >= end) return Status::Ok();
    // The times made with the arena (assigning them one later would keep
    // the heap's).
    reports::Cell cell{.key = {},
                       .tickets = 0,
                       .response = {.met = 0,
                                    .breached = 0,
                                    .open = 0,
                                    .stopped = reports::Times(arena)},
                       .resolution = {.met = 0,
                                      .breached = 0,
                                      .open = 0,
                                      .stopped = reports::Times(arena)}};
    Period period;
    if (!ParseReportCellKey(cursor->key(), period, cell.key) || period != p ||
        !reports::DecodeCell(cursor->value(), cell)) {
      NoteDamaged("report_cells " + std::string(cursor->key().substr(0, 5)));
      continue;
    }
    visit(std::move(cell));
  }
}

StatusOr<std::map<std::string, reports::Cell>> ExpectedReportCells(
    const Txn& txn, const Tables& t) {
  CellSums sums;
  Status s = ForEachTicket(txn, t, [&](const v1::Ticket& ticket) {
    const reports::Cell c = reports::CellOf(ticket);
    for (Period p : kPeriods) sums.Add(p, c);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  return std::move(sums).Done();
}

Status RebuildReportCells(Txn& txn, const Tables& t) {
  auto cells = ExpectedReportCells(txn, t);
  if (!cells.ok()) return cells.status();
  if (int rc = mdb_drop(txn.get(), t.report_cells.dbi, /*del=*/0);
      rc != MDB_SUCCESS)
    return LmdbStatus(rc, "mdb_drop(report_cells)");
  return PutCells(txn, t, *cells);
}

Status RebuildMonthByAssigneeCells(Txn& txn, const Tables& t) {
  const std::string prefix(1, static_cast<char>(Period::kMonthByAssignee));
  std::vector<std::string> old;  // some dozen a month, when there are any
  {
    auto cursor = Cursor::Open(txn, t.report_cells);
    if (!cursor.ok()) return cursor.status();
    for (auto moved = cursor->Seek(prefix);; moved = cursor->Next()) {
      if (!moved.ok()) return moved.status();
      if (!*moved || !cursor->key().starts_with(prefix)) break;
      old.emplace_back(cursor->key());
    }
  }
  for (const std::string& key : old)
    if (Status s = txn.Del(t.report_cells, key); !s.ok()) return s;
  CellSums sums;
  Status s = ForEachReportCell(txn, t, Period::kMonth, 0,
                               std::numeric_limits<int32_t>::max(),
                               [&](reports::Cell&& month) {
                                 sums.Add(Period::kMonthByAssignee, month);
                               });
  if (!s.ok()) return s;
  return PutCells(txn, t, std::move(sums).Done());
}

}  // namespace helpdesk::store
