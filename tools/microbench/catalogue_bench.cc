// Catalogue imports and the vakt rota at the sizes the limits allow, with
// Google Benchmark:
//   Decide/Chain/N     an import of a chain of N categories (each the
//                      parent of the next): over the category limit (500)
//                      refused on the list size alone, up to it walked
//                      once (too deep beyond 8 levels: refused, with 100
//                      problems listed and the rest counted)
//   Decide/Tree/N      a valid import of N categories (four children
//                      each) and 4N services: linear in N
//   Decide/Largest     the largest import the limits allow, decided as
//                      the Desk does before it queues the write
//   WriterHold/Largest the writer's part of that import, on a real store:
//                      from queued until the writer is free for the next
//                      write (committed with fsync, answered, and whatever
//                      it does after); answered_ms: until answered
//   WriterHold/Rota    the same for a vakt rota of the most shifts allowed
//   Search/Index/{Demo,Largest}  preparing a catalogue for search (every
//                      word stemmed), once per catalogue version
//   Search/Query/{Demo,Largest}/N  one search on a prepared catalogue: a
//                      sentence as typed (N=0), or ten words that each
//                      match somewhere (N=1: the most a query looks for)
//   helpdesk-catalogue-bench --benchmark_repetitions=10
//     --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <chrono>
#include <future>
#include <string>
#include <vector>

#include "catalogue/catalogue.h"
#include "catalogue/default_catalogue.h"
#include "catalogue/edit.h"
#include "catalogue/search.h"
#include "daemon/staff/staff.h"
#include "daemon/store/writer.h"
#include "proto/timestamps.h"
#include "tests/catalogue/shapes.h"
#include "tests/support/desk_on_disk.h"

