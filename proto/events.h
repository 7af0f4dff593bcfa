#pragma once
// The header every event of the log carries, stamped in one place: when
// (the writer's batch instant), who (the actor) and from which request.
// The sequence number is the store's: WriteContext gives it when the event
// is appended. Pure; any thread.

#include <google/protobuf/timestamp.pb.h>

#include <string>

#include "proto/helpdesk.pb.h"

namespace helpdesk::proto {

// Where a change comes from, as its events record it.
struct Origin {
  google::protobuf::Timestamp at;
  std::string actor;       // a person's or a system's name ("sla")
  std::string request_id;  // the HTTP request, or the sweep ("sweep")
};

// A new event with `origin` stamped on it; the caller sets its body (and
// the ticket it is about).
inline v1::Event NewEvent(const Origin& origin) {
  v1::Event event;
  *event.mutable_at() = origin.at;
  event.set_actor(origin.actor);
  event.set_request_id(origin.request_id);
  return event;
}

// The ticket `now` as an event about it carries it (TicketSummary), with
// what the event changed of `before` (nullptr for a new ticket): what a
// live subscriber filters on and a dashboard shows. Also the ticket rows of
// a stream's snapshot and the board (with `before` null).
inline void Summarize(const v1::Ticket* before, const v1::Ticket& now,
                      v1::TicketSummary& out) {
  out.set_id(now.id());
  out.set_municipality(now.municipality());
  out.set_service_id(now.service_id());
  out.set_service_name(now.service().name());
  out.set_priority(now.priority());
  out.set_status(now.status());
  out.set_assignee(now.assignee());
  if (now.assignee().empty())
    out.set_unassigned_reason(now.assignment().unassigned_reason());
  out.set_reporter(now.reporter());
  *out.mutable_followers() = now.followers();
  if (now.has_created_at()) *out.mutable_created_at() = now.created_at();
  if (now.has_sla()) *out.mutable_sla() = now.sla();
  if (before != nullptr) {
    out.set_status_before(before->status());
    out.set_assignee_before(before->assignee());
  }
  out.set_version(now.version());
}

}  // namespace helpdesk::proto
