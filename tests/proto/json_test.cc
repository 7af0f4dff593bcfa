#include "proto/json.h"

#include <gtest/gtest.h>

#include "proto/helpdesk.pb.h"

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
            Code::kMalformedJson);
  EXPECT_EQ(ParseJson("{\"title\":\"ok\"} trailing", req).code(),
            Code::kMalformedJson);
}

}  // namespace
}  // namespace helpdesk::proto
