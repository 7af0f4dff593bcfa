// GET /api/v1/reports/sla: SLA attainment, the equal-service view and the
// volume with its cost split (daemon/reports/sla_report.h), as JSON or CSV.

#include <charconv>
#include <cmath>
#include <cstdio>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "daemon/http/api.h"
#include "daemon/http/json.h"
#include "daemon/http/problem.h"
#include "daemon/http/query.h"
#include "daemon/http/responses.h"
#include "daemon/reports/report_csv.h"
#include "daemon/reports/sla_report.h"
#include "daemon/staff/schedule.h"
#include "daemon/store/catalogue_tables.h"
#include "proto/timestamps.h"

namespace helpdesk::http {
namespace {

using std::chrono::days;
using std::chrono::sys_seconds;

constexpr days kDefaultRange{30};
constexpr days kMaxRange{3 * 366};
// A report reads every ticket of its range in one read transaction.
constexpr size_t kMaxTickets = 200'000;

// The number parameter `name` in [lo, hi]; nullopt when absent.
StatusOr<std::optional<double>> DoubleParam(const Target& t,
                                            const std::string& name, double lo,
                                            double hi) {
  auto it = t.params.find(name);
  if (it == t.params.end()) return std::optional<double>();
  const std::string& s = it->second;
  double x = 0;
  auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), x);
  // from_chars reads "nan" and "inf" too: only finite numbers in range.
  if (s.empty() || ec != std::errc() || end != s.data() + s.size() ||
      !std::isfinite(x) || x < lo || x > hi) {
    char range[64];
    std::snprintf(range, sizeof range, "%g to %g", lo, hi);
    return Status::InvalidParameter(name, "parameter '" + name +
                                              "' must be a number from " +
                                              range + " (got '" + s + "')");
  }
  return std::optional<double>(x);
}

Status Choice(const std::string& name, const std::string& got,
              std::string_view choices) {
  return Status::InvalidParameter(
      name, "parameter '" + name + "' must be one of " + std::string(choices) +
                " (got '" + got + "')");
}

std::string Param(const Target& t, const std::string& name,
                  const std::string& fallback) {
  auto it = t.params.find(name);
  return it == t.params.end() ? fallback : it->second;
}

}  // namespace

Response Api::ReportSla(const Request& r, const Target& t) {
  auto bad = [&](const Status& s) {
    return Problem(s, r.target, r.request_id);
  };
  if (Status s = CheckParams(t, {"from", "to", "groupBy", "format", "view",
                                 "fixedShare", "variable", "amount"});
      !s.ok())
    return bad(s);

  const sys_seconds now = proto::ToSys(Now());
  // Without `to`: up to and including the current second (`to` is
  // exclusive, and a ticket filed this second belongs in the report).
  auto to = TimeParam(t, "to", now + std::chrono::seconds(1));
  if (!to.ok()) return bad(to.status());
  auto from = TimeParam(t, "from", *to - kDefaultRange);
  if (!from.ok()) return bad(from.status());
  if (*from >= *to)
    return bad(Status::InvalidParameter("from", "'from' must be before 'to'"));
  if (*to - *from > kMaxRange)
    return bad(Status::InvalidParameter(
        "from", "the range from 'from' to 'to' may be at most 3 years"));

  reports::SlaReportInput input;
  input.from = *from;
  input.to = *to;
  input.now = now;
  const std::string group_by = Param(t, "groupBy", "municipality");
  auto by = reports::ParseGroupBy(group_by);
  if (!by) return bad(Choice("groupBy", group_by, reports::kGroupByChoices));
  input.group_by = *by;
  const std::string format = Param(t, "format", "json");
  if (format != "json" && format != "csv")
    return bad(Choice("format", format, "json, csv"));
  const std::string view = Param(t, "view", "groups");
  if (view != "groups" && view != "equal-service" && view != "volume")
    return bad(Choice("view", view, "groups, equal-service, volume"));
  const std::string variable = Param(t, "variable", "volume");
  auto var = reports::ParseVariable(variable);
  if (!var) return bad(Choice("variable", variable, "volume, population"));
  input.cost.variable = *var;
  auto fixed = DoubleParam(t, "fixedShare", 0, 1);
  if (!fixed.ok()) return bad(fixed.status());
  input.cost.fixed_share = fixed->value_or(0.4);
  auto amount = DoubleParam(t, "amount", 0, 1e12);
  if (!amount.ok()) return bad(amount.status());
  input.cost.amount = *amount;

  std::vector<v1::Ticket> tickets;
  std::map<std::string, std::string> service_names;
  {
    auto txn = store::Txn::BeginRead(env_);
    if (!txn.ok()) return bad(txn.status());
    auto last = store::LastTicketNumber(*txn, tables_);
    if (!last.ok()) return bad(last.status());
    // Ticket numbers grow with created_at: the first ticket of the range
    // is found by bisection, the rest by walking forward.
    auto created = [&](uint64_t number) -> StatusOr<std::optional<v1::Ticket>> {
      return store::GetTicket(*txn, tables_, number);
    };
    uint64_t lo = 1, hi = *last + 1;  // first number created at/after from
    while (lo < hi) {
      const uint64_t mid = lo + (hi - lo) / 2;
      auto ticket = created(mid);
      if (!ticket.ok()) return bad(ticket.status());
      if (*ticket && proto::ToSys((*ticket)->created_at()) >= *from) {
        hi = mid;
      } else {
        lo = mid + 1;
      }
    }
    for (uint64_t n = lo; n <= *last; ++n) {
      auto ticket = created(n);
      if (!ticket.ok()) return bad(ticket.status());
      if (!*ticket) continue;
      if (proto::ToSys((*ticket)->created_at()) >= *to) break;
      if (tickets.size() == kMaxTickets)
        return bad(Status::InvalidParameter(
            "from", "the range holds more than " + std::to_string(kMaxTickets) +
                        " tickets; ask for a shorter range"));
      tickets.push_back(std::move(**ticket));
    }
    auto catalogue = store::LoadCatalogue(*txn, tables_);
    if (!catalogue.ok()) return bad(catalogue.status());
    for (const auto& s : catalogue->services())
      service_names[s.id()] = s.name();
  }

  v1::SlaReport report = reports::BuildSlaReport(
      tickets, region_, service_names, sla_book_, input);
  if (format == "json") return Json(200, ToJson(report));
  Response resp;
  resp.status = 200;
  resp.content_type = "text/csv; charset=utf-8";
  if (view == "equal-service") {
    resp.body = reports::EqualServiceCsv(report);
  } else if (view == "volume") {
    resp.body = reports::VolumeCsv(report);
  } else {
    resp.body = reports::GroupCsv(report);
  }
  resp.headers.emplace_back("Content-Disposition",
                            "attachment; filename=\"sla-" +
                                (view == "groups" ? group_by : view) +
                                ".csv\"");
  return resp;
}

}  // namespace helpdesk::http
