#include "tools/helpdeskctl/coverage_command.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cstdio>
#include <string_view>

#include "proto/json.h"
#include "tools/helpdeskctl/catalogue_commands.h"
#include "tools/helpdeskctl/http_client.h"
#include "tools/helpdeskctl/text_output.h"

namespace helpdesk::ctl {
namespace {

using google::protobuf::util::TimeUtil;

constexpr std::string_view kCoverage = "/api/v1/reports/coverage";
// Longer labels push their own line's numbers right; the rest stay aligned.
constexpr size_t kMaxLabelWidth = 60;

std::string Label(const v1::CoverageRow& row) {
  return row.name().empty() ? row.id() : row.name() + " (" + row.id() + ")";
}

std::string Marker(const v1::CoverageCell& cell) {
  if (cell.flagged() && cell.flagged_now()) return "GAP, thin now";
  if (cell.flagged()) return "GAP";
  if (cell.flagged_now()) return "thin now";
  return "";
}

std::string Line(const std::string& label, size_t width,
                 const v1::CoverageCell& cell) {
  std::string out = Pad(label, width);
  char numbers[64];
  std::snprintf(numbers, sizeof numbers, " %9u %12u %5u",
                static_cast<unsigned>(cell.qualified()),
                static_cast<unsigned>(cell.office_hours()),
                static_cast<unsigned>(cell.now()));
  out += numbers;
  const std::string marker = Marker(cell);
  if (!marker.empty()) out += "  " + marker;
  return out + "\n";
}

std::string Heading(const std::string& title, size_t width) {
  return Pad(title, width) + " qualified office hours   now\n";
}

void Table(std::string& out, const char* title,
           const google::protobuf::RepeatedPtrField<v1::CoverageRow>& rows,
           size_t width) {
  out += "\n" + Heading(title, width);
  if (rows.empty()) out += "  (none)\n";
  for (const auto& row : rows) {
    out += Line("  " + Label(row), width, row.region());
    for (const auto& m : row.municipalities())
      out += Line("    " + m.municipality(), width, m.cell());
  }
}

void List(std::string& out, const char* title,
          const google::protobuf::RepeatedPtrField<std::string>& items) {
  out += title;
  if (items.empty()) {
    out += " none\n";
    return;
  }
  out += "\n";
  for (const auto& item : items) out += "  " + item + "\n";
}

}  // namespace

std::string FormatCoverage(const v1::CoverageReport& report, bool gaps_only) {
  std::string out = "Coverage at " + TimeUtil::ToString(report.at()) +
                    " (minimum " + std::to_string(report.required()) +
                    " per cell)\n";
  if (!gaps_only) {
    size_t width = Width("Competence areas");
    for (const auto* rows : {&report.skills(), &report.services()}) {
      for (const auto& row : *rows) {
        width = std::max(width, 2 + Width(Label(row)));
        for (const auto& m : row.municipalities())
          width = std::max(width, 4 + Width(m.municipality()));
      }
    }
    width = std::min(width, kMaxLabelWidth);
    Table(out, "Competence areas", report.skills(), width);
    Table(out, "Services", report.services(), width);
    out += "(GAP: fewer than " + std::to_string(report.required()) +
           " in office hours, a standing gap; thin now: fewer than " +
           std::to_string(report.required()) +
           " at work or on vakt right now)\n";
  }
  out += "\n";
  List(out, "Standing gaps:", report.gaps());
  List(out, "Thin on site (the travel fallback sends someone):",
       report.thin_on_site());
  List(out, "Thin right now:", report.gaps_now());
  return out;
}

int CoverageCommand(const CoverageOptions& options) {
  std::string target(kCoverage);
  if (!options.at.empty()) {
    // Checked here so that a typo gets a plain answer without a round trip;
    // sent in UTC, which needs no escaping in a query.
    google::protobuf::Timestamp at;
    if (!TimeUtil::FromString(options.at, &at)) {
      Err("--at must be an RFC 3339 time such as 2026-04-15T10:00:00+02:00 "
          "or 2026-04-15T08:00:00Z; got '" +
          options.at + "'");
      return kExitError;
    }
    target += "?at=" + TimeUtil::ToString(at);
  }
  auto url = ParseUrl(options.url);
  if (!url.ok()) {
    Err(url.status().message());
    return kExitError;
  }
  auto reply =
      Exchange(*url, "GET", target, "",
               {{"Accept", "application/json"}, {"X-Request-Id", RequestId()}},
               options.timeout);
  if (!reply.ok()) {
    Err(reply.status().message());
    return kExitError;
  }
  if (reply->status != 200) {
    Err("GET " + target + ": " + Problem(*reply));
    return kExitError;
  }
  // Unknown fields are skipped: a newer daemon may say more than this
  // build knows, and the rest of the report still holds.
  v1::CoverageReport report;
  if (!proto::ParseJson(reply->body, report, {.ignore_unknown_fields = true})
           .ok()) {
    Err("GET " + target +
        ": not a coverage report: " + reply->body.substr(0, 500));
    return kExitError;
  }

  std::string out;
  if (options.format == "json") {
    if (options.gaps_only) {
      report.clear_skills();
      report.clear_services();
      out = proto::ToJson(report);
    } else {
      out = reply->body;
    }
    if (out.empty() || out.back() != '\n') out += '\n';
  } else {
    out = FormatCoverage(report, options.gaps_only);
  }
  if (std::fputs(out.c_str(), stdout) < 0 || std::fflush(stdout) != 0) {
    Err("cannot write the report to standard output");
    return kExitError;
  }
  return report.gaps().empty() ? kExitOk : kExitProblems;
}

}  // namespace helpdesk::ctl
