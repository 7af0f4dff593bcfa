#include "daemon/store/quarantine.h"

#include <google/protobuf/util/time_util.h>

#include "daemon/store/comment_tables.h"
#include "daemon/store/record_check.h"
#include "daemon/store/report_cells.h"
#include "daemon/store/sla_index.h"
#include "daemon/store/staff_tables.h"
#include "daemon/store/ticket_words.h"
#include "proto/helpdesk.pb.h"

namespace helpdesk::store {
namespace {

using google::protobuf::Timestamp;
using google::protobuf::util::TimeUtil;

StatusOr<Table> TableNamed(const Tables& t, const std::string& name) {
  if (name == "tickets") return t.tickets;
  if (name == "events") return t.events;
  if (name == "municipalities") return t.municipalities;
  if (name == "catalogue") return t.catalogue;
  if (name == "staff") return t.staff;
  if (name == "ticket_comments") return t.ticket_comments;
  // A ticket whose snapshot is moved aside keeps its service id and
  // version (records.h).
  if (name == "service_snapshots" && t.service_snapshots.dbi != 0)
    return t.service_snapshots;
  return Status::Internal("no table '" + name + "' to repair");
}

// The instant of the last readable event before `seq` (the epoch if none):
// what a placeholder in the log's middle carries, so `at` never goes back.
StatusOr<Timestamp> InstantBefore(const Txn& txn, const Tables& t,
                                  uint64_t seq) {
  auto cursor = Cursor::Open(txn, t.events);
  if (!cursor.ok()) return cursor.status();
  auto found = cursor->Seek(Be64(seq));
  if (!found.ok()) return found.status();
  for (auto moved = *found ? cursor->Prev() : cursor->Last();;
       moved = cursor->Prev()) {
    if (!moved.ok()) return moved.status();
    if (!*moved) return Timestamp();
    v1::Event event;
    if (ParseRecord(cursor->value(), event)) return event.at();
  }
}

v1::Event QuarantineEvent(const Unreadable& u, const Timestamp& at,
                          const std::string& actor) {
  v1::Event event;
  *event.mutable_at() = at;
  event.set_actor(actor);
  event.set_request_id("helpdeskctl-repair");
  auto* q = event.mutable_record_quarantined();
  q->set_table(u.table);
  q->set_key(u.name);
  q->set_reason(u.why);
  if (u.table == "tickets") event.set_ticket_id(u.name);
  return event;
}

Status Quarantine(Txn& txn, const Tables& t, const Unreadable& u,
                  const Timestamp& now, const std::string& actor,
                  uint64_t& last_seq, Timestamp& last_at) {
  auto table = TableNamed(t, u.table);
  if (!table.ok()) return table.status();
  auto raw = txn.Get(*table, u.key);
  if (!raw.ok()) return raw.status();
  if (!*raw) return Status::Ok();  // gone meanwhile
  v1::QuarantinedRecord record;
  record.set_table(u.table);
  record.set_key(u.key);
  record.set_raw(std::string(**raw));  // copied before the writes below
  *record.mutable_at() = now;
  record.set_reason(u.why);
  if (Status s = txn.Put(t.quarantine, u.table + "/" + u.name,
                         record.SerializeAsString());
      !s.ok())
    return s;
  if (u.table == "events") {
    // Replaced in place: the log keeps its sequence, and says what was
    // there.
    const uint64_t seq = ReadBe64(u.key);
    auto at = InstantBefore(txn, t, seq);
    if (!at.ok()) return at.status();
    v1::Event placeholder = QuarantineEvent(u, *at, actor);
    placeholder.set_seq(seq);
    return txn.Put(t.events, u.key, placeholder.SerializeAsString());
  }
  if (u.table == "tickets") {
    if (Status s = KeepTicketNumberTaken(txn, t, ReadBe64(u.key)); !s.ok())
      return s;
  }
  if (Status s = txn.Del(*table, u.key); !s.ok()) return s;
  v1::Event event = QuarantineEvent(u, last_at, actor);
  event.set_seq(++last_seq);
  if (Status s = CheckStrings(event, "event"); !s.ok()) return s;
  return PutEvent(txn, t, event);
}

}  // namespace

StatusOr<RepairOutcome> Repair(Txn& txn, const Tables& t, const Timestamp& now,
                               const std::string& actor) {
  RepairOutcome out;
  auto before = CheckConsistency(txn, t);
  if (!before.ok()) return before.status();
  auto last_seq = LastEventSeq(txn, t);
  if (!last_seq.ok()) return last_seq.status();
  auto last_at = InstantBefore(txn, t, *last_seq + 1);
  if (!last_at.ok()) return last_at.status();
  Timestamp at = *last_at > now ? *last_at : now;
  uint64_t seq = *last_seq;
  for (const Unreadable& u : before->unreadable) {
    if (Status s = Quarantine(txn, t, u, now, actor, seq, at); !s.ok())
      return s;
    out.quarantined.push_back(u);
  }
  auto middle = CheckConsistency(txn, t);
  if (!middle.ok()) return middle.status();
  out.findings_before = middle->findings;
  if (!middle->findings.empty()) {
    if (Status s = RebuildTicketIndex(txn, t); !s.ok()) return s;
    if (Status s = RebuildLoads(txn, t); !s.ok()) return s;
    if (Status s = RebuildSlaDue(txn, t); !s.ok()) return s;
    if (Status s = RebuildComments(txn, t); !s.ok()) return s;
    if (Status s = RebuildReportCells(txn, t); !s.ok()) return s;
    if (Status s = RebuildTicketWords(txn, t); !s.ok()) return s;
    out.rebuilt = true;
  }
  auto after = CheckConsistency(txn, t);
  if (!after.ok()) return after.status();
  out.after = std::move(*after);
  return out;
}

}  // namespace helpdesk::store
