// Paging (README, "Paging"): the outbox written with the events that cause
// pages, acknowledgements, and what the sender reads and records.
#include <spdlog/spdlog.h>

#include <algorithm>

#include "daemon/desk/desk.h"
#include "daemon/desk/internal.h"
#include "daemon/store/auth_tables.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/page_tables.h"
#include "daemon/store/record_check.h"
#include "daemon/store/writer.h"
#include "daemon/tickets/commands.h"
#include "proto/events.h"
#include "proto/timestamps.h"

namespace helpdesk::desk {
namespace {

constexpr char kActor[] = "paging";

// Events that may call for a page, before the roster is read.
bool MayPage(const v1::Event& e) {
  if (e.has_sla_warning() || e.has_sla_breached()) return true;
  const v1::Assignment* a = e.has_ticket_created()
                                ? &e.ticket_created().ticket().assignment()
                            : e.has_assigned() ? &e.assigned().assignment()
                                               : nullptr;
  if (a == nullptr) return false;
  return a->vakt() || a->unassigned_reason() == v1::UNASSIGNED_REASON_NO_VAKT ||
         a->unassigned_reason() == v1::UNASSIGNED_REASON_NO_SKILLED_STAFF;
}

// How a person's change of a ticket answers its pages; "" when it does not.
std::string_view AcknowledgedHow(const v1::Event& e) {
  if (e.has_assigned())
    return e.assigned().assignment().trigger() == v1::ASSIGNMENT_TRIGGER_TAKEN
               ? "taken"
               : "assigned";
  if (e.has_status_changed()) return "status";
  if (e.has_comment_added()) return "comment";
  if (e.has_priority_changed()) return "priority";
  return "";
}

// The dispatchers to page: [paging] dispatchers, else the active people
// whose account has the dispatcher role, by id.
StatusOr<std::vector<std::string>> Dispatchers(Scope& s) {
  const auto& configured = s.context().paging().dispatchers;
  if (!configured.empty()) return configured;
  auto accounts = store::ListAccounts(s.txn(), s.tables());
  if (!accounts.ok()) return accounts.status();
  std::vector<std::string> out;
  for (const auto& a : *accounts) {
    if (a.disabled() || a.staff_id().empty()) continue;
    if (std::find(a.roles().begin(), a.roles().end(), v1::ROLE_DISPATCHER) !=
        a.roles().end())
      out.push_back(a.staff_id());
  }
  std::sort(out.begin(), out.end());
  return out;
}

// An event about `page`, by `actor` (the paging itself, or the person who
// answered it).
v1::Event PageEvent(Scope& s, const v1::Page& page,
                    const v1::TicketSummary* ticket,
                    const std::string& actor = kActor) {
  v1::Event e = s.NewEvent(actor);
  e.set_ticket_id(page.ticket_id());
  if (ticket != nullptr) {
    *e.mutable_ticket() = *ticket;
    // A page changes nothing of the ticket.
    e.mutable_ticket()->set_status_before(ticket->status());
    e.mutable_ticket()->set_assignee_before(ticket->assignee());
    e.set_ticket_version(ticket->version());
  }
  return e;
}

// The summary of ticket `id` as stored now, for a page's later events.
StatusOr<std::optional<v1::TicketSummary>> SummaryOf(Scope& s,
                                                     std::string_view id) {
  std::optional<v1::TicketSummary> out;
  const auto number = tickets::ParseTicketId(id);
  if (!number) return out;
  auto ticket = store::GetTicket(s.txn(), s.tables(), *number,
                                 store::TicketDetail::kRecord);
  if (store::IsDamaged(ticket.status())) return out;
  if (!ticket.ok()) return ticket.status();
  if (!*ticket) return out;
  v1::TicketSummary summary;
  proto::Summarize(&**ticket, **ticket, summary);
  return std::optional<v1::TicketSummary>(std::move(summary));
}

// Numbers and saves a new page with its PageCreated event.
Status SaveNewPage(Scope& s, v1::Page page, const v1::TicketSummary* ticket) {
  auto last = store::LastPageNumber(s.txn(), s.tables());
  if (!last.ok()) return s.store().Fail(last.status());
  page.set_id(std::to_string(*last + 1));
  v1::Event e = PageEvent(s, page, ticket);
  *e.mutable_page_created()->mutable_page() = page;
  std::vector<v1::Event> events;
  events.push_back(std::move(e));
  return s.store().SavePage(nullptr, page, std::move(events));
}

// Acknowledges `before` (open) as the origin's actor, `how`, and saves it
// with its PageAcknowledged event; the page as saved in `out` if given.
Status SaveAcknowledged(Scope& s, const v1::Page& before, std::string_view how,
                        const v1::TicketSummary* summary,
                        v1::Page* out = nullptr) {
  v1::Page now = before;
  const uint32_t cancelled =
      paging::Acknowledge(now, s.origin().actor, how, s.now_sys());
  v1::Event e = PageEvent(s, now, summary, s.origin().actor);
  auto* ack = e.mutable_page_acknowledged();
  ack->set_page_id(now.id());
  ack->set_by(s.origin().actor);
  ack->set_how(std::string(how));
  ack->set_cancelled_steps(cancelled);
  std::vector<v1::Event> events;
  events.push_back(std::move(e));
  Status st = s.store().SavePage(&before, now, std::move(events));
  if (st.ok() && out != nullptr) *out = std::move(now);
  return st;
}

// Answers the open pages of `ticket` (those for `only` when it is set):
// every step not yet sent is cancelled.
Status AcknowledgeAll(Scope& s, uint64_t ticket, std::string_view how,
                      const v1::TicketSummary& summary,
                      v1::PageReason only = v1::PAGE_REASON_UNSPECIFIED) {
  auto pages = store::PagesOfTicket(s.txn(), s.tables(), ticket);
  if (!pages.ok()) return s.store().Fail(pages.status());
  for (const auto& before : *pages) {
    if (before.state() != v1::PAGE_STATE_OPEN) continue;
    if (only != v1::PAGE_REASON_UNSPECIFIED && before.reason() != only)
      continue;
    if (Status st = SaveAcknowledged(s, before, how, &summary); !st.ok())
      return st;
  }
  return Status::Ok();
}

// What answers a ticket's pages besides a person's change: the ticket
// resolved or closed, by anyone (every page); the ticket given to someone
// (the pages saying no one could take it). nullopt when neither.
struct Settles {
  std::string_view how;
  v1::PageReason only;
};
std::optional<Settles> SettledBy(const v1::Event& e) {
  const auto status = e.ticket().status();
  if (status == v1::TICKET_STATUS_RESOLVED ||
      status == v1::TICKET_STATUS_CLOSED)
    return Settles{"closed", v1::PAGE_REASON_UNSPECIFIED};
  if (!e.ticket().assignee().empty() && e.ticket().assignee_before().empty() &&
      !e.has_ticket_created())
    return Settles{"assigned", v1::PAGE_REASON_NO_TAKER};
  return std::nullopt;
}

// A failure of paging that is no storage error (a record refused) leaves
// the change it follows standing: logged, and the page left out.
Status Tolerated(Scope& s, Status st, std::string_view what) {
  if (st.ok() || s.store().failed()) return st;
  spdlog::error("paging: {} left out: {}", what, st.message());
  return Status::Ok();
}

}  // namespace

Status PageAfter(Scope& s, size_t first) {
  const size_t end = s.store().events().size();
  if (first >= end) return Status::Ok();
  // A person on the staff who changes a ticket answers its pages.
  const bool by_person =
      s.origin().who.IsStaff() && !s.origin().who.credential.empty();
  // Decided first, saved after: saving appends to the events read here.
  struct Ack {
    uint64_t ticket;
    std::string_view how;
    v1::PageReason only;
    v1::TicketSummary summary;
  };
  std::vector<std::pair<v1::Page, v1::TicketSummary>> planned;
  std::vector<Ack> acks;
  std::shared_ptr<const dispatch::Roster> roster;
  std::optional<std::vector<std::string>> dispatchers;
  for (size_t i = first; i < end; ++i) {
    const v1::Event& e = s.store().events()[i];
    if (e.ticket_id().empty() || !e.has_ticket()) continue;
    const auto number = tickets::ParseTicketId(e.ticket_id());
    if (!number) continue;
    if (const std::string_view how = by_person ? AcknowledgedHow(e) : "";
        !how.empty())
      acks.push_back({*number, how, v1::PAGE_REASON_UNSPECIFIED, e.ticket()});
    else if (auto settles = SettledBy(e))
      acks.push_back({*number, settles->how, settles->only, e.ticket()});
    if (!MayPage(e)) continue;
    if (!roster) {
      // People or a rota that cannot be read are left out of it: an error
      // here is the store's, and the write is tried again.
      auto r = s.Roster();
      if (!r.ok()) return s.store().Fail(r.status());
      roster = *r;
    }
    if (!dispatchers) {
      auto d = Dispatchers(s);
      if (!d.ok()) return s.store().Fail(d.status());
      dispatchers = paging::DispatchersOnDuty(*d, *roster, s.now_sys());
    }
    auto page = paging::PlanPage(e, *roster, *dispatchers,
                                 s.context().paging().options, s.now_sys());
    if (page) planned.emplace_back(std::move(*page), e.ticket());
  }
  for (const auto& a : acks)
    if (Status st =
            Tolerated(s, AcknowledgeAll(s, a.ticket, a.how, a.summary, a.only),
                      "an acknowledgement");
        !st.ok())
      return st;
  for (auto& [page, summary] : planned) {
    const auto number = tickets::ParseTicketId(page.ticket_id());
    if (!number) continue;
    // One page per ticket per reason (and clock): a cause recorded again
    // pages no one twice.
    auto made = store::PageFor(s.txn(), s.tables(), *number, page.reason(),
                               page.clock());
    if (!made.ok()) return s.store().Fail(made.status());
    if (*made) continue;
    if (Status st = Tolerated(s, SaveNewPage(s, std::move(page), &summary),
                              "a page of ticket " + std::to_string(*number));
        !st.ok())
      return st;
  }
  return Status::Ok();
}

StatusOr<v1::Page> AckPage(Scope& s, uint64_t number) {
  auto before = store::GetPage(s.txn(), s.tables(), number);
  if (!before.ok()) return before.status();
  if (!*before)
    return Status::NotFound("no page with id '" + std::to_string(number) + "'");
  if ((*before)->state() != v1::PAGE_STATE_OPEN) return std::move(**before);
  auto summary = SummaryOf(s, (*before)->ticket_id());
  if (!summary.ok()) return summary.status();
  v1::Page now;
  if (Status st = SaveAcknowledged(s, **before, "ack",
                                   *summary ? &**summary : nullptr, &now);
      !st.ok())
    return st;
  return now;
}

StatusOr<v1::Page> MakeTestPage(Scope& s, std::string_view to) {
  auto roster = s.Roster();
  if (!roster.ok()) return roster.status();
  const dispatch::Person* p = (*roster)->Find(to);
  if (p == nullptr)
    return Status::InvalidField(
        "to", "no staff member with id '" + std::string(to) +
                  "': name a person of the staff registry (helpdeskctl staff)");
  v1::Page page =
      paging::PlanTestPage(*p, s.context().paging().options, s.now_sys());
  auto last = store::LastPageNumber(s.txn(), s.tables());
  if (!last.ok()) return last.status();
  page.set_id(std::to_string(*last + 1));
  v1::Event e = s.NewEvent();
  *e.mutable_page_created()->mutable_page() = page;
  std::vector<v1::Event> events;
  events.push_back(std::move(e));
  if (Status st = s.store().SavePage(nullptr, page, std::move(events));
      !st.ok())
    return st;
  return page;
}

StatusOr<size_t> RecordPageRound(Scope& s,
                                 const std::vector<PageRound>& round) {
  size_t recorded = 0;
  const auto& setup = s.context().paging();
  for (const auto& r : round) {
    auto before = store::GetPage(s.txn(), s.tables(), r.page);
    if (store::IsDamaged(before.status())) continue;
    if (!before.ok()) return s.store().Fail(before.status());
    if (!*before) continue;
    v1::Page now = **before;
    std::vector<v1::Event> events;
    std::optional<v1::TicketSummary> summary;
    bool summarised = false;
    auto event = [&]() -> StatusOr<v1::Event> {
      if (!summarised) {
        auto got = SummaryOf(s, now.ticket_id());
        if (!got.ok()) return got.status();
        summary = std::move(*got);
        summarised = true;
      }
      return PageEvent(s, now, summary ? &*summary : nullptr);
    };
    paging::StartDueSteps(now, setup.channels, s.now_sys());
    for (const auto& a : r.attempts) {
      auto final = paging::RecordAttempt(now, a, setup.options, s.now_sys());
      if (!final) continue;
      auto e = event();
      if (!e.ok()) return s.store().Fail(e.status());
      auto* d = e->mutable_page_delivered();
      d->set_page_id(now.id());
      d->set_step(static_cast<uint32_t>(a.step));
      d->set_to(now.steps(a.step).to());
      *d->mutable_delivery() = *final;
      events.push_back(std::move(*e));
    }
    // Every change of a page moves its version on.
    if (now.version() == (*before)->version()) continue;
    const size_t n = events.size();
    // One page refused (a record check) does not hold up the others.
    if (Status st =
            Tolerated(s, s.store().SavePage(&**before, now, std::move(events)),
                      "the deliveries of page " + now.id());
        !st.ok())
      return st;
    recorded += n;
  }
  return recorded;
}

// ------------------------------------------------------------ Desk

void Desk::AckPage(Origin origin, std::string_view id, Done<v1::Page> done) {
  uint64_t number = 0;
  const auto parsed = tickets::ParseTicketId(id);  // the same digits rule
  if (parsed) number = *parsed;
  if (number == 0) {
    done(Status::NotFound("no page with id '" + std::string(id) + "'"));
    return;
  }
  Run<v1::Page>(
      std::move(origin),
      [number](Scope& s) { return desk::AckPage(s, number); }, std::move(done));
}

void Desk::TestPage(Origin origin, std::string to, Done<v1::Page> done) {
  Run<v1::Page>(
      std::move(origin),
      [to = std::move(to)](Scope& s) { return MakeTestPage(s, to); },
      std::move(done));
}

void Desk::RecordPages(std::vector<PageRound> round,
                       std::function<void(Status)> then) {
  Run<size_t>(
      SystemOrigin(kActor, kActor),
      [round = std::move(round)](Scope& s) {
        return RecordPageRound(s, round);
      },
      [then = std::move(then)](StatusOr<size_t> r) {
        if (!r.ok())
          spdlog::warn("paging: recording deliveries failed: {}",
                       r.status().message());
        if (then) then(r.status());
      });
}

StatusOr<std::vector<v1::Page>> Desk::DuePages(size_t limit) const {
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  const auto now = Now();
  auto numbers = store::PagesDueBy(
      *txn, tables_, now.seconds() * 1000 + now.nanos() / 1000000, limit);
  if (!numbers.ok()) return numbers.status();
  std::vector<v1::Page> out;
  for (uint64_t n : *numbers) {
    auto page = store::GetPage(*txn, tables_, n);
    if (store::IsDamaged(page.status())) {
      store::NoteDamaged(store::PageName(n));
      continue;
    }
    if (!page.ok()) return page.status();
    if (*page) out.push_back(std::move(**page));
  }
  return out;
}

StatusOr<std::optional<int64_t>> Desk::NextPageAction() const {
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  return store::NextPageAction(*txn, tables_);
}

StatusOr<PageList> Desk::ListPages(const PageQuery& query) const {
  if (!query.to.empty()) {
    auto who = GetStaffMember(query.to);
    if (!who.ok())
      return Status::InvalidParameter(
          "to", "'" + query.to + "' is no staff member: to takes a staff id");
  }
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto list = store::ListPages(*txn, tables_, {query.state, query.to},
                               query.before, query.limit);
  if (!list.ok()) return list.status();
  return PageList{std::move(list->pages), list->next_before};
}

StatusOr<v1::Page> Desk::GetPage(std::string_view id) const {
  const auto number = tickets::ParseTicketId(id);
  if (!number)
    return Status::NotFound("no page with id '" + std::string(id) + "'");
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto page = store::GetPage(*txn, tables_, *number);
  if (!page.ok()) return page.status();
  if (!*page)
    return Status::NotFound("no page with id '" + std::string(id) + "'");
  return std::move(**page);
}

}  // namespace helpdesk::desk
