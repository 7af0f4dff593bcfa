// SLA warnings and breaches: a clock that reaches the warning share of its
// target, or its due time, gets one SlaWarning or SlaBreached event, driven
// by the store's due-time index (never a scan of the tickets). The flags
// that say an alert is recorded live on the ticket, written in the same
// transaction as the event, so an alert is recorded exactly once, also
// across restarts: at start, what fell due while the daemon was down is
// recorded then.

#include <spdlog/spdlog.h>

#include "daemon/http/api.h"
#include "daemon/staff/schedule.h"
#include "daemon/store/sla_index.h"
#include "daemon/tickets/sla_clocks.h"
#include "proto/timestamps.h"

namespace helpdesk::http {
namespace {

// Alerts recorded in one write; more wait for the next tick.
constexpr size_t kMaxAlertsPerWrite = 500;

}  // namespace

Status Api::RecordSlaAlerts(store::WriteContext& w,
                            store::WriteResult& result) {
  const auto now = proto::ToSys(w.now());
  auto due = store::DueBy(w.txn(), w.tables(), now.time_since_epoch().count(),
                          kMaxAlertsPerWrite);
  if (!due.ok()) return w.Fail(due.status());
  for (const store::SlaDue& d : *due) {
    auto current = store::GetTicket(w.txn(), w.tables(), d.ticket);
    if (!current.ok()) return w.Fail(current.status());
    if (!*current || !(*current)->has_sla()) continue;
    const v1::Ticket& before = **current;
    v1::Ticket after = before;
    const bool response = d.alert == 1 || d.alert == 2;
    const bool breach = d.alert == 2 || d.alert == 4;
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
    v1::Event event;
    *event.mutable_at() = w.now();
    event.set_actor("sla");
    event.set_request_id("sla");
    event.set_ticket_id(after.id());
    event.set_ticket_version(after.version());
    v1::SlaAlert* alert =
        breach ? event.mutable_sla_breached() : event.mutable_sla_warning();
    alert->set_kind(clock->kind());
    const std::chrono::sys_seconds due_at{std::chrono::seconds(d.at)};
    *alert->mutable_due_at() = proto::ToTimestamp(due_at);
    alert->set_target_seconds(clock->target_seconds());
    alert->set_elapsed_seconds(
        tickets::Elapsed(*clock, sla_book_, due_at).count());
    alert->set_calendar(clock->calendar());
    if (Status s = w.Save(&before, after, event); !s.ok()) return s;
    result.events.push_back(std::move(event));
  }
  return Status::Ok();
}

void Api::SweepSla() {
  // Nothing due: no write at all (an idle daemon writes nothing).
  {
    auto txn = store::Txn::BeginRead(env_);
    if (!txn.ok()) return;
    auto next = store::NextDue(*txn, tables_);
    if (!next.ok() || !*next || **next > Now().seconds()) return;
  }
  Status queued = writer_.Submit(
      [this](store::WriteContext& w) {
        store::WriteResult result;
        result.status = RecordSlaAlerts(w, result);
        return result;
      },
      [](store::WriteResult result) {
        if (!result.status.ok())
          spdlog::warn("recording SLA alerts failed: {}",
                       result.status.message());
        else if (!result.events.empty())
          spdlog::info("{} SLA alerts recorded", result.events.size());
      });
  if (!queued.ok()) spdlog::warn("SLA alerts not queued: {}", queued.message());
}

}  // namespace helpdesk::http
