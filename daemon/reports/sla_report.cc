#include "daemon/reports/sla_report.h"

#include <date/date.h>

#include <algorithm>
#include <array>
#include <bit>
#include <cmath>
#include <cstdio>
#include <set>
#include <span>
#include <tuple>

#include "proto/timestamps.h"
#include "sla/oslo_time.h"

namespace helpdesk::reports {
namespace {

using std::chrono::sys_seconds;

using proto::ToSys;
using proto::ToTimestamp;

// What one clock kind adds up to over a group. Its median and 90th
// percentile are set by Percentiles, over all groups at once.
struct Tally {
  uint32_t met = 0, breached = 0, open = 0;
  size_t stopped = 0;
  int64_t median = 0, p90 = 0;
  int32_t id = -1;  // its number in Percentiles, once it has stopped times

  v1::SlaAttainment Finish() const {
    v1::SlaAttainment a;
    a.set_met(met);
    a.set_breached(breached);
    a.set_open(open);
    a.set_stopped(static_cast<uint32_t>(stopped));
    if (stopped > 0) {
      a.set_median_seconds(median);
      a.set_p90_seconds(p90);
    }
    return a;
  }
};

// The nearest-rank median and 90th percentile of every tally, exactly,
// over the stopped times of the cells, which stay where they are: each
// cell's times count in up to three tallies (the total, its row, its
// equal-service cell), and however many tallies there are, the times are
// read twice. The first pass counts each tally's times by bucket; the
// second gathers the times of the one or two buckets that hold each
// tally's ranks, which are then ordered alone. Linear: some milliseconds
// for a million times, where sorting them takes tens.
class Percentiles {
 public:
  // The times `values` count in the first `n` of `in` (their counts are
  // added apart).
  void Add(std::span<const int64_t> values, const std::array<Tally*, 3>& in,
           size_t n) {
    if (values.empty()) return;
    Times t{values, {}, 0};
    for (size_t i = 0; i < n; ++i) {
      Tally* tally = in[i];
      if (tally->id < 0) {
        tally->id = static_cast<int32_t>(tallies_.size());
        tallies_.push_back(tally);
      }
      t.ids[t.n++] = static_cast<uint32_t>(tally->id);
    }
    times_.push_back(t);
  }

  // Sets each tally's median and p90.
  void Set() {
    const size_t count = tallies_.size();
    std::vector<uint32_t> in_bucket(count * kBuckets, 0);
    for (const Times& t : times_)
      for (int64_t v : t.values) {
        const size_t b = Bucket(v);
        for (uint8_t i = 0; i < t.n; ++i) ++in_bucket[t.ids[i] * kBuckets + b];
      }
    // Where each tally's ranks are: the bucket, and the rank within it.
    struct Target {
      size_t b1 = 0, k1 = 0, b2 = 0, k2 = 0;
      std::vector<int64_t> v1, v2;
    };
    std::vector<Target> targets(count);
    for (size_t id = 0; id < count; ++id) {
      const Tally& tally = *tallies_[id];
      const auto rank = [&](double p) {
        return std::clamp<size_t>(static_cast<size_t>(std::ceil(
                                      p * static_cast<double>(tally.stopped))),
                                  1, tally.stopped);
      };
      const uint32_t* counts = &in_bucket[id * kBuckets];
      const auto find = [&](size_t r) {
        size_t below = 0, b = 0;
        while (below + counts[b] < r) below += counts[b++];
        return std::pair{b, r - below};
      };
      Target& target = targets[id];
      std::tie(target.b1, target.k1) = find(rank(0.5));
      std::tie(target.b2, target.k2) = find(rank(0.9));
      target.v1.reserve(counts[target.b1]);
      if (target.b2 != target.b1) target.v2.reserve(counts[target.b2]);
    }
    for (const Times& t : times_)
      for (int64_t v : t.values) {
        const size_t b = Bucket(v);
        for (uint8_t i = 0; i < t.n; ++i) {
          Target& target = targets[t.ids[i]];
          if (b == target.b1)
            target.v1.push_back(v);
          else if (b == target.b2)
            target.v2.push_back(v);
        }
      }
    for (size_t id = 0; id < count; ++id) {
      Target& target = targets[id];
      std::nth_element(target.v1.begin(), target.v1.begin() + (target.k1 - 1),
                       target.v1.end());
      tallies_[id]->median = target.v1[target.k1 - 1];
      std::vector<int64_t>& second =
          target.b2 == target.b1 ? target.v1 : target.v2;
      std::nth_element(second.begin(), second.begin() + (target.k2 - 1),
                       second.end());
      tallies_[id]->p90 = second[target.k2 - 1];
    }
  }

