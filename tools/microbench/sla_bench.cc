// Due-time computation on the desk calendar (Monday-Friday 08:00-15:30,
// Norwegian holidays and half days): Add and Subtract of about a year of
// business time (250 days x 7.5 h, so a walk over a year of holidays and
// both daylight-saving changes), Between over a calendar year, and a short
// Add (4 h) as a ticket of priority 2 would take. Each benchmark cycles
// through starts at every day of 2026 at 10:17. The target is a year's
// walk in a few tens of microseconds (p50 of repetitions):
//   helpdesk-sla-bench --benchmark_repetitions=10
//     --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include "sla/calendar.h"
#include "sla/oslo_time.h"

namespace helpdesk::sla {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_seconds;

constexpr seconds kYearOfBusiness = minutes(250 * 450);

const BusinessCalendar& Desk() {
  static const BusinessCalendar calendar(DeskCalendar());
  return calendar;
}

const std::vector<sys_seconds>& Starts() {
  static const std::vector<sys_seconds> starts = [] {
    std::vector<sys_seconds> out;
    const date::local_days first(date::year(2026) / 1 / 1);
    for (int d = 0; d < 365; ++d)
      out.push_back(FromOslo(first + date::days(d), 10 * 60 + 17));
    return out;
  }();
  return starts;
}

template <typename F>
void Cycle(benchmark::State& state, F f) {
  const auto& starts = Starts();
  size_t i = 0;
  for (auto _ : state) {
    benchmark::DoNotOptimize(f(starts[i]));
    i = i + 1 == starts.size() ? 0 : i + 1;
  }
}

void BM_AddYear(benchmark::State& state) {
  Cycle(state, [](sys_seconds s) { return Desk().Add(s, kYearOfBusiness); });
}

void BM_SubtractYear(benchmark::State& state) {
  Cycle(state,
        [](sys_seconds s) { return Desk().Subtract(s, kYearOfBusiness); });
}

void BM_BetweenYear(benchmark::State& state) {
  Cycle(state,
        [](sys_seconds s) { return Desk().Between(s, s + date::days(365)); });
}

void BM_AddFourHours(benchmark::State& state) {
  Cycle(state, [](sys_seconds s) { return Desk().Add(s, hours(4)); });
}

double Percentile50(const std::vector<double>& v) {
  if (v.empty()) return 0;
  std::vector<double> s = v;
  std::nth_element(s.begin(), s.begin() + s.size() / 2, s.end());
  return s[s.size() / 2];
}

BENCHMARK(BM_AddYear)
    ->Unit(benchmark::kMicrosecond)
    ->ComputeStatistics("p50", Percentile50);
BENCHMARK(BM_SubtractYear)
    ->Unit(benchmark::kMicrosecond)
    ->ComputeStatistics("p50", Percentile50);
BENCHMARK(BM_BetweenYear)
    ->Unit(benchmark::kMicrosecond)
    ->ComputeStatistics("p50", Percentile50);
BENCHMARK(BM_AddFourHours)
    ->Unit(benchmark::kMicrosecond)
    ->ComputeStatistics("p50", Percentile50);

}  // namespace
}  // namespace helpdesk::sla

BENCHMARK_MAIN();
