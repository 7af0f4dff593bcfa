// The OpenAPI document against what it describes: the route table (every
// route has an entry, every entry a route, and the document's paths are the
// table's), the problems problem.cc makes, and the JSON proto/json.h
// writes, read with nlohmann/json (a reader we did not write) and held to
// the document's schemas by a small validator of the keywords the document
// uses. tests/openapi/ lints the same document with Redocly's CLI.

#include "daemon/http/openapi.h"

#include <google/protobuf/descriptor.h>
#include <google/protobuf/message.h>
#include <google/protobuf/timestamp.pb.h>
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <regex>
#include <set>
#include <string>
#include <vector>

#include "daemon/http/problem.h"
#include "daemon/http/route_docs.h"
#include "daemon/http/routes.h"
#include "proto/helpdesk.pb.h"
#include "proto/json.h"

namespace helpdesk::http {
namespace {

using google::protobuf::Descriptor;
using google::protobuf::FieldDescriptor;
using google::protobuf::Message;
using nlohmann::json;

const json& Document() {
  static const json kDocument = json::parse(OpenApiDocument());
  return kDocument;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(c));
  return out;
}

std::vector<std::string> Placeholders(std::string_view pattern) {
  std::vector<std::string> out;
  for (size_t at = pattern.find('{'); at != std::string_view::npos;
       at = pattern.find('{', at + 1))
    out.emplace_back(pattern.substr(at + 1, pattern.find('}', at) - at - 1));
  return out;
}

// ------------------------------------------------------------ a validator

// The JSON value `v` against `schema` of Document(): the keywords the
// document uses ($ref, oneOf, const, enum, type, pattern, format date-time,
// minimum, maximum, properties, additionalProperties, items, required). A
// member no schema names is a problem too: what the daemon writes must
// all be documented.
void Check(const json& v, const json& schema, const std::string& where,
           std::vector<std::string>& problems) {
  const auto fail = [&](const std::string& what) {
    problems.push_back(where + ": " + what + " (" + v.dump().substr(0, 80) +
                       ")");
  };
  if (schema.contains("$ref")) {
    const std::string ref = schema["$ref"];
    const json::json_pointer pointer(ref.substr(1));
    if (!Document().contains(pointer)) return fail("no " + ref);
    return Check(v, Document()[pointer], where, problems);
  }
  if (schema.contains("oneOf")) {
    int matched = 0;
    for (const json& one : schema["oneOf"]) {
      std::vector<std::string> mine;
      Check(v, one, where, mine);
      matched += mine.empty();
    }
    if (matched != 1) fail(std::to_string(matched) + " of oneOf match");
    return;
  }
  if (schema.contains("const") && v != schema["const"])
    fail("is not " + schema["const"].dump());
  if (schema.contains("enum") &&
      std::find(schema["enum"].begin(), schema["enum"].end(), v) ==
          schema["enum"].end())
    fail("is not one of " + schema["enum"].dump());
  const std::string type = schema.value("type", "");
  if (type == "string") {
    if (!v.is_string()) return fail("not a string");
    const std::string s = v;
    if (schema.contains("pattern") &&
        !std::regex_search(s, std::regex(schema["pattern"].get<std::string>())))
      fail("does not match " + schema["pattern"].dump());
    static const std::regex kTime(
        R"(^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$)");
    if (schema.value("format", "") == "date-time" &&
        !std::regex_match(s, kTime))
      fail("not an RFC 3339 time");
  } else if (type == "integer" || type == "number") {
    if (type == "integer" ? !v.is_number_integer() : !v.is_number())
      return fail("not an " + type);
    if (schema.contains("minimum") && v < schema["minimum"])
      fail("below the minimum");
    if (schema.contains("maximum") && v > schema["maximum"])
      fail("above the maximum");
  } else if (type == "boolean") {
    if (!v.is_boolean()) fail("not a boolean");
  } else if (type == "array") {
    if (!v.is_array()) return fail("not an array");
    for (size_t i = 0; i < v.size(); ++i)
      Check(v[i], schema["items"], where + "/" + std::to_string(i), problems);
  } else if (type == "object") {
    if (!v.is_object()) return fail("not an object");
    for (const auto& [key, member] : v.items()) {
      if (schema.contains("properties") && schema["properties"].contains(key))
        Check(member, schema["properties"][key], where + "/" + key, problems);
      else if (schema.contains("additionalProperties"))
        Check(member, schema["additionalProperties"], where + "/" + key,
              problems);
      else
        problems.push_back(where + "/" + key + ": not in the schema");
    }
    for (const json& name : schema.value("required", json::array()))
      if (!v.contains(name)) fail("has no " + name.dump());
  } else if (!schema.contains("const")) {
    fail("the schema has no type");
  }
}

std::vector<std::string> Problems(const json& v, const std::string& schema) {
  std::vector<std::string> problems;
  Check(v, {{"$ref", "#/components/schemas/" + schema}}, schema, problems);
  return problems;
}

// ------------------------------------------------------------ the table

TEST(RouteDocs, EveryRouteHasAnEntryAndEveryEntryARoute) {
  for (const Route& r : Routes()) {
    const RouteDoc* d = DocOf(r);
    EXPECT_NE(d, nullptr)
        << r.method << " " << r.pattern
        << " is in the route table but not documented: add its entry to "
           "daemon/http/route_docs*.cc";
  }
  std::set<std::pair<std::string_view, std::string_view>> entries;
  std::set<std::string_view> ids;
  for (const RouteDoc& d : RouteDocs()) {
    bool routed = false;
    for (const Route& r : Routes())
      routed = routed || (r.method == d.method && r.pattern == d.pattern);
    EXPECT_TRUE(routed) << d.method << " " << d.pattern
                        << " is documented but is no route of the table";
    EXPECT_TRUE(entries.insert({d.method, d.pattern}).second)
        << d.method << " " << d.pattern << " is documented twice";
    EXPECT_TRUE(ids.insert(d.operation_id).second) << d.operation_id;
    EXPECT_FALSE(d.summary.empty()) << d.operation_id;
    std::set<std::string_view> names;
    for (const QueryParam& p : d.query) {
      EXPECT_TRUE(names.insert(p.name).second) << d.operation_id << p.name;
      EXPECT_FALSE(p.description.empty()) << d.operation_id << " " << p.name;
    }
    EXPECT_TRUE(d.reads_query || d.query.empty()) << d.operation_id;
    EXPECT_EQ(d.query_names.size(), d.query.size()) << d.operation_id;
  }
}

TEST(OpenApi, ThePathsAreTheRouteTable) {
  const json& doc = Document();
  EXPECT_EQ(doc["openapi"], "3.1.0");
  std::set<std::pair<std::string, std::string>> want, got;
  for (const Route& r : Routes())
    want.insert({std::string(r.pattern), Lower(r.method)});
  for (const auto& [path, item] : doc["paths"].items())
    for (const auto& [method, op] : item.items()) got.insert({path, method});
  EXPECT_EQ(got, want);

  std::set<std::string> tags;
  for (const json& t : doc["tags"]) tags.insert(t["name"].get<std::string>());
  for (const Route& r : Routes()) {
    const RouteDoc* d = DocOf(r);
    if (d == nullptr) continue;
    const std::string where =
        std::string(r.method) + " " + std::string(r.pattern);
    const json& op = doc["paths"][std::string(r.pattern)][Lower(r.method)];
    EXPECT_EQ(op["operationId"].get<std::string>(), d->operation_id) << where;
    EXPECT_TRUE(tags.count(op["tags"][0].get<std::string>()))
        << where << ": an undefined tag";
    std::vector<std::string> path_params;
    std::set<std::string> query_params;
    for (const json& p : op["parameters"]) {
      if (!p.contains("in")) continue;  // a $ref to a header
      if (p["in"] == "path") path_params.push_back(p["name"]);
      if (p["in"] == "query") query_params.insert(p["name"]);
    }
    EXPECT_EQ(path_params, Placeholders(r.pattern)) << where;
    std::set<std::string> documented;
    bool token_in_url = false;
    for (const QueryParam& q : d->query) {
      if (q.credential)
        token_in_url = true;
      else
        documented.insert(std::string(q.name));
    }
    EXPECT_EQ(query_params, documented) << where;
    const bool open = (r.who & auth::kPublic) != 0;
    EXPECT_EQ(op["security"].empty(), open) << where;
    EXPECT_EQ(op["security"].dump().find("accessToken") != std::string::npos,
              token_in_url)
        << where;
    EXPECT_EQ(op.contains("requestBody"),
              d->request != nullptr || d->ignores_body)
        << where;
    if (r.method == "POST" || r.method == "PUT") {
      EXPECT_TRUE(op.contains("requestBody")) << where;
    }
    // Redocly's operation-2xx-response is off for the websocket alone.
    bool success = false;
    for (const auto& [status, response] : op["responses"].items())
      success = success || status.starts_with('2');
    EXPECT_EQ(success, d->operation_id != "openStream") << where;
  }
}

TEST(OpenApi, EveryReferenceResolves) {
  std::vector<std::string> missing;
  std::function<void(const json&)> walk = [&](const json& j) {
    if (j.is_object()) {
      if (j.contains("$ref")) {
        const std::string ref = j["$ref"];
        if (!ref.starts_with("#/") ||
            !Document().contains(json::json_pointer(ref.substr(1))))
          missing.push_back(ref);
      }
      for (const auto& [key, value] : j.items()) walk(value);
    } else if (j.is_array()) {
      for (const json& item : j) walk(item);
    }
  };
  walk(Document());
  EXPECT_TRUE(missing.empty()) << json(missing).dump();
}

// ------------------------------------------------------------ problems

TEST(OpenApi, EveryProblemTypeIsListedOnce) {
  std::set<std::string> listed;
  for (const json& one : Document()["components"]["schemas"]["Problem"]
                                   ["properties"]["type"]["oneOf"])
    EXPECT_TRUE(listed.insert(one["const"].get<std::string>()).second) << one;
  EXPECT_EQ(listed.size(), ProblemTypes().size());
  // Every Status code but kOk is its own kind, and so its own type.
  std::set<ProblemKind> kinds;
  for (int c = static_cast<int>(Code::kMalformedJson);
       c <= static_cast<int>(Code::kInternal); ++c) {
    const ProblemKind kind = KindOf(static_cast<Code>(c));
    EXPECT_TRUE(kinds.insert(kind).second) << c;
    EXPECT_TRUE(listed.count(std::string(TypeOf(kind).type))) << c;
  }
  for (const ProblemType& t : ProblemTypes()) {
    const Response r = Problem(t.kind, "what to fix", "/x", "r-1");
    EXPECT_EQ(r.status, t.status);
    EXPECT_EQ(r.content_type, "application/problem+json");
    const auto problems = Problems(json::parse(r.body), "Problem");
    EXPECT_TRUE(problems.empty()) << t.type << ": " << json(problems).dump();
  }
}

TEST(OpenApi, TheProblemSchemaNamesEveryMemberTheDaemonSends) {
  const Status answers[] = {
      Status::InvalidField("title", "field 'title' is required"),
      Status::InvalidParameter("limit", "'limit' must be 1 to 200"),
      Status::KeyReused("Idempotency-Key", "sent before with another body"),
      Status::IllegalTransition({"in_progress", "waiting"}, "not from new"),
      Status::VersionConflict(4, "the ticket changed"),
      Status::Invalid(
          "2 problems",
          {{"/services/0/id", "empty"}, {"/services/1/id", "empty"}}, 3),
      Status::Forbidden("X-CSRF-Token", "send the token"),
      Status::TooManyRequests(3, "wait"),
      Status::Unauthenticated("log in"),
  };
  std::set<std::string> members;
  for (const Status& s : answers) {
    const Response r = Problem(s, "/api/v1/tickets?limit=0", "r-1");
    const json body = json::parse(r.body);
    for (const auto& [key, value] : body.items()) members.insert(key);
    const auto problems = Problems(body, "Problem");
    EXPECT_TRUE(problems.empty()) << r.body << ": " << json(problems).dump();
  }
  // Each extension member the schema names was seen in an answer.
  for (const auto& [key, value] :
       Document()["components"]["schemas"]["Problem"]["properties"].items())
    EXPECT_TRUE(members.count(key)) << key << " is documented, never sent";
}

// ------------------------------------------------------------ bodies

// Sets every field of `m` to a value that is not its default, each message
// field down to a depth, choosing member `variant` of each oneof (modulo
// its size), as an answer may hold it. What the daemon never answers
// (Desk::Public clears the password hash; a read back fills an
// explanation and clears the mark that it continues) is left out.
void Fill(Message& m, int variant, int depth) {
  const Descriptor* d = m.GetDescriptor();
  const auto* r = m.GetReflection();
  if (d->full_name() == "google.protobuf.Timestamp") {
    auto& ts = static_cast<google::protobuf::Timestamp&>(m);
    ts.set_seconds(1776240000);
    ts.set_nanos(500000000);
    return;
  }
  for (int i = 0; i < d->field_count(); ++i) {
    const FieldDescriptor* f = d->field(i);
    if (f->full_name() == "helpdesk.v1.Account.password_hash" ||
        f->full_name() == "helpdesk.v1.Assignment.explanation_continues")
      continue;
    if (const auto* oneof = f->real_containing_oneof();
        oneof && f->index_in_oneof() != variant % oneof->field_count())
      continue;
    const int copies = f->is_repeated() ? 2 : 1;
    for (int c = 0; c < copies; ++c) {
      const bool add = f->is_repeated();
      switch (f->cpp_type()) {
        case FieldDescriptor::CPPTYPE_STRING:
          add ? r->AddString(&m, f, "tekst " + std::to_string(c))
              : r->SetString(&m, f, "tekst");
          break;
        case FieldDescriptor::CPPTYPE_BOOL:
          add ? r->AddBool(&m, f, true) : r->SetBool(&m, f, true);
          break;
        case FieldDescriptor::CPPTYPE_INT32:
          add ? r->AddInt32(&m, f, -7) : r->SetInt32(&m, f, -7);
          break;
        case FieldDescriptor::CPPTYPE_UINT32:
          add ? r->AddUInt32(&m, f, 7) : r->SetUInt32(&m, f, 7);
          break;
        case FieldDescriptor::CPPTYPE_INT64:
          add ? r->AddInt64(&m, f, -(int64_t{1} << 60))
              : r->SetInt64(&m, f, -(int64_t{1} << 60));
          break;
        case FieldDescriptor::CPPTYPE_UINT64:
          add ? r->AddUInt64(&m, f, uint64_t{1} << 63)
              : r->SetUInt64(&m, f, uint64_t{1} << 63);
          break;
        case FieldDescriptor::CPPTYPE_DOUBLE:
          add ? r->AddDouble(&m, f, 0.25) : r->SetDouble(&m, f, 0.25);
          break;
        case FieldDescriptor::CPPTYPE_FLOAT:
          add ? r->AddFloat(&m, f, 0.5f) : r->SetFloat(&m, f, 0.5f);
          break;
        case FieldDescriptor::CPPTYPE_ENUM: {
          const int values = f->enum_type()->value_count() - 1;  // not 0
          if (values == 0) break;
          const int n =
              f->enum_type()->value(1 + (variant + c) % values)->number();
          add ? r->AddEnumValue(&m, f, n) : r->SetEnumValue(&m, f, n);
          break;
        }
        case FieldDescriptor::CPPTYPE_MESSAGE:
          if (depth == 0) break;
          Fill(add ? *r->AddMessage(&m, f) : *r->MutableMessage(&m, f), variant,
               f->is_map() ? 0 : depth - 1);
          if (f->is_map()) {
            // Two entries need two keys.
            Message& entry = *r->MutableRepeatedMessage(&m, f, c);
            const FieldDescriptor* key = f->message_type()->map_key();
            entry.GetReflection()->SetString(&entry, key,
                                             "nøkkel-" + std::to_string(c));
          }
          break;
      }
    }
  }
}

TEST(OpenApi, EveryBodyIsWhatTheSchemaSays) {
  std::map<std::string, const Descriptor*> bodies;
  std::set<const Descriptor*> requests;
  for (const RouteDoc& d : RouteDocs()) {
    if (d.request) bodies[d.request->full_name()] = d.request;
    if (d.request) requests.insert(d.request);
    for (const AnswerDoc& a : d.answers)
      if (a.message) bodies[a.message->full_name()] = a.message;
  }
  ASSERT_GT(bodies.size(), 30u);
  for (const auto& [name, descriptor] : bodies) {
    // The longest oneof (an event's body) decides how many variants.
    for (int variant = 0; variant < 20; ++variant) {
      std::unique_ptr<Message> m(
          google::protobuf::MessageFactory::generated_factory()
              ->GetPrototype(descriptor)
              ->New());
      Fill(*m, variant, 4);
      const std::string text = proto::ToJson(*m);
      const json body = json::parse(text, nullptr, false);
      ASSERT_FALSE(body.is_discarded()) << name << ": " << text;
      const auto problems = Problems(body, descriptor->name());
      EXPECT_TRUE(problems.empty())
          << name << " variant " << variant << ": " << json(problems).dump();
      // And what a request takes reads as written (a map is answered
      // only: no request takes one).
      if (!requests.count(descriptor)) continue;
      std::unique_ptr<Message> back(m->New());
      const Status read = proto::ParseJson(text, *back);
      EXPECT_TRUE(read.ok()) << name << ": " << read.message();
    }
  }
}

TEST(OpenApi, SchemasSayHowValuesAreWritten) {
  const json& schemas = Document()["components"]["schemas"];
  const json& ticket = schemas["Ticket"]["properties"];
  EXPECT_EQ(ticket["createdAt"]["format"], "date-time");
  EXPECT_EQ(ticket["status"]["$ref"], "#/components/schemas/TicketStatus");
  EXPECT_EQ(ticket["commentsNext"]["type"], "string");  // lowerCamelCase
  EXPECT_EQ(schemas["Event"]["properties"]["seq"]["type"], "string");
  EXPECT_EQ(schemas["TicketStatus"]["enum"][0], "new");
  EXPECT_FALSE(schemas["Account"]["properties"].contains("passwordHash"));
  EXPECT_EQ(schemas["Account"]["properties"]["password"]["writeOnly"], true);
  // The schema's comments are the descriptions.
  EXPECT_NE(ticket["id"].value("description", "").find("ticket number"),
            std::string::npos)
      << ticket["id"];
}

TEST(OpenApi, TheDocumentIsBuiltOnceWithAStrongTag) {
  EXPECT_EQ(&OpenApiDocument(), &OpenApiDocument());
  const std::string_view tag = OpenApiETag();
  ASSERT_GE(tag.size(), 3u);
  EXPECT_EQ(tag.front(), '"');
  EXPECT_EQ(tag.back(), '"');
  EXPECT_EQ(tag.substr(0, 2).find("W/"), std::string_view::npos);
}

}  // namespace
}  // namespace helpdesk::http
