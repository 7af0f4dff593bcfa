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
// to `kind`; a second one goes to `sub` and `sub_kind`.
bool Matches(std::string_view pattern, std::string_view path, std::string& id,
             std::string_view& kind, std::string& sub,
             std::string_view& sub_kind) {
  while (!pattern.empty() && !path.empty()) {
    if (pattern.front() != '/' || path.front() != '/') return false;
    pattern.remove_prefix(1);
    path.remove_prefix(1);
    const std::string_view want = pattern.substr(0, pattern.find('/'));
    const std::string_view got = path.substr(0, path.find('/'));
    if (want.starts_with('{') && want.ends_with('}')) {
      if (got.empty()) return false;
      if (kind.empty()) {
        id = std::string(got);
        kind = want.substr(1, want.size() - 2);
      } else {
        sub = std::string(got);
        sub_kind = want.substr(1, want.size() - 2);
      }
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
  constexpr Access L = Access::kReport;     // long: on the report pool
  constexpr Access H = Access::kSlowWrite;  // hashes a password first
  // Who may call: the roles of which the caller needs one.
  constexpr auth::Roles Public = auth::kPublic;
  constexpr auth::Roles Anyone = auth::kAnyAccount;
  constexpr auth::Roles Admin = auth::kAdmin;
  constexpr auth::Roles Staff = auth::kAgent | auth::kDispatcher;
  // Employees: the tickets they reported or follow (auth/policy.h).
  constexpr auth::Roles Tickets = auth::kEmployee | Staff;
  constexpr auth::Roles Dispatcher = auth::kDispatcher;
  // Aggregates without personal text.
  constexpr auth::Roles Figures = Staff | Admin | auth::kDashboard;
  constexpr auth::Roles Registry = Staff | Admin;  // names and phones
  constexpr auth::Roles Metrics = Admin | auth::kDashboard;
  // clang-format off
  static const std::array kRoutes = {
    Route{"GET",    "/healthz",                                   &Api::Health,             R, Public},
    Route{"GET",    "/readyz",                                    &Api::Ready,              R, Public},
    Route{"GET",    "/metrics",                                   &Api::RenderMetrics,      R, Metrics},
    Route{"POST",   "/api/v1/session",                            &Api::Login,              H, Public},
    Route{"GET",    "/api/v1/session",                            &Api::WhoAmI,             R, Anyone},
    Route{"DELETE", "/api/v1/session",                            &Api::Logout,             W, Anyone},
    Route{"GET",    "/api/v1/tickets",                            &Api::ListTickets,        R, Tickets},
    Route{"POST",   "/api/v1/tickets",                            &Api::CreateTicket,       W, Tickets},
    Route{"GET",    "/api/v1/tickets/{ticket}",                   &Api::GetTicket,          R, Tickets},
    Route{"POST",   "/api/v1/tickets/{ticket}/status",            &Api::ChangeStatus,       W, Tickets},
    Route{"POST",   "/api/v1/tickets/{ticket}/assign",            &Api::AssignTicket,       W, Dispatcher},
    Route{"POST",   "/api/v1/tickets/{ticket}/take",              &Api::TakeTicket,         W, Staff},
    Route{"POST",   "/api/v1/tickets/{ticket}/priority",          &Api::ChangePriority,     W, Staff},
    Route{"GET",    "/api/v1/tickets/{ticket}/comments",          &Api::ListComments,       R, Tickets},
    Route{"POST",   "/api/v1/tickets/{ticket}/comments",          &Api::AddComment,         W, Tickets},
    Route{"GET",    "/api/v1/tickets/{ticket}/events",            &Api::ListEvents,         R, Tickets},
    Route{"POST",   "/api/v1/tickets/{ticket}/followers",         &Api::AddFollower,        W, Tickets},
    Route{"DELETE", "/api/v1/tickets/{ticket}/followers/{account}", &Api::RemoveFollower,   W, Tickets},
    Route{"GET",    "/api/v1/events",                             &Api::ListEvents,         R, Staff},
    Route{"GET",    "/api/v1/municipalities",                     &Api::ListMunicipalities, R, Anyone},
    Route{"GET",    "/api/v1/catalogue",                          &Api::GetCatalogue,       L, Anyone},
    Route{"PUT",    "/api/v1/catalogue",                          &Api::ImportCatalogue,    B, Admin},
    Route{"GET",    "/api/v1/catalogue/services",                 &Api::SearchServices,     R, Anyone},
    Route{"POST",   "/api/v1/catalogue/services",                 &Api::CreateService,      W, Admin},
    Route{"GET",    "/api/v1/catalogue/services/{id}",            &Api::GetService,         R, Anyone},
    Route{"PUT",    "/api/v1/catalogue/services/{id}",            &Api::UpdateService,      W, Admin},
    Route{"POST",   "/api/v1/catalogue/services/{id}/retire",     &Api::RetireService,      W, Admin},
    Route{"POST",   "/api/v1/catalogue/services/{id}/reactivate", &Api::ReactivateService,  W, Admin},
    Route{"GET",    "/api/v1/catalogue/categories",               &Api::ListCategories,     R, Anyone},
    Route{"POST",   "/api/v1/catalogue/categories",               &Api::CreateCategory,     W, Admin},
    Route{"GET",    "/api/v1/catalogue/categories/{id}",          &Api::GetCategory,        R, Anyone},
    Route{"PUT",    "/api/v1/catalogue/categories/{id}",          &Api::UpdateCategory,     W, Admin},
    Route{"GET",    "/api/v1/staff",                              &Api::ListStaff,          R, Registry},
    Route{"POST",   "/api/v1/staff",                              &Api::CreateStaff,        W, Admin},
    Route{"GET",    "/api/v1/staff/{staff}",                      &Api::GetStaffMember,     R, Registry},
    Route{"PUT",    "/api/v1/staff/{staff}",                      &Api::UpdateStaff,        W, Admin},
    Route{"GET",    "/api/v1/vakt",                               &Api::GetRota,            R, Registry},
    Route{"PUT",    "/api/v1/vakt",                               &Api::PutRota,            B, Admin},
    Route{"GET",    "/api/v1/vakt/now",                           &Api::VaktNow,            R, Registry},
    Route{"GET",    "/api/v1/pages",                              &Api::ListPaging,         R, Registry},
    Route{"POST",   "/api/v1/pages/test",                         &Api::TestPaging,         W, Admin},
    Route{"GET",    "/api/v1/pages/{page}",                       &Api::GetPaging,          R, Registry},
    Route{"POST",   "/api/v1/pages/{page}/ack",                   &Api::AckPaging,          W, Staff},
    Route{"GET",    "/api/v1/reports/coverage",                   &Api::CoverageReport,     L, Figures},
    Route{"GET",    "/api/v1/reports/sla",                        &Api::SlaReport,          L, Figures},
    Route{"GET",    "/api/v1/accounts",                           &Api::ListAccounts,       R, Admin},
    Route{"POST",   "/api/v1/accounts",                           &Api::CreateAccount,      H, Admin},
    Route{"GET",    "/api/v1/accounts/{account}",                 &Api::GetAccount,         R, Admin},
    Route{"PUT",    "/api/v1/accounts/{account}",                 &Api::UpdateAccount,      W, Admin},
    Route{"POST",   "/api/v1/accounts/{account}/password",        &Api::SetPassword,        H, Admin},
    Route{"GET",    "/api/v1/tokens",                             &Api::ListTokens,         R, Admin},
    Route{"POST",   "/api/v1/tokens",                             &Api::CreateToken,        W, Admin},
    Route{"DELETE", "/api/v1/tokens/{id}",                        &Api::RevokeToken,        W, Admin},
    Route{"GET",    "/api/v1/audit",                              &Api::ListAudit,          L, Admin},
    Route{"GET",    "/api/v1/stream",                             &Api::Stream,             R, Anyone},
    Route{"GET",    "/api/v1/dashboard",                          &Api::Dashboard,          L, Figures},
    Route{"GET",    "/api/v1/openapi.json",                       &Api::OpenApi,            R, Public},
    Route{"GET",    "/dashboard",                                 &Api::Page,               R, Public},
    Route{"GET",    "/dashboard/{asset}",                         &Api::Page,               R, Public},
    Route{"GET",    "/",                                          &Api::Page,               R, Public},
    Route{"GET",    "/agent",                                     &Api::Page,               R, Public},
    Route{"GET",    "/assets/{asset}",                            &Api::Page,               R, Public},
  };
  // clang-format on
  return kRoutes;
}

RouteMatch FindRoute(std::string_view method, std::string_view path) {
  RouteMatch m;
  const std::string_view as = method == "HEAD" ? "GET" : method;
  for (const Route& r : Routes()) {
    if (!m.pattern.empty() && r.pattern != m.pattern) continue;
    std::string id, sub;
    std::string_view kind, sub_kind;
    if (m.pattern.empty() && !Matches(r.pattern, path, id, kind, sub, sub_kind))
      continue;
    if (m.pattern.empty()) {
      m.pattern = r.pattern;
      m.id = std::move(id);
      m.id_kind = kind;
      m.sub_id = std::move(sub);
      m.sub_kind = sub_kind;
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
