// The reports: coverage (at least two operators in every area) and the SLA
// report with its equal-service and volume views, as JSON or CSV.

#include <charconv>
#include <cmath>
#include <cstdio>

#include "daemon/desk/desk.h"
#include "daemon/http/api.h"
#include "daemon/http/query.h"
#include "daemon/http/responses.h"
#include "daemon/reports/report_csv.h"
#include "daemon/reports/sla_report.h"
#include "proto/json.h"

namespace helpdesk::http {
namespace {

using std::chrono::sys_seconds;

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

void Api::CoverageReport(const Call& c, Respond respond) {
  auto at = OptionalTimeParam(c.target, "at");
  if (!at.ok()) return respond(Fail(c, at.status()));
  auto report = desk_.Coverage(*at);
  if (!report.ok()) return respond(Fail(c, report.status()));
  respond(Json(200, *report));
}

void Api::SlaReport(const Call& c, Respond respond) {
  const Target& t = c.target;
  auto bad = [&](const Status& s) { respond(Fail(c, s)); };
  desk::SlaReportQuery query;
  // A date is a whole day in Oslo time: `to=2026-12-31` takes it all.
  const auto bound =
      [&](const char* name,
          bool end) -> StatusOr<std::optional<std::chrono::sys_seconds>> {
    auto it = t.params.find(name);
    if (it == t.params.end()) return std::optional<std::chrono::sys_seconds>();
    const auto refused = [&] {
      return Status::InvalidParameter(
          name, std::string("'") + name +
                    "' must be a date such as 2026-04-01 (a whole day in "
                    "Oslo time) or an RFC 3339 time such as "
                    "2026-04-01T12:00:00Z; got '" +
                    it->second + "'");
    };
    if (it->second.size() == 10 && it->second[4] == '-') {
      if (auto day = reports::DateBound(it->second, end)) return day;
      return refused();
    }
    auto time = OptionalTimeParam(t, name);
    if (!time.ok()) return refused();
    return time;
  };
  auto to = bound("to", true);
  if (!to.ok()) return bad(to.status());
  query.to = *to;
  auto from = bound("from", false);
  if (!from.ok()) return bad(from.status());
  query.from = *from;
  const std::string group_by = Param(t, "groupBy", "municipality");
  auto by = reports::ParseGroupBy(group_by);
  if (!by) return bad(Choice("groupBy", group_by, reports::kGroupByChoices));
  query.group_by = *by;
  const std::string format = Param(t, "format", "json");
  if (format != "json" && format != "csv")
    return bad(Choice("format", format, "json, csv"));
  const std::string view = Param(t, "view", "groups");
  if (view != "groups" && view != "equal-service" && view != "volume")
    return bad(Choice("view", view, "groups, equal-service, volume"));
  const std::string variable = Param(t, "variable", "volume");
  auto var = reports::ParseVariable(variable);
  if (!var) return bad(Choice("variable", variable, "volume, population"));
  query.cost.variable = *var;
  auto fixed = DoubleParam(t, "fixedShare", 0, 1);
  if (!fixed.ok()) return bad(fixed.status());
  query.cost.fixed_share = fixed->value_or(0.4);
  auto amount = DoubleParam(t, "amount", 0, 1e12);
  if (!amount.ok()) return bad(amount.status());
  query.cost.amount = *amount;

  auto report = desk_.SlaReport(query);
  if (!report.ok()) return bad(report.status());
  if (format == "json") return respond(Json(200, *report));
  Response resp;
  resp.status = 200;
  resp.content_type = "text/csv; charset=utf-8";
  if (view == "equal-service") {
    resp.body = reports::EqualServiceCsv(*report);
  } else if (view == "volume") {
    resp.body = reports::VolumeCsv(*report);
  } else {
    resp.body = reports::GroupCsv(*report);
  }
  resp.headers.emplace_back("Content-Disposition",
                            "attachment; filename=\"sla-" +
                                (view == "groups" ? group_by : view) +
                                ".csv\"");
  respond(std::move(resp));
}

}  // namespace helpdesk::http
