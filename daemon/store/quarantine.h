#pragma once
// Repair of a store holding records that cannot be read (consistency.h):
// each is moved, raw bytes and all, into the `quarantine` table under
// "<table>/<key>" (a QuarantinedRecord saying when and why), removed from
// its table, and recorded by a RecordQuarantined event. A damaged event is
// replaced in place by that event (same seq, the instant of the event
// before it), so the log stays 1..N. Then, if the checker still finds the
// derived indexes disagreeing with the tickets, they are all rebuilt from
// the tickets: ticket_index and the status counts, the open loads and the
// SLA due-time index; and the comment records from the events. For `helpdeskctl
// repair`, in one write transaction, with the daemon stopped (the caller holds
// the DirLock).
//
// Thread-safety: as the Txn it is given.

#include <google/protobuf/timestamp.pb.h>

#include <string>
#include <vector>

#include "daemon/store/consistency.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/status.h"

namespace helpdesk::store {

struct RepairOutcome {
  std::vector<Unreadable> quarantined;
  std::vector<std::string> findings_before;  // what made it rebuild
  bool rebuilt = false;                      // derived indexes rebuilt
  ConsistencyReport after;                   // the checker, afterwards
};

// `now` stamps the quarantine records and the events (never before the
// last event's instant); `actor` is recorded in each event.
StatusOr<RepairOutcome> Repair(Txn& txn, const Tables& t,
                               const google::protobuf::Timestamp& now,
                               const std::string& actor);

}  // namespace helpdesk::store
