#pragma once
// google.protobuf.Timestamp <-> std::chrono::sys_seconds, to the second
// (nanoseconds are dropped): every rule of the domain (working hours, vakt
// shifts, SLA clocks) counts whole seconds. Pure; any thread.

#include <google/protobuf/timestamp.pb.h>

#include <chrono>

namespace helpdesk::proto {

inline std::chrono::sys_seconds ToSys(const google::protobuf::Timestamp& t) {
  return std::chrono::sys_seconds(std::chrono::seconds(t.seconds()));
}

inline google::protobuf::Timestamp ToTimestamp(std::chrono::sys_seconds t) {
  google::protobuf::Timestamp ts;
  ts.set_seconds(t.time_since_epoch().count());
  return ts;
}

}  // namespace helpdesk::proto
