#include "daemon/reports/sla_report.h"

#include <date/date.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdio>
#include <set>

#include "proto/timestamps.h"
#include "sla/oslo_time.h"

namespace helpdesk::reports {
namespace {

using std::chrono::sys_seconds;

using proto::ToSys;
using proto::ToTimestamp;

// The values at ranks r1 and r2 (1-based, in 1..n) of `values` as if
// sorted, exactly, without sorting: one pass counts the values by their
// top bits, a second gathers the two buckets that hold the
// ranks, which are then ordered alone. Linear, and a few milliseconds for a
// million values where a sort takes tens.
std::pair<int64_t, int64_t> AtRanks(const std::vector<int64_t>& values,
                                    size_t r1, size_t r2) {
  if (values.size() < 4096) {  // small: ordering a copy costs less
    std::vector<int64_t> copy = values;
    std::nth_element(copy.begin(), copy.begin() + (r1 - 1), copy.end());
    const int64_t first = copy[r1 - 1];
    std::nth_element(copy.begin() + (r1 - 1), copy.begin() + (r2 - 1),
                     copy.end());
    return {first, copy[r2 - 1]};
  }
  // About eight values a bucket, at most 65,536 buckets: counting costs
  // what the values do.
  const size_t buckets =
      std::clamp<size_t>(std::bit_ceil(values.size() / 8), 512, 65536);
  int64_t max = 0;
  for (int64_t v : values) max = std::max(max, v);
  int shift = 0;
  while (static_cast<uint64_t>(max) >> shift >= buckets) ++shift;
  const auto bucket = [shift](int64_t v) {
    return v <= 0 ? size_t{0} : static_cast<size_t>(v >> shift);
  };
  std::vector<uint32_t> count(buckets, 0);
  for (int64_t v : values) ++count[bucket(v)];
  const auto find = [&](size_t rank) {
    size_t below = 0, b = 0;
    while (below + count[b] < rank) below += count[b++];
    return std::pair{b, rank - below};  // the bucket, the rank within it
  };
  const auto [b1, k1] = find(r1);
  const auto [b2, k2] = find(r2);
  std::vector<int64_t> in1, in2;
  in1.reserve(count[b1]);
  if (b2 != b1) in2.reserve(count[b2]);
  for (int64_t v : values) {
    const size_t b = bucket(v);
    if (b == b1)
      in1.push_back(v);
    else if (b == b2)
      in2.push_back(v);
  }
  std::nth_element(in1.begin(), in1.begin() + (k1 - 1), in1.end());
  const int64_t first = in1[k1 - 1];
  if (b2 == b1) {
    std::nth_element(in1.begin(), in1.begin() + (k2 - 1), in1.end());
    return {first, in1[k2 - 1]};
  }
  std::nth_element(in2.begin(), in2.begin() + (k2 - 1), in2.end());
  return {first, in2[k2 - 1]};
}

// What one clock kind adds up to over a group, before the percentiles.
struct Tally {
  uint32_t met = 0, breached = 0, open = 0;
  std::vector<int64_t> stopped;  // business seconds of stopped clocks

  void Add(const ClockTally& t) {
    met += t.met;
    breached += t.breached;
    open += t.open;
    stopped.insert(stopped.end(), t.stopped.begin(), t.stopped.end());
  }

  v1::SlaAttainment Finish() const {
    v1::SlaAttainment a;
    a.set_met(met);
    a.set_breached(breached);
    a.set_open(open);
    a.set_stopped(static_cast<uint32_t>(stopped.size()));
    if (!stopped.empty()) {
      const auto rank = [&](double p) {
        return std::clamp<size_t>(static_cast<size_t>(std::ceil(
                                      p * static_cast<double>(stopped.size()))),
                                  1, stopped.size());
      };
      const auto [median, p90] = AtRanks(stopped, rank(0.5), rank(0.9));
      a.set_median_seconds(median);
      a.set_p90_seconds(p90);
    }
    return a;
  }
};

struct Group {
  std::string name;
  uint32_t tickets = 0;
  Tally response, resolution;

  void Add(const Cell& c) {
    tickets += c.tickets;
    response.Add(c.response);
    resolution.Add(c.resolution);
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

void AddEqualService(v1::SlaReport& report, const std::vector<Cell>& in,
                     const v1::Region& region, const Names& names) {
  // service id -> municipality id -> group
  std::map<std::string, std::map<std::string, Group>> cells;
  std::map<std::string, std::string> service_names;
  for (const Cell& c : in) {
    cells[c.key.service_id][c.key.municipality].Add(c);
    service_names.emplace(c.key.service_id, names.Service(c.key.service_id));
  }
  for (const auto& [service, by_muni] : cells) {
    auto* row = report.add_equal_service();
    row->set_service_id(service);
    row->set_service_name(service_names[service]);
    std::map<std::string, Group> groups = by_muni;
    std::optional<std::pair<int64_t, int64_t>> response_range, resolution_range;
    auto widen = [](auto& range, const v1::SlaAttainment& a) {
      if (a.stopped() == 0) return;
      const int64_t m = a.median_seconds();
      if (!range) range.emplace(m, m);
      range->first = std::min(range->first, m);
      range->second = std::max(range->second, m);
    };
    for (const auto& key :
         OrderedKeys(groups, GroupBy::kMunicipality, region)) {
      auto it = groups.find(key);
      if (it == groups.end()) continue;  // no tickets of this service there
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

void AddVolume(v1::SlaReport& report, const std::vector<Cell>& in,
               const v1::Region& region, const CostKey& key) {
  std::map<std::string, std::map<std::string, uint32_t>> counts;
  std::map<std::string, uint32_t> totals;
  for (const Cell& c : in) {
    counts[c.key.municipality][c.key.service_id] += c.tickets;
    totals[c.key.municipality] += c.tickets;
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
  const Names names(region, service_names);
  uint32_t tickets = 0;
  for (const Cell& c : in) tickets += c.tickets;

  v1::SlaReport report;
  *report.mutable_from() = ToTimestamp(input.from);
  *report.mutable_to() = ToTimestamp(input.to);
  *report.mutable_at() = ToTimestamp(input.now);
  report.set_group_by(std::string(GroupByName(input.group_by)));
  report.set_tickets(tickets);

  Group total;
  total.name = "All";
  {
    size_t response = 0, resolution = 0;
    for (const Cell& c : in) {
      response += c.response.stopped.size();
      resolution += c.resolution.stopped.size();
    }
    total.response.stopped.reserve(response);
    total.resolution.stopped.reserve(resolution);
  }
  std::map<std::string, Group> groups;
  for (const Cell& c : in) {
    total.Add(c);
    auto [key, name] = KeyOf(c.key, input.group_by, names);
    Group& g = groups[key];
    g.name = std::move(name);
    g.Add(c);
  }
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

  AddEqualService(report, in, region, names);
  AddVolume(report, in, region, input.cost);
  auto* key = report.mutable_cost_key();
  key->set_fixed_share(std::clamp(input.cost.fixed_share, 0.0, 1.0));
  key->set_variable(std::string(VariableName(input.cost.variable)));
  if (input.cost.amount) key->set_amount(*input.cost.amount);
  return report;
}

}  // namespace helpdesk::reports
