#include "sla/calendar.h"

#include <date/tz.h>

#include <algorithm>
#include <cassert>
#include <cstdint>
#include <span>
#include <utility>

#include "sla/holidays.h"
#include "sla/oslo_time.h"

namespace helpdesk::sla {
namespace {

using date::days;
using date::local_days;
using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_seconds;

// The supported range of instants (and of the local days they fall on);
// anything outside is clamped, which also keeps the zone arithmetic far
// from overflow.
constexpr local_days kFirstDay{date::year(1900) / 1 / 1};
constexpr local_days kLastDay{date::year(9999) / 12 / 31};
constexpr sys_seconds kEarliest{date::sys_days{date::year(1900) / 1 / 2}};
constexpr sys_seconds kLatest{date::sys_days{date::year(9999) / 12 / 30}};

// A walk that meets this many days in a row without open time gives up:
// such a calendar never opens (ten years covers every closed-day list a
// person would type in).
constexpr int kMaxClosedRun = 3653;

// No two offsets of a zone differ by this much, so a local day whose UTC
// span keeps this far from both ends of a period of constant offset can
// neither be in a gap nor repeat: plain arithmetic agrees with FromOslo.
constexpr hours kOffsetMargin{6};

enum DayKind : uint8_t { kWeekHours, kHalfDay, kSpecial, kClosed };

const char* const kWeekdayNames[8] = {"",          "monday",   "tuesday",
                                      "wednesday", "thursday", "friday",
                                      "saturday",  "sunday"};

const date::time_zone* Oslo() {
  static const date::time_zone* zone = date::locate_zone("Europe/Oslo");
  return zone;
}

sys_seconds Clamp(sys_seconds t) { return std::clamp(t, kEarliest, kLatest); }

std::string Clock(int minute) {
  if (minute >= 0 && minute <= 24 * 60) return FormatClock(minute);
  return std::to_string(minute) + " min";
}

std::string Range(const Segment& s) {
  return "(" + Clock(s.from) + "-" + Clock(s.to) + ")";
}

void CheckSegments(const std::string& where,
                   const std::vector<Segment>& segments,
                   std::vector<std::string>& errors) {
  const Segment* previous = nullptr;
  for (size_t i = 0; i < segments.size(); ++i) {
    const Segment& s = segments[i];
    const std::string name = where + " segment " + std::to_string(i + 1);
    if (s.from < 0 || s.to > 24 * 60 || s.from >= s.to) {
      errors.push_back(name + " " + Range(s) +
                       " is not a time range within 00:00-24:00");
      continue;
    }
    if (previous != nullptr && s.from < previous->to) {
      const std::string other = " segment " +
                                std::to_string(previous - segments.data() + 1) +
                                " " + Range(*previous);
      errors.push_back(s.from < previous->from
                           ? name + " " + Range(s) + " comes before" + other +
                                 ": segments must be in order"
                           : name + " " + Range(s) + " overlaps" + other);
    }
    previous = &s;
  }
}

}  // namespace

// The state of one walk over local days: the holiday table of the current
// year (built once per year walked, not per day) and the UTC offset of the
// current period, so that most days need no zone lookup at all.
class BusinessCalendar::Walk {
 public:
  explicit Walk(const BusinessCalendar& calendar) : cal_(calendar) {}

  // The open hours of `day`; valid while the calendar lives.
  std::span<const Segment> Hours(local_days day) {
    if (day < first_ || day >= next_) LoadYear(day);
    const unsigned weekday = date::weekday(day).iso_encoding();
    switch (kind_[static_cast<size_t>((day - first_).count())]) {
      case kClosed:
        return {};
      case kSpecial:
        return cal_.spec_.special_days.find(day)->second;
      case kHalfDay:
        return cal_.half_[weekday];
      default:
        return cal_.spec_.week[weekday];
    }
  }

  // FromOslo(day, minute), by arithmetic on days well inside a period of
  // constant offset; the days next to a change go through FromOslo.
  sys_seconds At(local_days day, int minute) {
    if (day == slow_day_) return FromOslo(day, minute);
    const sys_seconds local{day.time_since_epoch()};
    if (!Fits(local)) {
      const date::sys_info info = Oslo()->get_info(local + hours(12));
      begin_ = info.begin;
      end_ = info.end;
      offset_ = info.offset;
      if (!Fits(local)) {
        slow_day_ = day;
        return FromOslo(day, minute);
      }
    }
    return local - offset_ + minutes(minute);
  }

 private:
  bool Fits(sys_seconds local_midnight) const {
    const sys_seconds utc = local_midnight - offset_;
    return utc - kOffsetMargin >= begin_ &&
           utc + days(1) + kOffsetMargin <= end_;
  }

