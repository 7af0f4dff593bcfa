#pragma once
// A ticket's comments, each its own record:
//
//   ticket_comments   BE64 ticket number . BE64 seq -> Comment
//
// `seq` is the CommentAdded event that added it, so a ticket's comments
// sort oldest first, and its latest N are read by a reverse cursor from
// the end of its range: O(N), never O(history). PutEvent stores the record
// with every CommentAdded event, in the same transaction as the ticket and
// the event (WriteContext::Save), so a comment costs the same whether it is
// the 1st or the 10,000th. The events stay the truth: the table is rebuilt
// from them on the upgrade to schema 5 and by `helpdeskctl repair`.
//
// Free functions over a Txn; they never keep a view past the transaction.
// Thread-safety: as the Txn they are given.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::store {

// The ticket_comments key of comment `seq` of ticket `number`.
std::string CommentKey(uint64_t number, uint64_t seq);
// "comment 42 of ticket 17": how messages name a comment record.
std::string CommentName(uint64_t number, uint64_t seq);
// The comment a CommentAdded event (its seq set) adds.
v1::Comment CommentOf(const v1::Event& event);

// Stores the comment `event` adds (PutEvent calls it for every event with
// comment_added and a ticket).
Status PutComment(Txn& txn, const Tables& t, const v1::Event& event);

struct CommentPage {
  std::vector<v1::Comment> comments;    // oldest first
  std::optional<uint64_t> next_before;  // older ones remain: pass it back
};

// The latest `limit` comments of ticket `number` with seq below `before`
// (0: from the newest), oldest first among them. A record that does not
// parse is skipped (NoteDamaged names it) and does not count.
StatusOr<CommentPage> ListComments(const Txn& txn, const Tables& t,
                                   uint64_t number, uint64_t before,
                                   size_t limit);

// Makes ticket_comments what the events give: a record for every
// CommentAdded event of a ticket, and none besides, except that a record
// whose event was moved to the quarantine (or cannot be read) is kept: it
// is the only copy left of that comment. One scan of the log, in pages, so
// no cursor is open while it writes (the schema upgrade to version 5 and
// helpdeskctl repair).
Status RebuildComments(Txn& txn, const Tables& t);

// Whether `event`, as stored at `seq`, could have been a comment once: a
// placeholder repair put where an unreadable event was.
bool IsQuarantinedEvent(const v1::Event& event);

}  // namespace helpdesk::store
