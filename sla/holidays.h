#pragma once
// Norwegian public holidays (helligdager and the two official days of
// celebration, 1 and 17 May), computed for any year: the fixed ones and the
// Easter-based ones (Maundy Thursday, Good Friday, Easter Sunday and
// Monday, Ascension Day, Whit Sunday and Monday). Never a list typed in by
// year. Sundays that are not holidays are not included. Pure; any thread.

#include <date/date.h>

#include <string_view>
#include <vector>

namespace helpdesk::sla {

struct Holiday {
  date::local_days day;
  std::string_view name;  // Norwegian bokmål: "Skjærtorsdag"
};

// Easter Sunday of the Gregorian calendar (Meeus/Jones/Butcher).
date::local_days EasterSunday(int year);

// The holidays of `year`, in date order.
std::vector<Holiday> PublicHolidays(int year);

bool IsPublicHoliday(date::local_days day);

}  // namespace helpdesk::sla