  void LoadYear(local_days day) {
    const date::year y = date::year_month_day(day).year();
    first_ = local_days(y / 1 / 1);
    next_ = local_days((y + date::years(1)) / 1 / 1);
    kind_.fill(kWeekHours);
    auto mark = [this](local_days d, DayKind kind) {
      if (d >= first_ && d < next_)
        kind_[static_cast<size_t>((d - first_).count())] = kind;
    };
    const CalendarSpec& s = cal_.spec_;
    const int year = static_cast<int>(y);
    if (s.half_day_before_easter) mark(EasterSunday(year) - days(4), kHalfDay);
    if (s.half_day_christmas_eve) mark(local_days(y / 12 / 24), kHalfDay);
    if (s.half_day_new_years_eve) mark(local_days(y / 12 / 31), kHalfDay);
    if (s.closed_on_public_holidays)
      for (const Holiday& h : PublicHolidays(year)) mark(h.day, kClosed);
    for (auto it = s.special_days.lower_bound(first_);
         it != s.special_days.end() && it->first < next_; ++it)
      mark(it->first, kSpecial);
    for (auto it =
             std::lower_bound(cal_.closed_.begin(), cal_.closed_.end(), first_);
         it != cal_.closed_.end() && *it < next_; ++it)
      mark(*it, kClosed);
  }

