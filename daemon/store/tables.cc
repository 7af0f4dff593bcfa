#include "daemon/store/tables.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <array>
#include <random>

#include "daemon/store/backup.h"
#include "daemon/store/catalogue_tables.h"
#include "daemon/store/comment_tables.h"
#include "daemon/store/index_pass.h"
#include "daemon/store/record_check.h"
#include "daemon/store/records.h"
#include "daemon/store/report_cells.h"
#include "daemon/store/sla_index.h"
#include "daemon/store/staff_tables.h"
#include "daemon/store/ticket_words.h"

namespace helpdesk::store {
namespace {

// ticket_index keys: one entry per ticket under each filter alone, so a
// list by one filter is one key's numbers, walked newest first, and a list
// by two or more walks their keys together (SearchTickets):
//   [0][BE64 ticket number]                 every ticket
//   [1][status byte][BE64]                  by status
//   [2][municipality \0][BE64]              by municipality
//   [4][assignee \0][BE64]                  by assignee ("" unassigned)
//   [8][reporter \0][BE64]                  by reporter
//   [9][follower \0][BE64]                  by follower, one per follower
// Filter values never contain \0: validation forbids control characters.
// Until schema 16 each combination of status, municipality and assignee
// had its key too (first bytes 3, 5, 6 and 7): each a page of its own to
// write in every commit that filed or moved a ticket.
// The number is stored under the rest, the key (PutEntry): ticket_index is
// a table of numbers.
constexpr uint8_t kAll = 0, kByStatus = 1, kByMunicipality = 2, kByAssignee = 4;
constexpr uint8_t kByReporter = 8, kByFollower = kFollowerIndexByte;
static_assert(kTicketIndexBytes[0] == kAll &&
              kTicketIndexBytes[1] == kByStatus &&
              kTicketIndexBytes[2] == kByMunicipality &&
              kTicketIndexBytes[3] == kByAssignee &&
              kTicketIndexBytes[4] == kByReporter);

std::string NamePrefix(uint8_t first, const std::string& name) {
  return std::string(1, static_cast<char>(first)) + name + '\0';
}

std::string AllPrefix() { return std::string(1, static_cast<char>(kAll)); }

std::string StatusPrefix(v1::TicketStatus status) {
  return {static_cast<char>(kByStatus), static_cast<char>(status)};
}

std::string ReporterPrefix(const std::string& reporter) {
  return NamePrefix(kByReporter, reporter);
}

std::string FollowerPrefix(const std::string& follower) {
  return NamePrefix(kByFollower, follower);
}

}  // namespace

std::array<std::string, kIndexKeysPerTicket> TicketIndexKeys(
    const v1::Ticket& ticket, uint64_t n) {
  const std::string number = Be64(n);
  return {AllPrefix() + number, StatusPrefix(ticket.status()) + number,
          NamePrefix(kByMunicipality, ticket.municipality()) + number,
          NamePrefix(kByAssignee, ticket.assignee()) + number,
          ReporterPrefix(ticket.reporter()) + number};
}

std::vector<std::string> FollowerIndexKeys(const v1::Ticket& ticket,
                                           uint64_t n) {
  std::vector<std::string> keys;
  for (const auto& follower : ticket.followers())
    keys.push_back(FollowerPrefix(follower) + Be64(n));
  return keys;
}

std::string CountKey(v1::TicketStatus s) {
  return "count/" + std::to_string(static_cast<int>(s));
}

namespace {

Status AddToCount(Txn& txn, const Tables& t, v1::TicketStatus s, int64_t d) {
  auto cur = txn.Get(t.meta, CountKey(s));
  if (!cur.ok()) return cur.status();
  uint64_t v = *cur ? ReadBe64(**cur) : 0;
  return txn.Put(t.meta, CountKey(s), Be64(v + static_cast<uint64_t>(d)));
}

// `what` names the record for a person ("ticket 17") when it is damaged.
template <typename Message>
Status Parse(std::string_view bytes, Message& out, const std::string& what) {
  if (!ParseRecord(bytes, out)) return Damaged(what);
  return Status::Ok();
}

}  // namespace

std::string TicketName(uint64_t number) {
  return "ticket " + std::to_string(number);
}

std::string Be64(uint64_t v) {
  std::string s(8, '\0');
  for (int i = 7; i >= 0; --i, v >>= 8) s[i] = static_cast<char>(v & 0xff);
  return s;
}

uint64_t ReadBe64(std::string_view b) {
  uint64_t v = 0;
  for (size_t i = 0; i < 8 && i < b.size(); ++i)
    v = (v << 8) | static_cast<uint8_t>(b[i]);
  return v;
}

namespace {

Status SeedCatalogue(Txn& txn, const Tables& t, v1::Catalogue catalogue) {
  catalogue.set_version(1);
  return PutCatalogue(txn, t, v1::Catalogue(), catalogue);
}

struct Spec {
  const char* name;
  Table* table;
  bool numbers = false;  // a table of numbers (lmdb.h), since schema 14
};

std::array<Spec, 22> Specs(Tables& t) {
  return {Spec{"meta", &t.meta},
          Spec{"tickets", &t.tickets},
          Spec{"events", &t.events},
          Spec{"ticket_events", &t.ticket_events},
          Spec{"ticket_index", &t.ticket_index, true},
          Spec{"municipalities", &t.municipalities},
          Spec{"catalogue", &t.catalogue},
          Spec{"staff", &t.staff},
          Spec{"sla_due", &t.sla_due},
          Spec{"quarantine", &t.quarantine},
          Spec{"ticket_comments", &t.ticket_comments},
          Spec{"idempotency", &t.idempotency},
          Spec{"idempotency_by_time", &t.idempotency_by_time},
          Spec{"accounts", &t.accounts},
          Spec{"credentials", &t.credentials},
          Spec{"access_log", &t.access_log},
          Spec{"pages", &t.pages},
          Spec{"pages_due", &t.pages_due},
          Spec{"pages_by_ticket", &t.pages_by_ticket},
          Spec{"report_cells", &t.report_cells},
          Spec{"service_snapshots", &t.service_snapshots},
          Spec{"ticket_words", &t.ticket_words, true}};
}

}  // namespace

StatusOr<Tables> OpenTablesToRead(Txn& txn) {
  Tables t;
  for (Spec s : Specs(t)) {
    auto table = txn.OpenTable(s.name, /*create=*/false);
    // No repair has made the quarantine table of an older database yet;
    // one older than version 5 has no ticket_comments (the caller checks
    // the schema version); nor has a newer daemon made the idempotency
    // tables.
    if (!table.ok() &&
        (s.table == &t.quarantine || s.table == &t.ticket_comments ||
         s.table == &t.idempotency || s.table == &t.idempotency_by_time ||
         s.table == &t.accounts || s.table == &t.credentials ||
         s.table == &t.access_log || s.table == &t.pages ||
         s.table == &t.pages_due || s.table == &t.pages_by_ticket ||
         s.table == &t.report_cells || s.table == &t.service_snapshots ||
         s.table == &t.ticket_words))
      continue;
    if (!table.ok())
      return Status::NotFound(std::string("no table '") + s.name +
                              "': not a helpdeskd database? (" +
                              table.status().message() + ")");
    *s.table = *table;
  }
  return t;
}

namespace {
constexpr char kEpochKey[] = "epoch";
}  // namespace

Status RenewEpoch(Txn& txn, Table meta) {
  std::random_device random;
  static const char kHex[] = "0123456789abcdef";
  std::string epoch;
  for (int i = 0; i < 4; ++i) {
    uint32_t bits = random();
    for (int j = 0; j < 8; ++j, bits >>= 4) epoch += kHex[bits & 15];
  }
  return txn.Put(meta, kEpochKey, epoch);
}

namespace {

// The database's identity (ReadEpoch), made once.
Status MakeEpoch(Txn& txn, const Tables& t) {
  auto e = txn.Get(t.meta, kEpochKey);
  if (!e.ok()) return e.status();
  if (*e) return Status::Ok();
  return RenewEpoch(txn, t.meta);
}

// Before schema 14, ticket_index and ticket_words held an entry as a key:
// deleted and made again as tables of numbers, empty, with the marks that
// make OpenTables fill them after its transaction.
Status RemakeAsNumbers(Txn& txn, Tables& t) {
  for (Spec s : Specs(t)) {
    if (!s.numbers) continue;
    if (int rc = mdb_drop(txn.get(), s.table->dbi, /*del=*/1);
        rc != MDB_SUCCESS)
      return LmdbStatus(rc, std::string("mdb_drop(") + s.name + ")");
    auto table = txn.OpenTable(s.name, /*create=*/true, /*numbers=*/true);
    if (!table.ok()) return table.status();
    *s.table = *table;
  }
  if (Status s = txn.Put(t.meta, kIndexingTickets, ""); !s.ok()) return s;
  return txn.Put(t.meta, kIndexingWords, "");
}

// Schema 15's ticket_index keys for combinations of filters (first bytes
// 3, 5, 6 and 7, between the keys by status and by reporter), deleted
// with their numbers: some hundreds of keys (818 at the simulated
// million tickets).
Status DropCombinedIndexKeys(Txn& txn, const Tables& t) {
  std::vector<std::string> keys;
  {
    auto cursor = Cursor::Open(txn, t.ticket_index);
    if (!cursor.ok()) return cursor.status();
    // Key to key, past each one's numbers: at + '\0' is the least key
    // after `at`. From 3, the first combination.
    std::string at(1, '\3');
    for (auto moved = cursor->Seek(at);; moved = cursor->Seek(at + '\0')) {
      if (!moved.ok()) return moved.status();
      if (!*moved || cursor->key().empty()) break;
      at = cursor->key();
      const auto first = static_cast<uint8_t>(at[0]);
      if (first >= kByReporter) break;
      if (first != kByAssignee) keys.push_back(at);
    }
  }
  for (const auto& k : keys)
    if (Status s = txn.Del(t.ticket_index, k); !s.ok()) return s;
  if (!keys.empty())
    spdlog::info(
        "upgrade: {} keys of combined filters taken out of the "
        "list index",
        keys.size());
  return Status::Ok();
}

// OpenTables in one write transaction, which a full map aborts.
StatusOr<Tables> OpenTablesOnce(const Env& env, const Seed& seed) {
  auto txn = Txn::BeginWrite(env);
  if (!txn.ok()) return txn.status();
  Tables t;
  // A table already there keeps the flags it was made with: an older
  // database's ticket_index and ticket_words are made again below.
  for (Spec s : Specs(t)) {
    auto table = txn->OpenTable(s.name, /*create=*/true, s.numbers);
    if (!table.ok()) return table.status();
    *s.table = *table;
  }
  auto version = txn->Get(t.meta, "schema_version");
  if (!version.ok()) return version.status();
  const std::string current = std::to_string(kSchemaVersion);
  if (*version) {
    // Copied: a view into the map is invalid after the first write.
    const std::string original(**version);
    std::string stored = original;
    const bool made_before_14 =
        original.size() == 1 || (original.size() == 2 && original < "14");
    if (stored != "1" && stored != "2" && stored != "3" && stored != "4" &&
        stored != "5" && stored != "6" && stored != "7" && stored != "8" &&
        stored != "9" && stored != "10" && stored != "11" && stored != "12" &&
        stored != "13" && stored != "14" && stored != "15" &&
        stored != current) {
      return Status::Internal("database schema version " + stored +
                              ", this build reads " + current);
    }
    if (made_before_14) {
      if (Status s = RemakeAsNumbers(*txn, t); !s.ok()) return s;
    }
    if (stored == "1") {
      // Version 1 had no catalogue: its tickets keep their service ids, and
      // the built-in catalogue arrives as version 1 of the catalogue.
      if (Status s = SeedCatalogue(*txn, t, seed.catalogue); !s.ok()) return s;
      stored = "2";
    }
    if (stored == "2") {
      // Version 2 had no staff registry. Tickets the old status API gave to
      // someone already count for them, so the loads start from the tickets.
      if (Status s = SeedStaff(*txn, t, seed.staff, seed.rota); !s.ok())
        return s;
      if (Status s = RebuildLoads(*txn, t); !s.ok()) return s;
      stored = "3";
    }
    if (stored == "3") {
      // Version 3 had no due-time index; tickets filed before SLA clocks
      // existed have no `sla` and so no entries.
      if (Status s = RebuildSlaDue(*txn, t); !s.ok()) return s;
      stored = "4";
    }
    if (stored == "4") {
      // Version 4 kept comments only in their events.
      if (Status s = RebuildComments(*txn, t); !s.ok()) return s;
      stored = "5";
    }
    if (stored == "5") {
      // Version 5 had no accounts (made empty above; the daemon makes the
      // first admin) and no index by reporter.
      if (Status s = RebuildTicketIndex(*txn, t); !s.ok()) return s;
      stored = "6";
    }
    if (stored == "6") {
      // Version 6 had no pages (the tables are made empty above).
      stored = "7";
    }
    if (stored == "7") {
      // Version 7 had no followers and no synonyms: nothing to rebuild.
      stored = "8";
    }
    if (stored == "8") {
      // Version 8 had no report cells: one scan of the tickets makes them.
      if (Status s = RebuildReportCells(*txn, t); !s.ok()) return s;
      stored = "9";
    }
    if (stored == "9") {
      // Version 9 stored every ticket and created event whole. They are
      // rewritten after this transaction, in many (CompactRecords); the
      // mark makes a start after an interrupted upgrade go on with it, and
      // the new version keeps an older build from reading them.
      if (Status s = txn->Put(t.meta, kCompactingRecords, "1"); !s.ok())
        return s;
      stored = "10";
    }
    if (stored == "10") {
      // Version 10 had no word index. It is built after this transaction,
      // in many (IndexTicketWords), from where the mark says; until it is
      // done, a search misses the tickets not yet indexed.
      if (Status s = txn->Put(t.meta, kIndexingWords, ""); !s.ok()) return s;
      stored = "11";
    }
    if (stored == "11") {
      // Version 11 had no cells of a month by assignee alone: the month's
      // cells add up to them (some hundred thousand at a million tickets,
      // read once).
      if (Status s = RebuildMonthByAssigneeCells(*txn, t); !s.ok()) return s;
      stored = "12";
    }
    if (stored == "12") {
      // Version 12 stored every event's summary whole, and an Assigned
      // event's explanation with its steps' notes: rewritten after this
      // transaction, in many (CompactRecords), as version 10 was.
      if (Status s = txn->Put(t.meta, kCompactingRecords, "1"); !s.ok())
        return s;
      stored = "13";
    }
    if (stored == "13") {
      // Version 13 stored an index entry as a key of its own, its prefix
      // again each time. The tables of numbers were made above, before the
      // upgrades that write to them; they are filled after this
      // transaction, in many (IndexTicketNumbers, IndexTicketWords).
      stored = "14";
    }
    if (stored == "14") {
      // Version 14 stored tickets and events as they serialize: packed
      // (packing.h) after this transaction, in many (CompactRecords), as
      // version 10 was. Until then, both forms read.
      if (Status s = txn->Put(t.meta, kCompactingRecords, "1"); !s.ok())
        return s;
      stored = "15";
    }
    if (stored == "15") {
      // Version 15 kept every combination of status, municipality and
      // assignee in ticket_index too; a list by two or more now walks
      // their ranges together.
      if (Status s = DropCombinedIndexKeys(*txn, t); !s.ok()) return s;
      stored = "16";
    }
    if (stored != original) {
      if (Status s = txn->Put(t.meta, "schema_version", stored); !s.ok())
        return s;
    }
  } else {  // a new database: seed it
    if (Status s = txn->Put(t.meta, "schema_version", current); !s.ok())
      return s;
    for (const auto& m : seed.region.municipalities()) {
      if (Status s = txn->Put(t.municipalities, m.id(), m.SerializeAsString());
          !s.ok())
        return s;
    }
    if (Status s = SeedCatalogue(*txn, t, seed.catalogue); !s.ok()) return s;
    if (Status s = SeedStaff(*txn, t, seed.staff, seed.rota); !s.ok()) return s;
  }
  if (Status s = MakeEpoch(*txn, t); !s.ok()) return s;
  if (Status s = txn->Commit(); !s.ok()) return s;
  return t;
}

}  // namespace

StatusOr<std::string> ReadEpoch(const Txn& txn, const Tables& t) {
  auto e = txn.Get(t.meta, kEpochKey);
  if (!e.ok()) return e.status();
  return *e ? std::string(**e) : std::string();
}

StatusOr<Tables> OpenTables(Env& env, const Seed& seed, size_t max_map_size) {
  // A seed or an upgrade may need more than the map holds: grown and run
  // again from the start, as the writer does with a batch.
  while (true) {
    auto tables = OpenTablesOnce(env, seed);
    if (tables.ok()) {
      bool upgrade = false;
      {  // ended before the upgrade, which may grow the map
        auto txn = Txn::BeginRead(env);
        if (!txn.ok()) return txn.status();
        auto compacting = txn->Get(tables->meta, kCompactingRecords);
        if (!compacting.ok()) return compacting.status();
        upgrade = compacting->has_value();
      }
      if (upgrade)
        if (Status s = CompactRecords(env, *tables, max_map_size); !s.ok())
          return s;
      // Each does nothing unless its mark is there.
      if (Status s = IndexTicketNumbers(env, *tables, max_map_size); !s.ok())
        return s;
      if (Status s = IndexTicketWords(env, *tables, max_map_size); !s.ok())
        return s;
      return tables;
    }
    if (Status s = GrowMapOrExplain(env, tables.status(), max_map_size);
        !s.ok())
      return s;
  }
}

namespace {

StatusOr<std::optional<v1::Ticket>> ReadTicket(const Txn& txn, const Tables& t,
                                               uint64_t number,
                                               TicketDetail detail,
                                               SnapshotCache* cache) {
  auto raw = txn.Get(t.tickets, Be64(number));
  if (!raw.ok()) return raw.status();
  if (!*raw) return std::optional<v1::Ticket>();
  v1::Ticket ticket;
  if (Status s = Parse(**raw, ticket, TicketName(number)); !s.ok()) return s;
  if (Status s = FillTicket(txn, t, detail, ticket, cache); !s.ok()) return s;
  return std::optional<v1::Ticket>(std::move(ticket));
}

}  // namespace

StatusOr<std::optional<v1::Ticket>> GetTicket(const Txn& txn, const Tables& t,
                                              uint64_t number,
                                              TicketDetail detail) {
  return ReadTicket(txn, t, number, detail, nullptr);
}

namespace {

// The ticket_index prefixes of the filters `f` sets (not its reporter):
// a ticket matches when it is under each. None: every ticket.
std::vector<std::string> FilterPrefixes(const TicketFilter& f) {
  std::vector<std::string> prefixes;
  if (f.status != v1::TICKET_STATUS_UNSPECIFIED)
    prefixes.push_back(StatusPrefix(f.status));
  if (!f.municipality.empty())
    prefixes.push_back(NamePrefix(kByMunicipality, f.municipality));
  if (!f.assignee.empty())
    prefixes.push_back(NamePrefix(kByAssignee, f.assignee));
  return prefixes;
}

// The numbers under one prefix of a table of numbers, found from the top
// down: AtOrBelow(n) is the highest not above n, Lower() the one below the
// last found (a step of the cursor). Nothing (nullopt) past the last.
class NumberRange {
 public:
  static StatusOr<NumberRange> Open(const Txn& txn, Table table,
                                    std::string prefix) {
    auto cursor = Cursor::Open(txn, table);
    if (!cursor.ok()) return cursor.status();
    return NumberRange(std::move(*cursor), std::move(prefix));
  }
  StatusOr<std::optional<uint64_t>> AtOrBelow(uint64_t n) {
    return Read(cursor_.AtOrBelowNumber(prefix_, n));
  }
  StatusOr<std::optional<uint64_t>> Lower() {
    return Read(cursor_.PrevNumber());
  }

