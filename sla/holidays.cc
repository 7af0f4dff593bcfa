#include "sla/holidays.h"

#include <algorithm>

namespace helpdesk::sla {

date::local_days EasterSunday(int year) {
  const int a = year % 19, b = year / 100, c = year % 100;
  const int d = b / 4, e = b % 4, f = (b + 8) / 25, g = (b - f + 1) / 3;
  const int h = (19 * a + b - d - g + 15) % 30;
  const int i = c / 4, k = c % 4;
  const int l = (32 + 2 * e + 2 * i - h - k) % 7;
  const int m = (a + 11 * h + 22 * l) / 451;
  const int month = (h + l - 7 * m + 114) / 31;
  const int day = (h + l - 7 * m + 114) % 31 + 1;
  return date::local_days(date::year(year) /
                          date::month(static_cast<unsigned>(month)) /
                          date::day(static_cast<unsigned>(day)));
}

std::vector<Holiday> PublicHolidays(int year) {
  using date::days;
  const date::year y(year);
  const date::local_days easter = EasterSunday(year);
  auto fixed = [&](unsigned month, unsigned day) {
    return date::local_days(y / date::month(month) / date::day(day));
  };
  std::vector<Holiday> out = {
      {fixed(1, 1), "Første nyttårsdag"},
      {easter - days(3), "Skjærtorsdag"},
      {easter - days(2), "Langfredag"},
      {easter, "Første påskedag"},
      {easter + days(1), "Andre påskedag"},
      {fixed(5, 1), "Offentlig høytidsdag"},
      {fixed(5, 17), "Grunnlovsdag"},
      {easter + days(39), "Kristi himmelfartsdag"},
      {easter + days(49), "Første pinsedag"},
      {easter + days(50), "Andre pinsedag"},
      {fixed(12, 25), "Første juledag"},
      {fixed(12, 26), "Andre juledag"},
  };
  // Ascension Day can fall on 1 or 17 May; both stay listed, in order.
  std::stable_sort(
      out.begin(), out.end(),
      [](const Holiday& a, const Holiday& b) { return a.day < b.day; });
  return out;
}

bool IsPublicHoliday(date::local_days day) {
  const int year = static_cast<int>(date::year_month_day(day).year());
  // Cheap checks first: most days are not near a holiday at all.
  const date::year_month_day ymd(day);
  const unsigned m = static_cast<unsigned>(ymd.month());
  const unsigned d = static_cast<unsigned>(ymd.day());
  if ((m == 1 && d == 1) || (m == 5 && (d == 1 || d == 17)) ||
      (m == 12 && (d == 25 || d == 26)))
    return true;
  const auto offset = (day - EasterSunday(year)).count();
  return offset == -3 || offset == -2 || offset == 0 || offset == 1 ||
         offset == 39 || offset == 49 || offset == 50;
}

}  // namespace helpdesk::sla
