#include "daemon/seed/seed.h"

#include <date/iso_week.h>
#include <google/protobuf/text_format.h>

#include <algorithm>
#include <set>
#include <string>

#include "catalogue/default_catalogue.h"
#include "daemon/staff/schedule.h"
#include "daemon/staff/staff.h"
#include "proto/timestamps.h"
#include "sla/oslo_time.h"

namespace helpdesk::seed {

extern const char kDemoRegionText[];  // generated from demo_region.textproto
extern const char kDemoStaffText[];   // generated from demo_staff.textproto

namespace {

constexpr int kShiftChangeMinute = 8 * 60;  // Monday 08:00, local time

// "Uke 14/2026": how people name a vakt week (ISO week numbers).
std::string WeekNote(date::local_days monday) {
  iso_week::year_weeknum_weekday w{date::sys_days(monday.time_since_epoch())};
  return "Uke " + std::to_string(static_cast<unsigned>(w.weeknum())) + "/" +
         std::to_string(static_cast<int>(w.year()));
}

}  // namespace

StatusOr<v1::Region> DemoRegion() {
  v1::Region region;
  if (!google::protobuf::TextFormat::ParseFromString(kDemoRegionText, &region))
    return Status::Internal("the built-in demo region does not parse");
  return region;
}

StatusOr<v1::Catalogue> DefaultCatalogue(const v1::Region& region) {
  std::vector<std::string> ids;
  for (const auto& m : region.municipalities()) ids.push_back(m.id());
  auto result = catalogue::DefaultCatalogue(ids);
  if (!result.error.empty()) return Status::Internal(result.error);
  return std::move(result.catalogue);
}

StatusOr<std::vector<v1::StaffMember>> DemoStaff(
    const v1::Region& region, const v1::Catalogue& catalogue) {
  v1::ListStaffResponse list;
  if (!google::protobuf::TextFormat::ParseFromString(kDemoStaffText, &list))
    return Status::Internal("the built-in demo staff do not parse");
  staff::Registry registry;
  for (const auto& m : region.municipalities())
    registry.municipalities.push_back(m.id());
  for (const auto& s : catalogue.skills()) registry.skills.push_back(s.id());
  std::vector<v1::StaffMember> out;
  std::set<std::string> ids;
  for (auto& member : *list.mutable_staff()) {
    staff::Normalize(member);
    member.set_version(0);
    // A demo person the region or catalogue does not know is a build defect
    // (or a catalogue edited without its skills): say who and why.
    if (Status s = staff::Validate(member, registry); !s.ok())
      return Status::Internal("the built-in demo staff member '" + member.id() +
                              "' is not valid: " + s.message());
    if (!ids.insert(member.id()).second)
      return Status::Internal("the built-in demo staff list '" + member.id() +
                              "' twice");
    out.push_back(std::move(member));
  }
  return out;
}

bool DoesVakt(const v1::StaffMember& member) {
  // The survey's vakt people (DOMAIN.md rule 7): Kongsberg's operations
  // manager, IT-support team leader, school support person and three
  // server/network people; Tinn's two IT consultants. In staff order.
  static constexpr std::string_view kVakt[] = {
      "kari.haugen", "lars.bakken",    "ingrid.solberg", "anders.moen",
      "silje.berg",  "thomas.eriksen", "marte.tangen",   "ola.gronvold"};
  const bool active = !member.has_active() || member.active();
  return active && std::find(std::begin(kVakt), std::end(kVakt), member.id()) !=
                       std::end(kVakt);
}

StatusOr<v1::VaktRota> DemoRota(const std::vector<v1::StaffMember>& staff,
                                date::local_days first_monday, int weeks) {
  if (date::weekday(first_monday) != date::Monday)
    return Status::InvalidField(
        "first_monday", "a vakt week starts on a Monday; " +
                            sla::FormatLocalDay(first_monday) + " is not one");
  if (weeks < 0 || static_cast<size_t>(weeks) > staff::kMaxShifts)
    return Status::InvalidField("weeks", "weeks must be 0 to " +
                                             std::to_string(staff::kMaxShifts) +
                                             ", got " + std::to_string(weeks));
  std::vector<const v1::StaffMember*> vakt;
  for (const auto& member : staff)
    if (DoesVakt(member)) vakt.push_back(&member);
  if (vakt.size() < 2)
    return Status::InvalidField(
        "staff",
        "a vakt rota with a backup needs at least two people who do "
        "vakt; found " +
            std::to_string(vakt.size()));
  const size_t n = vakt.size();
  v1::VaktRota rota;
  for (int i = 0; i < weeks; ++i) {
    date::local_days monday = first_monday + date::weeks(i);
    v1::VaktShift* shift = rota.add_shifts();
    // Both ends in Oslo time: across a daylight-saving change the shift
    // still hands over at 08:00 on the wall clock.
    *shift->mutable_start() =
        proto::ToTimestamp(sla::FromOslo(monday, kShiftChangeMinute));
    *shift->mutable_end() = proto::ToTimestamp(
        sla::FromOslo(monday + date::weeks(1), kShiftChangeMinute));
    size_t k = static_cast<size_t>(i) % n;
    shift->set_primary(vakt[k]->id());
    shift->set_backup(vakt[(k + n - 1) % n]->id());
    shift->set_note(WeekNote(monday));
  }
  return rota;
}

std::vector<dispatch::TravelTime> DemoTravelTimes() {
  // Minutes by car in ordinary conditions, rounded to five, between the
  // municipal centres: Kongsberg, Notodden, Rødberg (nore-og-uvdal),
  // Lampeland (flesberg), Veggli (rollag), Rjukan (tinn), Sauland
  // (hjartdal). Numedal follows Rv 40 north from Kongsberg; Hjartdal and
  // Tinn are reached over Notodden (E134, Rv 37) or Tuddal.
  // One pair a line, easy to compare with a map.
  // clang-format off
  return {
      {"kongsberg", "notodden", 35},
      {"kongsberg", "flesberg", 25},
      {"kongsberg", "rollag", 60},
      {"kongsberg", "nore-og-uvdal", 95},
      {"kongsberg", "hjartdal", 55},
      {"kongsberg", "tinn", 90},
      {"flesberg", "rollag", 35},
      {"flesberg", "nore-og-uvdal", 70},
      {"rollag", "nore-og-uvdal", 35},
      {"notodden", "hjartdal", 25},
      {"notodden", "tinn", 65},
      {"hjartdal", "tinn", 70},
  };
  // clang-format on
}

}  // namespace helpdesk::seed
