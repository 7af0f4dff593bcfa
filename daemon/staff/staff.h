#pragma once
// The staff registry and the vakt rota as pure decisions: a request and
// what is stored in, the record to store and the event body out, or a
// Status naming every problem (JSON pointers into the body). Checked
// against the region's municipalities and the catalogue's skill list.
// Pure: no I/O, no clock. Any thread.

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::staff {

inline constexpr size_t kMaxIdBytes = 64;
inline constexpr size_t kMaxNameBytes = 100;
inline constexpr size_t kMaxPhoneBytes = 40;
inline constexpr size_t kMaxEmailBytes = 254;
inline constexpr size_t kMaxNoteBytes = 200;
// List limits, far above what a region of small municipalities needs (the
// demo region: 7 municipalities, 32 people, 104 weekly shifts for two
// years). A list over its limit is refused before any of its items is
// checked, so a hostile body costs no more than the limit allows.
inline constexpr size_t kMaxAbsences = 1000;
inline constexpr size_t kMaxWorkPeriods = 50;
inline constexpr size_t kMaxCovers = 100;  // municipalities one person covers
inline constexpr size_t kMaxSkills = 200;  // as the catalogue's skill list
inline constexpr size_t kMaxStaff = 10000;
// Two years of hourly shifts is 17,520.
inline constexpr size_t kMaxShifts = 20000;
inline constexpr int64_t kMaxShiftSeconds = 31 * 24 * 3600;

// What staff records are checked against.
struct Registry {
  std::vector<std::string> municipalities;  // ids of the region
  std::vector<std::string> skills;          // ids of the catalogue's skills
};

// A staff id: lowercase a-z and 0-9 in groups joined by single '.' or '-'
// ("kari.haugen", "ola-2"), at most kMaxIdBytes.
bool IsStaffId(std::string_view id);

// Fills what may be left out: active true, employer = home, home first in
// `covers`; sorts and de-duplicates nothing else (order is the user's).
void Normalize(v1::StaffMember& member);

// Every problem of a (normalized) record at once; ok when there is none.
Status Validate(const v1::StaffMember& member, const Registry& registry);
// A work e-mail address a page may go to: local@domain.tld, ASCII, no
// spaces, quotes, brackets or separators (one address, never a list).
bool IsEmailAddress(std::string_view address);

// A new person: id free, record valid. The stored record has version 1.
StatusOr<v1::StaffMember> DecideCreate(v1::StaffMember body,
                                       const v1::StaffMember* existing,
                                       const Registry& registry);

// Replaces person `id` (`current`) with `body`, based on the version from
// `if_match` or `body.version` (one is required).
StatusOr<v1::StaffMember> DecideUpdate(const v1::StaffMember& current,
                                       std::string_view id,
                                       v1::StaffMember body,
                                       std::optional<uint32_t> if_match,
                                       const Registry& registry);

// Replaces the whole rota with `body`, based on `if_match` or
// `body.version` (required once a rota exists). Shifts are sorted by start
// and must not overlap; primary and backup must be people in `staff_ids`.
StatusOr<v1::VaktRota> DecideRota(const v1::VaktRota& current,
                                  v1::VaktRota body,
                                  std::optional<uint32_t> if_match,
                                  const std::vector<std::string>& staff_ids);

}  // namespace helpdesk::staff
