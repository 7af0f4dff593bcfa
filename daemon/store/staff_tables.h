#pragma once
// The staff registry, the vakt rota and each person's open load in LMDB:
//   staff  "member/<id>" -> StaffMember (never with `now`)
//          "rota"        -> VaktRota
//          "load/<id>"   -> StaffLoad: open tickets assigned to the person
//                           by priority, kept with every ticket change
//   meta   "staff_generation" -> decimal, +1 per staff or rota write; the
//          dispatcher rebuilds its in-memory roster when it changes.
// A ticket counts for its assignee while it is open (not resolved or
// closed), under its current priority.
// Free functions over a Txn; thread-safety as the Txn they are given.

#include <cstdint>
#include <optional>
#include <string_view>
#include <vector>

#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::store {

// ------------------------------------------------------------ reads

// Every member, sorted by id; a damaged record (record_check.h) is left
// out and logged once. GetStaff of it answers Damaged("staff record
// member/<id>").
StatusOr<std::vector<v1::StaffMember>> LoadStaff(const Txn& txn,
                                                 const Tables& t);

StatusOr<std::optional<v1::StaffMember>> GetStaff(const Txn& txn,
                                                  const Tables& t,
                                                  std::string_view id);

// The rota; empty with version 0 when none is stored.
StatusOr<v1::VaktRota> LoadRota(const Txn& txn, const Tables& t);

// The person's load; zeros when none is stored, or when it is damaged.
// open_by_priority always has Priority_ARRAYSIZE (5) entries.
StatusOr<v1::StaffLoad> GetLoad(const Txn& txn, const Tables& t,
                                std::string_view id);

// 0 when staff and rota were never written.
StatusOr<uint64_t> StaffGeneration(const Txn& txn, const Tables& t);

// ------------------------------------------------------------ writes

// Stores `member` (without `now`) and bumps the staff generation.
Status PutStaff(Txn& txn, const Tables& t, const v1::StaffMember& member);

// Stores `rota` and bumps the staff generation.
Status PutRota(Txn& txn, const Tables& t, const v1::VaktRota& rota);

// Moves load counts for one ticket change: `before` (nullptr for a new
// ticket) stops counting, `now` starts, when assignee, openness or
// priority differ; a new assignee gets last_assigned_seq = `seq`. A count
// that would go below zero stays at zero and is logged.
Status UpdateLoads(Txn& txn, const Tables& t, const v1::Ticket* before,
                   const v1::Ticket& now, uint64_t seq);

// What a new (or upgraded) database starts with: each member as version 1,
// the rota as version 1 if it has shifts; one generation bump.
Status SeedStaff(Txn& txn, const Tables& t,
                 const std::vector<v1::StaffMember>& staff,
                 const v1::VaktRota& rota);

// Recomputes every load's counts by one scan over the tickets table
// (last_assigned_seq is kept where a load exists). For the schema upgrade.
Status RebuildLoads(Txn& txn, const Tables& t);

}  // namespace helpdesk::store
