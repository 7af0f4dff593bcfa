// A typical ticket for the benchmarks that store or answer one: a
// Norwegian title and a 600-byte description, its service snapshot, a
// dispatch decision with eight steps and its SLA clocks.
#pragma once

#include <string>

#include "proto/helpdesk.pb.h"

namespace helpdesk::microbench {

inline v1::Ticket TypicalTicket() {
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

}  // namespace helpdesk::microbench
