#pragma once
// The demo data compiled into the binary and seeded into a new database:
// the region (demo_region.textproto), the built-in catalogue, the IT staff
// (demo_staff.textproto), a vakt rota for them and the travel-time table
// between the municipal centres. Pure functions, no clock; any thread.

#include <date/date.h>

#include <vector>

#include "daemon/dispatch/roster.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::seed {

// Parses the built-in region; an error here is a build defect.
StatusOr<v1::Region> DemoRegion();

// The built-in tjenestekatalog, checked against `region`; an error here is
// a build defect too.
StatusOr<v1::Catalogue> DefaultCatalogue(const v1::Region& region);

// The 32 IT staff of the demo region (the survey in DOMAIN.md), normalized
// (staff::Normalize) and checked (staff::Validate) against the
// municipalities of `region` and the skills of `catalogue`. Version 0: the
// store sets versions. An error names the person and the problem.
StatusOr<std::vector<v1::StaffMember>> DemoStaff(
    const v1::Region& region, const v1::Catalogue& catalogue);

// Who does vakt in the demo: the people the survey names (DOMAIN.md rule
// 7), while active: six in Kongsberg (its operations manager, the
// IT-support team leader, a school support person, three server/network
// people) and Tinn's two IT consultants with beredskap duties.
bool DoesVakt(const v1::StaffMember& member);

// The demo vakt rota: `weeks` weekly shifts from Monday 08:00 Europe/Oslo to
// the next Monday 08:00 (a week with a daylight-saving change is an hour
// shorter or longer), the first on `first_monday`, which must be a Monday.
// Primary and backup go round the people who DoesVakt() in the order of
// `staff`: week i has primary i and backup i-1 (last week's primary hands
// over), so over any run of weeks each person is primary, and backup, as
// often as any other give or take one. Absences are not planned around:
// swapping weeks is the rota owner's job. Version 0: the store sets
// versions. Fails when fewer than two people do vakt, or `weeks` is
// negative or more than staff::kMaxShifts.
StatusOr<v1::VaktRota> DemoRota(const std::vector<v1::StaffMember>& staff,
                                date::local_days first_monday, int weeks);

// Approximate driving minutes between the centres of the demo region
// (Kongsberg, Notodden, Rødberg, Lampeland, Veggli, Rjukan, Sauland): one
// entry per pair of sensible neighbours, by municipality id. The default
// when the config file has no [[dispatch.travel]] table.
std::vector<dispatch::TravelTime> DemoTravelTimes();

}  // namespace helpdesk::seed
