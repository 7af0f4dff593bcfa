// Assignment over HTTP: the automatic decision when a ticket is filed, a
// dispatcher's assign and an agent's take, the re-run when an assignee
// becomes absent or inactive, and the coverage report. The decisions
// themselves are daemon/dispatch's; here they meet the store.

#include <spdlog/spdlog.h>

#include "daemon/dispatch/coverage.h"
#include "daemon/dispatch/dispatch.h"
#include "daemon/http/api.h"
#include "daemon/http/json.h"
#include "daemon/http/problem.h"
#include "daemon/http/responses.h"
#include "daemon/http/ticket_write.h"
#include "daemon/store/catalogue_tables.h"
#include "daemon/store/staff_tables.h"
#include "daemon/tickets/commands.h"
#include "daemon/tickets/state_machine.h"
#include "proto/timestamps.h"

namespace helpdesk::http {
namespace {

constexpr size_t kMaxReasonBytes = 2000;
// Tickets of the dispatcher queue tried again after one staff change: the
// oldest first; more wait for the next change.
constexpr size_t kMaxRetries = 200;

}  // namespace

Status Api::Dispatch(store::WriteContext& w, v1::Ticket& ticket,
                     v1::AssignmentTrigger trigger, std::string_view exclude,
                     const std::string& request_id,
                     store::WriteResult& result) {
  // It runs after this write has saved something: a storage error fails
  // the whole batch (nothing half-done commits); a decision the ticket
  // cannot take is logged and leaves the ticket as it is.
  auto roster = rosters_.Get(w.txn());
  if (!roster.ok()) return w.Fail(roster.status());
  Status load_error;
  auto load_of = [&](const dispatch::Person& p) {
    auto stored = store::GetLoad(w.txn(), w.tables(), p.member->id());
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
  in.now = proto::ToSys(w.now());
  v1::Assignment a = dispatch::Decide(in, **roster, load_of);
  if (!load_error.ok()) return w.Fail(load_error);
  // A retry that finds no one, for the reason already recorded, records
  // nothing: the queue is tried often and the history stays readable.
  if (trigger == v1::ASSIGNMENT_TRIGGER_RETRY &&
      a.outcome() == v1::ASSIGNMENT_OUTCOME_UNASSIGNED &&
      ticket.assignment().outcome() == v1::ASSIGNMENT_OUTCOME_UNASSIGNED &&
      ticket.assignment().unassigned_reason() == a.unassigned_reason())
    return Status::Ok();
  if (a.outcome() == v1::ASSIGNMENT_OUTCOME_UNASSIGNED &&
      !ticket.assignee().empty()) {
    // No one else: the ticket stays where it is until a dispatcher acts,
    // recorded once, not at every sweep.
    if (ticket.assignment().outcome() == v1::ASSIGNMENT_OUTCOME_KEPT &&
        ticket.assignment().assignee() == ticket.assignee())
      return Status::Ok();
    a.set_outcome(v1::ASSIGNMENT_OUTCOME_KEPT);
    a.set_assignee(ticket.assignee());
    a.set_explanation(dispatch::Explain(a, **roster));
  }
  auto c = tickets::DecideAssignment(ticket, a, false, 0, std::nullopt,
                                     {request_id, w.now()});
  if (!c.ok()) {
    spdlog::warn("dispatch of ticket {} not recorded: {}", ticket.id(),
                 c.status().message());
    return Status::Ok();
  }
  if (Status s = w.Save(&ticket, c->ticket, c->event); !s.ok()) return s;
  ticket = std::move(c->ticket);
  result.events.push_back(std::move(c->event));
  return Status::Ok();
}

Status Api::Redispatch(store::WriteContext& w, const std::string& request_id,
                       store::WriteResult& result) {
  auto roster = rosters_.Get(w.txn());
  if (!roster.ok()) return w.Fail(roster.status());
  const sla::OsloTime local = sla::ToOslo(proto::ToSys(w.now()));
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
        auto page = store::ListTickets(w.txn(), w.tables(), held, cursor, 200);
        if (!page.ok()) return w.Fail(page.status());
        for (auto& t : page->tickets)
          if (Status s = Dispatch(w, t, v1::ASSIGNMENT_TRIGGER_ABSENCE,
                                  p.member->id(), request_id, result);
              !s.ok())
            return s;
        if (!page->next_before) break;
        cursor = *page->next_before;
      }
    }
  }
  // 2. The dispatcher queue: new tickets no one could take, oldest first.
  store::TicketFilter queue;
  queue.status = v1::TICKET_STATUS_NEW;
  auto oldest = store::OldestTickets(w.txn(), w.tables(), queue, kMaxRetries);
  if (!oldest.ok()) return w.Fail(oldest.status());
  for (auto& t : *oldest) {
    if (!t.assignee().empty()) continue;  // not in the queue: someone has it
    if (Status s = Dispatch(w, t, v1::ASSIGNMENT_TRIGGER_RETRY, "", request_id,
                            result);
        !s.ok())
      return s;
  }
  return Status::Ok();
}

