#include "daemon/store/records.h"

#include <spdlog/spdlog.h>

#include <charconv>
#include <memory>
#include <optional>
#include <utility>
#include <vector>

#include "daemon/store/packing.h"
#include "daemon/store/record_check.h"
#include "proto/events.h"

namespace helpdesk::store {
namespace {

// Calls `swap(true)` when made and `swap(false)` when it goes: parts of a
// message swapped out for locals while it is serialized as stored, and
// back, however the serialization ends. `swap` must not allocate, so that
// it cannot throw (a throw from a destructor ends the process): what it
// swaps in is made before.
template <typename Swap>
class SwappedWhileAlive {
 public:
  explicit SwappedWhileAlive(Swap swap) : swap_(std::move(swap)) {
    swap_(true);
  }
  ~SwappedWhileAlive() { swap_(false); }
  SwappedWhileAlive(const SwappedWhileAlive&) = delete;
  SwappedWhileAlive& operator=(const SwappedWhileAlive&) = delete;

 private:
  Swap swap_;
};

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

// The end of a decision's explanation that its steps give: their notes in
// one sentence, as dispatch::Explain ends it. Frozen here (version 1): a
// stored explanation without this end is read back through it, so a new
// wording in dispatch must not change it. An explanation that does not
// end with it is stored whole (ExplanationWithoutSteps).
std::string StepsSentence(const v1::Assignment& a) {
  const bool people = a.trigger() == v1::ASSIGNMENT_TRIGGER_MANUAL ||
                      a.trigger() == v1::ASSIGNMENT_TRIGGER_TAKEN;
  std::string notes;
  for (const auto& s : a.steps()) {
    if (people && s.kept() != 0) continue;  // only what the rules object to
    if (!notes.empty()) notes += "; ";
    notes += s.note();
  }
  if (notes.empty()) return notes;
  return (people ? "Against the rules: " : "") + notes + ".";
}

// `a`'s explanation without the end its steps give, as it is stored (with
// explanation_continues); nullopt when it does not end with it (it is
// stored whole).
std::optional<std::string> ExplanationWithoutSteps(const v1::Assignment& a) {
  if (a.explanation_continues()) return std::nullopt;
  const std::string end = StepsSentence(a);
  if (end.empty() || !a.explanation().ends_with(end)) return std::nullopt;
  return a.explanation().substr(0, a.explanation().size() - end.size());
}

// Puts back what ExplanationWithoutSteps left out.
void FillSteps(v1::Assignment& a) {
  if (!a.explanation_continues()) return;
  a.mutable_explanation()->append(StepsSentence(a));
  a.clear_explanation_continues();
}

// What a ticket never changes, as an event's summary of it carries it:
// id, municipality, service, reporter (an erasure clears it in the ticket
// and every summary at once) and when it was filed.
bool SameUnchanging(const v1::TicketSummary& a, const v1::TicketSummary& b) {
  return a.id() == b.id() && a.municipality() == b.municipality() &&
         a.service_id() == b.service_id() &&
         a.service_name() == b.service_name() && a.reporter() == b.reporter() &&
         a.has_created_at() == b.has_created_at() &&
         a.created_at().seconds() == b.created_at().seconds() &&
         a.created_at().nanos() == b.created_at().nanos();
}

void ClearUnchanging(v1::TicketSummary& s) {
  s.clear_id();
  s.clear_municipality();
  s.clear_service_id();
  s.clear_service_name();
  s.clear_reporter();
  s.clear_created_at();
}

void CopyUnchanging(const v1::TicketSummary& from, v1::TicketSummary& s) {
  s.set_id(from.id());
  s.set_municipality(from.municipality());
  s.set_service_id(from.service_id());
  s.set_service_name(from.service_name());
  s.set_reporter(from.reporter());
  if (from.has_created_at()) *s.mutable_created_at() = from.created_at();
}

// Ticket `number` as filed, from its TicketCreated event (the first of
// its history); nullopt when that cannot be read either.
StatusOr<std::optional<v1::Ticket>> FiledTicket(const Txn& txn, const Tables& t,
                                                uint64_t number) {
  auto cursor = Cursor::Open(txn, t.ticket_events);
  if (!cursor.ok()) return cursor.status();
  const std::string prefix = Be64(number);
  auto found = cursor->Seek(prefix);
  if (!found.ok()) return found.status();
  if (!*found || cursor->key().size() != 16 ||
      !cursor->key().starts_with(prefix))
    return std::optional<v1::Ticket>();
  auto raw = txn.Get(t.events, std::string(cursor->key().substr(8)));
  if (!raw.ok()) return raw.status();
  v1::Event created;
  if (!*raw || !ParseRecord(**raw, created) || !created.has_ticket_created())
    return std::optional<v1::Ticket>();
  return std::optional<v1::Ticket>(
      std::move(*created.mutable_ticket_created()->mutable_ticket()));
}

// The summary of the ticket of `event`, of which only what never changes
// is used (SameUnchanging, CopyUnchanging), from its record; with
// `or_as_filed`, from its TicketCreated event when the record cannot be read (a
// repair took it out), so that its history still says whose it was. nullopt
// when neither can be read.
StatusOr<std::optional<v1::TicketSummary>> Unchanging(const Txn& txn,
                                                      const Tables& t,
                                                      const v1::Event& event,
                                                      SnapshotCache* cache,
                                                      bool or_as_filed) {
  const auto number = TicketNumberOf(event);
  if (!number) return std::optional<v1::TicketSummary>();
  auto raw = txn.Get(t.tickets, Be64(*number));
  if (!raw.ok()) return raw.status();
  std::optional<v1::Ticket> ticket(std::in_place);
  if (!*raw || !ParseRecord(**raw, *ticket)) {
    if (!or_as_filed) return std::optional<v1::TicketSummary>();
    auto filed = FiledTicket(txn, t, *number);
    if (!filed.ok()) return filed.status();
    ticket = std::move(*filed);
    if (!ticket) return std::optional<v1::TicketSummary>();
  }
  if (ticket->has_service())
    if (Status s = FillSnapshot(txn, t, *ticket->mutable_service(), cache);
        !s.ok())
      return s;
  std::optional<v1::TicketSummary> out(std::in_place);
  proto::Summarize(nullptr, *ticket, *out);
  return out;
}

}  // namespace

std::optional<uint64_t> TicketNumberOf(const v1::Event& event) {
  const std::string& id = event.ticket_id();
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(id.data(), id.data() + id.size(), n);
  if (id.empty() || ec != std::errc() || end != id.data() + id.size())
    return std::nullopt;
  return n;
}

StatusOr<std::string> TicketRecord(Txn& txn, const Tables& t, v1::Ticket& now) {
  auto shared = ShareSnapshot(txn, t, now.service());
  if (!shared.ok()) return shared.status();
  const bool steps = now.assignment().seq() != 0 && HasSteps(now.assignment());
  const bool comments =
      now.comments_size() != 0 || !now.comments_next().empty();
  if (!*shared && !steps && !comments) return Pack(now.SerializeAsString());
  // What is stored elsewhere is swapped out for a stub or nothing while
  // `now` is serialized, and back: the ticket is not copied.
  v1::ServiceSnapshot service;
  if (*shared) service = Stub(now.service());
  google::protobuf::RepeatedPtrField<v1::DispatchStep> step_list;
  std::string explanation;
  // Comments are never stored with the ticket: each is its own record.
  google::protobuf::RepeatedPtrField<v1::Comment> comment_list;
  std::string comments_next;
  // An empty string's first mutable_ allocates; it is done here, where a
  // throw changes nothing (an empty string is not serialized).
  if (steps) now.mutable_assignment()->mutable_explanation();
  now.mutable_comments_next();
  const SwappedWhileAlive aside([&](bool) {
    if (*shared) now.mutable_service()->Swap(&service);
    if (steps) {
      now.mutable_assignment()->mutable_steps()->Swap(&step_list);
      now.mutable_assignment()->mutable_explanation()->swap(explanation);
    }
    now.mutable_comments()->Swap(&comment_list);
    now.mutable_comments_next()->swap(comments_next);
  });
  return Pack(now.SerializeAsString());
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
  FillSteps(*kept);
  a.mutable_steps()->Swap(kept->mutable_steps());
  a.set_explanation(std::move(*kept->mutable_explanation()));
  return Status::Ok();
}

StatusOr<std::string> EventRecord(Txn& txn, const Tables& t, v1::Event& event,
                                  const v1::Ticket* ticket) {
  // What is left out is made first, then swapped in while the event is
  // serialized, and back: the event is not copied. Each is set or not.
  std::optional<v1::TicketSummary> summary;  // for the event's summary
  bool leave_out_sla = false;                // the filed ticket's clocks
  std::unique_ptr<v1::TicketSla> sla;
  std::optional<v1::ServiceSnapshot> service;  // the filed ticket's stub
  std::optional<std::string> explanation;      // the decision's, shortened
  bool had_continues = false;
  if (event.has_ticket_created()) {
    const v1::Ticket& filed = event.ticket_created().ticket();
    auto shared = ShareSnapshot(txn, t, filed.service());
    if (!shared.ok()) return shared.status();
    // The summary of a new ticket is the filed ticket's (proto::Summarize),
    // but only left out when it is byte for byte the same; else, as in
    // schema 10, the ticket leaves out the clocks the summary holds.
    v1::TicketSummary whole;
    proto::Summarize(nullptr, filed, whole);
    if (event.has_ticket() &&
        event.ticket().SerializeAsString() == whole.SerializeAsString()) {
      summary.emplace();  // the summary stays, empty: the mark
    } else if (filed.has_sla() && event.ticket().has_sla() &&
               filed.sla().SerializeAsString() ==
                   event.ticket().sla().SerializeAsString()) {
      leave_out_sla = true;
    }
    if (*shared) service = Stub(filed.service());
  } else if (event.has_ticket() && !event.ticket().id().empty()) {
    std::optional<v1::TicketSummary> unchanging;
    if (ticket != nullptr && ticket->id() == event.ticket_id()) {
      unchanging.emplace();
      proto::Summarize(nullptr, *ticket, *unchanging);
    } else {
      auto read = Unchanging(txn, t, event, nullptr, /*or_as_filed=*/false);
      if (!read.ok()) return read.status();
      unchanging = std::move(*read);
    }
    if (unchanging && SameUnchanging(event.ticket(), *unchanging)) {
      summary = event.ticket();
      ClearUnchanging(*summary);
    }
  }
  if (event.has_assigned()) {
    const v1::Assignment& a = event.assigned().assignment();
    explanation = ExplanationWithoutSteps(a);
    had_continues = a.has_explanation_continues();
  }
  const SwappedWhileAlive aside([&](bool out) {
    if (summary) event.mutable_ticket()->Swap(&*summary);
    if (service)
      event.mutable_ticket_created()->mutable_ticket()->mutable_service()->Swap(
          &*service);
    if (leave_out_sla) {
      v1::Ticket& filed = *event.mutable_ticket_created()->mutable_ticket();
      if (out)
        sla.reset(filed.release_sla());
      else
        filed.set_allocated_sla(sla.release());
    }
    if (explanation) {
      v1::Assignment& a = *event.mutable_assigned()->mutable_assignment();
      a.mutable_explanation()->swap(*explanation);
      if (out)
        a.set_explanation_continues(true);
      else if (had_continues)
        a.set_explanation_continues(false);
      else
        a.clear_explanation_continues();
    }
  });
  return Pack(event.SerializeAsString());
}

Status FillEvent(const Txn& txn, const Tables& t, v1::Event& event,
                 EventFillCache* cache) {
  SnapshotCache* snapshots = cache ? &cache->snapshots : nullptr;
  if (event.has_assigned())
    FillSteps(*event.mutable_assigned()->mutable_assignment());
  // An empty id marks a summary stored without what the ticket gives.
  const bool summary = event.has_ticket() && event.ticket().id().empty();
  if (event.has_ticket_created()) {
    v1::Ticket& ticket = *event.mutable_ticket_created()->mutable_ticket();
    if (!ticket.has_sla() && event.ticket().has_sla())
      *ticket.mutable_sla() = event.ticket().sla();
    if (ticket.has_service())
      if (Status s = FillSnapshot(txn, t, *ticket.mutable_service(), snapshots);
          !s.ok())
        return s;
    if (summary) proto::Summarize(nullptr, ticket, *event.mutable_ticket());
    // What never changes, for the ticket's events later in this listing
    // (its Assigned event follows at once): the ticket as filed has it.
    if (cache != nullptr && event.has_ticket() && !event.ticket_id().empty())
      cache->Remember(event.ticket_id(), event.ticket());
    return Status::Ok();
  }
  if (!summary || event.ticket_id().empty()) return Status::Ok();
  const v1::TicketSummary* from = nullptr;
  if (cache != nullptr)
    if (auto it = cache->tickets.find(event.ticket_id());
        it != cache->tickets.end())
      from = &it->second;
  std::optional<v1::TicketSummary> read;
  if (from == nullptr) {
    auto unchanging =
        Unchanging(txn, t, event, snapshots, /*or_as_filed=*/true);
    if (!unchanging.ok()) return unchanging.status();
    read = std::move(*unchanging);
    if (!read) {
      // Neither the ticket's record nor its created event can be read
      // (the check names them): the summary says what the event changed,
      // and whose it is.
      event.mutable_ticket()->set_id(event.ticket_id());
      return Status::Ok();
    }
    from = &*read;
    if (cache != nullptr)
      from = &cache->Remember(event.ticket_id(), std::move(*read));
  }
  CopyUnchanging(*from, *event.mutable_ticket());
  return Status::Ok();
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
    FillSteps(*event.mutable_assigned()->mutable_assignment());
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
      spdlog::info("upgrade: {} {} compacted so far", batches * per_txn, what);
  }
}

}  // namespace

