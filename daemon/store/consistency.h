#pragma once
// The consistency checker: whether what the store derives from its tickets
// (the list indexes, the status counts, each person's open load and the
// SLA due-time index) agrees with the tickets stored, whether the comment
// records agree with the CommentAdded events and each ticket's
// comment_count, whether the event log runs 1..N without a gap, and which
// records cannot be read at all.
// Read-only; run by `helpdeskctl check`, by `helpdeskctl repair` before and
// after it quarantines, and by the crash test after every kill -9.
//
// Thread-safety: as the Txn it is given. Memory: a few hundred bytes per
// ticket (the expected index keys) and per comment, so meant for offline
// use.

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/status.h"

namespace helpdesk::store {

// A stored record that does not parse.
struct Unreadable {
  std::string table;  // "tickets", "events", "catalogue", ...
  std::string key;    // as stored
  // The key as a person reads it: "17", "service/vpn", "17/42" (comment
  // 42 of ticket 17).
  std::string name;
  std::string why;
};

struct ConsistencyReport {
  std::vector<Unreadable> unreadable;
  // One plain sentence per disagreement, at most kMaxFindings of them;
  // `more_findings` counts the rest.
  std::vector<std::string> findings;
  uint64_t more_findings = 0;
  uint64_t tickets = 0;  // readable tickets checked
  uint64_t events = 0;   // events in the log
  bool clean() const { return unreadable.empty() && findings.empty(); }
};

inline constexpr size_t kMaxFindings = 1000;

// Checks everything above in one pass per table. Entries that belong to
// an unreadable ticket are not judged (what they should be is unknown);
// counts and loads may then exceed what the readable tickets give.
// `t.quarantine` need not exist (an older database).
StatusOr<ConsistencyReport> CheckConsistency(const Txn& txn, const Tables& t);

}  // namespace helpdesk::store
