#pragma once
// Who may see and change which ticket, in the users' words (README,
// "Who may do what"). The route table says which roles may call a route at
// all; these are the rules inside a route, read by the desk:
// - IT staff (agents, dispatchers) see every ticket of the region;
// - an employee sees only the tickets they reported or follow, in their
//   own municipality; another's is "not found", never "forbidden", so that
//   ticket numbers tell nothing;
// - an internal note reaches staff only, on every route;
// - what an employee may write is an allow-list: they file tickets for
//   their own municipality as themselves, comment in public, and on a
//   resolved ticket of theirs confirm it (closed) or reopen it;
// - the actor is always the caller: a body naming another is refused.
// Pure; any thread.

#include <string_view>

#include "daemon/auth/principal.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::auth {

// A ticket is seen by staff, and by the employee who reported it or
// follows it (Ticket.followers), in their own municipality.
bool MaySee(const Principal& p, const v1::Ticket& ticket);
// Whether `p` is one of the ticket's followers.
bool Follows(const Principal& p, const v1::Ticket& ticket);
bool MaySee(const Principal& p, const v1::Comment& comment);
// An event of a ticket `p` may see: all but internal notes and pages for
// employees.
bool MaySee(const Principal& p, const v1::Event& event);

// Drops what `p` may not read from a ticket answer (internal notes).
void Redact(const Principal& p, v1::Ticket& ticket);

// A name the body gives for who does it (`actor`, `author`): empty, or
// the caller's own account id; anyone else is refused, naming `field`.
Status CheckActor(const Principal& p, std::string_view field,
                  std::string_view given);

// A new ticket as `p` files it: an employee's municipality and reporter
// default to their own and may be no other, and their priority is at most
// high; staff may file for anyone, at any priority.
Status CheckCreate(const Principal& p, v1::CreateTicketRequest& request);

// A status change on `current` by `p`: staff make any move the state
// machine allows; an employee only confirms (closed) or reopens
// (in_progress) a resolved ticket of theirs.
Status CheckStatusChange(const Principal& p, const v1::Ticket& current,
                         const v1::ChangeStatusRequest& request);

// Adding (`add`) or removing follower `account` on `ticket`, which `p`
// may see; `named` is that account, nullptr when there is none. Anyone
// who sees the ticket adds a colleague: an active employee of the
// ticket's municipality (any other account is "no employee", so names
// elsewhere tell nothing). Staff and the reporter remove a follower; a
// follower removes themselves.
Status CheckFollow(const Principal& p, const v1::Ticket& ticket,
                   std::string_view account, const v1::Account* named,
                   bool add);

// A comment by `p`: unset visibility becomes public; internal notes are
// staff's.
Status CheckComment(const Principal& p, v1::AddCommentRequest& request);

}  // namespace helpdesk::auth