Status CompactRecords(Env& env, const Tables& t, size_t max_map_size,
                      size_t records_per_txn) {
  spdlog::info("upgrade: compacting the tickets and their events");
  Status s = CompactTable(
      env, t.tickets, "tickets", max_map_size, records_per_txn,
      [&](Txn& txn, std::string_view key, std::string_view value) -> Rewrite {
        v1::Ticket ticket;
        if (!ParseRecord(value, ticket)) {
          NoteDamaged(TicketName(ReadBe64(key)));  // left for repair
          return std::optional<std::string>();
        }
        // Not mutable_assignment() on a ticket without a decision: that
        // would give it an empty one.
        if (ticket.has_assignment() && ticket.assignment().seq() == 0 &&
            HasSteps(ticket.assignment())) {
          v1::Assignment& a = *ticket.mutable_assignment();
          auto seq = AssignedEventOf(txn, t, ReadBe64(key), a);
          if (!seq.ok()) return seq.status();
          if (*seq != 0) a.set_seq(*seq);
        }
        return Unless(value, TicketRecord(txn, t, ticket));
      });
  if (!s.ok()) return s;
  // Read back whole, then stored as now: what the record already leaves
  // out stays out, and an event already compact is left where it is.
  EventFillCache cache;
  s = CompactTable(
      env, t.events, "events", max_map_size, records_per_txn,
      [&](Txn& txn, std::string_view key, std::string_view value) -> Rewrite {
        v1::Event event;
        if (!ParseRecord(value, event)) {
          NoteDamaged("event " + std::to_string(ReadBe64(key)));
          return std::optional<std::string>();
        }
        if (Status f = FillEvent(txn, t, event, &cache); !f.ok()) return f;
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
  spdlog::info("upgrade: records compacted");
  return Status::Ok();
}

}  // namespace helpdesk::store
