// The JSON answer of a ticket (proto/json.h), as a create or a GET of one
// sends it: the typical ticket with its timestamps (created, updated and
// the SLA clocks' due and warning times) rendered by ToJson. Nanoseconds
// a ticket is the figure:
//   helpdesk-json-bench --benchmark_repetitions=10
//     --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <cstdint>
#include <string>

#include "proto/json.h"
#include "tools/microbench/typical_ticket.h"

namespace helpdesk::proto {
namespace {

void SetTime(google::protobuf::Timestamp* t, int64_t seconds, int32_t nanos) {
  t->set_seconds(seconds);
  t->set_nanos(nanos);
}

void BM_TicketToJson(benchmark::State& state) {
  v1::Ticket t = microbench::TypicalTicket();
  const int64_t at = 1776240000;  // 2026-04-15T08:00:00Z
  SetTime(t.mutable_created_at(), at, 123456000);
  SetTime(t.mutable_updated_at(), at, 123456000);
  for (v1::SlaClock* c : {t.mutable_sla()->mutable_first_response(),
                          t.mutable_sla()->mutable_resolution()}) {
    SetTime(c->mutable_since(), at, 123456000);
    SetTime(c->mutable_warning_at(), at + 3 * 3600, 0);
    SetTime(c->mutable_due_at(), at + 4 * 3600, 0);
  }
  size_t bytes = 0;
  for (auto _ : state) {
    std::string json = ToJson(t);
    bytes = json.size();
    benchmark::DoNotOptimize(json.data());
  }
  state.counters["bytes"] = static_cast<double>(bytes);
}
BENCHMARK(BM_TicketToJson);

}  // namespace
}  // namespace helpdesk::proto

BENCHMARK_MAIN();
