#include "daemon/dispatch/coverage.h"

#include <algorithm>
#include <array>
#include <string>
#include <vector>

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
  std::string out;
  for (size_t k = 0; k < days.size(); ++k) {
    if (k > 0) out += k + 1 == days.size() ? " and " : ", ";
    out += kWorkdayNames[days[k]];
  }
  return out;
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

void AddGaps(v1::CoverageReport& report, const std::string& label,
             const char* where, const Tally& t) {
  if (t.OfficeHours() < kRequiredPerCell)
    report.add_gaps(StandingGap(label, where, t));
  if (t.now < kRequiredPerCell) report.add_gaps_now(NowGap(label, where, t));
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

}  // namespace

v1::CoverageReport Coverage(const Roster& roster,
                            const v1::Catalogue& catalogue,
                            std::chrono::sys_seconds now) {
  v1::CoverageReport report;
  *report.mutable_at() = proto::ToTimestamp(now);
  report.set_required(kRequiredPerCell);

  const auto& people = roster.people();
  const int municipalities = roster.municipality_count();
  std::vector<std::string> ids;
  for (int i = 0; i < municipalities; ++i)
    ids.push_back(roster.MunicipalityId(i));
  const std::vector<Standing> standing =
      StandingOf(roster, municipalities, now);

  for (const v1::Skill* skill : ById(catalogue.skills())) {
    Tally t;
    if (int k = roster.SkillIndex(skill->id()); k >= 0)
      for (int i : roster.WithSkill(k))
        if (standing[i].active) t.Add(standing[i]);
    v1::CoverageRow* row = report.add_skills();
    row->set_id(skill->id());
    row->set_name(skill->name());
    *row->mutable_region() = t.Cell();
    AddGaps(report, Label(skill->name(), skill->id()), "", t);
  }

  // Municipality index -> its cell in the current row, or -1.
  std::vector<int> slot(static_cast<size_t>(municipalities), -1);
  for (const v1::Service* service : ById(catalogue.services())) {
    if (service->state() == v1::SERVICE_STATE_RETIRED) continue;
    // The shortest posting list of the skills needed holds every candidate.
    Bits need;
    bool nobody = false;
    const std::vector<int>* candidates = nullptr;
    for (const auto& id : service->skills()) {
      int k = roster.SkillIndex(id);
      if (k < 0) {  // no one on the roster has this skill
        nobody = true;
        break;
      }
      need.Set(k);
      if (candidates == nullptr ||
          roster.WithSkill(k).size() < candidates->size())
        candidates = &roster.WithSkill(k);
    }
    // Local presence: one cell per municipality the service applies to.
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
    for (size_t j = 0; j < cells.size(); ++j)
      slot[cells[j]] = static_cast<int>(j);

    Tally region;
    std::vector<Tally> local(cells.size());
    auto count = [&](int i) {
      const Standing& s = standing[i];
      if (!s.active || !people[i].skills.Contains(need)) return;
      region.Add(s);
      for (int m : s.covers)
        if (slot[m] >= 0) local[slot[m]].Add(s);
    };
    if (!nobody) {
      if (candidates != nullptr) {
        for (int i : *candidates) count(i);
      } else {  // a service that needs no particular skill
        for (size_t i = 0; i < people.size(); ++i) count(static_cast<int>(i));
      }
    }

    v1::CoverageRow* row = report.add_services();
    row->set_id(service->id());
    row->set_name(service->name());
    row->set_category(service->category());
    *row->mutable_region() = region.Cell();
    const std::string label = Label(service->name(), service->id());
    AddGaps(report, label, "", region);
    for (size_t j = 0; j < cells.size(); ++j) {
      v1::MunicipalityCoverage* mc = row->add_municipalities();
      mc->set_municipality(ids[cells[j]]);
      *mc->mutable_cell() = local[j].Cell();
      AddGaps(report, label + " in " + roster.MunicipalityName(cells[j]),
              " on site", local[j]);
    }
    for (int m : cells) slot[m] = -1;
  }
  return report;
}

}  // namespace helpdesk::dispatch