 private:
  // Buckets a sixteenth of their values wide: each value below 16 its own,
  // then 16 to each doubling. Few, so that a thousand tallies' counts fit
  // in a few megabytes; narrow enough that the bucket holding a rank holds
  // a few percent of the times at most, however skewed they are (a few
  // clocks stopped after years do not crowd the rest into one).
  static constexpr size_t kBuckets = 16 + 59 * 16;
  static size_t Bucket(int64_t v) {
    if (v < 16) return v <= 0 ? 0 : static_cast<size_t>(v);
    const auto u = static_cast<uint64_t>(v);
    const int e = std::bit_width(u) - 1;  // 4..62
    return 16 + static_cast<size_t>(e - 4) * 16 + ((u >> (e - 4)) & 15);
  }

  struct Times {
    std::span<const int64_t> values;
    std::array<uint32_t, 3> ids;
    uint8_t n;
  };
  std::vector<Times> times_;
  std::vector<Tally*> tallies_;
};

struct Group {
  std::string name;
  uint32_t tickets = 0;
  Tally response, resolution;

  // Counts `c` in this group and the others, and its stopped times in
  // `percentiles`.
  static void Count(const Cell& c, std::initializer_list<Group*> groups,
                    Percentiles& percentiles) {
    std::array<Tally*, 3> response{}, resolution{};
    size_t n = 0;
    for (Group* g : groups) {
      g->tickets += c.tickets;
      Add(g->response, c.response);
      Add(g->resolution, c.resolution);
      response[n] = &g->response;
      resolution[n++] = &g->resolution;
    }
    percentiles.Add(c.response.stopped, response, n);
    percentiles.Add(c.resolution.stopped, resolution, n);
  }

  v1::SlaReportRow Row(const std::string& key) const {
    v1::SlaReportRow row;
    row.set_key(key);
    row.set_name(name);
    row.set_tickets(tickets);
    *row.mutable_first_response() = response.Finish();
    *row.mutable_resolution() = resolution.Finish();
    return row;
  }

 private:
  static void Add(Tally& into, const ClockTally& t) {
    into.met += t.met;
    into.breached += t.breached;
    into.open += t.open;
    into.stopped += t.stopped.size();
  }
};

std::string MonthOf(int32_t day) {
  const date::year_month_day ymd{date::local_days(date::days(day))};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()));
  return buf;
}

std::string PriorityKey(int priority) {
  return std::string(sla::PriorityName(priority));
}

std::string Capitalised(std::string s) {
  if (!s.empty() && s[0] >= 'a' && s[0] <= 'z')
    s[0] = static_cast<char>(s[0] - 'a' + 'A');
  return s;
}

class Names {
 public:
  Names(const v1::Region& region,
        const std::map<std::string, std::string>& services)
      : services_(services) {
    for (const auto& m : region.municipalities())
      municipalities_[m.id()] = m.name();
  }
  std::string Municipality(const std::string& id) const {
    auto it = municipalities_.find(id);
    return it == municipalities_.end() ? id : it->second;
  }
  std::string Service(const std::string& id) const {
    auto it = services_.find(id);
    return it == services_.end() ? id : it->second;
  }

 private:
  std::map<std::string, std::string> municipalities_;
  const std::map<std::string, std::string>& services_;
};

// The group key of a cell and its name.
std::pair<std::string, std::string> KeyOf(const CellKey& k, GroupBy by,
                                          const Names& names) {
  switch (by) {
    case GroupBy::kMunicipality:
      return {k.municipality, names.Municipality(k.municipality)};
    case GroupBy::kService:
      return {k.service_id, names.Service(k.service_id)};
    case GroupBy::kPriority: {
      std::string key = PriorityKey(k.priority);
      return {key, Capitalised(key)};
    }
    case GroupBy::kAssignee:
      if (k.assignee.empty()) return {"unassigned", "Unassigned"};
      return {k.assignee, k.assignee};
    case GroupBy::kMonth: {
      std::string month = MonthOf(k.day);
      return {month, month};
    }
  }
  return {};
}

// Whether cells keyed `a` and `b` are in the same group (without making
// their keys).
bool SameGroup(const CellKey& a, const CellKey& b, GroupBy by) {
  switch (by) {
    case GroupBy::kMunicipality:
      return a.municipality == b.municipality;
    case GroupBy::kService:
      return a.service_id == b.service_id;
    case GroupBy::kPriority:
      return a.priority == b.priority;
    case GroupBy::kAssignee:
      return a.assignee == b.assignee;
    case GroupBy::kMonth:
      return a.day == b.day;  // the same day: the same month
  }
  return false;
}

