#pragma once
// Europe/Oslo local time, daylight saving included, over the system's tz
// database (Howard Hinnant's date/tz, reading /usr/share/zoneinfo). Every
// business rule of the cooperation (working hours, vakt shifts, SLA
// calendars) is in Oslo local time; instants are stored in UTC.
// Pure functions of their arguments (the zone data is read once, on first
// use); any thread.

#include <date/date.h>

#include <chrono>
#include <string>
#include <string_view>

#include "proto/status.h"

namespace helpdesk::sla {

// An instant as a person in Norway reads it off the wall.
struct OsloTime {
  date::local_days day;  // the local date
  int weekday = 0;       // ISO: 1 = Monday ... 7 = Sunday
  int minute = 0;        // minutes since local midnight, 0..1439
};

// Loads the zone; kInternal saying what is wrong (tzdata missing): call
// once at start-up, so the daemon refuses to start rather than fail on its
// first ticket.
Status CheckOsloZone();

OsloTime ToOslo(std::chrono::sys_seconds instant);

// The instant of `minute` past local midnight on `day`. A minute that the
// spring change skips maps to the change itself (03:00 summer time); a
// minute the autumn change repeats maps to its first occurrence.
std::chrono::sys_seconds FromOslo(date::local_days day, int minute);

// "2026-04-01" <-> a local day. Parsing is strict: four-digit year,
// two-digit month and day, a real calendar date.
// kInvalidField (without a field: the caller knows it) when `text` is not
// one.
StatusOr<date::local_days> ParseLocalDay(std::string_view text);
std::string FormatLocalDay(date::local_days day);

// "08:00" <-> minutes since midnight; "24:00" is allowed as the end of a
// day. Strict: two digits, a colon, two digits.
StatusOr<int> ParseClock(std::string_view text);
std::string FormatClock(int minutes);

}  // namespace helpdesk::sla