 private:
  NumberRange(Cursor cursor, std::string prefix)
      : cursor_(std::move(cursor)), prefix_(std::move(prefix)) {}
  StatusOr<std::optional<uint64_t>> Read(StatusOr<bool> moved) {
    if (!moved.ok()) return moved.status();
    if (!*moved) return std::optional<uint64_t>();
    return std::optional<uint64_t>(cursor_.number());
  }
  Cursor cursor_;
  std::string prefix_;
};

// The ticket numbers under one ticket_index prefix below a number, newest
// first; number() is empty past the last.
class IndexWalk {
 public:
  static StatusOr<IndexWalk> Start(const Txn& txn, const Tables& t,
                                   std::string prefix, uint64_t before) {
    auto range = NumberRange::Open(txn, t.ticket_index, std::move(prefix));
    if (!range.ok()) return range.status();
    IndexWalk walk(std::move(*range));
    auto first = walk.range_.AtOrBelow(before ? before - 1 : UINT64_MAX);
    if (!first.ok()) return first.status();
    walk.number_ = *first;
    return walk;
  }
  const std::optional<uint64_t>& number() const { return number_; }
  Status Advance() {
    auto next = range_.Lower();
    if (!next.ok()) return next.status();
    number_ = *next;
    return Status::Ok();
  }

