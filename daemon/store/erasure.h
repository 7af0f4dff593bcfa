#pragma once
// Erasure of a ticket's personal text (README, "Retention of personal
// data"): the one place where stored events and comment records are
// rewritten. The log is otherwise append-only; only the retention sweep
// calls this, inside the write that also saves the erased ticket
// (WriteContext::Save) and appends its PersonalDataErased event, so the
// erasure is itself recorded.
//
// What counts as personal text: a ticket's title and description (they
// become kErasedMarker, unless empty) and its reporter (cleared); in its
// events the same fields of TicketCreated's ticket, the bodies of
// CommentAdded and the reasons of StatusChanged and PriorityChanged (a
// non-empty one becomes kErasedMarker); the reporter's account wherever it
// stands as an event's actor or a comment's author (kErasedMarker), and the
// client address of those events (cleared). Everything else stays: ids,
// municipality, service, location, priority, status, timestamps, SLA
// clocks, assignment and counts, so reports read the same after.
//
// Free functions over a Txn; they never keep a view past the transaction.
// Thread-safety: as the Txn they are given.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::store {

inline constexpr std::string_view kErasedMarker = "[slettet]";

// `ticket` with its personal text erased and personal_data_erased_at set
// to `at`; nothing else changes (the caller sets version).
v1::Ticket ErasedTicket(const v1::Ticket& ticket,
                        const google::protobuf::Timestamp& at);

// Erases the personal text of `event`, a past event of a ticket, and the
// accounts whose case it was (`people`: the reporter and whoever followed
// the ticket) where they name a person; whether anything changed.
bool EraseEventText(v1::Event& event, const std::vector<std::string>& people);

// Erases the personal text of `comment` likewise; whether anything changed.
bool EraseCommentText(v1::Comment& comment,
                      const std::vector<std::string>& people);

struct ErasureCount {
  uint32_t events = 0;    // events rewritten
  uint32_t comments = 0;  // comment records rewritten
};

// Rewrites every stored event of ticket `number` (its ticket_events) and
// every comment record of it (ticket_comments) with the personal text
// erased; records with nothing left to erase are not written. An event or
// record that cannot be read is left as it is and named (NoteDamaged):
// `helpdeskctl repair` quarantines it. The ticket record itself is the
// caller's, through WriteContext::Save. `people`: the reporter and the
// ticket's followers now; anyone its history shows following it once is
// added.
StatusOr<ErasureCount> EraseTicketHistory(Txn& txn, const Tables& t,
                                          uint64_t number,
                                          std::vector<std::string> people);

}  // namespace helpdesk::store
