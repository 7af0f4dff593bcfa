#include "daemon/dispatch/coverage.h"

#include <algorithm>
#include <array>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/dispatch/dispatch.h"
#include "daemon/dispatch/words.h"
#include "daemon/staff/schedule.h"
#include "proto/timestamps.h"
#include "sla/holidays.h"
#include "sla/oslo_time.h"

namespace helpdesk::dispatch {
namespace {

constexpr int kWorkdays = 5;  // Monday..Friday, ISO weekdays 1..5
constexpr std::array<const char*, kWorkdays> kWorkdayNames = {
    "Monday", "Tuesday", "Wednesday", "Thursday", "Friday"};

// What the report needs of one person, worked out once per report so the
// loops over rows only read flags and small integers.
struct Standing {
  bool active = false;
  bool now = false;         // at work or on vakt now, not absent today
  uint8_t workdays = 0;     // bit d-1: in office hours on ISO weekday d
  std::vector<int> covers;  // municipality indexes covered on site
};

// The counts of one cell as people are added to it.
struct Tally {
  uint32_t qualified = 0;
  std::array<uint32_t, kWorkdays> workday{};
  uint32_t now = 0;

  void Add(const Standing& s) {
    ++qualified;
    for (int d = 0; d < kWorkdays; ++d) workday[d] += (s.workdays >> d) & 1u;
    now += s.now ? 1 : 0;
  }
  // The thinner of the two, count by count: people who together cover
  // several skills are as many as the thinnest skill has.
  void KeepMin(const Tally& o) {
    qualified = std::min(qualified, o.qualified);
    for (int d = 0; d < kWorkdays; ++d)
      workday[d] = std::min(workday[d], o.workday[d]);
    now = std::min(now, o.now);
  }
  uint32_t OfficeHours() const {
    return *std::min_element(workday.begin(), workday.end());
  }
  v1::CoverageCell Cell() const {
    v1::CoverageCell c;
    c.set_qualified(qualified);
    c.set_office_hours(OfficeHours());
    c.set_now(now);
    c.set_flagged(OfficeHours() < kRequiredPerCell);
    c.set_flagged_now(now < kRequiredPerCell);
    return c;
  }
};

std::vector<Standing> StandingOf(const Roster& roster, int municipalities,
                                 std::chrono::sys_seconds now) {
  const auto& people = roster.people();
  const sla::OsloTime local = sla::ToOslo(now);
  const bool holiday = sla::IsPublicHoliday(local.day);
  std::vector<bool> on_vakt(people.size());
  if (const v1::VaktShift* shift = staff::ShiftAt(roster.rota(), now)) {
    for (const std::string* id : {&shift->primary(), &shift->backup()})
      if (const Person* p = roster.Find(*id); p != nullptr)
        on_vakt[static_cast<size_t>(p - people.data())] = true;
  }
  std::vector<Standing> out(people.size());
  for (size_t i = 0; i < people.size(); ++i) {
    const Person& p = people[i];
    Standing& s = out[i];
    s.active = p.member->active();
    if (!s.active) continue;
    for (int d = 1; d <= kWorkdays; ++d)
      if (p.schedule.WorksDuring(d, kOfficeHoursStart, kOfficeHoursEnd))
        s.workdays |= static_cast<uint8_t>(1u << (d - 1));
    // Someone on vakt who is off sick cannot take the work either.
    s.now = (p.schedule.AtWork(local, holiday) || on_vakt[i]) &&
            p.schedule.AbsentOn(local.day) == v1::ABSENCE_KIND_UNSPECIFIED;
    for (int m = 0; m < municipalities; ++m)
      if (p.covers.Test(m)) s.covers.push_back(m);
  }
  return out;
}

std::string CountWords(uint32_t n) {
  if (n == 0) return "no qualified person";
  return std::to_string(n) +
         (n == 1 ? " qualified person" : " qualified people");
}

// "Wednesday", "Wednesday and Friday", "Monday, Wednesday and Friday".
std::string DayList(const std::vector<int>& days) {
  std::vector<std::string> names;
  for (int d : days) names.emplace_back(kWorkdayNames[d]);
  return JoinWords(names);
}

std::string Minimum() {
  return "; the minimum is " + std::to_string(kRequiredPerCell);
}

// A standing gap: the weakest weekdays first, then any other day still
// below the minimum, and how many are qualified in all when part-time
// hours are the reason.
std::string StandingGap(const std::string& label, const char* where,
                        const Tally& t) {
  std::string out = label + ": ";
  if (t.qualified == 0) return out + CountWords(0) + where + Minimum();
  const uint32_t low = t.OfficeHours();
  out += CountWords(low) + where + " in office hours";
  const bool every_day = std::all_of(t.workday.begin(), t.workday.end(),
                                     [&](uint32_t n) { return n == low; });
  if (!every_day) {
    for (uint32_t n = low; n < kRequiredPerCell; ++n) {
      std::vector<int> days;
      for (int d = 0; d < kWorkdays; ++d)
        if (t.workday[d] == n) days.push_back(d);
      if (days.empty()) continue;
      if (n == low)
        out += " on " + DayList(days);
      else
        out += "; " + std::to_string(n) + " on " + DayList(days);
    }
  }
  if (t.qualified > low)
    out += " (" + std::to_string(t.qualified) + " qualified in all)";
  return out + Minimum();
}

std::string NowGap(const std::string& label, const char* where,
                   const Tally& t) {
  return label + ": " + CountWords(t.now) + where + " at work or on vakt now" +
         Minimum();
}

std::string Label(const std::string& name, const std::string& id) {
  return name.empty() ? id : name + " (" + id + ")";
}

template <typename T>
std::vector<const T*> ById(const google::protobuf::RepeatedPtrField<T>& list) {
  std::vector<const T*> out;
  out.reserve(list.size());
  for (const T& x : list) out.push_back(&x);
  std::stable_sort(out.begin(), out.end(),
                   [](const T* a, const T* b) { return a->id() < b->id(); });
  return out;
}

// "Mon 2026-12-07 08:00", Oslo time.
std::string LocalWords(std::chrono::sys_seconds t) {
  static constexpr const char* kDays[] = {"",    "Mon", "Tue", "Wed",
                                          "Thu", "Fri", "Sat", "Sun"};
  const sla::OsloTime local = sla::ToOslo(t);
  return std::string(kDays[date::weekday(local.day).iso_encoding()]) + " " +
         sla::FormatLocalDay(local.day) + " " + sla::FormatClock(local.minute);
}

// Why no one is on vakt at `t`, or "" when someone is.
std::string NoVaktAt(const Roster& roster, std::chrono::sys_seconds t) {
  const v1::VaktShift* shift = staff::ShiftAt(roster.rota(), t);
  if (shift == nullptr) return "no shift in the rota";
  const date::local_days day = sla::ToOslo(t).day;
  for (const std::string* id : {&shift->primary(), &shift->backup()}) {
    const Person* p = id->empty() ? nullptr : roster.Find(*id);
    if (p != nullptr && p->member->active() &&
        p->schedule.AbsentOn(day) == v1::ABSENCE_KIND_UNSPECIFIED)
      return "";
  }
  return "the vakt (" + shift->primary() +
         (shift->backup().empty() ? "" : ", backup " + shift->backup()) +
         ") is absent or inactive";
}

// Every stretch of [now, now + kVaktHorizonDays) with no one on vakt. Who
// is on vakt changes only where a shift starts or ends, and absences only
// at local midnight: the stretches between those points are looked at
// once each, so every boundary is exact.
void VaktGaps(v1::CoverageReport& report, const Roster& roster,
              std::chrono::sys_seconds now) {
  using std::chrono::hours;
  const auto end = now + hours(24 * kVaktHorizonDays);
  std::vector<std::chrono::sys_seconds> samples = {now};
  for (const v1::VaktShift& shift : roster.rota().shifts())
    for (const auto* at : {&shift.start(), &shift.end()})
      if (const auto t = proto::ToSys(*at); t > now && t < end)
        samples.push_back(t);
  for (date::local_days day = sla::ToOslo(now).day + date::days(1);;
       day += date::days(1)) {
    const auto midnight = sla::FromOslo(day, 0);
    if (midnight >= end) break;
    samples.push_back(midnight);
  }
  std::sort(samples.begin(), samples.end());
  samples.erase(std::unique(samples.begin(), samples.end()), samples.end());
  v1::VaktGap* open = nullptr;
  std::string open_reason;
  for (size_t k = 0; k < samples.size(); ++k) {
    std::string reason = NoVaktAt(roster, samples[k]);
    const auto next = k + 1 < samples.size() ? samples[k + 1] : end;
    if (!reason.empty() && open != nullptr && reason == open_reason) {
      *open->mutable_to() = proto::ToTimestamp(next);
      continue;
    }
    open = nullptr;
    if (reason.empty()) continue;
    open = report.add_vakt_gaps();
    *open->mutable_from() = proto::ToTimestamp(samples[k]);
    *open->mutable_to() = proto::ToTimestamp(next);
    open->set_reason(reason);
    open_reason = std::move(reason);
  }
  for (v1::VaktGap& g : *report.mutable_vakt_gaps()) {
    const auto from = proto::ToSys(g.from()), to = proto::ToSys(g.to());
    const auto h = std::chrono::ceil<hours>(to - from).count();
    g.set_hours(static_cast<uint32_t>(h));
    report.add_gaps("No vakt from " + LocalWords(from) + " to " +
                    LocalWords(to) + " (" + std::to_string(h) +
                    (h == 1 ? " hour" : " hours") + "): " + g.reason());
  }
}

}  // namespace

v1::CoverageReport Coverage(const Roster& roster,
                            const v1::Catalogue& catalogue,
                            std::chrono::sys_seconds now) {
  v1::CoverageReport report;
  *report.mutable_at() = proto::ToTimestamp(now);
  report.set_required(kRequiredPerCell);
  report.set_vakt_horizon_days(kVaktHorizonDays);

  const auto& people = roster.people();
  const int municipalities = roster.municipality_count();
  std::vector<std::string> ids;
  for (int i = 0; i < municipalities; ++i)
    ids.push_back(roster.MunicipalityId(i));
  const std::vector<Standing> standing =
      StandingOf(roster, municipalities, now);

  // Per skill: the region's tally, and one per municipality of those who
  // cover it on site.
  const auto& skills = catalogue.skills();
  std::vector<Tally> skill_region(static_cast<size_t>(skills.size()));
  std::vector<std::vector<Tally>> skill_local(
      static_cast<size_t>(skills.size()),
      std::vector<Tally>(static_cast<size_t>(municipalities)));
  std::unordered_map<std::string, int> skill_at;  // skill id -> index
  for (int j = 0; j < skills.size(); ++j) {
    skill_at[skills[j].id()] = j;
    if (int k = roster.SkillIndex(skills[j].id()); k >= 0)
      for (int i : roster.WithSkill(k)) {
        if (!standing[i].active) continue;
        skill_region[j].Add(standing[i]);
        for (int m : standing[i].covers) skill_local[j][m].Add(standing[i]);
      }
  }
  Tally everyone;  // a service that needs no particular skill
  std::vector<Tally> everyone_local(static_cast<size_t>(municipalities));
  for (size_t i = 0; i < people.size(); ++i) {
    if (!standing[i].active) continue;
    everyone.Add(standing[i]);
    for (int m : standing[i].covers) everyone_local[m].Add(standing[i]);
  }

  for (const v1::Skill* skill : ById(skills)) {
    v1::CoverageRow* row = report.add_skills();
    row->set_id(skill->id());
    row->set_name(skill->name());
    *row->mutable_region() = skill_region[skill_at[skill->id()]].Cell();
  }

  const Tally none;  // a skill not in the catalogue: no one
  for (const v1::Service* service : ById(catalogue.services())) {
    if (service->state() == v1::SERVICE_STATE_RETIRED) continue;
    // Municipality cells where the service needs local presence.
    std::vector<int> cells;
    if (service->presence() == v1::PRESENCE_NECESSARY) {
      if (service->municipalities().empty()) {
        for (int m = 0; m < municipalities; ++m) cells.push_back(m);
      } else {
        for (const auto& id : service->municipalities()) {
          int m = roster.MunicipalityIndex(id);
          if (m >= 0 && m < municipalities &&
              std::find(cells.begin(), cells.end(), m) == cells.end())
            cells.push_back(m);
        }
      }
      std::sort(cells.begin(), cells.end(),
                [&](int a, int b) { return ids[a] < ids[b]; });
    }
    // The skills dispatch asks for: an external (supplier) service needs
    // only an internal owner who follows the supplier up.
    std::vector<std::string> needs(service->skills().begin(),
                                   service->skills().end());
    if (service->delivery() == v1::DELIVERY_EXTERNAL)
      needs = {std::string(kSupplierFollowUpSkill)};
    // The thinnest skill's tally: the fewest in office hours, then the
    // fewest in all (the first such).
    auto thinnest = [&](int m, std::string& which) {
      Tally t = m < 0 ? everyone : everyone_local[m];
      const Tally* low = nullptr;
      for (const auto& id : needs) {
        auto it = skill_at.find(id);
        const Tally& s = it == skill_at.end() ? none
                         : m < 0              ? skill_region[it->second]
                                              : skill_local[it->second][m];
        if (low == nullptr || s.OfficeHours() < low->OfficeHours() ||
            (s.OfficeHours() == low->OfficeHours() &&
             s.qualified < low->qualified)) {
          low = &s;
          which = id;
        }
        t.KeepMin(s);
      }
      return t;
    };
    // Skills no active person has: a catalogue or registry error.
    std::vector<std::string> nobody;
    for (const auto& id : needs) {
      auto it = skill_at.find(id);
      if (it == skill_at.end() || skill_region[it->second].qualified == 0)
        nobody.push_back(id);
    }
    v1::CoverageRow* row = report.add_services();
    row->set_id(service->id());
    row->set_name(service->name());
    row->set_category(service->category());
    std::string thin_skill;
    const Tally region = thinnest(-1, thin_skill);
    *row->mutable_region() = region.Cell();
    row->mutable_region()->set_thinnest_skill(thin_skill);
    const std::string label = Label(service->name(), service->id());
    const std::string skill_words =
        thin_skill.empty() ? "" : " (skill " + thin_skill + ")";
    if (!nobody.empty()) {
      report.add_gaps(label + " needs " + JoinWords(nobody) +
                      ", which no active person " +
                      "has: a catalogue or staff registry error; its "
                      "tickets wait in the dispatcher queue, or go to the "
                      "vakt when urgent");
    } else if (region.OfficeHours() < kRequiredPerCell)
      report.add_gaps(StandingGap(label + skill_words, "", region));
    if (region.now < kRequiredPerCell)
      report.add_gaps_now(NowGap(label + skill_words, "", region));
    for (int m : cells) {
      std::string local_skill;
      const Tally local = thinnest(m, local_skill);
      v1::MunicipalityCoverage* mc = row->add_municipalities();
      mc->set_municipality(ids[m]);
      *mc->mutable_cell() = local.Cell();
      mc->mutable_cell()->set_thinnest_skill(local_skill);
      if (local.OfficeHours() < kRequiredPerCell)
        report.add_thin_on_site(StandingGap(
            label + " in " + roster.MunicipalityName(m) +
                (local_skill.empty() ? "" : " (skill " + local_skill + ")"),
            " on site", local));
    }
  }
  VaktGaps(report, roster, now);
  return report;
}

}  // namespace helpdesk::dispatch
