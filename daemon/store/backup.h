#pragma once
// Backing a data directory up, and restoring it (README, "Backup and
// restore"). A backup is one file: the database as LMDB's compacting copy
// writes it (mdb_env_copyfd2 with MDB_CP_COMPACT), one committed state,
// without free pages, readable by `mdb_stat -n FILE`. Taking one is safe
// while the daemon runs: it is a read transaction, and LMDB readers never
// block the writer (the daemon's file may grow meanwhile, as pages the
// copy still sees cannot be reused until it ends).
// Free functions; one call at a time per directory or file.

#include <cstdint>
#include <string>

#include "daemon/store/lmdb.h"
#include "proto/status.h"

namespace helpdesk::store {

// What a backup holds, told after taking or restoring one.
struct BackupFacts {
  uint64_t bytes = 0;  // of the backup file
  int schema_version = 0;
  uint64_t tickets = 0;     // ticket records
  uint64_t last_event = 0;  // the log's last sequence number; 0: none
  std::string epoch;        // the database's identity (ReadEpoch)
};

// Writes the database in `dir` to the file `to`: first to `to.partial`
// (mode 0600: it holds personal data), synced, then renamed, so `to` is
// either whole or not there. Refuses (kAlreadyExists) to overwrite `to`;
// kNotFound when `dir` holds no helpdeskd database.
StatusOr<BackupFacts> Backup(const std::string& dir, const std::string& to);

// Makes `dir` hold the database of the backup `from`, for a daemon that is
// stopped: under the directory's lock (kUnavailable while a daemon or
// another helpdeskctl holds it). The backup is copied in beside the
// database first and checked there: it must be a helpdeskd database of
// this build's schema or an older one (the daemon upgrades an older one
// at start). It gets a new epoch: its log ends where the backup was
// taken, so the sequence numbers after that will name other events, and
// a live client that resumes from one of the old ones must start over.
// An existing database in `dir` is refused (kAlreadyExists) unless
// `replace`, and then kept beside as data.mdb.replaced-<`now`, seconds
// since the epoch, as UTC: 20261130T070834Z>.
StatusOr<BackupFacts> Restore(const std::string& from, const std::string& dir,
                              bool replace, int64_t now);

// A new epoch (ReadEpoch) for the database of `txn`, in its `meta` table.
Status RenewEpoch(Txn& txn, Table meta);

}  // namespace helpdesk::store
