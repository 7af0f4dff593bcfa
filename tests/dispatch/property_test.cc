// Properties of dispatch::Decide over random regions x tickets x instants
// (the cases and facts are in property_cases.h), and working hours across
// the DST changes. A failure prints the seed, region, instant, ticket and
// decision; HELPDESK_PROPERTY_SEEDS="1-500" runs more seeds.

#include <gtest/gtest.h>

#include <algorithm>
#include <iostream>
#include <map>
#include <random>
#include <string>

#include "daemon/dispatch/dispatch.h"
#include "daemon/staff/schedule.h"
#include "daemon/staff/staff.h"
#include "proto/timestamps.h"
#include "sla/holidays.h"
#include "sla/oslo_time.h"
#include "tests/dispatch/property_cases.h"
#include "tests/support/random_roster.h"

namespace helpdesk::dispatch::proptest {
namespace {

TEST(DispatchProperty, GeneratedRegionsAreValidRecords) {
  for (uint64_t seed : Seeds()) {
    std::mt19937_64 rng(seed);
    for (const auto& spec : Specs()) {
      const auto region = testgen::RandomRegion(spec, rng);
      staff::Registry registry;
      for (const auto& m : region.municipalities)
        registry.municipalities.push_back(m.id());
      registry.skills = region.skills;
      std::vector<std::string> ids;
      for (const auto& m : region.staff) {
        const Status s = staff::Validate(m, registry);
        EXPECT_TRUE(s.ok()) << "seed " << seed << ": " << s.message() << "\n"
                            << m.ShortDebugString();
        ids.push_back(m.id());
      }
      auto rota =
          staff::DecideRota(v1::VaktRota(), region.rota, std::nullopt, ids);
      EXPECT_TRUE(rota.ok())
          << "seed " << seed << ": " << rota.status().message();
    }
  }
}

// The property tests only mean something if the cases reach every outcome.
TEST(DispatchProperty, CasesReachEveryRulePathAndReason) {
  std::map<std::string, int> seen;
  ForEachCase([&](const Case& c) {
    const auto& a = c.got;
    if (a.outcome() == v1::ASSIGNMENT_OUTCOME_ASSIGNED) {
      ++seen[a.rule_path().starts_with("vakt")
                 ? "assigned to the vakt out of hours"
             : a.vakt()   ? "assigned on vakt"
             : a.travel() ? "assigned with travel"
             : a.rule_path().find("next_working_day") != std::string::npos
                 ? "assigned next working day"
                 : "assigned at work"];
      if (a.rule_path().find("> local") != std::string::npos) ++seen["local"];
      if (a.rule_path().find("> region") != std::string::npos) ++seen["region"];
      if (!a.supplier().empty()) ++seen["external"];
      if (!c.exclude.empty()) ++seen["re-run with exclude"];
      if (a.rule_path().find("partial") != std::string::npos)
        ++seen["partial match"];
      ++seen["chosen by " + a.chosen_by()];
      if (a.travel() && Expect(c).travel_from.size() > 1)
        ++seen["travel between equally near neighbours"];
    } else {
      ++seen[v1::UnassignedReason_Name(a.unassigned_reason())];
    }
    return std::string();
  });
  for (const char* want : {"assigned to the vakt out of hours",
                           "assigned on vakt",
                           "assigned with travel",
                           "assigned next working day",
                           "partial match",
                           "chosen by last_helper",
                           "chosen by own_municipality",
                           "chosen by lowest_load",
                           "chosen by least_recent",
                           "chosen by id",
                           "chosen by only_one",
                           "chosen by vakt_primary",
                           "chosen by vakt_backup",
                           "assigned at work",
                           "local",
                           "region",
                           "external",
                           "re-run with exclude",
                           "travel between equally near neighbours",
                           "UNASSIGNED_REASON_NO_SKILLED_STAFF",
                           "UNASSIGNED_REASON_NO_ONE_AVAILABLE",
                           "UNASSIGNED_REASON_NO_LOCAL_STAFF",
                           "UNASSIGNED_REASON_NO_VAKT"})
    EXPECT_GE(seen[want], 10) << want;
  for (const auto& [what, n] : seen) std::cout << what << ": " << n << "\n";
}

TEST(DispatchProperty, OutcomeIsAssignedWithAssigneeOrUnassignedWithReason) {
  ForEachCase([](const Case& c) -> std::string {
    const auto& a = c.got;
    if (a.by() != "dispatch") return "by is not dispatch";
    if (proto::ToSys(a.at()) != c.moment->at) return "at is not now";
    if (a.previous_assignee() != c.ticket.assignee())
      return "previous_assignee is not the ticket's assignee";
    if (a.rule_path().empty() || a.explanation().empty())
      return "no rule path or explanation";
    switch (a.outcome()) {
      case v1::ASSIGNMENT_OUTCOME_ASSIGNED:
        if (a.assignee().empty()) return "assigned to nobody";
        if (c.Member(a.assignee()) == nullptr) return "assignee not on roster";
        if (a.unassigned_reason() != v1::UNASSIGNED_REASON_UNSPECIFIED)
          return "assigned with an unassigned reason";
        return "";
      case v1::ASSIGNMENT_OUTCOME_UNASSIGNED:
        if (a.unassigned_reason() == v1::UNASSIGNED_REASON_UNSPECIFIED)
          return "unassigned without a reason";
        if (!a.assignee().empty()) return "unassigned with an assignee";
        if (a.travel()) return "unassigned but marked travel";
        if (a.vakt()) return "unassigned but marked vakt";
        return "";
      default:
        return "outcome is neither assigned nor unassigned";
    }
  });
}

// Every skill; a partial match has the most of them anyone available had
// and names the rest; the vakt out of hours has whatever it has. Always
// active, not absent, not the excluded person.
TEST(DispatchProperty, AssigneeHasTheSkillsIsActiveNotAbsentAndNotExcluded) {
  ForEachCase([](const Case& c) -> std::string {
    if (c.got.outcome() != v1::ASSIGNMENT_OUTCOME_ASSIGNED) return "";
    const v1::StaffMember& m = *c.Member(c.got.assignee());
    const auto need = Required(c.ticket.service());
    const Reference r = Expect(c);
    std::vector<std::string> lacks;
    for (const auto& s : need)
      if (!Has(m.skills(), s)) lacks.push_back(s);
    if (std::vector<std::string>(c.got.missing_skills().begin(),
                                 c.got.missing_skills().end()) != lacks)
      return "missing_skills are not the skills the assignee lacks";
    if (r.path != "vakt_direct" && !r.partial && !lacks.empty())
      return "assignee lacks a required skill";
    if (r.partial && lacks.size() == need.size())
      return "a partial match with none of the skills";
    if (!lacks.empty() && c.got.steps().rbegin()->rule() != "call_in")
      return "missing skills without the people to call in";
    for (const auto& id : c.got.call_in()) {
      const v1::StaffMember* x = c.Member(id);
      if (x == nullptr || !x->active() || AbsentOn(*x, c.local().day) ||
          x->id() == m.id() || HeldSkills(*x, lacks) == 0)
        return "call_in names " + id +
               ", who is absent, inactive or holds none of the missing skills";
    }
    // Between them, those named to call in hold every missing skill
    // anyone active and here today holds (five people name five skills).
    if (lacks.size() <= 5)
      for (const auto& skill : lacks) {
        bool someone = false, named = false;
        for (const auto& x : c.region->staff)
          if (x.id() != m.id() && x.active() && !AbsentOn(x, c.local().day) &&
              Has(x.skills(), skill))
            someone = true;
        for (const auto& id : c.got.call_in())
          named = named || Has(c.Member(id)->skills(), skill);
        if (someone && !named) return "no one named to call in holds " + skill;
      }
    if (!m.active()) return "assignee is inactive";
    if (AbsentOn(m, c.local().day)) return "assignee is absent today";
    if (m.id() == c.exclude) return "the excluded person was chosen";
    return "";
  });
}

// At work now; or, with no one qualified at work: the vakt primary (else
// backup) for high/critical, or someone working on the next working day
// anyone qualified works for normal/low.
TEST(DispatchProperty, AssigneeIsAtWorkOrOnVaktOrWorksOnTheNextWorkingDay) {
  ForEachCase([](const Case& c) -> std::string {
    if (c.got.outcome() != v1::ASSIGNMENT_OUTCOME_ASSIGNED) return "";
    const v1::StaffMember& m = *c.Member(c.got.assignee());
    const auto local = c.local();
    const Reference r = Expect(c);
    if (r.path == "vakt_direct") {
      if (!c.got.vakt()) return "urgent out of the desk's hours, not vakt";
      const v1::VaktShift* shift = ShiftAt(c.region->rota, c.moment->at);
      if (shift == nullptr) return "vakt assignment with no shift now";
      if (m.id() == shift->primary()) return "";
      if (m.id() == shift->backup() && r.finalists.front()->id() == m.id())
        return "";
      return "out of hours to someone not primary (or backup when the "
             "primary is absent)";
    }
    if (r.anyone_at_work) {
      if (!AtWork(m, local))
        return "someone is at work but the assignee is not";
      if (c.got.vakt()) return "given to vakt though someone is at work";
      return "";
    }
    if (AtWork(m, local)) return "assignee at work, yet no one qualified is";
    if (r.path == "vakt") {
      if (!c.got.vakt()) return "urgent, no one at work, but not marked vakt";
      const v1::VaktShift* shift = ShiftAt(c.region->rota, c.moment->at);
      if (shift == nullptr) return "vakt assignment with no shift now";
      // The backup only when the primary cannot take it (skills, absence,
      // or on-site work out of their reach): the finalists keep the order
      // primary, backup.
      const bool primary_ok = std::any_of(
          r.finalists.begin(), r.finalists.end(),
          [&](const auto* q) { return q->id() == shift->primary(); });
      if (m.id() == shift->primary()) return "";
      if (m.id() == shift->backup() && !primary_ok) return "";
      return "vakt assignment to someone not primary (or backup when the "
             "primary cannot take it)";
    }
    if (c.got.vakt()) return "given to vakt off the vakt path";
    if (!r.next_day) return "assigned though no one works in the look-ahead";
    const int weekday =
        static_cast<int>(date::weekday(*r.next_day).iso_encoding());
    const int from = *r.next_day == local.day ? local.minute : 0;
    if (!WorksAfter(m, weekday, from) || AbsentOn(m, *r.next_day) ||
        sla::IsPublicHoliday(*r.next_day))
      return "assignee does not work on the next working day " +
             sla::FormatLocalDay(*r.next_day);
    return "";
  });
}

TEST(DispatchProperty, NecessaryOnSiteWorkGoesToLocalStaffOrIsMarkedTravel) {
  ForEachCase([](const Case& c) -> std::string {
    const auto& a = c.got;
    const auto& svc = c.ticket.service();
    const bool onsite = svc.delivery() == v1::DELIVERY_INTERNAL &&
                        svc.presence() == v1::PRESENCE_NECESSARY;
    if (!onsite && a.travel()) return "travel for work that is not on site";
    if (!onsite || a.outcome() != v1::ASSIGNMENT_OUTCOME_ASSIGNED) return "";
    // Out of the desk's hours the vakt takes urgent work wherever it is.
    if (a.rule_path().starts_with("vakt"))
      return a.travel() ? "the vakt out of hours marked travel" : "";
    const v1::StaffMember& m = *c.Member(a.assignee());
    const std::string& muni = c.ticket.municipality();
    if (Has(m.covers(), muni))
      return a.travel() ? "local assignee marked travel" : "";
    if (!a.travel()) return "not local and not marked travel";
    const Options& o = c.region->options;
    if (!o.travel_fallback) return "travel while travel fallback is off";
    if (a.travel_from() != c.MunicipalityName(m.home_municipality()))
      return "travel_from is not the assignee's home";
    const auto minutes = TableMinutes(o, m.home_municipality(), muni);
    if (!minutes) return "travel between municipalities with no table entry";
    if (*minutes > o.max_travel_minutes) return "travel beyond the limit";
    if (a.travel_minutes() != *minutes)
      return "travel_minutes is not the table's";
    const Reference r = Expect(c);
    if (r.any_local) return "travel although someone available covers it";
    if (a.travel_minutes() != r.travel_minutes)
      return "not the nearest neighbour with anyone available";
    return "";
  });
}

TEST(DispatchProperty, DesirablePresencePrefersLocalStaff) {
  ForEachCase([](const Case& c) -> std::string {
    const auto& svc = c.ticket.service();
    if (svc.delivery() != v1::DELIVERY_INTERNAL ||
        svc.presence() != v1::PRESENCE_DESIRABLE ||
        c.got.outcome() != v1::ASSIGNMENT_OUTCOME_ASSIGNED ||
        c.got.rule_path().starts_with("vakt"))
      return "";
    if (c.got.travel()) return "desirable presence marked travel";
    const Reference r = Expect(c);
    const bool local =
        Has(c.Member(c.got.assignee())->covers(), c.ticket.municipality());
    if (r.any_local && !local)
      return "someone local was available, yet a non-local person was chosen";
    return "";
  });
}

// Outcome, reason and assignee agree with the reference: in particular the
// lowest load per FTE, then the least recently assigned, then the id.
TEST(DispatchProperty, DecisionMatchesTheReferenceModel) {
  ForEachCase([](const Case& c) -> std::string {
    const Reference r = Expect(c);
    const auto& a = c.got;
    if (a.outcome() != r.outcome)
      return "outcome " + v1::AssignmentOutcome_Name(a.outcome()) +
             ", expected " + v1::AssignmentOutcome_Name(r.outcome) + " (" +
             v1::UnassignedReason_Name(r.reason) + ")";
    if (a.unassigned_reason() != r.reason)
      return "reason " + v1::UnassignedReason_Name(a.unassigned_reason()) +
             ", expected " + v1::UnassignedReason_Name(r.reason);
    if (r.outcome != v1::ASSIGNMENT_OUTCOME_ASSIGNED) return "";
    if (a.vakt() != (r.path == "vakt" || r.path == "vakt_direct"))
      return "vakt flag wrong";
    if (!r.travel_from.empty() && !r.travel_from.count(a.travel_from()))
      return "travel from " + a.travel_from() + ", not the nearest neighbour";
    if (a.travel() != !r.travel_from.empty()) return "travel flag wrong";
    // Vakt: the primary before the backup; else people the reporter
    // knows within the margin, else the lightest load.
    const v1::StaffMember* best = ModelChoice(c, r);
    if (best == nullptr || best->id() != a.assignee())
      return "chose " + a.assignee() + ", expected " +
             (best ? best->id() : "nobody") + " of " +
             std::to_string(r.finalists.size()) + " finalists";
    const Load l = c.loads->by_id.at(best->id());
    if (a.load() != ModelLoadPerPost(l, best->fte_percent()))
      return "load is not the assignee's load per post";
    return "";
  });
}

TEST(DispatchProperty, StepCountsNeverGrowAlongThePath) {
  ForEachCase([](const Case& c) -> std::string {
    const auto& steps = c.got.steps();
    if (steps.empty() ||
        (steps[0].rule() != "skills" && steps[0].rule() != "urgent"))
      return "the path does not start with skills (or urgent, for the vakt)";
    // call_in counts other people: it follows choose.
    int last = steps.size() - 1;
    if (steps[last].rule() == "call_in") --last;
    for (int i = 1; i <= last; ++i)
      if (steps[i].kept() > steps[i - 1].kept())
        return "step " + steps[i].rule() + " kept more than " +
               steps[i - 1].rule();
    if (c.got.outcome() == v1::ASSIGNMENT_OUTCOME_ASSIGNED &&
        (steps[last].rule() != "choose" || steps[last].kept() == 0))
      return "an assignment that does not end in choose from someone";
    if (c.got.outcome() == v1::ASSIGNMENT_OUTCOME_ASSIGNED &&
        (c.got.chosen_by().empty() ||
         c.got.explanation().find(steps[last].note()) == std::string::npos))
      return "the explanation does not name the rule that chose";
    if (c.got.outcome() == v1::ASSIGNMENT_OUTCOME_UNASSIGNED &&
        steps.rbegin()->kept() != 0)
      return "unassigned although the last step kept someone";
    return "";
  });
}

TEST(DispatchProperty, SameInputsGiveTheSameDecisionWhateverTheStaffOrder) {
  ForEachCase([](const Case& c) -> std::string {
    const auto again = Decide(c.input(), *c.roster, std::cref(*c.loads));
    if (again.SerializeAsString() != c.got.SerializeAsString())
      return "a second run decided differently: " + again.ShortDebugString();
    const auto other = Decide(c.input(), *c.shuffled, std::cref(*c.loads));
    if (other.SerializeAsString() != c.got.SerializeAsString())
      return "staff in another order decided differently: " +
             other.ShortDebugString();
    return "";
  });
}

// A re-run after the assignee became absent never picks them again.
TEST(DispatchProperty, ReRunNeverChoosesTheExcludedAssignee) {
  int reruns = 0;
  ForEachCase([&](const Case& c) -> std::string {
    if (c.got.outcome() != v1::ASSIGNMENT_OUTCOME_ASSIGNED) return "";
    v1::Ticket t = c.ticket;
    t.set_assignee(c.got.assignee());
    Input in = c.input();
    in.ticket = &t;
    in.exclude = c.got.assignee();
    in.trigger = v1::ASSIGNMENT_TRIGGER_ABSENCE;
    const auto a = Decide(in, *c.roster, std::cref(*c.loads));
    ++reruns;
    if (a.assignee() == c.got.assignee()) return "excluded person chosen again";
    if (a.trigger() != v1::ASSIGNMENT_TRIGGER_ABSENCE) return "trigger lost";
    if (a.previous_assignee() != c.got.assignee())
      return "previous_assignee is not the excluded assignee";
    return "";
  });
  EXPECT_GT(reruns, 1000);
}

// ---------------------------------------------------------------- DST

v1::StaffMember OfficeWorker(std::string id) {
  v1::StaffMember m;
  m.set_id(std::move(id));
  m.set_name("Kari Haugen");
  m.set_home_municipality("kongsberg");
  m.add_covers("kongsberg");
  m.add_skills("network");
  m.set_fte_percent(100);
  m.set_active(true);
  auto* p = m.add_working_hours();
  for (int d = 1; d <= 5; ++d) p->add_days(static_cast<v1::Weekday>(d));
  p->set_start("08:00");
  p->set_end("15:30");
  return m;
}

// Working hours are Oslo wall-clock hours on both sides of a DST change.
TEST(DispatchDst, WorkingHoursFollowTheOsloWallClock) {
  v1::Municipality kongsberg;
  kongsberg.set_id("kongsberg");
  kongsberg.set_name("Kongsberg");
  Roster roster({OfficeWorker("kari.haugen")}, {}, {kongsberg}, {});
  v1::Ticket t;
  t.set_municipality("kongsberg");
  t.set_priority(v1::PRIORITY_NORMAL);
  t.mutable_service()->set_presence(v1::PRESENCE_NOT_NEEDED);
  t.mutable_service()->set_delivery(v1::DELIVERY_INTERNAL);
  t.mutable_service()->add_skills("network");
  auto path_at = [&](int y, unsigned m, unsigned d, int hour, int minute) {
    Input i;
    i.ticket = &t;
    i.service = &t.service();
    i.now = date::sys_days{date::year(y) / m / d} + std::chrono::hours(hour) +
            std::chrono::minutes(minute);
    return Decide(i, roster, [](const Person&) { return Load{}; }).rule_path();
  };
  // Instants in UTC. 06:30 UTC: 07:30 in winter time, 08:30 in summer time.
  EXPECT_EQ(path_at(2026, 3, 23, 6, 30),
            "not_needed > next_working_day > region");
  EXPECT_EQ(path_at(2026, 3, 30, 6, 30), "not_needed > region");
  // 06:15 UTC: 08:15 in summer time, 07:15 in winter time.
  EXPECT_EQ(path_at(2026, 10, 19, 6, 15), "not_needed > region");
  EXPECT_EQ(path_at(2026, 10, 26, 6, 15),
            "not_needed > next_working_day > region");
  // 14:15 UTC: 16:15 summer (gone home), 15:15 winter (still there).
  EXPECT_EQ(path_at(2026, 10, 23, 14, 15),
            "not_needed > next_working_day > region");
  EXPECT_EQ(path_at(2026, 10, 26, 14, 15), "not_needed > region");
}

}  // namespace
}  // namespace helpdesk::dispatch::proptest
