#include "daemon/store/comment_tables.h"

#include <algorithm>
#include <limits>

#include "daemon/store/record_check.h"
#include "daemon/store/records.h"

namespace helpdesk::store {
namespace {

constexpr size_t kKeySize = 16;

// Whether the record under `key` has what the log says at its seq: its
// CommentAdded event, or an event that can no longer say (unreadable, or
// the placeholder of one a repair quarantined).
StatusOr<bool> Belongs(const Txn& txn, const Tables& t, std::string_view key) {
  if (key.size() != kKeySize) return false;
  auto raw = txn.Get(t.events, std::string(key.substr(8)));
  if (!raw.ok()) return raw.status();
  if (!*raw) return false;
  v1::Event event;
  if (!ParseRecord(**raw, event)) return true;
  if (IsQuarantinedEvent(event)) return true;
  auto number = TicketNumberOf(event);
  return event.has_comment_added() && number &&
         CommentKey(*number, event.seq()) == key;
}

}  // namespace

std::string CommentKey(uint64_t number, uint64_t seq) {
  return Be64(number) + Be64(seq);
}

std::string CommentName(uint64_t number, uint64_t seq) {
  return "comment " + std::to_string(seq) + " of " + TicketName(number);
}

v1::Comment CommentOf(const v1::Event& event) {
  v1::Comment c;
  c.set_seq(event.seq());
  c.set_author(event.comment_added().author());
  c.set_author_name(event.comment_added().author_name());
  c.set_body(event.comment_added().body());
  c.set_visibility(event.comment_added().visibility());
  *c.mutable_created_at() = event.at();
  return c;
}

bool IsQuarantinedEvent(const v1::Event& event) {
  return event.has_record_quarantined() &&
         event.record_quarantined().table() == "events";
}

Status PutComment(Txn& txn, const Tables& t, const v1::Event& event) {
  auto number = TicketNumberOf(event);
  if (!number)
    return Status::Internal("a comment event names no ticket (event " +
                            std::to_string(event.seq()) + ")");
  return txn.Put(t.ticket_comments, CommentKey(*number, event.seq()),
                 CommentOf(event).SerializeAsString());
}

StatusOr<CommentPage> ListComments(const Txn& txn, const Tables& t,
                                   uint64_t number, uint64_t before,
                                   size_t limit) {
  limit = std::max<size_t>(limit, 1);
  const std::string prefix = Be64(number);
  auto cursor = Cursor::Open(txn, t.ticket_comments);
  if (!cursor.ok()) return cursor.status();
  // On the last key below prefix+before (or the end of the ticket's range).
  auto found = cursor->Seek(
      prefix + Be64(before ? before : std::numeric_limits<uint64_t>::max()));
  if (!found.ok()) return found.status();
  auto moved = *found ? cursor->Prev() : cursor->Last();
  CommentPage page;
  uint64_t last = 0;  // the last seq read, kept or skipped
  while (true) {
    if (!moved.ok()) return moved.status();
    std::string_view key = cursor->key();
    if (!*moved || key.size() != kKeySize || !key.starts_with(prefix)) break;
    const uint64_t seq = ReadBe64(key.substr(8));
    if (page.comments.size() == limit) {  // there are older ones
      page.next_before = last;
      break;
    }
    v1::Comment comment;
    if (ParseRecord(cursor->value(), comment))
      page.comments.push_back(std::move(comment));
    else
      NoteDamaged(CommentName(number, seq));  // the page goes on without it
    last = seq;
    moved = cursor->Prev();
  }
  std::reverse(page.comments.begin(), page.comments.end());
  return page;
}

Status RebuildComments(Txn& txn, const Tables& t) {
  // Records the log does not give go first; found with the cursor open,
  // deleted after it closes.
  std::vector<std::string> stray;
  {
    auto cursor = Cursor::Open(txn, t.ticket_comments);
    if (!cursor.ok()) return cursor.status();
    for (auto moved = cursor->First();; moved = cursor->Next()) {
      if (!moved.ok()) return moved.status();
      if (!*moved) break;
      auto belongs = Belongs(txn, t, cursor->key());
      if (!belongs.ok()) return belongs.status();
      if (!*belongs) stray.emplace_back(cursor->key());
    }
  }
  for (const auto& key : stray) {
    if (Status s = txn.Del(t.ticket_comments, key); !s.ok()) return s;
  }
  // Then every comment the log holds, a page of events at a time (each
  // page parsed and copied before anything is written).
  constexpr size_t kPage = 1000;
  uint64_t after = 0;
  while (true) {
    auto page = ListEvents(txn, t, after, kPage);
    if (!page.ok()) return page.status();
    for (const auto& e : page->events) {
      if (!e.has_comment_added() || !TicketNumberOf(e)) continue;
      if (Status s = PutComment(txn, t, e); !s.ok()) return s;
    }
    if (!page->next_after) return Status::Ok();
    after = *page->next_after;
  }
}

}  // namespace helpdesk::store
