// What the live stream and the wall dashboard read (README, "Live"): the
// log as it is, the database's epoch, and the board.
#include <algorithm>
#include <map>
#include <set>

#include "daemon/desk/desk.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/staff_tables.h"
#include "daemon/store/tables.h"
#include "proto/events.h"
#include "proto/ticket_status.h"
#include "proto/timestamps.h"
#include "sla/oslo_time.h"

namespace helpdesk::desk {
namespace {

using std::chrono::sys_seconds;

// Today's events read for the board's figures at most: a day busier than
// this (a load test) shows the figures of its first this many.
constexpr size_t kBoardDayEvents = 200000;
constexpr int kBoardAlerts = 50;

// When the earlier of a ticket's two clocks falls due, while one counts;
// else the far future (it sorts last).
int64_t SoonestDue(const v1::TicketSummary& t) {
  int64_t due = INT64_MAX;
  for (const auto* c : {&t.sla().first_response(), &t.sla().resolution()})
    if (c->counting() && c->has_due_at())
      due = std::min<int64_t>(due, c->due_at().seconds());
  return due;
}

// The first seq whose event is at or after `from` (last + 1 when none): the
// log's instants never go back, so a binary search over its seqs.
StatusOr<uint64_t> FirstEventFrom(const store::Txn& txn, const store::Tables& t,
                                  uint64_t last, sys_seconds from) {
  uint64_t lo = 1, hi = last + 1;
  while (lo < hi) {
    const uint64_t mid = lo + (hi - lo) / 2;
    auto page = store::ListEvents(txn, t, mid - 1, 1);
    if (!page.ok()) return page.status();
    if (page->events.empty()) return last + 1;
    if (proto::ToSys(page->events.front().at()) < from)
      lo = page->events.front().seq() + 1;
    else
      hi = mid;
  }
  return lo;
}

}  // namespace

StatusOr<std::vector<v1::Event>> Desk::ReadLog(uint64_t after,
                                               size_t limit) const {
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto page = store::ListEvents(*txn, tables_, after, limit);
  if (!page.ok()) return page.status();
  return std::move(page->events);
}

void Desk::NoteStream(const auth::Principal& who,
                      std::string_view query) const {
  NoteRead(who, "", "stream", query);
}

StatusOr<uint64_t> Desk::LastSeq() const {
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  return store::LastEventSeq(*txn, tables_);
}

StatusOr<std::string> Desk::Epoch() const {
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  return store::ReadEpoch(*txn, tables_);
}

StatusOr<v1::Board> Desk::Board() const {
  const google::protobuf::Timestamp now = Now();
  const sys_seconds day_start =
      sla::FromOslo(sla::ToOslo(proto::ToSys(now)).day, 0);
  v1::Board board;
  *board.mutable_at() = now;
  *board.mutable_day_start() = proto::ToTimestamp(day_start);
  {
    auto txn = store::Txn::BeginRead(env_);
    if (!txn.ok()) return txn.status();
    auto last = store::LastEventSeq(*txn, tables_);
    if (!last.ok()) return last.status();
    board.set_seq(*last);
    auto epoch = store::ReadEpoch(*txn, tables_);
    if (!epoch.ok()) return epoch.status();
    board.set_epoch(*epoch);

    // The open tickets, those due soonest first.
    std::vector<v1::TicketSummary> open;
    uint32_t total = 0;
    for (v1::TicketStatus status : proto::kOpenStatuses) {
      store::TicketFilter filter;
      filter.status = status;
      auto page = store::ListTickets(*txn, tables_, filter, 0, kBoardTickets);
      if (!page.ok()) return page.status();
      for (const auto& ticket : page->tickets) {
        proto::Summarize(nullptr, ticket, open.emplace_back());
        // The wall shows figures, not whose tickets they are.
        open.back().clear_reporter();
        open.back().clear_followers();
      }
    }
    auto counts = store::CountByStatus(*txn, tables_);
    if (!counts.ok()) return counts.status();
    for (v1::TicketStatus status : proto::kOpenStatuses)
      if (static_cast<size_t>(status) < counts->size())
        total += static_cast<uint32_t>((*counts)[status]);
    std::stable_sort(open.begin(), open.end(),
                     [](const auto& a, const auto& b) {
                       return SoonestDue(a) < SoonestDue(b);
                     });
    if (open.size() > kBoardTickets) open.resize(kBoardTickets);
    for (auto& t : open) *board.add_open() = std::move(t);
    board.set_open_total(total);

    // Today's figures per municipality, from today's events.
    std::map<std::string, v1::BoardMunicipality> days;
    for (const auto& m : region().municipalities()) {
      auto& d = days[m.id()];
      d.set_id(m.id());
      d.set_name(m.name());
    }
    auto first = FirstEventFrom(*txn, tables_, *last, day_start);
    if (!first.ok()) return first.status();
    std::vector<v1::BoardAlert> alerts;
    // A ticket's first response counts once (the events of one batch, and
    // of one second, share the clock's instant).
    std::set<std::string> responded;
    uint64_t after = *first - 1;
    size_t read = 0;
    while (after < *last && read < kBoardDayEvents) {
      auto page = store::ListEvents(*txn, tables_, after, 1000);
      if (!page.ok()) return page.status();
      if (page->events.empty()) break;
      for (const auto& e : page->events) {
        after = e.seq();
        ++read;
        const std::string& m = e.has_ticket()
                                   ? e.ticket().municipality()
                                   : e.ticket_created().ticket().municipality();
        auto day = days.find(m);
        if (day == days.end()) continue;
        if (e.has_ticket_created())
          day->second.set_created_today(day->second.created_today() + 1);
        if (e.has_status_changed() &&
            e.status_changed().to() == v1::TICKET_STATUS_RESOLVED)
          day->second.set_resolved_today(day->second.resolved_today() + 1);
        const auto& fr = e.ticket().sla().first_response();
        // The clock stops at the event's instant, to the second.
        if (fr.has_stopped_at() &&
            fr.stopped_at().seconds() == e.at().seconds() &&
            responded.insert(e.ticket_id()).second) {
          day->second.set_first_responses_today(
              day->second.first_responses_today() + 1);
          if (fr.state() == v1::SLA_CLOCK_STATE_MET)
            day->second.set_first_responses_met_today(
                day->second.first_responses_met_today() + 1);
        }
        if (e.has_sla_warning() || e.has_sla_breached()) {
          v1::BoardAlert& a = alerts.emplace_back();
          a.set_seq(e.seq());
          *a.mutable_at() = e.at();
          a.set_ticket_id(e.ticket_id());
          a.set_municipality(m);
          a.set_breached(e.has_sla_breached());
          a.set_kind(e.has_sla_breached() ? e.sla_breached().kind()
                                          : e.sla_warning().kind());
          a.set_priority(e.ticket().priority());
        }
      }
    }
    for (const auto& m : region().municipalities())
      *board.add_municipalities() = std::move(days[m.id()]);
    const int skip =
        std::max(0, static_cast<int>(alerts.size()) - kBoardAlerts);
    for (int i = static_cast<int>(alerts.size()) - 1; i >= skip; --i)
      *board.add_alerts() = std::move(alerts[i]);

    auto staff = store::LoadStaff(*txn, tables_);
    if (!staff.ok()) return staff.status();
    for (const auto& s : *staff)
      (*board.mutable_staff_names())[s.id()] = s.name();
  }
  auto vakt = VaktNow(std::nullopt);
  if (!vakt.ok()) return vakt.status();
  // Who is on vakt and how to reach them, and nothing else of their
  // records (absences, hours, notes are the registry's).
  v1::VaktNow& shown = *board.mutable_vakt();
  shown = std::move(vakt->vakt);
  for (v1::StaffMember* person :
       {shown.mutable_primary(), shown.mutable_backup()}) {
    v1::StaffMember kept;
    kept.set_id(person->id());
    kept.set_name(person->name());
    kept.set_phone(person->phone());
    *person = std::move(kept);
  }
  if (!shown.has_primary() || shown.primary().id().empty())
    shown.clear_primary();
  if (!shown.has_backup() || shown.backup().id().empty()) shown.clear_backup();
  shown.mutable_shift()->clear_note();
  if (shown.has_next()) shown.mutable_next()->clear_note();
  if (!shown.covered()) shown.clear_shift();
  return board;
}

}  // namespace helpdesk::desk
