#pragma once
// How the desk shows people: each person with what they are doing at a
// moment (`now`: at work, on vakt, absent, open tickets and load), and
// what staff records are checked against. Shared by the staff use cases
// and the staff reads; any thread, within the transaction it is given.

#include <chrono>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/staff/staff.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::desk {

// Fills `member.now` at `at`: by their working hours and absences in Oslo
// time, the rota and their open tickets (the load as the dispatcher weighs
// it when it chooses between people).
Status AddNow(const store::Txn& txn, const store::Tables& tables,
              const v1::VaktRota& rota, std::chrono::sys_seconds at,
              v1::StaffMember& member);

// The municipalities of the region and the skills of the catalogue as
// `txn` sees it.
StatusOr<staff::Registry> RegistryOf(const store::Txn& txn,
                                     const store::Tables& tables,
                                     const std::vector<std::string>& munis);

Status NoStaff(std::string_view id);

// A new vakt rota decided against the rota and the staff as `txn` sees
// them (staff::DecideRota, and no one inactive on vakt). Linear in the
// shifts; run before the write, the writer only checks that `generation`
// (store::StaffGeneration) still holds.
struct RotaDecision {
  uint64_t generation = 0;  // of the staff and rota decided against
  v1::VaktRota rota;        // as it will be stored
  bool unchanged = false;   // the same shifts as stored: nothing to write
};
StatusOr<RotaDecision> DecideRotaIn(const store::Txn& txn,
                                    const store::Tables& tables,
                                    const v1::VaktRota& body,
                                    std::optional<uint32_t> if_match);

}  // namespace helpdesk::desk