 private:
  explicit IndexWalk(NumberRange range) : range_(std::move(range)) {}
  NumberRange range_;
  std::optional<uint64_t> number_;
};

// A search by words, or a list by two filters or more (not by reporter):
// the numbers in every word's range of ticket_words and in each filter's
// range of ticket_index, newest first. Each range in turn is asked for its
// highest number at or below the candidate; a lower answer becomes the
// candidate, and a candidate every range holds is a match. No ticket is
// read that does not match.
StatusOr<TicketPage> SearchTickets(const Txn& txn, const Tables& t,
                                   const TicketFilter& f, uint64_t before,
                                   size_t limit) {
  std::vector<NumberRange> ranges;
  for (const auto& w : f.words) {
    auto range = NumberRange::Open(txn, t.ticket_words, WordPrefix(w));
    if (!range.ok()) return range.status();
    ranges.push_back(std::move(*range));
  }
  for (auto& prefix : FilterPrefixes(f)) {
    auto range = NumberRange::Open(txn, t.ticket_index, std::move(prefix));
    if (!range.ok()) return range.status();
    ranges.push_back(std::move(*range));
  }
  TicketPage page;
  SnapshotCache snapshots;
  uint64_t candidate = before ? before - 1 : UINT64_MAX;
  size_t agreeing = 0, at = 0, steps = 0;
  while (before == 0 || candidate < before) {
    if (f.search_steps != 0 && steps++ == f.search_steps) {  // go on later
      page.next_before = candidate + 1;
      return page;
    }
    auto found = ranges[at].AtOrBelow(candidate);
    if (!found.ok()) return found.status();
    if (!*found) return page;  // a range has nothing lower: no more
    if (**found != candidate) {
      candidate = **found;
      agreeing = 1;
    } else {
      ++agreeing;
    }
    at = (at + 1) % ranges.size();
    if (agreeing < ranges.size()) continue;
    // Every range holds it.
    if (page.tickets.size() == limit) {
      page.next_before = candidate + 1;
      return page;
    }
    auto ticket =
        ReadTicket(txn, t, candidate, TicketDetail::kRecord, &snapshots);
    if (IsDamaged(ticket.status())) {
      NoteDamaged(TicketName(candidate));
    } else {
      if (!ticket.ok()) return ticket.status();
      if (!*ticket) return Status::Internal("index names missing ticket");
      page.tickets.push_back(std::move(**ticket));
    }
    if (candidate == 0) return page;
    --candidate;
    agreeing = 0;
  }
  return page;
}

}  // namespace

StatusOr<std::string> LastAssigneeOf(const Txn& txn, const Tables& t,
                                     const std::string& reporter,
                                     uint64_t before, size_t lookback) {
  auto walk = IndexWalk::Start(txn, t, ReporterPrefix(reporter), before);
  if (!walk.ok()) return walk.status();
  for (size_t looked = 0; looked < lookback && walk->number(); ++looked) {
    const uint64_t number = *walk->number();
    auto raw = txn.Get(t.tickets, Be64(number));
    if (!raw.ok()) return raw.status();
    if (!*raw) return Status::Internal("index names missing ticket");
    auto assignee = ParseStringField(**raw, v1::Ticket::kAssigneeFieldNumber);
    if (!assignee) {
      NoteDamaged(TicketName(number));
    } else if (!assignee->empty()) {
      return *std::move(assignee);
    }
    if (Status s = walk->Advance(); !s.ok()) return s;
  }
  return std::string();
}

StatusOr<TicketPage> ListTickets(const Txn& txn, const Tables& t,
                                 const TicketFilter& f, uint64_t before,
                                 size_t limit) {
  limit = std::max<size_t>(limit, 1);
  const bool by_reporter = !f.reporter.empty();
  auto filters = FilterPrefixes(f);
  if (!by_reporter && (!f.words.empty() || filters.size() > 1))
    return SearchTickets(txn, t, f, before, limit);
  const std::string prefix = by_reporter       ? ReporterPrefix(f.reporter)
                             : filters.empty() ? AllPrefix()
                                               : std::move(filters.front());
  // By reporter the other filters are checked on each ticket read.
  auto wanted = [&](const v1::Ticket& ticket) {
    return !by_reporter ||
           ((f.status == v1::TICKET_STATUS_UNSPECIFIED ||
             ticket.status() == f.status) &&
            (f.municipality.empty() ||
             ticket.municipality() == f.municipality) &&
            (f.assignee.empty() || ticket.assignee() == f.assignee) &&
            (f.words.empty() || HasWords(ticket, f.words)));
  };
  std::vector<IndexWalk> walks;
  auto walk = IndexWalk::Start(txn, t, prefix, before);
  if (!walk.ok()) return walk.status();
  walks.push_back(std::move(*walk));
  if (by_reporter && f.with_followed) {
    auto followed =
        IndexWalk::Start(txn, t, FollowerPrefix(f.reporter), before);
    if (!followed.ok()) return followed.status();
    walks.push_back(std::move(*followed));
  }
  TicketPage page;
  SnapshotCache snapshots;
  uint64_t last = 0;  // the last number read, kept or skipped
  while (true) {
    // The newest ticket left among the walks.
    IndexWalk* next = nullptr;
    for (auto& w : walks)
      if (w.number() && (next == nullptr || *w.number() > *next->number()))
        next = &w;
    if (next == nullptr) break;
    const uint64_t number = *next->number();
    if (page.tickets.size() == limit) {  // there is more: resume below the last
      page.next_before = last;
      break;
    }
    auto ticket = ReadTicket(txn, t, number, TicketDetail::kRecord, &snapshots);
    if (IsDamaged(ticket.status())) {
      NoteDamaged(TicketName(number));  // a list goes on without it
    } else {
      if (!ticket.ok()) return ticket.status();
      if (!*ticket) return Status::Internal("index names missing ticket");
      if (wanted(**ticket)) page.tickets.push_back(std::move(**ticket));
    }
    last = number;
    // Every walk at this number moves on: a ticket is listed once.
    for (auto& w : walks)
      if (w.number() == number)
        if (Status s = w.Advance(); !s.ok()) return s;
  }
  return page;
}

StatusOr<std::vector<v1::Ticket>> OldestTickets(const Txn& txn, const Tables& t,
                                                v1::TicketStatus status,
                                                size_t limit) {
  const std::string prefix = status == v1::TICKET_STATUS_UNSPECIFIED
                                 ? AllPrefix()
                                 : StatusPrefix(status);
  auto cursor = Cursor::Open(txn, t.ticket_index);
  if (!cursor.ok()) return cursor.status();
  std::vector<v1::Ticket> out;
  SnapshotCache snapshots;
  // The prefix's numbers, smallest first.
  auto moved = cursor->Seek(prefix);
  while (out.size() < limit) {
    if (!moved.ok()) return moved.status();
    if (!*moved || cursor->key() != prefix) break;
    const uint64_t number = cursor->number();
    auto ticket = ReadTicket(txn, t, number, TicketDetail::kRecord, &snapshots);
    if (IsDamaged(ticket.status())) {
      NoteDamaged(TicketName(number));
    } else {
      if (!ticket.ok()) return ticket.status();
      if (!*ticket) return Status::Internal("index names missing ticket");
      out.push_back(std::move(**ticket));
    }
    moved = cursor->Next();
  }
  return out;
}

Status ForEachTicket(const Txn& txn, const Tables& t,
                     const std::function<Status(const v1::Ticket&)>& visit) {
  auto cursor = Cursor::Open(txn, t.tickets);
  if (!cursor.ok()) return cursor.status();
  SnapshotCache snapshots;
  for (auto moved = cursor->First();; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved) return Status::Ok();
    v1::Ticket ticket;
    if (!ParseRecord(cursor->value(), ticket)) {
      NoteDamaged(TicketName(ReadBe64(cursor->key())));
      continue;
    }
    if (Status s =
            FillTicket(txn, t, TicketDetail::kRecord, ticket, &snapshots);
        !s.ok())
      return s;
    if (Status s = visit(ticket); !s.ok()) return s;
  }
}

