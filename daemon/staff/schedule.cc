#include "daemon/staff/schedule.h"

#include <algorithm>

namespace helpdesk::staff {

Schedule Schedule::Of(const v1::StaffMember& member) {
  Schedule s;
  for (const auto& p : member.working_hours()) {
    auto from = sla::ParseClock(p.start());
    auto to = sla::ParseClock(p.end());
    if (!from.ok() || !to.ok() || *from >= *to) continue;
    for (int day : p.days()) {
      if (day < 1 || day > 7) continue;
      s.hours_[day].push_back(
          {static_cast<int16_t>(*from), static_cast<int16_t>(*to)});
    }
  }
  for (auto& day : s.hours_)
    std::sort(day.begin(), day.end(),
              [](Span a, Span b) { return a.from < b.from; });
  for (const auto& a : member.absences()) {
    auto first = sla::ParseLocalDay(a.from());
    auto last = sla::ParseLocalDay(a.to());
    if (!first.ok() || !last.ok() || *last < *first) continue;
    s.away_.push_back({static_cast<int32_t>(first->time_since_epoch().count()),
                       static_cast<int32_t>(last->time_since_epoch().count()),
                       a.kind()});
  }
  std::sort(s.away_.begin(), s.away_.end(),
            [](const Away& a, const Away& b) { return a.first < b.first; });
  return s;
}

bool Schedule::InHours(int weekday, int minute) const {
  if (weekday < 1 || weekday > 7) return false;
  for (Span s : hours_[weekday])
    if (s.from <= minute && minute < s.to) return true;
  return false;
}

bool Schedule::WorksDuring(int weekday, int from, int to) const {
  if (weekday < 1 || weekday > 7) return false;
  for (Span s : hours_[weekday])
    if (s.from < to && from < s.to) return true;
  return false;
}

v1::AbsenceKind Schedule::AbsentOn(date::local_days day) const {
  const auto n = day.time_since_epoch().count();
  // Absences may overlap (a sick day inside a holiday): any that covers
  // the day counts; the list is short, sorted by its first day.
  for (const Away& a : away_) {
    if (a.first > n) break;
    if (n <= a.last) return a.kind;
  }
  return v1::ABSENCE_KIND_UNSPECIFIED;
}

int Schedule::WeeklyMinutes() const {
  int total = 0;
  for (const auto& day : hours_)
    for (Span s : day) total += s.to - s.from;
  return total;
}

const v1::VaktShift* ShiftAt(const v1::VaktRota& rota,
                             std::chrono::sys_seconds at) {
  const int64_t s = at.time_since_epoch().count();
  // The last shift starting at or before `at`; shifts do not overlap.
  auto it = std::upper_bound(rota.shifts().begin(), rota.shifts().end(), s,
                             [](int64_t v, const v1::VaktShift& x) {
                               return v < x.start().seconds();
                             });
  if (it == rota.shifts().begin()) return nullptr;
  --it;
  return s < it->end().seconds() ? &*it : nullptr;
}

const v1::VaktShift* NextShift(const v1::VaktRota& rota,
                               std::chrono::sys_seconds at) {
  const int64_t s = at.time_since_epoch().count();
  auto it = std::upper_bound(rota.shifts().begin(), rota.shifts().end(), s,
                             [](int64_t v, const v1::VaktShift& x) {
                               return v < x.start().seconds();
                             });
  return it == rota.shifts().end() ? nullptr : &*it;
}

}  // namespace helpdesk::staff
