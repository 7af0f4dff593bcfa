// The tjenestekatalog routes of Api: browsing and search (reads in a short
// LMDB read transaction) and admin changes, which the writer decides
// against the catalogue as it stands inside its own transaction, so two
// admins racing each other cannot both win with stale copies.

#include <algorithm>

#include "catalogue/catalogue.h"
#include "catalogue/edit.h"
#include "catalogue/search.h"
#include "daemon/http/api.h"
#include "daemon/http/json.h"
#include "daemon/http/problem.h"
#include "daemon/http/responses.h"
#include "daemon/store/catalogue_tables.h"
#include "daemon/tickets/commands.h"

namespace helpdesk::http {
namespace {

constexpr std::string_view kCatalogue = "/api/v1/catalogue";
constexpr std::string_view kServices = "/api/v1/catalogue/services";
constexpr std::string_view kCategories = "/api/v1/catalogue/categories";

Status ToStatus(const catalogue::EditResult& r) {
  using catalogue::Rejection;
  switch (r.rejection) {
    case Rejection::kNone:
      return Status::Ok();
    case Rejection::kInvalid: {
      std::vector<FieldError> errors;
      for (const auto& e : r.errors) errors.push_back({e.pointer, e.message});
      return Status::Invalid(r.message, std::move(errors));
    }
    case Rejection::kNotFound:
      return Status::NotFound(r.message);
    case Rejection::kAlreadyExists:
      return Status::AlreadyExists(r.message);
    case Rejection::kVersionRequired:
      return Status::VersionRequired(r.message);
    case Rejection::kVersionConflict:
      return Status::VersionConflict(r.current_version, r.message);
    case Rejection::kSameState:
      return Status::IllegalTransition({}, r.message);
  }
  return Status::Internal("unknown rejection");
}

}  // namespace

void Api::HandleCatalogue(const Request& r, const Target& t, Respond respond) {
  const std::string& path = t.path;
  const bool get = r.method == "GET" || r.method == "HEAD";
  // The route pattern (ids replaced) names the metric series.
  std::string route(kCatalogue);
  std::string id, action;
  bool service = false, category = false;
  if (path.starts_with(std::string(kServices))) {
    service = true;
    route = kServices;
  } else if (path.starts_with(std::string(kCategories))) {
    category = true;
    route = kCategories;
  }
  std::string_view rest = std::string_view(path).substr(route.size());
  if (path != kCatalogue && !service && !category) rest = "?";  // no route
  if (!rest.empty() && rest != "?") {
    if (rest.front() != '/') {
      rest = "?";
    } else {
      rest.remove_prefix(1);
      id = std::string(rest.substr(0, rest.find('/')));
      if (rest.size() > id.size()) action = rest.substr(id.size() + 1);
      route += action.empty() ? "/{id}" : "/{id}/" + action;
    }
  }
  auto answer = [&](Response resp) {
    resp.route = route;
    respond(std::move(resp));
  };
  auto not_allowed = [&](const char* allow) {
    answer(MethodNotAllowed(r.method, path, allow, r.request_id));
  };
  auto fail = [&](const Status& s) {
    answer(Problem(s, r.target, r.request_id));
  };
  if (rest == "?" ||
      (!action.empty() &&
       (!service || (action != "retire" && action != "reactivate"))) ||
      (!id.empty() && id.find('/') != std::string::npos)) {
    return answer(Problem(404, "/problems/not-found", "Not found",
                          "no route " + path +
                              "; the catalogue is at /api/v1/catalogue, "
                              "/api/v1/catalogue/services[/{id}[/retire|"
                              "/reactivate]] and "
                              "/api/v1/catalogue/categories[/{id}]",
                          path, r.request_id));
  }
  const bool write = r.method == "POST" || r.method == "PUT";
  const char* allow = !service && !category ? "GET, HEAD, PUT"
                      : !action.empty()     ? "POST"
                      : id.empty()          ? "GET, HEAD, POST"
                                            : "GET, HEAD, PUT";
  const bool allowed = !action.empty()           ? r.method == "POST"
                       : (!service && !category) ? get || r.method == "PUT"
                       : id.empty()              ? get || r.method == "POST"
                                                 : get || r.method == "PUT";
  if (!allowed) return not_allowed(allow);
  if (get) {
    if (!service && !category) return answer(GetCatalogue(r, t));
    if (service && id.empty()) return answer(ListServices(r, t));
    if (category && id.empty()) {
      if (Status s = CheckParams(t, {}); !s.ok()) return fail(s);
      auto txn = store::Txn::BeginRead(env_);
      if (!txn.ok()) return fail(txn.status());
      auto c = store::LoadCatalogue(*txn, tables_);
      if (!c.ok()) return fail(c.status());
      v1::Catalogue out;
      out.set_version(c->version());
      *out.mutable_categories() = c->categories();
      return answer(WithETag(Json(200, ToJson(out)), c->version()));
    }
    return answer(GetCatalogueEntry(r, t, service, id));
  }
  if (!write) return not_allowed(allow);
  if (!IsJsonContentType(r.content_type)) {
    return answer(UnsupportedMediaType(r.content_type, path, r.request_id));
  }
  if (Status s = CheckParams(t, {}); !s.ok()) return fail(s);
  auto if_match = ParseIfMatch(r.if_match);
  if (!if_match.ok()) return fail(if_match.status());
  // A copy: `fail` above still answers through `respond` until the body
  // has parsed and the write is queued.
  Respond routed = [route, respond](Response resp) {
    resp.route = route;
    respond(std::move(resp));
  };

  if (!service && !category) {  // PUT /api/v1/catalogue: the whole import
    v1::Catalogue incoming;
    if (Status s = ParseJson(r.body, incoming); !s.ok()) return fail(s);
    if (*if_match) incoming.set_version(**if_match);
    return SubmitCatalogueEdit(
        r,
        [incoming = std::move(incoming)](const v1::Catalogue& current,
                                         const std::vector<std::string>& m) {
          return catalogue::Import(current, incoming, m);
        },
        [](const catalogue::EditResult& e) {
          v1::ImportCatalogueResponse out;
          out.set_version(e.after.version());
          out.set_changed(e.changed);
          *out.mutable_diff() = e.change.diff();
          return WithETag(Json(200, ToJson(out)), e.after.version());
        },
        std::move(routed));
  }
  if (service && !action.empty()) {  // retire or reactivate
    v1::RetireServiceRequest req;
    if (Status s = ParseJson(r.body, req); !s.ok()) return fail(s);
    std::optional<uint32_t> version = *if_match;
    if (!version && req.version()) version = req.version();
    const auto to = action == "retire" ? v1::SERVICE_STATE_RETIRED
                                       : v1::SERVICE_STATE_ACTIVE;
    return SubmitCatalogueEdit(
        r,
        [id, to, version, reason = req.reason()](
            const v1::Catalogue& current, const std::vector<std::string>&) {
          return catalogue::SetServiceState(current, id, to, version, reason);
        },
        [id](const catalogue::EditResult& e) {
          const v1::Service* s = catalogue::FindService(e.after, id);
          return WithETag(Json(200, ToJson(*s)), s->version());
        },
        std::move(routed));
  }
  if (service) {
    v1::Service body;
    if (Status s = ParseJson(r.body, body); !s.ok()) return fail(s);
    const bool create = id.empty();
    const std::string sid = create ? body.id() : id;
    return SubmitCatalogueEdit(
        r,
        [create, id, body = std::move(body), if_match = *if_match](
            const v1::Catalogue& current, const std::vector<std::string>& m) {
          return create
                     ? catalogue::CreateService(current, body, m)
                     : catalogue::UpdateService(current, id, body, if_match, m);
        },
        [sid, create](const catalogue::EditResult& e) {
          const v1::Service* s = catalogue::FindService(e.after, sid);
          Response resp =
              WithETag(Json(create ? 201 : 200, ToJson(*s)), s->version());
          if (create)
            resp.headers.emplace_back("Location",
                                      std::string(kServices) + "/" + sid);
          return resp;
        },
        std::move(routed));
  }
  v1::Category body;
  if (Status s = ParseJson(r.body, body); !s.ok()) return fail(s);
  const bool create = id.empty();
  const std::string cid = create ? body.id() : id;
  SubmitCatalogueEdit(
      r,
      [create, id, body = std::move(body), if_match = *if_match](
          const v1::Catalogue& current, const std::vector<std::string>& m) {
        return create
                   ? catalogue::CreateCategory(current, body, m)
                   : catalogue::UpdateCategory(current, id, body, if_match, m);
      },
      [cid, create](const catalogue::EditResult& e) {
        const v1::Category* c = catalogue::FindCategory(e.after, cid);
        Response resp =
            WithETag(Json(create ? 201 : 200, ToJson(*c)), c->version());
        if (create)
          resp.headers.emplace_back("Location",
                                    std::string(kCategories) + "/" + cid);
        return resp;
      },
      std::move(routed));
}

Response Api::GetCatalogue(const Request& r, const Target& t) {
  if (Status s = CheckParams(t, {"municipality", "includeRetired", "view"});
      !s.ok())
    return Problem(s, r.target, r.request_id);
  auto include_retired = BoolParam(t, "includeRetired", false);
  if (!include_retired.ok())
    return Problem(include_retired.status(), r.target, r.request_id);
  std::string view = t.params.count("view") ? t.params.at("view") : "tree";
  if (view != "tree" && view != "flat")
    return Problem(
        Status::InvalidParameter("view",
                                 "'view' must be tree (categories holding "
                                 "services) or flat (the import format)"),
        r.target, r.request_id);
  std::string municipality =
      t.params.count("municipality") ? t.params.at("municipality") : "";
  if (!municipality.empty() &&
      std::find(municipality_ids_.begin(), municipality_ids_.end(),
                municipality) == municipality_ids_.end())
    return Problem(Status::InvalidParameter(
                       "municipality", "unknown municipality '" + municipality +
                                           "'; see GET /api/v1/municipalities"),
                   r.target, r.request_id);
  if (view == "flat" &&
      (!municipality.empty() || t.params.count("includeRetired")))
    return Problem(
        Status::InvalidParameter("view",
                                 "view=flat is the whole catalogue, as import "
                                 "takes it; it has no filters"),
        r.target, r.request_id);
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return Problem(txn.status(), r.target, r.request_id);
  auto c = store::LoadCatalogue(*txn, tables_);
  if (!c.ok()) return Problem(c.status(), r.target, r.request_id);
  if (view == "flat") return WithETag(Json(200, ToJson(*c)), c->version());
  return WithETag(Json(200, ToJson(catalogue::BuildTree(*c, municipality,
                                                        *include_retired))),
                  c->version());
}

Response Api::ListServices(const Request& r, const Target& t) {
  if (Status s = CheckParams(
          t, {"q", "municipality", "category", "includeRetired", "limit"});
      !s.ok())
    return Problem(s, r.target, r.request_id);
  catalogue::SearchOptions o;
  auto include_retired = BoolParam(t, "includeRetired", false);
  if (!include_retired.ok())
    return Problem(include_retired.status(), r.target, r.request_id);
  o.include_retired = *include_retired;
  auto limit = UintParam(t, "limit", 1, 500, 50);
  if (!limit.ok()) return Problem(limit.status(), r.target, r.request_id);
  o.limit = *limit;
  if (t.params.count("municipality")) {
    o.municipality = t.params.at("municipality");
    if (std::find(municipality_ids_.begin(), municipality_ids_.end(),
                  o.municipality) == municipality_ids_.end())
      return Problem(
          Status::InvalidParameter("municipality",
                                   "unknown municipality '" + o.municipality +
                                       "'; see GET /api/v1/municipalities"),
          r.target, r.request_id);
  }
  if (t.params.count("category")) o.category = t.params.at("category");
  std::string q = t.params.count("q") ? t.params.at("q") : "";
  if (q.size() > 200)
    return Problem(Status::InvalidParameter("q", "'q' is at most 200 bytes"),
                   r.target, r.request_id);
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return Problem(txn.status(), r.target, r.request_id);
  auto c = store::LoadCatalogue(*txn, tables_);
  if (!c.ok()) return Problem(c.status(), r.target, r.request_id);
  if (!o.category.empty() && !catalogue::FindCategory(*c, o.category))
    return Problem(Status::InvalidParameter("category",
                                            "unknown category '" + o.category +
                                                "'; see GET /api/v1/catalogue"),
                   r.target, r.request_id);
  v1::ListServicesResponse out;
  for (const auto& hit : catalogue::Search(*c, q, o))
    *out.add_services() = *hit.service;
  return Json(200, ToJson(out));
}

Response Api::GetCatalogueEntry(const Request& r, const Target& t, bool service,
                                const std::string& id) {
  if (Status s = CheckParams(t, {}); !s.ok())
    return Problem(s, r.target, r.request_id);
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return Problem(txn.status(), r.target, r.request_id);
  if (service) {
    auto s = store::GetService(*txn, tables_, id);
    if (!s.ok()) return Problem(s.status(), r.target, r.request_id);
    if (!*s)
      return Problem(Status::NotFound("no service '" + id +
                                      "' in the catalogue; search with GET "
                                      "/api/v1/catalogue/services?q=<words>"),
                     r.target, r.request_id);
    return WithETag(Json(200, ToJson(**s)), (*s)->version());
  }
  auto c = store::LoadCatalogue(*txn, tables_);
  if (!c.ok()) return Problem(c.status(), r.target, r.request_id);
  const v1::Category* cat = catalogue::FindCategory(*c, id);
  if (cat == nullptr)
    return Problem(
        Status::NotFound("no category '" + id + "' in the catalogue"), r.target,
        r.request_id);
  return WithETag(Json(200, ToJson(*cat)), cat->version());
}

void Api::SubmitCatalogueEdit(const Request& r, CatalogueEdit edit,
                              CatalogueAnswer answer, Respond respond) {
  auto actor = ActorOf(r.actor);
  if (!actor.ok())
    return respond(Problem(actor.status(), r.target, r.request_id));
  // Filled on the writer thread by the write, read there by the completion
  // after the commit; a retried batch simply fills it again.
  auto out = std::make_shared<Response>();
  auto shared = std::make_shared<Respond>(std::move(respond));
  Status queued = writer_.Submit(
      [this, edit = std::move(edit), answer = std::move(answer), out,
       actor = *actor, rid = r.request_id](store::WriteContext& w) {
        store::WriteResult result;
        auto current = store::LoadCatalogue(w.txn(), w.tables());
        if (!current.ok()) {
          result.status = current.status();
          return result;
        }
        catalogue::EditResult e = edit(*current, municipality_ids_);
        if (!e.ok()) {
          result.status = ToStatus(e);
          return result;
        }
        if (e.changed) {
          v1::Event event;
          *event.mutable_at() = w.now();
          event.set_actor(actor);
          event.set_request_id(rid);
          *event.mutable_catalogue_changed() = e.change;
          result.status = w.SaveCatalogue(*current, e.after, event);
          result.events.push_back(std::move(event));
        }
        // An edit that changes nothing answers 200 with what is there.
        *out = answer(e);
        if (!e.changed) out->status = 200;
        return result;
      },
      [out, shared, instance = r.target,
       rid = r.request_id](store::WriteResult result) {
        if (!result.status.ok()) {
          (*shared)(Problem(result.status, instance, rid));
          return;
        }
        (*shared)(std::move(*out));
      });
  if (!queued.ok()) (*shared)(Problem(queued, r.target, r.request_id));
}

}  // namespace helpdesk::http
