#pragma once
// The tjenestekatalog in LMDB: one record per entry in the `catalogue`
// table, keyed by kind and id, and the catalogue version in `meta`:
//   catalogue  "category/<id>" -> Category   "service/<id>"   -> Service
//              "skill/<id>"    -> Skill      "sla_class/<id>" -> SlaClass
//              "synonym/<NNNN>" -> SynonymGroup (its place in the list)
//   meta       "catalogue_version" -> decimal
// Ticket creation reads one service by id; browsing reads them all (a
// catalogue is hundreds of records, not millions).
// Free functions over a Txn; thread-safety as the Txn they are given.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

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

// What a catalogue change writes: the entries that differ between what is
// stored and what it becomes, serialised, and the keys to delete. Made by
// PlanCatalogue only, which checks every string of each entry it puts
// (record_check.h), so a plan is safe to store as it is. Plain value; the
// Desk plans on the caller's thread and the writer only puts.
class CatalogueWrites {
 public:
  uint32_t version() const { return version_; }
  // (key, serialised entry) to put, in key order.
  const std::vector<std::pair<std::string, std::string>>& puts() const {
    return puts_;
  }
  const std::vector<std::string>& deletes() const { return deletes_; }

 private:
  friend StatusOr<CatalogueWrites> PlanCatalogue(const v1::Catalogue&,
                                                 const v1::Catalogue&);
  CatalogueWrites() = default;
  uint32_t version_ = 0;
  std::vector<std::pair<std::string, std::string>> puts_;
  std::vector<std::string> deletes_;
};

// What turns `before` (what is stored) into `after`: changed and new
// entries put, missing ones deleted, the version set to after.version().
// Linear in their size. kInvalidField with the field's place in `after`
// ("/services/3/name") when a string of an entry to put is not UTF-8.
StatusOr<CatalogueWrites> PlanCatalogue(const v1::Catalogue& before,
                                        const v1::Catalogue& after);

// Writes `writes`.
Status PutCatalogue(Txn& txn, const Tables& t, const CatalogueWrites& writes);
// PlanCatalogue, then PutCatalogue.
Status PutCatalogue(Txn& txn, const Tables& t, const v1::Catalogue& before,
                    const v1::Catalogue& after);

}  // namespace helpdesk::store
