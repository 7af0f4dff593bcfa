#pragma once
// How the desk shows people: each person with what they are doing at a
// moment (`now`: at work, on vakt, absent, open tickets and load), and
// what staff records are checked against. Shared by the staff use cases
// and the staff reads; any thread, within the transaction it is given.

#include <chrono>
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

}  // namespace helpdesk::desk