// Keys in report order: those every report shows (all municipalities of
// the region, all priorities) first in their own order, then the rest
// sorted.
std::vector<std::string> OrderedKeys(const std::map<std::string, Group>& groups,
                                     GroupBy by, const v1::Region& region) {
  std::vector<std::string> keys;
  std::set<std::string> placed;
  if (by == GroupBy::kMunicipality) {
    for (const auto& m : region.municipalities())
      if (placed.insert(m.id()).second) keys.push_back(m.id());
  } else if (by == GroupBy::kPriority) {
    for (int p = sla::kCritical; p <= sla::kLow; ++p) {
      keys.push_back(PriorityKey(p));
      placed.insert(keys.back());
    }
  }
  for (const auto& [key, group] : groups)
    if (!placed.contains(key)) keys.push_back(key);
  return keys;
}

// The groups by service, then municipality: what the equal-service view
// and the volume read.
using ByServiceAndMunicipality =
    std::map<std::string, std::map<std::string, Group>>;

void AddEqualService(v1::SlaReport& report,
                     const ByServiceAndMunicipality& cells,
                     const v1::Region& region, const Names& names) {
  for (const auto& [service, by_muni] : cells) {
    auto* row = report.add_equal_service();
    row->set_service_id(service);
    row->set_service_name(names.Service(service));
    std::optional<std::pair<int64_t, int64_t>> response_range, resolution_range;
    auto widen = [](auto& range, const v1::SlaAttainment& a) {
      if (a.stopped() == 0) return;
      const int64_t m = a.median_seconds();
      if (!range) range.emplace(m, m);
      range->first = std::min(range->first, m);
      range->second = std::max(range->second, m);
    };
    for (const auto& key :
         OrderedKeys(by_muni, GroupBy::kMunicipality, region)) {
      auto it = by_muni.find(key);
      if (it == by_muni.end()) continue;  // no tickets of this service there
      auto* cell = row->add_municipalities();
      cell->set_municipality(key);
      cell->set_tickets(it->second.tickets);
      *cell->mutable_first_response() = it->second.response.Finish();
      *cell->mutable_resolution() = it->second.resolution.Finish();
      widen(response_range, cell->first_response());
      widen(resolution_range, cell->resolution());
    }
    if (response_range)
      row->set_first_response_median_spread_seconds(response_range->second -
                                                    response_range->first);
    if (resolution_range)
      row->set_resolution_median_spread_seconds(resolution_range->second -
                                                resolution_range->first);
  }
}

void AddVolume(v1::SlaReport& report, const ByServiceAndMunicipality& cells,
               const v1::Region& region, const CostKey& key) {
  std::map<std::string, std::map<std::string, uint32_t>> counts;
  std::map<std::string, uint32_t> totals;
  for (const auto& [service, by_muni] : cells)
    for (const auto& [municipality, group] : by_muni) {
      counts[municipality][service] += group.tickets;
      totals[municipality] += group.tickets;
    }
  const int n = region.municipalities_size();
  if (n == 0) return;
  std::vector<double> weights;
  double sum = 0;
  for (const auto& m : region.municipalities()) {
    const double w = key.variable == Variable::kPopulation
                         ? static_cast<double>(m.population())
                         : static_cast<double>(totals[m.id()]);
    weights.push_back(w);
    sum += w;
  }
  const double fixed = std::clamp(key.fixed_share, 0.0, 1.0);
  for (int i = 0; i < n; ++i) {
    const auto& m = region.municipalities(i);
    auto* row = report.add_volume();
    row->set_municipality(m.id());
    row->set_name(m.name());
    row->set_tickets(totals[m.id()]);
    row->set_population(m.population());
    for (const auto& [service, count] : counts[m.id()]) {
      auto* s = row->add_services();
      s->set_service_id(service);
      s->set_tickets(count);
    }
    const double fixed_part = fixed / n;
    const double variable_part =
        (1.0 - fixed) *
        (sum > 0 ? weights[static_cast<size_t>(i)] / sum : 1.0 / n);
    row->set_fixed_percent(100.0 * fixed_part);
    row->set_variable_percent(100.0 * variable_part);
    row->set_share_percent(100.0 * (fixed_part + variable_part));
    if (key.amount) {
      row->set_fixed_kroner(*key.amount * fixed_part);
      row->set_variable_kroner(*key.amount * variable_part);
      row->set_share_kroner(*key.amount * (fixed_part + variable_part));
    }
  }
}

}  // namespace

std::optional<GroupBy> ParseGroupBy(std::string_view name) {
  if (name == "municipality") return GroupBy::kMunicipality;
  if (name == "service") return GroupBy::kService;
  if (name == "priority") return GroupBy::kPriority;
  if (name == "assignee") return GroupBy::kAssignee;
  if (name == "month") return GroupBy::kMonth;
  return std::nullopt;
}

std::string_view GroupByName(GroupBy group_by) {
  switch (group_by) {
    case GroupBy::kMunicipality:
      return "municipality";
    case GroupBy::kService:
      return "service";
    case GroupBy::kPriority:
      return "priority";
    case GroupBy::kAssignee:
      return "assignee";
    case GroupBy::kMonth:
      return "month";
  }
  return "";
}

