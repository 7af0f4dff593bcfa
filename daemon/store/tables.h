#pragma once
// The tables of the helpdeskd database and the reads and writes on them.
//
//   meta            "schema_version" -> decimal; "count/<status number>" ->
//                   big-endian u64 tickets in that status; "epoch" -> the
//                   database's identity (ReadEpoch)
//   tickets         BE64 ticket number -> Ticket (comments not stored here)
//   events          BE64 seq -> Event: the append-only, gap-free log
//   ticket_events   BE64 number . BE64 seq -> "" (a ticket's history)
//   ticket_comments BE64 number . BE64 seq -> Comment, each its own record
//                   (comment_tables.h)
//   ticket_index    filter key -> BE64 numbers (list queries, see .cc): a
//                   table of numbers, as ticket_words (PutEntry below)
//   municipalities  id -> Municipality
//   catalogue       the tjenestekatalog (catalogue_tables.h)
//   staff           staff registry, vakt rota, open loads (staff_tables.h)
//   sla_due         BE64 instant . BE64 number . alert -> "" (sla_index.h)
//   quarantine      "<table>/<key>" -> QuarantinedRecord: records that could
//                   not be read, moved aside by `helpdeskctl repair`
//   idempotency, idempotency_by_time: first answers to writes sent with an
//                   Idempotency-Key, and when they were written
//                   (idempotency.h)
//   accounts        account id -> Account (auth_tables.h)
//   access_log      who read which ticket, when (audit_tables.h)
//   credentials     sessions and API tokens under keyed hashes of their
//                   secrets, with two indexes (auth_tables.h)
//   pages, pages_due, pages_by_ticket: the paging outbox (page_tables.h)
//   report_cells    what the tickets add up to for the SLA report, per day,
//                   month and year (report_cells.h)
//   service_snapshots id \0 BE64 version -> ServiceSnapshot: each service
//                   version tickets were filed under, stored once
//                   (records.h)
//   ticket_words    word . \0 -> BE64 numbers: the words of tickets'
//                   titles and descriptions, for search (ticket_words.h)
//
// Free functions over a Txn; they never keep a view past the transaction.
// Thread-safety: as the Txn they are given.

#include <array>
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "daemon/store/lmdb.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::store {

struct TextWords;  // ticket_words.h

// 2: the catalogue table. 3: the staff table. 4: the sla_due index. 5: the
// ticket_comments table. 6: the accounts, credentials and access_log
// tables, and ticket_index by reporter. 7: the pages tables (the paging
// outbox). 8: ticket_index by follower and the catalogue's synonym records
// (nothing to rebuild: no ticket had followers, no catalogue synonyms; the
// number keeps an older build from misreading them). 9: the report_cells
// table (report_cells.h), built from the tickets. 10: compact records
// (records.h): tickets and their created events share service snapshots
// (the service_snapshots table) and keep an assignment's steps and
// explanation only in its event; rewritten by the upgrade in many
// transactions (CompactRecords). 11: the ticket_words table (free-text
// search), built by the upgrade in many transactions (IndexTicketWords).
// 12: report cells of each month by assignee alone, added up from the
// month's cells by the upgrade. 13: events store what they changed
// (records.h): a summary without what its ticket never changes, a created
// event without the summary its ticket gives, an Assigned event's
// explanation without its steps' notes; rewritten by the upgrade in many
// transactions (CompactRecords again). 14: ticket_index and ticket_words
// are tables of numbers (lmdb.h): each prefix stored once, its tickets'
// numbers packed under it; made again by the upgrade and filled in many
// transactions (IndexTicketNumbers, IndexTicketWords). 15: tickets and
// events stored packed against a dictionary (packing.h); rewritten by the
// upgrade in many transactions (CompactRecords again). 16: ticket_index
// holds a ticket under each filter alone, no longer under each combination
// of status, municipality and assignee (a list by two or more walks their
// ranges together); the upgrade deletes the combinations' keys in its one
// transaction.
// An older database is upgraded on open, one version at a time.
inline constexpr int kSchemaVersion = 16;

struct Tables {
  Table meta, tickets, events, ticket_events, ticket_index, municipalities,
      catalogue, staff, sla_due, quarantine;
  Table ticket_comments;
  // New and empty in an older database (no upgrade): OpenTablesToRead
  // leaves them unset when missing.
  Table idempotency, idempotency_by_time;
  // New in version 6 (made by the upgrade; unset when reading an older one).
  Table accounts, credentials;
  Table access_log;
  // New in version 7 (made empty by the upgrade; unset when reading an
  // older one).
  Table pages, pages_due, pages_by_ticket;
  // New in version 9 (built by the upgrade; unset when reading an older
  // one).
  Table report_cells;
  // New in version 10 (made by the upgrade; unset when reading an older
  // one).
  Table service_snapshots;
  // New in version 11 (made by the upgrade; unset when reading an older
  // one).
  Table ticket_words;
};

