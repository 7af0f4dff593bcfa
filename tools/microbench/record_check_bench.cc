// The UTF-8 check of a ticket save (daemon/store/record_check.h): every
// string of the ticket and of its event walked by reflection, as
// WriteContext::Save does before it stores them; beside it, for scale,
// serialising the two (which the save does anyway). The ticket is a
// typical one: a Norwegian title and a 600-byte description, its service
// snapshot, a dispatch decision with eight steps and its SLA clocks; the
// event is its TicketCreated. Target: a small share of the save. And the
// packing of both (daemon/store/packing.h), as the save stores them, and
// the unpacking and parse of the ticket, as every read of it does.
//   helpdesk-record-check-bench --benchmark_repetitions=10
//     --benchmark_report_aggregates_only=true

#include <benchmark/benchmark.h>

#include <string>

#include "daemon/store/packing.h"
#include "daemon/store/record_check.h"
#include "proto/helpdesk.pb.h"
#include "tools/microbench/typical_ticket.h"

namespace helpdesk::store {
namespace {

using microbench::TypicalTicket;

v1::Event CreatedEvent(const v1::Ticket& t) {
  v1::Event e;
  e.set_actor("kari.nordmann");
  e.set_request_id("3f2a9c1e-5b7d-4e8f-a1c2-9d0b7e6f5a43");
  e.set_ticket_id(t.id());
  *e.mutable_ticket_created()->mutable_ticket() = t;
  return e;
}

void BM_CheckTicketSave(benchmark::State& state) {
  const v1::Ticket ticket = TypicalTicket();
  const v1::Event event = CreatedEvent(ticket);
  const auto* comments = v1::Ticket::descriptor()->FindFieldByName("comments");
  for (auto _ : state) {
    Status a = CheckStrings(ticket, "ticket", comments);
    Status b = CheckStrings(event, "event");
    benchmark::DoNotOptimize(a.ok() && b.ok());
  }
}
BENCHMARK(BM_CheckTicketSave);

void BM_SerialiseTicketSave(benchmark::State& state) {
  const v1::Ticket ticket = TypicalTicket();
  const v1::Event event = CreatedEvent(ticket);
  for (auto _ : state) {
    std::string a = ticket.SerializeAsString();
    std::string b = event.SerializeAsString();
    benchmark::DoNotOptimize(a.size() + b.size());
  }
}
BENCHMARK(BM_SerialiseTicketSave);

void BM_PackTicketSave(benchmark::State& state) {
  const std::string ticket = TypicalTicket().SerializeAsString();
  const std::string event = CreatedEvent(TypicalTicket()).SerializeAsString();
  size_t packed = 0;
  for (auto _ : state) {
    packed = Pack(ticket).size() + Pack(event).size();
    benchmark::DoNotOptimize(packed);
  }
  state.counters["bytes"] = static_cast<double>(ticket.size() + event.size());
  state.counters["packed"] = static_cast<double>(packed);
}
BENCHMARK(BM_PackTicketSave);

void BM_ReadPackedTicket(benchmark::State& state) {
  const std::string packed = Pack(TypicalTicket().SerializeAsString());
  for (auto _ : state) {
    v1::Ticket t;
    benchmark::DoNotOptimize(ParseRecord(packed, t));
  }
}
BENCHMARK(BM_ReadPackedTicket);

void BM_ReadPlainTicket(benchmark::State& state) {
  const std::string plain = TypicalTicket().SerializeAsString();
  for (auto _ : state) {
    v1::Ticket t;
    benchmark::DoNotOptimize(ParseRecord(plain, t));
  }
}
BENCHMARK(BM_ReadPlainTicket);

}  // namespace
}  // namespace helpdesk::store

BENCHMARK_MAIN();
