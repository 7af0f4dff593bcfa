#include "daemon/paging/plan.h"

#include <algorithm>

#include "daemon/staff/schedule.h"
#include "proto/json.h"
#include "proto/timestamps.h"
#include "proto/wire_names.h"
#include "sla/holidays.h"
#include "sla/oslo_time.h"

namespace helpdesk::paging {
namespace {

using std::chrono::sys_seconds;

bool AtWork(const dispatch::Person& p, sys_seconds now) {
  const sla::OsloTime local = sla::ToOslo(now);
  return p.schedule.AtWork(local, sla::IsPublicHoliday(local.day));
}

bool Active(const dispatch::Person* p) {
  return p != nullptr && (!p->member->has_active() || p->member->active());
}

std::string_view PriorityWord(v1::Priority p) {
  switch (p) {
    case v1::PRIORITY_CRITICAL:
      return "kritisk";
    case v1::PRIORITY_HIGH:
      return "høy";
    case v1::PRIORITY_NORMAL:
      return "normal";
    case v1::PRIORITY_LOW:
      return "lav";
    default:
      return "";
  }
}

std::string_view ClockWord(v1::SlaClockKind k) {
  return k == v1::SLA_CLOCK_KIND_FIRST_RESPONSE ? "førsterespons" : "løsning";
}

std::string Capitalised(std::string_view word) {
  std::string out(word);
  if (!out.empty() && out[0] >= 'a' && out[0] <= 'z') out[0] -= 'a' - 'A';
  return out;
}

// "02:45" in Oslo time.
std::string OsloClock(const google::protobuf::Timestamp& at) {
  return sla::FormatClock(sla::ToOslo(proto::ToSys(at)).minute);
}

std::string NameAndPhone(const dispatch::Roster& roster, std::string_view id) {
  const dispatch::Person* p = roster.Find(id);
  if (p == nullptr) return std::string(id);
  std::string out = p->member->name();
  if (!p->member->phone().empty()) out += " (" + p->member->phone() + ")";
  return out;
}

void AddStep(v1::Page& page, const dispatch::Roster& roster,
             std::string_view to, std::string_view role, sys_seconds due) {
  for (const auto& s : page.steps())
    if (s.to() == to) return;  // each person once
  const dispatch::Person* p = roster.Find(to);
  if (!Active(p)) return;
  auto* step = page.add_steps();
  step->set_to(std::string(to));
  step->set_role(std::string(role));
  *step->mutable_due_at() = proto::ToTimestamp(due);
  step->set_state(v1::PAGE_STEP_STATE_SCHEDULED);
  step->set_name(p->member->name());
  step->set_phone(p->member->phone());
}

// The vakt chain for a ticket held by `assignee`: them, and for a
// critical ticket the other person of the shift, then the dispatchers.
void VaktChain(v1::Page& page, const dispatch::Roster& roster,
               const std::string& assignee,
               const std::vector<std::string>& dispatchers, const Options& o,
               sys_seconds now) {
  AddStep(page, roster, assignee, "assignee", now);
  if (page.priority() != v1::PRIORITY_CRITICAL) return;
  sys_seconds due = now;
  auto next = [&](std::string_view to, std::string_view role) {
    const int before = page.steps_size();
    AddStep(page, roster, to, role, due + o.escalate_after);
    if (page.steps_size() > before) due += o.escalate_after;
  };
  if (const v1::VaktShift* shift = staff::ShiftAt(roster.rota(), now)) {
    if (shift->primary() == assignee)
      next(shift->backup(), "vakt_backup");
    else
      next(shift->primary(), "vakt_primary");
  }
  // The first dispatcher not already in the chain.
  const int before = page.steps_size();
  for (const auto& d : dispatchers) {
    next(d, "dispatcher");
    if (page.steps_size() > before) break;
  }
}

v1::Page NewPage(const v1::Event& e, v1::PageReason reason, sys_seconds now) {
  v1::Page page;
  page.set_ticket_id(e.ticket_id());
  page.set_reason(reason);
  page.set_priority(e.ticket().priority());
  page.set_municipality(e.ticket().municipality());
  *page.mutable_created_at() = proto::ToTimestamp(now);
  page.set_state(v1::PAGE_STATE_OPEN);
  page.set_version(1);
  return page;
}

std::string MunicipalityName(const dispatch::Roster& roster,
                             std::string_view id) {
  const int i = roster.MunicipalityIndex(id);
  return i < 0 ? std::string(id) : roster.MunicipalityName(i);
}

// "Sak 1042 (kritisk) i Tinn: E-post"
std::string TicketLine(const v1::Event& e, const dispatch::Roster& roster) {
  const auto& t = e.ticket();
  return "Sak " + e.ticket_id() + " (" +
         std::string(PriorityWord(t.priority())) + ") i " +
         MunicipalityName(roster, t.municipality()) + ": " + t.service_name();
}

// The assignment an event records, if it records one.
const v1::Assignment* AssignmentOf(const v1::Event& e) {
  if (e.has_ticket_created()) return &e.ticket_created().ticket().assignment();
  if (e.has_assigned()) return &e.assigned().assignment();
  return nullptr;
}

void Finish(v1::Page& page, std::string subject, std::string text,
            const Options& o) {
  if (!o.public_url.empty() && !page.ticket_id().empty())
    text += "\nSaken: " + o.public_url + "/agent#/sak/" + page.ticket_id();
  page.set_subject(std::move(subject));
  page.set_text(std::move(text));
  SetNextAction(page);
}

}  // namespace

std::vector<std::string> DispatchersOnDuty(
    const std::vector<std::string>& dispatchers, const dispatch::Roster& roster,
    sys_seconds now) {
  std::vector<std::string> at_work, away;
  for (const auto& id : dispatchers) {
    const dispatch::Person* p = roster.Find(id);
    if (!Active(p)) continue;
    if (std::find(at_work.begin(), at_work.end(), id) != at_work.end() ||
        std::find(away.begin(), away.end(), id) != away.end())
      continue;
    (AtWork(*p, now) ? at_work : away).push_back(id);
  }
  at_work.insert(at_work.end(), away.begin(), away.end());
  return at_work;
}

std::optional<v1::Page> PlanPage(const v1::Event& e,
                                 const dispatch::Roster& roster,
                                 const std::vector<std::string>& dispatchers,
                                 const Options& o, sys_seconds now) {
  if (e.ticket_id().empty() || !e.has_ticket()) return std::nullopt;
  const auto& t = e.ticket();
  const bool urgent = t.priority() == v1::PRIORITY_CRITICAL ||
                      t.priority() == v1::PRIORITY_HIGH;
  if (const v1::Assignment* a = AssignmentOf(e)) {
    const bool by_rules = a->trigger() != v1::ASSIGNMENT_TRIGGER_MANUAL &&
                          a->trigger() != v1::ASSIGNMENT_TRIGGER_TAKEN;
    if (by_rules && urgent && a->vakt() &&
        a->outcome() == v1::ASSIGNMENT_OUTCOME_ASSIGNED &&
        !a->assignee().empty()) {
      v1::Page page = NewPage(e, v1::PAGE_REASON_URGENT, now);
      VaktChain(page, roster, a->assignee(), dispatchers, o, now);
      if (page.steps_size() == 0) return std::nullopt;
      std::string text =
          TicketLine(e, roster) + ".\nDu har vakt, og saken er gitt til deg.";
      if (a->missing_skills_size() > 0) {
        text += "\nDu mangler: ";
        for (int i = 0; i < a->missing_skills_size(); ++i)
          text += (i ? ", " : "") + a->missing_skills(i);
        if (a->call_in_size() > 0) {
          text += ". Kan ringes inn: ";
          for (int i = 0; i < a->call_in_size(); ++i)
            text += (i ? ", " : "") + NameAndPhone(roster, a->call_in(i));
        }
        text += ".";
      }
      Finish(page,
             "[" + Capitalised(PriorityWord(t.priority())) + "] Sak " +
                 e.ticket_id() + " til deg på vakt: " + t.service_name(),
             std::move(text), o);
      return page;
    }
    const bool no_taker =
        a->outcome() == v1::ASSIGNMENT_OUTCOME_UNASSIGNED &&
        (a->unassigned_reason() == v1::UNASSIGNED_REASON_NO_VAKT ||
         a->unassigned_reason() == v1::UNASSIGNED_REASON_NO_SKILLED_STAFF);
    if (by_rules && no_taker) {
      v1::Page page = NewPage(e, v1::PAGE_REASON_NO_TAKER, now);
      sys_seconds due = now;
      for (const auto& d : dispatchers) {
        const int before = page.steps_size();
        AddStep(page, roster, d, "dispatcher", due);
        if (page.steps_size() > before) due += o.escalate_after;
        if (t.priority() != v1::PRIORITY_CRITICAL || page.steps_size() == 3)
          break;
      }
      if (page.steps_size() == 0) {
        // No dispatcher: the vakt hears of it rather than no one.
        if (const v1::VaktShift* s = staff::ShiftAt(roster.rota(), now)) {
          AddStep(page, roster, s->primary(), "vakt_primary", now);
          if (page.steps_size() == 0)
            AddStep(page, roster, s->backup(), "vakt_backup", now);
        }
      }
      if (page.steps_size() == 0) return std::nullopt;
      std::string why =
          a->unassigned_reason() == v1::UNASSIGNED_REASON_NO_VAKT
              ? "Ingen har vakt nå (hull i vaktlista), og saken venter på "
                "jobbfordeling."
              : "Ingen aktiv person har ferdighetene tjenesten krever "
                "(feil i katalogen eller registeret), og saken venter på "
                "jobbfordeling.";
      Finish(page,
             "[" + Capitalised(PriorityWord(t.priority())) + "] Sak " +
                 e.ticket_id() + " uten mottaker: " + t.service_name(),
             TicketLine(e, roster) + ".\n" + why, o);
      return page;
    }
    return std::nullopt;
  }
  if (e.has_sla_warning() || e.has_sla_breached()) {
    const v1::SlaAlert& alert =
        e.has_sla_warning() ? e.sla_warning() : e.sla_breached();
    const std::string& holder = t.assignee();
    const dispatch::Person* p = roster.Find(holder);
    if (holder.empty() || !Active(p) || AtWork(*p, now)) return std::nullopt;
    const v1::VaktShift* shift = staff::ShiftAt(roster.rota(), now);
    if (shift == nullptr ||
        (shift->primary() != holder && shift->backup() != holder))
      return std::nullopt;
    v1::Page page = NewPage(e,
                            e.has_sla_warning() ? v1::PAGE_REASON_SLA_WARNING
                                                : v1::PAGE_REASON_SLA_BREACHED,
                            now);
    page.set_clock(alert.kind());
    VaktChain(page, roster, holder, dispatchers, o, now);
    if (page.steps_size() == 0) return std::nullopt;
    const std::string clock(ClockWord(alert.kind()));
    const std::string what =
        e.has_sla_warning()
            ? "Fristen for " + clock + " nærmer seg: den går ut " +
                  OsloClock(alert.due_at()) + "."
            : "Fristen for " + clock + " er brutt (gikk ut " +
                  OsloClock(alert.due_at()) + ").";
    Finish(page,
           std::string(e.has_sla_warning() ? "[Frist] " : "[Brudd] ") + "Sak " +
               e.ticket_id() + ": " + clock + ", " + t.service_name(),
           TicketLine(e, roster) + ".\n" + what, o);
    return page;
  }
  return std::nullopt;
}

v1::Page PlanTestPage(const dispatch::Person& to, const Options& o,
                      sys_seconds now) {
  v1::Page page;
  page.set_reason(v1::PAGE_REASON_TEST);
  *page.mutable_created_at() = proto::ToTimestamp(now);
  page.set_state(v1::PAGE_STATE_OPEN);
  page.set_version(1);
  auto* step = page.add_steps();
  step->set_to(to.member->id());
  step->set_role("test");
  *step->mutable_due_at() = proto::ToTimestamp(now);
  step->set_state(v1::PAGE_STEP_STATE_SCHEDULED);
  step->set_name(to.member->name());
  step->set_phone(to.member->phone());
  Finish(page, "[Test] Varsling fra helpdeskd",
         "Dette er en testvarsling til " + to.member->name() +
             ". Den kom fram: ingen handling trengs.",
         o);
  return page;
}

uint32_t Acknowledge(v1::Page& page, std::string_view by, std::string_view how,
                     sys_seconds now) {
  uint32_t cancelled = 0;
  for (auto& step : *page.mutable_steps()) {
    if (step.state() != v1::PAGE_STEP_STATE_SCHEDULED) continue;
    step.set_state(v1::PAGE_STEP_STATE_CANCELLED);
    for (auto& d : *step.mutable_deliveries()) d.clear_next_attempt_at();
    ++cancelled;
  }
  page.set_state(v1::PAGE_STATE_ACKNOWLEDGED);
  page.set_acknowledged_by(std::string(by));
  *page.mutable_acknowledged_at() = proto::ToTimestamp(now);
  page.set_acknowledged_how(std::string(how));
  page.set_version(page.version() + 1);
  SetNextAction(page);
  return cancelled;
}

std::vector<int> StartDueSteps(v1::Page& page, const Channels& channels,
                               sys_seconds now) {
  std::vector<int> started;
  if (page.state() != v1::PAGE_STATE_OPEN) return started;
  const auto now_ts = proto::ToTimestamp(now);
  for (int i = 0; i < page.steps_size(); ++i) {
    auto& step = *page.mutable_steps(i);
    if (step.state() != v1::PAGE_STEP_STATE_SCHEDULED ||
        step.deliveries_size() > 0 || proto::ToSys(step.due_at()) > now)
      continue;
    auto add = [&](const char* channel) {
      auto* d = step.add_deliveries();
      d->set_channel(channel);
      *d->mutable_next_attempt_at() = now_ts;
    };
    add("live");
    if (channels.email) add("email");
    if (channels.webhook) add("webhook");
    *step.mutable_started_at() = now_ts;
    started.push_back(i);
  }
  if (!started.empty()) {
    page.set_version(page.version() + 1);
    SetNextAction(page);
  }
  return started;
}

std::optional<v1::PageDelivery> RecordAttempt(v1::Page& page, const Attempt& a,
                                              const Options& o,
                                              sys_seconds now) {
  if (a.step < 0 || a.step >= page.steps_size()) return std::nullopt;
  auto& step = *page.mutable_steps(a.step);
  if (step.state() != v1::PAGE_STEP_STATE_SCHEDULED) return std::nullopt;
  v1::PageDelivery* d = nullptr;
  for (auto& each : *step.mutable_deliveries())
    if (each.channel() == a.channel) d = &each;
  if (d == nullptr || d->delivered() || d->gave_up()) return std::nullopt;
  d->set_attempts(d->attempts() + 1);
  if (!a.address.empty()) d->set_address(a.address);
  bool final = true;
  if (a.delivered) {
    d->set_delivered(true);
    d->clear_last_error();
    *d->mutable_delivered_at() = proto::ToTimestamp(now);
    d->clear_next_attempt_at();
  } else {
    d->set_last_error(a.error);
    // Counted from the step's start: a daemon down past give_up_after
    // still tries for that long once it is back.
    const auto started =
        proto::ToSys(step.has_started_at() ? step.started_at() : step.due_at());
    if (now - started >= o.give_up_after) {
      d->set_gave_up(true);
      d->clear_next_attempt_at();
    } else {
      // 5 s, 10 s, 20 s ... at most 5 minutes between attempts.
      const uint32_t n = std::min<uint32_t>(d->attempts(), 7);
      const auto wait = std::min(std::chrono::seconds(5) * (1 << (n - 1)),
                                 std::chrono::seconds(300));
      *d->mutable_next_attempt_at() = proto::ToTimestamp(now + wait);
      final = false;
    }
  }
  bool done = true;
  for (const auto& each : step.deliveries())
    done &= each.delivered() || each.gave_up();
  if (done) step.set_state(v1::PAGE_STEP_STATE_SENT);
  page.set_version(page.version() + 1);
  SetNextAction(page);
  if (!final) return std::nullopt;
  return *d;
}

void SetNextAction(v1::Page& page) {
  std::optional<sys_seconds> next;
  auto consider = [&next](const google::protobuf::Timestamp& at) {
    const sys_seconds t = proto::ToSys(at);
    if (!next || t < *next) next = t;
  };
  if (page.state() == v1::PAGE_STATE_OPEN) {
    for (const auto& step : page.steps()) {
      if (step.state() != v1::PAGE_STEP_STATE_SCHEDULED) continue;
      if (step.deliveries_size() == 0) {
        consider(step.due_at());
        continue;
      }
      for (const auto& d : step.deliveries())
        if (!d.delivered() && !d.gave_up() && d.has_next_attempt_at())
          consider(d.next_attempt_at());
    }
  }
  if (next)
    *page.mutable_next_action_at() = proto::ToTimestamp(*next);
  else
    page.clear_next_action_at();
}

std::vector<std::pair<int, std::string>> DueDeliveries(const v1::Page& page,
                                                       sys_seconds now) {
  std::vector<std::pair<int, std::string>> out;
  if (page.state() != v1::PAGE_STATE_OPEN) return out;
  for (int i = 0; i < page.steps_size(); ++i) {
    const auto& step = page.steps(i);
    if (step.state() != v1::PAGE_STEP_STATE_SCHEDULED) continue;
    for (const auto& d : step.deliveries())
      if (!d.delivered() && !d.gave_up() && d.has_next_attempt_at() &&
          proto::ToSys(d.next_attempt_at()) <= now)
        out.emplace_back(i, d.channel());
  }
  return out;
}

std::string MailText(const v1::Page& page, int step) {
  std::string text = page.text();
  if (step >= 0 && step < page.steps_size()) {
    const auto& s = page.steps(step);
    if (step > 0)
      text += "\nIngen har kvittert siden " + OsloClock(page.created_at()) +
              ": varselet går videre til deg.";
    text += "\nTil: " + s.name() + " (" + s.role() + ")";
  }
  text += "\nVarsel " + page.id() +
          ". Kvitter ved å ta saken, endre status, "
          "svare, eller med POST /api/v1/pages/" +
          page.id() + "/ack.";
  return text;
}

std::string WebhookJson(const v1::Page& page, int step,
                        std::string_view delivery_id,
                        std::string_view public_url) {
  const v1::PageStep* s =
      step >= 0 && step < page.steps_size() ? &page.steps(step) : nullptr;
  std::string out = "{\"type\":\"page\",\"id\":";
  proto::AppendJsonString(out, delivery_id);
  out += ",\"page\":";
  proto::AppendJsonString(out, page.id());
  out += ",\"ticket\":";
  proto::AppendJsonString(out, page.ticket_id());
  out += ",\"reason\":";
  proto::AppendJsonString(out, proto::WireName(page.reason()));
  out += ",\"priority\":";
  proto::AppendJsonString(out, proto::WireName(page.priority()));
  out += ",\"municipality\":";
  proto::AppendJsonString(out, page.municipality());
  out += ",\"step\":" + std::to_string(step) + ",\"role\":";
  proto::AppendJsonString(out, s ? s->role() : "");
  out += ",\"to\":{\"id\":";
  proto::AppendJsonString(out, s ? s->to() : "");
  out += ",\"name\":";
  proto::AppendJsonString(out, s ? s->name() : "");
  out += ",\"phone\":";
  proto::AppendJsonString(out, s ? s->phone() : "");
  out += "},\"subject\":";
  proto::AppendJsonString(out, page.subject());
  out += ",\"text\":";
  proto::AppendJsonString(out, MailText(page, step));
  if (!public_url.empty()) {
    out += ",\"ackUrl\":";
    proto::AppendJsonString(
        out, std::string(public_url) + "/api/v1/pages/" + page.id() + "/ack");
  }
  out += "}";
  return out;
}

std::string DeliveryId(std::string_view epoch, const v1::Page& page, int step) {
  return std::string(epoch.empty() ? "0" : epoch) + "." + page.id() + "." +
         std::to_string(step);
}

}  // namespace helpdesk::paging
