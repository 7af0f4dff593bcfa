#include "daemon/store/records.h"

#include <spdlog/spdlog.h>

#include <utility>
#include <vector>

#include "daemon/store/record_check.h"

namespace helpdesk::store {
namespace {

std::string SnapshotKey(std::string_view id, uint32_t version) {
  std::string key(id);
  key += '\0';
  key += Be64(version);
  return key;
}

// A snapshot reduced to its id and version: what a compact record keeps.
// A service always has a name (the catalogue refuses one without), so a
// snapshot without one is a stub.
bool IsStub(const v1::ServiceSnapshot& s) {
  return !s.id().empty() && s.name().empty();
}

v1::ServiceSnapshot Stub(const v1::ServiceSnapshot& s) {
  v1::ServiceSnapshot stub;
  stub.set_id(s.id());
  stub.set_version(s.version());
  return stub;
}

// Whether `snapshot` may be stored as a stub: the one stored for its id and
// version is the same, or there was none and it is stored now.
StatusOr<bool> ShareSnapshot(Txn& txn, const Tables& t,
                             const v1::ServiceSnapshot& snapshot) {
  if (t.service_snapshots.dbi == 0 || snapshot.id().empty() || IsStub(snapshot))
    return false;
  const std::string key = SnapshotKey(snapshot.id(), snapshot.version());
  const std::string bytes = snapshot.SerializeAsString();
  auto stored = txn.Get(t.service_snapshots, key);
  if (!stored.ok()) return stored.status();
  if (*stored) return **stored == bytes;
  if (Status s = txn.Put(t.service_snapshots, key, bytes); !s.ok()) return s;
  return true;
}

// Reads back the snapshot a stub names; leaves the stub when it is missing
// or damaged (the id still names the service).
Status FillSnapshot(const Txn& txn, const Tables& t, v1::ServiceSnapshot& s,
                    SnapshotCache* cache) {
  if (!IsStub(s) || t.service_snapshots.dbi == 0) return Status::Ok();
  const std::string key = SnapshotKey(s.id(), s.version());
  if (cache != nullptr) {
    if (auto it = cache->find(key); it != cache->end()) {
      s = it->second;
      return Status::Ok();
    }
  }
  auto stored = txn.Get(t.service_snapshots, key);
  if (!stored.ok()) return stored.status();
  if (!*stored) return Status::Ok();  // never shared: the record is all
  v1::ServiceSnapshot full;
  if (!ParseRecord(**stored, full) || full.id() != s.id() ||
      full.version() != s.version()) {
    NoteDamaged("service snapshot " + s.id() + " version " +
                std::to_string(s.version()));
    return Status::Ok();
  }
  if (cache != nullptr) cache->emplace(key, full);
  s = std::move(full);
  return Status::Ok();
}

bool HasSteps(const v1::Assignment& a) {
  return a.steps_size() != 0 || !a.explanation().empty();
}

}  // namespace

StatusOr<std::string> TicketRecord(Txn& txn, const Tables& t,
                                   const v1::Ticket& now) {
  auto shared = ShareSnapshot(txn, t, now.service());
  if (!shared.ok()) return shared.status();
  const bool steps = now.assignment().seq() != 0 && HasSteps(now.assignment());
  const bool comments =
      now.comments_size() != 0 || !now.comments_next().empty();
  if (!*shared && !steps && !comments) return now.SerializeAsString();
  v1::Ticket stored = now;
  if (*shared) *stored.mutable_service() = Stub(now.service());
  if (steps) {
    stored.mutable_assignment()->clear_steps();
    stored.mutable_assignment()->clear_explanation();
  }
  // Comments are never stored with the ticket: each is its own record.
  stored.clear_comments();
  stored.clear_comments_next();
  return stored.SerializeAsString();
}

Status FillTicket(const Txn& txn, const Tables& t, TicketDetail detail,
                  v1::Ticket& ticket, SnapshotCache* cache) {
  if (ticket.has_service())
    if (Status s = FillSnapshot(txn, t, *ticket.mutable_service(), cache);
        !s.ok())
      return s;
  // (mutable_assignment would give a ticket without one an empty one.)
  if (detail != TicketDetail::kFull || ticket.assignment().seq() == 0 ||
      HasSteps(ticket.assignment()))
    return Status::Ok();
  v1::Assignment& a = *ticket.mutable_assignment();
  auto raw = txn.Get(t.events, Be64(a.seq()));
  if (!raw.ok()) return raw.status();
  v1::Event event;
  if (!*raw || !ParseRecord(**raw, event) || !event.has_assigned() ||
      event.ticket_id() != ticket.id()) {
    NoteDamaged("event " + std::to_string(a.seq()));
    return Status::Ok();  // the decision is there; only its reasons are not
  }
  v1::Assignment* kept = event.mutable_assigned()->mutable_assignment();
  a.mutable_steps()->Swap(kept->mutable_steps());
  a.set_explanation(std::move(*kept->mutable_explanation()));
  return Status::Ok();
}

StatusOr<std::string> EventRecord(Txn& txn, const Tables& t,
                                  const v1::Event& event) {
  if (!event.has_ticket_created()) return event.SerializeAsString();
  const v1::Ticket& ticket = event.ticket_created().ticket();
  auto shared = ShareSnapshot(txn, t, ticket.service());
  if (!shared.ok()) return shared.status();
  // The summary's clocks are the filed ticket's (proto::Summarize), but
  // only left out when they are byte for byte the same.
  const bool sla = ticket.has_sla() && event.ticket().has_sla() &&
                   ticket.sla().SerializeAsString() ==
                       event.ticket().sla().SerializeAsString();
  if (!*shared && !sla) return event.SerializeAsString();
  v1::Event stored = event;
  v1::Ticket* kept = stored.mutable_ticket_created()->mutable_ticket();
  if (*shared) *kept->mutable_service() = Stub(ticket.service());
  if (sla) kept->clear_sla();
  return stored.SerializeAsString();
}

Status FillEvent(const Txn& txn, const Tables& t, v1::Event& event,
                 SnapshotCache* cache) {
  if (!event.has_ticket_created()) return Status::Ok();
  v1::Ticket& ticket = *event.mutable_ticket_created()->mutable_ticket();
  if (!ticket.has_sla() && event.ticket().has_sla())
    *ticket.mutable_sla() = event.ticket().sla();
  if (!ticket.has_service()) return Status::Ok();
  return FillSnapshot(txn, t, *ticket.mutable_service(), cache);
}

namespace {

using Rewrite = StatusOr<std::optional<std::string>>;

// `record` in place of `value`: nothing when they are the same.
Rewrite Unless(std::string_view value, StatusOr<std::string> record) {
  if (!record.ok()) return record.status();
  if (*record == value) return std::optional<std::string>();
  return std::optional<std::string>(std::move(*record));
}

// How far back in a ticket's history the upgrade looks for the Assigned
// event of its assignment; past it the ticket keeps the decision whole.
constexpr int kEventsSearched = 200;

// The seq of the Assigned event that recorded `a` for ticket `number` (its
// latest one, when it matches), or 0.
StatusOr<uint64_t> AssignedEventOf(const Txn& txn, const Tables& t,
                                   uint64_t number, const v1::Assignment& a) {
  auto cursor = Cursor::Open(txn, t.ticket_events);
  if (!cursor.ok()) return cursor.status();
  const std::string prefix = Be64(number);
  auto found = cursor->Seek(Be64(number + 1));
  if (!found.ok()) return found.status();
  auto moved = *found ? cursor->Prev() : cursor->Last();
  const std::string wanted = a.SerializeAsString();
  for (int i = 0; i < kEventsSearched; ++i, moved = cursor->Prev()) {
    if (!moved.ok()) return moved.status();
    if (!*moved || cursor->key().substr(0, 8) != prefix) return 0;
    const uint64_t seq = ReadBe64(cursor->key().substr(8));
    auto raw = txn.Get(t.events, Be64(seq));
    if (!raw.ok()) return raw.status();
    v1::Event event;
    if (!*raw || !ParseRecord(**raw, event) || !event.has_assigned()) continue;
    return event.assigned().assignment().SerializeAsString() == wanted ? seq
                                                                       : 0;
  }
  return 0;
}

// One write transaction of the upgrade: the records of `table` from key
// `from` on, at most `per_txn`; `compact` answers a record's new
// bytes, or nothing to leave it. Answers the key to go on from, or "" at
// the end.
template <typename Compact>
StatusOr<std::string> CompactSome(const Env& env, Table table,
                                  const std::string& from, size_t per_txn,
                                  Compact compact) {
  auto txn = Txn::BeginWrite(env);
  if (!txn.ok()) return txn.status();
  std::vector<std::pair<std::string, std::string>> records;
  std::string next;
  {
    auto cursor = Cursor::Open(*txn, table);
    if (!cursor.ok()) return cursor.status();
    for (auto moved = from.empty() ? cursor->First() : cursor->Seek(from);;
         moved = cursor->Next()) {
      if (!moved.ok()) return moved.status();
      if (!*moved) break;
      if (records.size() == per_txn) {
        next = cursor->key();
        break;
      }
      records.emplace_back(cursor->key(), cursor->value());
    }
  }  // the cursor ends before the writes
  // When some changed, those and their small neighbours are deleted, then
  // put back: a smaller record put over a bigger one leaves its page as
  // sparse as it was, while emptied pages are merged and the records put
  // back fill them again. A big record unchanged (a long comment, on pages
  // of its own) is left where it is.
  constexpr size_t kRepacked = 1024;
  std::vector<bool> changed(records.size(), false);
  bool any = false;
  for (size_t i = 0; i < records.size(); ++i) {
    auto compacted = compact(*txn, records[i].first, records[i].second);
    if (!compacted.ok()) return compacted.status();
    if (*compacted) {
      records[i].second = std::move(**compacted);
      changed[i] = any = true;
    }
  }
  auto moved = [&](size_t i) {
    return any && (changed[i] || records[i].second.size() <= kRepacked);
  };
  for (size_t i = 0; i < records.size(); ++i)
    if (moved(i))
      if (Status s = txn->Del(table, records[i].first); !s.ok()) return s;
  for (size_t i = 0; i < records.size(); ++i)
    if (moved(i))
      if (Status s = txn->Put(table, records[i].first, records[i].second);
          !s.ok())
        return s;
  if (Status s = txn->Commit(); !s.ok()) return s;
  return next;
}

// Runs CompactSome over the whole of `table`, growing the map when a
// transaction fills it.
template <typename Compact>
Status CompactTable(Env& env, Table table, const char* what,
                    size_t max_map_size, size_t per_txn, Compact compact) {
  std::string from;
  size_t batches = 0;
  while (true) {
    auto next = CompactSome(env, table, from, per_txn, compact);
    if (!next.ok()) {
      if (Status s = GrowMapOrExplain(env, next.status(), max_map_size);
          !s.ok())
        return s;
      continue;
    }
    if (next->empty()) return Status::Ok();
    from = std::move(*next);
    if (++batches % 25 == 0)
      spdlog::info("schema 10 upgrade: {} {} compacted so far",
                   batches * per_txn, what);
  }
}

}  // namespace

Status CompactRecords(Env& env, const Tables& t, size_t max_map_size,
                      size_t records_per_txn) {
  spdlog::info(
      "schema 10 upgrade: compacting the tickets and their created events");
  Status s = CompactTable(
      env, t.tickets, "tickets", max_map_size, records_per_txn,
      [&](Txn& txn, std::string_view key, std::string_view value) -> Rewrite {
        v1::Ticket ticket;
        if (!ParseRecord(value, ticket)) {
          NoteDamaged(TicketName(ReadBe64(key)));  // left for repair
          return std::optional<std::string>();
        }
        v1::Assignment& a = *ticket.mutable_assignment();
        if (a.seq() == 0 && HasSteps(a)) {
          auto seq = AssignedEventOf(txn, t, ReadBe64(key), a);
          if (!seq.ok()) return seq.status();
          if (*seq != 0) a.set_seq(*seq);
        }
        return Unless(value, TicketRecord(txn, t, ticket));
      });
  if (!s.ok()) return s;
  s = CompactTable(
      env, t.events, "events", max_map_size, records_per_txn,
      [&](Txn& txn, std::string_view key, std::string_view value) -> Rewrite {
        v1::Event event;
        if (!ParseRecord(value, event)) {
          NoteDamaged("event " + std::to_string(ReadBe64(key)));
          return std::optional<std::string>();
        }
        if (!event.has_ticket_created()) return std::optional<std::string>();
        return Unless(value, EventRecord(txn, t, event));
      });
  if (!s.ok()) return s;
  while (true) {
    auto txn = Txn::BeginWrite(env);
    if (!txn.ok()) return txn.status();
    s = txn->Del(t.meta, kCompactingRecords);
    if (s.ok()) s = txn->Commit();
    if (s.ok()) break;
    if (Status g = GrowMapOrExplain(env, s, max_map_size); !g.ok()) return g;
  }
  spdlog::info("schema 10 upgrade: done");
  return Status::Ok();
}

}  // namespace helpdesk::store