// What a new database starts with.
struct Seed {
  v1::Region region;
  v1::Catalogue catalogue;  // stored as catalogue version 1
  // Initialised so that callers naming only region and catalogue in a
  // designated initializer stay free of missing-initializer warnings.
  std::vector<v1::StaffMember> staff{};  // each stored as version 1
  v1::VaktRota rota{};                   // stored as version 1 if it has shifts
};

// Opens the tables, creating them and storing `seed` in a new database;
// use only the Tables it returns: an upgrade to 14 deletes and remakes two
// tables, which closes their old handles for the whole process.
// checks the schema version of an existing one and upgrades an older one
// (version 1 gets the seed catalogue; version 2 the seed staff and rota,
// and loads counted from its open assigned tickets; version 3 the sla_due
// entries of its tickets' clocks, by one scan; version 4 a ticket_comments
// record for each comment, by one scan of the log). All in one transaction:
// when the map is too small for it, the map grows (up to `max_map_size`;
// 0: never) and it runs again.
StatusOr<Tables> OpenTables(Env& env, const Seed& seed,
                            size_t max_map_size = 0);

// Opens the tables of an existing database inside `txn`, creating
// nothing: the handles end with a read transaction. kNotFound when one is
// missing (the quarantine and idempotency tables may be, and
// ticket_comments in a database older than version 5: each is left unset
// then, so check the schema version before reading ticket_comments). For
// readers outside the daemon (helpdeskctl check, the crash test).
StatusOr<Tables> OpenTablesToRead(Txn& txn);

// The database's identity: 32 hex digits made at random when it was
// created (or first opened by a daemon that keeps one), never changed by
// the daemon. A live client that resumes from a sequence number sends the
// epoch it had: another epoch means other events under those numbers.
// Empty for a database no daemon of schema 6 with epochs has opened.
StatusOr<std::string> ReadEpoch(const Txn& txn, const Tables& t);

// ------------------------------------------------------------ reads
//
// A record that does not parse is damaged (record_check.h): a single read
// of it answers Damaged("ticket 17"); lists and scans skip it and log it
// once.

// How much of a ticket a read fills back (records.h).
enum class TicketDetail {
  kFull,    // as saved: with its assignment's steps and explanation
  kRecord,  // with its service snapshot; its assignment without steps and
            // explanation (a list's rows, dispatch, reports)
};

StatusOr<std::optional<v1::Ticket>> GetTicket(
    const Txn& txn, const Tables& t, uint64_t number,
    TicketDetail detail = TicketDetail::kFull);

struct TicketFilter {
  v1::TicketStatus status = v1::TICKET_STATUS_UNSPECIFIED;  // any
  std::string municipality;                                 // empty: any
  std::string assignee;                                     // empty: any
  // Empty: any. Set, the reporter's own index is walked and the other
  // filters are applied to its tickets (an employee's list: a few dozen).
  std::string reporter;
  // With `reporter`: also the tickets they follow, merged newest first.
  bool with_followed = false;
  // Empty: any. Set (QueryWords, ticket_words.h), only tickets whose title
  // and description hold every one of these words.
  std::vector<std::string> words;
  // With `words`, or without `reporter` two or more of status,
  // municipality and assignee: index entries one page steps over at most
  // (words or filters common alone and rare together could walk most of
  // the index); a page that reaches it answers what it found, maybe
  // nothing, and next_before. 0: no bound.
  size_t search_steps = 0;
};

struct TicketPage {
  std::vector<v1::Ticket> tickets;
  std::optional<uint64_t> next_before;  // pass back to continue
};

// Tickets matching `filter`, newest first, with numbers below `before`
// (0: from the newest). Served from ticket_index (and ticket_words for
// `words`), never by a scan: one filter is one range of the index; two or
// more, or words, are their ranges walked together, and may answer a
// short page with next_before set (TicketFilter::search_steps). Rows are
// read as TicketDetail::kRecord.
StatusOr<TicketPage> ListTickets(const Txn& txn, const Tables& t,
                                 const TicketFilter& filter, uint64_t before,
                                 size_t limit);

// The assignee of the newest of `reporter`'s tickets numbered below
// `before` that has one, of the `lookback` newest at most; "" when none of
// those has one. Reads only each record's assignee, not the ticket:
// dispatch asks it in the writer for every ticket filed (who helped this
// reporter before, DOMAIN.md rule 12). A record whose assignee cannot be
// read is passed over (and counts toward `lookback`); one damaged only in
// another field is not found damaged here and gives its assignee.
StatusOr<std::string> LastAssigneeOf(const Txn& txn, const Tables& t,
                                     const std::string& reporter,
                                     uint64_t before, size_t lookback);

// The oldest `limit` tickets in `status` (UNSPECIFIED: any), oldest first
// (the dispatcher queue is worked from its front). From ticket_index; read
// as TicketDetail::kRecord.
StatusOr<std::vector<v1::Ticket>> OldestTickets(const Txn& txn, const Tables& t,
                                                v1::TicketStatus status,
                                                size_t limit);

struct EventPage {
  std::vector<v1::Event> events;
  std::optional<uint64_t> next_after;  // pass back to continue
};

