#include "daemon/dispatch/dispatch.h"

#include <algorithm>
#include <bit>
#include <optional>
#include <tuple>

#include "daemon/dispatch/words.h"
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

template <typename Strings>
std::string Join(const Strings& v) {
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
    StepKept(rule, static_cast<uint32_t>(pool.size()), std::move(note));
  }
  // A step whose count is not the pool's.
  void StepKept(const char* rule, uint32_t kept, std::string note) {
    auto* s = out_.add_steps();
    s->set_rule(rule);
    s->set_kept(kept);
    s->set_note(std::move(note));
  }
  bool empty() const { return pool.empty(); }

 private:
  v1::Assignment& out_;
  const Roster& roster_;
};

void Unassigned(v1::Assignment& a, v1::UnassignedReason reason) {
  a.set_outcome(v1::ASSIGNMENT_OUTCOME_UNASSIGNED);
  a.set_unassigned_reason(reason);
  a.clear_assignee();
  a.clear_vakt();
  a.clear_travel();
  a.clear_travel_from();
  a.clear_travel_minutes();
  a.clear_chosen_by();
  a.clear_missing_skills();
  a.clear_call_in();
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

// What a service needs, as the roster indexes it.
struct Need {
  std::vector<std::string> names;  // skill ids, in the service's order
  std::vector<int> indexes;        // the known ones, as roster indexes
  Bits bits;
  const std::vector<int>* rarest = nullptr;  // shortest posting list
  std::vector<std::string> uncovered;        // held by no active person
};

Need NeedOf(const v1::ServiceSnapshot& svc, bool external,
            const Roster& roster) {
  Need n;
  if (external)
    n.names.emplace_back(kSupplierFollowUpSkill);
  else
    n.names.assign(svc.skills().begin(), svc.skills().end());
  for (const std::string& s : n.names) {
    const int i = roster.SkillIndex(s);
    bool held = false;
    if (i >= 0) {
      n.indexes.push_back(i);
      n.bits.Set(i);
      const auto& with = roster.WithSkill(i);
      if (n.rarest == nullptr || with.size() < n.rarest->size())
        n.rarest = &with;
      held = std::any_of(with.begin(), with.end(), [&](int k) {
        return roster.people()[k].member->active();
      });
    }
    if (!held) n.uncovered.push_back(s);
  }
  return n;
}

// How many of the needed skills `p` has.
int Held(const Person& p, const Need& need) {
  return static_cast<int>(
      std::count_if(need.indexes.begin(), need.indexes.end(),
                    [&](int i) { return p.skills.Test(i); }));
}

// How many people to name to call in.
constexpr size_t kCallIn = 5;

// The skills the service needs that `chosen` lacks, and the people to call
// in for them: active, not absent on `day`, covering every missing skill
// between them where anyone can (the one who holds most of what is still
// uncovered first, those covering the municipality on site before others,
// then by id), then more of those with the most of them, up to kCallIn.
void CallIn(v1::Assignment& a, Decision& d, const Need& need,
            const Person& chosen, int muni, date::local_days day,
            const Roster& roster) {
  std::vector<std::string> missing;
  std::vector<int> missing_index;          // the known ones, as indexes
  std::vector<std::string> missing_known;  // ... and their ids
  for (const std::string& s : need.names) {
    const int i = roster.SkillIndex(s);
    if (i >= 0 && chosen.skills.Test(i)) continue;
    missing.push_back(s);
    if (i < 0) continue;
    missing_index.push_back(i);
    missing_known.push_back(s);
  }
  if (missing.empty()) return;
  for (const auto& s : missing) a.add_missing_skills(s);
  // Holders of a missing skill, from the posting lists (each in id
  // order), in id order. With one skill missing, the people named are the
  // first local holders and then the first others: the scan stops once
  // kCallIn local ones are found.
  std::vector<int> merged;
  const std::vector<int>* holders = nullptr;
  if (missing_index.size() == 1) {
    holders = &roster.WithSkill(missing_index[0]);
  } else {
    for (int k : missing_index)
      merged.insert(merged.end(), roster.WithSkill(k).begin(),
                    roster.WithSkill(k).end());
    std::sort(merged.begin(), merged.end());
    merged.erase(std::unique(merged.begin(), merged.end()), merged.end());
    holders = &merged;
  }
  struct Candidate {
    int index;
    bool local;
    uint64_t skills = 0;  // bit k: holds missing_index[k] (the first 64)
    int held = 0;
  };
  std::vector<Candidate> candidates;
  size_t local_found = 0;
  for (int i : *holders) {
    if (missing_index.size() == 1 && local_found >= kCallIn) break;
    const Person& p = roster.people()[i];
    if (&p == &chosen || !p.member->active() ||
        p.schedule.AbsentOn(day) != v1::ABSENCE_KIND_UNSPECIFIED)
      continue;
    Candidate c{i, muni >= 0 && p.covers.Test(muni)};
    local_found += c.local ? 1 : 0;
    for (size_t k = 0; k < missing_index.size() && k < 64; ++k)
      if (p.skills.Test(missing_index[k])) {
        c.skills |= uint64_t{1} << k;
        ++c.held;
      }
    candidates.push_back(c);
  }
  // First those who cover what is still uncovered, the most at a time;
  // then those who hold the most, up to kCallIn. Local people before
  // others, then id order.
  std::vector<int> chosen_people;
  uint64_t covered = 0;
  while (chosen_people.size() < kCallIn) {
    auto best = candidates.end();
    int best_gain = 0;
    for (auto it = candidates.begin(); it != candidates.end(); ++it) {
      const int g = std::popcount(it->skills & ~covered);
      if (g == 0) continue;
      if (best == candidates.end() || g > best_gain ||
          (g == best_gain &&
           (it->local != best->local ? it->local : it->index < best->index))) {
        best = it;
        best_gain = g;
      }
    }
    if (best == candidates.end()) break;
    covered |= best->skills;
    chosen_people.push_back(best->index);
    *best = candidates.back();  // order no longer matters: ties go by index
    candidates.pop_back();
  }
  const size_t more =
      std::min(kCallIn - chosen_people.size(), candidates.size());
  std::partial_sort(candidates.begin(), candidates.begin() + more,
                    candidates.end(),
                    [](const Candidate& x, const Candidate& y) {
                      if (x.held != y.held) return x.held > y.held;
                      if (x.local != y.local) return x.local;
                      return x.index < y.index;
                    });
  for (size_t k = 0; k < more; ++k)
    chosen_people.push_back(candidates[k].index);
  std::string note = "lacks " + JoinWords(missing);
  if (chosen_people.empty()) {
    note += ": no one else active and not absent today has " +
            std::string(missing.size() == 1 ? "it" : "any of them");
  } else {
    note += ": call in ";
    for (size_t k = 0; k < chosen_people.size(); ++k) {
      const v1::StaffMember& m = *roster.people()[chosen_people[k]].member;
      a.add_call_in(m.id());
      std::string held;
      for (size_t j = 0; j < missing_index.size(); ++j)
        if (roster.people()[chosen_people[k]].skills.Test(missing_index[j]))
          held += (held.empty() ? "" : ", ") + missing_known[j];
      if (k > 0) note += k + 1 == chosen_people.size() ? " or " : ", ";
      note += m.name() + " (" + m.id() +
              (m.phone().empty() ? "" : ", " + m.phone()) + ": " + held + ")";
    }
  }
  d.StepKept("call_in", static_cast<uint32_t>(chosen_people.size()),
             std::move(note));
}

// The one chosen among the candidates left, and the rule that decided.
struct Pick {
  int index = -1;
  Load load;
  std::string by;    // Assignment.chosen_by
  std::string note;  // the choose step, in words
};

// People the reporter knows while within `margin` of the lowest load
// (the person who last helped them, then the municipality's own staff);
// else the lowest load per post (compared exactly, without division), the
// least recently assigned, the id.
Pick Choose(const std::vector<int>& pool, const Roster& roster,
            const LoadOf& load_of, int muni,
            const std::function<std::string()>& last_helper_of,
            uint32_t margin) {
  const std::string last_helper =
      pool.size() > 1 && last_helper_of ? last_helper_of() : std::string();
  struct Candidate {
    int index;
    Load load;
    uint64_t work, fte;
    double per_post;
    int level;  // 2 last helper, 1 the municipality's own staff, 0 other
    bool familiar = false;  // level > 0 and within the margin
  };
  std::vector<Candidate> cs;
  cs.reserve(pool.size());
  double lowest = 0;
  for (int i : pool) {
    const Person& p = roster.people()[i];
    Candidate c{
        i, load_of(p), 0, std::max<uint32_t>(p.member->fte_percent(), 1), 0, 0};
    c.work = WeightedWork(c.load);
    c.per_post = LoadPerPost(c.load, p.member->fte_percent());
    c.level = !last_helper.empty() && p.member->id() == last_helper  ? 2
              : muni >= 0 && (p.home == muni || p.covers.Test(muni)) ? 1
                                                                     : 0;
    lowest = cs.empty() ? c.per_post : std::min(lowest, c.per_post);
    cs.push_back(c);
  }
  for (Candidate& c : cs)
    c.familiar = c.level > 0 && c.per_post <= lowest + margin + 1e-9;
  auto id = [&](const Candidate& c) -> const std::string& {
    return roster.people()[c.index].member->id();
  };
  // <0, 0, >0 as x's load per post is below, equal to or above y's.
  auto by_load = [](const Candidate& x, const Candidate& y) {
    const uint64_t lhs = x.work * y.fte, rhs = y.work * x.fte;
    return lhs < rhs ? -1 : lhs > rhs ? 1 : 0;
  };
  auto standard_less = [&](const Candidate& x, const Candidate& y) {
    if (int c = by_load(x, y); c != 0) return c < 0;
    if (x.load.last_assigned_seq != y.load.last_assigned_seq)
      return x.load.last_assigned_seq < y.load.last_assigned_seq;
    return id(x) < id(y);
  };
  auto before = [&](const Candidate& x, const Candidate& y) {
    if (x.familiar != y.familiar) return x.familiar;
    if (x.familiar && x.level != y.level) return x.level > y.level;
    return standard_less(x, y);
  };
  // Only the first two in that order are needed: linear, not a sort (a
  // pool may hold hundreds).
  if (cs.size() > 1) {
    auto first = std::min_element(cs.begin(), cs.end(), before);
    std::iter_swap(cs.begin(), first);
    auto second = std::min_element(cs.begin() + 1, cs.end(), before);
    std::iter_swap(cs.begin() + 1, second);
  }
  Pick pick;
  const Candidate& c = cs.front();
  pick.index = c.index;
  pick.load = c.load;
  const v1::StaffMember& m = *roster.people()[c.index].member;
  if (cs.size() == 1) {
    pick.by = "only_one";
    pick.note = "the only one left";
    return pick;
  }
  // Why the front one and not the next: the load, then how recently
  // each was assigned, then the id.
  const std::string load_words =
      OneDecimal(c.per_post) + " weighted open tickets per full post";
  auto tie_break = [&](const Candidate& next,
                       size_t of) -> std::pair<std::string, std::string> {
    if (by_load(c, next) != 0)
      return {"lowest_load",
              "lowest load of the " + std::to_string(of) + ": " + load_words};
    if (c.load.last_assigned_seq != next.load.last_assigned_seq)
      return {"least_recent", "equal lowest load (" + load_words +
                                  "): the least recently assigned"};
    return {"id", "equal lowest load (" + load_words +
                      ") and none assigned more recently: the first by id"};
  };
  // The familiar group the front one is in (same level, within the
  // margin); familiarity decided when anyone outside it would have come
  // first, or tied, on the load rule alone.
  size_t group = 0;
  bool familiarity_decided = false;
  for (const Candidate& x : cs) {
    const bool in_group = c.familiar && x.familiar && x.level == c.level;
    group += in_group ? 1 : 0;
    if (c.familiar && !in_group && !standard_less(c, x))
      familiarity_decided = true;
  }
  if (familiarity_decided) {
    pick.by = c.level == 2 ? "last_helper" : "own_municipality";
    pick.note =
        Who(m) +
        (c.level == 2 ? " helped this reporter last"
                      : " is one of " + roster.MunicipalityName(muni) +
                            "'s own IT staff") +
        ", whom users there know (load " + OneDecimal(c.per_post) +
        (c.per_post > lowest + 1e-9
             ? ", within the familiarity margin of " + std::to_string(margin) +
                   " above the lowest, " + OneDecimal(lowest) + ")"
             : ", as low as anyone's)");
    if (group > 1)
      pick.note += "; of those " + std::to_string(group) + ", " +
                   tie_break(cs[1], group).second;
    return pick;
  }
  // The load rule alone: against whoever comes next on it.
  const Candidate* next = nullptr;
  for (size_t k = 1; k < cs.size(); ++k)
    if (next == nullptr || standard_less(cs[k], *next)) next = &cs[k];
  std::tie(pick.by, pick.note) = tie_break(*next, cs.size());
  return pick;
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

bool GoesToVakt(v1::Priority priority, bool business_critical,
                const Options& options) {
  if (priority == v1::PRIORITY_CRITICAL) return options.vakt_critical;
  if (priority != v1::PRIORITY_HIGH) return false;
  switch (options.vakt_high) {
    case VaktHigh::kAll:
      return true;
    case VaktHigh::kBusinessCritical:
      return business_critical;
    default:
      return false;
  }
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
  const Need need = NeedOf(svc, external, roster);
  const sla::OsloTime local = sla::ToOslo(in.now);
  const int muni = roster.MunicipalityIndex(t.municipality());

  Decision d(a, roster);
  auto finish = [&](v1::UnassignedReason reason) {
    a.set_rule_path(path + " > unassigned");
    Unassigned(a, reason);
    a.set_explanation(Explain(a, roster));
    return a;
  };

  // Urgent work the rules below would leave unassigned, or waiting for
  // the next working day: the vakt, whatever the skills. The steps so far
  // give way to why.
  const bool to_vakt =
      GoesToVakt(t.priority(), svc.business_critical(), roster.options());
  auto vakt_whatever_skills = [&](const std::string& why) {
    a.clear_steps();
    d.pool.clear();
    const v1::VaktShift* shift = staff::ShiftAt(roster.rota(), in.now);
    std::string unavailable;  // "the primary x is absent today"
    for (const std::string* id : {shift ? &shift->primary() : nullptr,
                                  shift ? &shift->backup() : nullptr}) {
      if (id == nullptr || id->empty()) continue;
      const Person* p = roster.Find(*id);
      const char* not_there =
          p == nullptr                    ? "not on the staff list"
          : !p->member->active()          ? "inactive"
          : p->member->id() == in.exclude ? "being moved from"
          : p->schedule.AbsentOn(local.day) != v1::ABSENCE_KIND_UNSPECIFIED
              ? "absent today"
              : nullptr;
      if (not_there != nullptr) {
        if (!unavailable.empty()) unavailable += "; ";
        unavailable += std::string(id == &shift->primary() ? "the primary "
                                                           : "the backup ") +
                       *id + " is " + not_there;
        continue;
      }
      const int index = static_cast<int>(p - roster.people().data());
      if (std::find(d.pool.begin(), d.pool.end(), index) == d.pool.end())
        d.pool.push_back(index);
    }
    d.Step(
        "urgent",
        why + ": a " + proto::WireName(t.priority()) + " ticket" +
            (svc.business_critical() ? " on a business-critical service" : "") +
            " goes to the vakt, whatever the skills");
    path = "vakt";
    if (shift == nullptr) {
      d.Step("vakt", "no vakt shift covers this time: a gap in the rota");
      return finish(v1::UNASSIGNED_REASON_NO_VAKT);
    }
    d.Step("vakt",
           "on vakt: " + shift->primary() +
               (shift->backup().empty() ? "" : ", backup " + shift->backup()) +
               (unavailable.empty() ? "" : "; " + unavailable) +
               (d.empty() ? ": a gap in the rota" : ""));
    if (d.empty()) return finish(v1::UNASSIGNED_REASON_NO_VAKT);
    const Person& p = roster.people()[d.pool.front()];
    const bool primary = p.member->id() == shift->primary();
    a.set_vakt(true);
    a.set_outcome(v1::ASSIGNMENT_OUTCOME_ASSIGNED);
    a.set_assignee(p.member->id());
    a.set_assignee_name(p.member->name());
    a.set_load(LoadPerPost(load_of(p), p.member->fte_percent()));
    a.set_chosen_by(primary ? "vakt_primary" : "vakt_backup");
    d.Step("choose", primary ? "the vakt primary" : "the vakt backup");
    CallIn(a, d, need, p, muni, local.day, roster);
    path += primary ? " > primary" : " > backup";
    a.set_rule_path(path);
    a.set_explanation(Explain(a, roster));
    return a;
  };
  // Unassigned for `reason`, or to the vakt when the ticket is urgent.
  auto no_one = [&](v1::UnassignedReason reason, const std::string& why) {
    return to_vakt ? vakt_whatever_skills(why) : finish(reason);
  };

  // 1. Skills, from the posting list of the rarest one; a partial match
  // when no active person has them all.
  if (!need.uncovered.empty()) {
    const std::string what = "no active person has " +
                             JoinWords(need.uncovered) +
                             ", which the service needs: a catalogue or "
                             "staff registry error (see the coverage report)";
    d.Step("skills", what);
    return no_one(v1::UNASSIGNED_REASON_NO_SKILLED_STAFF, what);
  }
  if (need.rarest != nullptr) {
    d.pool = *need.rarest;
  } else {
    d.pool.resize(roster.people().size());
    for (size_t i = 0; i < d.pool.size(); ++i) d.pool[i] = static_cast<int>(i);
  }
  d.Filter([&](const Person& p) { return p.skills.Contains(need.bits); });
  const bool partial = !need.indexes.empty() &&
                       std::none_of(d.pool.begin(), d.pool.end(), [&](int i) {
                         const auto& m = *roster.people()[i].member;
                         return m.active() && m.id() != in.exclude;
                       });
  if (partial) {
    d.pool.clear();
    for (int k : need.indexes)
      for (int i : roster.WithSkill(k)) d.pool.push_back(i);
    std::sort(d.pool.begin(), d.pool.end());
    d.pool.erase(std::unique(d.pool.begin(), d.pool.end()), d.pool.end());
    d.Step("skills", "no one active has every skill needed (" +
                         Join(need.names) + "); " + People(d.pool.size()) +
                         " with some of them: the best partial match");
    path += " > partial";
  } else {
    d.Step("skills",
           People(d.pool.size()) + " with every skill needed (" +
               Join(need.names) + ")" +
               (external ? " to follow up the supplier " + svc.supplier().name()
                         : ""));
  }

  // 2. Active, and not the person the ticket is being moved away from.
  d.Filter([&](const Person& p) {
    return p.member->active() && p.member->id() != in.exclude;
  });
  d.Step("active",
         People(d.pool.size()) + " active" +
             (in.exclude.empty() ? ""
                                 : " (not counting " + std::string(in.exclude) +
                                       ", the current assignee)"));
  if (d.empty())
    return no_one(v1::UNASSIGNED_REASON_NO_SKILLED_STAFF,
                  "no one active has the skills");

  // 3. Not absent today.
  d.Filter([&](const Person& p) {
    return p.schedule.AbsentOn(local.day) == v1::ABSENCE_KIND_UNSPECIFIED;
  });
  d.Step("not_absent", People(d.pool.size()) + " not absent today");
  if (d.empty())
    return no_one(v1::UNASSIGNED_REASON_NO_ONE_AVAILABLE,
                  "everyone qualified is absent today");

  // 4. Available: at work now; else a qualified vakt (urgent) or the next
  // working day.
  const bool holiday = sla::IsPublicHoliday(local.day);
  std::vector<int> present = d.pool;
  std::erase_if(present, [&](int i) {
    return !roster.people()[i].schedule.AtWork(local, holiday);
  });
  const v1::VaktShift* shift = present.empty() && Urgent(t.priority())
                                   ? staff::ShiftAt(roster.rota(), in.now)
                                   : nullptr;
  // The vakt's people who qualify, primary first, then backup.
  auto qualified_vakt = [&] {
    std::vector<int> vakt;
    for (const std::string* id : {shift ? &shift->primary() : nullptr,
                                  shift ? &shift->backup() : nullptr}) {
      const Person* p =
          id == nullptr || id->empty() ? nullptr : roster.Find(*id);
      if (p == nullptr) continue;
      const int index = static_cast<int>(p - roster.people().data());
      if (std::find(d.pool.begin(), d.pool.end(), index) != d.pool.end() &&
          std::find(vakt.begin(), vakt.end(), index) == vakt.end())
        vakt.push_back(index);
    }
    return vakt;
  };
  if (!present.empty()) {
    d.pool = std::move(present);
    d.Step("available", People(d.pool.size()) + " at work now");
  } else if (to_vakt) {
    // The primary even when a qualified backup is there: the vakt's
    // primary triages urgent work and calls in who is needed.
    return vakt_whatever_skills("no one qualified is at work now");
  } else if (std::vector<int> vakt = qualified_vakt(); !vakt.empty()) {
    // Both stay in, in that order, so the backup takes on-site work the
    // primary cannot reach.
    d.pool = std::move(vakt);
    d.Step("available",
           "no one qualified is at work now (" + proto::WireName(t.priority()) +
               " priority): on vakt " + People(d.pool.size()) + " qualified (" +
               shift->primary() +
               (shift->backup().empty() ? "" : ", backup " + shift->backup()) +
               ")");
    path += " > vakt";
    a.set_vakt(true);
  } else {
    // The first day someone qualified works, from later today on.
    std::vector<int> next;
    std::string when;
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
    if (d.empty())
      return no_one(v1::UNASSIGNED_REASON_NO_ONE_AVAILABLE,
                    "no one qualified is at work in the next " +
                        std::to_string(kLookAheadDays) + " days");
  }

  // 4b. A partial match: those with the most of the skills.
  if (partial) {
    int most = 0;
    for (int i : d.pool) most = std::max(most, Held(roster.people()[i], need));
    d.Filter([&](const Person& p) { return Held(p, need) == most; });
    d.Step("skills_rank", People(d.pool.size()) + " with " +
                              std::to_string(most) + " of the " +
                              std::to_string(need.indexes.size()) +
                              " skills needed, the most of anyone left");
  }

  // 5. Where the work is done.
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
        return no_one(
            v1::UNASSIGNED_REASON_NO_LOCAL_STAFF,
            "no one available covers " + muni_name + " on site or near it");
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

  // 6. Vakt: the primary before the backup. Else familiarity within its
  // margin, the lowest load, the least recently assigned, the id.
  Pick pick;
  if (a.vakt()) {
    const Person& p = roster.people()[d.pool.front()];
    pick.index = d.pool.front();
    pick.load = load_of(p);
    const bool primary = p.member->id() == shift->primary();
    pick.by = primary ? "vakt_primary" : "vakt_backup";
    pick.note = primary ? "the vakt primary" : "the vakt backup";
  } else {
    const bool on_site = !external && (presence == v1::PRESENCE_NECESSARY ||
                                       presence == v1::PRESENCE_DESIRABLE);
    pick = Choose(d.pool, roster, load_of, muni, in.last_helper,
                  on_site ? roster.options().familiar_margin_on_site
                          : roster.options().familiar_margin);
  }
  const Person& p = roster.people()[pick.index];
  a.set_outcome(v1::ASSIGNMENT_OUTCOME_ASSIGNED);
  a.set_assignee(p.member->id());
  a.set_assignee_name(p.member->name());
  if (a.travel()) a.set_travel_from(roster.MunicipalityName(p.home));
  a.set_load(LoadPerPost(pick.load, p.member->fte_percent()));
  a.set_chosen_by(pick.by);
  d.Step("choose", std::move(pick.note));
  if (partial) CallIn(a, d, need, p, muni, local.day, roster);
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
  a.set_assignee_name(p->member->name());
  a.set_previous_assignee(ticket.assignee());
  a.set_by(std::string(by));
  a.set_reason(std::string(reason));
  *a.mutable_at() = proto::ToTimestamp(now);
  const auto& svc = ticket.service();
  if (svc.delivery() == v1::DELIVERY_EXTERNAL)
    a.set_supplier(svc.supplier().name());
  a.set_rule_path(trigger == v1::ASSIGNMENT_TRIGGER_TAKEN ? "taken" : "manual");
  a.set_chosen_by(a.rule_path());
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
    if (i >= 0 && p->skills.Test(i)) continue;
    missing += (missing.empty() ? "" : ", ") + s;
    a.add_missing_skills(s);
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
