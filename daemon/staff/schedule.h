#pragma once
// When a person works: their weekly working hours and absences compiled
// into a form that answers "at work at this local minute?" in a few
// comparisons, and the vakt shift that covers an instant. Used by dispatch
// (thousands of checks per decision), coverage and the staff API.
// Pure; a Schedule is an immutable value, safe to share between threads.

#include <array>
#include <chrono>
#include <cstdint>
#include <vector>

#include "proto/helpdesk.pb.h"
#include "sla/oslo_time.h"

namespace helpdesk::staff {

class Schedule {
 public:
  Schedule() = default;
  // `member` must have passed Validate (malformed times are skipped).
  static Schedule Of(const v1::StaffMember& member);

  // Inside a working period at local `minute` of ISO `weekday` (1..7).
  bool InHours(int weekday, int minute) const;
  // Works at some point between `from` and `to` (minutes) on `weekday`.
  bool WorksDuring(int weekday, int from, int to) const;
  // The kind of absence covering `day`, or UNSPECIFIED when present.
  v1::AbsenceKind AbsentOn(date::local_days day) const;
  // In hours, not absent, and not a public holiday.
  bool AtWork(const sla::OsloTime& t, bool holiday) const {
    return !holiday && InHours(t.weekday, t.minute) &&
           AbsentOn(t.day) == v1::ABSENCE_KIND_UNSPECIFIED;
  }
  // Minutes of work in a week, from the working hours.
  int WeeklyMinutes() const;

 private:
  struct Span {
    int16_t from, to;  // minutes, from < to
  };
  struct Away {
    int32_t first, last;  // days since 1970-01-01, inclusive
    v1::AbsenceKind kind;
  };
  std::array<std::vector<Span>, 8> hours_;  // by ISO weekday; [0] unused
  std::vector<Away> away_;                  // sorted by first day
};

// The shift of `rota` (sorted, non-overlapping) covering `at`, or nullptr.
const v1::VaktShift* ShiftAt(const v1::VaktRota& rota,
                             std::chrono::sys_seconds at);
// The first shift starting after `at`, or nullptr.
const v1::VaktShift* NextShift(const v1::VaktRota& rota,
                               std::chrono::sys_seconds at);

}  // namespace helpdesk::staff
