#pragma once
// Business calendars: when the clock of a service target runs. Opening
// hours per weekday in Europe/Oslo local time (several segments a day),
// Norwegian public holidays computed for any year, extra closed days, dated
// special hours and yearly half days; or 24x7. Pure: no clock reads, the
// instants are passed in; only the tz data is read (once, by oslo_time).

#include <date/date.h>

#include <array>
#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "proto/status.h"

namespace helpdesk::sla {

// Open time within one local day, in minutes since local midnight:
// 0 <= from < to <= 1440 (24:00 ends the day).
struct Segment {
  int from = 0;
  int to = 0;
  friend bool operator==(const Segment&, const Segment&) = default;
};

// What a calendar is, as configured. The hours of a local day are decided
// in this order, the first that applies wins:
//   1. always_open: every instant counts (all other fields must be empty);
//   2. a day in closed_days: closed;
//   3. a day in special_days: exactly those segments, even on a public
//      holiday (a dated entry is a deliberate decision, e.g. staffed during
//      a migration on Whit Monday);
//   4. a public holiday (sla/holidays.h), if closed_on_public_holidays;
//   5. a half day by rule: the weekday's hours cut off at half_day_end (so
//      Christmas Eve on a Saturday stays closed on a Monday-Friday desk);
//   6. the weekday's hours.
struct CalendarSpec {
  std::string id;    // "desk"
  std::string name;  // for people: "Servicedesk, hverdager 08:00-15:30"
  bool always_open = false;
  // By ISO weekday, 1 = Monday ... 7 = Sunday; [0] is unused and empty.
  // Segments sorted and not overlapping (touching is fine).
  std::array<std::vector<Segment>, 8> week;
  bool closed_on_public_holidays = true;
  std::vector<date::local_days> closed_days;
  std::map<date::local_days, std::vector<Segment>> special_days;
  // Half days computed for every year (never typed in per year): Christmas
  // Eve (24 Dec), New Year's Eve (31 Dec), and the Wednesday before Maundy
  // Thursday (onsdag før skjærtorsdag). half_day_end = 0 closes those days.
  bool half_day_christmas_eve = false;
  bool half_day_new_years_eve = false;
  bool half_day_before_easter = false;
  int half_day_end = 12 * 60;
};

// Every problem of `spec`, in words ("week: monday segment 2 (11:00-13:00)
// overlaps segment 1 (08:00-12:00)"), as the errors of kInvalidField; ok
// when the spec is usable.
Status Validate(const CalendarSpec& spec);

// A calendar to compute business time with. An immutable value: any number
// of threads may call it at once. Instants are UTC; days and minutes are
// Oslo local time. Segment boundaries are converted with FromOslo on each
// local day, so a boundary in the skipped spring hour is the change itself
// and one in the repeated autumn hour is its first occurrence; always_open
// counts exact instants (a 23 h and a 25 h day).
//
// Walks give up after ten years without any open time, or at the end of
// the supported years 1900-9999 (instants outside are clamped): Add and
// NextOpen then return sys_seconds::max(), Subtract sys_seconds::min().
// Negative durations count as zero.
class BusinessCalendar {
 public:
  // `spec` must have passed Validate (checked in debug builds).
  explicit BusinessCalendar(CalendarSpec spec);

  const CalendarSpec& spec() const { return spec_; }

  // The open hours of a local day after holidays, closed, special and half
  // days; 00:00-24:00 for always_open.
  std::vector<Segment> HoursOn(date::local_days day) const;

  bool IsOpen(std::chrono::sys_seconds t) const;

  // The next instant >= t that is open: t itself when open now.
  std::chrono::sys_seconds NextOpen(std::chrono::sys_seconds t) const;

  // The earliest instant by which `business` of open time has passed since
  // `start`. A start in closed time waits for the next opening; a target
  // used up exactly at closing time is due at closing, not next morning.
  // business == 0 gives `start`.
  std::chrono::sys_seconds Add(std::chrono::sys_seconds start,
                               std::chrono::seconds business) const;

  // Open time in [from, to); zero when to <= from. The business time that
  // passed during a pause is Between(pause_start, pause_end).
  std::chrono::seconds Between(std::chrono::sys_seconds from,
                               std::chrono::sys_seconds to) const;

  // The latest instant s with Between(s, end) == business. For s in open
  // time, Subtract(Add(s, x), x) == s.
  std::chrono::sys_seconds Subtract(std::chrono::sys_seconds end,
                                    std::chrono::seconds business) const;

 private:
  class Walk;  // per-call state of a walk over days (calendar.cc)

  CalendarSpec spec_;
  std::vector<date::local_days> closed_;      // spec_.closed_days, sorted
  std::array<std::vector<Segment>, 8> half_;  // week cut at half_day_end
};

// The desk calendar of the demo cooperation: Monday-Friday 08:00-15:30,
// closed on public holidays, half days 08:00-12:00 on Christmas Eve, New
// Year's Eve and the Wednesday before Easter, as real municipalities do.
CalendarSpec DeskCalendar();  // id "desk"
CalendarSpec AlwaysOpen();    // id "24x7"

}  // namespace helpdesk::sla
