#pragma once
// Random but plausible regions for property tests and benchmarks of the
// dispatcher: municipalities on a map with a travel-time table, IT staff
// with skills, on-site coverage (home plus sometimes neighbours), FTE
// 40/60/80/100 %, working hours (Mon-Fri 08:00-15:30 style or part-time
// days), absences, inactive people, a weekly vakt rota with gaps, and
// services and tickets to dispatch. Every draw comes from the caller's
// seeded std::mt19937_64, so a seed reproduces a region exactly.
// Plain functions; any thread (each with its own generator).

#include <date/date.h>

#include <chrono>
#include <cstdint>
#include <memory>
#include <random>
#include <string>
#include <vector>

#include "daemon/dispatch/dispatch.h"
#include "daemon/dispatch/roster.h"
#include "proto/helpdesk.pb.h"

namespace helpdesk::dispatch::testgen {

struct RegionSpec {
  int municipalities = 7;
  // The last `uncovered` municipalities are nobody's home and nobody covers
  // them on site: on-site work there needs the travel fallback.
  int uncovered = 0;
  int staff = 32;
  int skills = 8;  // at least 2; one of them is supplier-followup
  int services = 40;
  double inactive_share = 0.05;
  double absent_share = 0.3;    // people with some absence besides summer
  double summer_share = 0.5;    // people on three weeks' ferie in July
  double vakt_gap_share = 0.1;  // weeks without a vakt shift
  double no_backup_share = 0.2;
  int year = 2026;
  // Days around which absences cluster, so that tests looking at these
  // days meet absent people often.
  std::vector<date::local_days> focus_days;
};

struct Region {
  std::vector<std::string> skills;  // ids; skills[0] is supplier-followup
  std::vector<v1::Municipality> municipalities;
  std::vector<v1::StaffMember> staff;  // normalized; generation order
  v1::VaktRota rota;                   // sorted, non-overlapping
  Options options;
  std::vector<v1::ServiceSnapshot> services;
};

Region RandomRegion(const RegionSpec& spec, std::mt19937_64& rng);

// A service needing 1-3 of `skills` (never skills[0] unless chosen at
// random), presence necessary/desirable/not_needed, a fifth external with a
// supplier.
v1::ServiceSnapshot RandomService(const std::vector<std::string>& skills,
                                  int number, std::mt19937_64& rng);

// A ticket against a random service of the region, in a random
// municipality, of a random priority (critical to low).
v1::Ticket RandomTicket(const Region& region, int number, std::mt19937_64& rng);

// A random instant of the spec's year, to the minute.
std::chrono::sys_seconds RandomInstant(int year, std::mt19937_64& rng);

// The Roster of `region` (the staff copied, in the order given).
std::unique_ptr<Roster> MakeRoster(const Region& region);
std::unique_ptr<Roster> MakeRoster(const Region& region,
                                   std::vector<v1::StaffMember> staff);

}  // namespace helpdesk::dispatch::testgen