StatusOr<EventPage> ListEvents(const Txn& txn, const Tables& t, uint64_t after,
                               size_t limit, std::optional<uint64_t> ticket) {
  const std::string prefix = ticket ? Be64(*ticket) : std::string();
  auto cursor = Cursor::Open(txn, ticket ? t.ticket_events : t.events);
  if (!cursor.ok()) return cursor.status();
  EventPage page;
  EventFillCache filled;
  auto moved = cursor->Seek(prefix + Be64(after + 1));
  while (true) {
    if (!moved.ok()) return moved.status();
    if (!*moved) break;
    std::string_view key = cursor->key();
    if (key.substr(0, prefix.size()) != prefix) break;
    uint64_t seq = ReadBe64(key.substr(prefix.size()));
    if (page.events.size() == limit) {
      page.next_after = seq - 1;
      break;
    }
    v1::Event event;
    std::string_view raw = cursor->value();
    if (ticket) {
      auto stored = txn.Get(t.events, Be64(seq));
      if (!stored.ok()) return stored.status();
      if (!*stored)
        return Status::Internal("ticket_events names missing event");
      raw = **stored;
    }
    // The log goes on past a damaged event: a reader resuming from its
    // cursor must not be stuck on it.
    if (ParseRecord(raw, event)) {
      if (Status s = FillEvent(txn, t, event, &filled); !s.ok()) return s;
      page.events.push_back(std::move(event));
    } else {
      NoteDamaged("event " + std::to_string(seq));
    }
    moved = cursor->Next();
  }
  return page;
}

