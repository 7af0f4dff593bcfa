#pragma once
// The tjenestekatalog in LMDB: one record per entry in the `catalogue`
// table, keyed by kind and id, and the catalogue version in `meta`:
//   catalogue  "category/<id>" -> Category   "service/<id>"   -> Service
//              "skill/<id>"    -> Skill      "sla_class/<id>" -> SlaClass
//   meta       "catalogue_version" -> decimal
// Ticket creation reads one service by id; browsing reads them all (a
// catalogue is hundreds of records, not millions).
// Free functions over a Txn; thread-safety as the Txn they are given.

#include <optional>
#include <string_view>

#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::store {

// The whole catalogue; entries of each kind sorted by id. A damaged entry
// (record_check.h) is left out and logged once.
StatusOr<v1::Catalogue> LoadCatalogue(const Txn& txn, const Tables& t);

// The catalogue's version alone (0 before the first), without its entries:
// what a change decided against an earlier read checks it still holds.
StatusOr<uint32_t> CatalogueVersion(const Txn& txn, const Tables& t);

// Damaged("catalogue record service/<id>") when it does not parse.
StatusOr<std::optional<v1::Service>> GetService(const Txn& txn, const Tables& t,
                                                std::string_view id);

// Writes what differs between `before` (what is stored) and `after`:
// changed and new entries are put, missing ones deleted, and the version
// set to after.version().
Status PutCatalogue(Txn& txn, const Tables& t, const v1::Catalogue& before,
                    const v1::Catalogue& after);

}  // namespace helpdesk::store
