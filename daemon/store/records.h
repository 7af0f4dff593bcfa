#pragma once
// How a ticket and its events are stored compactly (schemas 10 and 13),
// and read back whole.
//
// A ticket's record keeps what serves it; what is shared or kept once
// elsewhere is referenced:
//   - its service snapshot is stored once per service version in
//     `service_snapshots` (id \0 BE64 version -> ServiceSnapshot); the
//     record keeps a stub with the id and version only;
//   - its assignment keeps the decision without its steps and explanation,
//     which its Assigned event keeps (Assignment.seq names that event).
// Events keep what they changed, and refer to the rest (schema 13):
//   - a TicketCreated event's ticket is stored with the service stub, and
//     its summary is left out (stored empty: the mark) when it is the filed
//     ticket's summary byte for byte; it is made again from the ticket
//     when read (proto::Summarize). Schema 10 to 12 left out the ticket's
//     SLA clocks instead, which the summary held; such events read as
//     before;
//   - any other event's summary is stored without what its ticket never
//     changes (id, municipality, service, reporter, when filed), when those
//     are its ticket record's; the empty id marks it, and a read fills them
//     back from the ticket's record;
//   - an Assigned event's explanation is stored without the end its steps'
//     notes give (Assignment.explanation_continues marks it), when it ends
//     with them worded as this store's frozen version 1 words them; a read
//     puts the end back.
//
// What cannot be shared is kept whole: a snapshot that differs from the one
// stored for its id and version, an assignment no Assigned event matches
// (recorded before schema 10). Every read fills back what it can, so an
// answer is the ticket as it was saved.
//
// Free functions over a Txn, as tables.h. Thread-safety: as the Txn.

#include <map>
#include <optional>
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
// when Assignment.seq names their event. `now` is lent, not copied: what is
// left out is swapped out while it is serialized, and back; on return it
// is as it was.
StatusOr<std::string> TicketRecord(Txn& txn, const Tables& t, v1::Ticket& now);

// Fills back into a ticket read from its record what TicketRecord left
// out: the service snapshot, and with kFull the assignment's steps and
// explanation from its event. A part that cannot be read is left as stored
// (a stub names the service; the decision's outcome stays).
Status FillTicket(const Txn& txn, const Tables& t, TicketDetail detail,
                  v1::Ticket& ticket, SnapshotCache* cache = nullptr);

// What one listing of events has read to fill them back: snapshots by
// key, and what each ticket never changes, by ticket id, from its record or
// its created event (at most kTickets, then started afresh). Lives no longer
// than the tickets stay unchanged: one transaction, or the upgrade, which alone
// writes while it lives.
struct EventFillCache {
  static constexpr size_t kTickets = 4096;
  SnapshotCache snapshots;
  std::map<std::string, v1::TicketSummary, std::less<>> tickets;

  // Keeps `summary` (of which what never changes is read) for `ticket`.
  const v1::TicketSummary& Remember(const std::string& ticket,
                                    v1::TicketSummary summary) {
    if (tickets.size() >= kTickets) tickets.clear();
    return tickets.insert_or_assign(ticket, std::move(summary)).first->second;
  }
};

// The record of `event` as the events table stores it. What its ticket
// never changes is compared with `ticket`, the ticket as this transaction
// stored it, when the caller holds it (the writer does); else with the
// ticket's record, read back. `event` is lent as TicketRecord's ticket is:
// on return it is as it was.
StatusOr<std::string> EventRecord(Txn& txn, const Tables& t, v1::Event& event,
                                  const v1::Ticket* ticket = nullptr);

// Fills back into an event read from its record what EventRecord left out
// (an event read any other way still lacks it: the erasure and the checks
// read and write records as stored). A summary whose ticket record cannot
// be read is filled from the ticket as filed (its TicketCreated event);
// when neither can be read, it gets its id back only.
Status FillEvent(const Txn& txn, const Tables& t, v1::Event& event,
                 EventFillCache* cache = nullptr);

// The ticket number an event names; nullopt for none or a malformed id.
std::optional<uint64_t> TicketNumberOf(const v1::Event& event);

// The upgrade to compact records (schema 10, again 13, and 15, which packs
// them: packing.h): rewrites every
// ticket and event of an older database in compact form, a few thousand to
// a write transaction (a database of years is too big for one), then
// clears kCompactingRecords (OpenTables set it with the new schema
// version). Resumable: started again, it skips what is compact.
// Grows the map as OpenTables does. `records_per_txn`: tests make it small.
Status CompactRecords(Env& env, const Tables& t, size_t max_map_size,
                      size_t records_per_txn = 4000);

// The meta key marking an upgrade to compact records under way.
inline constexpr std::string_view kCompactingRecords = "compacting_records";

}  // namespace helpdesk::store
