#pragma once
// The coverage report: "minimum two operators at all times in every area"
// (DOMAIN.md rule 6). For every competence area (catalogue skill) and every
// active service it counts the people who could take the work, and for
// services that need local presence (necessary) the same per municipality,
// counting only people who cover that municipality on site. People cover a
// service's skills together (dispatch takes the best partial match and
// names whom to call in), so a service's counts are those of its thinnest
// skill. A cell below kRequiredPerCell is flagged and described in words a
// coordinator reads.
//
// The counts of a cell:
//   qualified     active people with the skill (a service: of its thinnest
//                 skill; none needed: every active person).
//   office_hours  standing capacity on the weakest weekday: for each of
//                 Monday to Friday, the qualified people whose working
//                 hours reach into 08:00-15:30 that day; the minimum of the
//                 five. So a 40 % post worked on Monday and Tuesday does
//                 not cover Wednesday. Absences and public holidays are
//                 ignored here: they are not standing gaps.
//   now           qualified people at `now` (Europe/Oslo) who are at work
//                 (in hours, not on a public holiday) or primary or backup
//                 of the vakt shift covering `now`, and not absent today.
//
// The standing gaps (`gaps`, what `helpdeskctl coverage` exits 1 on): a
// skill an active service needs that no active person has; a service whose
// region cell is flagged; every stretch of the next kVaktHorizonDays with
// no one on vakt (no shift, or primary and backup both absent or
// inactive), with exact ends: looked at now, where each shift starts or
// ends, and at each local midnight (absences). On-site cells below the
// minimum are listed apart (`thin_on_site`): a small municipality with one
// IT person is a fact of the region, and the travel fallback covers it.
//
// Pure: no I/O, no clock (`now` is passed in); deterministic for the same
// inputs. Any thread; the Roster is only read.

#include <chrono>
#include <cstdint>

#include "daemon/dispatch/roster.h"
#include "proto/helpdesk.pb.h"

namespace helpdesk::dispatch {

// The minimum number of people per cell.
inline constexpr uint32_t kRequiredPerCell = 2;

// How far ahead the report looks for hours with no one on vakt.
inline constexpr uint32_t kVaktHorizonDays = 28;

// Office hours as the report reads them, in local minutes.
inline constexpr int kOfficeHoursStart = 8 * 60;      // 08:00
inline constexpr int kOfficeHoursEnd = 15 * 60 + 30;  // 15:30

// Skill rows in catalogue skill id order, service rows (retired services
// left out) in service id order, municipality cells in municipality id
// order; gaps and gaps_now in that same order. `at` is `now`.
v1::CoverageReport Coverage(const Roster& roster,
                            const v1::Catalogue& catalogue,
                            std::chrono::sys_seconds now);

}  // namespace helpdesk::dispatch
