// Dispatch and its re-runs, and the SLA alerts: what the desk does to
// tickets on its own. Assignment decisions are daemon/dispatch's; SLA
// alerts are driven by the store's due-time index (never a scan of the
// tickets), and the flags that say an alert is recorded live on the
// ticket, written in the same transaction as the event, so each alert is
// recorded exactly once, across restarts too.

#include <spdlog/spdlog.h>

#include "daemon/desk/internal.h"
#include "daemon/desk/use_cases.h"
#include "daemon/dispatch/dispatch.h"
#include "daemon/store/record_check.h"
#include "daemon/store/sla_index.h"
#include "daemon/store/staff_tables.h"
#include "daemon/tickets/commands.h"
#include "daemon/tickets/sla_clocks.h"
#include "proto/timestamps.h"
#include "sla/oslo_time.h"

namespace helpdesk::desk {
namespace {

// Tickets of the dispatcher queue tried again after one staff change: the
// oldest first; more wait for the next change.
constexpr size_t kMaxRetries = 200;
// Alerts recorded in one write; more wait for the next sweep.
constexpr size_t kMaxAlertsPerWrite = 500;
// Due entries looked at first to tell whether any names a readable ticket;
// when all of those are damaged, up to kMaxAlertsPerWrite more.
constexpr size_t kDamagedLookahead = 16;

// Earlier tickets of the reporter looked at for who helped them last.
constexpr size_t kHelperLookback = 20;

// The assignee of the latest of the reporter's earlier tickets (numbers
// below this one's) that had one (DOMAIN.md rule 12: the person who
// helped this user before); "" when none of those kHelperLookback tickets
// had one. From the reporter's own index, newest first, reading only the
// assignee of each.
StatusOr<std::string> LastHelper(Scope& s, const v1::Ticket& ticket) {
  const std::optional<uint64_t> number = tickets::ParseTicketId(ticket.id());
  if (ticket.reporter().empty() || !number || *number <= 1)
    return std::string();
  return store::LastAssigneeOf(s.txn(), s.tables(), ticket.reporter(), *number,
                               kHelperLookback);
}

}  // namespace

StatusOr<std::optional<tickets::Change>> DecideDispatch(
    Scope& s, const v1::Ticket& ticket, v1::AssignmentTrigger trigger,
    std::string_view exclude) {
  // It runs in a write that saves something: a storage error fails the
  // whole batch (nothing half-done commits); a decision the ticket cannot
  // take is logged and leaves the ticket as it is.
  using Decided = std::optional<tickets::Change>;
  store::WriteContext& w = s.store();
  auto roster = s.Roster();
  if (!roster.ok()) return w.Fail(roster.status());
  Status load_error;
  auto load_of = [&](const dispatch::Person& p) {
    auto stored = store::GetLoad(s.txn(), s.tables(), p.member->id());
    if (!stored.ok()) {
      load_error = stored.status();
      return dispatch::Load{};
    }
    return dispatch::LoadOfStored(*stored);
  };
  dispatch::Input in;
  in.ticket = &ticket;
  in.service = &ticket.service();
  in.trigger = trigger;
  in.exclude = exclude;
  in.now = s.now_sys();
  Status helper_error;
  in.last_helper = [&] {
    auto helper = LastHelper(s, ticket);
    if (helper.ok()) return *std::move(helper);
    helper_error = helper.status();
    return std::string();
  };
  v1::Assignment a = dispatch::Decide(in, **roster, load_of);
  if (!load_error.ok()) return w.Fail(load_error);
  if (!helper_error.ok()) return w.Fail(helper_error);
  // A retry that finds no one, for the reason already recorded, records
  // nothing: the queue is tried often and the history stays readable.
  if (trigger == v1::ASSIGNMENT_TRIGGER_RETRY &&
      a.outcome() == v1::ASSIGNMENT_OUTCOME_UNASSIGNED &&
      ticket.assignment().outcome() == v1::ASSIGNMENT_OUTCOME_UNASSIGNED &&
      ticket.assignment().unassigned_reason() == a.unassigned_reason())
    return Decided();
  if (a.outcome() == v1::ASSIGNMENT_OUTCOME_UNASSIGNED &&
      !ticket.assignee().empty()) {
    // No one else: the ticket stays where it is until a dispatcher acts,
    // recorded once, not at every sweep.
    if (ticket.assignment().outcome() == v1::ASSIGNMENT_OUTCOME_KEPT &&
        ticket.assignment().assignee() == ticket.assignee())
      return Decided();
    a.set_outcome(v1::ASSIGNMENT_OUTCOME_KEPT);
    a.set_assignee(ticket.assignee());
    a.set_assignee_name(ticket.assignment().assignee_name());
    a.set_explanation(dispatch::Explain(a, **roster));
  }
  auto c = tickets::DecideAssignment(ticket, std::move(a), false, 0,
                                     std::nullopt, s.request());
  if (!c.ok()) {
    spdlog::warn("dispatch of ticket {} not recorded: {}", ticket.id(),
                 c.status().message());
    return Decided();
  }
  return Decided(std::move(*c));
}

Status Dispatch(Scope& s, v1::Ticket& ticket, v1::AssignmentTrigger trigger,
                std::string_view exclude) {
  auto c = DecideDispatch(s, ticket, trigger, exclude);
  if (!c.ok()) return c.status();
  if (!*c) return Status::Ok();
  if (Status st = s.store().Save(&ticket, (*c)->ticket, std::move((*c)->event));
      !st.ok())
    return st;
  ticket = std::move((*c)->ticket);
  return Status::Ok();
}

StatusOr<size_t> Redispatch(Scope& s) {
  store::WriteContext& w = s.store();
  const size_t events_before = w.events().size();
  auto roster = s.Roster();
  if (!roster.ok()) return w.Fail(roster.status());
  const sla::OsloTime local = sla::ToOslo(s.now_sys());
  // 1. Open tickets of people who are inactive or absent today.
  static constexpr v1::TicketStatus kHeld[] = {
      v1::TICKET_STATUS_ASSIGNED, v1::TICKET_STATUS_IN_PROGRESS,
      v1::TICKET_STATUS_WAITING_ON_USER, v1::TICKET_STATUS_WAITING_ON_SUPPLIER};
  for (const dispatch::Person& p : (*roster)->people()) {
    if (p.member->active() &&
        p.schedule.AbsentOn(local.day) == v1::ABSENCE_KIND_UNSPECIFIED)
      continue;
    for (v1::TicketStatus status : kHeld) {
      store::TicketFilter held;
      held.status = status;
      held.assignee = p.member->id();
      uint64_t cursor = 0;
      while (true) {
        auto page = store::ListTickets(s.txn(), s.tables(), held, cursor, 200);
        if (!page.ok()) return w.Fail(page.status());
        for (auto& t : page->tickets)
          if (Status st = Dispatch(s, t, v1::ASSIGNMENT_TRIGGER_ABSENCE,
                                   p.member->id());
              !st.ok())
            return st;
        if (!page->next_before) break;
        cursor = *page->next_before;
      }
    }
  }
  // 2. The dispatcher queue: new tickets no one could take, oldest first.
  auto oldest = store::OldestTickets(s.txn(), s.tables(), v1::TICKET_STATUS_NEW,
                                     kMaxRetries);
  if (!oldest.ok()) return w.Fail(oldest.status());
  for (auto& t : *oldest) {
    if (!t.assignee().empty()) continue;  // not in the queue: someone has it
    if (Status st = Dispatch(s, t, v1::ASSIGNMENT_TRIGGER_RETRY, ""); !st.ok())
      return st;
  }
  return w.events().size() - events_before;
}

StatusOr<bool> AlertsDue(const store::Txn& txn, const store::Tables& tables,
                         int64_t now) {
  auto next = store::NextDue(txn, tables);
  if (!next.ok()) return next.status();
  if (!*next || **next > now) return false;
  // Entries of tickets that cannot be read stay in the index until an
  // operator repairs the store; they alone must not make every change and
  // every sweep write (RecordSlaAlerts would skip them anyway).
  for (const size_t limit :
       {kDamagedLookahead, kDamagedLookahead + kMaxAlertsPerWrite}) {
    auto due = store::DueBy(txn, tables, now, limit);
    if (!due.ok()) return due.status();
    for (const store::SlaDue& d : *due) {
      auto ticket =
          store::GetTicket(txn, tables, d.ticket, store::TicketDetail::kRecord);
      if (!store::IsDamaged(ticket.status())) return true;
    }
    if (due->size() < limit) return false;  // every one due is damaged
  }
  return true;  // more damaged entries than a write looks past
}

StatusOr<size_t> RecordSlaAlerts(Scope& s) {
  store::WriteContext& w = s.store();
  const auto now = s.now_sys();
  // Entries of damaged tickets come first when they are oldest, and stay;
  // they do not count against the write's share of entries, so they can
  // never hold back every other ticket's alerts. One pass: each ticket is
  // read once.
  auto due = store::DueBy(s.txn(), s.tables(), now.time_since_epoch().count(),
                          2 * kMaxAlertsPerWrite);
  if (!due.ok()) return w.Fail(due.status());
  size_t recorded = 0, looked = 0;
  for (const store::SlaDue& d : *due) {
    auto current = store::GetTicket(s.txn(), s.tables(), d.ticket,
                                    store::TicketDetail::kRecord);
    // A ticket that cannot be read keeps its entry (helpdeskctl repair
    // removes both) but never fails the write that checks alerts: every
    // other ticket's alerts and changes go on.
    if (store::IsDamaged(current.status())) {
      store::NoteDamaged(store::TicketName(d.ticket));
      continue;
    }
    if (looked++ == kMaxAlertsPerWrite) break;
    if (!current.ok()) return w.Fail(current.status());
    if (!*current || !(*current)->has_sla()) continue;
    const v1::Ticket& before = **current;
    v1::Ticket after = before;
    const bool response = d.alert == store::kFirstResponseWarning ||
                          d.alert == store::kFirstResponseBreach;
    const bool breach = d.alert == store::kFirstResponseBreach ||
                        d.alert == store::kResolutionBreach;
    v1::SlaClock* clock = response
                              ? after.mutable_sla()->mutable_first_response()
                              : after.mutable_sla()->mutable_resolution();
    if (!clock->counting()) continue;  // the index is kept with the clock
    if (breach) {
      if (clock->state() == v1::SLA_CLOCK_STATE_BREACHED) continue;
      clock->set_state(v1::SLA_CLOCK_STATE_BREACHED);
    } else {
      if (clock->warned()) continue;
      clock->set_warned(true);
    }
    // An alert changes no field a person edits: the version stays, so no
    // one's If-Match fails because a clock ticked.
    // Recorded by the desk itself, whichever write finds it due.
    v1::Event event = proto::NewEvent({s.now(), "sla", "sla"});
    event.set_ticket_id(after.id());
    event.set_ticket_version(after.version());
    v1::SlaAlert* alert =
        breach ? event.mutable_sla_breached() : event.mutable_sla_warning();
    alert->set_kind(clock->kind());
    const std::chrono::sys_seconds due_at{std::chrono::seconds(d.at)};
    *alert->mutable_due_at() = proto::ToTimestamp(due_at);
    alert->set_target_seconds(clock->target_seconds());
    alert->set_elapsed_seconds(
        tickets::Elapsed(*clock, s.context().sla(), due_at).count());
    alert->set_calendar(clock->calendar());
    if (Status st = w.Save(&before, after, std::move(event)); !st.ok())
      return st;
    ++recorded;
  }
  return recorded;
}

}  // namespace helpdesk::desk
