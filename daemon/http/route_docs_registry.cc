// The second half of the route documentation: the tjenestekatalog, the
// staff registry and the vakt rota, paging, the reports, and the admins'
// accounts, tokens and audit.

#include <cstdint>

#include "daemon/http/route_docs.h"
#include "daemon/http/route_docs_parts.h"
#include "daemon/reports/sla_report.h"
#include "proto/helpdesk.pb.h"

namespace helpdesk::http {

using namespace docs;  // NOLINT: the makers are what this file is made of

namespace {

const std::vector<ProblemKind> kVersioned = {ProblemKind::kVersionConflict,
                                             ProblemKind::kVersionRequired};

QueryParam Municipality(std::string_view what) {
  return Text("municipality", what);
}

QueryParam IncludeRetired() {
  return Flag("includeRetired", "false", "include retired services");
}

std::vector<RouteDoc> Catalogue() {
  return {
      {.method = "GET",
       .pattern = "/api/v1/catalogue",
       .operation_id = "getCatalogue",
       .tag = "catalogue",
       .summary = "The tjenestekatalog",
       .description =
           "As a tree (categories holding sub-categories and services, by "
           "name), or with `view=flat` the whole catalogue as PUT takes it "
           "(flat takes no filter). The ETag is the catalogue's version.",
       .query = {Municipality("only what this municipality is offered"),
                 IncludeRetired(),
                 OneOf("view", {"tree", "flat"}, "tree",
                       "tree: categories holding services; flat: the import "
                       "format")},
       .answers = {{.message = Msg<v1::CatalogueTree>(),
                    .description = "view=tree"},
                   {.message = Msg<v1::Catalogue>(),
                    .description = "view=flat"}},
       .headers = {kETag}},
      {.method = "PUT",
       .pattern = "/api/v1/catalogue",
       .operation_id = "importCatalogue",
       .tag = "catalogue",
       .summary = "Import a whole catalogue",
       .description =
           "All or nothing, against the version it was based on (`version` "
           "or If-Match). Every problem of the body is listed in `errors`. "
           "Its body may be as large as max_import_bytes.",
       .request = Msg<v1::Catalogue>(),
       .answers = Json<v1::ImportCatalogueResponse>(
           "the version after, whether anything changed, and what (`diff`)"),
       .headers = {kETag},
       .if_match = true,
       .problems = kVersioned},
      {.method = "GET",
       .pattern = "/api/v1/catalogue/services",
       .operation_id = "searchServices",
       .tag = "catalogue",
       .summary = "Search the services",
       .description =
           "A sentence as typed: Norwegian stemming (bokmål and nynorsk), "
           "stop words and the catalogue's synonyms; best match first.",
       .query = {Text("q", "the words to find (at most 200 bytes)"),
                 Municipality("only services offered to this municipality"),
                 Text("category", "only services of this category id"),
                 IncludeRetired(), Limit(500, "50")},
       .answers = Json<v1::ListServicesResponse>()},
      {.method = "POST",
       .pattern = "/api/v1/catalogue/services",
       .operation_id = "createService",
       .tag = "catalogue",
       .summary = "Add a service",
       .request = Msg<v1::Service>(),
       .status = 201,
       .also_200 = "the same service was there already: nothing changed",
       .answers = Json<v1::Service>(),
       .headers = {kETag, kLocation},
       .problems = {ProblemKind::kAlreadyExists}},
      {.method = "GET",
       .pattern = "/api/v1/catalogue/services/{id}",
       .operation_id = "getService",
       .tag = "catalogue",
       .summary = "One service",
       .answers = Json<v1::Service>(),
       .headers = {kETag}},
      {.method = "PUT",
       .pattern = "/api/v1/catalogue/services/{id}",
       .operation_id = "updateService",
       .tag = "catalogue",
       .summary = "Replace a service",
       .description = "Needs its version (`version` or If-Match).",
       .request = Msg<v1::Service>(),
       .answers = Json<v1::Service>(),
       .headers = {kETag},
       .if_match = true,
       .problems = kVersioned},
      {.method = "POST",
       .pattern = "/api/v1/catalogue/services/{id}/retire",
       .operation_id = "retireService",
       .tag = "catalogue",
       .summary = "Retire a service",
       .description = "Tickets filed under it keep working; it is no longer "
                      "offered for new ones.",
       .request = Msg<v1::RetireServiceRequest>(),
       .answers = Json<v1::Service>(),
       .headers = {kETag},
       .if_match = true,
       .problems = {ProblemKind::kVersionConflict,
                    ProblemKind::kIllegalTransition}},
      {.method = "POST",
       .pattern = "/api/v1/catalogue/services/{id}/reactivate",
       .operation_id = "reactivateService",
       .tag = "catalogue",
       .summary = "Offer a retired service again",
       .request = Msg<v1::RetireServiceRequest>(),
       .answers = Json<v1::Service>(),
       .headers = {kETag},
       .if_match = true,
       .problems = {ProblemKind::kVersionConflict,
                    ProblemKind::kIllegalTransition}},
      {.method = "GET",
       .pattern = "/api/v1/catalogue/categories",
       .operation_id = "listCategories",
       .tag = "catalogue",
       .summary = "The categories",
       .description = "A tree by `parent`; only `version` and `categories` "
                      "of the catalogue are filled.",
       .answers = Json<v1::Catalogue>(),
       .headers = {kETag}},
      {.method = "POST",
       .pattern = "/api/v1/catalogue/categories",
       .operation_id = "createCategory",
       .tag = "catalogue",
       .summary = "Add a category",
       .request = Msg<v1::Category>(),
       .status = 201,
       .also_200 = "the same category was there already: nothing changed",
       .answers = Json<v1::Category>(),
       .headers = {kETag, kLocation},
       .problems = {ProblemKind::kAlreadyExists}},
      {.method = "GET",
       .pattern = "/api/v1/catalogue/categories/{id}",
       .operation_id = "getCategory",
       .tag = "catalogue",
       .summary = "One category",
       .answers = Json<v1::Category>(),
       .headers = {kETag}},
      {.method = "PUT",
       .pattern = "/api/v1/catalogue/categories/{id}",
       .operation_id = "updateCategory",
       .tag = "catalogue",
       .summary = "Replace a category",
       .description = "Needs its version (`version` or If-Match).",
       .request = Msg<v1::Category>(),
       .answers = Json<v1::Category>(),
       .headers = {kETag},
       .if_match = true,
       .problems = kVersioned},
  };
}

std::vector<RouteDoc> Staff() {
  return {
      {.method = "GET",
       .pattern = "/api/v1/staff",
       .operation_id = "listStaff",
       .tag = "staff",
       .summary = "The staff registry",
       .description = "Each person with what they are doing now (`now`).",
       .query = {Municipality("only people who cover this municipality"),
                 Text("skill", "only people with this skill id"),
                 Flag("active", "",
                      "only active (true) or inactive (false) "
                      "people; absent: both")},
       .answers = Json<v1::ListStaffResponse>()},
      {.method = "POST",
       .pattern = "/api/v1/staff",
       .operation_id = "createStaff",
       .tag = "staff",
       .summary = "Add a person",
       .request = Msg<v1::StaffMember>(),
       .status = 201,
       .answers = Json<v1::StaffMember>(),
       .headers = {kETag, kLocation},
       .problems = {ProblemKind::kAlreadyExists,
                    ProblemKind::kIllegalTransition}},
      {.method = "GET",
       .pattern = "/api/v1/staff/{staff}",
       .operation_id = "getStaffMember",
       .tag = "staff",
       .summary = "One person",
       .answers = Json<v1::StaffMember>(),
       .headers = {kETag}},
      {.method = "PUT",
       .pattern = "/api/v1/staff/{staff}",
       .operation_id = "updateStaffMember",
       .tag = "staff",
       .summary = "Replace a person's record",
       .description = "Needs its version (`version` or If-Match).",
       .request = Msg<v1::StaffMember>(),
       .answers = Json<v1::StaffMember>(),
       .headers = {kETag},
       .if_match = true,
       .problems = kVersioned},
      {.method = "GET",
       .pattern = "/api/v1/vakt",
       .operation_id = "getRota",
       .tag = "vakt",
       .summary = "The vakt rota",
       .description = "The shifts that overlap [from, to).",
       .query = {Time("from", "from this instant; absent: all before `to`"),
                 Time("to", "until this instant (after `from`)")},
       .answers = Json<v1::VaktRota>(),
       .headers = {kETag}},
      {.method = "PUT",
       .pattern = "/api/v1/vakt",
       .operation_id = "putRota",
       .tag = "vakt",
       .summary = "Replace the vakt rota",
       .description = "The whole rota, against the version it was based on. "
                      "Its body may be as large as max_import_bytes.",
       .request = Msg<v1::VaktRota>(),
       .answers = Json<v1::VaktRota>(),
       .headers = {kETag},
       .if_match = true,
       .problems = kVersioned},
      {.method = "GET",
       .pattern = "/api/v1/vakt/now",
       .operation_id = "getVaktNow",
       .tag = "vakt",
       .summary = "Who has the vakt",
       .query = {Time("at", "at this instant; absent: now")},
       .answers = Json<v1::VaktNow>(),
       .headers = {{"ETag", "the rota's version"}}},
  };
}

std::vector<RouteDoc> Paging() {
  return {
      {.method = "GET",
       .pattern = "/api/v1/pages",
       .operation_id = "listPages",
       .tag = "paging",
       .summary = "The pages sent",
       .description = "Newest first, with each step's delivery per channel "
                      "and the acknowledgement.",
       .query = {OneOf("status", WireNames(v1::PageState_descriptor()), "",
                       "only pages in this state"),
                 Text("to", "only pages to this staff id"), Limit(200, "50"),
                 Cursor()},
       .answers = Json<v1::ListPagesResponse>()},
      {.method = "POST",
       .pattern = "/api/v1/pages/test",
       .operation_id = "sendTestPage",
       .tag = "paging",
       .summary = "Send a test page",
       .description = "Through every configured channel, to `to` (a staff "
                      "id).",
       .request = Msg<v1::TestPageRequest>(),
       .status = 201,
       .answers = Json<v1::Page>(),
       .headers = {kETag, kLocation}},
      {.method = "GET",
       .pattern = "/api/v1/pages/{page}",
       .operation_id = "getPage",
       .tag = "paging",
       .summary = "One page",
       .answers = Json<v1::Page>(),
       .headers = {kETag}},
      {.method = "POST",
       .pattern = "/api/v1/pages/{page}/ack",
       .operation_id = "acknowledgePage",
       .tag = "paging",
       .summary = "Acknowledge a page",
       .description = "Every step not yet sent is cancelled. The body is not "
                      "read: send `{}`.",
       .ignores_body = true,
       .answers = Json<v1::Page>(),
       .headers = {kETag}},
  };
}

std::vector<RouteDoc> Reports() {
  return {
      {.method = "GET",
       .pattern = "/api/v1/reports/coverage",
       .operation_id = "getCoverageReport",
       .tag = "reports",
       .summary = "Coverage: at least two people in every area",
       .description = "How many qualified people every competence area and "
                      "service has, per municipality for on-site services, "
                      "flagged below two.",
       .query = {Time("at", "at this instant; absent: now")},
       .answers = Json<v1::CoverageReport>()},
      {.method = "GET",
       .pattern = "/api/v1/reports/sla",
       .operation_id = "getSlaReport",
       .tag = "reports",
       .summary = "The SLA report",
       .description =
           "Attainment and business-time medians per group, the "
           "equal-service view, and the volume and cost split; as JSON (all "
           "views) or CSV (the one `view`).",
       .query = {TimeOrDate("from",
                            "tickets created from this instant, or from the "
                            "start of this day in Oslo time (2026-04-01)"),
                 TimeOrDate("to",
                            "tickets created before this instant, or up to "
                            "the end of this day in Oslo time (2026-12-31)"),
                 OneOf("groupBy", Split(reports::kGroupByChoices),
                       "municipality", "what a row is"),
                 OneOf("format", {"json", "csv"}, "json", "the answer's form"),
                 OneOf("view", {"groups", "equal-service", "volume"}, "groups",
                       "the table a CSV answer holds"),
                 Number("fixedShare", 0, 1, "0.4",
                        "the share of the cost split equally"),
                 OneOf("variable", {"volume", "population"}, "volume",
                       "what the rest of the cost is split by"),
                 Number("amount", 0, 1e12, "", "the cost to split, in kroner")},
       .answers = {{.message = Msg<v1::SlaReport>(),
                    .description = "format=json"},
                   {.media_type = "text/csv; charset=utf-8",
                    .description = "format=csv: the table of `view`"}},
       .headers = {{"Content-Disposition",
                    "format=csv: attachment; filename=\"sla-<view>.csv\""}}},
  };
}

std::vector<RouteDoc> Identity() {
  return {
      {.method = "GET",
       .pattern = "/api/v1/accounts",
       .operation_id = "listAccounts",
       .tag = "accounts",
       .summary = "The accounts",
       .answers = Json<v1::ListAccountsResponse>()},
      {.method = "POST",
       .pattern = "/api/v1/accounts",
       .operation_id = "createAccount",
       .tag = "accounts",
       .summary = "Add an account",
       .description = "With a first `password` (write-only, never stored as "
                      "sent nor answered), or without one to set it later.",
       .request = Msg<v1::Account>(),
       .status = 201,
       .answers = Json<v1::Account>(),
       .headers = {kETag, kLocation},
       .key = KeyUse::kRefusedWithPassword,
       .problems = {ProblemKind::kAlreadyExists}},
      {.method = "GET",
       .pattern = "/api/v1/accounts/{account}",
       .operation_id = "getAccount",
       .tag = "accounts",
       .summary = "One account",
       .answers = Json<v1::Account>(),
       .headers = {kETag}},
      {.method = "PUT",
       .pattern = "/api/v1/accounts/{account}",
       .operation_id = "updateAccount",
       .tag = "accounts",
       .summary = "Change an account",
       .description = "Needs its version (`version` or If-Match); a password "
                      "is set with POST .../password.",
       .request = Msg<v1::Account>(),
       .answers = Json<v1::Account>(),
       .headers = {kETag},
       .if_match = true,
       .problems = kVersioned},
      {.method = "POST",
       .pattern = "/api/v1/accounts/{account}/password",
       .operation_id = "setPassword",
       .tag = "accounts",
       .summary = "Set an account's password",
       .request = Msg<v1::SetPasswordRequest>(),
       .answers = Json<v1::Account>(),
       .headers = {kETag},
       .key = KeyUse::kRefused},
      {.method = "GET",
       .pattern = "/api/v1/tokens",
       .operation_id = "listTokens",
       .tag = "tokens",
       .summary = "Sessions and API tokens",
       .query = {Text("account", "only this account's")},
       .answers = Json<v1::ListCredentialsResponse>()},
      {.method = "POST",
       .pattern = "/api/v1/tokens",
       .operation_id = "createToken",
       .tag = "tokens",
       .summary = "Make an API token",
       .description = "The token is answered once and kept nowhere.",
       .request = Msg<v1::CreateTokenRequest>(),
       .status = 201,
       .answers = Json<v1::CreatedToken>(),
       .headers = {kNoStore},
       .key = KeyUse::kRefused},
      {.method = "DELETE",
       .pattern = "/api/v1/tokens/{id}",
       .operation_id = "revokeToken",
       .tag = "tokens",
       .summary = "Revoke a session or token",
       .answers = Json<v1::Credential>("the credential, revoked")},
      {.method = "GET",
       .pattern = "/api/v1/audit",
       .operation_id = "listAudit",
       .tag = "audit",
       .summary = "Who read and changed what",
       .description = "Every read noted before the request is in the answer.",
       .query = {Text("actor", "only this account's"),
                 Text("ticket", "only about this ticket"),
                 Time("from", "from this instant"),
                 Time("to", "before this instant"), Cursor(),
                 Limit(1000, "100")},
       .answers = Json<v1::ListAuditResponse>()},
  };
}

}  // namespace

std::vector<RouteDoc> RegistryRouteDocs() {
  std::vector<RouteDoc> out;
  for (auto part : {Catalogue(), Staff(), Paging(), Reports(), Identity()})
    for (auto& d : part) out.push_back(std::move(d));
  return out;
}

}  // namespace helpdesk::http