StatusOr<v1::Region> LoadRegion(const Txn& txn, const Tables& t) {
  auto cursor = Cursor::Open(txn, t.municipalities);
  if (!cursor.ok()) return cursor.status();
  v1::Region region;
  for (auto moved = cursor->First();; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved) break;
    v1::Municipality m;
    if (ParseRecord(cursor->value(), m))
      *region.add_municipalities() = std::move(m);
    else
      NoteDamaged("municipality " + std::string(cursor->key()));
  }
  return region;
}

StatusOr<std::vector<uint64_t>> CountByStatus(const Txn& txn, const Tables& t) {
  std::vector<uint64_t> counts(v1::TicketStatus_ARRAYSIZE, 0);
  for (int s = 1; s < v1::TicketStatus_ARRAYSIZE; ++s) {
    auto raw = txn.Get(t.meta, CountKey(static_cast<v1::TicketStatus>(s)));
    if (!raw.ok()) return raw.status();
    if (*raw) counts[s] = ReadBe64(**raw);
  }
  return counts;
}

namespace {
StatusOr<uint64_t> LastKey(const Txn& txn, Table table) {
  auto cursor = Cursor::Open(txn, table);
  if (!cursor.ok()) return cursor.status();
  auto moved = cursor->Last();
  if (!moved.ok()) return moved.status();
  return *moved ? ReadBe64(cursor->key()) : 0;
}
}  // namespace

