#include "daemon/tickets/sla_clocks.h"

#include <algorithm>
#include <cstdint>
#include <limits>

#include "proto/timestamps.h"

namespace helpdesk::tickets {
namespace {

using std::chrono::seconds;

// Open time of the clock's calendar in [from, to); wall-clock time when the
// calendar is gone from the policy (a clock never stops counting for that).
seconds Between(const v1::SlaClock& c, const sla::PolicyBook& book,
                sys_seconds from, sys_seconds to) {
  if (const auto* cal = book.Calendar(c.calendar()))
    return cal->Between(from, to);
  return std::max(to - from, seconds(0));
}

// The warning and due instants of a counting clock, from `since` with the
// time already used.
void Schedule(v1::SlaClock& c, const sla::PolicyBook& book, double share) {
  const seconds target(c.target_seconds());
  const seconds used(c.elapsed_seconds());
  const seconds warn(
      static_cast<int64_t>(static_cast<double>(target.count()) * share));
  const sys_seconds since = proto::ToSys(c.since());
  auto add = [&](seconds left) {
    left = std::max(left, seconds(0));
    if (const auto* cal = book.Calendar(c.calendar()))
      return cal->Add(since, left);
    return since + left;
  };
  *c.mutable_warning_at() = proto::ToTimestamp(add(warn - used));
  *c.mutable_due_at() = proto::ToTimestamp(add(target - used));
}

bool Stopped(const v1::SlaClock& c) { return c.has_stopped_at(); }

// Adds the counting time up to `now` and moves `since` there.
void Settle(v1::SlaClock& c, const sla::PolicyBook& book, sys_seconds now) {
  if (c.counting())
    c.set_elapsed_seconds(
        c.elapsed_seconds() +
        Between(c, book, proto::ToSys(c.since()), now).count());
  *c.mutable_since() = proto::ToTimestamp(now);
}

v1::SlaClock Start(v1::SlaClockKind kind, const sla::Target& target,
                   const sla::PolicyBook& book, double share, sys_seconds now) {
  v1::SlaClock c;
  c.set_kind(kind);
  c.set_target_seconds(target.time.count());
  c.set_calendar(target.calendar);
  c.set_state(v1::SLA_CLOCK_STATE_RUNNING);
  c.set_counting(true);
  *c.mutable_since() = proto::ToTimestamp(now);
  Schedule(c, book, share);
  return c;
}

void Pause(v1::SlaClock& c, const sla::PolicyBook& book, sys_seconds now) {
  if (Stopped(c) || !c.counting()) return;
  Settle(c, book, now);
  c.set_counting(false);
  c.clear_warning_at();
  c.clear_due_at();
  if (c.state() == v1::SLA_CLOCK_STATE_RUNNING)
    c.set_state(v1::SLA_CLOCK_STATE_PAUSED);
}

void Resume(v1::SlaClock& c, const sla::PolicyBook& book, double share,
            sys_seconds now) {
  if (Stopped(c) || c.counting()) return;
  *c.mutable_since() = proto::ToTimestamp(now);
  c.set_counting(true);
  if (c.state() == v1::SLA_CLOCK_STATE_PAUSED)
    c.set_state(v1::SLA_CLOCK_STATE_RUNNING);
  Schedule(c, book, share);
}

void Stop(v1::SlaClock& c, const sla::PolicyBook& book, sys_seconds now) {
  if (Stopped(c)) return;
  Settle(c, book, now);
  c.set_counting(false);
  c.clear_warning_at();
  c.clear_due_at();
  *c.mutable_stopped_at() = proto::ToTimestamp(now);
  if (c.state() != v1::SLA_CLOCK_STATE_BREACHED)
    c.set_state(c.elapsed_seconds() > c.target_seconds()
                    ? v1::SLA_CLOCK_STATE_BREACHED
                    : v1::SLA_CLOCK_STATE_MET);
}

void Reopen(v1::SlaClock& c, const sla::PolicyBook& book, double share,
            sys_seconds now) {
  if (!Stopped(c)) return;
  c.clear_stopped_at();
  if (c.state() == v1::SLA_CLOCK_STATE_MET)
    c.set_state(v1::SLA_CLOCK_STATE_RUNNING);
  c.set_counting(true);
  *c.mutable_since() = proto::ToTimestamp(now);
  Schedule(c, book, share);
}

int PriorityIndex(v1::Priority p) {
  return p >= v1::PRIORITY_CRITICAL && p <= v1::PRIORITY_LOW ? p : sla::kNormal;
}

bool Pauses(const v1::TicketSla& sla, v1::TicketStatus s) {
  return s == v1::TICKET_STATUS_WAITING_ON_USER ||
         (s == v1::TICKET_STATUS_WAITING_ON_SUPPLIER &&
          sla.pause_on_supplier());
}

}  // namespace

std::optional<v1::TicketSla> StartClocks(const sla::PolicyBook& book,
                                         const std::string& sla_class,
                                         v1::Priority priority,
                                         sys_seconds now) {
  const sla::ClassTargets* targets = book.Find(sla_class);
  if (targets == nullptr) return std::nullopt;
  const int p = PriorityIndex(priority);
  v1::TicketSla sla;
  sla.set_sla_class(sla_class);
  sla.set_priority(static_cast<v1::Priority>(p));
  sla.set_warn_share(book.policy().warn_share);
  sla.set_pause_on_supplier(book.policy().pause_on_supplier);
  *sla.mutable_first_response() =
      Start(v1::SLA_CLOCK_KIND_FIRST_RESPONSE, targets->response[p], book,
            sla.warn_share(), now);
  *sla.mutable_resolution() =
      Start(v1::SLA_CLOCK_KIND_RESOLUTION, targets->resolution[p], book,
            sla.warn_share(), now);
  return sla;
}

void OnStatus(v1::TicketSla& sla, const sla::PolicyBook& book,
              v1::TicketStatus from, v1::TicketStatus to, sys_seconds now) {
  auto* response = sla.mutable_first_response();
  auto* resolution = sla.mutable_resolution();
  if (to == v1::TICKET_STATUS_RESOLVED || to == v1::TICKET_STATUS_CLOSED) {
    Stop(*response, book, now);
    Stop(*resolution, book, now);
    return;
  }
  if (from == v1::TICKET_STATUS_RESOLVED) {  // reopened
    Reopen(*resolution, book, sla.warn_share(), now);
  } else if (Pauses(sla, to) && !Pauses(sla, from)) {
    Pause(*response, book, now);
    Pause(*resolution, book, now);
  } else if (!Pauses(sla, to) && Pauses(sla, from)) {
    Resume(*response, book, sla.warn_share(), now);
    Resume(*resolution, book, sla.warn_share(), now);
  }
  if (to == v1::TICKET_STATUS_IN_PROGRESS) Stop(*response, book, now);
}

void OnPublicReply(v1::TicketSla& sla, const sla::PolicyBook& book,
                   sys_seconds now) {
  Stop(*sla.mutable_first_response(), book, now);
}

void OnPriority(v1::TicketSla& sla, const sla::PolicyBook& book,
                v1::Priority priority, sys_seconds now) {
  const sla::ClassTargets* targets = book.Find(sla.sla_class());
  if (targets == nullptr) return;
  const int p = PriorityIndex(priority);
  sla.set_priority(static_cast<v1::Priority>(p));
  for (auto [clock, target] :
       {std::pair{sla.mutable_first_response(), &targets->response[p]},
        std::pair{sla.mutable_resolution(), &targets->resolution[p]}}) {
    if (Stopped(*clock)) continue;
    Settle(*clock, book, now);
    clock->set_target_seconds(target->time.count());
    clock->set_calendar(target->calendar);
    if (clock->counting()) Schedule(*clock, book, sla.warn_share());
  }
}

std::chrono::seconds Elapsed(const v1::SlaClock& clock,
                             const sla::PolicyBook& book, sys_seconds now) {
  const int64_t before = clock.elapsed_seconds();
  if (!clock.counting()) return seconds(before);
  const int64_t more =
      Between(clock, book, proto::ToSys(clock.since()), now).count();
  // A clock read from the store is taken as it is: one whose elapsed time
  // cannot be right (near the type's limit, from a damaged record; found
  // by fuzzing) saturates rather than overflows.
  int64_t used;
  if (__builtin_add_overflow(before, more, &used))
    used = more > 0 ? std::numeric_limits<int64_t>::max()
                    : std::numeric_limits<int64_t>::min();
  return seconds(used);
}

v1::SlaClock ReadAt(const v1::SlaClock& clock, const sla::PolicyBook& book,
                    sys_seconds now) {
  v1::SlaClock out = clock;
  out.set_elapsed_seconds(Elapsed(clock, book, now).count());
  if (out.state() == v1::SLA_CLOCK_STATE_RUNNING &&
      out.elapsed_seconds() > out.target_seconds())
    out.set_state(v1::SLA_CLOCK_STATE_BREACHED);
  return out;
}

}  // namespace helpdesk::tickets
