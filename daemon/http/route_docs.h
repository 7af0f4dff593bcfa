#pragma once
// What the route table (routes.h) does not say of a route and a client
// needs to know, one entry per route, keyed by method and pattern
// (route_docs*.cc): its summary, the query parameters it takes, the
// messages of its bodies, its headers and the problems of its own. The
// OpenAPI document (openapi.h) is generated from the two together, and
// the query parameters listed here are the only ones a route accepts:
// Api::Handle refuses any other before the handler runs. Constant, built
// on first use; any thread.

#include <google/protobuf/descriptor.h>

#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/http/problem.h"
#include "daemon/http/routes.h"

namespace helpdesk::http {

// How a query parameter's value is read.
enum class ParamType {
  kText,
  kWhole,    // a whole number in [minimum, maximum]
  kNumber,   // a finite number in [minimum, maximum]
  kBoolean,  // true or false
  kTime,     // RFC 3339, to the second
  // RFC 3339, or a date (2026-04-01): a whole day in Oslo time, from its
  // start (a range's `from`) or to its end (its `to`)
  kTimeOrDate,
  kChoice,  // one of `choices`
  kList,    // comma-separated; each one of `choices` (any text if none)
};

struct QueryParam {
  std::string_view name;
  ParamType type = ParamType::kText;
  std::string_view description = {};
  double minimum = 0;
  double maximum = 0;
  std::string_view fallback = {};  // the value when absent, if there is one
  std::vector<std::string> choices = {};
  // A credential (access_token), documented as a security scheme.
  bool credential = false;
};

// A header of a successful answer.
struct HeaderDoc {
  std::string_view name;
  std::string_view description;
};

// A successful answer's body in one media type: a message's JSON, one of
// the few schemas written by hand (openapi_schemas.cc: "Health"), or text
// (neither).
struct AnswerDoc {
  std::string_view media_type = "application/json";
  const google::protobuf::Descriptor* message = nullptr;
  std::string_view schema = {};
  std::string_view description = {};
};

// Whether a write takes an Idempotency-Key (README, "Retrying a write").
enum class KeyUse {
  kTaken,
  // A request that makes or carries a secret keeps nothing: a key is 400.
  kRefused,
  kRefusedWithPassword,  // refused when the body holds a password
};

struct RouteDoc {
  std::string_view method;
  std::string_view pattern;
  std::string_view operation_id;
  std::string_view tag;
  std::string_view summary;
  std::string_view description = {};
  std::vector<QueryParam> query = {};
  // False: the query is not read at all (the pages and the probes), so
  // nothing in it is refused either.
  bool reads_query = true;
  const google::protobuf::Descriptor* request = nullptr;
  // A write whose JSON body is not read (it must still be declared JSON).
  bool ignores_body = false;
  int status = 200;  // of a successful answer
  // When a create may also answer 200 (it changed nothing): why.
  std::string_view also_200 = {};
  std::vector<AnswerDoc> answers = {};
  std::vector<HeaderDoc> headers = {};
  bool if_match = false;  // reads If-Match (the ETag of the version seen)
  KeyUse key = KeyUse::kTaken;
  // Besides those every route of its kind may answer (openapi.cc).
  std::vector<ProblemKind> problems = {};
  // The names in `query`, filled when the table is built.
  std::vector<std::string_view> query_names = {};
};

// Every entry, in the order of the route table.
std::span<const RouteDoc> RouteDocs();

// The entry of `route`; nullptr when it has none (a test fails then).
const RouteDoc* DocOf(const Route& route);

// Kept in two files by area; RouteDocs() joins them.
std::vector<RouteDoc> CoreRouteDocs();      // route_docs.cc
std::vector<RouteDoc> RegistryRouteDocs();  // route_docs_registry.cc

}  // namespace helpdesk::http
