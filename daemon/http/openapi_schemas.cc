// The document's schemas. A message's follows proto/json.h, which is the
// only JSON the daemon reads and writes for a body: the rules here say
// what its AppendMessage and ParseJson do, type by type, and a test
// (tests/http/openapi_test.cc) renders a message with every field set and
// holds the output to the schema generated here.

#include "daemon/http/openapi_schemas.h"

#include <google/protobuf/descriptor.pb.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "daemon/http/problem.h"
#include "proto/helpdesk.pb.h"
#include "proto/wire_names.h"

namespace helpdesk::http::internal {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::EnumDescriptor;
using google::protobuf::FieldDescriptor;

constexpr std::string_view kPackage = "helpdesk.v1.";

// Fields the descriptor has and a client must see otherwise, or not at all.
struct FieldNote {
  std::string_view field;  // full name
  enum { kOmit, kReadOnly, kWriteOnly } note;
};
constexpr FieldNote kFieldNotes[] = {
    // Stored only; a request naming it is refused (422).
    {"helpdesk.v1.Account.password_hash", FieldNote::kOmit},
    {"helpdesk.v1.Account.password", FieldNote::kWriteOnly},
    {"helpdesk.v1.Account.password_set", FieldNote::kReadOnly},
    {"helpdesk.v1.StaffMember.now", FieldNote::kReadOnly},
    // Stored only; cleared when read back (daemon/store/records.h).
    {"helpdesk.v1.Assignment.explanation_continues", FieldNote::kOmit},
};

const FieldNote* NoteOf(const FieldDescriptor* f) {
  for (const auto& n : kFieldNotes)
    if (n.field == f->full_name()) return &n;
  return nullptr;
}

// One line of prose from a comment: its lines joined, spaces collapsed.
std::string Prose(std::string_view text) {
  std::string out;
  for (char c : text) {
    const bool space = c == ' ' || c == '\n' || c == '\t';
    if (space && (out.empty() || out.back() == ' ')) continue;
    out += space ? ' ' : c;
  }
  while (!out.empty() && out.back() == ' ') out.pop_back();
  return out;
}

// The comments of the schema by full name, read once from the descriptor
// set protoc wrote with its source info.
const std::map<std::string, std::string>& Comments() {
  static const std::map<std::string, std::string> kComments = [] {
    std::map<std::string, std::string> out;
    google::protobuf::FileDescriptorSet set;
    const std::string_view bytes = DescriptorSetWithComments();
    if (!set.ParseFromArray(bytes.data(), static_cast<int>(bytes.size())))
      return out;
    for (const auto& file : set.file()) {
      const std::string package = file.package() + ".";
      for (const auto& loc : file.source_code_info().location()) {
        // Walks the path (message_type 4, enum_type 5; in a message field
        // 2, nested_type 3, enum_type 4; in an enum value 2) to a name.
        std::string name = file.package();
        const google::protobuf::DescriptorProto* message = nullptr;
        const google::protobuf::EnumDescriptorProto* enumeration = nullptr;
        bool named = loc.path_size() >= 2 && loc.path_size() % 2 == 0;
        for (int i = 0; named && i + 1 < loc.path_size(); i += 2) {
          const int tag = loc.path(i);
          const int at = loc.path(i + 1);
          if (message == nullptr && enumeration == nullptr && i == 0) {
            if (tag == 4 && at < file.message_type_size()) {
              message = &file.message_type(at);
              name += "." + message->name();
            } else if (tag == 5 && at < file.enum_type_size()) {
              enumeration = &file.enum_type(at);
              name += "." + enumeration->name();
            } else {
              named = false;
            }
          } else if (message != nullptr && tag == 2 &&
                     at < message->field_size()) {
            name += "." + message->field(at).name();
            named = i + 2 == loc.path_size();
          } else if (message != nullptr && tag == 3 &&
                     at < message->nested_type_size()) {
            message = &message->nested_type(at);
            name += "." + message->name();
          } else if (message != nullptr && tag == 4 &&
                     at < message->enum_type_size()) {
            enumeration = &message->enum_type(at);
            message = nullptr;
            name += "." + enumeration->name();
          } else if (enumeration != nullptr && tag == 2 &&
                     at < enumeration->value_size()) {
            name += "." + enumeration->value(at).name();
            named = i + 2 == loc.path_size();
          } else {
            named = false;
          }
        }
        if (!named) continue;
        std::string text = Prose(loc.leading_comments());
        const std::string trailing = Prose(loc.trailing_comments());
        if (!trailing.empty()) text += (text.empty() ? "" : " ") + trailing;
        if (!text.empty()) out.emplace(std::move(name), std::move(text));
      }
    }
    return out;
  }();
  return kComments;
}

std::string NameOf(std::string_view full_name) {
  if (full_name.starts_with(kPackage)) full_name.remove_prefix(kPackage.size());
  return std::string(full_name);
}

JsonTree EnumRef(const EnumDescriptor* type, JsonTree& schemas) {
  const std::string name = NameOf(type->full_name());
  if (schemas.Find(name) == nullptr) {
    JsonTree s;
    s["type"] = "string";
    std::string description = ProtoComment(type->full_name());
    std::string notes;  // of the values that have one
    JsonTree values = JsonTree::Array();
    for (int i = 0; i < type->value_count(); ++i) {
      const auto* v = type->value(i);
      if (v->number() == 0) continue;  // *_UNSPECIFIED: never on the wire
      const std::string wire = proto::WireEnumName(v);
      values.Push(wire);
      const std::string note =
          ProtoComment(std::string(type->full_name()) + "." + v->name());
      if (!note.empty()) notes += "\n- `" + wire + "`: " + note;
    }
    s["enum"] = std::move(values);
    if (!notes.empty())
      description += (description.empty() ? "" : "\n") + notes;
    if (!description.empty()) s["description"] = description;
    schemas[name] = std::move(s);
  }
  return Ref("schemas", name);
}

// One value of `f` (an item, when it is repeated), as AppendScalar writes
// it and SetOne reads it.
JsonTree ValueSchema(const FieldDescriptor* f, JsonTree& schemas,
                     std::string& note) {
  JsonTree s;
  switch (f->cpp_type()) {
    case FieldDescriptor::CPPTYPE_STRING:
      s["type"] = "string";
      if (f->type() == FieldDescriptor::TYPE_BYTES)
        note = "The bytes as text: a byte that is not UTF-8 reads U+FFFD.";
      return s;
    case FieldDescriptor::CPPTYPE_BOOL:
      s["type"] = "boolean";
      return s;
    case FieldDescriptor::CPPTYPE_INT32:
      s["type"] = "integer";
      s["format"] = "int32";
      return s;
    case FieldDescriptor::CPPTYPE_UINT32:
      s["type"] = "integer";
      s["minimum"] = 0;
      s["maximum"] = 4294967295u;
      return s;
    case FieldDescriptor::CPPTYPE_INT64:
    case FieldDescriptor::CPPTYPE_UINT64:
      // Answered as a decimal string; a request may send a number too.
      s["type"] = "string";
      s["pattern"] = f->cpp_type() == FieldDescriptor::CPPTYPE_INT64
                         ? "^-?[0-9]+$"
                         : "^[0-9]+$";
      note = "A 64-bit integer, as a decimal string.";
      return s;
    case FieldDescriptor::CPPTYPE_DOUBLE:
    case FieldDescriptor::CPPTYPE_FLOAT:
      s["type"] = "number";
      return s;
    case FieldDescriptor::CPPTYPE_ENUM:
      return EnumRef(f->enum_type(), schemas);
    case FieldDescriptor::CPPTYPE_MESSAGE:
      if (f->message_type()->full_name() == "google.protobuf.Timestamp") {
        s["type"] = "string";
        s["format"] = "date-time";
        return s;
      }
      return SchemaRef(f->message_type(), schemas);
  }
  return s;
}

JsonTree FieldSchema(const FieldDescriptor* f, JsonTree& schemas) {
  std::string note;
  JsonTree s;
  if (f->is_map()) {
    // An object keyed by the key's text (output only: no request takes one).
    s["type"] = "object";
    s["additionalProperties"] =
        ValueSchema(f->message_type()->map_value(), schemas, note);
  } else if (f->is_repeated()) {
    s["type"] = "array";
    s["items"] = ValueSchema(f, schemas, note);
  } else {
    s = ValueSchema(f, schemas, note);
  }
  std::string description = ProtoComment(f->full_name());
  if (const auto* oneof = f->real_containing_oneof()) {
    description += std::string(description.empty() ? "" : " ") + "One of `" +
                   oneof->name() + "`: at most one of its members is present.";
  }
  if (!note.empty()) description += (description.empty() ? "" : " ") + note;
  if (!description.empty()) s["description"] = description;
  if (const FieldNote* n = NoteOf(f)) {
    if (n->note == FieldNote::kReadOnly) s["readOnly"] = true;
    if (n->note == FieldNote::kWriteOnly) s["writeOnly"] = true;
  }
  return s;
}

}  // namespace

