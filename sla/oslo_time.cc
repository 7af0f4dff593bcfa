#include "sla/oslo_time.h"

#include <date/tz.h>

#include <exception>

namespace helpdesk::sla {
namespace {

const date::time_zone* Zone() {
  // Thread-safe static initialisation; locate_zone throws only when the
  // tz database has no Europe/Oslo, which CheckOsloZone reports at start.
  static const date::time_zone* zone = date::locate_zone("Europe/Oslo");
  return zone;
}

bool TwoDigits(std::string_view s, size_t at, int& out) {
  if (at + 2 > s.size()) return false;
  char a = s[at], b = s[at + 1];
  if (a < '0' || a > '9' || b < '0' || b > '9') return false;
  out = (a - '0') * 10 + (b - '0');
  return true;
}

}  // namespace

Status CheckOsloZone() {
  try {
    Zone();
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::Internal(
        std::string("the time zone Europe/Oslo is not available (install "
                    "the tzdata package): ") +
        e.what());
  }
}

OsloTime ToOslo(std::chrono::sys_seconds instant) {
  auto local = Zone()->to_local(instant);
  OsloTime t;
  t.day = date::floor<date::days>(local);
  t.weekday = static_cast<int>(date::weekday(t.day).iso_encoding());
  t.minute = static_cast<int>(
      std::chrono::duration_cast<std::chrono::minutes>(local - t.day).count());
  return t;
}

std::chrono::sys_seconds FromOslo(date::local_days day, int minute) {
  date::local_seconds local = day + std::chrono::minutes(minute);
  return Zone()->to_sys(local, date::choose::earliest);
}

StatusOr<date::local_days> ParseLocalDay(std::string_view s) {
  const Status bad = Status::InvalidField(
      "", "'" + std::string(s) + "' is not a day written YYYY-MM-DD");
  if (s.size() != 10 || s[4] != '-' || s[7] != '-') return bad;
  int y = 0;
  for (size_t i = 0; i < 4; ++i) {
    if (s[i] < '0' || s[i] > '9') return bad;
    y = y * 10 + (s[i] - '0');
  }
  int m = 0, d = 0;
  if (!TwoDigits(s, 5, m) || !TwoDigits(s, 8, d)) return bad;
  date::year_month_day ymd{date::year(y), date::month(static_cast<unsigned>(m)),
                           date::day(static_cast<unsigned>(d))};
  if (!ymd.ok())
    return Status::InvalidField(
        "", "'" + std::string(s) + "' is not a day of the calendar");
  return date::local_days(ymd);
}

std::string FormatLocalDay(date::local_days day) {
  return date::format("%F", day);
}

StatusOr<int> ParseClock(std::string_view s) {
  int h = 0, m = 0;
  if (s.size() != 5 || s[2] != ':' || !TwoDigits(s, 0, h) ||
      !TwoDigits(s, 3, m) || m > 59 || h > 24 || (h == 24 && m != 0))
    return Status::InvalidField(
        "", "'" + std::string(s) + "' is not a time HH:MM (00:00-24:00)");
  return h * 60 + m;
}

std::string FormatClock(int minutes) {
  const int h = minutes / 60, m = minutes % 60;
  std::string out = "00:00";
  out[0] = static_cast<char>('0' + h / 10 % 10);
  out[1] = static_cast<char>('0' + h % 10);
  out[3] = static_cast<char>('0' + m / 10);
  out[4] = static_cast<char>('0' + m % 10);
  return out;
}

}  // namespace helpdesk::sla
