// One dispatch decision over a region of 2,000 staff and 500 services, at
// instants that take each branch of the rule path, and the Roster build.
// Each benchmark cycles through up to 256 tickets that take its branch
// (checked while setting up), with loads served from a vector. The target
// is a decision in under 20 µs (p50 of repetitions):
//   helpdesk-dispatch-bench --benchmark_repetitions=10
//     --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <random>
#include <string>
#include <vector>

#include "daemon/dispatch/dispatch.h"
#include "sla/oslo_time.h"
#include "tests/support/random_roster.h"

namespace helpdesk::dispatch {
namespace {

using std::chrono::sys_seconds;

constexpr int kStaff = 2000;
constexpr int kServices = 500;
constexpr size_t kTicketsPerCase = 256;

sys_seconds At(int y, unsigned m, unsigned d, int hour, int minute) {
  return sla::FromOslo(date::local_days{date::year(y) / m / d},
                       hour * 60 + minute);
}

testgen::RegionSpec BenchSpec() {
  testgen::RegionSpec spec;
  spec.municipalities = 40;
  spec.uncovered = 3;  // on-site work there needs the travel fallback
  spec.staff = kStaff;
  spec.skills = 16;
  spec.services = kServices;
  spec.vakt_gap_share = 0;
  return spec;
}

struct World {
  testgen::Region region;
  std::unique_ptr<Roster> roster;
  std::vector<Load> loads;          // by index into roster->people()
  std::vector<v1::Ticket> tickets;  // a pool to pick scenario tickets from

