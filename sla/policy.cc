#include "sla/policy.h"

#include <algorithm>
#include <set>

#include "proto/wire_names.h"

namespace helpdesk::sla {
namespace {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

// A working day on the desk calendar: 08:00-15:30.
constexpr minutes kDeskDay{450};

ClassTargets Class(std::string id, std::array<Target, 5> response,
                   std::array<Target, 5> resolution) {
  return {std::move(id), std::move(response), std::move(resolution)};
}

Target Desk(seconds s) { return {s, "desk"}; }
Target AllHours(seconds s) { return {s, "24x7"}; }

}  // namespace

std::string PriorityName(int priority) {
  return proto::WireName(static_cast<v1::Priority>(priority));
}

int PriorityNumber(std::string_view name) {
  const auto* v = proto::FindWireEnumValue(v1::Priority_descriptor(), name);
  return v == nullptr ? 0 : v->number();
}

std::string PriorityChoices() {
  return proto::WireEnumChoices(v1::Priority_descriptor());
}

Status Validate(const Policy& p) {
  std::vector<std::string> out;
  std::set<std::string, std::less<>> calendars;
  for (const auto& c : p.calendars) {
    if (c.id.empty()) out.push_back("calendars: a calendar without an id");
    if (!calendars.insert(c.id).second)
      out.push_back("calendars: id '" + c.id + "' is used twice");
    const Status calendar = Validate(c);
    for (const auto& problem : calendar.errors())
      out.push_back("calendar '" + c.id + "': " + problem.detail);
  }
  if (!(p.warn_share > 0 && p.warn_share < 1))
    out.push_back("warn_share must be above 0 and below 1, e.g. 0.75");
  std::set<std::string> classes;
  for (const auto& c : p.classes) {
    if (c.sla_class.empty()) out.push_back("classes: a class without an id");
    if (!classes.insert(c.sla_class).second)
      out.push_back("class '" + c.sla_class + "' is listed twice");
    for (int prio = kCritical; prio <= kLow; ++prio) {
      const std::string where =
          "class '" + c.sla_class + "', " + std::string(PriorityName(prio));
      for (const auto* t : {&c.response[prio], &c.resolution[prio]}) {
        const char* what = t == &c.response[prio] ? "response" : "resolution";
        if (t->time <= seconds(0))
          out.push_back(where + ": the " + what + " target must be above 0");
        if (!calendars.count(t->calendar))
          out.push_back(where + ": the " + what + " target's calendar '" +
                        t->calendar + "' is not one of the policy's");
      }
      if (c.resolution[prio].calendar == c.response[prio].calendar &&
          c.resolution[prio].time < c.response[prio].time)
        out.push_back(where + ": resolution is shorter than first response");
    }
  }
  return Status::Problems("the SLA policy", out);
}

Policy DefaultPolicy() {
  Policy p;
  p.calendars = {DeskCalendar(), AlwaysOpen()};
  const Target none{};  // [0]: no priority
  p.classes = {
      // Systems the municipalities cannot run without (journal systems,
      // the network): critical work is followed on vakt around the clock.
      Class("business-critical",
            {none, AllHours(minutes(15)), Desk(minutes(30)), Desk(hours(2)),
             Desk(kDeskDay)},
            {none, AllHours(hours(2)), Desk(hours(4)), Desk(kDeskDay),
             Desk(5 * kDeskDay)}),
      // Everything else; the reference cooperation's promise.
      Class("standard",
            {none, Desk(minutes(15)), Desk(hours(1)), Desk(hours(4)),
             Desk(kDeskDay)},
            {none, Desk(hours(2)), Desk(hours(4)), Desk(2 * kDeskDay),
             Desk(10 * kDeskDay)}),
      // Orders (bestillinger): equipment, accounts, licences.
      Class("order",
            {none, Desk(hours(1)), Desk(hours(4)), Desk(kDeskDay),
             Desk(2 * kDeskDay)},
            {none, Desk(kDeskDay), Desk(3 * kDeskDay), Desk(5 * kDeskDay),
             Desk(10 * kDeskDay)}),
  };
  return p;
}

PolicyBook::PolicyBook(Policy policy) : policy_(std::move(policy)) {
  for (const auto& c : policy_.calendars)
    calendars_.emplace(c.id, BusinessCalendar(c));
}

const ClassTargets* PolicyBook::Find(std::string_view sla_class) const {
  for (const auto& c : policy_.classes)
    if (c.sla_class == sla_class) return &c;
  return nullptr;
}

const BusinessCalendar* PolicyBook::Calendar(std::string_view id) const {
  auto it = calendars_.find(id);
  return it == calendars_.end() ? nullptr : &it->second;
}

std::optional<Due> PolicyBook::DueOf(const Target& target,
                                     std::chrono::sys_seconds start,
                                     std::chrono::seconds elapsed) const {
  const BusinessCalendar* calendar = Calendar(target.calendar);
  if (calendar == nullptr) return std::nullopt;
  const auto warn_at = seconds(static_cast<int64_t>(
      static_cast<double>(target.time.count()) * policy_.warn_share));
  auto left = [&](seconds at) { return std::max(at - elapsed, seconds(0)); };
  return Due{calendar->Add(start, left(warn_at)),
             calendar->Add(start, left(target.time))};
}

}  // namespace helpdesk::sla
