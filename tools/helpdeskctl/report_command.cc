#include "tools/helpdeskctl/report_command.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <charconv>
#include <cstdio>
#include <string_view>

#include "proto/json.h"
#include "tools/helpdeskctl/catalogue_commands.h"
#include "tools/helpdeskctl/file_io.h"
#include "tools/helpdeskctl/http_client.h"
#include "tools/helpdeskctl/text_output.h"

namespace helpdesk::ctl {
namespace {

using google::protobuf::util::TimeUtil;

constexpr std::string_view kSlaReport = "/api/v1/reports/sla";
// Longer labels push their own line's numbers right; the rest stay aligned.
constexpr size_t kMaxLabelWidth = 40;

// Shortest text that reads back as `x`, what the daemon's from_chars takes;
// fixed, because the '+' of "1e+06" would arrive as a space in a query.
std::string Number(double x) {
  char buf[400];
  auto [end, ec] =
      std::to_chars(buf, buf + sizeof buf, x, std::chars_format::fixed);
  return ec == std::errc() ? std::string(buf, end) : "nan";
}

std::string Label(const std::string& key, const std::string& name) {
  return name.empty() ? key : name;
}

// A whole clock block: met, breached, open, median; 33 characters.
std::string Clock(const v1::SlaAttainment& a) {
  char buf[96];
  std::snprintf(
      buf, sizeof buf, " %5u %8u %5u %11s", static_cast<unsigned>(a.met()),
      static_cast<unsigned>(a.breached()), static_cast<unsigned>(a.open()),
      FormatBusinessTime(a.median_seconds(), a.stopped()).c_str());
  return buf;
}

std::string Count(uint32_t n) {
  char buf[32];
  std::snprintf(buf, sizeof buf, " %7u", static_cast<unsigned>(n));
  return buf;
}

// The two heading lines over label, tickets and the two clock blocks.
std::string ClockHeading(const std::string& title, size_t width) {
  return std::string(width + 8, ' ') + " " + Pad("first response", 33) +
         "resolution\n" + Pad(title, width) +
         " tickets   met breached  open      median" +
         "   met breached  open      median\n";
}

std::string Line(const std::string& label, size_t width, uint32_t tickets,
                 const v1::SlaAttainment& first, const v1::SlaAttainment& res) {
  return Pad(label, width) + Count(tickets) + Clock(first) + Clock(res) + "\n";
}

void Groups(std::string& out, const v1::SlaReport& report) {
  const std::string title =
      report.group_by().empty() ? "group" : report.group_by();
  size_t width = std::max(Width(title), Width("Total"));
  for (const auto& row : report.rows())
    width = std::max(width, Width(Label(row.key(), row.name())));
  width = std::min(width, kMaxLabelWidth) + 1;
  out += ClockHeading(title, width);
  for (const auto& row : report.rows())
    out += Line(Label(row.key(), row.name()), width, row.tickets(),
                row.first_response(), row.resolution());
  const auto& t = report.total();
  out += Line("Total", width, t.tickets(), t.first_response(), t.resolution());
}

void EqualService(std::string& out, const v1::SlaReport& report) {
  if (report.equal_service().empty()) {
    out += "(no tickets in the range)\n";
    return;
  }
  size_t width = Width("municipality") + 2;
  for (const auto& row : report.equal_service())
    for (const auto& cell : row.municipalities())
      width = std::max(width, 2 + Width(cell.municipality()));
  width = std::min(width, kMaxLabelWidth) + 1;
  out += ClockHeading("  municipality", width);
  for (const auto& row : report.equal_service()) {
    out += "\n" + Label(row.service_id(), row.service_name());
    if (!row.service_name().empty()) out += " (" + row.service_id() + ")";
    // A spread needs two medians; the daemon says 0 for fewer.
    uint32_t first_medians = 0, resolution_medians = 0;
    for (const auto& cell : row.municipalities()) {
      first_medians += cell.first_response().stopped() > 0;
      resolution_medians += cell.resolution().stopped() > 0;
    }
    out += "  median spread: first response " +
           FormatBusinessTime(row.first_response_median_spread_seconds(),
                              first_medians / 2) +
           ", resolution " +
           FormatBusinessTime(row.resolution_median_spread_seconds(),
                              resolution_medians / 2) +
           "\n";
    for (const auto& cell : row.municipalities())
      out += Line("  " + cell.municipality(), width, cell.tickets(),
                  cell.first_response(), cell.resolution());
  }
}

void Volume(std::string& out, const v1::SlaReport& report) {
  const auto& key = report.cost_key();
  const bool kroner = key.amount() > 0;
  char buf[160];
  std::snprintf(buf, sizeof buf,
                "Cost key: %.0f %% split equally, the rest by %s",
                100 * key.fixed_share(),
                key.variable().empty() ? "volume" : key.variable().c_str());
  out += buf;
  if (kroner) {
    std::snprintf(buf, sizeof buf, "; %.2f kroner", key.amount());
    out += buf;
  }
  out += "\n\n";
  size_t width = Width("municipality");
  for (const auto& row : report.volume())
    width = std::max(width, Width(Label(row.municipality(), row.name())));
  width = std::min(width, kMaxLabelWidth) + 1;
  out += Pad("municipality", width) + " tickets population   share %" +
         (kroner ? "          kroner" : "") + "\n";
  uint32_t tickets = 0;
  double percent = 0, sum_kroner = 0;
  auto line = [&](const std::string& label, uint32_t n, const char* people,
                  double share, double kr) {
    std::snprintf(buf, sizeof buf, " %7u %10s %9.2f", static_cast<unsigned>(n),
                  people, share);
    out += Pad(label, width) + buf;
    if (kroner) {
      std::snprintf(buf, sizeof buf, " %15.2f", kr);
      out += buf;
    }
    out += "\n";
  };
  for (const auto& row : report.volume()) {
    const std::string people = std::to_string(row.population());
    line(Label(row.municipality(), row.name()), row.tickets(), people.c_str(),
         row.share_percent(), row.share_kroner());
    tickets += row.tickets();
    percent += row.share_percent();
    sum_kroner += row.share_kroner();
  }
  line("Total", tickets, "", percent, sum_kroner);
}

Status WriteOut(const std::string& output, const std::string& text) {
  if (!output.empty()) return WriteWholeFile(output, text);
  if (std::fputs(text.c_str(), stdout) < 0 || std::fflush(stdout) != 0)
    return Status::InvalidParameter(
        "output", "cannot write the report to standard output");
  return Status::Ok();
}

}  // namespace

std::string FormatBusinessTime(int64_t seconds, uint32_t stopped) {
  if (stopped == 0) return "-";
  const int64_t minutes = (std::max<int64_t>(seconds, 0) + 30) / 60;
  char buf[64];
  if (minutes < 60) {
    std::snprintf(buf, sizeof buf, "%lld min", static_cast<long long>(minutes));
  } else {
    std::snprintf(buf, sizeof buf, "%lld h %02lld min",
                  static_cast<long long>(minutes / 60),
                  static_cast<long long>(minutes % 60));
  }
  return buf;
}

std::string FormatSlaReport(const v1::SlaReport& report,
                            const std::string& view) {
  std::string out =
      "SLA report for tickets created " + TimeUtil::ToString(report.from()) +
      " to " + TimeUtil::ToString(report.to()) + ", grouped by " +
      report.group_by() + ", " + std::to_string(report.tickets()) +
      " tickets (open clocks at " + TimeUtil::ToString(report.at()) + ")\n";
  if (view == "equal-service") {
    out += "Equal service: each service's municipalities side by side\n";
    EqualService(out, report);
  } else if (view == "volume") {
    out += "Volume and cost split per municipality\n";
    Volume(out, report);
  } else {
    out += "\n";
    Groups(out, report);
    out += "(median: business time of the stopped clocks)\n";
  }
  return out;
}

int ReportCommand(const ReportOptions& options) {
  // Times are checked here so that a typo gets a plain answer without a
  // round trip; sent in UTC, which needs no escaping in a query.
  std::string query = "groupBy=" + options.group_by;
  for (const auto& [name, text] :
       {std::pair{"from", &options.from}, std::pair{"to", &options.to}}) {
    if (text->empty()) continue;
    google::protobuf::Timestamp at;
    if (!TimeUtil::FromString(*text, &at)) {
      Err(std::string("--") + name +
          " must be an RFC 3339 time such as 2026-04-01T00:00:00+02:00 or "
          "2026-04-01T00:00:00Z; got '" +
          *text + "'");
      return kExitError;
    }
    query += std::string("&") + name + "=" + TimeUtil::ToString(at);
  }
  query += options.format == "csv" ? "&format=csv&view=" + options.view
                                   : std::string("&format=json");
  if (options.fixed_share)
    query += "&fixedShare=" + Number(*options.fixed_share);
  if (!options.variable.empty()) query += "&variable=" + options.variable;
  if (options.amount) query += "&amount=" + Number(*options.amount);
  const std::string target = std::string(kSlaReport) + "?" + query;

  auto url = ParseUrl(options.url);
  if (!url.ok()) {
    Err(url.status().message());
    return kExitError;
  }
  const std::string accept =
      options.format == "csv" ? "text/csv" : "application/json";
  auto reply = Exchange(*url, "GET", target, "",
                        {{"Accept", accept}, {"X-Request-Id", RequestId()}},
                        options.timeout);
  if (!reply.ok()) {
    Err(reply.status().message());
    return kExitError;
  }
  if (reply->status != 200) {
    Err("GET " + target + ": " + Problem(*reply));
    return kExitError;
  }

  std::string out;
  if (options.format == "text") {
    // Unknown fields are skipped: a newer daemon may say more than this
    // build knows, and the rest of the report still holds.
    v1::SlaReport report;
    if (!proto::ParseJson(reply->body, report, {.ignore_unknown_fields = true})
             .ok()) {
      Err("GET " + target +
          ": not an SLA report: " + reply->body.substr(0, 500));
      return kExitError;
    }
    out = FormatSlaReport(report, options.view);
  } else {
    out = reply->body;
    if (options.format == "json" && (out.empty() || out.back() != '\n'))
      out += '\n';
  }
  if (Status s = WriteOut(options.output, out); !s.ok()) {
    Err(s.message());
    return kExitError;
  }
  return kExitOk;
}

}  // namespace helpdesk::ctl
