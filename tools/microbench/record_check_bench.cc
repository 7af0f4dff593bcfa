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

namespace helpdesk::store {
namespace {

v1::Ticket TypicalTicket() {
  v1::Ticket t;
  t.set_id("104217");
  t.set_title("Skriveren på 2. etasje i rådhuset skriver ikke ut");
  std::string description;
  while (description.size() < 600)
    description += "Skriveren ved resepsjonen gir papirstopp hver gang. ";
  t.set_description(description);
  t.set_municipality("nore-og-uvdal");
  t.set_location("rodberg-kommunehus");
  t.set_reporter("kari.nordmann");
  t.set_assignee("gunn.heggelund");
  t.set_status(v1::TICKET_STATUS_ASSIGNED);
  t.set_priority(v1::PRIORITY_HIGH);
  v1::ServiceSnapshot* s = t.mutable_service();
  s->set_id("skrivere-og-utskrift");
  s->set_name("Skrivere og utskrift");
  s->set_sla_class("standard");
  v1::Assignment* a = t.mutable_assignment();
  a->set_assignee("gunn.heggelund");
  a->set_explanation(
      "Gunn Heggelund: på jobb i Nore og Uvdal, har kompetansen, minst last");
  for (const char* rule : {"skills", "active", "not_absent", "available",
                           "local", "travel", "load", "tie"}) {
    v1::DispatchStep* step = a->add_steps();
    step->set_rule(rule);
    step->set_kept(3);
    step->set_note(
        "3 av 32 igjen etter regelen om kompetanse og tilstedeværelse");
  }
  t.mutable_sla()->mutable_first_response()->set_counting(true);
  t.mutable_sla()->mutable_resolution()->set_counting(true);
  return t;
}

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
