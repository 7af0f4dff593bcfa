#include "tests/dispatch/property_cases.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <map>
#include <set>

#include "sla/holidays.h"

namespace helpdesk::dispatch::proptest {
namespace {

using std::chrono::sys_seconds;

date::local_days Day(int y, unsigned m, unsigned d) {
  return date::local_days{date::year(y) / m / d};
}

sys_seconds At(int y, unsigned m, unsigned d, int hour, int minute) {
  return sla::FromOslo(Day(y, m, d), hour * 60 + minute);
}

std::vector<date::local_days> FocusDays() {
  std::set<date::local_days> days;
  for (const Moment& m : FixedMoments()) {
    const auto d = sla::ToOslo(m.at).day;
    days.insert(d);
    days.insert(d + date::days(1));
  }
  return {days.begin(), days.end()};
}

Loads RandomLoads(const testgen::Region& region, std::mt19937_64& rng) {
  Loads loads;
  std::uniform_int_distribution<uint32_t> open(0, 3);
  std::uniform_int_distribution<uint64_t> seq(1, 60);  // ties happen
  std::bernoulli_distribution idle(0.4), never(0.15);
  for (const auto& m : region.staff) {
    Load l;
    if (!idle(rng))
      for (int p = 1; p <= 4; ++p) l.open_by_priority[p] = open(rng);
    l.last_assigned_seq = never(rng) ? 0 : seq(rng);
    loads.by_id[m.id()] = l;
  }
  return loads;
}

constexpr int kTicketsPerInstant = 25;
constexpr int kRandomInstants = 8;
// As dispatch.cc: a fortnight covers Easter and Christmas.
constexpr int kLookAheadDays = 14;

}  // namespace

std::vector<uint64_t> Seeds() {
  const char* env = std::getenv("HELPDESK_PROPERTY_SEEDS");
  if (env == nullptr || *env == '\0') return {11, 23, 37, 41, 59, 67, 73, 89};
  std::vector<uint64_t> seeds;
  std::string s(env);
  if (auto dash = s.find('-'); dash != std::string::npos) {
    const uint64_t lo = std::stoull(s.substr(0, dash));
    const uint64_t hi = std::stoull(s.substr(dash + 1));
    for (uint64_t v = lo; v <= hi; ++v) seeds.push_back(v);
  } else {
    size_t at = 0;
    while (at < s.size()) {
      size_t comma = s.find(',', at);
      if (comma == std::string::npos) comma = s.size();
      seeds.push_back(std::stoull(s.substr(at, comma - at)));
      at = comma + 1;
    }
  }
  return seeds;
}

// Instants in 2026 that exercise every branch of "available".
std::vector<Moment> FixedMoments() {
  return {
      {"Tuesday 10:00", At(2026, 3, 10, 10, 0)},
      {"Monday 08:00, shift handover", At(2026, 3, 9, 8, 0)},
      {"Friday 15:29", At(2026, 3, 13, 15, 29)},
      {"Friday 15:30", At(2026, 3, 13, 15, 30)},
      {"Wednesday 11:45, lunch", At(2026, 9, 16, 11, 45)},
      {"Wednesday 19:00", At(2026, 9, 16, 19, 0)},
      {"Thursday 02:00", At(2026, 9, 17, 2, 0)},
      {"Saturday 11:00", At(2026, 9, 19, 11, 0)},
      {"Sunday 23:30", At(2026, 9, 20, 23, 30)},
      {"Ascension Day 10:00", At(2026, 5, 14, 10, 0)},
      {"Maundy Thursday 10:00", At(2026, 4, 2, 10, 0)},
      {"Easter Monday 02:00", At(2026, 4, 6, 2, 0)},
      {"Christmas Eve 16:00", At(2026, 12, 24, 16, 0)},
      {"Saturday before 17 May", At(2026, 5, 16, 12, 0)},
      {"spring DST Sunday 01:59", At(2026, 3, 29, 1, 59)},
      {"spring DST Sunday 02:30 (skipped)", At(2026, 3, 29, 2, 30)},
      {"Monday after spring DST 07:59", At(2026, 3, 30, 7, 59)},
      {"Monday after spring DST 08:00", At(2026, 3, 30, 8, 0)},
      {"autumn DST Sunday 02:30 (twice)", At(2026, 10, 25, 2, 30)},
      {"autumn DST Sunday 02:30, second time",
       At(2026, 10, 25, 2, 30) + std::chrono::hours(1)},
      {"Monday after autumn DST 08:00", At(2026, 10, 26, 8, 0)},
      {"July Wednesday 10:00, summer holidays", At(2026, 7, 15, 10, 0)},
  };
}

bool Has(const google::protobuf::RepeatedPtrField<std::string>& list,
         const std::string& v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

std::vector<std::string> Required(const v1::ServiceSnapshot& svc) {
  if (svc.delivery() == v1::DELIVERY_EXTERNAL)
    return {std::string(kSupplierFollowUpSkill)};
  return {svc.skills().begin(), svc.skills().end()};
}

bool HasEverySkill(const v1::StaffMember& m,
                   const std::vector<std::string>& need) {
  for (const auto& s : need)
    if (!Has(m.skills(), s)) return false;
  return true;
}

bool AbsentOn(const v1::StaffMember& m, date::local_days day) {
  for (const auto& a : m.absences()) {
    auto from = sla::ParseLocalDay(a.from());
    auto to = sla::ParseLocalDay(a.to());
    if (from.ok() && to.ok() && *from <= day && day <= *to) return true;
  }
  return false;
}

// Some working period of `weekday` ends after minute `from`.
bool WorksAfter(const v1::StaffMember& m, int weekday, int from) {
  for (const auto& p : m.working_hours()) {
    auto parsed_start = sla::ParseClock(p.start());
    auto parsed_end = sla::ParseClock(p.end());
    if (!parsed_start.ok() || !parsed_end.ok()) continue;
    const int start = *parsed_start, end = *parsed_end;
    for (int d : p.days())
      if (d == weekday && end > from && start < end) return true;
  }
  return false;
}

bool InHours(const v1::StaffMember& m, int weekday, int minute) {
  for (const auto& p : m.working_hours()) {
    auto parsed_start = sla::ParseClock(p.start());
    auto parsed_end = sla::ParseClock(p.end());
    if (!parsed_start.ok() || !parsed_end.ok()) continue;
    const int start = *parsed_start, end = *parsed_end;
    for (int d : p.days())
      if (d == weekday && start <= minute && minute < end) return true;
  }
  return false;
}

bool AtWork(const v1::StaffMember& m, const sla::OsloTime& t) {
  return !sla::IsPublicHoliday(t.day) && InHours(m, t.weekday, t.minute) &&
         !AbsentOn(m, t.day);
}

const v1::VaktShift* ShiftAt(const v1::VaktRota& rota, sys_seconds now) {
  const int64_t s = now.time_since_epoch().count();
  for (const auto& shift : rota.shifts())
    if (shift.start().seconds() <= s && s < shift.end().seconds())
      return &shift;
  return nullptr;
}

std::optional<uint32_t> TableMinutes(const Options& o, const std::string& a,
                                     const std::string& b) {
  for (const auto& t : o.travel)
    if ((t.from == a && t.to == b) || (t.from == b && t.to == a))
      return t.minutes;
  return std::nullopt;
}

bool Urgent(v1::Priority p) {
  return p == v1::PRIORITY_CRITICAL || p == v1::PRIORITY_HIGH;
}

std::string Describe(const Case& c) {
  const auto local = c.local();
  const auto& svc = c.ticket.service();
  std::string skills;
  for (const auto& s : svc.skills()) skills += s + " ";
  return "seed " + std::to_string(c.seed) + ", region " +
         std::to_string(c.region_no) + ", " + c.moment->what + " (" +
         sla::FormatLocalDay(local.day) + " " + sla::FormatClock(local.minute) +
         " Oslo)\nticket: municipality " + c.ticket.municipality() + ", " +
         v1::Priority_Name(c.ticket.priority()) + ", " +
         v1::Presence_Name(svc.presence()) + " " +
         v1::Delivery_Name(svc.delivery()) + ", skills " + skills +
         (c.exclude.empty() ? "" : ", exclude " + c.exclude) +
         "\ntravel_fallback " +
         std::to_string(c.region->options.travel_fallback) + ", max " +
         std::to_string(c.region->options.max_travel_minutes) +
         "\ndecision: " + c.got.ShortDebugString();
}

std::vector<testgen::RegionSpec> Specs() {
  std::vector<testgen::RegionSpec> specs(4);
  // Kongsbergregionen-like: seven municipalities, 32 staff.
  specs[0].municipalities = 7;
  specs[0].staff = 32;
  specs[0].skills = 8;
  // Gratangen-like: tiny, one municipality with no IT person at all.
  specs[1].municipalities = 4;
  specs[1].uncovered = 1;
  specs[1].staff = 6;
  specs[1].skills = 5;
  specs[1].vakt_gap_share = 0.3;
  // A large region with empty corners.
  specs[2].municipalities = 18;
  specs[2].uncovered = 2;
  specs[2].staff = 120;
  specs[2].skills = 12;
  // Many skills, many absences.
  specs[3].municipalities = 12;
  specs[3].uncovered = 1;
  specs[3].staff = 40;
  specs[3].skills = 16;
  specs[3].absent_share = 0.6;
  specs[3].inactive_share = 0.15;
  for (auto& s : specs) s.focus_days = FocusDays();
  return specs;
}

Input Case::input() const {
  Input in;
  in.ticket = &ticket;
  in.service = &ticket.service();
  in.exclude = exclude;
  in.now = moment->at;
  in.last_helper = [helper = last_helper] { return helper; };
  return in;
}

const v1::StaffMember* Case::Member(const std::string& id) const {
  for (const auto& m : region->staff)
    if (m.id() == id) return &m;
  return nullptr;
}

const std::string& Case::MunicipalityName(const std::string& id) const {
  for (const auto& m : region->municipalities)
    if (m.id() == id) return m.name();
  static const std::string kNone;
  return kNone;
}

void ForEachCase(const std::function<std::string(const Case&)>& check) {
  const auto fixed = FixedMoments();
  int failures = 0, cases = 0;
  std::map<std::string, int> kinds;  // what went wrong, how often
  for (uint64_t seed : Seeds()) {
    std::mt19937_64 rng(seed);
    int region_no = 0;
    for (const auto& spec : Specs()) {
      const testgen::Region region = testgen::RandomRegion(spec, rng);
      const auto roster = testgen::MakeRoster(region);
      auto staff = region.staff;
      std::shuffle(staff.begin(), staff.end(), rng);
      const auto shuffled = testgen::MakeRoster(region, std::move(staff));
      const Loads loads = RandomLoads(region, rng);
      std::vector<Moment> moments = fixed;
      for (int i = 0; i < kRandomInstants; ++i)
        moments.push_back({"random instant " + std::to_string(i),
                           testgen::RandomInstant(spec.year, rng)});
      int ticket_no = 1;
      for (const Moment& moment : moments) {
        for (int k = 0; k < kTicketsPerInstant; ++k) {
          Case c;
          c.seed = seed;
          c.region_no = region_no;
          c.moment = &moment;
          c.region = &region;
          c.roster = roster.get();
          c.shuffled = shuffled.get();
          c.loads = &loads;
          c.ticket = testgen::RandomTicket(region, ticket_no++, rng);
          // A quarter are re-runs away from someone with the skills.
          if (std::bernoulli_distribution(0.25)(rng)) {
            std::vector<const v1::StaffMember*> skilled;
            const auto need = Required(c.ticket.service());
            for (const auto& m : region.staff)
              if (HasEverySkill(m, need)) skilled.push_back(&m);
            if (!skilled.empty()) {
              c.exclude = skilled[std::uniform_int_distribution<size_t>(
                                      0, skilled.size() - 1)(rng)]
                              ->id();
              c.ticket.set_assignee(c.exclude);
            }
          }
          // A third know who helped the reporter last.
          if (std::bernoulli_distribution(1.0 / 3)(rng))
            c.last_helper = region
                                .staff[std::uniform_int_distribution<size_t>(
                                    0, region.staff.size() - 1)(rng)]
                                .id();
          c.got = Decide(c.input(), *c.roster, std::cref(loads));
          ++cases;
          std::string error = check(c);
          if (error.empty()) continue;
          ++kinds[error.substr(0, error.find(':'))];
          if (++failures <= 3) ADD_FAILURE() << error << "\n" << Describe(c);
        }
      }
      ++region_no;
    }
  }
  std::string summary;
  for (const auto& [what, n] : kinds)
    summary += "\n  " + std::to_string(n) + " x " + what;
  EXPECT_EQ(failures, 0) << "of " << cases << " cases:" << summary;
  EXPECT_GT(cases, 0);
}

int HeldSkills(const v1::StaffMember& m, const std::vector<std::string>& need) {
  int n = 0;
  for (const auto& s : need) n += Has(m.skills(), s) ? 1 : 0;
  return n;
}

Reference Expect(const Case& c) {
  Reference r;
  const auto& svc = c.ticket.service();
  const auto need = Required(svc);
  const auto local = c.local();
  auto unassigned = [&](v1::UnassignedReason why) {
    r.outcome = v1::ASSIGNMENT_OUTCOME_UNASSIGNED;
    r.reason = why;
    return r;
  };
  const Options& o = c.region->options;
  // Urgent work the rules would leave with no one now: the vakt, whatever
  // the skills.
  const bool critical = c.ticket.priority() == v1::PRIORITY_CRITICAL;
  const bool high = c.ticket.priority() == v1::PRIORITY_HIGH;
  const bool to_vakt = (critical && o.vakt_critical) ||
                       (high && (o.vakt_high == VaktHigh::kAll ||
                                 (o.vakt_high == VaktHigh::kBusinessCritical &&
                                  svc.business_critical())));
  auto direct = [&]() {
    r = Reference();
    r.path = "vakt_direct";
    const v1::VaktShift* shift = ShiftAt(c.region->rota, c.moment->at);
    if (shift == nullptr) return unassigned(v1::UNASSIGNED_REASON_NO_VAKT);
    for (const std::string& id : {shift->primary(), shift->backup()}) {
      const v1::StaffMember* m = id.empty() ? nullptr : c.Member(id);
      if (m != nullptr && m->active() && m->id() != c.exclude &&
          !AbsentOn(*m, local.day) &&
          std::find(r.finalists.begin(), r.finalists.end(), m) ==
              r.finalists.end())
        r.finalists.push_back(m);
    }
    if (r.finalists.empty()) return unassigned(v1::UNASSIGNED_REASON_NO_VAKT);
    r.outcome = v1::ASSIGNMENT_OUTCOME_ASSIGNED;
    return r;
  };
  auto no_one = [&](v1::UnassignedReason why) {
    return to_vakt ? direct() : unassigned(why);
  };
  // A skill no active person has: a registry error.
  for (const auto& s : need) {
    bool held = false;
    for (const auto& m : c.region->staff)
      held = held || (m.active() && Has(m.skills(), s));
    if (!held) return no_one(v1::UNASSIGNED_REASON_NO_SKILLED_STAFF);
  }
  r.partial = !need.empty();
  for (const auto& m : c.region->staff)
    if (m.active() && m.id() != c.exclude && HasEverySkill(m, need))
      r.partial = false;
  std::vector<const v1::StaffMember*> active;
  for (const auto& m : c.region->staff)
    if (m.active() && m.id() != c.exclude &&
        (r.partial ? HeldSkills(m, need) > 0 : HasEverySkill(m, need)))
      active.push_back(&m);
  if (active.empty()) return no_one(v1::UNASSIGNED_REASON_NO_SKILLED_STAFF);
  for (const auto* m : active)
    if (!AbsentOn(*m, local.day)) r.qualified.push_back(m);
  if (r.qualified.empty())
    return no_one(v1::UNASSIGNED_REASON_NO_ONE_AVAILABLE);

  for (const auto* m : r.qualified)
    if (AtWork(*m, local)) r.available.push_back(m);
  r.anyone_at_work = !r.available.empty();
  if (r.anyone_at_work) {
    r.path = "at_work";
  } else if (to_vakt) {
    return direct();
  } else {
    // An urgent ticket with no one qualified at work goes to a qualified
    // vakt, primary then backup; both go on to the presence rules in that
    // order.
    const v1::VaktShift* shift = Urgent(c.ticket.priority())
                                     ? ShiftAt(c.region->rota, c.moment->at)
                                     : nullptr;
    if (shift != nullptr)
      for (const std::string& id : {shift->primary(), shift->backup()})
        for (const auto* m : r.qualified)
          if (!id.empty() && m->id() == id &&
              std::find(r.available.begin(), r.available.end(), m) ==
                  r.available.end())
            r.available.push_back(m);
    if (!r.available.empty()) {
      r.path = "vakt";
    } else {
      r.path = "next_working_day";
      for (int k = 0; k <= kLookAheadDays && r.available.empty(); ++k) {
        const date::local_days day = local.day + date::days(k);
        if (sla::IsPublicHoliday(day)) continue;
        const int weekday = static_cast<int>(date::weekday(day).iso_encoding());
        for (const auto* m : r.qualified)
          if (WorksAfter(*m, weekday, k == 0 ? local.minute : 0) &&
              !AbsentOn(*m, day))
            r.available.push_back(m);
        if (!r.available.empty()) r.next_day = day;
      }
      if (r.available.empty())
        return unassigned(v1::UNASSIGNED_REASON_NO_ONE_AVAILABLE);
    }
  }
  if (r.partial) {
    int most = 0;
    for (const auto* m : r.available)
      most = std::max(most, HeldSkills(*m, need));
    std::erase_if(r.available, [&](const v1::StaffMember* m) {
      return HeldSkills(*m, need) != most;
    });
  }

  const bool external = svc.delivery() == v1::DELIVERY_EXTERNAL;
  const std::string& muni = c.ticket.municipality();
  std::vector<const v1::StaffMember*> local_people;
  for (const auto* m : r.available)
    if (Has(m->covers(), muni)) local_people.push_back(m);
  r.any_local = !local_people.empty();
  if (external || svc.presence() == v1::PRESENCE_NOT_NEEDED) {
    r.finalists = r.available;
  } else if (r.any_local) {
    r.finalists = local_people;
  } else if (svc.presence() == v1::PRESENCE_DESIRABLE) {
    r.finalists = r.available;
  } else {
    std::optional<uint32_t> best;
    if (o.travel_fallback)
      for (const auto* m : r.available) {
        auto minutes = TableMinutes(o, m->home_municipality(), muni);
        if (m->home_municipality() == muni || !minutes ||
            *minutes > o.max_travel_minutes)
          continue;
        if (!best || *minutes < *best) best = minutes;
      }
    if (!best) return no_one(v1::UNASSIGNED_REASON_NO_LOCAL_STAFF);
    r.travel_minutes = *best;
    // Everyone based in an equally near neighbour is a finalist: the load
    // picks between them, never the order of the travel table.
    for (const auto* m : r.available)
      if (m->home_municipality() != muni &&
          TableMinutes(o, m->home_municipality(), muni) == best) {
        r.travel_from.insert(c.MunicipalityName(m->home_municipality()));
        r.finalists.push_back(m);
      }
  }
  r.outcome = v1::ASSIGNMENT_OUTCOME_ASSIGNED;
  return r;
}

const v1::StaffMember* ModelChoice(const Case& c, const Reference& r) {
  if (r.finalists.empty()) return nullptr;
  if (r.path == "vakt" || r.path == "vakt_direct") return r.finalists.front();
  const auto& svc = c.ticket.service();
  const bool on_site = svc.delivery() == v1::DELIVERY_INTERNAL &&
                       (svc.presence() == v1::PRESENCE_NECESSARY ||
                        svc.presence() == v1::PRESENCE_DESIRABLE);
  const Options& o = c.region->options;
  const double margin = on_site ? o.familiar_margin_on_site : o.familiar_margin;
  const std::string& muni = c.ticket.municipality();
  auto per_post = [&](const v1::StaffMember* m) {
    return ModelLoadPerPost(c.loads->by_id.at(m->id()), m->fte_percent());
  };
  double lowest = per_post(r.finalists.front());
  for (const auto* m : r.finalists) lowest = std::min(lowest, per_post(m));
  auto level = [&](const v1::StaffMember* m) {
    if (!c.last_helper.empty() && m->id() == c.last_helper) return 2;
    return m->home_municipality() == muni || Has(m->covers(), muni) ? 1 : 0;
  };
  int top = 0;
  for (const auto* m : r.finalists)
    if (per_post(m) <= lowest + margin + 1e-9) top = std::max(top, level(m));
  if (top == 0) return Lightest(r.finalists, *c.loads);
  std::vector<const v1::StaffMember*> known;
  for (const auto* m : r.finalists)
    if (level(m) == top && per_post(m) <= lowest + margin + 1e-9)
      known.push_back(m);
  return Lightest(known, *c.loads);
}

uint64_t ModelWork(const Load& load) {
  // The weights users were promised (README, "choose"), written out here
  // rather than taken from the dispatcher: critical 8, high 4, normal 2,
  // low 1.
  return uint64_t{8} * load.open_by_priority[v1::PRIORITY_CRITICAL] +
         uint64_t{4} * load.open_by_priority[v1::PRIORITY_HIGH] +
         uint64_t{2} * load.open_by_priority[v1::PRIORITY_NORMAL] +
         uint64_t{1} * load.open_by_priority[v1::PRIORITY_LOW];
}

double ModelLoadPerPost(const Load& load, uint32_t fte_percent) {
  return static_cast<double>(ModelWork(load)) * 100.0 /
         std::max<uint32_t>(fte_percent, 1);
}

const v1::StaffMember* Lightest(const std::vector<const v1::StaffMember*>& from,
                                const Loads& loads) {
  auto key_less = [&](const v1::StaffMember* a, const v1::StaffMember* b) {
    const Load& la = loads.by_id.at(a->id());
    const Load& lb = loads.by_id.at(b->id());
    const uint64_t wa = ModelWork(la) * std::max<uint32_t>(b->fte_percent(), 1);
    const uint64_t wb = ModelWork(lb) * std::max<uint32_t>(a->fte_percent(), 1);
    if (wa != wb) return wa < wb;
    if (la.last_assigned_seq != lb.last_assigned_seq)
      return la.last_assigned_seq < lb.last_assigned_seq;
    return a->id() < b->id();
  };
  if (from.empty()) return nullptr;
  return *std::min_element(from.begin(), from.end(), key_less);
}

}  // namespace helpdesk::dispatch::proptest
