// The OpenAPI document, put together from the route table and its
// documentation: a path item per pattern, an operation per route (GET
// answers HEAD too, which OpenAPI does not list), and the problems each
// can answer, worked out from what the route is (public or not, a write,
// with a body, with an id in its path) and what its entry adds.

#include "daemon/http/openapi.h"

#include <openssl/evp.h>

#include <algorithm>
#include <map>
#include <set>
#include <vector>

#include "daemon/auth/principal.h"
#include "daemon/http/api.h"
#include "daemon/http/json_tree.h"
#include "daemon/http/openapi_schemas.h"
#include "daemon/http/responses.h"
#include "daemon/http/route_docs.h"

namespace helpdesk::http {
namespace {

using internal::Ref;

constexpr std::string_view kInfo =
    "The HTTP API of helpdeskd, an IT service desk for a region of "
    "municipalities: tickets (saker), the tjenestekatalog, the staff "
    "registry and the vakt rota, paging, reports, and a live stream. This "
    "document is generated from the daemon's own route table.\n\n"
    "**Bodies** are JSON: field names in lowerCamelCase, enum values as "
    "plain lowercase strings (`\"in_progress\"`), 64-bit integers as decimal "
    "strings (a request may send a number), times as RFC 3339. An answer "
    "carries every scalar and list "
    "field, default or not; a message or enum that is not set is left out. "
    "A request may leave out any field, and sending one that the schema "
    "does not name is refused (422); a client should skip answer fields it "
    "does not know, as a newer daemon may add some.\n\n"
    "**Errors** are `application/problem+json` (RFC 9457): decide by `type` "
    "(the `Problem` schema lists every one) and show `detail`. A refused "
    "request changed nothing. A path that is no route is 404, a method the "
    "path does not take 405 with `Allow`; every GET answers HEAD too.\n\n"
    "**Credentials**: an API token or a session's token as `Authorization: "
    "Bearer`, or the session cookie `hd_session` that a login sets (pages); "
    "a change made with the cookie must send the session's `csrfToken` in "
    "`X-CSRF-Token`. Without a credential the answer is 401, without one "
    "of the route's roles 403.\n\n"
    "**Writes** may send an `Idempotency-Key` and be retried with it: a "
    "retry of one that was done is answered as the first was, with "
    "`Idempotent-Replayed: true`. A change of a versioned record sends the "
    "version it was based on, in the body's `version` or as `If-Match` (the "
    "`ETag` read). Every answer has an `X-Request-Id` (the client's, if it "
    "sent a short plain one), which every event and problem records.";

// The tags, in the order a reader meets them.
constexpr std::pair<std::string_view, std::string_view> kTags[] = {
    {"tickets", "Tickets (saker): filing, status, assignment, comments."},
    {"events", "The gap-free event log: every change, in order."},
    {"region", "The region's municipalities and places."},
    {"catalogue", "The tjenestekatalog: categories and services."},
    {"staff", "The staff registry."},
    {"vakt", "The vakt rota: who is on duty when."},
    {"paging", "Pages sent to the vakt, and their acknowledgement."},
    {"reports", "Coverage and SLA reports."},
    {"live", "The websocket stream and the wall dashboard's board."},
    {"session", "Logging in and out."},
    {"accounts", "Accounts and their roles (admins)."},
    {"tokens", "Sessions and API tokens (admins)."},
    {"audit", "Who read and changed what (admins)."},
    {"operations", "Probes, metrics and this document."},
    {"pages", "The web pages embedded in the daemon."},
};

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  return out;
}

std::string Slug(std::string_view type) {
  const size_t slash = type.rfind('/');
  return std::string(type.substr(slash + 1));
}

std::string WhoMayCall(auth::Roles who) {
  if (who & auth::kPublic) return "**Who**: anyone; no credential needed.";
  if (who == auth::kAnyAccount) return "**Who**: any logged-in account.";
  return "**Who**: an account with one of the roles " + auth::RoleNames(who) +
         ".";
}

std::string PathParamDescription(std::string_view pattern,
                                 std::string_view name) {
  if (name == "ticket") return "The ticket's number, such as 1042.";
  if (name == "staff") return "The person's staff id, such as kari.haugen.";
  if (name == "account") return "The account id, such as kari.nordmann.";
  if (name == "page") return "The page's number.";
  if (name == "asset") return "The file's name.";
  if (pattern.find("/services/") != std::string_view::npos)
    return "The service's id (a slug).";
  if (pattern.find("/categories/") != std::string_view::npos)
    return "The category's id (a slug).";
  return "The credential's id (c-…), as GET /api/v1/tokens lists it.";
}

JsonTree QuerySchema(const QueryParam& p) {
  JsonTree s;
  switch (p.type) {
    case ParamType::kText:
      s["type"] = "string";
      break;
    case ParamType::kWhole:
      s["type"] = "integer";
      s["minimum"] = static_cast<int64_t>(p.minimum);
      // Past 2^53 a bound is not exact in JSON: the description says it.
      if (p.maximum < 9007199254740992.0)
        s["maximum"] = static_cast<int64_t>(p.maximum);
      if (!p.fallback.empty())
        s["default"] = std::stoll(std::string(p.fallback));
      break;
    case ParamType::kNumber:
      s["type"] = "number";
      s["minimum"] = p.minimum;
      s["maximum"] = p.maximum;
      if (!p.fallback.empty())
        s["default"] = std::stod(std::string(p.fallback));
      break;
    case ParamType::kBoolean:
      s["type"] = "boolean";
      if (!p.fallback.empty()) s["default"] = p.fallback == "true";
      break;
    case ParamType::kTime:
      s["type"] = "string";
      s["format"] = "date-time";
      break;
    case ParamType::kTimeOrDate:
      s["type"] = "string";
      s["anyOf"].Push(JsonTree::Object())["format"] = "date-time";
      s["anyOf"].Push(JsonTree::Object())["format"] = "date";
      break;
    case ParamType::kChoice:
      s["type"] = "string";
      s["enum"] = JsonTree::Strings(p.choices);
      if (!p.fallback.empty()) s["default"] = p.fallback;
      break;
    case ParamType::kList:
      s["type"] = "array";
      s["items"]["type"] = "string";
      if (!p.choices.empty()) s["items"]["enum"] = JsonTree::Strings(p.choices);
      break;
  }
  return s;
}

JsonTree Parameters(const Route& r, const RouteDoc& d) {
  JsonTree params = JsonTree::Array();
  for (size_t at = r.pattern.find('{'); at != std::string_view::npos;
       at = r.pattern.find('{', at + 1)) {
    const std::string_view name =
        r.pattern.substr(at + 1, r.pattern.find('}', at) - at - 1);
    JsonTree p;
    p["name"] = name;
    p["in"] = "path";
    p["required"] = true;
    p["description"] = PathParamDescription(r.pattern, name);
    p["schema"]["type"] = "string";
    params.Push(std::move(p));
  }
  for (const QueryParam& q : d.query) {
    if (q.credential) continue;  // a security scheme
    JsonTree p;
    p["name"] = q.name;
    p["in"] = "query";
    std::string description(q.description);
    if (q.type == ParamType::kList) description += "; comma-separated";
    p["description"] = description;
    p["schema"] = QuerySchema(q);
    if (q.type == ParamType::kList) {
      p["style"] = "form";
      p["explode"] = false;
    }
    params.Push(std::move(p));
  }
  if (d.if_match) params.Push(Ref("parameters", "If-Match"));
  if (IsWrite(r.access) && d.key != KeyUse::kRefused)
    params.Push(Ref("parameters", "Idempotency-Key"));
  if (!(r.who & auth::kPublic)) params.Push(Ref("parameters", "X-Actor"));
  params.Push(Ref("parameters", "X-Request-Id"));
  return params;
}

JsonTree Security(const Route& r, const RouteDoc& d) {
  JsonTree security = JsonTree::Array();
  if (r.who & auth::kPublic) return security;  // none needed
  JsonTree bearer, cookie;
  bearer["bearerAuth"] = JsonTree::Array();
  cookie["sessionCookie"] = JsonTree::Array();
  if (IsWrite(r.access)) cookie["csrfToken"] = JsonTree::Array();
  security.Push(std::move(bearer));
  security.Push(std::move(cookie));
  for (const QueryParam& q : d.query) {
    if (!q.credential) continue;
    JsonTree token;
    token["accessToken"] = JsonTree::Array();
    security.Push(std::move(token));
  }
  return security;
}

// What every route like `r` may answer besides its own problems.
std::vector<ProblemKind> ProblemsOf(const Route& r, const RouteDoc& d) {
  std::vector<ProblemKind> kinds = {
      ProblemKind::kMalformedRequest, ProblemKind::kHeadersTooLarge,
      ProblemKind::kTooManyRequests, ProblemKind::kInternal,
      ProblemKind::kUnavailable};
  // A parameter given twice or badly percent-encoded is refused on every
  // route, before its own checks.
  kinds.push_back(ProblemKind::kInvalidParameter);
  if (r.pattern.find('{') != std::string_view::npos)
    kinds.push_back(ProblemKind::kNotFound);
  if (!(r.who & auth::kPublic)) {
    kinds.push_back(ProblemKind::kUnauthenticated);
    kinds.push_back(ProblemKind::kForbidden);
  }
  if (IsWrite(r.access)) {
    if (r.method != "DELETE")
      kinds.push_back(ProblemKind::kUnsupportedMediaType);
    if (d.key != KeyUse::kRefused) kinds.push_back(ProblemKind::kKeyReused);
    kinds.push_back(ProblemKind::kStorageFull);
    kinds.push_back(ProblemKind::kDiskFull);
  }
  if (d.request != nullptr || d.ignores_body)
    kinds.push_back(ProblemKind::kBodyTooLarge);
  if (d.request != nullptr) {
    kinds.push_back(ProblemKind::kMalformedJson);
    kinds.push_back(ProblemKind::kInvalidField);
  }
  for (ProblemKind k : d.problems) kinds.push_back(k);
  return kinds;
}

JsonTree HeaderRefs(int status) {
  JsonTree headers;
  headers["X-Request-Id"] = Ref("headers", "X-Request-Id");
  if (status == 401)
    headers["WWW-Authenticate"] = Ref("headers", "WWW-Authenticate");
  if (status == 429 || status == 503)
    headers["Retry-After"] = Ref("headers", "Retry-After");
  if (status == 426) headers["Upgrade"] = Ref("headers", "Upgrade");
  return headers;
}

// What the operations share, gathered as they are made: components.
struct Shared {
  JsonTree schemas = JsonTree::Object();
  JsonTree responses = JsonTree::Object();  // problem answers, by kinds
  std::set<std::string> examples;           // of the problem types used
};

// Adds to `responses` a reference per status to the problem answer of the
// kinds of that status, made once for every operation with the same kinds.
void AddProblems(const std::vector<ProblemKind>& kinds, JsonTree& responses,
                 Shared& shared) {
  std::map<int, std::vector<const ProblemType*>> by_status;
  for (ProblemKind k : kinds) {
    auto& list = by_status[TypeOf(k).status];
    if (std::find(list.begin(), list.end(), &TypeOf(k)) == list.end())
      list.push_back(&TypeOf(k));
  }
  for (const auto& [status, types] : by_status) {
    std::string name = std::to_string(status);
    for (const ProblemType* t : types) name += "-" + Slug(t->type);
    responses[std::to_string(status)] = Ref("responses", name);
    if (shared.responses.Find(name) != nullptr) continue;
    JsonTree response;
    std::string description;
    JsonTree examples;
    for (const ProblemType* t : types) {
      description += (description.empty() ? "" : "\n") + std::string("- `") +
                     std::string(t->type) + "`: " + std::string(t->when);
      examples[Slug(t->type)] = Ref("examples", Slug(t->type));
      shared.examples.insert(Slug(t->type));
    }
    response["description"] = description;
    response["headers"] = HeaderRefs(status);
    JsonTree& media = response["content"]["application/problem+json"];
    media["schema"] = Ref("schemas", "Problem");
    media["examples"] = std::move(examples);
    shared.responses[name] = std::move(response);
  }
}

JsonTree Success(const Route& r, const RouteDoc& d, std::string_view why,
                 JsonTree& schemas) {
  JsonTree response;
  std::string description(why);
  for (const AnswerDoc& a : d.answers) {
    if (!a.description.empty() && why.empty())
      description +=
          (description.empty() ? "" : "; ") + std::string(a.description);
    if (a.media_type.empty()) continue;  // no body (101)
    JsonTree& media = response["content"][a.media_type];
    JsonTree schema;
    if (a.message != nullptr) {
      schema = internal::SchemaRef(a.message, schemas);
    } else if (!a.schema.empty()) {
      schema = Ref("schemas", a.schema);
    } else {
      schema["type"] = "string";
    }
    if (const JsonTree* one = media.Find("schema")) {
      // A second schema of one media type: the answer is one of them.
      JsonTree either;
      either["oneOf"].Push(*one);
      either["oneOf"].Push(std::move(schema));
      media["schema"] = std::move(either);
    } else {
      media["schema"] = std::move(schema);
    }
  }
  response["description"] = description.empty() ? "OK" : description;
  JsonTree& headers = response["headers"];
  headers["X-Request-Id"] = Ref("headers", "X-Request-Id");
  for (const HeaderDoc& h : d.headers) {
    headers[h.name]["description"] = h.description;
    headers[h.name]["schema"]["type"] = "string";
  }
  if (IsWrite(r.access) && d.key != KeyUse::kRefused)
    headers["Idempotent-Replayed"] = Ref("headers", "Idempotent-Replayed");
  return response;
}

JsonTree Operation(const Route& r, const RouteDoc& d, Shared& shared) {
  JsonTree& schemas = shared.schemas;
  JsonTree op;
  op["tags"] = JsonTree::Strings({std::string(d.tag)});
  op["summary"] = d.summary;
  std::string description(d.description);
  description += (description.empty() ? "" : "\n\n") + WhoMayCall(r.who);
  if (r.access == Access::kReport || r.access == Access::kBulkWrite ||
      r.access == Access::kSlowWrite)
    description +=
        " Answered from the daemon's small pool for long requests: 503 "
        "with Retry-After while it is full.";
  if (IsWrite(r.access) && d.key == KeyUse::kRefused)
    description +=
        " Takes no Idempotency-Key (400): nothing of it is kept, and sent "
        "again it makes another.";
  if (d.key == KeyUse::kRefusedWithPassword)
    description +=
        " With a `password`, it takes no Idempotency-Key (400): a key's "
        "fingerprint is never of a password.";
  op["description"] = description;
  op["operationId"] = d.operation_id;
  if (!(r.who & auth::kPublic)) {
    JsonTree roles = JsonTree::Array();
    for (const std::string_view role :
         {"employee", "agent", "dispatcher", "admin", "dashboard"})
      if (auth::RoleNames(r.who).find(role) != std::string::npos)
        roles.Push(role);
    op["x-roles"] = std::move(roles);
  }
  op["security"] = Security(r, d);
  op["parameters"] = Parameters(r, d);
  if (d.request != nullptr || d.ignores_body) {
    JsonTree& body = op["requestBody"];
    body["required"] = true;
    JsonTree schema;
    if (d.request != nullptr) {
      schema = internal::SchemaRef(d.request, schemas);
    } else {
      schema["type"] = "object";
      schema["description"] = "Not read: send {}.";
    }
    body["content"]["application/json"]["schema"] = std::move(schema);
  }
  JsonTree& responses = op["responses"];
  responses[std::to_string(d.status)] = Success(r, d, "", schemas);
  if (!d.also_200.empty())
    responses["200"] = Success(r, d, d.also_200, schemas);
  AddProblems(ProblemsOf(r, d), responses, shared);
  return op;
}

JsonTree Header(std::string_view description) {
  JsonTree h;
  h["description"] = description;
  h["schema"]["type"] = "string";
  return h;
}

JsonTree HeaderParameter(std::string_view name, std::string_view description,
                         JsonTree schema) {
  JsonTree p;
  p["name"] = name;
  p["in"] = "header";
  p["description"] = description;
  p["schema"] = std::move(schema);
  return p;
}

JsonTree Components(Shared shared) {
  JsonTree c;
  internal::AddFixedSchemas(shared.schemas);
  c["schemas"] = std::move(shared.schemas);
  c["responses"] = std::move(shared.responses);

  JsonTree& headers = c["headers"];
  headers["X-Request-Id"] = Header(
      "The request's id: the client's X-Request-Id when it is at most "
      "64 letters, digits, '.', '-' and '_', else one made here.");
  headers["Retry-After"] = Header("Seconds to wait before trying again.");
  headers["WWW-Authenticate"] = Header("Bearer realm=\"helpdeskd\"");
  headers["Upgrade"] = Header("websocket");
  headers["Idempotent-Replayed"] = Header(
      "true: the answer of the first request with this "
      "Idempotency-Key, sent again; nothing was written.");

  JsonTree& params = c["parameters"];
  JsonTree key;
  key["type"] = "string";
  key["minLength"] = 1;
  key["maxLength"] = 255;
  key["pattern"] = "^[!-~]+$";
  params["Idempotency-Key"] = HeaderParameter(
      "Idempotency-Key",
      "New for each request (a UUID will do) and the same for its retries: "
      "a retry of a request that was done is answered as it was, without "
      "doing it again. Kept 24 hours, per account.",
      std::move(key));
  JsonTree text;
  text["type"] = "string";
  params["If-Match"] = HeaderParameter(
      "If-Match",
      "The ETag of the version the change is based on (\"3\"); or send the "
      "body's `version`. One of them is required.",
      text);
  params["X-Actor"] = HeaderParameter(
      "X-Actor",
      "The caller's own account id, if sent at all: any other is refused "
      "(403), as the actor is who the credential says.",
      text);
  JsonTree id;
  id["type"] = "string";
  id["maxLength"] = 64;
  id["pattern"] = "^[A-Za-z0-9._-]+$";
  params["X-Request-Id"] = HeaderParameter(
      "X-Request-Id",
      "The client's id of the request, kept in the answer, the log and every "
      "event it causes; another is made when it is absent or not plain.",
      std::move(id));

  JsonTree& examples = c["examples"];
  for (const ProblemType& t : ProblemTypes()) {
    if (!shared.examples.count(Slug(t.type))) continue;
    JsonTree v;
    v["type"] = t.type;
    v["title"] = t.title;
    v["status"] = t.status;
    v["detail"] = t.when;
    v["instance"] = "/api/v1/tickets/1042";
    v["requestId"] = "3f9a0c1d2e4b5a6c";
    if (t.kind == ProblemKind::kInvalidField) v["field"] = "title";
    if (t.kind == ProblemKind::kInvalidParameter) v["parameter"] = "limit";
    if (t.kind == ProblemKind::kKeyReused) v["parameter"] = "Idempotency-Key";
    if (t.kind == ProblemKind::kIllegalTransition)
      v["allowed"] = JsonTree::Strings({"in_progress", "waiting"});
    if (t.kind == ProblemKind::kVersionConflict) v["currentVersion"] = 4;
    examples[Slug(t.type)]["summary"] = t.title;
    examples[Slug(t.type)]["value"] = std::move(v);
  }

  JsonTree& schemes = c["securitySchemes"];
  schemes["bearerAuth"]["type"] = "http";
  schemes["bearerAuth"]["scheme"] = "bearer";
  schemes["bearerAuth"]["description"] =
      "An API token (POST /api/v1/tokens) or a session's token (the login's "
      "`token`).";
  JsonTree& cookie = schemes["sessionCookie"];
  cookie["type"] = "apiKey";
  cookie["in"] = "cookie";
  cookie["name"] = kSessionCookie;
  cookie["description"] =
      "The session cookie a login sets, for pages. A change made with it "
      "must also send X-CSRF-Token.";
  JsonTree& csrf = schemes["csrfToken"];
  csrf["type"] = "apiKey";
  csrf["in"] = "header";
  csrf["name"] = "X-CSRF-Token";
  csrf["description"] =
      "The session's `csrfToken` (from the login, or GET /api/v1/session): "
      "with the cookie, on every change.";
  JsonTree& access = schemes["accessToken"];
  access["type"] = "apiKey";
  access["in"] = "query";
  access["name"] = "access_token";
  access["description"] =
      "The token of an account whose only role is dashboard, in the URL of "
      "a wall screen: taken by GET /api/v1/stream and GET /api/v1/dashboard "
      "only.";
  return c;
}

JsonTree Build() {
  JsonTree doc;
  doc["openapi"] = "3.1.0";
  JsonTree& info = doc["info"];
  info["title"] = "helpdeskd";
  info["version"] = internal::ProjectVersion();
  info["description"] = kInfo;
  JsonTree server;
  server["url"] = "/";
  server["description"] = "The daemon that serves this document.";
  doc["servers"].Push(std::move(server));
  JsonTree& tags = doc["tags"];
  for (const auto& [name, description] : kTags) {
    JsonTree t;
    t["name"] = name;
    t["description"] = description;
    tags.Push(std::move(t));
  }
  Shared shared;
  JsonTree paths = JsonTree::Object();
  for (const Route& r : Routes()) {
    const RouteDoc* d = DocOf(r);
    if (d == nullptr) continue;  // tests/http/openapi_test.cc fails on it
    paths[r.pattern][Lower(r.method)] = Operation(r, *d, shared);
  }
  doc["paths"] = std::move(paths);
  doc["components"] = Components(std::move(shared));
  return doc;
}

}  // namespace

const std::string& OpenApiDocument() {
  static const std::string kDocument = Build().Dump();
  return kDocument;
}

std::string_view OpenApiETag() {
  static const std::string kETag = [] {
    const std::string& doc = OpenApiDocument();
    unsigned char digest[EVP_MAX_MD_SIZE];
    unsigned int size = 0;
    EVP_Digest(doc.data(), doc.size(), digest, &size, EVP_sha256(), nullptr);
    static const char kHex[] = "0123456789abcdef";
    std::string tag = "\"";
    for (unsigned int i = 0; i < 16 && i < size; ++i) {
      tag += kHex[digest[i] >> 4];
      tag += kHex[digest[i] & 15];
    }
    return tag + "\"";
  }();
  return kETag;
}

void Api::OpenApi(const Call&, Respond respond) {
  Response r = Json(200, OpenApiDocument());
  r.headers.emplace_back("ETag", std::string(OpenApiETag()));
  r.headers.emplace_back("Cache-Control", "no-cache");
  respond(std::move(r));
}

}  // namespace helpdesk::http
