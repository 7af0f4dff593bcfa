#pragma once
// The report_cells table: what the tickets add up to for the SLA report
// (daemon/reports/cells.h), per Oslo day, month and year of creation ×
// municipality × service × priority × assignee, and per month × assignee
// alone, changed in the same write as each ticket (PutTicket), so a report
// over years reads cells, not tickets. A cell holds the tickets as their
// records stand; a clock that counts is open in it until its breach is recorded
// (the report reads those tickets again at its `now`: they are in sla_due).
//
//   report_cells  period u8 . BE32 first day . municipality \0 service \0
//                 priority u8 . assignee (empty in a year's)
//                 ->  reports::EncodeCell
//
// A year's cells are not by assignee, which keeps them few (a year holds
// some thousand); a report by month or by assignee reads the cells of a
// month by assignee alone (municipality and service empty, priority 0),
// some dozen a month, for its rows.
//
// Free functions over a Txn, as tables.h.

#include <cstdint>
#include <functional>
#include <map>
#include <memory_resource>
#include <string>
#include <string_view>

#include "daemon/reports/cells.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::store {

// How long a cell's period is: one Oslo day, month or year; or a month's
// cells by assignee alone.
enum class Period : uint8_t {
  kDay = 0,
  kMonth = 1,
  kYear = 2,
  kMonthByAssignee = 3
};
// Each period's name, as helpdeskctl check says it.
std::string_view PeriodName(Period p);

// The first day of the period of `p` holding `day` (days as
// reports::CellKey counts them).
int32_t PeriodStart(Period p, int32_t day);
// The first day of the next period.
int32_t PeriodEnd(Period p, int32_t day);

// The key of the cell of period `p` that holds a ticket's cell keyed
// `key`: its day moved to the period's first; a year's without assignee,
// a month's by assignee with only that.
reports::CellKey KeyIn(Period p, reports::CellKey key);

// A cell's table key; `key.day` is its period's first day.
std::string ReportCellKey(Period p, const reports::CellKey& key);
// Back; false for bytes that are not one.
bool ParseReportCellKey(std::string_view bytes, Period& p,
                        reports::CellKey& key);

// Moves a ticket's part of its cells (one per period) from `before`
// (nullptr for a new ticket) to `now`; writes nothing when it is the same.
// A cell that does not hold what `before` gave it (a disagreement
// `helpdeskctl check` names) is logged and written as well as it can be:
// the ticket's write goes on.
Status UpdateReportCells(Txn& txn, const Tables& t, const v1::Ticket* before,
                         const v1::Ticket& now);

// Calls `visit` with each cell of period `p` whose first day is in
// [from_day, to_day), in key order, its stopped times in `arena` when one
// is given (which must then outlive them). A cell that cannot be read is
// skipped and logged once (the checker names it).
Status ForEachReportCell(const Txn& txn, const Tables& t, Period p,
                         int32_t from_day, int32_t to_day,
                         const std::function<void(reports::Cell&&)>& visit,
                         std::pmr::memory_resource* arena = nullptr);

// The cells the readable tickets give, by table key (the checker compares).
StatusOr<std::map<std::string, reports::Cell>> ExpectedReportCells(
    const Txn& txn, const Tables& t);

// Empties report_cells and fills it from the tickets (the upgrade to
// schema 9; helpdeskctl repair).
Status RebuildReportCells(Txn& txn, const Tables& t);

// Makes the cells of each month by assignee anew from the month's cells
// (the upgrade to schema 12): they add up to the same tickets.
Status RebuildMonthByAssigneeCells(Txn& txn, const Tables& t);

}  // namespace helpdesk::store
