// Retention of personal data (README, "Retention of personal data"): the
// personal text of tickets closed at least retention_months calendar
// months ago is erased (store/erasure.h), each ticket whole in one write,
// with a PersonalDataErased event; what reports count stays.
//
// When a ticket was closed is its updated_at while closed: closed is a
// final status, so that is the closing, or a later change (a priority),
// which only makes the erasure later. Months are calendar months in UTC.

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <memory>
#include <vector>

#include "daemon/desk/desk.h"
#include "daemon/desk/scope.h"
#include "daemon/store/erasure.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/record_check.h"
#include "daemon/store/tables.h"
#include "daemon/tickets/commands.h"

namespace helpdesk::desk {
namespace {

// Closed tickets read a page at a time when looking for the due ones.
constexpr size_t kPage = 500;
// Events and comment records one write rewrites before it leaves the rest
// of its tickets to the next sweep; a ticket is always erased whole, so a
// ticket with more than this takes a write of its own.
constexpr size_t kRecordsPerWrite = 20000;
// A ticket closing while the closed tickets are read may carry an instant
// a little before the look's (its batch's clock reading): the next look
// comes this much early rather than miss it.
constexpr int64_t kSlackSeconds = 3600;

// `now` less `months` calendar months, in UTC, as seconds since the
// epoch: a ticket closed at or before it is due. A day the earlier month
// lacks is its last (31 May less three months: the end of February).
int64_t RetentionCutoff(int64_t now, uint32_t months) {
  using namespace std::chrono;
  const sys_seconds at{seconds(now)};
  const sys_days day = floor<days>(at);
  const year_month_day ymd{day};
  const year_month ym =
      year_month{ymd.year(), ymd.month()} - std::chrono::months{months};
  const std::chrono::day last =
      year_month_day_last{ym / std::chrono::last}.day();
  const sys_days then{ym / std::min(ymd.day(), last)};
  return (then + (at - day)).time_since_epoch().count();
}

bool Due(const v1::Ticket& ticket, int64_t cutoff) {
  return ticket.status() == v1::TICKET_STATUS_CLOSED &&
         !ticket.has_personal_data_erased_at() &&
         ticket.updated_at().seconds() <= cutoff;
}

struct Found {
  std::vector<uint64_t> due;  // at most Desk::kTicketsErasedPerWrite
  bool more = false;          // more are due than it holds
  // The closing of the earliest closed ticket not yet due, or the look's
  // instant less the slack when none: no ticket falls due before the
  // cutoff reaches it.
  int64_t due_from = 0;
};

StatusOr<Found> FindDue(const store::Txn& txn, const store::Tables& t,
                        int64_t cutoff, int64_t now) {
  Found f;
  f.due_from = now - kSlackSeconds;
  store::TicketFilter closed;
  closed.status = v1::TICKET_STATUS_CLOSED;
  uint64_t before = 0;
  while (true) {
    auto page = store::ListTickets(txn, t, closed, before, kPage);
    if (!page.ok()) return page.status();
    for (const v1::Ticket& ticket : page->tickets) {
      if (ticket.has_personal_data_erased_at()) continue;
      if (!Due(ticket, cutoff)) {
        f.due_from = std::min(f.due_from, ticket.updated_at().seconds());
        continue;
      }
      auto number = tickets::ParseTicketId(ticket.id());
      if (!number) continue;
      if (f.due.size() == Desk::kTicketsErasedPerWrite) {
        f.more = true;
        return f;
      }
      f.due.push_back(*number);
    }
    if (!page->next_before) return f;
    before = *page->next_before;
  }
}

// The write: erases each of `numbers` that is still due as the writer
// sees it. Sets `more` when it left some for the next sweep.
StatusOr<size_t> EraseDue(Scope& s, uint32_t months,
                          const std::vector<uint64_t>& numbers, bool& more) {
  store::WriteContext& w = s.store();
  const int64_t cutoff = RetentionCutoff(s.now().seconds(), months);
  size_t erased = 0, records = 0;
  more = false;
  for (const uint64_t number : numbers) {
    if (records >= kRecordsPerWrite) {
      more = true;
      break;
    }
    auto current = store::GetTicket(s.txn(), s.tables(), number,
                                    store::TicketDetail::kRecord);
    if (store::IsDamaged(current.status())) {
      store::NoteDamaged(store::TicketName(number));  // repair's to handle
      continue;
    }
    if (!current.ok()) return w.Fail(current.status());
    if (!*current || !Due(**current, cutoff)) continue;
    const v1::Ticket& before = **current;
    // The history first, then the ticket with the event that records the
    // erasure (which holds no personal text, and is not rewritten).
    store::ErasureCount count;
    if (Status st =
            w.Write([&](store::Txn& txn, const store::Tables& t) -> Status {
              std::vector<std::string> people(before.followers().begin(),
                                              before.followers().end());
              if (!before.reporter().empty())
                people.push_back(before.reporter());
              auto c =
                  store::EraseTicketHistory(txn, t, number, std::move(people));
              if (!c.ok()) return c.status();
              count = *c;
              return Status::Ok();
            });
        !st.ok())
      return st;
    v1::Ticket after = store::ErasedTicket(before, s.now());
    after.set_version(before.version() + 1);
    v1::Event event = s.NewEvent();
    event.set_ticket_id(after.id());
    event.set_ticket_version(after.version());
    v1::PersonalDataErased* body = event.mutable_personal_data_erased();
    body->set_ticket_id(after.id());
    *body->mutable_closed_at() = before.updated_at();
    body->set_retention_months(months);
    body->set_events_erased(count.events);
    body->set_comments_erased(count.comments);
    // Refused after the history was rewritten: nothing of it may commit.
    if (Status st = w.Save(&before, after, std::move(event)); !st.ok())
      return w.Fail(st);
    ++erased;
    records += 1 + count.events + count.comments;
  }
  return erased;
}

}  // namespace

void Desk::SweepRetention(std::function<void()> then) {
  const auto finish = [&then] {
    if (then) then();
  };
  if (retention_months_ == 0) return finish();
  const int64_t now = Now().seconds();
  const int64_t cutoff = RetentionCutoff(now, retention_months_);
  // Nothing can have fallen due since the last look: no read at all.
  if (cutoff < retention_due_from_.load()) return finish();
  StatusOr<Found> found = [&]() -> StatusOr<Found> {
    auto txn = store::Txn::BeginRead(env_);
    if (!txn.ok()) return txn.status();
    return FindDue(*txn, tables_, cutoff, now);
  }();
  if (!found.ok()) {
    spdlog::warn("looking for tickets past retention failed: {}",
                 found.status().message());
    return finish();
  }
  retention_due_from_ = found->more ? 0 : found->due_from;
  if (found->due.empty()) return finish();
  auto more = std::make_shared<bool>(false);
  Run<size_t>(
      SystemOrigin("retention", "retention"),
      [months = retention_months_, due = std::move(found->due),
       more](Scope& s) { return EraseDue(s, months, due, *more); },
      [this, more, then = std::move(then)](StatusOr<size_t> erased) {
        // Not all done: the next sweep looks again.
        if (!erased.ok() || *more) retention_due_from_ = 0;
        if (!erased.ok())
          spdlog::warn("erasing personal data past retention failed: {}",
                       erased.status().message());
        else if (*erased > 0)
          spdlog::info("personal data of {} closed tickets erased", *erased);
        if (then) then();
      });
}

}  // namespace helpdesk::desk
