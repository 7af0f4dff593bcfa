#include "daemon/dispatch/dispatch.h"

#include <algorithm>
#include <optional>

#include "proto/timestamps.h"
#include "proto/wire_names.h"
#include "sla/holidays.h"
#include "sla/oslo_time.h"

namespace helpdesk::dispatch {
namespace {

// How far ahead a normal ticket filed out of hours looks for the next
// working day (a fortnight covers Easter and Christmas).
constexpr int kLookAheadDays = 14;

bool Urgent(v1::Priority p) {
  return p == v1::PRIORITY_CRITICAL || p == v1::PRIORITY_HIGH;
}

std::string People(size_t n) {
  return std::to_string(n) + (n == 1 ? " person" : " people");
}

std::string Join(const google::protobuf::RepeatedPtrField<std::string>& v) {
  std::string out;
  for (const auto& s : v) out += (out.empty() ? "" : ", ") + s;
  return out;
}

std::string OneDecimal(double v) {
  const auto tenths = static_cast<long long>(v * 10 + 0.5);
  return std::to_string(tenths / 10) + "." + std::to_string(tenths % 10);
}

std::string Who(const v1::StaffMember& m) {
  return m.name() + " (" + m.id() + ")";
}

// Builds the decision step by step; `pool` holds the candidates still in.
class Decision {
 public:
  Decision(v1::Assignment& out, const Roster& roster)
      : out_(out), roster_(roster) {}

  std::vector<int> pool;

  // Keeps the candidates `keep` accepts.
  template <typename Keep>
  void Filter(Keep keep) {
    std::erase_if(pool, [&](int i) { return !keep(roster_.people()[i]); });
  }
  void Step(const char* rule, std::string note) {
    auto* s = out_.add_steps();
    s->set_rule(rule);
    s->set_kept(static_cast<uint32_t>(pool.size()));
    s->set_note(std::move(note));
  }
  bool empty() const { return pool.empty(); }