  Load LoadOf(const Person& p) const {
    return loads[static_cast<size_t>(&p - roster->people().data())];
  }
};

const World& TheWorld() {
  static const World* world = [] {
    auto* w = new World;
    std::mt19937_64 rng(20260310);
    w->region = testgen::RandomRegion(BenchSpec(), rng);
    w->roster = testgen::MakeRoster(w->region);
    std::uniform_int_distribution<uint32_t> open(0, 4);
    std::uniform_int_distribution<uint64_t> seq(0, 100000);
    for (size_t i = 0; i < w->roster->people().size(); ++i) {
      Load l;
      for (int p = 1; p <= 4; ++p) l.open_by_priority[p] = open(rng);
      l.last_assigned_seq = seq(rng);
      w->loads.push_back(l);
    }
    for (int i = 0; i < 20000; ++i)
      w->tickets.push_back(testgen::RandomTicket(w->region, i + 1, rng));
    return w;
  }();
  return *world;
}

Input MakeInput(const v1::Ticket& t, sys_seconds now) {
  Input in;
  in.ticket = &t;
  in.service = &t.service();
  in.now = now;
  return in;
}

// Tickets of the pool that `keep` accepts, with `priority`, that take the
// branch `want` accepts at `now`.
template <typename Keep, typename Want>
std::vector<v1::Ticket> Pick(sys_seconds now, Keep keep, Want want) {
  const World& w = TheWorld();
  const LoadOf load = [&w](const Person& p) { return w.LoadOf(p); };
  std::vector<v1::Ticket> out;
  for (const auto& t : w.tickets) {
    if (out.size() == kTicketsPerCase) break;
    if (!keep(t)) continue;
    if (want(Decide(MakeInput(t, now), *w.roster, load))) out.push_back(t);
  }
  if (out.empty()) {
    std::fprintf(stderr, "no ticket takes the branch benchmarked\n");
    std::abort();
  }
  return out;
}

void RunDecisions(benchmark::State& state,
                  const std::vector<v1::Ticket>& tickets, sys_seconds now) {
  const World& w = TheWorld();
  const LoadOf load = [&w](const Person& p) { return w.LoadOf(p); };
  size_t i = 0;
  for (auto _ : state) {
    const v1::Ticket& t = tickets[i++ % tickets.size()];
    auto a = Decide(MakeInput(t, now), *w.roster, load);
    benchmark::DoNotOptimize(a);
  }
  state.counters["tickets"] = static_cast<double>(tickets.size());
}

bool Assigned(const v1::Assignment& a) {
  return a.outcome() == v1::ASSIGNMENT_OUTCOME_ASSIGNED;
}

// Tuesday 10:00: every kind of ticket, people at work.
void BM_DecideOfficeHours(benchmark::State& state) {
  const auto now = At(2026, 3, 10, 10, 0);
  static const auto tickets = Pick(
      now, [](const v1::Ticket&) { return true; },
      [](const v1::Assignment& a) {
        return Assigned(a) && !a.vakt() && !a.travel() &&
               a.rule_path().find("next_working_day") == std::string::npos;
      });
  RunDecisions(state, tickets, now);
}

// Thursday 02:00, critical: no one at work, the vakt takes it.
void BM_DecideCriticalAtNightToVakt(benchmark::State& state) {
  const auto now = At(2026, 9, 17, 2, 0);
  static const auto tickets = Pick(
      now,
      [](const v1::Ticket& t) {
        return t.priority() == v1::PRIORITY_CRITICAL ||
               t.priority() == v1::PRIORITY_HIGH;
      },
      [](const v1::Assignment& a) { return Assigned(a) && a.vakt(); });
  RunDecisions(state, tickets, now);
}

// Friday 20:00, normal: waits with someone who works on Monday.
void BM_DecideNormalOutOfHoursToNextWorkingDay(benchmark::State& state) {
  const auto now = At(2026, 9, 18, 20, 0);
  static const auto tickets = Pick(
      now,
      [](const v1::Ticket& t) {
        return t.priority() == v1::PRIORITY_NORMAL ||
               t.priority() == v1::PRIORITY_LOW;
      },
      [](const v1::Assignment& a) {
        return Assigned(a) &&
               a.rule_path().find("next_working_day") != std::string::npos;
      });
  RunDecisions(state, tickets, now);
}

// Tuesday 10:00, on-site work in a municipality with no IT staff of its
// own: the nearest neighbour's people travel.
void BM_DecideNecessaryWithTravelFallback(benchmark::State& state) {
  const auto now = At(2026, 3, 10, 10, 0);
  static const auto tickets = Pick(
      now, [](const v1::Ticket&) { return true; },
      [](const v1::Assignment& a) { return Assigned(a) && a.travel(); });
  RunDecisions(state, tickets, now);
}

void BM_BuildRoster(benchmark::State& state) {
  const World& w = TheWorld();
  for (auto _ : state) {
    state.PauseTiming();
    auto staff = w.region.staff;
    state.ResumeTiming();
    Roster roster(std::move(staff), w.region.rota, w.region.municipalities,
                  w.region.options);
    benchmark::DoNotOptimize(roster.people().data());
    benchmark::ClobberMemory();
  }
}

double Percentile50(const std::vector<double>& v) {
  if (v.empty()) return 0;
  std::vector<double> s = v;
  std::nth_element(s.begin(), s.begin() + s.size() / 2, s.end());
  return s[s.size() / 2];
}

BENCHMARK(BM_DecideOfficeHours)
    ->Unit(benchmark::kMicrosecond)
    ->ComputeStatistics("p50", Percentile50);
BENCHMARK(BM_DecideCriticalAtNightToVakt)
    ->Unit(benchmark::kMicrosecond)
    ->ComputeStatistics("p50", Percentile50);
BENCHMARK(BM_DecideNormalOutOfHoursToNextWorkingDay)
    ->Unit(benchmark::kMicrosecond)
    ->ComputeStatistics("p50", Percentile50);
BENCHMARK(BM_DecideNecessaryWithTravelFallback)
    ->Unit(benchmark::kMicrosecond)
    ->ComputeStatistics("p50", Percentile50);
BENCHMARK(BM_BuildRoster)
    ->Unit(benchmark::kMillisecond)
    ->ComputeStatistics("p50", Percentile50);

}  // namespace
}  // namespace helpdesk::dispatch

BENCHMARK_MAIN();
