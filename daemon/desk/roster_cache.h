#pragma once
// The dispatch roster as the database holds it now: built from the staff
// table and the vakt rota (people or a rota that cannot be read are left
// out), and rebuilt only when the staff generation (a counter the store
// bumps with every staff or rota change) differs from the one it was built
// for. Readers and the writer share it.
//
// The writer may re-run a batch after an abort; a roster cached from an
// aborted transaction has a generation that a later, different change may
// reuse, so the desk calls Invalidate() when a batch fails as a whole.
//
// Thread-safety: every method is safe from any thread (one mutex guards
// the cached pointer; a Roster itself is immutable).

#include <memory>
#include <mutex>

#include "daemon/dispatch/roster.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::desk {

class RosterCache {
 public:
  RosterCache(const store::Tables& tables, v1::Region region,
              dispatch::Options options);
  RosterCache(const RosterCache&) = delete;
  RosterCache& operator=(const RosterCache&) = delete;

  // The roster as `txn` sees the staff and the rota.
  StatusOr<std::shared_ptr<const dispatch::Roster>> Get(const store::Txn& txn);
  void Invalidate();

 private:
  const store::Tables& tables_;
  const std::vector<v1::Municipality> municipalities_;
  const dispatch::Options options_;

  std::mutex mu_;
  std::shared_ptr<const dispatch::Roster> roster_;  // guarded by mu_
  uint64_t generation_ = 0;                         // guarded by mu_
};

}  // namespace helpdesk::desk