// Events with seq > after, oldest first, filled back (FillEvent); of one
// ticket if `ticket` is set.
StatusOr<EventPage> ListEvents(const Txn& txn, const Tables& t, uint64_t after,
                               size_t limit,
                               std::optional<uint64_t> ticket = std::nullopt);

StatusOr<v1::Region> LoadRegion(const Txn& txn, const Tables& t);

// Tickets per status, indexed by TicketStatus number.
StatusOr<std::vector<uint64_t>> CountByStatus(const Txn& txn, const Tables& t);

// The highest ticket number and event seq in use (0 when none).
// The highest ticket number ever given: the last in the table, or one a
// repair took out of it (kept in meta under kTicketNumbersTaken).
StatusOr<uint64_t> LastTicketNumber(const Txn& txn, const Tables& t);
inline constexpr std::string_view kTicketNumbersTaken = "tickets_taken_up_to";
// Records that numbers up to `number` are taken (a repair quarantining
// ticket `number`).
Status KeepTicketNumberTaken(Txn& txn, const Tables& t, uint64_t number);
StatusOr<uint64_t> LastEventSeq(const Txn& txn, const Tables& t);

// Calls `visit` with every readable stored ticket in number order (schema
// upgrades recount from them), read as TicketDetail::kRecord; stops at the
// first error it returns. The cursor is closed when this returns, so
// `visit` must not write; collect, then write.
Status ForEachTicket(const Txn& txn, const Tables& t,
                     const std::function<Status(const v1::Ticket&)>& visit);

// ------------------------------------------------------------ writes

// Stores `now` (as TicketRecord), moving its index entries and status
// counts from `before` (nullptr for a new ticket). `now` is lent to
// TicketRecord, and on return is as it was. `known_words`: its words if
// worked out before the write (PutTicketWords, ticket_words.h).
Status PutTicket(Txn& txn, const Tables& t, const v1::Ticket* before,
                 v1::Ticket& now, const TextWords* known_words = nullptr);

// Appends `event` (its seq already set; stored as EventRecord), its
// ticket_events entry and, for a CommentAdded, the comment's
// ticket_comments record (comment_tables.h).
// `ticket`: the ticket as this transaction stored it, when the caller
// holds it (EventRecord). `event` is lent to EventRecord, and on return is
// as it was.
Status PutEvent(Txn& txn, const Tables& t, v1::Event& event,
                const v1::Ticket* ticket = nullptr);

// Empties ticket_index and the status counts and fills them from the
// tickets table (helpdeskctl repair, when they disagree): the counts in
// one scan, the entries `tickets_per_batch` tickets at a time, each batch
// sorted, so memory does not grow with the years of tickets.
Status RebuildTicketIndex(Txn& txn, const Tables& t,
                          size_t tickets_per_batch = 5000);

// The schema 14 upgrade, after OpenTables' transaction: puts the
// ticket_index entries of every stored ticket, from where the meta mark
// kIndexingTickets says (RunIndexPass, index_pass.h). The status counts
// are not touched: they were right before.
Status IndexTicketNumbers(Env& env, const Tables& t, size_t max_map_size,
                          size_t tickets_per_txn = 2000);
inline constexpr std::string_view kIndexingTickets = "indexing_tickets";

// ------------------------------------------------------------ keys

// An entry of ticket_index or ticket_words is named whole: a prefix, then
// a ticket's BE64 number (TicketIndexKeys, WordKeys). Both are tables of
// numbers (lmdb.h), which store it as its prefix with the number under it:
// these put and delete an entry so (an entry already there, or not there
// to delete, is no error), and make it whole again from a cursor.
Status PutEntry(Txn& txn, Table table, std::string_view entry);
Status DelEntry(Txn& txn, Table table, std::string_view entry);
std::string EntryAt(const Cursor& cursor);

// The ticket_index keys of `ticket`, number `n`: one of every ticket, one
// by its status, by its municipality, by its assignee and by its
// reporter; each key's first byte is the one kTicketIndexBytes gives at
// its place.
inline constexpr size_t kIndexKeysPerTicket = 5;
inline constexpr std::array<uint8_t, kIndexKeysPerTicket> kTicketIndexBytes = {
    0, 1, 2, 4, 8};
std::array<std::string, kIndexKeysPerTicket> TicketIndexKeys(
    const v1::Ticket& ticket, uint64_t n);
// Its ticket_index keys by follower: one per follower (Ticket.followers),
// which an employee's list walks beside their own.
std::vector<std::string> FollowerIndexKeys(const v1::Ticket& ticket,
                                           uint64_t n);
// The first byte of those keys (after kTicketIndexBytes).
inline constexpr uint8_t kFollowerIndexByte = 9;
// The meta key counting the tickets in status `s`.
std::string CountKey(v1::TicketStatus s);
// "ticket 17": how messages name a ticket record.
std::string TicketName(uint64_t number);

// Big-endian fixed-width keys sort numerically.
std::string Be64(uint64_t v);
uint64_t ReadBe64(std::string_view bytes);

}  // namespace helpdesk::store
