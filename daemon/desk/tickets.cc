// The ticket use cases: file, move, reprioritise, comment, assign and take.
// The decisions are daemon/tickets' and daemon/dispatch's; the SLA clocks
// move with them (daemon/tickets/sla_clocks.h) in the same write.

#include <spdlog/spdlog.h>

#include "daemon/auth/policy.h"
#include "daemon/desk/internal.h"
#include "daemon/desk/use_cases.h"
#include "daemon/dispatch/dispatch.h"
#include "daemon/store/auth_tables.h"
#include "daemon/store/catalogue_tables.h"
#include "daemon/store/record_check.h"
#include "daemon/store/staff_tables.h"
#include "daemon/tickets/commands.h"
#include "daemon/tickets/sla_clocks.h"
#include "proto/timestamps.h"

namespace helpdesk::desk {
StatusOr<v1::Ticket> CreateTicket(Scope& s,
                                  const v1::CreateTicketRequest& request,
                                  const store::TextWords* words) {
  if (Status st = tickets::ValidateCreate(request, s.context().region());
      !st.ok())
    return st;
  // The service is checked here, in the writer's transaction, so a retire
  // committed a moment ago is seen.
  auto service = store::GetService(s.txn(), s.tables(), request.service_id());
  if (!service.ok()) return service.status();
  const v1::Service* found = *service ? &**service : nullptr;
  if (Status st = tickets::CheckService(request, found); !st.ok()) return st;
  tickets::Change c = tickets::DecideCreate(
      request, *found, s.store().NextTicketNumber(), s.request());
  // Who filed it is the caller; the reporter may be someone else (staff
  // filing for a caller on the phone).
  c.event.set_actor(s.origin().actor);
  // The SLA clocks start now, with the targets of the service's class and
  // the ticket's priority, kept on the ticket from here on.
  if (auto clocks = tickets::StartClocks(s.context().sla(),
                                         c.ticket.service().sla_class(),
                                         c.ticket.priority(), s.now_sys())) {
    *c.ticket.mutable_sla() = *clocks;
    *c.event.mutable_ticket_created()->mutable_ticket()->mutable_sla() =
        *clocks;
  }
  // Who gets it is decided in the same transaction: the ticket is never
  // seen unassigned by mistake, and a crash loses neither. It is decided
  // before the ticket is saved (nothing it reads counts the new ticket)
  // and the ticket saved once, with its two events.
  auto assigned = DecideDispatch(s, c.ticket, v1::ASSIGNMENT_TRIGGER_CREATED,
                                 /*exclude=*/"");
  if (!assigned.ok()) return assigned.status();
  if (!*assigned) {
    if (Status st =
            s.store().Save(nullptr, c.ticket, std::move(c.event), words);
        !st.ok())
      return st;
    return std::move(c.ticket);
  }
  if (Status st = s.store().Save(nullptr, c.ticket, std::move(c.event),
                                 (*assigned)->ticket,
                                 std::move((*assigned)->event), words);
      !st.ok())
    return st;
  return std::move((*assigned)->ticket);
}

StatusOr<v1::Ticket> ChangeStatus(Scope& s, uint64_t ticket,
                                  const v1::ChangeStatusRequest& request,
                                  std::optional<uint32_t> if_match) {
  return ChangeTicket(
      s, ticket, [&](const v1::Ticket& current) -> StatusOr<tickets::Change> {
        if (Status st =
                auth::CheckStatusChange(s.origin().who, current, request);
            !st.ok())
          return st;
        auto c = tickets::DecideStatusChange(current, request, if_match,
                                             s.request());
        if (c.ok() && c->ticket.has_sla())
          tickets::OnStatus(*c->ticket.mutable_sla(), s.context().sla(),
                            current.status(), c->ticket.status(), s.now_sys());
        return c;
      });
}

StatusOr<v1::Ticket> ChangePriority(Scope& s, uint64_t ticket,
                                    const v1::ChangePriorityRequest& request,
                                    std::optional<uint32_t> if_match) {
  return ChangeTicket(s, ticket, [&](const v1::Ticket& current) {
    auto c = tickets::DecidePriorityChange(current, request, if_match,
                                           s.origin().actor, s.request());
    // The clocks take the new targets and keep the time used.
    if (c.ok() && c->ticket.has_sla())
      tickets::OnPriority(*c->ticket.mutable_sla(), s.context().sla(),
                          c->ticket.priority(), s.now_sys());
    return c;
  });
}

StatusOr<v1::Ticket> Comment(Scope& s, uint64_t ticket,
                             const v1::AddCommentRequest& request) {
  return ChangeTicket(
      s, ticket, [&](const v1::Ticket& current) -> StatusOr<tickets::Change> {
        auto c = tickets::DecideComment(current, request, s.request());
        // Who wrote it, by name: what the reader sees (an employee cannot
        // look up the staff, nor staff every employee).
        if (c.ok())
          c->event.mutable_comment_added()->set_author_name(
              s.origin().who.name);
        if (!c.ok() || !c->ticket.has_sla()) return c;
        // A public reply by IT staff is the first response; an internal
        // note, or the reporter's own words, is not.
        if (s.origin().who.IsStaff() &&
            request.visibility() != v1::VISIBILITY_INTERNAL)
          tickets::OnPublicReply(*c->ticket.mutable_sla(), s.context().sla(),
                                 s.now_sys());
        return c;
      });
}

StatusOr<v1::Ticket> Follow(Scope& s, uint64_t ticket,
                            const std::string& account, bool add) {
  // The account is read in the writer's transaction: one disabled or
  // moved a moment ago is seen. A name no account can have is none.
  StatusOr<std::optional<v1::Account>> named = std::optional<v1::Account>();
  if (auth::IsAccountId(account))
    named = store::GetAccount(s.txn(), s.tables(), account);
  if (!named.ok() && !store::IsDamaged(named.status())) return named.status();
  const v1::Account* found = named.ok() && *named ? &**named : nullptr;
  return ChangeTicket(
      s, ticket, [&](const v1::Ticket& current) -> StatusOr<tickets::Change> {
        // After the ticket is found: to one who may not see it, it is not
        // there, whatever the body says.
        if (account.empty())
          return Status::InvalidField(
              "account",
              "'account' is required: the user name of the colleague who is "
              "to follow the ticket");
        if (Status st =
                auth::CheckFollow(s.origin().who, current, account, found, add);
            !st.ok())
          return st;
        return tickets::DecideFollower(current, account, add, s.origin().actor,
                                       s.request());
      });
}

StatusOr<v1::Ticket> Assign(Scope& s, uint64_t ticket, const AssignCommand& a) {
  if (Status st = CheckAssignment(a); !st.ok()) return st;
  const auto trigger =
      a.take ? v1::ASSIGNMENT_TRIGGER_TAKEN : v1::ASSIGNMENT_TRIGGER_MANUAL;
  return DecideOnTicket(
      s, ticket,
      [&](const v1::Ticket& current) -> StatusOr<tickets::Change> {
        auto roster = s.Roster();
        if (!roster.ok()) return roster.status();
        auto decision =
            dispatch::DecideManual(current, trigger, a.assignee,
                                   a.take ? a.assignee : s.origin().actor,
                                   a.reason, **roster, s.now_sys());
        if (!decision.ok()) return decision.status();
        if (auto load = store::GetLoad(s.txn(), s.tables(), a.assignee);
            load.ok()) {
          const auto* p = (*roster)->Find(a.assignee);
          decision->set_load(dispatch::LoadPerPost(
              dispatch::LoadOfStored(*load), p->member->fte_percent()));
        }
        return tickets::DecideAssignment(current, std::move(*decision), true,
                                         a.version, a.if_match, s.request());
      },
      /*save=*/true);
}

}  // namespace helpdesk::desk