 private:
  v1::Assignment& out_;
  const Roster& roster_;
};

// The lowest load per post (compared exactly, without division), then the
// least recently assigned, then the id.
int Choose(const std::vector<int>& pool, const Roster& roster,
           const LoadOf& load_of, Load& chosen_load) {
  int best = -1;
  uint64_t best_work = 0, best_fte = 1;
  for (int i : pool) {
    const Person& p = roster.people()[i];
    Load l = load_of(p);
    const uint64_t work = WeightedWork(l);
    const uint64_t fte = std::max<uint32_t>(p.member->fte_percent(), 1);
    bool better = best < 0;
    if (!better) {
      const auto lhs = work * best_fte, rhs = best_work * fte;
      if (lhs != rhs) {
        better = lhs < rhs;
      } else if (l.last_assigned_seq != chosen_load.last_assigned_seq) {
        better = l.last_assigned_seq < chosen_load.last_assigned_seq;
      } else {
        better = p.member->id() < roster.people()[best].member->id();
      }
    }
    if (better) {
      best = i;
      best_work = work;
      best_fte = fte;
      chosen_load = l;
    }
  }
  return best;
}

void Unassigned(v1::Assignment& a, v1::UnassignedReason reason) {
  a.set_outcome(v1::ASSIGNMENT_OUTCOME_UNASSIGNED);
  a.set_unassigned_reason(reason);
  a.clear_assignee();
  a.clear_vakt();
  a.clear_travel();
  a.clear_travel_from();
  a.clear_travel_minutes();
}

const char* PresenceLabel(v1::Presence p) {
  switch (p) {
    case v1::PRESENCE_NECESSARY:
      return "necessary";
    case v1::PRESENCE_DESIRABLE:
      return "desirable";
    default:
      return "not_needed";
  }
}

}  // namespace

Load LoadOfStored(const v1::StaffLoad& stored) {
  Load load;
  for (int p = 0; p < 5 && p < stored.open_by_priority_size(); ++p)
    load.open_by_priority[p] = stored.open_by_priority(p);
  load.last_assigned_seq = stored.last_assigned_seq();
  return load;
}

uint32_t OpenTickets(const Load& load) {
  uint32_t open = 0;
  for (uint32_t n : load.open_by_priority) open += n;
  return open;
}

uint32_t PriorityWeight(v1::Priority priority) {
  switch (priority) {
    case v1::PRIORITY_CRITICAL:
      return 8;
    case v1::PRIORITY_HIGH:
      return 4;
    case v1::PRIORITY_LOW:
      return 1;
    default:
      return 2;  // normal (and unspecified, counted as normal)
  }
}

uint64_t WeightedWork(const Load& load) {
  uint64_t sum = 0;
  for (int p = 0; p < 5; ++p)
    sum += uint64_t{load.open_by_priority[p]} *
           PriorityWeight(static_cast<v1::Priority>(p));
  return sum;
}

double LoadPerPost(const Load& load, uint32_t fte_percent) {
  return static_cast<double>(WeightedWork(load)) * 100.0 /
         std::max<uint32_t>(fte_percent, 1);
}

v1::Assignment Decide(const Input& in, const Roster& roster,
                      const LoadOf& load_of) {
  const v1::Ticket& t = *in.ticket;
  const v1::ServiceSnapshot& svc = *in.service;
  v1::Assignment a;
  a.set_trigger(in.trigger);
  a.set_previous_assignee(t.assignee());
  a.set_by("dispatch");
  *a.mutable_at() = proto::ToTimestamp(in.now);
  const bool external = svc.delivery() == v1::DELIVERY_EXTERNAL;
  if (external) a.set_supplier(svc.supplier().name());
  const v1::Presence presence =
      external ? v1::PRESENCE_NOT_NEEDED : svc.presence();
  std::string path = external ? "external" : PresenceLabel(presence);

  Decision d(a, roster);
  // 1. Skills, from the posting list of the rarest one.
  google::protobuf::RepeatedPtrField<std::string> skills;
  if (external)
    *skills.Add() = std::string(kSupplierFollowUpSkill);
  else
    skills = svc.skills();
  Bits need;
  const std::vector<int>* rarest = nullptr;
  bool unknown_skill = false;
  for (const auto& s : skills) {
    int i = roster.SkillIndex(s);
    if (i < 0) {
      unknown_skill = true;
      break;
    }
    need.Set(i);
    if (rarest == nullptr || roster.WithSkill(i).size() < rarest->size())
      rarest = &roster.WithSkill(i);
  }
  if (!unknown_skill) {
    if (rarest != nullptr) {
      d.pool = *rarest;
    } else {
      d.pool.resize(roster.people().size());
      for (size_t i = 0; i < d.pool.size(); ++i)
        d.pool[i] = static_cast<int>(i);
    }
    d.Filter([&](const Person& p) { return p.skills.Contains(need); });
  }
  d.Step("skills",
         People(d.pool.size()) + " with every skill needed (" + Join(skills) +
             ")" +
             (external ? " to follow up the supplier " + svc.supplier().name()
                       : ""));
  auto finish = [&](v1::UnassignedReason reason) {
    a.set_rule_path(path + " > unassigned");
    Unassigned(a, reason);
    a.set_explanation(Explain(a, roster));
    return a;
  };
  if (d.empty()) return finish(v1::UNASSIGNED_REASON_NO_SKILLED_STAFF);

  // 2. Active, and not the person the ticket is being moved away from.
  d.Filter([&](const Person& p) {
    return p.member->active() && p.member->id() != in.exclude;
  });
  d.Step("active",
         People(d.pool.size()) + " active" +
             (in.exclude.empty() ? ""
                                 : " (not counting " + std::string(in.exclude) +
                                       ", the current assignee)"));
  if (d.empty()) return finish(v1::UNASSIGNED_REASON_NO_SKILLED_STAFF);

  // 3. Not absent today.
  const sla::OsloTime local = sla::ToOslo(in.now);
  d.Filter([&](const Person& p) {
    return p.schedule.AbsentOn(local.day) == v1::ABSENCE_KIND_UNSPECIFIED;
  });
  d.Step("not_absent", People(d.pool.size()) + " not absent today");
  if (d.empty()) return finish(v1::UNASSIGNED_REASON_NO_ONE_AVAILABLE);

  // 4. Available: at work now; else vakt (urgent) or the next working day.
  const bool holiday = sla::IsPublicHoliday(local.day);
  std::vector<int> present = d.pool;
  std::erase_if(present, [&](int i) {
    return !roster.people()[i].schedule.AtWork(local, holiday);
  });
  std::string when = "at work now";
  if (!present.empty()) {
    d.pool = std::move(present);
    d.Step("available", People(d.pool.size()) + " at work now");
  } else if (Urgent(t.priority())) {
    const v1::VaktShift* shift = staff::ShiftAt(roster.rota(), in.now);
    // Primary first, then backup: both stay in, in that order, so the
    // backup takes on-site work the primary cannot reach.
    std::vector<int> vakt;
    for (const std::string* id : {shift ? &shift->primary() : nullptr,
                                  shift ? &shift->backup() : nullptr}) {
      if (id == nullptr || id->empty()) continue;
      const Person* p = roster.Find(*id);
      if (p == nullptr) continue;
      const int index = static_cast<int>(p - roster.people().data());
      if (std::find(d.pool.begin(), d.pool.end(), index) != d.pool.end())
        vakt.push_back(index);
    }
    d.pool = std::move(vakt);
    when = "vakt";
    std::string note = "no one qualified is at work now (" +
                       proto::WireName(t.priority()) + " priority): ";
    if (shift == nullptr)
      note += "no vakt shift covers this time";
    else if (d.empty())
      note += "the vakt (" + shift->primary() +
              (shift->backup().empty() ? "" : ", backup " + shift->backup()) +
              ") does not qualify";
    else
      note += "on vakt: " + People(d.pool.size()) + " qualified (" +
              shift->primary() +
              (shift->backup().empty() ? "" : ", backup " + shift->backup()) +
              ")";
    d.Step("available", std::move(note));
    path += " > vakt";
    if (d.empty()) return finish(v1::UNASSIGNED_REASON_NO_VAKT);
    a.set_vakt(true);
  } else {
    // The first day someone qualified works, from later today on.
    std::vector<int> next;
    date::local_days day = local.day;
    for (int k = 0; k <= kLookAheadDays && next.empty();
         ++k, day += date::days(1)) {
      if (sla::IsPublicHoliday(day)) continue;
      const int weekday = static_cast<int>(date::weekday(day).iso_encoding());
      const int from = k == 0 ? local.minute : 0;
      for (int i : d.pool) {
        const auto& s = roster.people()[i].schedule;
        if (s.WorksDuring(weekday, from, 24 * 60) &&
            s.AbsentOn(day) == v1::ABSENCE_KIND_UNSPECIFIED)
          next.push_back(i);
      }
      if (!next.empty()) when = "next at work " + sla::FormatLocalDay(day);
    }
    d.pool = std::move(next);
    d.Step("available", d.empty() ? "no one qualified is at work in the next " +
                                        std::to_string(kLookAheadDays) + " days"
                                  : "no one qualified is at work now; " +
                                        People(d.pool.size()) + " " + when +
                                        " (the ticket waits for them)");
    path += " > next_working_day";
    if (d.empty()) return finish(v1::UNASSIGNED_REASON_NO_ONE_AVAILABLE);
  }

  // 5. Where the work is done.
  const int muni = roster.MunicipalityIndex(t.municipality());
  const std::string& muni_name = roster.MunicipalityName(muni);
  if (external) {
    d.Step("presence", "supplier work is followed up from anywhere");
    path += " > owner";
  } else if (presence == v1::PRESENCE_NECESSARY ||
             presence == v1::PRESENCE_DESIRABLE) {
    std::vector<int> local_people = d.pool;
    std::erase_if(local_people, [&](int i) {
      return muni < 0 || !roster.people()[i].covers.Test(muni);
    });
    if (!local_people.empty()) {
      d.pool = std::move(local_people);
      d.Step("local", People(d.pool.size()) +
                          (d.pool.size() == 1 ? " covers " : " cover ") +
                          muni_name + " on site");
      path += " > local";
    } else if (presence == v1::PRESENCE_DESIRABLE) {
      d.Step("region", "no one available covers " + muni_name +
                           " on site; local presence is only desirable, so " +
                           People(d.pool.size()) + " in the region remain");
      path += " > region";
    } else {
      // The nearest neighbours with anyone available; equally near ones
      // all count, so the table's order never picks between them: the
      // lightest load does, in step 6.
      std::optional<uint32_t> nearest;
      if (roster.options().travel_fallback)
        for (const Neighbour& n : roster.Neighbours(muni)) {
          if (nearest && n.minutes > *nearest) break;
          for (int i : d.pool)
            if (roster.people()[i].home == n.municipality) nearest = n.minutes;
        }
      std::vector<int> near_homes;  // municipality indexes, table order
      if (nearest)
        for (const Neighbour& n : roster.Neighbours(muni))
          if (n.minutes == *nearest &&
              std::find(near_homes.begin(), near_homes.end(), n.municipality) ==
                  near_homes.end())
            near_homes.push_back(n.municipality);
      std::erase_if(d.pool, [&](int i) {
        return std::find(near_homes.begin(), near_homes.end(),
                         roster.people()[i].home) == near_homes.end();
      });
      if (d.pool.empty()) {
        d.Step(
            "travel",
            "no one available covers " + muni_name + " on site" +
                (roster.options().travel_fallback
                     ? " or is based in a neighbouring municipality within " +
                           std::to_string(roster.options().max_travel_minutes) +
                           " minutes"
                     : " (travel fallback is off)"));
        path += " > travel";
        return finish(v1::UNASSIGNED_REASON_NO_LOCAL_STAFF);
      }
      std::string based_in;
      for (int home : near_homes) {
        const bool anyone =
            std::any_of(d.pool.begin(), d.pool.end(),
                        [&](int i) { return roster.people()[i].home == home; });
        if (!anyone) continue;
        if (!based_in.empty()) based_in += " or ";
        based_in += roster.MunicipalityName(home);
      }
      a.set_travel(true);
      a.set_travel_minutes(*nearest);
      d.Step("travel", "no one available covers " + muni_name + " on site; " +
                           People(d.pool.size()) + " based in " + based_in +
                           ", " + std::to_string(*nearest) +
                           " minutes away, the nearest with anyone");
      path += " > travel";
    }
  } else {
    d.Step("region",
           "remote work: " + People(d.pool.size()) + " anywhere in the region");
    path += " > region";
  }

  // 6. Vakt: the primary before the backup. Else the lowest load, then the
  // least recently assigned.
  Load load;
  const int chosen =
      a.vakt() ? d.pool.front() : Choose(d.pool, roster, load_of, load);
  if (a.vakt()) load = load_of(roster.people()[chosen]);
  const Person& p = roster.people()[chosen];
  a.set_outcome(v1::ASSIGNMENT_OUTCOME_ASSIGNED);
  a.set_assignee(p.member->id());
  if (a.travel()) a.set_travel_from(roster.MunicipalityName(p.home));
  a.set_load(LoadPerPost(load, p.member->fte_percent()));
  d.Step(
      "choose",
      a.vakt()
          ? (p.member->id() == staff::ShiftAt(roster.rota(), in.now)->primary()
                 ? "the vakt primary"
                 : "the vakt backup")
      : d.pool.size() == 1
          ? "the only one left"
          : "lowest load of the " + std::to_string(d.pool.size()) + ": " +
                OneDecimal(a.load()) + " weighted open tickets per full post");
  a.set_rule_path(path);
  a.set_explanation(Explain(a, roster));
  return a;
}

StatusOr<v1::Assignment> DecideManual(
    const v1::Ticket& ticket, v1::AssignmentTrigger trigger,
    std::string_view person, std::string_view by, std::string_view reason,
    const Roster& roster, std::chrono::sys_seconds now) {
  const std::string field =
      trigger == v1::ASSIGNMENT_TRIGGER_TAKEN ? "actor" : "assignee";
  const Person* p = roster.Find(person);
  if (p == nullptr)
    return Status::InvalidField(
        field, "field '" + field + "': no staff member '" +
                   std::string(person) + "'; see GET /api/v1/staff");
  if (!p->member->active())
    return Status::InvalidField(field,
                                "field '" + field + "': " + Who(*p->member) +
                                    " is inactive and cannot be given tickets");
  v1::Assignment a;
  a.set_outcome(v1::ASSIGNMENT_OUTCOME_ASSIGNED);
  a.set_trigger(trigger);
  a.set_assignee(p->member->id());
  a.set_previous_assignee(ticket.assignee());
  a.set_by(std::string(by));
  a.set_reason(std::string(reason));
  *a.mutable_at() = proto::ToTimestamp(now);
  const auto& svc = ticket.service();
  if (svc.delivery() == v1::DELIVERY_EXTERNAL)
    a.set_supplier(svc.supplier().name());
  a.set_rule_path(trigger == v1::ASSIGNMENT_TRIGGER_TAKEN ? "taken" : "manual");
  // What the rules would have said, as notes: kept 1 passes, 0 does not.
  auto check = [&](const char* rule, bool ok, std::string note) {
    auto* s = a.add_steps();
    s->set_rule(rule);
    s->set_kept(ok ? 1 : 0);
    s->set_note(std::move(note));
  };
  std::string missing;
  for (const auto& s : svc.skills()) {
    int i = roster.SkillIndex(s);
    if (i < 0 || !p->skills.Test(i))
      missing += (missing.empty() ? "" : ", ") + s;
  }
  check("skills", missing.empty(),
        missing.empty() ? "has every skill the service needs"
                        : "lacks " + missing);
  const sla::OsloTime local = sla::ToOslo(now);
  const auto absent = p->schedule.AbsentOn(local.day);
  check("not_absent", absent == v1::ABSENCE_KIND_UNSPECIFIED,
        absent == v1::ABSENCE_KIND_UNSPECIFIED ? "not absent today"
                                               : "absent today");
  check("available", p->schedule.AtWork(local, sla::IsPublicHoliday(local.day)),
        p->schedule.AtWork(local, sla::IsPublicHoliday(local.day))
            ? "at work now"
            : "not at work now");
  if (svc.presence() == v1::PRESENCE_NECESSARY &&
      svc.delivery() != v1::DELIVERY_EXTERNAL) {
    const int muni = roster.MunicipalityIndex(ticket.municipality());
    const bool local_ok = muni >= 0 && p->covers.Test(muni);
    check("local", local_ok,
          local_ok ? "covers " + roster.MunicipalityName(muni) + " on site"
                   : "does not cover " + roster.MunicipalityName(muni) +
                         " on site: must travel");
    if (!local_ok) {
      a.set_travel(true);
      a.set_travel_from(roster.MunicipalityName(p->home));
      for (const Neighbour& n : roster.Neighbours(muni))
        if (n.municipality == p->home) a.set_travel_minutes(n.minutes);
    }
  }
  a.set_explanation(Explain(a, roster));
  return a;
}

std::string Explain(const v1::Assignment& a, const Roster& roster) {
  std::string out;
  const Person* p = a.assignee().empty() ? nullptr : roster.Find(a.assignee());
  const std::string who = p != nullptr ? Who(*p->member) : a.assignee();
  switch (a.outcome()) {
    case v1::ASSIGNMENT_OUTCOME_ASSIGNED:
      out = "Assigned to " + who;
      if (a.trigger() == v1::ASSIGNMENT_TRIGGER_MANUAL)
        out += " by " + a.by() + (a.reason().empty() ? "" : ": " + a.reason());
      else if (a.trigger() == v1::ASSIGNMENT_TRIGGER_TAKEN)
        out += ", who took the ticket";
      if (a.vakt()) out += ", on vakt";
      if (a.travel())
        out += "; a travel assignment from " + a.travel_from() +
               (a.travel_minutes()
                    ? " (" + std::to_string(a.travel_minutes()) + " minutes)"
                    : "");
      break;
    case v1::ASSIGNMENT_OUTCOME_KEPT:
      out = "Stays with " + who + ": no one else can take it now";
      break;
    default: {
      out = "Unassigned, waiting in the dispatcher queue (";
      const auto* reason = v1::UnassignedReason_descriptor()->FindValueByNumber(
          a.unassigned_reason());
      std::string name = reason ? reason->name() : "UNSPECIFIED";
      name = name.substr(std::string("UNASSIGNED_REASON_").size());
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      out += name + ")";
    }
  }
  if (!a.supplier().empty())
    out += ". The supplier " + a.supplier() +
           " does the work; the assignee follows it up";
  out += ". ";
  std::string steps;
  for (const auto& s : a.steps()) {
    if (a.trigger() == v1::ASSIGNMENT_TRIGGER_MANUAL ||
        a.trigger() == v1::ASSIGNMENT_TRIGGER_TAKEN) {
      if (s.kept() != 0) continue;  // only what the rules would object to
    }
    steps += (steps.empty() ? "" : "; ") + s.note();
  }
  if (!steps.empty()) {
    if (a.trigger() == v1::ASSIGNMENT_TRIGGER_MANUAL ||
        a.trigger() == v1::ASSIGNMENT_TRIGGER_TAKEN)
      out += "Against the rules: ";
    out += steps + ".";
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

}  // namespace helpdesk::dispatch
