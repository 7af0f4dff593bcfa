#include "daemon/desk/roster_cache.h"

#include "daemon/store/record_check.h"
#include "daemon/store/staff_tables.h"

namespace helpdesk::desk {

RosterCache::RosterCache(const store::Tables& tables, v1::Region region,
                         dispatch::Options options)
    : tables_(tables),
      municipalities_(region.municipalities().begin(),
                      region.municipalities().end()),
      options_(std::move(options)) {}

StatusOr<std::shared_ptr<const dispatch::Roster>> RosterCache::Get(
    const store::Txn& txn) {
  auto generation = store::StaffGeneration(txn, tables_);
  if (!generation.ok()) return generation.status();
  {
    std::lock_guard lock(mu_);
    if (roster_ && generation_ == *generation) return roster_;
  }
  auto staff = store::LoadStaff(txn, tables_);
  if (!staff.ok()) return staff.status();
  auto rota = store::LoadRota(txn, tables_);
  // Dispatch goes on without a rota that cannot be read (no one is on
  // vakt) rather than fail every write that assigns a ticket.
  if (store::IsDamaged(rota.status())) {
    store::NoteDamaged("staff record rota");
    rota = v1::VaktRota();
  }
  if (!rota.ok()) return rota.status();
  auto roster = std::make_shared<const dispatch::Roster>(
      std::move(*staff), std::move(*rota), municipalities_, options_);
  std::lock_guard lock(mu_);
  roster_ = roster;
  generation_ = *generation;
  return roster;
}

void RosterCache::Invalidate() {
  std::lock_guard lock(mu_);
  roster_.reset();
}

}  // namespace helpdesk::desk
