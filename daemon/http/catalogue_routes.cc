// The tjenestekatalog routes: browsing and search, and admin changes,
// which the desk decides against the catalogue as it stands inside the
// writer's transaction.

#include "catalogue/catalogue.h"
#include "daemon/desk/desk.h"
#include "daemon/http/api.h"
#include "daemon/http/query.h"
#include "daemon/http/responses.h"
#include "proto/json.h"

namespace helpdesk::http {
namespace {

constexpr std::string_view kServices = "/api/v1/catalogue/services";
constexpr std::string_view kCategories = "/api/v1/catalogue/categories";

// Renders a change of one entry: the entry as it is after the change
// (`find` picks it out of the catalogue), 201 with its Location when
// `created`; a change that changed nothing is 200 with what is there.
template <typename Find>
std::function<void(StatusOr<catalogue::EditResult>)> EntryAnswer(
    const Call& c, Respond respond, std::string id, bool created,
    std::string_view collection, Find find) {
  return Answer<catalogue::EditResult>(
      c, std::move(respond),
      [id = std::move(id), created, collection,
       find](const catalogue::EditResult& e) {
        const auto* entry = find(e.after, id);
        const bool made = created && e.changed;
        Response resp =
            WithETag(Json(made ? 201 : 200, *entry), entry->version());
        if (made)
          resp.headers.emplace_back("Location",
                                    std::string(collection) + "/" + id);
        return resp;
      });
}

auto ServiceAnswer(const Call& c, Respond respond, std::string id,
                   bool created) {
  return EntryAnswer(c, std::move(respond), std::move(id), created, kServices,
                     [](const v1::Catalogue& after, const std::string& id) {
                       return catalogue::FindService(after, id);
                     });
}

auto CategoryAnswer(const Call& c, Respond respond, std::string id,
                    bool created) {
  return EntryAnswer(c, std::move(respond), std::move(id), created, kCategories,
                     [](const v1::Catalogue& after, const std::string& id) {
                       return catalogue::FindCategory(after, id);
                     });
}

}  // namespace

// ------------------------------------------------------------ reads

void Api::GetCatalogue(const Call& c, Respond respond) {
  const Target& t = c.target;
  auto include_retired = BoolParam(t, "includeRetired", false);
  if (!include_retired.ok()) return respond(Fail(c, include_retired.status()));
  const std::string view =
      t.params.count("view") ? t.params.at("view") : "tree";
  if (view != "tree" && view != "flat")
    return respond(Fail(
        c, Status::InvalidParameter("view",
                                    "'view' must be tree (categories holding "
                                    "services) or flat (the import format)")));
  const std::string municipality =
      t.params.count("municipality") ? t.params.at("municipality") : "";
  if (Status s = desk_.CheckMunicipality(municipality); !s.ok())
    return respond(Fail(c, s));
  if (view == "flat") {
    if (!municipality.empty() || t.params.count("includeRetired"))
      return respond(Fail(
          c, Status::InvalidParameter("view",
                                      "view=flat is the whole catalogue, as "
                                      "import takes it; it has no filters")));
    auto flat = desk_.Catalogue();
    if (!flat.ok()) return respond(Fail(c, flat.status()));
    return respond(WithETag(Json(200, *flat), flat->version()));
  }
  auto tree = desk_.CatalogueTree(municipality, *include_retired);
  if (!tree.ok()) return respond(Fail(c, tree.status()));
  respond(WithETag(Json(200, *tree), tree->version()));
}

void Api::SearchServices(const Call& c, Respond respond) {
  const Target& t = c.target;
  desk::ServiceQuery query;
  auto include_retired = BoolParam(t, "includeRetired", false);
  if (!include_retired.ok()) return respond(Fail(c, include_retired.status()));
  query.include_retired = *include_retired;
  auto limit = UintParam(t, "limit", 1, 500, 50);
  if (!limit.ok()) return respond(Fail(c, limit.status()));
  query.limit = *limit;
  if (t.params.count("municipality"))
    query.municipality = t.params.at("municipality");
  if (Status s = desk_.CheckMunicipality(query.municipality); !s.ok())
    return respond(Fail(c, s));
  if (t.params.count("category")) query.category = t.params.at("category");
  if (t.params.count("q")) query.text = t.params.at("q");
  if (query.text.size() > 200)
    return respond(
        Fail(c, Status::InvalidParameter("q", "'q' is at most 200 bytes")));
  auto found = desk_.SearchServices(query);
  if (!found.ok()) return respond(Fail(c, found.status()));
  respond(Json(200, *found));
}

void Api::GetService(const Call& c, Respond respond) {
  auto service = desk_.GetService(c.id);
  if (!service.ok()) return respond(Fail(c, service.status()));
  respond(WithETag(Json(200, *service), service->version()));
}

void Api::ListCategories(const Call& c, Respond respond) {
  auto catalogue = desk_.Catalogue();
  if (!catalogue.ok()) return respond(Fail(c, catalogue.status()));
  v1::Catalogue out;
  out.set_version(catalogue->version());
  *out.mutable_categories() = catalogue->categories();
  respond(WithETag(Json(200, out), out.version()));
}

void Api::GetCategory(const Call& c, Respond respond) {
  auto category = desk_.GetCategory(c.id);
  if (!category.ok()) return respond(Fail(c, category.status()));
  respond(WithETag(Json(200, *category), category->version()));
}

// ------------------------------------------------------------ writes

void Api::ImportCatalogue(const Call& c, Respond respond) {
  auto change = ReadChange<v1::Catalogue>(c);
  if (!change.ok()) return respond(Fail(c, change.status()));
  if (change->if_match) change->body.set_version(*change->if_match);
  desk_.ImportCatalogue(
      std::move(change->origin), std::move(change->body),
      Answer<catalogue::EditResult>(
          c, std::move(respond), [](const catalogue::EditResult& e) {
            v1::ImportCatalogueResponse out;
            out.set_version(e.after.version());
            out.set_changed(e.changed);
            *out.mutable_diff() = e.change.diff();
            return WithETag(Json(200, out), e.after.version());
          }));
}

void Api::CreateService(const Call& c, Respond respond) {
  auto change = ReadChange<v1::Service>(c);
  if (!change.ok()) return respond(Fail(c, change.status()));
  std::string id = change->body.id();
  desk_.CreateService(std::move(change->origin), std::move(change->body),
                      ServiceAnswer(c, std::move(respond), std::move(id),
                                    /*created=*/true));
}

void Api::UpdateService(const Call& c, Respond respond) {
  auto change = ReadChange<v1::Service>(c);
  if (!change.ok()) return respond(Fail(c, change.status()));
  desk_.UpdateService(std::move(change->origin), c.id, std::move(change->body),
                      change->if_match,
                      ServiceAnswer(c, std::move(respond), c.id, false));
}

void Api::RetireService(const Call& c, Respond respond) {
  SetServiceState(c, /*retire=*/true, std::move(respond));
}

void Api::ReactivateService(const Call& c, Respond respond) {
  SetServiceState(c, /*retire=*/false, std::move(respond));
}

void Api::SetServiceState(const Call& c, bool retire, Respond respond) {
  auto change = ReadChange<v1::RetireServiceRequest>(c);
  if (!change.ok()) return respond(Fail(c, change.status()));
  std::optional<uint32_t> version = change->if_match;
  if (!version && change->body.version()) version = change->body.version();
  desk_.SetServiceState(
      std::move(change->origin), c.id,
      retire ? v1::SERVICE_STATE_RETIRED : v1::SERVICE_STATE_ACTIVE, version,
      change->body.reason(), ServiceAnswer(c, std::move(respond), c.id, false));
}

void Api::CreateCategory(const Call& c, Respond respond) {
  auto change = ReadChange<v1::Category>(c);
  if (!change.ok()) return respond(Fail(c, change.status()));
  std::string id = change->body.id();
  desk_.CreateCategory(std::move(change->origin), std::move(change->body),
                       CategoryAnswer(c, std::move(respond), std::move(id),
                                      /*created=*/true));
}

void Api::UpdateCategory(const Call& c, Respond respond) {
  auto change = ReadChange<v1::Category>(c);
  if (!change.ok()) return respond(Fail(c, change.status()));
  desk_.UpdateCategory(std::move(change->origin), c.id, std::move(change->body),
                       change->if_match,
                       CategoryAnswer(c, std::move(respond), c.id, false));
}

}  // namespace helpdesk::http
