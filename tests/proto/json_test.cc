#include "proto/json.h"

#include <google/protobuf/util/time_util.h>
#include <gtest/gtest.h>

#include <cstdint>
#include <nlohmann/json.hpp>
#include <random>
#include <utility>
#include <vector>

#include "proto/helpdesk.pb.h"
#include "proto/utf8.h"

namespace helpdesk::proto {
namespace {

TEST(Json, ReadsCamelCaseAndPlainLowercaseEnums) {
  v1::CreateTicketRequest req;
  ASSERT_TRUE(ParseJson(R"({"title":"Skriver","serviceId":"printer",
                            "priority":"high"})",
                        req)
                  .ok());
  EXPECT_EQ(req.title(), "Skriver");
  EXPECT_EQ(req.service_id(), "printer");
  EXPECT_EQ(req.priority(), v1::PRIORITY_HIGH);
  v1::CreateTicketRequest by_proto_name;
  ASSERT_TRUE(ParseJson(R"({"service_id":"printer"})", by_proto_name).ok());
  EXPECT_EQ(by_proto_name.service_id(), "printer");
}

TEST(Json, WritesEveryScalarAndTheHouseEnumSpelling) {
  v1::Ticket t;
  t.set_id("7");
  t.set_status(v1::TICKET_STATUS_WAITING_ON_USER);
  t.set_version(3);
  std::string json = ToJson(t);
  EXPECT_NE(json.find(R"("status":"waiting_on_user")"), std::string::npos);
  EXPECT_NE(json.find(R"("assignee":"")"), std::string::npos);  // default shown
  EXPECT_NE(json.find(R"("version":3)"), std::string::npos);
  EXPECT_EQ(json.find("createdAt"), std::string::npos);  // unset message
  v1::Comment c;
  c.set_seq(12345678901234ull);
  EXPECT_NE(ToJson(c).find(R"("seq":"12345678901234")"), std::string::npos);
}

TEST(Json, EscapesStringsSafely) {
  v1::Comment c;
  c.set_body("\"quoted\" \\ line\nbreak \x01 æøå");
  std::string json = ToJson(c);
  EXPECT_NE(json.find(R"(\"quoted\" \\ line\nbreak \u0001 æøå)"),
            std::string::npos)
      << json;
}

TEST(Json, RoundTripsAnEvent) {
  v1::Event e;
  e.set_seq(9);
  e.set_actor("ola");
  e.mutable_at()->set_seconds(1767225600);
  e.mutable_status_changed()->set_to(v1::TICKET_STATUS_RESOLVED);
  v1::Event back;
  ASSERT_TRUE(ParseJson(ToJson(e), back).ok()) << ToJson(e);
  EXPECT_EQ(back.SerializeAsString(), e.SerializeAsString());
}

struct BadCase {
  const char* body;
  Code code;
  const char* field;
};

TEST(Json, RejectsBadInputNamingTheField) {
  const BadCase cases[] = {
      {"{", Code::kMalformedJson, ""},
      {"", Code::kMalformedJson, ""},
      {"[1,2]", Code::kMalformedJson, ""},
      {"\"title\"", Code::kMalformedJson, ""},
      {R"({"title": 7})", Code::kInvalidField, "title"},
      {R"({"title": ["a"]})", Code::kInvalidField, "title"},
      {R"({"priority": 5})", Code::kInvalidField, "priority"},
      {R"({"priority": "urgent"})", Code::kInvalidField, "priority"},
      {R"({"priority": "unspecified"})", Code::kInvalidField, "priority"},
      {R"({"municiplaity": "rollag"})", Code::kInvalidField, "municiplaity"},
  };
  for (const auto& c : cases) {
    v1::CreateTicketRequest req;
    Status s = ParseJson(c.body, req);
    EXPECT_EQ(s.code(), c.code) << c.body;
    EXPECT_EQ(s.field(), c.field) << c.body;
    EXPECT_FALSE(s.message().empty());
  }
  v1::ChangeStatusRequest change;
  Status s = ParseJson(R"({"version": 1.5})", change);
  EXPECT_EQ(s.field(), "version");
  s = ParseJson(R"({"version": -1})", change);
  EXPECT_EQ(s.field(), "version");
  s = ParseJson(R"({"version": 4294967296})", change);
  EXPECT_EQ(s.field(), "version");
  EXPECT_TRUE(ParseJson(R"({"version": "4"})", change).ok());
  EXPECT_EQ(change.version(), 4u);
}