  const BusinessCalendar& cal_;
  local_days first_{}, next_{};  // the year kind_ describes
  std::array<uint8_t, 366> kind_{};
  sys_seconds begin_{}, end_{};  // offset_ holds over [begin_, end_)
  seconds offset_{0};
  local_days slow_day_{};  // a day next to a change, seen last
};

Status Validate(const CalendarSpec& spec) {
  const std::string what = "calendar '" + spec.id + "'";
  std::vector<std::string> errors;
  if (spec.id.empty()) errors.push_back("id: empty");
  if (!spec.week[0].empty())
    errors.push_back(
        "week: entry 0 is unused (weekdays are 1 = monday to "
        "7 = sunday) and must be empty");
  if (spec.always_open) {
    bool hours = false;
    for (int d = 1; d <= 7; ++d) hours = hours || !spec.week[d].empty();
    if (hours)
      errors.push_back("always_open: a 24x7 calendar takes no week hours");
    if (!spec.closed_days.empty())
      errors.push_back("always_open: a 24x7 calendar takes no closed days");
    if (!spec.special_days.empty())
      errors.push_back("always_open: a 24x7 calendar takes no special days");
    if (spec.half_day_christmas_eve || spec.half_day_new_years_eve ||
        spec.half_day_before_easter)
      errors.push_back("always_open: a 24x7 calendar takes no half days");
    return Status::Problems(what, errors);
  }
  int open_minutes = 0;
  bool week_errors = false;
  for (int d = 1; d <= 7; ++d) {
    const size_t before = errors.size();
    CheckSegments(std::string("week: ") + kWeekdayNames[d], spec.week[d],
                  errors);
    week_errors = week_errors || errors.size() != before;
    for (const Segment& s : spec.week[d]) open_minutes += s.to - s.from;
  }
  if (open_minutes <= 0 && !week_errors)
    errors.push_back("week: no open hours on any weekday");
  if (spec.half_day_end < 0 || spec.half_day_end > 24 * 60)
    errors.push_back("half_day_end: " + Clock(spec.half_day_end) +
                     " is not a time within 00:00-24:00");
  for (const auto& [day, segments] : spec.special_days) {
    CheckSegments("special day " + FormatLocalDay(day), segments, errors);
    if (std::find(spec.closed_days.begin(), spec.closed_days.end(), day) !=
        spec.closed_days.end())
      errors.push_back("special day " + FormatLocalDay(day) +
                       " is also a closed day");
  }
  return Status::Problems(what, errors);
}

BusinessCalendar::BusinessCalendar(CalendarSpec spec)
    : spec_(std::move(spec)), closed_(spec_.closed_days) {
  assert(Validate(spec_).ok());
  std::sort(closed_.begin(), closed_.end());
  closed_.erase(std::unique(closed_.begin(), closed_.end()), closed_.end());
  for (int d = 1; d <= 7; ++d)
    for (const Segment& s : spec_.week[d])
      if (s.from < spec_.half_day_end)
        half_[d].push_back({s.from, std::min(s.to, spec_.half_day_end)});
}

std::vector<Segment> BusinessCalendar::HoursOn(local_days day) const {
  if (spec_.always_open) return {{0, 24 * 60}};
  Walk walk(*this);
  const auto hours = walk.Hours(day);
  return {hours.begin(), hours.end()};
}

bool BusinessCalendar::IsOpen(sys_seconds t) const {
  if (spec_.always_open) return true;
  t = Clamp(t);
  Walk walk(*this);
  const local_days day = ToOslo(t).day;
  for (const Segment& s : walk.Hours(day))
    if (walk.At(day, s.from) <= t && t < walk.At(day, s.to)) return true;
  return false;
}

sys_seconds BusinessCalendar::NextOpen(sys_seconds t) const {
  if (spec_.always_open) return t;
  if (t >= kLatest) return sys_seconds::max();
  t = Clamp(t);
  Walk walk(*this);
  int closed_run = 0;
  for (local_days day = ToOslo(t).day; day <= kLastDay; day += days(1)) {
    bool open = false;
    for (const Segment& s : walk.Hours(day)) {
      const sys_seconds a = walk.At(day, s.from), b = walk.At(day, s.to);
      open = open || a < b;
      if (a < b && t < b) return std::max(a, t);
    }
    closed_run = open ? 0 : closed_run + 1;
    if (closed_run > kMaxClosedRun) break;
  }
  return sys_seconds::max();
}

sys_seconds BusinessCalendar::Add(sys_seconds start, seconds business) const {
  if (business <= seconds(0)) return start;
  if (start >= kLatest) return sys_seconds::max();
  start = Clamp(start);
  if (spec_.always_open)
    return business > kLatest - start ? sys_seconds::max() : start + business;
  Walk walk(*this);
  int closed_run = 0;
  for (local_days day = ToOslo(start).day; day <= kLastDay; day += days(1)) {
    bool open = false;
    for (const Segment& s : walk.Hours(day)) {
      const sys_seconds b = walk.At(day, s.to);
      const sys_seconds a = walk.At(day, s.from);
      open = open || a < b;
      const sys_seconds from = std::max(a, start);
      if (b <= from) continue;
      if (business <= b - from) return from + business;
      business -= b - from;
    }
    closed_run = open ? 0 : closed_run + 1;
    if (closed_run > kMaxClosedRun) break;
  }
  return sys_seconds::max();
}

seconds BusinessCalendar::Between(sys_seconds from, sys_seconds to) const {
  from = Clamp(from);
  to = Clamp(to);
  if (to <= from) return seconds(0);
  if (spec_.always_open) return to - from;
  Walk walk(*this);
  seconds total(0);
  const local_days last = ToOslo(to).day;
  for (local_days day = ToOslo(from).day; day <= last; day += days(1)) {
    for (const Segment& s : walk.Hours(day)) {
      const sys_seconds a = std::max(walk.At(day, s.from), from);
      const sys_seconds b = std::min(walk.At(day, s.to), to);
      if (a < b) total += b - a;
    }
  }
  return total;
}

sys_seconds BusinessCalendar::Subtract(sys_seconds end,
                                       seconds business) const {
  if (business <= seconds(0)) return end;
  if (end <= kEarliest) return sys_seconds::min();
  end = Clamp(end);
  if (spec_.always_open)
    return business > end - kEarliest ? sys_seconds::min() : end - business;
  Walk walk(*this);
  int closed_run = 0;
  for (local_days day = ToOslo(end).day; day >= kFirstDay; day -= days(1)) {
    bool open = false;
    const auto hours = walk.Hours(day);
    for (auto s = hours.rbegin(); s != hours.rend(); ++s) {
      const sys_seconds a = walk.At(day, s->from);
      const sys_seconds b = walk.At(day, s->to);
      open = open || a < b;
      const sys_seconds to = std::min(b, end);
      if (to <= a) continue;
      if (business <= to - a) return to - business;
      business -= to - a;
    }
    closed_run = open ? 0 : closed_run + 1;
    if (closed_run > kMaxClosedRun) break;
  }
  return sys_seconds::min();
}

CalendarSpec DeskCalendar() {
  CalendarSpec spec;
  spec.id = "desk";
  spec.name = "Servicedesk, hverdager 08:00-15:30";
  for (int d = 1; d <= 5; ++d) spec.week[d] = {{8 * 60, 15 * 60 + 30}};
  spec.closed_on_public_holidays = true;
  spec.half_day_christmas_eve = true;
  spec.half_day_new_years_eve = true;
  spec.half_day_before_easter = true;
  spec.half_day_end = 12 * 60;
  return spec;
}

CalendarSpec AlwaysOpen() {
  CalendarSpec spec;
  spec.id = "24x7";
  spec.name = "Døgnåpent (24/7)";
  spec.always_open = true;
  spec.closed_on_public_holidays = false;
  return spec;
}

}  // namespace helpdesk::sla
