#include "tools/helpdeskctl/sla_command.h"

#include <date/date.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <map>
#include <optional>
#include <variant>
#include <vector>

#include "daemon/config/config.h"
#include "proto/json.h"
#include "sla/calendar.h"
#include "sla/holidays.h"
#include "sla/oslo_time.h"
#include "sla/policy.h"
#include "tools/helpdeskctl/catalogue_commands.h"
#include "tools/helpdeskctl/text_output.h"

namespace helpdesk::ctl {
namespace {

using std::chrono::minutes;
using std::chrono::seconds;
using std::chrono::sys_seconds;

constexpr std::array<const char*, 8> kWeekdays = {
    "",         "Monday", "Tuesday",  "Wednesday",
    "Thursday", "Friday", "Saturday", "Sunday"};

constexpr std::string_view kStartForms =
    "RFC 3339 with Z or an offset (2026-04-01T12:00:00Z, "
    "2026-04-01T14:00+02:00) or a Europe/Oslo local time without offset "
    "(2026-04-01T14:00)";

bool Digits(std::string_view text, size_t at, size_t n, int& out) {
  if (text.size() < at + n) return false;
  out = 0;
  for (size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return false;
    out = out * 10 + (text[i] - '0');
  }
  return true;
}

// "2026-04-07 09:00", seconds only when not zero, as the wall reads.
std::string Local(sys_seconds t) {
  const sla::OsloTime o = sla::ToOslo(t);
  std::string out =
      sla::FormatLocalDay(o.day) + " " + sla::FormatClock(o.minute);
  const auto sec = (t - date::floor<minutes>(t)).count();
  if (sec != 0) {
    char buf[8];
    std::snprintf(buf, sizeof buf, ":%02d", static_cast<int>(sec));
    out += buf;
  }
  return out;
}

std::string Utc(sys_seconds t) { return date::format("%FT%TZ", t); }

// RFC 3339 in Oslo's offset of the moment: "2026-04-07T09:00:00+02:00".
std::string LocalRfc3339(sys_seconds t) {
  const sla::OsloTime o = sla::ToOslo(t);
  const seconds sec = t - date::floor<minutes>(t);
  const date::local_seconds local = o.day + minutes(o.minute) + sec;
  const auto offset =
      date::floor<minutes>(local.time_since_epoch() - t.time_since_epoch())
          .count();
  char buf[16];
  std::snprintf(buf, sizeof buf, "%c%02d:%02d", offset < 0 ? '-' : '+',
                static_cast<int>(std::abs(offset) / 60),
                static_cast<int>(std::abs(offset) % 60));
  return date::format("%FT%T", local) + buf;
}

// "1 h", "15 min", "7 h 30 min", "11 min 15 s".
std::string Duration(seconds d) {
  const auto h = d.count() / 3600, m = d.count() / 60 % 60, s = d.count() % 60;
  std::string out;
  auto part = [&](long long n, const char* unit) {
    if (n == 0) return;
    out += (out.empty() ? "" : " ") + std::to_string(n) + " " + unit;
  };
  part(h, "h");
  part(m, "min");
  part(s, "s");
  return out.empty() ? "0 min" : out;
}

std::string Segments(const std::vector<sla::Segment>& hours) {
  std::string out;
  for (const auto& s : hours)
    out += (out.empty() ? "" : ", ") + sla::FormatClock(s.from) + "-" +
           sla::FormatClock(s.to);
  return out;
}

// A day of a calendar that is not an ordinary working day of its week.
struct SpecialDay {
  date::local_days day;
  int weekday = 0;
  std::vector<sla::Segment> hours;  // empty: closed
  std::string kind;                 // "closed", "half day", "special hours"
  std::string name;                 // "Skjærtorsdag"; may be empty
};

// The name of `day` if it is a public holiday or a half day by rule of
// `spec`.
std::string DayName(const sla::CalendarSpec& spec, date::local_days day) {
  const date::year_month_day ymd(day);
  const int year = static_cast<int>(ymd.year());
  for (const auto& h : sla::PublicHolidays(year))
    if (h.day == day) return std::string(h.name);
  const unsigned m = static_cast<unsigned>(ymd.month());
  const unsigned d = static_cast<unsigned>(ymd.day());
  if (spec.half_day_christmas_eve && m == 12 && d == 24) return "Julaften";
  if (spec.half_day_new_years_eve && m == 12 && d == 31) return "Nyttårsaften";
  if (spec.half_day_before_easter &&
      day == sla::EasterSunday(year) - date::days(4))
    return "Onsdag før skjærtorsdag";
  return "";
}

// The closed and shortened days of `calendar` from the local day of `from`
// to that of `to`, both included.
std::vector<SpecialDay> SpecialDays(const sla::BusinessCalendar& calendar,
                                    sys_seconds from, sys_seconds to) {
  std::vector<SpecialDay> out;
  const auto& spec = calendar.spec();
  if (spec.always_open) return out;
  for (auto day = sla::ToOslo(from).day; day <= sla::ToOslo(to).day;
       day += date::days(1)) {
    const int weekday = static_cast<int>(date::weekday(day).iso_encoding());
    std::vector<sla::Segment> hours = calendar.HoursOn(day);
    const auto& week = spec.week[static_cast<size_t>(weekday)];
    if (!hours.empty() && hours == week) continue;
    SpecialDay s{day, weekday, hours, "closed", DayName(spec, day)};
    if (!hours.empty())
      s.kind = spec.special_days.count(day) ? "special hours" : "half day";
    out.push_back(std::move(s));
  }
  return out;
}

struct Clock {
  const char* label;  // "First response"
  const char* key;    // "response"
  sla::Target target;
  std::optional<sla::Due> due;
};

bool Never(sys_seconds t) { return t == sys_seconds::max(); }

std::string TextReport(const sla::PolicyBook& book, sys_seconds start,
                       const std::string& sla_class, int priority,
                       const std::vector<Clock>& clocks,
                       const std::string& policy_name) {
  const sla::OsloTime o = sla::ToOslo(start);
  std::string out = "Start:           " + Local(start) + " Europe/Oslo (" +
                    Utc(start) + "), " +
                    kWeekdays[static_cast<size_t>(o.weekday)] + "\n";
  char share[16];
  std::snprintf(share, sizeof share, "%g %%", book.policy().warn_share * 100);
  out += "Policy:          " + sla_class + " / " +
         std::string(sla::PriorityName(priority)) + " (" + policy_name +
         "; warning at " + share + " of a target)\n";
  for (const Clock& c : clocks) {
    const auto* cal = book.Calendar(c.target.calendar);
    std::string line = c.label + std::string(":");
    line += std::string(std::max<size_t>(17 - line.size(), 1), ' ');
    line += Duration(c.target.time) + " on " + c.target.calendar + " (" +
            cal->spec().name + "): ";
    if (Never(c.due->due)) {
      line += "never due (no open time within ten years)";
    } else {
      line += "warning " + Local(c.due->warning) + ", due " +
              Local(c.due->due) + " Europe/Oslo (" + Utc(c.due->due) + ")";
    }
    out += line + "\n";
  }
  // Per calendar, the span from start to its latest due time.
  std::map<std::string, sys_seconds> until;
  for (const Clock& c : clocks) {
    auto [it, added] = until.emplace(c.target.calendar, c.due->due);
    if (!added) it->second = std::max(it->second, c.due->due);
  }
  for (const auto& [id, end] : until) {
    const sla::BusinessCalendar& cal = *book.Calendar(id);
    if (cal.spec().always_open) {
      out += "Calendar " + id + ": open around the clock\n";
      continue;
    }
    if (Never(end)) continue;
    out += "Calendar " + id + " from start to due (" +
           sla::FormatLocalDay(o.day) + " to " +
           sla::FormatLocalDay(sla::ToOslo(end).day) + "):\n";
    const sys_seconds opens = cal.NextOpen(start);
    if (opens != start)
      out += "  closed at the start; the clock starts " + Local(opens) + "\n";
    const auto days = SpecialDays(cal, start, end);
    if (days.empty()) out += "  no closed or half days\n";
    for (const SpecialDay& d : days) {
      char head[40];
      std::snprintf(head, sizeof head, "  %s %-10s ",
                    sla::FormatLocalDay(d.day).c_str(),
                    kWeekdays[static_cast<size_t>(d.weekday)]);
      std::string line = head + d.kind;
      if (!d.hours.empty()) line += " " + Segments(d.hours);
      if (!d.name.empty()) line += ": " + d.name;
      out += line + "\n";
    }
  }
  return out;
}

// An instant for the JSON report: UTC and Oslo local time; unset (left
// out) when the walk never reaches it.
void SetInstant(sys_seconds t, v1::LocalInstant* out) {
  out->set_utc(Utc(t));
  out->set_local(LocalRfc3339(t));
  out->set_weekday(kWeekdays[static_cast<size_t>(sla::ToOslo(t).weekday)]);
}

std::string JsonReport(const sla::PolicyBook& book, sys_seconds start,
                       const std::string& sla_class, int priority,
                       const std::vector<Clock>& clocks) {
  v1::SlaDueReport report;
  SetInstant(start, report.mutable_start());
  report.set_policy("built-in");
  report.set_sla_class(sla_class);
  report.set_priority(std::string(sla::PriorityName(priority)));
  report.set_warn_share(book.policy().warn_share);
  std::map<std::string, sys_seconds> until;
  for (const Clock& c : clocks) {
    v1::SlaDueClock* clock = c.key == std::string_view("response")
                                 ? report.mutable_response()
                                 : report.mutable_resolution();
    clock->set_target_seconds(static_cast<uint32_t>(c.target.time.count()));
    clock->set_target(Duration(c.target.time));
    clock->set_calendar(c.target.calendar);
    if (!Never(c.due->warning))
      SetInstant(c.due->warning, clock->mutable_warning());
    if (!Never(c.due->due)) SetInstant(c.due->due, clock->mutable_due());
    auto [it, added] = until.emplace(c.target.calendar, c.due->due);
    if (!added) it->second = std::max(it->second, c.due->due);
  }
  for (const auto& [id, end] : until) {
    const sla::BusinessCalendar& cal = *book.Calendar(id);
    v1::SlaDueCalendar* calendar = report.add_calendars();
    calendar->set_id(id);
    calendar->set_name(cal.spec().name);
    calendar->set_always_open(cal.spec().always_open);
    if (!Never(cal.NextOpen(start)))
      SetInstant(cal.NextOpen(start), calendar->mutable_opens());
    if (Never(end)) continue;
    for (const SpecialDay& d : SpecialDays(cal, start, end)) {
      v1::SlaDueDay* day = calendar->add_days();
      day->set_day(sla::FormatLocalDay(d.day));
      day->set_weekday(kWeekdays[static_cast<size_t>(d.weekday)]);
      day->set_kind(d.kind);
      day->set_hours(Segments(d.hours));
      day->set_name(d.name);
    }
  }
  return proto::ToJson(report) + "\n";
}

}  // namespace

std::string BuiltInSlaClasses() {
  std::string out;
  for (const auto& c : sla::DefaultPolicy().classes)
    out += (out.empty() ? "" : ", ") + c.sla_class;
  return out;
}

StatusOr<sys_seconds> ParseStartInstant(std::string_view text) {
  auto bad = [&](const std::string& why) {
    return Status::InvalidParameter("--start", "--start '" + std::string(text) +
                                                   "' " + why + "; use " +
                                                   std::string(kStartForms));
  };
  auto parsed_day = sla::ParseLocalDay(text.substr(0, 10));
  if (!parsed_day.ok())
    return bad("does not start with a real date YYYY-MM-DD");
  const date::local_days day = *parsed_day;
  if (text.size() < 11 || (text[10] != 'T' && text[10] != 't'))
    return bad("has no 'T' and time after the date");
  auto parsed_minute = text.size() < 16
                           ? StatusOr<int>(Status::InvalidField("", ""))
                           : sla::ParseClock(text.substr(11, 5));
  if (!parsed_minute.ok() || *parsed_minute >= 24 * 60)
    return bad("has no time HH:MM (00:00-23:59) after the 'T'");
  const int minute = *parsed_minute;
  size_t at = 16;
  int second = 0;
  if (at < text.size() && text[at] == ':') {
    if (!Digits(text, at + 1, 2, second) || second > 59)
      return bad("has seconds that are not 00-59");
    at += 3;
    if (at < text.size() && text[at] == '.') {
      const size_t digits = at + 1;
      for (at = digits; at < text.size() && text[at] >= '0' && text[at] <= '9';
           ++at) {
      }
      if (at == digits) return bad("has a '.' without digits");
    }
  }
  // The calendars cover these years (sla/calendar.h); outside, every walk
  // would clamp and the listing of days would run for centuries.
  const int year = static_cast<int>(date::year_month_day(day).year());
  if (year < 1901 || year > 9998) return bad("is outside the years 1901-9998");
  const std::string_view zone = text.substr(at);
  if (zone.empty()) return sla::FromOslo(day, minute) + seconds(second);
  int offset = 0;
  if (zone == "Z" || zone == "z") {
    offset = 0;
  } else {
    int oh = 0, om = 0;
    if (zone.size() != 6 || (zone[0] != '+' && zone[0] != '-') ||
        !Digits(zone, 1, 2, oh) || zone[3] != ':' || !Digits(zone, 4, 2, om) ||
        oh > 23 || om > 59)
      return bad("ends in '" + std::string(zone) +
                 "', which is neither Z nor an offset +HH:MM");
    offset = (zone[0] == '-' ? -1 : 1) * (oh * 60 + om);
  }
  return sys_seconds(date::sys_days(day.time_since_epoch())) +
         minutes(minute - offset) + seconds(second);
}

// The built-in policy, or what the [sla] table of the daemon's config file
// `config` makes of it (as the daemon does at start).
StatusOr<sla::Policy> PolicyOf(const std::string& config) {
  if (config.empty()) return sla::DefaultPolicy();
  const char* argv[] = {"helpdeskd", "--config", config.c_str()};
  auto parsed = config::Load(3, argv);
  if (!parsed.ok()) return parsed.status();
  const auto* c = std::get_if<config::Config>(&*parsed);
  if (c == nullptr)
    return Status::InvalidParameter("--config",
                                    "'" + config + "' is not a config file");
  return config::BuildPolicy(c->sla);
}

int SlaDueCommand(const SlaDueOptions& options) {
  if (Status tz = sla::CheckOsloZone(); !tz.ok()) {
    Err("cannot load the Europe/Oslo time zone: " + tz.message());
    return kExitError;
  }
  auto start = ParseStartInstant(options.start);
  if (!start.ok()) {
    Err(start.status().message());
    return kExitError;
  }
  auto policy = PolicyOf(options.config);
  if (!policy.ok()) {
    Err(policy.status().message());
    return kExitError;
  }
  std::string classes;
  for (const auto& c : policy->classes)
    classes += (classes.empty() ? "" : ", ") + c.sla_class;
  const sla::PolicyBook book(std::move(*policy));
  const sla::ClassTargets* targets = book.Find(options.sla_class);
  if (targets == nullptr) {
    Err("--class: unknown SLA class '" + options.sla_class + "'; the " +
        (options.config.empty() ? "built-in policy"
                                : "policy of " + options.config) +
        " has: " + classes);
    return kExitError;
  }
  const int priority = sla::PriorityNumber(options.priority);
  if (priority == 0) {
    Err("--priority: unknown priority '" + options.priority + "'; use one of " +
        sla::PriorityChoices());
    return kExitError;
  }
  const auto p = static_cast<size_t>(priority);
  std::vector<Clock> clocks = {
      {"First response", "response", targets->response[p], std::nullopt},
      {"Resolution", "resolution", targets->resolution[p], std::nullopt}};
  for (Clock& c : clocks) {
    c.due = book.DueOf(c.target, *start);
    if (!c.due) {  // DefaultPolicy validates: a defect of this build
      Err("internal error: the built-in policy names an unknown calendar '" +
          c.target.calendar + "'");
      return kExitError;
    }
  }
  const std::string out =
      options.format == "json"
          ? JsonReport(book, *start, options.sla_class, priority, clocks)
          : TextReport(book, *start, options.sla_class, priority, clocks,
                       options.config.empty()
                           ? "the built-in policy"
                           : "the policy of " + options.config);
  if (std::fputs(out.c_str(), stdout) < 0 || std::fflush(stdout) != 0) {
    Err("cannot write to standard output");
    return kExitError;
  }
  return kExitOk;
}

}  // namespace helpdesk::ctl
