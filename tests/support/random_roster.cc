#include "tests/support/random_roster.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <set>

#include "daemon/staff/schedule.h"
#include "daemon/staff/staff.h"
#include "proto/timestamps.h"
#include "sla/oslo_time.h"

namespace helpdesk::dispatch::testgen {
namespace {

struct Place {
  const char* id;
  const char* name;
};

// Real groupings from the domain brief first; beyond them, numbered ones.
constexpr Place kPlaces[] = {
    {"kongsberg", "Kongsberg"},
    {"notodden", "Notodden"},
    {"nore-og-uvdal", "Nore og Uvdal"},
    {"flesberg", "Flesberg"},
    {"rollag", "Rollag"},
    {"tinn", "Tinn"},
    {"hjartdal", "Hjartdal"},
    {"austrheim", "Austrheim"},
    {"fedje", "Fedje"},
    {"gulen", "Gulen"},
    {"masfjorden", "Masfjorden"},
    {"modalen", "Modalen"},
    {"osteroy", "Osterøy"},
    {"vaksdal", "Vaksdal"},
    {"gratangen", "Gratangen"},
    {"lavangen", "Lavangen"},
    {"salangen", "Salangen"},
    {"ibestad", "Ibestad"},
};

constexpr const char* kSkills[] = {
    "network",      "servers",   "applications", "school-platforms",
    "telephony",    "security",  "printers",     "vdi",
    "backup",       "directory", "email",        "local-equipment",
    "exam-support", "elections", "databases",
};

int Uniform(std::mt19937_64& rng, int lo, int hi) {  // inclusive
  return std::uniform_int_distribution<int>(lo, hi)(rng);
}

bool Chance(std::mt19937_64& rng, double p) {
  return std::uniform_real_distribution<double>(0.0, 1.0)(rng) < p;
}

int Weighted(std::mt19937_64& rng, const std::vector<double>& weights) {
  return std::discrete_distribution<int>(weights.begin(), weights.end())(rng);
}

std::string Day(date::local_days d) { return sla::FormatLocalDay(d); }

void AddPeriod(v1::StaffMember& m, const std::vector<int>& days,
               const char* start, const char* end) {
  auto* p = m.add_working_hours();
  for (int d : days) p->add_days(static_cast<v1::Weekday>(d));
  p->set_start(start);
  p->set_end(end);
}

// `n` distinct weekdays of Monday..Friday, in order.
std::vector<int> SomeWeekdays(std::mt19937_64& rng, int n) {
  std::vector<int> days = {1, 2, 3, 4, 5};
  std::shuffle(days.begin(), days.end(), rng);
  days.resize(n);
  std::sort(days.begin(), days.end());
  return days;
}

// Working hours by FTE, with the employer's daily hours (rule 11).
void WorkingHours(v1::StaffMember& m, int employer_style,
                  std::mt19937_64& rng) {
  static constexpr const char* kStart[] = {"08:00", "08:00", "07:45"};
  static constexpr const char* kEnd[] = {"15:30", "15:45", "15:45"};
  const char* start = kStart[employer_style % 3];
  const char* end = kEnd[employer_style % 3];
  switch (m.fte_percent()) {
    case 100:
      if (Chance(rng, 0.1)) {  // out for lunch in the middle
        AddPeriod(m, {1, 2, 3, 4, 5}, start, "11:30");
        AddPeriod(m, {1, 2, 3, 4, 5}, "12:00", end);
      } else {
        AddPeriod(m, {1, 2, 3, 4, 5}, start, end);
      }
      break;
    case 80:
      AddPeriod(m, SomeWeekdays(rng, 4), start, end);
      break;
    case 60:
      if (Chance(rng, 0.5))
        AddPeriod(m, SomeWeekdays(rng, 3), start, end);
      else
        AddPeriod(m, {1, 2, 3, 4, 5}, "08:00", "12:30");
      break;
    default:  // 40
      if (Chance(rng, 0.5))
        AddPeriod(m, SomeWeekdays(rng, 2), start, end);
      else
        AddPeriod(m, {1, 2, 3, 4, 5}, "12:00", "15:00");
      break;
  }
  if (Chance(rng, 0.04)) AddPeriod(m, {6}, "10:00", "14:00");  // exams, events
  if (Chance(rng, 0.03))
    AddPeriod(m, {2, 4}, "16:00", "20:00");  // evening school
}

void Absences(v1::StaffMember& m, const RegionSpec& spec,
              std::mt19937_64& rng) {
  const date::local_days jan1{date::year(spec.year) / 1 / 1};
  const int days_in_year =
      (date::local_days{date::year(spec.year + 1) / 1 / 1} - jan1).count();
  auto add = [&](date::local_days from, int days, v1::AbsenceKind kind) {
    auto* a = m.add_absences();
    a->set_from(Day(from));
    a->set_to(Day(from + date::days(days - 1)));
    a->set_kind(kind);
  };
  if (Chance(rng, spec.summer_share)) {
    // Three weeks' ferie from a Monday in July.
    const date::local_days july{date::year(spec.year) / 7 / 1};
    const date::local_days monday = july + (date::Monday - date::weekday(july));
    add(monday + date::weeks(Uniform(rng, 0, 2)), 21, v1::ABSENCE_KIND_HOLIDAY);
  }
  if (!Chance(rng, spec.absent_share)) return;
  const int n = Uniform(rng, 1, 3);
  for (int i = 0; i < n; ++i) {
    const auto kind = static_cast<v1::AbsenceKind>(Uniform(rng, 1, 5));
    if (!spec.focus_days.empty() && Chance(rng, 0.6)) {
      const auto focus = spec.focus_days[Uniform(
          rng, 0, static_cast<int>(spec.focus_days.size()) - 1)];
      add(focus - date::days(Uniform(rng, 0, 3)), Uniform(rng, 1, 6), kind);
    } else {
      add(jan1 + date::days(Uniform(rng, 0, days_in_year - 1)),
          Uniform(rng, 1, 14), kind);
    }
  }
}

}  // namespace

v1::ServiceSnapshot RandomService(const std::vector<std::string>& skills,
                                  int number, std::mt19937_64& rng) {
  v1::ServiceSnapshot s;
  s.set_id("service-" + std::to_string(number));
  s.set_version(1);
  s.set_name("Tjeneste " + std::to_string(number));
  s.set_category("category-" + std::to_string(number % 5));
  s.set_presence(static_cast<v1::Presence>(1 + Weighted(rng, {35, 25, 40})));
  if (Chance(rng, 0.2)) {
    s.set_delivery(v1::DELIVERY_EXTERNAL);
    s.mutable_supplier()->set_name("Leverandør " + std::to_string(number % 4) +
                                   " AS");
    s.mutable_supplier()->set_contact("support@leverandor.example");
  } else {
    s.set_delivery(v1::DELIVERY_INTERNAL);
  }
  s.set_business_critical(Chance(rng, 0.1));
  const int n = Uniform(rng, 1, 3);
  std::set<int> picked;
  while (static_cast<int>(picked.size()) < n && picked.size() < skills.size()) {
    // supplier-followup (index 0) only rarely as an internal skill.
    int i = Chance(rng, 0.05)
                ? 0
                : Uniform(rng, 1, static_cast<int>(skills.size()) - 1);
    picked.insert(i);
  }
  for (int i : picked) s.add_skills(skills[i]);
  s.set_sla_class("standard");
  return s;
}

Region RandomRegion(const RegionSpec& spec, std::mt19937_64& rng) {
  Region r;
  // Skills, with skewed popularity: some are rare.
  r.skills.emplace_back(kSupplierFollowUpSkill);
  for (int i = 1; i < std::max(spec.skills, 2); ++i)
    r.skills.push_back(i - 1 < static_cast<int>(std::size(kSkills))
                           ? std::string(kSkills[i - 1])
                           : "skill-" + std::to_string(i));
  std::vector<double> popularity(r.skills.size());
  for (auto& p : popularity)
    p = std::uniform_real_distribution<double>(0.1, 1.0)(rng);
  popularity[0] = 0.5;

  // Municipalities on a 150 x 150 km map.
  const int n_muni = std::max(spec.municipalities, 1);
  const int covered = std::max(n_muni - spec.uncovered, 1);
  std::vector<std::pair<double, double>> at(n_muni);
  for (int i = 0; i < n_muni; ++i) {
    v1::Municipality m;
    if (i < static_cast<int>(std::size(kPlaces))) {
      m.set_id(kPlaces[i].id);
      m.set_name(kPlaces[i].name);
    } else {
      m.set_id("kommune-" + std::to_string(i));
      m.set_name("Kommune " + std::to_string(i));
    }
    m.set_number(std::to_string(3300 + i));
    r.municipalities.push_back(std::move(m));
    at[i] = {std::uniform_real_distribution<double>(0, 150)(rng),
             std::uniform_real_distribution<double>(0, 150)(rng)};
  }
  auto minutes = [&](int a, int b) {
    const double km =
        std::hypot(at[a].first - at[b].first, at[a].second - at[b].second);
    // Quoted to 5 minutes, as people give road times, so equally near
    // neighbours happen.
    return static_cast<uint32_t>(5 * std::lround((5 + 1.2 * km) / 5));
  };
  r.options.travel_fallback = Chance(rng, 0.85);
  r.options.max_travel_minutes =
      std::vector<uint32_t>{45, 60, 90, 120}[Uniform(rng, 0, 3)];
  for (int a = 0; a < n_muni; ++a)
    for (int b = a + 1; b < n_muni; ++b)
      if (Chance(rng, 0.85))  // some pairs have no entry
        r.options.travel.push_back({r.municipalities[a].id(),
                                    r.municipalities[b].id(), minutes(a, b)});

  // Staff: big and small home municipalities, as in Kongsbergregionen.
  std::vector<double> size(covered);
  for (auto& s : size) s = Uniform(rng, 1, 6);
  for (int i = 0; i < spec.staff; ++i) {
    v1::StaffMember m;
    char id[32];
    std::snprintf(id, sizeof id, "staff-%04d", i);
    m.set_id(id);
    m.set_name("Ansatt " + std::to_string(i));
    m.set_title("IKT-rådgiver");
    m.set_phone("+47 9" + std::to_string(1000000 + i));
    const int home = i < covered ? i : Weighted(rng, size);
    m.set_home_municipality(r.municipalities[home].id());
    m.add_covers(r.municipalities[home].id());
    int employer = home;
    if (covered > 1 && Chance(rng, 0.25)) {
      // Hired in to cover one or two of the nearest other municipalities.
      std::vector<int> near;
      for (int j = 0; j < covered; ++j)
        if (j != home) near.push_back(j);
      std::sort(near.begin(), near.end(), [&](int x, int y) {
        return minutes(home, x) < minutes(home, y);
      });
      near.resize(std::min<size_t>(near.size(), 3));
      std::shuffle(near.begin(), near.end(), rng);
      const int extra = std::min<int>(Uniform(rng, 1, 2), near.size());
      for (int k = 0; k < extra; ++k)
        m.add_covers(r.municipalities[near[k]].id());
      if (Chance(rng, 0.5)) employer = near[0];
    }
    m.set_employer_municipality(r.municipalities[employer].id());
    const int n_skills =
        std::min<int>(Uniform(rng, 1, 4), static_cast<int>(r.skills.size()));
    std::vector<double> w = popularity;
    for (int k = 0; k < n_skills; ++k) {
      const int s = Weighted(rng, w);
      w[s] = 0;
      m.add_skills(r.skills[s]);
    }
    m.set_fte_percent(
        std::vector<uint32_t>{40, 60, 80, 100}[Weighted(rng, {1, 2, 1, 6})]);
    WorkingHours(m, employer, rng);
    Absences(m, spec, rng);
    m.set_active(!Chance(rng, spec.inactive_share));
    m.set_version(1);
    staff::Normalize(m);
    r.staff.push_back(std::move(m));
  }

  // A weekly vakt rota, handed over Monday 08:00 local time, with gaps.
  if (!r.staff.empty()) {
    const date::local_days jan1{date::year(spec.year) / 1 / 1};
    date::local_days monday =
        jan1 - (date::weekday(jan1) - date::Monday) - date::weeks(1);
    const date::local_days stop{date::year(spec.year + 1) / 1 / 8};
    const int last = static_cast<int>(r.staff.size()) - 1;
    for (; monday < stop; monday += date::weeks(1)) {
      if (Chance(rng, spec.vakt_gap_share)) continue;
      auto* s = r.rota.add_shifts();
      *s->mutable_start() = proto::ToTimestamp(sla::FromOslo(monday, 8 * 60));
      *s->mutable_end() =
          proto::ToTimestamp(sla::FromOslo(monday + date::weeks(1), 8 * 60));
      const int primary = Uniform(rng, 0, last);
      s->set_primary(r.staff[primary].id());
      if (last > 0 && !Chance(rng, spec.no_backup_share)) {
        int backup = Uniform(rng, 0, last - 1);
        if (backup >= primary) ++backup;
        s->set_backup(r.staff[backup].id());
      }
    }
    r.rota.set_version(1);
  }

  for (int i = 0; i < spec.services; ++i)
    r.services.push_back(RandomService(r.skills, i, rng));
  return r;
}

v1::Ticket RandomTicket(const Region& region, int number,
                        std::mt19937_64& rng) {
  v1::Ticket t;
  t.set_id(std::to_string(number));
  t.set_title("Sak " + std::to_string(number));
  const auto& m = region.municipalities[Uniform(
      rng, 0, static_cast<int>(region.municipalities.size()) - 1)];
  t.set_municipality(m.id());
  t.set_priority(static_cast<v1::Priority>(1 + Weighted(rng, {1, 2, 5, 2})));
  t.set_status(v1::TICKET_STATUS_NEW);
  t.set_version(1);
  if (!region.services.empty()) {
    const auto& s = region.services[Uniform(
        rng, 0, static_cast<int>(region.services.size()) - 1)];
    t.set_service_id(s.id());
    *t.mutable_service() = s;
  }
  return t;
}

std::chrono::sys_seconds RandomInstant(int year, std::mt19937_64& rng) {
  const date::local_days jan1{date::year(year) / 1 / 1};
  const int days =
      (date::local_days{date::year(year + 1) / 1 / 1} - jan1).count();
  return sla::FromOslo(jan1 + date::days(Uniform(rng, 0, days - 1)),
                       Uniform(rng, 0, 24 * 60 - 1));
}

std::unique_ptr<Roster> MakeRoster(const Region& region) {
  return MakeRoster(region, region.staff);
}

std::unique_ptr<Roster> MakeRoster(const Region& region,
                                   std::vector<v1::StaffMember> staff) {
  return std::make_unique<Roster>(std::move(staff), region.rota,
                                  region.municipalities, region.options);
}

}  // namespace helpdesk::dispatch::testgen
