#include "daemon/reports/cells.h"

#include <algorithm>

#include "daemon/tickets/sla_clocks.h"
#include "proto/timestamps.h"
#include "sla/oslo_time.h"

namespace helpdesk::reports {
namespace {

void Tally(ClockTally& tally, const v1::SlaClock& clock,
           const std::optional<ReadAt>& at) {
  switch (clock.state()) {
    case v1::SLA_CLOCK_STATE_MET:
      ++tally.met;
      tally.stopped.push_back(std::max<int64_t>(clock.elapsed_seconds(), 0));
      return;
    case v1::SLA_CLOCK_STATE_BREACHED:
      ++tally.breached;
      if (!clock.counting())
        tally.stopped.push_back(std::max<int64_t>(clock.elapsed_seconds(), 0));
      return;
    case v1::SLA_CLOCK_STATE_RUNNING: {
      // Counting: its breach may not be recorded yet (the sweep runs every
      // few seconds, and not at all while the daemon is down). A paused
      // clock's time is what it used.
      const int64_t used =
          !clock.counting() ? clock.elapsed_seconds()
          : at              ? tickets::Elapsed(clock, at->book, at->now).count()
                            : clock.elapsed_seconds();
      if (used > clock.target_seconds() && (at || !clock.counting())) {
        ++tally.breached;
        return;
      }
      ++tally.open;
      return;
    }
    default:
      ++tally.open;
      return;
  }
}

void Merge(ClockTally& into, const ClockTally& other) {
  into.met += other.met;
  into.breached += other.breached;
  into.open += other.open;
  Times merged(into.stopped.get_allocator());
  merged.reserve(into.stopped.size() + other.stopped.size());
  std::merge(into.stopped.begin(), into.stopped.end(), other.stopped.begin(),
             other.stopped.end(), std::back_inserter(merged));
  into.stopped = std::move(merged);
}

bool Take(ClockTally& into, const ClockTally& other) {
  if (into.met < other.met || into.breached < other.breached ||
      into.open < other.open)
    return false;
  Times left(into.stopped.get_allocator());
  left.reserve(into.stopped.size());
  // Both sorted: walk them together, dropping one of each of other's.
  size_t j = 0;
  for (int64_t v : into.stopped) {
    if (j < other.stopped.size() && other.stopped[j] == v) {
      ++j;
      continue;
    }
    left.push_back(v);
  }
  if (j != other.stopped.size()) return false;
  into.met -= other.met;
  into.breached -= other.breached;
  into.open -= other.open;
  into.stopped = std::move(left);
  return true;
}

void PutVarint(std::string& out, uint64_t v) {
  while (v >= 0x80) {
    out += static_cast<char>((v & 0x7f) | 0x80);
    v >>= 7;
  }
  out += static_cast<char>(v);
}

bool GetVarint(std::string_view& in, uint64_t& v) {
  v = 0;
  for (int shift = 0; shift < 64; shift += 7) {
    if (in.empty()) return false;
    const auto b = static_cast<uint8_t>(in.front());
    in.remove_prefix(1);
    v |= static_cast<uint64_t>(b & 0x7f) << shift;
    if ((b & 0x80) == 0) return true;
  }
  return false;
}

// The stored form: a fixed header of nine little-endian u32 (tickets; met,
// breached, open and stopped count of the response clock; the same of the
// resolution clock), then each clock's stopped times as varint differences
// from the one before. Fixed, so that a part without stopped times (a new
// ticket, most moves) changes the counts in place (AdjustCounts).
constexpr size_t kHeader = 9 * 4;

void PutU32(std::string& out, uint32_t v) {
  for (int i = 0; i < 4; ++i) out += static_cast<char>((v >> (8 * i)) & 0xff);
}

uint32_t GetU32(std::string_view b, size_t at) {
  uint32_t v = 0;
  for (int i = 3; i >= 0; --i)
    v = (v << 8) | static_cast<uint8_t>(b[at + static_cast<size_t>(i)]);
  return v;
}

void SetU32(std::string& b, size_t at, uint32_t v) {
  for (int i = 0; i < 4; ++i)
    b[at + static_cast<size_t>(i)] = static_cast<char>((v >> (8 * i)) & 0xff);
}

void PutCounts(std::string& out, const ClockTally& t) {
  PutU32(out, t.met);
  PutU32(out, t.breached);
  PutU32(out, t.open);
  PutU32(out, static_cast<uint32_t>(t.stopped.size()));
}

void PutTimes(std::string& out, const ClockTally& t) {
  int64_t previous = 0;
  for (int64_t v : t.stopped) {
    PutVarint(out, static_cast<uint64_t>(v - previous));
    previous = v;
  }
}

bool GetTimes(std::string_view& in, uint32_t n, ClockTally& t) {
  if (n > in.size()) return false;
  t.stopped.clear();
  t.stopped.reserve(n);
  uint64_t value = 0;
  for (uint32_t i = 0; i < n; ++i) {
    uint64_t delta;
    if (!GetVarint(in, delta) || __builtin_add_overflow(value, delta, &value) ||
        value > static_cast<uint64_t>(INT64_MAX))
      return false;
    t.stopped.push_back(static_cast<int64_t>(value));
  }
  return true;
}

}  // namespace

int32_t OsloDay(std::chrono::sys_seconds instant) {
  return static_cast<int32_t>(
      sla::ToOslo(instant).day.time_since_epoch().count());
}

Cell CellOf(const v1::Ticket& ticket, std::optional<ReadAt> at) {
  Cell c;
  c.key.day = OsloDay(proto::ToSys(ticket.created_at()));
  c.key.municipality = ticket.municipality();
  c.key.service_id = ticket.service_id();
  c.key.priority = ticket.priority();
  c.key.assignee = ticket.assignee();
  c.tickets = 1;
  if (ticket.has_sla()) {  // else filed before clocks, or no targets
    Tally(c.response, ticket.sla().first_response(), at);
    Tally(c.resolution, ticket.sla().resolution(), at);
  }
  return c;
}

void AddTo(Cell& into, const Cell& other) {
  into.tickets += other.tickets;
  Merge(into.response, other.response);
  Merge(into.resolution, other.resolution);
}

bool TakeFrom(Cell& into, const Cell& other) {
  Cell copy = into;
  if (copy.tickets < other.tickets) return false;
  copy.tickets -= other.tickets;
  if (!Take(copy.response, other.response) ||
      !Take(copy.resolution, other.resolution))
    return false;
  into = std::move(copy);
  return true;
}

std::string EncodeCell(const Cell& cell) {
  std::string out;
  out.reserve(kHeader + 2 * (cell.response.stopped.size() +
                             cell.resolution.stopped.size()));
  PutU32(out, cell.tickets);
  PutCounts(out, cell.response);
  PutCounts(out, cell.resolution);
  PutTimes(out, cell.response);
  PutTimes(out, cell.resolution);
  return out;
}

bool DecodeCell(std::string_view bytes, Cell& cell) {
  if (bytes.size() < kHeader) return false;
  cell.tickets = GetU32(bytes, 0);
  cell.response.met = GetU32(bytes, 4);
  cell.response.breached = GetU32(bytes, 8);
  cell.response.open = GetU32(bytes, 12);
  const uint32_t response_n = GetU32(bytes, 16);
  cell.resolution.met = GetU32(bytes, 20);
  cell.resolution.breached = GetU32(bytes, 24);
  cell.resolution.open = GetU32(bytes, 28);
  const uint32_t resolution_n = GetU32(bytes, 32);
  bytes.remove_prefix(kHeader);
  return GetTimes(bytes, response_n, cell.response) &&
         GetTimes(bytes, resolution_n, cell.resolution) && bytes.empty();
}

bool AdjustCounts(std::string& bytes, const Cell& part, bool add) {
  if (bytes.size() < kHeader || !part.response.stopped.empty() ||
      !part.resolution.stopped.empty())
    return false;
  const uint32_t by[9] = {part.tickets,
                          part.response.met,
                          part.response.breached,
                          part.response.open,
                          0,
                          part.resolution.met,
                          part.resolution.breached,
                          part.resolution.open,
                          0};
  uint32_t now[9];
  for (size_t i = 0; i < 9; ++i) {
    const uint32_t was = GetU32(bytes, 4 * i);
    if (add ? __builtin_add_overflow(was, by[i], &now[i])
            : __builtin_sub_overflow(was, by[i], &now[i]))
      return false;
  }
  for (size_t i = 0; i < 9; ++i) SetU32(bytes, 4 * i, now[i]);
  return true;
}

}  // namespace helpdesk::reports