JsonTree Ref(std::string_view kind, std::string_view name) {
  JsonTree r;
  r["$ref"] = "#/components/" + std::string(kind) + "/" + std::string(name);
  return r;
}

std::string ProtoComment(std::string_view full_name) {
  auto it = Comments().find(std::string(full_name));
  return it == Comments().end() ? std::string() : it->second;
}

JsonTree SchemaRef(const Descriptor* message, JsonTree& schemas) {
  const std::string name = NameOf(message->full_name());
  if (schemas.Find(name) != nullptr) return Ref("schemas", name);
  schemas[name];  // taken, so a message that holds itself stops here
  JsonTree s;
  s["type"] = "object";
  std::string description = ProtoComment(message->full_name());
  JsonTree properties = JsonTree::Object();
  for (int i = 0; i < message->field_count(); ++i) {
    const FieldDescriptor* f = message->field(i);
    if (const FieldNote* n = NoteOf(f); n && n->note == FieldNote::kOmit)
      continue;
    properties[f->json_name()] = FieldSchema(f, schemas);
  }
  if (!description.empty()) s["description"] = description;
  s["properties"] = std::move(properties);
  schemas[name] = std::move(s);
  return Ref("schemas", name);
}

void AddFixedSchemas(JsonTree& schemas) {
  JsonTree problem;
  problem["type"] = "object";
  problem["description"] =
      "An error, as application/problem+json (RFC 9457). Members that do not "
      "apply are left out. The request changed nothing.";
  problem["required"] = JsonTree::Strings(
      {"type", "title", "status", "detail", "instance", "requestId"});
  JsonTree& p = problem["properties"];
  JsonTree& type = p["type"];
  type["type"] = "string";
  type["description"] =
      "What kind of problem: a URI reference, relative to the daemon, that "
      "stays the same across versions. Decide by it (or by the status for a "
      "type not listed here), never by `title` or `detail`.";
  for (const ProblemType& t : ProblemTypes()) {
    JsonTree one;
    one["const"] = t.type;
    one["title"] = t.title;
    one["description"] =
        std::to_string(t.status) + ": " + std::string(t.when) + ".";
    type["oneOf"].Push(std::move(one));
  }
  const auto member = [&p](std::string_view name, std::string_view json_type,
                           std::string_view description) -> JsonTree& {
    JsonTree& m = p[name];
    m["type"] = json_type;
    m["description"] = description;
    return m;
  };
  member("title", "string",
         "For people: the same for every problem of "
         "its type.");
  member("status", "integer", "The HTTP status.");
  member("detail", "string", "What is wrong and what to do about it.");
  member("instance", "string",
         "The request's target (empty for a request that could not be "
         "read).");
  member("requestId", "string", "The request's X-Request-Id.");
  member("field", "string",
         "The body field at fault, as a dotted path (\"comments[2].body\"); "
         "for a 403, the field a rule refused.");
  member("parameter", "string",
         "The query parameter or header at fault (invalid-parameter, "
         "idempotency-key-reused).");
  member("allowed", "array",
         "illegal-transition: the moves allowed now.")["items"]["type"] =
      "string";
  member("errors", "array",
         "Every problem of a catalogue, staff or rota body, at most 100.")
      ["items"] = SchemaRef(v1::FieldProblem::descriptor(), schemas);
  member("moreErrors", "integer",
         "How many problems were found beyond those in `errors`.")["minimum"] =
      1;
  member("currentVersion", "integer",
         "version-conflict: the record's version now.")["minimum"] = 1;
  schemas["Problem"] = std::move(problem);

  const auto status = [&schemas](std::string_view name, std::string_view value,
                                 std::string_view description) {
    JsonTree s;
    s["type"] = "object";
    s["description"] = description;
    s["required"] = JsonTree::Strings({"status"});
    s["properties"]["status"]["const"] = value;
    schemas[name] = std::move(s);
  };
  status("Health", "ok", "The daemon answers.");
  status("Readiness", "ready", "Writes can go through.");

  JsonTree doc;
  doc["type"] = "object";
  doc["description"] = "An OpenAPI 3.1 document: this one.";
  doc["required"] = JsonTree::Strings({"openapi", "info", "paths"});
  doc["properties"]["openapi"]["type"] = "string";
  doc["properties"]["info"]["type"] = "object";
  doc["properties"]["paths"]["type"] = "object";
  schemas["OpenApiDocument"] = std::move(doc);
}

}  // namespace helpdesk::http::internal
