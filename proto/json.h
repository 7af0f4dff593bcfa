#pragma once
// JSON <-> protobuf with the house rules, done once over the descriptors:
// field names in lowerCamelCase (the proto JSON names; proto names are
// accepted on input too), enum values as plain lowercase strings
// ("in_progress"), 64-bit integers as strings on output (and either on
// input), Timestamps as RFC 3339. Output prints every scalar field, default
// or not, so clients see one shape; unset message fields and enums at 0
// (*_UNSPECIFIED, which means not set) are left out.
//
// Input errors name the field (as a dotted path: "comments[2].body") and
// say what would be right. Pure; any thread.

#include <google/protobuf/message.h>

#include <string>
#include <string_view>
#include <vector>

#include "proto/status.h"

namespace helpdesk::proto {

struct ParseOptions {
  // A client reading the daemon's answers skips what it does not know (a
  // newer daemon may add fields); the daemon reading a request refuses it.
  bool ignore_unknown_fields = false;
};

// Fills `out` from a JSON object. kMalformedJson if the text is not a JSON
// object; kInvalidField for an unknown field or a value of the wrong type.
Status ParseJson(std::string_view text, google::protobuf::Message& out,
                 ParseOptions options = {});

std::string ToJson(const google::protobuf::Message& message);

// Appends `message` as ToJson writes it, with only the fields `only`
// names: each a dotted path of the schema's field names ("sla.resolution.
// due_at"), a message named by a path below it holding only what those
// name (left out when none of that is set).
void AppendJson(std::string& out, const google::protobuf::Message& message,
                const std::vector<std::string>& only);

// Appends `s` as a JSON string literal (quoted, escaped).
void AppendJsonString(std::string& out, std::string_view s);

}  // namespace helpdesk::proto
