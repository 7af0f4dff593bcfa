// Fuzz target: a record's bytes as read from the store (a damaged file, or
// a record an older bug wrote), parsed as every record type the store
// keeps, as the store parses them (ParseRecord: unpacked first when packed,
// daemon/store/packing.h), then used as the reads
// use it: rendered as JSON (round_trip.h), a ticket's SLA clocks read at
// an instant, a person's schedule compiled and asked, a rota's shift
// looked up, a catalogue entry put in a tree; a ticket's assignee read
// alone (ParseStringField) agrees with the parse. A bad record must not
// crash anything.

#include <chrono>
#include <cstdint>
#include <string>

#include "catalogue/catalogue.h"
#include "daemon/staff/schedule.h"
#include "daemon/store/record_check.h"
#include "daemon/tickets/sla_clocks.h"
#include "proto/helpdesk.pb.h"
#include "sla/oslo_time.h"
#include "sla/policy.h"
#include "tests/fuzz/round_trip.h"

namespace {

using namespace helpdesk;
using std::chrono::sys_seconds;

// Wednesday 15 April 2026, 08:00 UTC, and a week later.
constexpr sys_seconds kNow{std::chrono::seconds{1776240000}};
constexpr sys_seconds kWeekLater = kNow + std::chrono::hours{24 * 7};

const sla::PolicyBook& Book() {
  static const auto* book = new sla::PolicyBook(sla::DefaultPolicy());
  return *book;
}

template <typename M>
bool Read(const uint8_t* data, size_t size, M& out) {
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);
  if (!store::ParseRecord(bytes, out)) return false;
  fuzz::CheckJsonRoundTrip(out);
  return true;
}

template <typename M>
void ReadOnly(const uint8_t* data, size_t size) {
  M m;
  Read(data, size, m);
}

void Ticket(const v1::Ticket& t) {
  if (!t.has_sla()) return;
  for (sys_seconds at : {kNow, kWeekLater}) {
    if (t.sla().has_first_response())
      fuzz::CheckJsonRoundTrip(
          tickets::ReadAt(t.sla().first_response(), Book(), at));
    if (t.sla().has_resolution())
      fuzz::CheckJsonRoundTrip(
          tickets::ReadAt(t.sla().resolution(), Book(), at));
  }
}

void Member(const v1::StaffMember& m) {
  const staff::Schedule s = staff::Schedule::Of(m);
  for (sys_seconds at : {kNow, kWeekLater}) {
    const sla::OsloTime t = sla::ToOslo(at);
    (void)s.AtWork(t, false);
    (void)s.WorksDuring(t.weekday, 0, 24 * 60);
  }
  (void)s.WeeklyMinutes();
}

void Rota(const v1::VaktRota& r) {
  for (sys_seconds at : {kNow, kWeekLater}) {
    (void)staff::ShiftAt(r, at);
    (void)staff::NextShift(r, at);
  }
}

void Service(const v1::Service& s) {
  fuzz::CheckJsonRoundTrip(catalogue::Snapshot(s));
  v1::Catalogue c;
  *c.add_services() = s;
  fuzz::CheckJsonRoundTrip(catalogue::BuildTree(c, "", true));
  fuzz::CheckJsonRoundTrip(catalogue::BuildTree(c, "kongsberg", false));
}

void Category(const v1::Category& category) {
  v1::Catalogue c;
  *c.add_categories() = category;
  fuzz::CheckJsonRoundTrip(catalogue::BuildTree(c, "", true));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  // The assignee read alone (dispatch's look at a reporter's last helper)
  // is what a parse of the whole record reads, whenever that parses.
  const auto assignee = store::ParseStringField(
      std::string_view(reinterpret_cast<const char*>(data), size),
      v1::Ticket::kAssigneeFieldNumber);
  if (v1::Ticket t; Read(data, size, t)) {
    if (!assignee || *assignee != t.assignee()) __builtin_trap();
    Ticket(t);
  }
  if (v1::StaffMember m; Read(data, size, m)) Member(m);
  if (v1::VaktRota r; Read(data, size, r)) Rota(r);
  if (v1::Service s; Read(data, size, s)) Service(s);
  if (v1::Category c; Read(data, size, c)) Category(c);
  ReadOnly<v1::Event>(data, size);
  ReadOnly<v1::Comment>(data, size);
  ReadOnly<v1::Municipality>(data, size);
  ReadOnly<v1::Skill>(data, size);
  ReadOnly<v1::SlaClass>(data, size);
  ReadOnly<v1::StaffLoad>(data, size);
  return 0;
}
