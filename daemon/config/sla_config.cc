#include "daemon/config/sla_config.h"

#include <date/date.h>

#include <algorithm>
#include <array>
#include <cctype>
#include <map>
#include <string_view>

#include "daemon/config/sla_toml.h"
#include "sla/calendar.h"
#include "sla/oslo_time.h"

namespace helpdesk::config {
namespace {

using std::chrono::minutes;

constexpr std::string_view kKeys =
    "warn_percent, pause_on_supplier, desk_hours, closed_days, half_days, "
    "sweep_seconds and "
    "[[sla.target]] tables";
constexpr std::string_view kTargetKeys =
    "class, priority, response_minutes, resolution_minutes and calendar";

Status Bad(std::string message) {
  return Status::InvalidField("config", std::move(message));
}

std::string Where(const std::string& path, const toml::node& node) {
  return path + ":" + std::to_string(node.source().begin.line) + ": ";
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && s.front() == ' ') s.remove_prefix(1);
  while (!s.empty() && s.back() == ' ') s.remove_suffix(1);
  return s;
}

// "08:00-15:30" or "08:00-11:30, 12:00-15:30": segments in order, not
// overlapping. The problem in words, or "" and `out` set.
std::string ParseHours(const std::string& text,
                       std::vector<sla::Segment>& out) {
  const std::string expected =
      "; expected opening hours such as \"08:00-15:30\" or \"08:00-11:30, "
      "12:00-15:30\"";
  if (Trim(text).empty()) return "the hours are empty" + expected;
  std::vector<sla::Segment> segments;
  std::string_view rest = text;
  while (true) {
    const size_t comma = rest.find(',');
    const std::string_view part = Trim(rest.substr(0, comma));
    const size_t dash = part.find('-');
    const std::string not_a_span = "'" + std::string(part) + "' in \"" + text +
                                   "\" is not a time span" + expected;
    if (dash == std::string_view::npos) return not_a_span;
    const auto from = sla::ParseClock(Trim(part.substr(0, dash)));
    const auto to = sla::ParseClock(Trim(part.substr(dash + 1)));
    if (!from.ok() || !to.ok()) return not_a_span;
    if (*from >= *to)
      return "'" + std::string(part) + "' in \"" + text +
             "\" ends before it begins" + expected;
    if (!segments.empty() && *from < segments.back().to)
      return "'" + std::string(part) + "' in \"" + text +
             "\" overlaps or comes before the span before it" + expected;
    segments.push_back({*from, *to});
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  out = std::move(segments);
  return "";
}

std::string CalendarIds() {
  return "\"" + sla::DeskCalendar().id + "\" or \"" + sla::AlwaysOpen().id +
         "\"";
}

Status ReadDays(const std::string& path, const std::string& key,
                const toml::node& node, std::vector<std::string>& out) {
  const std::string expected =
      "bad value for 'sla." + key +
      "': expected a list of days in quotes, such as [\"2026-12-31\"]";
  const toml::array* days = node.as_array();
  if (days == nullptr) return Bad(Where(path, node) + expected);
  std::vector<std::string> read;
  for (const toml::node& day : *days) {
    auto text = day.value_exact<std::string>();
    if (!text) return Bad(Where(path, day) + expected);
    if (auto parsed = sla::ParseLocalDay(*text); !parsed.ok())
      return Bad(Where(path, day) + "bad value for 'sla." + key +
                 "': " + parsed.status().message() + " (YYYY-MM-DD)");
    read.push_back(*text);
  }
  out = std::move(read);
  return Status::Ok();
}

Status ReadTarget(const std::string& path, const toml::node& entry, size_t i,
                  const std::vector<SlaSettings::TargetOverride>& earlier,
                  SlaSettings::TargetOverride& out) {
  const std::string usage =
      "expected [[sla.target]] tables, each with class = \"<SLA class>\", "
      "priority = \"<priority>\" (" +
      sla::PriorityChoices() +
      ") and any of response_minutes, resolution_minutes (1 to " +
      std::to_string(kMaxTargetMinutes) + ") and calendar = " + CalendarIds();
  const std::string at =
      Where(path, entry) + "sla.target entry " + std::to_string(i + 1) + ": ";
  const toml::table* t = entry.as_table();
  if (t == nullptr) return Bad(at + "not a table; " + usage);
  SlaSettings::TargetOverride o;
  o.source = at.substr(0, at.size() - 2);  // without the ": "
  for (auto&& [key, value] : *t) {
    const std::string k(key.str());
    const std::string at_key =
        Where(path, value) + "sla.target entry " + std::to_string(i + 1) + ": ";
    if (k == "class" || k == "priority" || k == "calendar") {
      auto v = value.value_exact<std::string>();
      if (!v || v->empty())
        return Bad(at_key + "'" + k + "' must be a name in quotes; " + usage);
      if (k == "priority" && sla::PriorityNumber(*v) == 0)
        return Bad(at_key + "'priority' \"" + *v + "\" is not one of " +
                   sla::PriorityChoices());
      if (k == "calendar" && *v != sla::DeskCalendar().id &&
          *v != sla::AlwaysOpen().id)
        return Bad(at_key + "'calendar' \"" + *v + "\" is not " +
                   CalendarIds());
      if (k == "class") o.sla_class = *v;
      if (k == "priority") o.priority = *v;
      if (k == "calendar") o.calendar = *v;
    } else if (k == "response_minutes" || k == "resolution_minutes") {
      auto v = value.value_exact<int64_t>();
      if (!v || *v < 1 || *v > kMaxTargetMinutes)
        return Bad(at_key + "'" + k + "' must be a whole number from 1 to " +
                   std::to_string(kMaxTargetMinutes) + " (business minutes)");
      (k == "response_minutes" ? o.response_minutes : o.resolution_minutes) =
          static_cast<uint32_t>(*v);
    } else {
      return Bad(at_key + "unknown key '" + k + "'; an entry has " +
                 std::string(kTargetKeys));
    }
  }
  const char* missing = o.sla_class.empty()  ? "class"
                        : o.priority.empty() ? "priority"
                                             : nullptr;
  if (missing != nullptr)
    return Bad(at + "'" + missing + "' is missing; " + usage);
  for (const auto& e : earlier)
    if (e.sla_class == o.sla_class && e.priority == o.priority)
      return Bad(at + "class \"" + o.sla_class + "\", priority \"" +
                 o.priority +
                 "\" has a table already; one per class and "
                 "priority");
  out = std::move(o);
  return Status::Ok();
}

}  // namespace

Status ReadSla(const std::string& path, const toml::node& node,
               SlaSettings& out) {
  const toml::table* section = node.as_table();
  if (section == nullptr)
    return Bad(Where(path, node) +
               "bad value for 'sla': expected an [sla] table with " +
               std::string(kKeys));
  SlaSettings s = out;
  for (auto&& [key, value] : *section) {
    const std::string k(key.str());
    const std::string at = Where(path, value);
    if (k == "warn_percent") {
      auto v = value.value_exact<int64_t>();
      if (!v || *v < 1 || *v > 99)
        return Bad(at +
                   "bad value for 'sla.warn_percent' (a warning at this "
                   "share of each target): expected a whole number from 1 "
                   "to 99");
      s.warn_percent = static_cast<uint32_t>(*v);
    } else if (k == "pause_on_supplier") {
      auto v = value.value_exact<bool>();
      if (!v)
        return Bad(at +
                   "bad value for 'sla.pause_on_supplier' "
                   "(waiting_on_supplier pauses the clocks too): expected "
                   "true or false");
      s.pause_on_supplier = *v;
    } else if (k == "sweep_seconds") {
      auto v = value.value_exact<int64_t>();
      if (!v || *v < 1 || *v > kMaxSlaSweepSeconds)
        return Bad(at +
                   "bad value for 'sla.sweep_seconds' (how often warnings "
                   "and breaches that fell due are recorded): expected a "
                   "whole number from 1 to " +
                   std::to_string(kMaxSlaSweepSeconds));
      s.sweep_seconds = static_cast<uint32_t>(*v);
    } else if (k == "desk_hours") {
      auto v = value.value_exact<std::string>();
      std::vector<sla::Segment> segments;
      const std::string problem =
          !v ? "expected opening hours in quotes, such as \"08:00-15:30\""
             : ParseHours(*v, segments);
      if (!problem.empty())
        return Bad(at + "bad value for 'sla.desk_hours': " + problem);
      s.desk_hours = *v;
    } else if (k == "closed_days" || k == "half_days") {
      if (Status st = ReadDays(
              path, k, value, k == "closed_days" ? s.closed_days : s.half_days);
          !st.ok())
        return st;
    } else if (k == "target") {
      const toml::array* entries = value.as_array();
      if (entries == nullptr || entries->empty())
        return Bad(at +
                   "bad value for 'sla.target': expected [[sla.target]] "
                   "tables with " +
                   std::string(kTargetKeys));
      std::vector<SlaSettings::TargetOverride> targets;
      for (size_t i = 0; i < entries->size(); ++i) {
        SlaSettings::TargetOverride o;
        if (Status st = ReadTarget(path, *entries->get(i), i, targets, o);
            !st.ok())
          return st;
        targets.push_back(std::move(o));
      }
      s.targets = std::move(targets);
    } else {
      return Bad(at + "unknown setting 'sla." + k + "'; the [sla] table has " +
                 std::string(kKeys));
    }
  }
  out = std::move(s);
  return Status::Ok();
}

StatusOr<sla::Policy> BuildPolicy(const SlaSettings& settings) {
  sla::Policy policy = sla::DefaultPolicy();
  std::vector<std::string> problems;
  if (settings.warn_percent) {
    if (*settings.warn_percent < 1 || *settings.warn_percent > 99)
      problems.push_back(
          "sla.warn_percent: " + std::to_string(*settings.warn_percent) +
          " is not from 1 to 99");
    policy.warn_share = *settings.warn_percent / 100.0;
  }
  if (settings.pause_on_supplier)
    policy.pause_on_supplier = *settings.pause_on_supplier;

  auto desk = std::find_if(policy.calendars.begin(), policy.calendars.end(),
                           [](const sla::CalendarSpec& c) {
                             return c.id == sla::DeskCalendar().id;
                           });
  if (desk != policy.calendars.end()) {
    if (settings.desk_hours) {
      std::vector<sla::Segment> hours;
      if (std::string p = ParseHours(*settings.desk_hours, hours); !p.empty())
        problems.push_back("sla.desk_hours: " + p);
      for (int d = 1; d <= 5; ++d) desk->week[d] = hours;
      desk->name = "Servicedesk, hverdager " + *settings.desk_hours;
    }
    for (const auto& text : settings.closed_days) {
      auto day = sla::ParseLocalDay(text);
      if (!day.ok())
        problems.push_back("sla.closed_days: " + day.status().message());
      else
        desk->closed_days.push_back(*day);
    }
    for (const auto& text : settings.half_days) {
      auto parsed = sla::ParseLocalDay(text);
      if (!parsed.ok()) {
        problems.push_back("sla.half_days: " + parsed.status().message());
        continue;
      }
      const date::local_days day = *parsed;
      if (std::find(desk->closed_days.begin(), desk->closed_days.end(), day) !=
          desk->closed_days.end()) {
        problems.push_back("sla.half_days: " + text +
                           " is also in sla.closed_days");
        continue;
      }
      // That weekday's hours cut at half_day_end; as a dated special day it
      // applies even on a public holiday (sla/calendar.h).
      std::vector<sla::Segment> half;
      const unsigned weekday = date::weekday(day).iso_encoding();
      for (const sla::Segment& seg : desk->week[weekday])
        if (seg.from < desk->half_day_end)
          half.push_back({seg.from, std::min(seg.to, desk->half_day_end)});
      desk->special_days[day] = std::move(half);
    }
  }

  std::string classes;
  for (const auto& c : policy.classes)
    classes += (classes.empty() ? "" : ", ") + c.sla_class;
  for (const auto& o : settings.targets) {
    const std::string at = (o.source.empty() ? "sla.target" : o.source) +
                           " (class \"" + o.sla_class + "\", priority \"" +
                           o.priority + "\"): ";
    auto cls = std::find_if(
        policy.classes.begin(), policy.classes.end(),
        [&](const sla::ClassTargets& c) { return c.sla_class == o.sla_class; });
    const int prio = sla::PriorityNumber(o.priority);
    if (cls == policy.classes.end()) {
      problems.push_back(
          at + "'" + o.sla_class +
          "' is not an SLA class of the policy; known: " + classes);
      continue;
    }
    if (prio == 0) {
      problems.push_back(at + "'" + o.priority +
                         "' is not a priority; one of " +
                         sla::PriorityChoices());
      continue;
    }
    sla::Target& response = cls->response[prio];
    sla::Target& resolution = cls->resolution[prio];
    if (o.response_minutes) response.time = minutes(*o.response_minutes);
    if (o.resolution_minutes) resolution.time = minutes(*o.resolution_minutes);
    if (o.calendar) response.calendar = resolution.calendar = *o.calendar;
    if (response.time > resolution.time) {
      const auto mins = [](const sla::Target& t) {
        return std::to_string(
            std::chrono::duration_cast<minutes>(t.time).count());
      };
      problems.push_back(at + "the response target (" + mins(response) +
                         " minutes" + (o.response_minutes ? "" : ", built in") +
                         ") is longer than the resolution target (" +
                         mins(resolution) + " minutes" +
                         (o.resolution_minutes ? "" : ", built in") + ")");
    }
  }
  if (problems.empty()) {
    const Status invalid = sla::Validate(policy);
    for (const auto& e : invalid.errors()) problems.push_back(e.detail);
  }
  if (problems.empty()) return policy;
  std::string detail = std::to_string(problems.size()) + " problem" +
                       (problems.size() == 1 ? "" : "s") +
                       " in the [sla] settings: ";
  for (size_t i = 0; i < problems.size(); ++i)
    detail += (i == 0 ? "" : "; ") + problems[i];
  return Bad(std::move(detail));
}

}  // namespace helpdesk::config
