// What one comment costs on a ticket that already has many, with Google
// Benchmark, through the real desk and store (LMDB in a scratch directory,
// fsync and all):
//   Comment/Nth/N   the writer's part of adding a 5 kB comment to a ticket
//                   holding N comments of 5 kB: from queued to committed
//                   and answered with the ticket (what the writer thread
//                   is held for, and what every other write waits behind)
//                   (`writer_cpu_ms`: the writer thread's CPU time per
//                   comment, free of the fsync's wait, which varies with
//                   whatever else uses the disk)
//   GetTicket/N     reading that ticket as GET /api/v1/tickets/{id} does
// Both should be flat in N. The comments already there are stored by
// writes of their own, 1,000 to a batch, through the same Save the desk
// uses, so filling the ticket is linear whatever a comment costs to read.
//   helpdesk-comment-bench --benchmark_repetitions=10
//     --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <chrono>
#include <future>
#include <string>

#include "daemon/store/tables.h"
#include "daemon/store/writer.h"
#include "daemon/tickets/commands.h"
#include "tests/support/desk_on_disk.h"
#include "tools/microbench/thread_cpu.h"

namespace helpdesk {
namespace {

using Clock = std::chrono::steady_clock;

constexpr size_t kBody = 5000;

v1::AddCommentRequest CommentOf(size_t i) {
  v1::AddCommentRequest c;
  c.set_author("kari.nordmann");
  c.set_body(std::to_string(i) + std::string(kBody, 'k'));
  return c;
}

// Adds `n` comments to ticket `number`, `per_batch` to a write.
Status Fill(store::Writer& writer, uint64_t number, size_t n) {
  constexpr size_t kPerWrite = 1000;
  for (size_t done = 0; done < n;) {
    const size_t count = std::min(kPerWrite, n - done);
    std::promise<Status> result;
    Status queued = writer.Submit(
        [&](store::WriteContext& ctx) -> Status {
          for (size_t i = 0; i < count; ++i) {
            auto current = store::GetTicket(ctx.txn(), ctx.tables(), number);
            if (!current.ok()) return current.status();
            auto c = tickets::DecideComment(**current, CommentOf(done + i),
                                            {"fill", ctx.now()});
            if (!c.ok()) return c.status();
            if (Status s = ctx.Save(&**current, c->ticket, std::move(c->event));
                !s.ok())
              return s;
          }
          return Status::Ok();
        },
        [&](store::WriteResult r) { result.set_value(r.status); });
    if (!queued.ok()) return queued;
    if (Status s = result.get_future().get(); !s.ok()) return s;
    done += count;
  }
  return Status::Ok();
}

// A ticket with `n` comments, in a fresh store; its id.
std::string Prepare(benchmark::State& state, testing::DeskOnDisk& disk,
                    size_t n) {
  if (!disk.Open().ok()) {
    state.SkipWithError("cannot open the store");
    return "";
  }
  v1::CreateTicketRequest req;
  req.set_title("Skriveren skriver ikke ut");
  req.set_description("Papirstopp i skuff 2.");
  req.set_municipality("rollag");
  req.set_location("rollag-kommunehus");
  req.set_service_id("skrivere-og-utskrift");
  req.set_priority(v1::PRIORITY_NORMAL);
  req.set_reporter("kari.nordmann");
  std::promise<StatusOr<v1::Ticket>> created;
  disk.desk().CreateTicket(
      desk::SystemOrigin("kari.nordmann", "bench"), std::move(req),
      [&](StatusOr<v1::Ticket> t) { created.set_value(std::move(t)); });
  auto ticket = created.get_future().get();
  if (!ticket.ok()) {
    state.SkipWithError(ticket.status().message().c_str());
    return "";
  }
  if (Status s = Fill(disk.writer(), std::stoull(ticket->id()), n); !s.ok()) {
    state.SkipWithError(s.message().c_str());
    return "";
  }
  return ticket->id();
}

void BM_CommentNth(benchmark::State& state) {
  testing::DeskOnDisk disk;
  const std::string id =
      Prepare(state, disk, static_cast<size_t>(state.range(0)));
  if (id.empty()) return;
  size_t i = 0;
  size_t answer_bytes = 0;
  // The writer's CPU clock at the end of each comment's batch: the
  // difference is that comment's (the writer idles between them).
  double writer_cpu = 0, writer_cpu_total = 0;
  auto comment = [&](auto&& on_answer) {
    disk.desk().Comment(desk::SystemOrigin("kari.nordmann", "bench"), id,
                        CommentOf(i++), [&, on_answer](StatusOr<v1::Ticket> t) {
                          const double cpu = bench::ThreadCpuUs() / 1e3;
                          writer_cpu_total += cpu - writer_cpu;
                          writer_cpu = cpu;
                          if (!t.ok())
                            state.SkipWithError(t.status().message().c_str());
                          else
                            answer_bytes = t->ByteSizeLong();
                          on_answer();
                        });
  };
  {
    std::promise<void> warmed;
    comment([&] { warmed.set_value(); });
    warmed.get_future().get();
    writer_cpu_total = 0;
  }
  for (auto _ : state) {
    std::promise<Clock::time_point> answered;
    comment([&] { answered.set_value(Clock::now()); });
    const Clock::time_point queued = Clock::now();
    const auto held = answered.get_future().get() - queued;
    state.SetIterationTime(std::chrono::duration<double>(held).count());
  }
  state.counters["answer_bytes"] = static_cast<double>(answer_bytes);
  state.counters["writer_cpu_ms"] =
      writer_cpu_total / static_cast<double>(state.iterations());
}
BENCHMARK(BM_CommentNth)
    ->Name("Comment/Nth")
    ->Arg(0)
    ->Arg(999)
    ->Arg(9999)
    ->UseManualTime()
    ->Iterations(20)
    ->Unit(benchmark::kMillisecond);

void BM_GetTicket(benchmark::State& state) {
  testing::DeskOnDisk disk;
  const std::string id =
      Prepare(state, disk, static_cast<size_t>(state.range(0)));
  if (id.empty()) return;
  for (auto _ : state) {
    auto t = disk.desk().GetTicket(auth::System("bench"), id);
    if (!t.ok()) state.SkipWithError(t.status().message().c_str());
    benchmark::DoNotOptimize(t);
  }
}
BENCHMARK(BM_GetTicket)
    ->Name("GetTicket")
    ->Arg(0)
    ->Arg(999)
    ->Arg(9999)
    ->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace helpdesk

BENCHMARK_MAIN();
