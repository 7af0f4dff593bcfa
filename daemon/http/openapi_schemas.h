#pragma once
// Private to openapi*.cc: the JSON Schemas of the document's
// components/schemas. A message's is generated from its descriptor, as
// proto/json.h writes and reads it (lowerCamelCase names, enums by wire
// name, 64-bit integers as decimal strings, Timestamps as RFC 3339), with
// the schema's own comments as descriptions; the few bodies that are no
// message (Problem, Health) are written here by hand. Pure; any thread.

#include <google/protobuf/descriptor.h>

#include <string>
#include <string_view>

#include "daemon/http/json_tree.h"

namespace helpdesk::http::internal {

// Adds the schema of `message`, and of every message and enum it reaches,
// to `schemas` (once each) and answers {"$ref": ...} to it.
JsonTree SchemaRef(const google::protobuf::Descriptor* message,
                   JsonTree& schemas);

// Adds the hand-written schemas (Problem with its problem types, Health,
// Readiness, OpenApiDocument) to `schemas`.
void AddFixedSchemas(JsonTree& schemas);

// {"$ref": "#/components/<kind>/<name>"}.
JsonTree Ref(std::string_view kind, std::string_view name);

// The comment written in proto/helpdesk.proto above or beside `full_name`
// ("helpdesk.v1.Ticket", "helpdesk.v1.Ticket.title",
// "helpdesk.v1.Priority.PRIORITY_HIGH"); "" when none.
std::string ProtoComment(std::string_view full_name);

// Generated at build time (embed_descriptors.cmake).
std::string_view DescriptorSetWithComments();
std::string_view ProjectVersion();

}  // namespace helpdesk::http::internal
