// The writer's part of a create (issue 16, item 7), with Google Benchmark,
// through the real desk and store (LMDB in a scratch directory, fsync and
// all), free of HTTP, of the load generator and of the machine's other
// load that the creates at 64 connections share their two cores with:
//   Create/Wave/N   N creates of the load generator's shape (seven
//                   municipalities, one service, dispatched as the daemon
//                   does) submitted at once, answered on the writer
//   writer_cpu_us   the writer thread's CPU time per create (the parse and
//                   render of HTTP are not on it here, nor in the daemon),
//                   free of the fsync's wait; the commit's own CPU (pages
//                   written) is in it
//   creates_per_commit  how the writer batched the wave
// The wall time per wave includes the fsyncs, on the file system of
// $TMPDIR (or /tmp), where the scratch store is. The store grows by each
// wave (about 9,600 tickets in all), as a desk does. Google Benchmark's
// own CPU column is the waiting thread's, not the writer's.
//   helpdesk-create-bench --benchmark_repetitions=5
//     --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <algorithm>
#include <atomic>
#include <future>
#include <memory>
#include <string>

#include "daemon/desk/desk.h"
#include "tests/support/desk_on_disk.h"
#include "tools/microbench/thread_cpu.h"

namespace helpdesk {
namespace {

const char* const kMunicipalities[] = {"kongsberg", "notodden", "nore-og-uvdal",
                                       "flesberg",  "rollag",   "tinn",
                                       "hjartdal"};

// As tools/loadgen's --mode create files it.
v1::CreateTicketRequest CreateOf(uint64_t n) {
  v1::CreateTicketRequest req;
  req.set_title("Skriver virker ikke " + std::to_string(n));
  req.set_description("Papirstopp i skuff 2 ved resepsjonen.");
  req.set_municipality(kMunicipalities[n % 7]);
  req.set_service_id("skrivere-og-utskrift");
  req.set_priority(v1::PRIORITY_NORMAL);
  req.set_reporter("loadgen");
  return req;
}

void BM_CreateWave(benchmark::State& state) {
  testing::DeskOnDisk disk;
  if (!disk.Open().ok()) {
    state.SkipWithError("cannot open the store");
    return;
  }
  const int wave = static_cast<int>(state.range(0));
  uint64_t n = 0;
  // The writer idles between waves: the difference of its CPU clock at
  // the last answer of one wave and of the next is the later wave's.
  double writer_cpu = 0, writer_cpu_total = 0;
  std::atomic<int> failed{0};
  auto run_wave = [&] {
    // Shared with the answers: the last may still be in set_value on the
    // writer's thread when this wave's wait returns.
    struct Wave {
      std::atomic<int> left;
      std::promise<void> done;
    };
    auto w = std::make_shared<Wave>();
    w->left = wave;
    auto answered = w->done.get_future();
    for (int i = 0; i < wave; ++i)
      disk.desk().CreateTicket(desk::SystemOrigin("loadgen", "bench"),
                               CreateOf(++n), [&, w](StatusOr<v1::Ticket> t) {
                                 if (!t.ok()) ++failed;
                                 if (--w->left == 0) {
                                   writer_cpu = bench::ThreadCpuUs();
                                   w->done.set_value();
                                 }
                               });
    answered.get();
  };
  run_wave();  // warm: the roster and the catalogue read once
  auto metrics = [&] { return disk.writer().GetStats(); };
  const auto before = metrics();
  for (auto _ : state) {
    const double cpu_before = writer_cpu;
    run_wave();
    writer_cpu_total += writer_cpu - cpu_before;
  }
  const auto after = metrics();
  if (failed) state.SkipWithError("a create failed");
  const double creates =
      static_cast<double>(state.iterations()) * static_cast<double>(wave);
  state.counters["writer_cpu_us"] = writer_cpu_total / creates;
  state.counters["creates_per_commit"] =
      static_cast<double>(after.writes - before.writes) /
      static_cast<double>(
          std::max<uint64_t>(1, after.batches - before.batches));
  state.SetItemsProcessed(static_cast<int64_t>(creates));
}
BENCHMARK(BM_CreateWave)
    ->Name("Create/Wave")
    ->Arg(32)
    ->Iterations(300)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace helpdesk

BENCHMARK_MAIN();
