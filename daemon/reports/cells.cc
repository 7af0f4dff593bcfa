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
  std::vector<int64_t> merged;
  merged.reserve(into.stopped.size() + other.stopped.size());
  std::merge(into.stopped.begin(), into.stopped.end(), other.stopped.begin(),
             other.stopped.end(), std::back_inserter(merged));
  into.stopped = std::move(merged);
}

bool Take(ClockTally& into, const ClockTally& other) {
  if (into.met < other.met || into.breached < other.breached ||
      into.open < other.open)
    return false;
  std::vector<int64_t> left;
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

void PutTally(std::string& out, const ClockTally& t) {
  PutVarint(out, t.met);
  PutVarint(out, t.breached);
  PutVarint(out, t.open);
  PutVarint(out, t.stopped.size());
  int64_t previous = 0;
  for (int64_t v : t.stopped) {
    PutVarint(out, static_cast<uint64_t>(v - previous));
    previous = v;
  }
}

bool GetTally(std::string_view& in, ClockTally& t) {
  uint64_t met, breached, open, n;
  if (!GetVarint(in, met) || !GetVarint(in, breached) || !GetVarint(in, open) ||
      !GetVarint(in, n) || met > UINT32_MAX || breached > UINT32_MAX ||
      open > UINT32_MAX || n > in.size())
    return false;
  t.met = static_cast<uint32_t>(met);
  t.breached = static_cast<uint32_t>(breached);
  t.open = static_cast<uint32_t>(open);
  t.stopped.clear();
  t.stopped.reserve(n);
  uint64_t value = 0;
  for (uint64_t i = 0; i < n; ++i) {
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
  PutVarint(out, cell.tickets);
  PutTally(out, cell.response);
  PutTally(out, cell.resolution);
  return out;
}

bool DecodeCell(std::string_view bytes, Cell& cell) {
  uint64_t tickets;
  if (!GetVarint(bytes, tickets) || tickets > UINT32_MAX) return false;
  cell.tickets = static_cast<uint32_t>(tickets);
  return GetTally(bytes, cell.response) && GetTally(bytes, cell.resolution) &&
         bytes.empty();
}

}  // namespace helpdesk::reports
