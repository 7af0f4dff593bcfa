#pragma once
// How a ticket and its created event are stored compactly (schema 10),
// and read back whole.
//
// A ticket's record keeps what serves it; what is shared or kept once
// elsewhere is referenced:
//   - its service snapshot is stored once per service version in
//     `service_snapshots` (id \0 BE64 version -> ServiceSnapshot); the
//     record keeps a stub with the id and version only;
//   - its assignment keeps the decision without its steps and explanation,
//     which its Assigned event keeps (Assignment.seq names that event).
// A TicketCreated event's ticket is stored without its SLA clocks (the
// event's summary holds the same) and with the service stub.
//
// What cannot be shared is kept whole: a snapshot that differs from the one
// stored for its id and version, an assignment no Assigned event matches
// (recorded before schema 10). Every read fills back what it can, so an
// answer is the ticket as it was saved.
//
// Free functions over a Txn, as tables.h. Thread-safety: as the Txn.

#include <map>
#include <string>

#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::store {

// Snapshots already read by one list or scan, by key: a page of tickets
// shares a few services. Lives no longer than its transaction.
using SnapshotCache = std::map<std::string, v1::ServiceSnapshot, std::less<>>;

// The record of `now` as the tickets table stores it: without comments,
// its service as a stub when the snapshot is shared (stored here if it is
// the first of its version), its assignment without steps and explanation
// when Assignment.seq names their event.
StatusOr<std::string> TicketRecord(Txn& txn, const Tables& t,
                                   const v1::Ticket& now);

// Fills back into a ticket read from its record what TicketRecord left
// out: the service snapshot, and with kFull the assignment's steps and
// explanation from its event. A part that cannot be read is left as stored
// (a stub names the service; the decision's outcome stays).
Status FillTicket(const Txn& txn, const Tables& t, TicketDetail detail,
                  v1::Ticket& ticket, SnapshotCache* cache = nullptr);

// The record of `event` as the events table stores it.
StatusOr<std::string> EventRecord(Txn& txn, const Tables& t,
                                  const v1::Event& event);

// Fills back into an event read from its record what EventRecord left out
// (an event read any other way still lacks it: the erasure and the checks
// read and write records as stored).
Status FillEvent(const Txn& txn, const Tables& t, v1::Event& event,
                 SnapshotCache* cache = nullptr);

// The schema 10 upgrade: rewrites every ticket and TicketCreated event of
// an older database in compact form, a few thousand to a write
// transaction (a database of years is too big for one), then clears
// kCompactingRecords (OpenTables set it with the new schema version).
// Resumable: started again, it skips what is compact.
// Grows the map as OpenTables does. `records_per_txn`: tests make it small.
Status CompactRecords(Env& env, const Tables& t, size_t max_map_size,
                      size_t records_per_txn = 4000);

// The meta key marking an upgrade to compact records under way.
inline constexpr std::string_view kCompactingRecords = "compacting_records";

}  // namespace helpdesk::store
