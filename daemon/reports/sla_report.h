#pragma once
// The SLA report (DOMAIN.md rules 4, 10 and 12): for tickets created in
// [from, to), attainment of the first-response and resolution clocks (met,
// breached, open) with the median and 90th percentile of the business time
// used, grouped by one key; the same services side by side per
// municipality (the "equal service" evidence); and the volume per
// municipality and service with a cost split by a fordelingsnøkkel.
//
// A clock counts as met in state MET; breached in state BREACHED, or when
// running and its business time at `now` is past its target; open
// otherwise. Times are over stopped clocks only (met, or breached and
// stopped), in business seconds of the clock's calendar; percentiles are
// nearest-rank: the value at rank ceil(p * n) of the n sorted times.
//
// Pure: `now` is passed in. Any thread.

#include <chrono>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/reports/cells.h"
#include "proto/helpdesk.pb.h"
#include "sla/policy.h"

namespace helpdesk::reports {

enum class GroupBy { kMunicipality, kService, kPriority, kAssignee, kMonth };
// "municipality", "service", "priority", "assignee", "month".
std::optional<GroupBy> ParseGroupBy(std::string_view name);
std::string_view GroupByName(GroupBy group_by);
inline constexpr std::string_view kGroupByChoices =
    "municipality, service, priority, assignee, month";

// The variable part of the cost split is weighed by ticket volume or by
// the municipalities' population.
enum class Variable { kVolume, kPopulation };
std::optional<Variable> ParseVariable(std::string_view name);
std::string_view VariableName(Variable variable);

// The fordelingsnøkkel: `fixed_share` (0..1) of the cost split equally
// among the region's municipalities, the rest by weight:
//   share_i = fixed / N + (1 - fixed) * w_i / sum(w).
// With no weight at all (no tickets, no populations) the variable part is
// split equally too, so the shares always sum to 100 %.
struct CostKey {
  double fixed_share = 0.4;
  Variable variable = Variable::kVolume;
  std::optional<double> amount;  // kroner, when the caller wants them
};

struct SlaReportInput {
  std::chrono::sys_seconds from, to;  // tickets created in [from, to)
  std::chrono::sys_seconds now;       // open clocks are read at this instant
  GroupBy group_by = GroupBy::kMunicipality;
  CostKey cost;
};

// Builds the report from cells (cells.h) of the tickets created in [from,
// to): as the store keeps them, with the tickets whose clocks a report
// reads otherwise at `now` taken out and put back as CellOf(ticket, at
// now) gives them. `service_names` maps catalogue service ids to names (a
// service missing there is named by its id). Rows come in a fixed order:
// municipalities as in the region (all of them), priorities critical to
// low (all four), every other key sorted. For group_by month, no cell may
// span more than a month.
v1::SlaReport BuildSlaReport(
    const std::vector<Cell>& cells, const v1::Region& region,
    const std::map<std::string, std::string>& service_names,
    const SlaReportInput& input);

// The same, with the rows built from `row_cells`: cells of the same
// tickets as `cells`, keyed as finely as the grouping needs (and for group
// by month, none spanning more than a month), when `cells` are not (a
// report by month or assignee reads the cells by month and assignee alone;
// its equal-service view and volume read `cells`).
v1::SlaReport BuildSlaReport(
    const std::vector<Cell>& cells, const std::vector<Cell>& row_cells,
    const v1::Region& region,
    const std::map<std::string, std::string>& service_names,
    const SlaReportInput& input);

// The same from `tickets` (any order; those outside [from, to) are
// ignored), each read at `now` on the policy's calendars.
v1::SlaReport BuildSlaReport(
    const std::vector<v1::Ticket>& tickets, const v1::Region& region,
    const std::map<std::string, std::string>& service_names,
    const sla::PolicyBook& book, const SlaReportInput& input);

// A range bound given as a date ("2026-04-01"): the start of that day in
// Oslo time, or for the end of a range (`end`), the start of the next day,
// so that the day is in the range. nullopt when `text` is not a real date
// written so (four-digit year, two-digit month and day).
std::optional<std::chrono::sys_seconds> DateBound(std::string_view text,
                                                  bool end);

// Nearest-rank percentile `p` (0 < p <= 1) of `values`, which it sorts;
// 0 for none.
int64_t NearestRank(std::vector<int64_t>& values, double p);

}  // namespace helpdesk::reports
