#include "daemon/store/erasure.h"

#include <algorithm>
#include <utility>
#include <vector>

#include "daemon/store/comment_tables.h"
#include "daemon/store/packing.h"
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

// The account of one whose case it was (the reporter, a follower),
// wherever it names a person, becomes the marker.
bool EraseAccount(std::string& account,
                  const std::vector<std::string>& people) {
  if (account.empty() ||
      std::find(people.begin(), people.end(), account) == people.end())
    return false;
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
  out.clear_followers();  // who followed it says whose case it was
  *out.mutable_personal_data_erased_at() = at;
  return out;
}

bool EraseEventText(v1::Event& event, const std::vector<std::string>& people) {
  bool changed = false;
  if (EraseAccount(*event.mutable_actor(), people)) {
    event.clear_client_address();
    changed = true;
  }
  // The ticket as the event left it (its summary) names the reporter too.
  if (event.has_ticket() && !event.ticket().reporter().empty()) {
    event.mutable_ticket()->clear_reporter();
    changed = true;
  }
  if (event.has_ticket() && event.ticket().followers_size() > 0) {
    event.mutable_ticket()->clear_followers();
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
    // Its summary is made from it when stored without one (records.h).
    if (t->followers_size() > 0) {
      t->clear_followers();
      changed = true;
    }
  } else if (event.has_comment_added()) {
    auto* c = event.mutable_comment_added();
    changed |= Erase(*c->mutable_body());
    if (EraseAccount(*c->mutable_author(), people)) {
      c->clear_author_name();
      changed = true;
    }
  } else if (event.has_follower_added() || event.has_follower_removed()) {
    auto* f = event.has_follower_added() ? event.mutable_follower_added()
                                         : event.mutable_follower_removed();
    changed |= Erase(*f->mutable_account());
  } else if (event.has_status_changed()) {
    changed |= Erase(*event.mutable_status_changed()->mutable_reason());
  } else if (event.has_priority_changed()) {
    changed |= Erase(*event.mutable_priority_changed()->mutable_reason());
  }
  return changed;
}

bool EraseCommentText(v1::Comment& comment,
                      const std::vector<std::string>& people) {
  bool changed = Erase(*comment.mutable_body());
  if (EraseAccount(*comment.mutable_author(), people)) {
    comment.clear_author_name();
    changed = true;
  }
  return changed;
}

StatusOr<ErasureCount> EraseTicketHistory(Txn& txn, const Tables& t,
                                          uint64_t number,
                                          std::vector<std::string> people) {
  ErasureCount count;
  const std::string prefix = Be64(number);
  auto keys = Range(txn, t.ticket_events, prefix, /*values=*/false);
  if (!keys.ok()) return keys.status();
  // Read first: whoever ever followed the ticket (a follower removed
  // since) is named in the history too, and erased with the rest.
  std::vector<std::pair<std::string, v1::Event>> events;
  for (const auto& [key, unused] : *keys) {
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
    for (const auto* f : {&event.follower_added(), &event.follower_removed()})
      if (!f->account().empty() &&
          std::find(people.begin(), people.end(), f->account()) == people.end())
        people.push_back(f->account());
    events.emplace_back(seq, std::move(event));
  }
  for (auto& [seq, event] : events) {
    if (!EraseEventText(event, people)) continue;
    if (Status s = txn.Put(t.events, seq, Pack(event.SerializeAsString()));
        !s.ok())
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
    if (!EraseCommentText(comment, people)) continue;
    if (Status s = txn.Put(t.ticket_comments, key, comment.SerializeAsString());
        !s.ok())
      return s;
    ++count.comments;
  }
  return count;
}

}  // namespace helpdesk::store
