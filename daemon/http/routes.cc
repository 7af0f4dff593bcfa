#include "daemon/http/routes.h"

#include <algorithm>
#include <array>
#include <map>
#include <vector>

#include "daemon/http/api.h"

namespace helpdesk::http {
namespace {

// Whether `path` fits `pattern`, segment by segment; a placeholder
// ("{ticket}") takes one non-empty segment, which goes to `id`, and its name
// to `kind`.
bool Matches(std::string_view pattern, std::string_view path, std::string& id,
             std::string_view& kind) {
  while (!pattern.empty() && !path.empty()) {
    if (pattern.front() != '/' || path.front() != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const std::string_view want = pattern.substr(0, pattern.find('/'));
    const std::string_view got = path.substr(0, path.find('/'));
    if (want.starts_with('{') && want.ends_with('}')) {
      if (got.empty()) return false;
      id = std::string(got);
      kind = want.substr(1, want.size() - 2);
    } else if (want != got) {
      return false;
    }
    pattern.remove_prefix(want.size());
    path.remove_prefix(got.size());
  }
  return pattern.empty() && path.empty();
}

}  // namespace

std::string_view MetricLabel(std::string_view pattern) {
  // Built once from the table: every placeholder reads "{id}", so the
  // series keep their names whatever the placeholder says of its id.
  static const std::map<std::string_view, std::string> kLabels = [] {
    std::map<std::string_view, std::string> labels;
    for (const Route& r : Routes()) {
      std::string label(r.pattern);
      for (size_t at = label.find('{'); at != std::string::npos;
           at = label.find('{', at + 1))
        label.replace(at, label.find('}', at) - at + 1, "{id}");
      labels.emplace(r.pattern, std::move(label));
    }
    return labels;
  }();
  auto it = kLabels.find(pattern);
  return it == kLabels.end() ? std::string_view()
                             : std::string_view(it->second);
}

// Inside a friend of Api: the handlers are Api's private members.
std::span<const Route> Routes() {
  constexpr Access R = Access::kRead;
  constexpr Access W = Access::kWrite;
  constexpr Access B = Access::kBulkWrite;
  constexpr Access L = Access::kReport;  // long: on the report pool
  // clang-format off
  static const std::array kRoutes = {
    Route{"GET",  "/healthz",                                   &Api::Health,             R},
    Route{"GET",  "/readyz",                                    &Api::Ready,              R},
    Route{"GET",  "/metrics",                                   &Api::RenderMetrics,      R},
    Route{"GET",  "/api/v1/tickets",                            &Api::ListTickets,        R},
    Route{"POST", "/api/v1/tickets",                            &Api::CreateTicket,       W},
    Route{"GET",  "/api/v1/tickets/{ticket}",                   &Api::GetTicket,          R},
    Route{"POST", "/api/v1/tickets/{ticket}/status",            &Api::ChangeStatus,       W},
    Route{"POST", "/api/v1/tickets/{ticket}/assign",            &Api::AssignTicket,       W},
    Route{"POST", "/api/v1/tickets/{ticket}/take",              &Api::TakeTicket,         W},
    Route{"POST", "/api/v1/tickets/{ticket}/priority",          &Api::ChangePriority,     W},
    Route{"GET",  "/api/v1/tickets/{ticket}/comments",          &Api::ListComments,       R},
    Route{"POST", "/api/v1/tickets/{ticket}/comments",          &Api::AddComment,         W},
    Route{"GET",  "/api/v1/tickets/{ticket}/events",            &Api::ListEvents,         R},
    Route{"GET",  "/api/v1/events",                             &Api::ListEvents,         R},
    Route{"GET",  "/api/v1/municipalities",                     &Api::ListMunicipalities, R},
    Route{"GET",  "/api/v1/catalogue",                          &Api::GetCatalogue,       L},
    Route{"PUT",  "/api/v1/catalogue",                          &Api::ImportCatalogue,    B},
    Route{"GET",  "/api/v1/catalogue/services",                 &Api::SearchServices,     R},
    Route{"POST", "/api/v1/catalogue/services",                 &Api::CreateService,      W},
    Route{"GET",  "/api/v1/catalogue/services/{id}",            &Api::GetService,         R},
    Route{"PUT",  "/api/v1/catalogue/services/{id}",            &Api::UpdateService,      W},
    Route{"POST", "/api/v1/catalogue/services/{id}/retire",     &Api::RetireService,      W},
    Route{"POST", "/api/v1/catalogue/services/{id}/reactivate", &Api::ReactivateService,  W},
    Route{"GET",  "/api/v1/catalogue/categories",               &Api::ListCategories,     R},
    Route{"POST", "/api/v1/catalogue/categories",               &Api::CreateCategory,     W},
    Route{"GET",  "/api/v1/catalogue/categories/{id}",          &Api::GetCategory,        R},
    Route{"PUT",  "/api/v1/catalogue/categories/{id}",          &Api::UpdateCategory,     W},
    Route{"GET",  "/api/v1/staff",                              &Api::ListStaff,          R},
    Route{"POST", "/api/v1/staff",                              &Api::CreateStaff,        W},
    Route{"GET",  "/api/v1/staff/{staff}",                      &Api::GetStaffMember,     R},
    Route{"PUT",  "/api/v1/staff/{staff}",                      &Api::UpdateStaff,        W},
    Route{"GET",  "/api/v1/vakt",                               &Api::GetRota,            R},
    Route{"PUT",  "/api/v1/vakt",                               &Api::PutRota,            B},
    Route{"GET",  "/api/v1/vakt/now",                           &Api::VaktNow,            R},
    Route{"GET",  "/api/v1/reports/coverage",                   &Api::CoverageReport,     L},
    Route{"GET",  "/api/v1/reports/sla",                        &Api::SlaReport,          L},
  };
  // clang-format on
  return kRoutes;
}

RouteMatch FindRoute(std::string_view method, std::string_view path) {
  RouteMatch m;
  const std::string_view as = method == "HEAD" ? "GET" : method;
  for (const Route& r : Routes()) {
    if (!m.pattern.empty() && r.pattern != m.pattern) continue;
    std::string id;
    std::string_view kind;
    if (m.pattern.empty() && !Matches(r.pattern, path, id, kind)) continue;
    if (m.pattern.empty()) {
      m.pattern = r.pattern;
      m.id = std::move(id);
      m.id_kind = kind;
    }
    if (!m.allow.empty()) m.allow += ", ";
    m.allow += r.method == "GET" ? "GET, HEAD" : r.method;
    if (r.method == as && m.route == nullptr) m.route = &r;
  }
  if (m.route != nullptr) m.allow.clear();
  return m;
}

std::string RouteIndex() {
  constexpr std::string_view kApi = "/api/v1/";
  std::vector<std::string_view> api, other;
  for (const Route& r : Routes()) {
    std::string_view p = r.pattern;
    auto& into = p.starts_with(kApi) ? api : other;
    if (p.starts_with(kApi)) {
      p.remove_prefix(kApi.size());
      p = p.substr(0, p.find('/'));
    }
    if (std::find(into.begin(), into.end(), p) == into.end()) into.push_back(p);
  }
  std::string out = "the API is under /api/v1/ (";
  for (size_t i = 0; i < api.size(); ++i)
    out += (i ? ", " : "") + std::string(api[i]);
  out += "), plus ";
  for (size_t i = 0; i < other.size(); ++i)
    out += (i ? " and " : "") + std::string(other[i]);
  return out;
}

}  // namespace helpdesk::http
