#pragma once
// The cases the dispatcher's property tests run over, and the facts they
// check against: random regions (random_roster.h) x random tickets x
// instants (weekday office hours and their edges, evenings, 02:00,
// weekends, Easter, Ascension, Christmas, both DST changes, random ones).
// Facts about people are read from the proto records (working hours,
// absences, covers, the travel table and the rota as a user typed them),
// never from the Roster's compiled index, so a wrong index shows; and
// Expect() is the decision as dispatch.h describes it, computed the slow
// and obvious way.
//
// Seeds are fixed; HELPDESK_PROPERTY_SEEDS="1-500" or "3,17" runs others.
// Test-only; single-threaded.

#include <date/date.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "daemon/dispatch/dispatch.h"
#include "proto/helpdesk.pb.h"
#include "sla/oslo_time.h"
#include "tests/support/random_roster.h"

namespace helpdesk::dispatch::proptest {

std::vector<uint64_t> Seeds();

struct Moment {
  std::string what;
  std::chrono::sys_seconds at;
};
std::vector<Moment> FixedMoments();

// The region shapes every seed draws: Kongsbergregionen-like, a tiny one
// with a municipality without IT staff, a large one, a many-skilled one.
std::vector<testgen::RegionSpec> Specs();

// ---------------------------------------------------------------- facts

bool Has(const google::protobuf::RepeatedPtrField<std::string>& list,
         const std::string& v);
// The skills a service needs of its assignee (supplier-followup for
// external delivery).
std::vector<std::string> Required(const v1::ServiceSnapshot& svc);
bool HasEverySkill(const v1::StaffMember& m,
                   const std::vector<std::string>& need);
bool AbsentOn(const v1::StaffMember& m, date::local_days day);
// Some working period of ISO `weekday` ends after minute `from`.
bool WorksAfter(const v1::StaffMember& m, int weekday, int from);
bool InHours(const v1::StaffMember& m, int weekday, int minute);
// In hours, not absent, not a public holiday.
bool AtWork(const v1::StaffMember& m, const sla::OsloTime& t);
const v1::VaktShift* ShiftAt(const v1::VaktRota& rota,
                             std::chrono::sys_seconds now);
std::optional<uint32_t> TableMinutes(const Options& o, const std::string& a,
                                     const std::string& b);
bool Urgent(v1::Priority p);

// ---------------------------------------------------------------- cases

struct Loads {
  std::unordered_map<std::string, Load> by_id;
  Load operator()(const Person& p) const { return by_id.at(p.member->id()); }
};

struct Case {
  uint64_t seed = 0;
  int region_no = 0;
  const Moment* moment = nullptr;
  const testgen::Region* region = nullptr;
  const Roster* roster = nullptr;
  const Roster* shuffled = nullptr;  // the same staff in another order
  const Loads* loads = nullptr;
  v1::Ticket ticket;
  std::string exclude;      // a re-run away from this person, or ""
  std::string last_helper;  // who helped the reporter last, or ""
  v1::Assignment got;       // Decide's answer

  Input input() const;
  sla::OsloTime local() const { return sla::ToOslo(moment->at); }
  const v1::StaffMember* Member(const std::string& id) const;
  const std::string& MunicipalityName(const std::string& id) const;
};

std::string Describe(const Case& c);

// Runs `check` over every case of every seed; it returns "" or what is
// wrong. Reports the first few failures in full, and the total.
void ForEachCase(const std::function<std::string(const Case&)>& check);

// ---------------------------------------------------------------- reference

struct Reference {
  v1::AssignmentOutcome outcome = v1::ASSIGNMENT_OUTCOME_UNSPECIFIED;
  v1::UnassignedReason reason = v1::UNASSIGNED_REASON_UNSPECIFIED;
  // "vakt_direct" (urgent work no one qualified can take now: the vakt
  // whatever the skills), "at_work", "vakt", "next_working_day".
  std::string path;
  // No one active and not excluded has every skill: the most of them win.
  bool partial = false;
  // Everyone with the skills, active, not excluded, not absent today.
  std::vector<const v1::StaffMember*> qualified;
  std::vector<const v1::StaffMember*> available;  // after "available"
  bool anyone_at_work = false;
  std::optional<date::local_days> next_day;  // next_working_day path
  bool any_local = false;                    // among the available
  // Travel: the nearest neighbours with anyone available, and how far.
  std::set<std::string> travel_from;
  uint32_t travel_minutes = 0;
  std::vector<const v1::StaffMember*> finalists;  // before choosing
};

Reference Expect(const Case& c);

// How many of `need` the person has.
int HeldSkills(const v1::StaffMember& m, const std::vector<std::string>& need);
// The reference's choice among its finalists off the vakt: people the
// reporter knows within the familiarity margin of the lowest load (the
// last helper, then the municipality's own staff), else Lightest.
const v1::StaffMember* ModelChoice(const Case& c, const Reference& r);

// Open work weighted by priority with the promised weights (critical 8,
// high 4, normal 2, low 1), and per full post; the model's own, not the
// dispatcher's.
uint64_t ModelWork(const Load& load);
double ModelLoadPerPost(const Load& load, uint32_t fte_percent);

// The lowest weighted open work per FTE (exactly, cross-multiplied), then
// the least recently assigned, then the id.
const v1::StaffMember* Lightest(const std::vector<const v1::StaffMember*>& from,
                                const Loads& loads);

}  // namespace helpdesk::dispatch::proptest
