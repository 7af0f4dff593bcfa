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

}  // namespace helpdesk::proto