StatusOr<uint64_t> LastTicketNumber(const Txn& txn, const Tables& t) {
  auto last = LastKey(txn, t.tickets);
  if (!last.ok()) return last;
  // A ticket taken out of the table by a repair keeps its number: no new
  // ticket may take it (and with it the old one's history).
  auto taken = txn.Get(t.meta, kTicketNumbersTaken);
  if (!taken.ok()) return taken.status();
  const uint64_t high = *taken ? ReadBe64(**taken) : 0;
  return std::max(*last, high);
}

Status KeepTicketNumberTaken(Txn& txn, const Tables& t, uint64_t number) {
  auto taken = txn.Get(t.meta, kTicketNumbersTaken);
  if (!taken.ok()) return taken.status();
  if (*taken && ReadBe64(**taken) >= number) return Status::Ok();
  return txn.Put(t.meta, kTicketNumbersTaken, Be64(number));
}
StatusOr<uint64_t> LastEventSeq(const Txn& txn, const Tables& t) {
  return LastKey(txn, t.events);
}

Status PutTicket(Txn& txn, const Tables& t, const v1::Ticket* before,
                 v1::Ticket& now, const TextWords* known_words) {
  uint64_t number = std::stoull(now.id());
  auto new_keys = TicketIndexKeys(now, number);
  // Followers come and go one by one: their entries are compared as sets.
  {
    const auto old_followers = before ? FollowerIndexKeys(*before, number)
                                      : std::vector<std::string>();
    const auto new_followers = FollowerIndexKeys(now, number);
    for (const auto& k : old_followers)
      if (std::find(new_followers.begin(), new_followers.end(), k) ==
          new_followers.end())
        if (Status s = DelEntry(txn, t.ticket_index, k); !s.ok()) return s;
    for (const auto& k : new_followers)
      if (std::find(old_followers.begin(), old_followers.end(), k) ==
          old_followers.end())
        if (Status s = PutEntry(txn, t.ticket_index, k); !s.ok()) return s;
  }
  if (before) {
    auto old_keys = TicketIndexKeys(*before, number);
    for (size_t i = 0; i < old_keys.size(); ++i) {
      if (old_keys[i] == new_keys[i]) continue;
      if (Status s = DelEntry(txn, t.ticket_index, old_keys[i]); !s.ok())
        return s;
      if (Status s = PutEntry(txn, t.ticket_index, new_keys[i]); !s.ok())
        return s;
    }
    if (before->status() != now.status()) {
      if (Status s = AddToCount(txn, t, before->status(), -1); !s.ok())
        return s;
      if (Status s = AddToCount(txn, t, now.status(), +1); !s.ok()) return s;
    }
  } else {
    for (const auto& k : new_keys) {
      if (Status s = PutEntry(txn, t.ticket_index, k); !s.ok()) return s;
    }
    if (Status s = AddToCount(txn, t, now.status(), +1); !s.ok()) return s;
  }
  if (Status s = UpdateReportCells(txn, t, before, now); !s.ok()) return s;
  if (Status s = PutTicketWords(txn, t, before, now, known_words); !s.ok())
    return s;
  auto record = TicketRecord(txn, t, now);
  if (!record.ok()) return record.status();
  if (before == nullptr) return txn.Append(t.tickets, Be64(number), *record);
  return txn.Put(t.tickets, Be64(number), *record);
}

