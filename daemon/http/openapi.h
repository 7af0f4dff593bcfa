#pragma once
// The OpenAPI 3.1 document of the API, served at GET /api/v1/openapi.json:
// generated from the route table (routes.h) and the documentation of each
// route (route_docs.h), with the bodies' schemas generated from the
// protobuf descriptors as proto/json.h renders them, and every problem type
// (problem.h). A route without documentation is left out of it, and
// tests/http/openapi_test.cc fails. Built once (Api's constructor asks
// for it at start-up); constant after; any thread.

#include <string>
#include <string_view>

namespace helpdesk::http {

// The document, as compact JSON.
const std::string& OpenApiDocument();

// Its strong entity tag (quoted): the same for the same document.
std::string_view OpenApiETag();

}  // namespace helpdesk::http
