#pragma once
// A data directory as an older build could leave it: a real daemon files
// three tickets (the second with a marker in its title, SLA clocks
// running), adds a catalogue service and a staff member with the marker in
// their names, and stops; then the marker's last byte becomes 0xff in every
// record holding it (the records and the events that created them), so
// protobuf refuses to read them. For the tests of the desk and of
// `helpdeskctl check`/`repair`. Not thread-safe.

#include <string>

namespace helpdesk::testing {

// When the poisoned records were written: Wednesday 15 April 2026, 10:00
// in Oslo. A week later their SLA alerts are all due.
inline constexpr char kPoisonedAt[] = "2026-04-15T08:00:00Z";
inline constexpr char kWeekLater[] = "2026-04-22T08:00:00Z";

struct PoisonedData {
  std::string good_ticket = "1";     // readable, alerts due a week later
  std::string damaged_ticket = "2";  // title not UTF-8, alerts due
  std::string other_ticket = "3";    // readable
  std::string damaged_service = "giftig-tjeneste";
  std::string damaged_staff = "giftig.person";
  std::string good_staff = "test.radgiver";
};

// Builds it in `data_dir` (which must not exist yet). Returns "" on
// success, else what went wrong (with the daemon's log).
std::string MakePoisonedData(const std::string& data_dir,
                             const PoisonedData& names = {});

}  // namespace helpdesk::testing
