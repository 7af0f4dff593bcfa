#include "daemon/store/erasure.h"

#include <utility>
#include <vector>

#include "daemon/store/comment_tables.h"
#include "daemon/store/record_check.h"

namespace helpdesk::store {
namespace {

// A text that held something holds the marker after; an empty one stays
// empty (it said nothing). Whether it changed.
bool Erase(std::string& text) {
  if (text.empty() || text == kErasedMarker) return false;
  text = kErasedMarker;
  return true;
}

// The reporter's account, wherever it names a person, becomes the marker.
bool EraseAccount(std::string& account, std::string_view reporter) {
  if (reporter.empty() || account != reporter) return false;
  account = kErasedMarker;
  return true;
}

// The keys of `table` that begin with `prefix`, with their values when
// `values` (copied: the cursor is closed before anything is written).
StatusOr<std::vector<std::pair<std::string, std::string>>> Range(
    const Txn& txn, Table table, const std::string& prefix, bool values) {
  std::vector<std::pair<std::string, std::string>> out;
  auto cursor = Cursor::Open(txn, table);
  if (!cursor.ok()) return cursor.status();
  for (auto moved = cursor->Seek(prefix);; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved || !cursor->key().starts_with(prefix)) return out;
    out.emplace_back(cursor->key(),
                     values ? std::string(cursor->value()) : std::string());
  }
}

}  // namespace

v1::Ticket ErasedTicket(const v1::Ticket& ticket,
                        const google::protobuf::Timestamp& at) {
  v1::Ticket out = ticket;
  Erase(*out.mutable_title());
  Erase(*out.mutable_description());
  out.clear_reporter();
  *out.mutable_personal_data_erased_at() = at;
  return out;
}

bool EraseEventText(v1::Event& event, std::string_view reporter) {
  bool changed = false;
  if (EraseAccount(*event.mutable_actor(), reporter)) {
    event.clear_client_address();
    changed = true;
  }
  // The ticket as the event left it (its summary) names the reporter too.
  if (event.has_ticket() && !event.ticket().reporter().empty()) {
    event.mutable_ticket()->clear_reporter();
    changed = true;
  }
  if (event.has_ticket_created()) {
    v1::Ticket* t = event.mutable_ticket_created()->mutable_ticket();
    changed |= Erase(*t->mutable_title());
    changed |= Erase(*t->mutable_description());
    if (!t->reporter().empty()) {
      t->clear_reporter();
      changed = true;
    }
  } else if (event.has_comment_added()) {
    auto* c = event.mutable_comment_added();
    changed |= Erase(*c->mutable_body());
    changed |= EraseAccount(*c->mutable_author(), reporter);
  } else if (event.has_status_changed()) {
    changed |= Erase(*event.mutable_status_changed()->mutable_reason());
  } else if (event.has_priority_changed()) {
    changed |= Erase(*event.mutable_priority_changed()->mutable_reason());
  }
  return changed;
}

bool EraseCommentText(v1::Comment& comment, std::string_view reporter) {
  bool changed = Erase(*comment.mutable_body());
  changed |= EraseAccount(*comment.mutable_author(), reporter);
  return changed;
}

StatusOr<ErasureCount> EraseTicketHistory(Txn& txn, const Tables& t,
                                          uint64_t number,
                                          std::string_view reporter) {
  ErasureCount count;
  const std::string prefix = Be64(number);
  auto events = Range(txn, t.ticket_events, prefix, /*values=*/false);
  if (!events.ok()) return events.status();
  for (const auto& [key, unused] : *events) {
    if (key.size() != 16) continue;
    const std::string seq = key.substr(8);
    auto raw = txn.Get(t.events, seq);
    if (!raw.ok()) return raw.status();
    if (!*raw) continue;  // the checker reports a dangling entry
    v1::Event event;
    if (!ParseRecord(**raw, event)) {
      NoteDamaged("event " + std::to_string(ReadBe64(seq)));
      continue;
    }
    if (!EraseEventText(event, reporter)) continue;
    if (Status s = txn.Put(t.events, seq, event.SerializeAsString()); !s.ok())
      return s;
    ++count.events;
  }
  // The comment records, each as its event now reads (CommentOf of the
  // rewritten event gives the same record), and also those whose event a
  // repair took away: they are the only copy of that comment.
  if (t.ticket_comments.dbi == 0) return count;
  auto comments = Range(txn, t.ticket_comments, prefix, /*values=*/true);
  if (!comments.ok()) return comments.status();
  for (const auto& [key, bytes] : *comments) {
    v1::Comment comment;
    if (!ParseRecord(bytes, comment)) {
      NoteDamaged(CommentName(number, ReadBe64(key.substr(8))));
      continue;
    }
    if (!EraseCommentText(comment, reporter)) continue;
    if (Status s = txn.Put(t.ticket_comments, key, comment.SerializeAsString());
        !s.ok())
      return s;
    ++count.comments;
  }
  return count;
}

}  // namespace helpdesk::store