void Api::SweepDispatch() {
  Status queued = writer_.Submit(
      [this](store::WriteContext& w) {
        store::WriteResult result;
        result.status = Redispatch(w, "sweep", result);
        return result;
      },
      [this](store::WriteResult result) {
        if (!result.status.ok()) {
          rosters_.Invalidate();
          spdlog::warn("dispatch sweep failed: {}", result.status.message());
        } else if (!result.events.empty()) {
          spdlog::info("dispatch sweep: {} decisions recorded",
                       result.events.size());
        }
      });
  if (!queued.ok())
    spdlog::warn("dispatch sweep not queued: {}", queued.message());
}

void Api::AssignTicket(const Request& r, uint64_t number, bool take,
                       Respond respond) {
  std::string person, reason, by;
  uint32_t version = 0;
  if (take) {
    v1::TakeRequest req;
    if (Status s = ParseJson(r.body, req); !s.ok())
      return respond(Problem(s, r.target, r.request_id));
    auto actor = ActorOf(r.actor, req.actor());
    if (!actor.ok())
      return respond(Problem(actor.status(), r.target, r.request_id));
    person = r.actor.empty() && req.actor().empty() ? "" : *actor;
    if (person.empty())
      return respond(Problem(
          Status::InvalidField("actor",
                               "field 'actor' is required: the staff id of "
                               "the agent taking the ticket (or send an "
                               "X-Actor header)"),
          r.target, r.request_id));
    by = person;
    version = req.version();
  } else {
    v1::AssignRequest req;
    if (Status s = ParseJson(r.body, req); !s.ok())
      return respond(Problem(s, r.target, r.request_id));
    if (req.assignee().empty())
      return respond(Problem(
          Status::InvalidField("assignee",
                               "field 'assignee' is required: the staff id "
                               "of the person to give the ticket to"),
          r.target, r.request_id));
    if (req.reason().empty() || req.reason().size() > kMaxReasonBytes)
      return respond(Problem(
          Status::InvalidField(
              "reason", req.reason().empty()
                            ? "field 'reason' is required: say why this "
                              "person (it is kept on the ticket)"
                            : "field 'reason' is at most " +
                                  std::to_string(kMaxReasonBytes) + " bytes"),
          r.target, r.request_id));
    person = req.assignee();
    reason = req.reason();
    auto actor = ActorOf(r.actor, req.actor());
    if (!actor.ok())
      return respond(Problem(actor.status(), r.target, r.request_id));
    by = *actor;
    version = req.version();
  }
  auto if_match = ParseIfMatch(r.if_match);
  if (!if_match.ok())
    return respond(Problem(if_match.status(), r.target, r.request_id));
  const auto trigger =
      take ? v1::ASSIGNMENT_TRIGGER_TAKEN : v1::ASSIGNMENT_TRIGGER_MANUAL;
  SubmitWrite(
      r,
      [this, number, trigger, person, reason, by, version, if_match = *if_match,
       rid = r.request_id](store::WriteContext& w) {
        return UpdateTicket(
            w, number,
            [&](const v1::Ticket& current) -> StatusOr<tickets::Change> {
              auto roster = rosters_.Get(w.txn());
              if (!roster.ok()) return roster.status();
              auto a =
                  dispatch::DecideManual(current, trigger, person, by, reason,
                                         **roster, proto::ToSys(w.now()));
              if (!a.ok()) return a.status();
              if (auto load = store::GetLoad(w.txn(), w.tables(), person);
                  load.ok()) {
                const auto* p = (*roster)->Find(person);
                a->set_load(dispatch::LoadPerPost(dispatch::LoadOfStored(*load),
                                                  p->member->fte_percent()));
              }
              return tickets::DecideAssignment(current, *a, true, version,
                                               if_match, {rid, w.now()});
            });
      },
      200, std::move(respond));
}

Response Api::CoverageReport(const Request& r, const Target& t) {
  if (Status s = CheckParams(t, {"at"}); !s.ok())
    return Problem(s, r.target, r.request_id);
  auto at = TimeParam(t, "at", proto::ToSys(Now()));
  if (!at.ok()) return Problem(at.status(), r.target, r.request_id);
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return Problem(txn.status(), r.target, r.request_id);
  auto roster = rosters_.Get(*txn);
  if (!roster.ok()) return Problem(roster.status(), r.target, r.request_id);
  auto catalogue = store::LoadCatalogue(*txn, tables_);
  if (!catalogue.ok())
    return Problem(catalogue.status(), r.target, r.request_id);
  return Json(200, ToJson(dispatch::Coverage(**roster, *catalogue, *at)));
}

}  // namespace helpdesk::http