namespace {

std::vector<std::string> IndexEntriesOf(const v1::Ticket& ticket,
                                        uint64_t number) {
  auto keys = FollowerIndexKeys(ticket, number);
  for (auto& k : TicketIndexKeys(ticket, number)) keys.push_back(std::move(k));
  return keys;
}

}  // namespace

Status RebuildTicketIndex(Txn& txn, const Tables& t, size_t tickets_per_batch) {
  if (int rc = mdb_drop(txn.get(), t.ticket_index.dbi, /*del=*/0);
      rc != MDB_SUCCESS)
    return LmdbStatus(rc, "mdb_drop(ticket_index)");
  std::vector<uint64_t> counts(v1::TicketStatus_ARRAYSIZE, 0);
  Status counted = ForEachTicket(txn, t, [&](const v1::Ticket& ticket) {
    const int s = static_cast<int>(ticket.status());
    if (s > 0 && s < v1::TicketStatus_ARRAYSIZE) ++counts[s];
    return Status::Ok();
  });
  if (!counted.ok()) return counted;
  // A few thousand tickets' entries in memory at a time, not years of
  // them (ten million at a million tickets).
  const IndexPass pass{kIndexingTickets, t.ticket_index, &IndexEntriesOf,
                       "the tickets for lists"};
  for (uint64_t from = 0;;) {
    auto some = EntriesOfTickets(txn, t, pass, from,
                                 std::max<size_t>(tickets_per_batch, 1));
    if (!some.ok()) return some.status();
    for (const auto& k : some->first)
      if (Status s = PutEntry(txn, t.ticket_index, k); !s.ok()) return s;
    if (some->second == 0) break;
    from = some->second;
  }
  for (int s = 1; s < v1::TicketStatus_ARRAYSIZE; ++s) {
    if (Status st = txn.Put(t.meta, CountKey(static_cast<v1::TicketStatus>(s)),
                            Be64(counts[s]));
        !st.ok())
      return st;
  }
  return Status::Ok();
}