TEST(Json, UnknownFieldListsTheKnownOnes) {
  v1::AddCommentRequest req;
  Status s = ParseJson(R"({"text": "hei"})", req);
  EXPECT_NE(s.message().find("author, body"), std::string::npos) << s.message();
}

// Found by fuzzing: numbers just past a type's range, written as
// fractions-free doubles, must be refused, not cast (2^64 to uint64_t is
// undefined); and digit strings that upset RapidJSON's full-precision
// path are plain numbers or plain errors.
TEST(Json, NumbersJustPastTheRangeAreRefused) {
  v1::Ticket t;
  const Status u64 =
      ParseJson(R"({"comments":[{"seq": 18446744073709551616}]})", t,
                {.ignore_unknown_fields = true});
  EXPECT_EQ(u64.code(), Code::kInvalidField) << u64.message();
  EXPECT_NE(u64.message().find("comments[0].seq"), std::string::npos)
      << u64.message();
  v1::Ticket max;
  EXPECT_TRUE(ParseJson(R"({"comments":[{"seq": 18446744073709551615}]})", max,
                        {.ignore_unknown_fields = true})
                  .ok());
  EXPECT_EQ(max.comments(0).seq(), 18446744073709551615u);
  v1::Ticket odd;
  const Status digits =
      ParseJson("[184467440737095516157", odd, {.ignore_unknown_fields = true});
  EXPECT_EQ(digits.code(), Code::kMalformedJson) << digits.message();
}

TEST(Json, NullMeansNotGiven) {
  v1::CreateTicketRequest req;
  ASSERT_TRUE(ParseJson(R"({"location": null})", req).ok());
  EXPECT_TRUE(req.location().empty());
}

}  // namespace
}  // namespace helpdesk::proto

