// The SLA report over the tickets created in a range: found by bisection on
// the ticket numbers (which grow with created_at), then read forward, all
// in one read transaction; built by daemon/reports (pure).

#include <map>

#include "daemon/desk/context.h"
#include "daemon/desk/desk.h"
#include "daemon/reports/sla_report.h"
#include "daemon/store/catalogue_tables.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/record_check.h"
#include "daemon/store/tables.h"
#include "proto/timestamps.h"

namespace helpdesk::desk {
namespace {

using std::chrono::days;
using std::chrono::sys_seconds;

constexpr days kDefaultRange{30};
constexpr days kMaxRange{3 * 366};
// A report reads every ticket of its range in one read transaction.
constexpr size_t kMaxTickets = 200'000;

}  // namespace

StatusOr<v1::SlaReport> Desk::SlaReport(const SlaReportQuery& query) const {
  const sys_seconds now = proto::ToSys(Now());
  // Without `to`: up to and including the current second (`to` is
  // exclusive, and a ticket filed this second belongs in the report).
  const sys_seconds to = query.to.value_or(now + std::chrono::seconds(1));
  const sys_seconds from = query.from.value_or(to - kDefaultRange);
  if (from >= to)
    return Status::InvalidParameter("from", "'from' must be before 'to'");
  if (to - from > kMaxRange)
    return Status::InvalidParameter(
        "from", "the range from 'from' to 'to' may be at most 3 years");

  std::vector<v1::Ticket> tickets;
  std::map<std::string, std::string> service_names;
  {
    auto txn = store::Txn::BeginRead(env_);
    if (!txn.ok()) return txn.status();
    auto last = store::LastTicketNumber(*txn, tables_);
    if (!last.ok()) return last.status();
    uint64_t lo = 1, hi = *last + 1;  // the first number created at/after from
    while (lo < hi) {
      const uint64_t mid = lo + (hi - lo) / 2;
      // A damaged (or quarantined) ticket has no created_at to compare:
      // the first readable one after it decides; the report skips it.
      uint64_t probe = mid;
      auto ticket = store::GetTicket(*txn, tables_, probe);
      const auto unknown = [&] {
        return store::IsDamaged(ticket.status()) || (ticket.ok() && !*ticket);
      };
      while (unknown() && probe + 1 < hi)
        ticket = store::GetTicket(*txn, tables_, ++probe);
      if (unknown()) {
        hi = mid;
        continue;
      }
      if (!ticket.ok()) return ticket.status();
      if (proto::ToSys((*ticket)->created_at()) >= from) {
        hi = mid;
      } else {
        lo = probe + 1;
      }
    }
    for (uint64_t n = lo; n <= *last; ++n) {
      auto ticket = store::GetTicket(*txn, tables_, n);
      if (store::IsDamaged(ticket.status())) {
        store::NoteDamaged(store::TicketName(n));
        continue;
      }
      if (!ticket.ok()) return ticket.status();
      if (!*ticket) continue;
      if (proto::ToSys((*ticket)->created_at()) >= to) break;
      if (tickets.size() == kMaxTickets)
        return Status::InvalidParameter(
            "from", "the range holds more than " + std::to_string(kMaxTickets) +
                        " tickets; ask for a shorter range");
      tickets.push_back(std::move(**ticket));
    }
    auto catalogue = store::LoadCatalogue(*txn, tables_);
    if (!catalogue.ok()) return catalogue.status();
    for (const auto& s : catalogue->services())
      service_names[s.id()] = s.name();
  }
  reports::SlaReportInput input;
  input.from = from;
  input.to = to;
  input.now = now;
  input.group_by = query.group_by;
  input.cost = query.cost;
  return reports::BuildSlaReport(tickets, context_->region(), service_names,
                                 context_->sla(), input);
}

}  // namespace helpdesk::desk