std::optional<Variable> ParseVariable(std::string_view name) {
  if (name == "volume") return Variable::kVolume;
  if (name == "population") return Variable::kPopulation;
  return std::nullopt;
}

std::string_view VariableName(Variable variable) {
  return variable == Variable::kPopulation ? "population" : "volume";
}

std::optional<sys_seconds> DateBound(std::string_view text, bool end) {
  auto day = sla::ParseLocalDay(text);
  if (!day.ok()) return std::nullopt;
  return sla::FromOslo(*day + date::days(end ? 1 : 0), 0);
}

int64_t NearestRank(std::vector<int64_t>& values, double p) {
  if (values.empty()) return 0;
  std::sort(values.begin(), values.end());
  const double n = static_cast<double>(values.size());
  auto rank = static_cast<size_t>(std::ceil(p * n));
  rank = std::clamp<size_t>(rank, 1, values.size());
  return values[rank - 1];
}

v1::SlaReport BuildSlaReport(
    const std::vector<v1::Ticket>& tickets, const v1::Region& region,
    const std::map<std::string, std::string>& service_names,
    const sla::PolicyBook& book, const SlaReportInput& input) {
  std::vector<Cell> cells;
  for (const auto& t : tickets) {
    const sys_seconds created = ToSys(t.created_at());
    if (created >= input.from && created < input.to)
      cells.push_back(CellOf(t, ReadAt{book, input.now}));
  }
  return BuildSlaReport(cells, region, service_names, input);
}

v1::SlaReport BuildSlaReport(
    const std::vector<Cell>& in, const v1::Region& region,
    const std::map<std::string, std::string>& service_names,
    const SlaReportInput& input) {
  return BuildSlaReport(in, in, region, service_names, input);
}

v1::SlaReport BuildSlaReport(
    const std::vector<Cell>& in, const std::vector<Cell>& row_cells,
    const v1::Region& region,
    const std::map<std::string, std::string>& service_names,
    const SlaReportInput& input) {
  const Names names(region, service_names);
  uint32_t tickets = 0;
  for (const Cell& c : in) tickets += c.tickets;

  v1::SlaReport report;
  *report.mutable_from() = ToTimestamp(input.from);
  *report.mutable_to() = ToTimestamp(input.to);
  *report.mutable_at() = ToTimestamp(input.now);
  report.set_group_by(std::string(GroupByName(input.group_by)));
  report.set_tickets(tickets);

  // Each cell counts in the total, its equal-service cell and its row
  // (when the rows are of the same cells), each group looked up again only
  // when its key changes: cells come in key order, so the next is mostly
  // of the same.
  const bool same = &row_cells == &in;
  Percentiles percentiles;
  Group total;
  total.name = "All";
  std::map<std::string, Group> groups;
  ByServiceAndMunicipality by_service;
  const CellKey* last_row = nullptr;
  const CellKey* last_service = nullptr;
  Group* row = nullptr;
  Group* service = nullptr;
  const auto row_of = [&](const Cell& c) {
    if (!last_row || !SameGroup(*last_row, c.key, input.group_by)) {
      auto [key, name] = KeyOf(c.key, input.group_by, names);
      row = &groups[key];
      row->name = std::move(name);
      last_row = &c.key;
    }
    return row;
  };
  for (const Cell& c : in) {
    if (!last_service || last_service->service_id != c.key.service_id ||
        last_service->municipality != c.key.municipality) {
      service = &by_service[c.key.service_id][c.key.municipality];
      last_service = &c.key;
    }
    if (same)
      Group::Count(c, {&total, service, row_of(c)}, percentiles);
    else
      Group::Count(c, {&total, service}, percentiles);
  }
  if (!same)
    for (const Cell& c : row_cells) Group::Count(c, {row_of(c)}, percentiles);
  percentiles.Set();
  *report.mutable_total() = total.Row("all");
  for (const auto& key : OrderedKeys(groups, input.group_by, region)) {
    auto it = groups.find(key);
    if (it != groups.end()) {
      *report.add_rows() = it->second.Row(key);
      continue;
    }
    // A municipality or priority without tickets still has its row.
    Group empty;
    empty.name = input.group_by == GroupBy::kMunicipality
                     ? names.Municipality(key)
                     : Capitalised(key);
    *report.add_rows() = empty.Row(key);
  }

  AddEqualService(report, by_service, region, names);
  AddVolume(report, by_service, region, input.cost);
  auto* key = report.mutable_cost_key();
  key->set_fixed_share(std::clamp(input.cost.fixed_share, 0.0, 1.0));
  key->set_variable(std::string(VariableName(input.cost.variable)));
  if (input.cost.amount) key->set_amount(*input.cost.amount);
  return report;
}

}  // namespace helpdesk::reports
