#include "daemon/auth/policy.h"

#include <algorithm>

#include "proto/wire_names.h"

namespace helpdesk::auth {

bool Follows(const Principal& p, const v1::Ticket& ticket) {
  return !p.account.empty() &&
         std::find(ticket.followers().begin(), ticket.followers().end(),
                   p.account) != ticket.followers().end();
}

bool MaySee(const Principal& p, const v1::Ticket& ticket) {
  if (p.IsStaff()) return true;
  return p.Has(kEmployee) && !p.account.empty() &&
         (ticket.reporter() == p.account || Follows(p, ticket)) &&
         ticket.municipality() == p.municipality;
}

bool MaySee(const Principal& p, const v1::Comment& comment) {
  return p.IsStaff() || comment.visibility() != v1::VISIBILITY_INTERNAL;
}

bool MaySee(const Principal& p, const v1::Event& event) {
  if (p.IsStaff()) return true;
  // Who was paged, and when, is the IT staff's business.
  if (event.has_page_created() || event.has_page_delivered() ||
      event.has_page_acknowledged())
    return false;
  return !(event.has_comment_added() &&
           event.comment_added().visibility() == v1::VISIBILITY_INTERNAL);
}

void Redact(const Principal& p, v1::Ticket& ticket) {
  if (p.IsStaff()) return;
  auto* comments = ticket.mutable_comments();
  int kept = 0;
  for (int i = 0; i < comments->size(); ++i) {
    if (!MaySee(p, comments->Get(i))) continue;
    if (kept != i) comments->SwapElements(kept, i);
    ++kept;
  }
  while (comments->size() > kept) comments->RemoveLast();
  ticket.set_comment_count(ticket.comment_count() -
                           ticket.internal_comment_count());
  ticket.clear_internal_comment_count();
}

Status CheckActor(const Principal& p, std::string_view field,
                  std::string_view given) {
  if (given.empty() || given == p.account) return Status::Ok();
  return Status::Forbidden(
      std::string(field),
      "'" + std::string(field) +
          "' names someone else; a change is always recorded as the account "
          "that makes it (" +
          p.account + "): leave '" + std::string(field) + "' out");
}

Status CheckCreate(const Principal& p, v1::CreateTicketRequest& request) {
  if (p.IsStaff()) {
    // Filed on someone's behalf (a phone call): they are the reporter.
    if (request.reporter().empty()) request.set_reporter(p.account);
    return Status::Ok();
  }
  if (request.municipality().empty()) request.set_municipality(p.municipality);
  if (request.municipality() != p.municipality)
    return Status::Forbidden(
        "municipality", "you file tickets for your own municipality (" +
                            p.municipality + "); leave 'municipality' out");
  if (request.reporter().empty()) request.set_reporter(p.account);
  if (request.reporter() != p.account)
    return Status::Forbidden(
        "reporter",
        "you file tickets as yourself; leave 'reporter' out (IT staff can "
        "file one for someone else)");
  // Critical sets the tightest targets and wakes the vakt: IT staff judge
  // it (they can raise a ticket's priority at once).
  if (request.priority() == v1::PRIORITY_CRITICAL)
    return Status::Forbidden(
        "priority",
        "choose 'low', 'normal' or 'high'; if work has stopped for many "
        "people, say so in the description and call the IT desk, who can "
        "make it 'critical'");
  return Status::Ok();
}

Status CheckStatusChange(const Principal& p, const v1::Ticket& current,
                         const v1::ChangeStatusRequest& request) {
  if (p.IsStaff()) return Status::Ok();
  if (!request.assignee().empty())
    return Status::Forbidden("assignee",
                             "only IT staff assign tickets; leave 'assignee' "
                             "out");
  const bool confirm_or_reopen =
      current.status() == v1::TICKET_STATUS_RESOLVED &&
      (request.status() == v1::TICKET_STATUS_CLOSED ||
       request.status() == v1::TICKET_STATUS_IN_PROGRESS);
  if (confirm_or_reopen && current.reporter() != p.account)
    return Status::Forbidden(
        "status",
        "the person who reported the ticket confirms or reopens it; as a "
        "follower you can write to IT in a comment");
  if (confirm_or_reopen) return Status::Ok();
  return Status::Forbidden(
      "status",
      "on your own ticket you can confirm a resolution ('closed') or reopen "
      "it ('in_progress') once it is resolved; it is now '" +
          proto::WireName(current.status()) +
          "', and IT staff make the other changes");
}

Status CheckFollow(const Principal& p, const v1::Ticket& ticket,
                   std::string_view account, const v1::Account* named,
                   bool add) {
  if (add) {
    // Who is a colleague is not an employee's to learn from a typo: an
    // account elsewhere reads as one that does not exist.
    const bool colleague =
        named != nullptr && !named->disabled() &&
        named->municipality() == ticket.municipality() &&
        std::find(named->roles().begin(), named->roles().end(),
                  v1::ROLE_EMPLOYEE) != named->roles().end();
    if (!colleague)
      return Status::InvalidField(
          "account", "no employee '" + std::string(account.substr(0, 64)) +
                         "' in this ticket's municipality (" +
                         ticket.municipality() +
                         "); give the user name your colleague logs in with");
    return Status::Ok();
  }
  if (p.IsStaff() || p.account == ticket.reporter() || p.account == account)
    return Status::Ok();
  return Status::Forbidden(
      "account",
      "the reporter removes followers, and a follower removes themselves");
}

Status CheckComment(const Principal& p, v1::AddCommentRequest& request) {
  if (request.visibility() == v1::VISIBILITY_UNSPECIFIED)
    request.set_visibility(v1::VISIBILITY_PUBLIC);
  if (request.visibility() == v1::VISIBILITY_INTERNAL && !p.IsStaff())
    return Status::Forbidden("visibility",
                             "internal notes are for IT staff; leave "
                             "'visibility' out or send 'public'");
  return Status::Ok();
}

}  // namespace helpdesk::auth