namespace helpdesk::proto {
namespace {

TEST(Json, DeepNestingAndBadUtf8AreRefusedNotCrashed) {
  v1::CreateTicketRequest req;
  std::string deep(60000, '[');
  deep += std::string(60000, ']');
  EXPECT_EQ(ParseJson(deep, req).code(), Code::kMalformedJson);
  std::string objects;
  for (int i = 0; i < 20000; ++i) objects += "{\"title\":";
  objects += "1";
  for (int i = 0; i < 20000; ++i) objects += "}";
  EXPECT_EQ(ParseJson(objects, req).code(), Code::kInvalidField);
  EXPECT_EQ(ParseJson("{\"title\":\"\xff\xfe\"}", req).code(),
            Code::kInvalidField);
  EXPECT_EQ(ParseJson("{\"title\":\"ok\"} trailing", req).code(),
            Code::kMalformedJson);
}

// Strings a client sends that are not UTF-8 once decoded: protobuf would
// store them and then refuse to read the record back. Each is refused,
// naming the field, and what was parsed is never half-filled for use.
TEST(Json, StringsThatAreNotUtf8AreRefusedNamingTheField) {
  const std::pair<std::string, std::string> cases[] = {
      {R"({"title":"lone low \udc00 surrogate"})", "title"},
      {R"({"title":"\udfff"})", "title"},
      {"{\"title\":\"j\xf8rgen\"}", "title"},         // Latin-1
      {"{\"title\":\"\xc0\xaf\"}", "title"},          // overlong '/'
      {"{\"title\":\"\xed\xa0\x80\"}", "title"},      // raw surrogate
      {"{\"title\":\"\xf4\x90\x80\x80\"}", "title"},  // > U+10FFFF
      {"{\"priority\":\"h\xe9gh\"}", "priority"},     // an enum
      {"{\"location\":\"\\udc00\"}", "location"},
  };
  for (const auto& [body, field] : cases) {
    v1::CreateTicketRequest req;
    Status s = ParseJson(body, req);
    EXPECT_EQ(s.code(), Code::kInvalidField) << body;
    EXPECT_EQ(s.field(), field) << body;
    EXPECT_NE(s.message().find("UTF-8"), std::string::npos) << s.message();
    EXPECT_TRUE(IsValidUtf8(s.message())) << body;
  }
  // At depth, in a list: the dotted path.
  v1::Catalogue c;
  Status s = ParseJson(
      R"({"services":[{"id":"a","name":"ok"},{"id":"b","name":"x\udc00"}]})",
      c);
  EXPECT_EQ(s.field(), "services[1].name") << s.message();
  s = ParseJson(R"({"services":[{"id":"a","skills":["ok","\udc00"]}]})", c);
  EXPECT_EQ(s.field(), "services[0].skills[1]") << s.message();
  // A field name that is not UTF-8 is named as well as it can be.
  v1::CreateTicketRequest req;
  s = ParseJson("{\"ti\xfftle\":\"x\"}", req);
  EXPECT_EQ(s.code(), Code::kInvalidField);
  EXPECT_EQ(s.field(), "ti\xEF\xBF\xBDtle");
  // A lone high surrogate is no JSON string at all (RapidJSON refuses it).
  EXPECT_EQ(ParseJson(R"({"title":"\ud800"})", req).code(),
            Code::kMalformedJson);
}

TEST(Json, WholeCharactersInEscapesOrRawAreText) {
  v1::CreateTicketRequest req;
  ASSERT_TRUE(
      ParseJson(R"({"title":"\ud83d\ude00 \u00f8 jørgen \u0000"})", req).ok());
  EXPECT_EQ(req.title(),
            std::string("\xF0\x9F\x98\x80 \xC3\xB8 j\xC3\xB8rgen \0", 17));
}

// What is echoed in an answer (a path, a Content-Type) may be any bytes:
// the JSON written is always valid UTF-8 that a strict parser reads back,
// with U+FFFD for what was not text.
TEST(Json, AppendJsonStringAlwaysWritesValidJson) {
  std::string out;
  AppendJsonString(out, "/api/v1/x\xff\xc3\xa6\xed\xa0\x80\x7f\x01\"\\");
  EXPECT_EQ(out,
            "\"/api/v1/x\\ufffd\xc3\xa6\\ufffd\\ufffd\\ufffd\\u007f\\u0001"
            "\\\"\\\\\"");
  std::mt19937 rng(11);
  for (int round = 0; round < 2000; ++round) {
    std::string raw(rng() % 40, '\0');
    for (char& ch : raw) ch = static_cast<char>(rng());
    std::string json;
    AppendJsonString(json, raw);
    ASSERT_TRUE(IsValidUtf8(json));
    auto back = nlohmann::json::parse(json, nullptr, false);
    ASSERT_TRUE(back.is_string()) << json;
    // Text comes back as it was; anything else as U+FFFD.
    EXPECT_EQ(back.get<std::string>(), ToValidUtf8(raw));
  }
}

// Every ticket answer carries its timestamps in the spelling protobuf's
// TimeUtil gives (RFC 3339, UTC, 0/3/6/9 digits of fraction): clients
// and the pages parse them. The answer writes them itself; it must spell
// each exactly as TimeUtil does, across the whole range it takes.
TEST(Json, WritesTimestampsAsTimeUtilDoes) {
  using google::protobuf::util::TimeUtil;
  std::mt19937_64 rng(20261202);
  std::uniform_int_distribution<int64_t> seconds(
      TimeUtil::kTimestampMinSeconds, TimeUtil::kTimestampMaxSeconds);
  std::uniform_int_distribution<int32_t> nanos(0, 999999999);
  std::vector<std::pair<int64_t, int32_t>> cases = {
      {0, 0},
      {-1, 999999999},
      {TimeUtil::kTimestampMinSeconds, 0},
      {TimeUtil::kTimestampMaxSeconds, 999999999},
      {951782400, 0},           // 2000-02-29
      {1776240000, 123000000},  // milliseconds
      {1776240000, 123456000},  // microseconds
      {1776240000, 1},          // nanoseconds
      {-62135596799, 500000000}};
  for (int i = 0; i < 20000; ++i) {
    int32_t n = nanos(rng);
    if (i % 4 == 0) n = 0;
    if (i % 4 == 1) n -= n % 1000000;
    if (i % 4 == 2) n -= n % 1000;
    cases.emplace_back(seconds(rng), n);
  }
  for (const auto& [s, n] : cases) {
    google::protobuf::Timestamp t;
    t.set_seconds(s);
    t.set_nanos(n);
    ASSERT_EQ(ToJson(t), '"' + TimeUtil::ToString(t) + '"')
        << s << "s " << n << "ns";
  }
}

// Out of TimeUtil's range a timestamp is still written as TimeUtil writes
// it (the store never holds one; an answer must not crash on one).
TEST(Json, WritesATimestampOutOfRangeAsTimeUtilDoes) {
  using google::protobuf::util::TimeUtil;
  google::protobuf::Timestamp t;
  t.set_seconds(TimeUtil::kTimestampMaxSeconds + 1);
  EXPECT_EQ(ToJson(t), '"' + TimeUtil::ToString(t) + '"');
}

}  // namespace
}  // namespace helpdesk::proto
