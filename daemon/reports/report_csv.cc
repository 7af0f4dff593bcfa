#include "daemon/reports/report_csv.h"

#include <cstdio>
#include <map>
#include <string_view>
#include <vector>

namespace helpdesk::reports {
namespace {

// A cell of text. One that starts like a formula (= + - @, or a tab or CR
// before one) gets a leading apostrophe, as OWASP advises against CSV
// injection: a spreadsheet shows it as text and runs nothing. Names come
// from clients (a service called "=HYPERLINK(...)").
void Text(std::string& out, std::string_view s) {
  const bool formula =
      !s.empty() &&
      std::string_view("=+-@\t\r").find(s.front()) != std::string_view::npos;
  const std::string_view prefix = formula ? "'" : "";
  if (s.find_first_of(",\"\r\n") == std::string_view::npos) {
    out += prefix;
    out += s;
    return;
  }
  out += '"';
  out += prefix;
  for (char c : s) {
    if (c == '"') out += '"';
    out += c;
  }
  out += '"';
}

class Line {
 public:
  explicit Line(std::string& out) : out_(out) {}
  ~Line() { out_ += "\r\n"; }
  Line(const Line&) = delete;
  Line& operator=(const Line&) = delete;

  Line& operator<<(std::string_view s) {
    Sep();
    Text(out_, s);
    return *this;
  }
  // Numbers are written as they are: a negative one stays a number.
  Line& operator<<(int64_t n) {
    Sep();
    out_ += std::to_string(n);
    return *this;
  }
  Line& Fixed(double x, int decimals) {
    char buf[64];
    std::snprintf(buf, sizeof buf, "%.*f", decimals, x);
    Sep();
    out_ += buf;
    return *this;
  }

 private:
  void Sep() {
    if (!first_) out_ += ',';
    first_ = false;
  }
  std::string& out_;
  bool first_ = true;
};

void Header(Line& line, std::string_view prefix, bool p90) {
  const std::string p(prefix);
  line << p + "_met" << p + "_breached" << p + "_open" << p + "_median_seconds";
  if (p90) line << p + "_p90_seconds";
}

void Attainment(Line& line, const v1::SlaAttainment& a, bool p90) {
  line << int64_t{a.met()} << int64_t{a.breached()} << int64_t{a.open()}
       << a.median_seconds();
  if (p90) line << a.p90_seconds();
}

}  // namespace

std::string GroupCsv(const v1::SlaReport& report) {
  std::string out;
  {
    Line h(out);
    h << report.group_by() << "name"
      << "tickets";
    Header(h, "first_response", true);
    Header(h, "resolution", true);
  }
  for (const auto& row : report.rows()) {
    Line l(out);
    l << row.key() << row.name() << int64_t{row.tickets()};
    Attainment(l, row.first_response(), true);
    Attainment(l, row.resolution(), true);
  }
  return out;
}

std::string EqualServiceCsv(const v1::SlaReport& report) {
  std::string out;
  {
    Line h(out);
    h << "service"
      << "service_name"
      << "municipality"
      << "tickets";
    Header(h, "first_response", false);
    Header(h, "resolution", false);
    h << "first_response_median_spread_seconds"
      << "resolution_median_spread_seconds";
  }
  for (const auto& row : report.equal_service()) {
    for (const auto& cell : row.municipalities()) {
      Line l(out);
      l << row.service_id() << row.service_name() << cell.municipality()
        << int64_t{cell.tickets()};
      Attainment(l, cell.first_response(), false);
      Attainment(l, cell.resolution(), false);
      l << row.first_response_median_spread_seconds()
        << row.resolution_median_spread_seconds();
    }
  }
  return out;
}

std::string VolumeCsv(const v1::SlaReport& report) {
  // One column per service with tickets anywhere, sorted by id.
  std::map<std::string, size_t> columns;
  for (const auto& row : report.volume())
    for (const auto& s : row.services()) columns.emplace(s.service_id(), 0);
  size_t i = 0;
  for (auto& [id, index] : columns) index = i++;
  const bool kroner = report.cost_key().amount() > 0;

  std::string out;
  {
    Line h(out);
    h << "municipality"
      << "name"
      << "tickets"
      << "population";
    for (const auto& [id, index] : columns) h << "service:" + id;
    h << "fixed_percent"
      << "variable_percent"
      << "share_percent";
    if (kroner)
      h << "fixed_kroner"
        << "variable_kroner"
        << "share_kroner";
  }
  for (const auto& row : report.volume()) {
    std::vector<int64_t> counts(columns.size(), 0);
    for (const auto& s : row.services())
      counts[columns.at(s.service_id())] = s.tickets();
    Line l(out);
    l << row.municipality() << row.name() << int64_t{row.tickets()}
      << int64_t{row.population()};
    for (int64_t c : counts) l << c;
    l.Fixed(row.fixed_percent(), 4)
        .Fixed(row.variable_percent(), 4)
        .Fixed(row.share_percent(), 4);
    if (kroner)
      l.Fixed(row.fixed_kroner(), 2)
          .Fixed(row.variable_kroner(), 2)
          .Fixed(row.share_kroner(), 2);
  }
  return out;
}

}  // namespace helpdesk::reports