namespace helpdesk {
namespace {

namespace shapes = catalogue::shapes;
using Clock = std::chrono::steady_clock;

const std::vector<std::string> kMunicipalities = {
    "kongsberg", "notodden", "nore-og-uvdal", "flesberg",
    "rollag",    "tinn",     "hjartdal"};

void Decide(benchmark::State& state, const v1::Catalogue& incoming) {
  const v1::Catalogue current;
  for (auto _ : state) {
    catalogue::EditResult r =
        catalogue::Import(current, incoming, kMunicipalities);
    benchmark::DoNotOptimize(r);
  }
  state.counters["categories"] = incoming.categories_size();
  state.counters["services"] = incoming.services_size();
}

void BM_DecideChain(benchmark::State& state) {
  Decide(state, shapes::Chain(static_cast<int>(state.range(0))));
}
BENCHMARK(BM_DecideChain)
    ->Name("Decide/Chain")
    ->Arg(125)
    ->Arg(250)
    ->Arg(500)
    ->Arg(2000)
    ->Arg(4000)
    ->Arg(8000)
    ->Unit(benchmark::kMicrosecond);

void BM_DecideTree(benchmark::State& state) {
  const int n = static_cast<int>(state.range(0));
  v1::Catalogue c = shapes::Tree(n);
  shapes::AddServices(c, 4 * n);
  Decide(state, c);
}
BENCHMARK(BM_DecideTree)
    ->Name("Decide/Tree")
    ->Arg(125)
    ->Arg(250)
    ->Arg(500)
    ->Unit(benchmark::kMicrosecond);

v1::Catalogue Demo() {
  auto d = catalogue::DefaultCatalogue(kMunicipalities);
  return d.catalogue;
}

void BM_DecideLargest(benchmark::State& state) {
  const v1::Catalogue current = Demo();
  const v1::Catalogue incoming = shapes::Largest(current, kMunicipalities, 'a');
  for (auto _ : state) {
    catalogue::EditResult r =
        catalogue::Import(current, incoming, kMunicipalities);
    if (!r.ok()) state.SkipWithError(r.status.message().c_str());
    benchmark::DoNotOptimize(r);
  }
  state.counters["bytes"] = static_cast<double>(incoming.ByteSizeLong());
}
v1::Catalogue SearchCatalogue(int64_t largest) {
  return largest ? shapes::Largest(Demo(), kMunicipalities, 'a') : Demo();
}

void BM_SearchIndex(benchmark::State& state) {
  const v1::Catalogue c = SearchCatalogue(state.range(0));
  for (auto _ : state) {
    catalogue::SearchIndex index(c);
    benchmark::DoNotOptimize(&index);
  }
  state.counters["services"] = c.services_size();
}
BENCHMARK(BM_SearchIndex)
    ->Name("Search/Index")
    ->ArgNames({"largest"})
    ->Arg(0)
    ->Arg(1)
    ->Unit(benchmark::kMillisecond);

void BM_SearchQuery(benchmark::State& state) {
  const v1::Catalogue c = SearchCatalogue(state.range(0));
  const catalogue::SearchIndex index(c);
  const char* query = state.range(1)
                          ? "skriver passord nett pc mobil skjerm lisens "
                            "server tilgang elev"
                          : "skrivaren min verkar ikkje";
  size_t hits = 0;
  for (auto _ : state) {
    auto found = index.Search(query, {});
    hits = found.size();
    benchmark::DoNotOptimize(found);
  }
  state.counters["hits"] = static_cast<double>(hits);
}
BENCHMARK(BM_SearchQuery)
    ->Name("Search/Query")
    ->ArgNames({"largest", "ten_words"})
    ->Args({0, 0})
    ->Args({0, 1})
    ->Args({1, 0})
    ->Args({1, 1})
    ->Unit(benchmark::kMicrosecond);

BENCHMARK(BM_DecideLargest)
    ->Name("Decide/Largest")
    ->Unit(benchmark::kMillisecond);

// Waits for a desk write: `call` gets the done callback. Returns the time
// from the moment `call` returned (the write decided and queued, the
// writer idle) until the writer is free again: until an empty write,
// queued from the answer (so in the next batch, after whatever the writer
// does once it has answered), is answered. The answer itself goes in the
// "answered_ms" counter (the mean).
template <typename T, typename Call>
Clock::duration Hold(benchmark::State& state, testing::DeskOnDisk& disk,
                     Call call) {
  std::promise<Clock::time_point> answered, free;
  call([&](StatusOr<T> r) {
    if (!r.ok()) state.SkipWithError(r.status().message().c_str());
    answered.set_value(Clock::now());
    Status queued = disk.writer().Submit(
        [](store::WriteContext&) { return Status::Ok(); },
        [&](store::WriteResult) { free.set_value(Clock::now()); });
    if (!queued.ok()) free.set_value(Clock::now());
  });
  const Clock::time_point queued = Clock::now();
  const auto answer = answered.get_future().get() - queued;
  // Summed here; the Counter's flag makes it a mean over the iterations.
  auto& mean = state.counters["answered_ms"];
  mean = benchmark::Counter(
      mean.value + std::chrono::duration<double, std::milli>(answer).count(),
      benchmark::Counter::kAvgIterations);
  return free.get_future().get() - queued;
}

void BM_WriterHoldLargest(benchmark::State& state) {
  testing::DeskOnDisk disk;
  if (!disk.Open().ok()) return state.SkipWithError("cannot open the store");
  v1::Catalogue demo = *disk.desk().Catalogue();
  demo.clear_version();  // imported whatever version is there
  // Two imports differing in every new entry, so each one writes.
  const v1::Catalogue imports[2] = {
      shapes::Largest(demo, kMunicipalities, 'a'),
      shapes::Largest(demo, kMunicipalities, 'b')};
  int i = 0;
  for (auto _ : state) {
    v1::Catalogue incoming = imports[i++ % 2];
    auto held = Hold<catalogue::EditResult>(state, disk, [&](auto done) {
      disk.desk().ImportCatalogue({"bench", "import"}, std::move(incoming),
                                  std::move(done));
    });
    state.SetIterationTime(std::chrono::duration<double>(held).count());
  }
}
BENCHMARK(BM_WriterHoldLargest)
    ->Name("WriterHold/Largest")
    ->UseManualTime()
    ->Iterations(20)
    ->Unit(benchmark::kMillisecond);

void BM_WriterHoldRota(benchmark::State& state) {
  testing::DeskOnDisk disk;
  if (!disk.Open().ok()) return state.SkipWithError("cannot open the store");
  auto staff = disk.desk().ListStaff({});
  if (!staff.ok()) return state.SkipWithError("no staff");
  std::vector<std::string> ids;
  for (const auto& m : staff->staff())
    if (m.active()) ids.push_back(m.id());
  // Hourly shifts from the seed's week on, the primaries in turn; the
  // second rota starts each turn one person later, so each one writes.
  auto rota = [&](size_t offset) {
    v1::VaktRota r;
    const int64_t start = testing::kWednesdayMorning;
    for (size_t k = 0; k < staff::kMaxShifts; ++k) {
      auto* s = r.add_shifts();
      s->mutable_start()->set_seconds(start + static_cast<int64_t>(k) * 3600);
      s->mutable_end()->set_seconds(start + static_cast<int64_t>(k + 1) * 3600);
      s->set_primary(ids[(k + offset) % ids.size()]);
      s->set_backup(ids[(k + offset + 1) % ids.size()]);
    }
    return r;
  };
  const v1::VaktRota rotas[2] = {rota(0), rota(1)};
  int i = 0;
  for (auto _ : state) {
    auto current = disk.desk().GetRota(std::nullopt, std::nullopt);
    if (!current.ok()) return state.SkipWithError("cannot read the rota");
    v1::VaktRota body = rotas[i++ % 2];
    auto held = Hold<v1::VaktRota>(state, disk, [&](auto done) {
      disk.desk().PutRota({"bench", "rota"}, std::move(body),
                          current->version(), std::move(done));
    });
    state.SetIterationTime(std::chrono::duration<double>(held).count());
  }
}
BENCHMARK(BM_WriterHoldRota)
    ->Name("WriterHold/Rota")
    ->UseManualTime()
    ->Iterations(20)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace helpdesk

BENCHMARK_MAIN();
