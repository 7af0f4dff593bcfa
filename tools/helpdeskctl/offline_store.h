#pragma once
// A daemon's data directory, without the daemon. The catalogue: reading
// (safe while it runs: LMDB readers never block its writer) and importing
// (only while it is stopped: under its DirLock, through the same Writer and
// WriteContext::SaveCatalogue as the daemon, so the change is one event in
// the log like any other). The consistency check and the repair of records
// that cannot be read (the same rules: reading anytime, writing only under
// the lock). None creates a database where there is none.
// Free functions; call from one thread at a time per directory.

#include <google/protobuf/timestamp.pb.h>

#include <cstdint>
#include <string>
#include <vector>

#include "daemon/store/consistency.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/quarantine.h"
#include "daemon/store/tables.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"
#include "tools/helpdeskctl/import_outcome.h"

namespace helpdesk::ctl {

// kNotFound, naming what to check, unless `dir` holds a helpdeskd database
// (data.mdb): looked at first, so a mistyped --data-dir creates nothing.
Status RequireDatabase(const std::string& dir);

// The schema check of OpenTables without its write transaction (an old
// database is upgraded only by the daemon): kNotFound for a database never
// set up, kInvalidParameter for another schema version.
Status CheckSchema(const store::Txn& txn, const std::string& dir,
                   store::Table meta);

// Every table, opened read-only inside `txn` (the handles end with it), of
// a database this build reads; errors as CheckSchema.
StatusOr<store::Tables> ReadTables(store::Txn& txn, const std::string& dir);

// The system clock as the daemon's writer stamps events.
google::protobuf::Timestamp WallClock();

struct StoredCatalogue {
  v1::Catalogue catalogue;
  std::vector<std::string> municipality_ids;  // of the stored region
};

// Reads the catalogue and region in one read transaction. kNotFound when
// `dir` holds no helpdeskd database (nothing is created then);
// kInvalidParameter for a database of another schema version.
StatusOr<StoredCatalogue> ReadDataDir(const std::string& dir);

struct OfflineImport {
  std::string actor;       // recorded in the event
  std::string request_id;  // recorded in the event
};

// Imports `incoming` into the stopped daemon's `dir`: takes the directory
// lock (kUnavailable naming the holder's pid if the daemon runs), then runs
// catalogue::Import against what is stored inside the write transaction.
// Refusals are an outcome; errors are storage failures, no database
// (kNotFound) or the lock.
StatusOr<ImportOutcome> ImportIntoDataDir(const std::string& dir,
                                          const v1::Catalogue& incoming,
                                          const OfflineImport& how);

// The consistency checker over `dir` in one read transaction: safe while
// the daemon runs (what it sees is one committed state).
StatusOr<store::ConsistencyReport> CheckDataDir(const std::string& dir);

// store::Repair on the stopped daemon's `dir`, under its directory lock
// (kUnavailable naming the holder's pid while the daemon runs), in one
// write transaction: all of it or nothing.
StatusOr<store::RepairOutcome> RepairDataDir(const std::string& dir,
                                             const std::string& actor);

}  // namespace helpdesk::ctl
