#pragma once
// The upgrades that index every stored ticket again (schema 11's words,
// schema 14's tables of numbers) run after OpenTables' transaction, in
// many: years of tickets are too many for one write transaction, and a
// stop part-way must not start over.
//
// A pass keeps in meta, under its mark, the BE64 number of the next ticket
// to index ("" for the first) while it has tickets left, and removes the
// mark when done. Tickets saved meanwhile are indexed by their own saves:
// entries already there are left as they are.
//
// Free functions over an Env, run at start-up before anything else writes.

#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::store {

struct IndexPass {
  std::string_view mark;  // the meta key of the next ticket to index
  Table table;            // a table of numbers (lmdb.h)
  // The entries (a prefix, then the BE64 number) of ticket `number`.
  std::vector<std::string> (*entries)(const v1::Ticket& ticket,
                                      uint64_t number);
  const char* what;  // for the log: "the words of the tickets"
};

// The entries `pass` makes of at most `count` stored tickets from number
// `from` on, sorted, and the number to go on from (0 at the end). A
// ticket that cannot be read is left for repair.
StatusOr<std::pair<std::vector<std::string>, uint64_t>> EntriesOfTickets(
    const Txn& txn, const Tables& t, const IndexPass& pass, uint64_t from,
    size_t count);

// Runs `pass` from where its mark says, `tickets_per_txn` tickets to a
// write transaction, each transaction's entries put in order (a new
// ticket's number is appended under each prefix, so pages fill). Does
// nothing without the mark. Grows the map when a transaction fills it.
Status RunIndexPass(Env& env, const Tables& t, const IndexPass& pass,
                    size_t max_map_size, size_t tickets_per_txn = 2000);

}  // namespace helpdesk::store