Status IndexTicketNumbers(Env& env, const Tables& t, size_t max_map_size,
                          size_t tickets_per_txn) {
  return RunIndexPass(env, t,
                      {kIndexingTickets, t.ticket_index, &IndexEntriesOf,
                       "the tickets for lists"},
                      max_map_size, tickets_per_txn);
}

Status PutEntry(Txn& txn, Table table, std::string_view entry) {
  if (entry.size() < 9)
    return Status::Internal("an index entry without a prefix and a number");
  return txn.PutNumber(table, entry.substr(0, entry.size() - 8),
                       ReadBe64(entry.substr(entry.size() - 8)));
}

Status DelEntry(Txn& txn, Table table, std::string_view entry) {
  if (entry.size() < 9)
    return Status::Internal("an index entry without a prefix and a number");
  return txn.DelNumber(table, entry.substr(0, entry.size() - 8),
                       ReadBe64(entry.substr(entry.size() - 8)));
}

std::string EntryAt(const Cursor& cursor) {
  std::string entry(cursor.key());
  entry += cursor.value();
  return entry;
}

Status PutEvent(Txn& txn, const Tables& t, v1::Event& event,
                const v1::Ticket* ticket) {
  auto record = EventRecord(txn, t, event, ticket);
  if (!record.ok()) return record.status();
  if (Status s = txn.Append(t.events, Be64(event.seq()), *record); !s.ok())
    return s;
  if (event.ticket_id().empty()) return Status::Ok();
  if (Status s =
          txn.Put(t.ticket_events,
                  Be64(std::stoull(event.ticket_id())) + Be64(event.seq()), "");
      !s.ok())
    return s;
  if (!event.has_comment_added()) return Status::Ok();
  return PutComment(txn, t, event);
}

}  // namespace helpdesk::store
