#pragma once
// The SLA report's building block, a cell: what the tickets created on one
// Oslo day (or in one month, or one year) in one municipality, of one
// service, priority and assignee add up to. daemon/store keeps a cell per
// day, month and year, changed in the same write as each ticket, so a
// report over ten years reads some thousands of cells instead of a million
// tickets; the report itself is built from cells (sla_report.h), whether
// they were read or made from tickets just now.
//
// A cell holds, per clock kind, how many clocks are met, breached and open,
// and the business seconds of every stopped clock, exactly: a median and a
// 90th percentile over cells are the same as over their tickets.
//
// Pure; any thread.

#include <chrono>
#include <compare>
#include <cstdint>
#include <memory_resource>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/helpdesk.pb.h"
#include "sla/policy.h"

namespace helpdesk::reports {

// Business seconds used by stopped clocks, sorted. Polymorphic, so that a
// report can read thousands of cells' times into one arena (DecodeCell
// keeps the allocator of the cell it fills); a copy is on the heap.
using Times = std::pmr::vector<int64_t>;

// What one clock kind of some tickets adds up to.
struct ClockTally {
  uint32_t met = 0, breached = 0, open = 0;
  // Business seconds used by each stopped clock (met, or breached and
  // stopped), sorted.
  Times stopped;
  bool operator==(const ClockTally&) const = default;
};

struct CellKey {
  // The first Oslo day of its period, in days since 1970-01-01: the day a
  // ticket was created, or the first day of its month or year.
  int32_t day = 0;
  std::string municipality;
  std::string service_id;
  int priority = 0;      // v1::Priority
  std::string assignee;  // empty: unassigned
  auto operator<=>(const CellKey&) const = default;
};

struct Cell {
  CellKey key;
  uint32_t tickets = 0;
  ClockTally response, resolution;
  bool operator==(const Cell&) const = default;
};

// The Oslo day of `instant`, as CellKey::day counts days.
int32_t OsloDay(std::chrono::sys_seconds instant);

// How a clock still counting is read.
struct ReadAt {
  const sla::PolicyBook& book;
  std::chrono::sys_seconds now;
};

// The cell of one ticket, keyed by the Oslo day it was created. Without
// `at`, as its record stands: a clock still counting is open until its
// breach is recorded (as the store keeps cells). With `at`, as a report at
// that instant reads it: a clock whose business time used is past its
// target then is breached, recorded or not.
Cell CellOf(const v1::Ticket& ticket, std::optional<ReadAt> at = std::nullopt);

// Adds the counts and stopped times of `other` to `into` (the keys are
// the caller's concern).
void AddTo(Cell& into, const Cell& other);

// Takes `other` out of `into`: false, leaving `into` as it was, when
// `into` does not hold it (a count or a stopped time missing).
bool TakeFrom(Cell& into, const Cell& other);

// A stored cell's value (its key is the table's): the counts, then the
// stopped times as varint differences. Decode is false for bytes that are
// not one; it fills the cell's times with their own allocator.
std::string EncodeCell(const Cell& cell);
bool DecodeCell(std::string_view bytes, Cell& cell);

// Adds `part` to (or takes it from) the stored cell `bytes` in place,
// without reading its stopped times: only for a part that has none (a new
// ticket, and most moves). False, leaving `bytes` as it was, when the part
// has stopped times, the bytes are no cell, or a count would go below zero.
bool AdjustCounts(std::string& bytes, const Cell& part, bool add);

}  // namespace helpdesk::reports
