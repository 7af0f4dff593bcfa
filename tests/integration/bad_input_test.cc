// Every kind of bad input gets a problem+json that says what to fix, and
// changes nothing: after each bad request the event log and every ticket's
// version, status and comment count are as before.

#include <functional>
#include <map>
#include <set>
#include <sstream>

#include "tests/integration/fixture.h"

namespace helpdesk::testing {
namespace {

std::set<std::string> AllowSet(const HttpResponse& r) {
  std::set<std::string> methods;
  std::stringstream ss(r.header("allow"));
  std::string m;
  while (std::getline(ss, m, ',')) {
    m.erase(0, m.find_first_not_of(' '));
    m.erase(m.find_last_not_of(' ') + 1);
    if (!m.empty()) methods.insert(m);
  }
  return methods;
}

class BadInput : public DaemonTest {
 protected:
  void SetUp() override {
    DaemonTest::SetUp();
    if (HasFatalFailure()) return;
    // Ticket 1, so updates have something to hit: 'assigned' at version 2
    // (the dispatcher gave it to someone as it was filed).
    json t = Create();
    ASSERT_EQ(t["version"], 2) << t.dump();
    ASSERT_EQ(t["status"], "assigned") << t.dump();
    assignee_ = t["assignee"];
    before_ = Snapshot();
  }

  // A problem with this status and type, and nothing written.
  void ExpectRejected(const HttpResponse& r, int status,
                      const std::string& type, const std::string& what) {
    SCOPED_TRACE(what);
    ExpectProblem(r, status, type);
    EXPECT_EQ(Snapshot(), before_) << "a rejected request wrote something";
  }

  // A 422 naming `field`, with the field in the detail, and nothing written.
  void ExpectInvalidField(const HttpResponse& r, const std::string& field,
                          const std::string& what) {
    ExpectRejected(r, 422, "/problems/invalid-field", what);
    json p = json::parse(r.body, nullptr, false);
    if (!p.is_object()) return;
    EXPECT_EQ(p.value("field", ""), field) << what << " -> " << r.body;
    EXPECT_NE(p.value("detail", "").find(field), std::string::npos)
        << what << " -> " << r.body;
  }

  // A 403 naming `field` (one naming someone other than the caller), and
  // nothing written.
  void ExpectForbiddenField(const HttpResponse& r, const std::string& field,
                            const std::string& what) {
    ExpectRejected(r, 403, "/problems/forbidden", what);
    json p = json::parse(r.body, nullptr, false);
    if (!p.is_object()) return;
    EXPECT_EQ(p.value("field", ""), field) << what << " -> " << r.body;
    EXPECT_NE(p.value("detail", "").find(field), std::string::npos)
        << what << " -> " << r.body;
  }

  // A 422 for `field` sending the client to /assign or /take, and nothing
  // written: a status change cannot give a ticket to anyone.
  void ExpectSentToAssign(const HttpResponse& r, const std::string& field,
                          const std::string& what) {
    ExpectRejected(r, 422, "/problems/invalid-field", what);
    json p = json::parse(r.body, nullptr, false);
    if (!p.is_object()) return;
    EXPECT_EQ(p.value("field", ""), field) << what << " -> " << r.body;
    EXPECT_NE(p.value("detail", "").find("/api/v1/tickets/1/assign"),
              std::string::npos)
        << what << " -> " << r.body;
  }

  void ExpectBadParameter(const std::string& target,
                          const std::string& parameter) {
    HttpResponse r = client_->Get(target);
    ExpectRejected(r, 400, "/problems/invalid-parameter", target);
    json p = json::parse(r.body, nullptr, false);
    if (p.is_object() && !parameter.empty()) {
      EXPECT_EQ(p.value("parameter", ""), parameter)
          << target << " -> " << r.body;
    }
  }

  std::string before_;
  std::string assignee_;  // ticket 1's
};

TEST_F(BadInput, BodiesThatAreNotAJsonObjectAre400) {
  for (const char* body :
       {"{", "", "not json", "{\"title\":}", "{\"title\":\"a\"} trailing",
        "null", "42", "true", "[1,2]", "\"a string\"", "{'title':'x'}"}) {
    for (const char* target :
         {"/api/v1/tickets", "/api/v1/tickets/1/status",
          "/api/v1/tickets/1/comments", "/api/v1/tickets/1/assign",
          "/api/v1/tickets/1/take"}) {
      ExpectRejected(client_->Post(target, body), 400,
                     "/problems/malformed-json",
                     std::string(target) + " <- '" + body + "'");
    }
  }
}

TEST_F(BadInput, CreateFieldProblemsAre422NamingTheField) {
  struct Case {
    std::function<void(json&)> mutate;
    std::string field;
  };
  std::vector<Case> cases = {
      // Missing or empty required fields.
      {[](json& j) { j.erase("title"); }, "title"},
      {[](json& j) { j["title"] = ""; }, "title"},
      {[](json& j) { j["title"] = nullptr; }, "title"},
      {[](json& j) { j.erase("description"); }, "description"},
      {[](json& j) { j["description"] = ""; }, "description"},
      {[](json& j) { j.erase("municipality"); }, "municipality"},
      {[](json& j) { j["municipality"] = ""; }, "municipality"},
      {[](json& j) { j.erase("serviceId"); }, "serviceId"},
      {[](json& j) { j["serviceId"] = "   "; }, "serviceId"},
      // (No reporter is no problem: staff filing one without are its
      // reporter, and so is an employee.)
      // Wrong types.
      {[](json& j) { j["title"] = 7; }, "title"},
      {[](json& j) { j["title"] = true; }, "title"},
      {[](json& j) { j["description"] = json::array({"a"}); }, "description"},
      {[](json& j) { j["reporter"] = json::object(); }, "reporter"},
      {[](json& j) { j["priority"] = 5; }, "priority"},
      {[](json& j) { j["priority"] = 2; }, "priority"},  // "high" as number
      // Too long (the README names the case without a number; 10 000 is
      // beyond any sane title but under max_body_bytes).
      {[](json& j) { j["title"] = std::string(10000, 'x'); }, "title"},
      // Unknown field, municipality, location and enum value.
      {[](json& j) { j["municiplaity"] = "rollag"; }, "municiplaity"},
      {[](json& j) { j["municipality"] = "oslo"; }, "municipality"},
      {[](json& j) { j["location"] = "tinn-radhus"; }, "location"},  // Tinn's
      {[](json& j) { j["location"] = "nowhere"; }, "location"},
      {[](json& j) { j["priority"] = "urgent"; }, "priority"},
      {[](json& j) { j["priority"] = "unspecified"; }, "priority"},
      {[](json& j) { j["priority"] = "HIGH"; }, "priority"},
  };
  for (const auto& c : cases) {
    json body = GoodTicket();
    c.mutate(body);
    ExpectInvalidField(client_->Post("/api/v1/tickets", body.dump()), c.field,
                       body.dump().substr(0, 300));
  }
}

TEST_F(BadInput, BadStatusChangesAndCommentsChangeNothing) {
  const std::string status = "/api/v1/tickets/1/status";
  const std::string comments = "/api/v1/tickets/1/comments";
  ExpectInvalidField(
      client_->Post(status, R"({"status":"flying","version":2})"), "status",
      "unknown status");
  ExpectInvalidField(
      client_->Post(status, R"({"status":"unspecified","version":2})"),
      "status", "status 0");
  ExpectInvalidField(client_->Post(status, R"({"version":2})"), "status",
                     "no status");
  // Enums are lowercase strings on the wire, never numbers (3 would be
  // "in_progress" in plain protobuf JSON, and a legal move here).
  ExpectInvalidField(client_->Post(status, R"({"status":3,"version":2})"),
                     "status", "status as a number");
  // Assignment is not a status change: 'assigned' and an assignee are
  // refused whatever else the request says, and point at /assign.
  ExpectSentToAssign(
      client_->Post(status, R"({"status":"assigned","version":2})"), "status",
      "to assigned");
  ExpectSentToAssign(
      client_->Post(
          status,
          R"({"status":"assigned","assignee":"kari.haugen","version":2})"),
      "assignee", "to assigned with an assignee");
  ExpectSentToAssign(
      client_->Post(
          status,
          R"({"status":"in_progress","assignee":"kari.haugen","version":2})"),
      "assignee", "another status with an assignee");
  ExpectSentToAssign(
      client_->Post(status, R"({"status":"assigned","version":1})"), "status",
      "to assigned from a stale version");
  ExpectInvalidField(
      client_->Post(status, R"({"status":"in_progress","version":2,"x":1})"),
      "x", "unknown field");
  ExpectInvalidField(
      client_->Post(status, R"({"status":"in_progress","version":"x"})"),
      "version", "version of the wrong type");
  ExpectInvalidField(client_->Post(comments, R"({})"), "body",
                     "comment without body");
  ExpectInvalidField(client_->Post(comments, R"({"body":""})"), "body",
                     "empty comment");
  // The author is who is logged in: naming someone else is forbidden.
  ExpectForbiddenField(
      client_->Post(comments, R"({"author":"someone.else","body":"hei"})"),
      "author", "comment by someone else");
  ExpectForbiddenField(
      client_->Post(status,
                    R"({"status":"in_progress","version":2,"actor":"a"})"),
      "actor", "status change by someone else");
  ExpectInvalidField(client_->Post(comments, R"({"body":7})"), "body",
                     "comment body of the wrong type");
  ExpectInvalidField(client_->Post(comments, R"({"body":"b","extra":true})"),
                     "extra", "unknown field in a comment");
  ExpectRejected(client_->Post("/api/v1/tickets/99/status",
                               R"({"status":"in_progress","version":1})"),
                 404, "/problems/not-found", "status of an unknown ticket");
  ExpectRejected(
      client_->Post("/api/v1/tickets/99/comments", R"({"body":"b"})"), 404,
      "/problems/not-found", "comment on an unknown ticket");
  // Version conflicts, a missing version and illegal moves are rejected
  // without a write as well (their bodies are checked in lifecycle_test).
  ExpectRejected(
      client_->Post(status, R"({"status":"in_progress","version":1})"), 409,
      "/problems/version-conflict", "stale version");
  ExpectRejected(client_->Post(status, R"({"status":"in_progress"})"), 428,
                 "/problems/version-required", "no version");
  ExpectRejected(client_->Post(status, R"({"status":"closed","version":2})"),
                 409, "/problems/illegal-transition", "assigned -> closed");
  ExpectRejected(client_->Post(status, R"({"status":"in_progress"})",
                               {{"If-Match", "\"7\""}}),
                 409, "/problems/version-conflict", "stale If-Match");
}

TEST_F(BadInput, BadAssignsAndTakesChangeNothing) {
  const std::string assign = "/api/v1/tickets/1/assign";
  const std::string take = "/api/v1/tickets/1/take";
  const std::map<std::string, std::string> dispatcher = {
      {"X-Actor", "ole.kristiansen"}};
  ExpectInvalidField(
      client_->Post(assign, R"({"reason":"x","version":2})", dispatcher),
      "assignee", "assign to no one");
  ExpectInvalidField(
      client_->Post(assign, R"({"assignee":"kari.haugen","version":2})",
                    dispatcher),
      "reason", "assign without a reason");
  ExpectInvalidField(
      client_->Post(
          assign,
          R"({"assignee":"kari.haugen","reason":"x","version":2,"x":1})",
          dispatcher),
      "x", "unknown field in an assign");
  ExpectInvalidField(
      client_->Post(assign,
                    R"({"assignee":"kari.haugen","reason":"x","version":"x"})",
                    dispatcher),
      "version", "assign version of the wrong type");
  HttpResponse stranger = client_->Post(
      assign, R"({"assignee":"no.such.person","reason":"x","version":2})",
      dispatcher);
  ExpectRejected(stranger, 422, "/problems/invalid-field",
                 "assign to someone not on the staff");
  EXPECT_EQ(Parse(stranger).value("field", ""), "assignee") << stranger.body;
  ExpectRejected(
      client_->Post(
          assign,
          json({{"assignee", assignee_}, {"reason", "x"}, {"version", 2}})
              .dump(),
          dispatcher),
      409, "/problems/illegal-transition", "assign to the one who has it");
  ExpectRejected(
      client_->Post(assign, R"({"assignee":"kari.haugen","reason":"x"})",
                    dispatcher),
      428, "/problems/version-required", "assign without a version");
  ExpectRejected(
      client_->Post(assign,
                    R"({"assignee":"kari.haugen","reason":"x","version":1})",
                    dispatcher),
      409, "/problems/version-conflict", "assign from a stale version");
  ExpectRejected(
      client_->Post("/api/v1/tickets/99/assign",
                    R"({"assignee":"kari.haugen","reason":"x","version":1})",
                    dispatcher),
      404, "/problems/not-found", "assign an unknown ticket");
  // Who takes it is who is logged in, as their staff record: an account
  // linked to none (the desk's) takes nothing, and a take naming someone
  // else is forbidden.
  ExpectRejected(client_->Post(take, R"({"version":2})"), 403,
                 "/problems/forbidden", "take by an account with no staff");
  ExpectForbiddenField(client_->Post(take, R"({"version":2,"actor":"a"})",
                                     {{"X-Actor", "hanne.lie"}}),
                       "actor", "take naming someone else");
  ExpectForbiddenField(
      client_->Post(assign,
                    R"({"assignee":"kari.haugen","reason":"x","version":2,)"
                    R"("actor":"kari.haugen"})",
                    dispatcher),
      "actor", "assign naming someone else");
  ExpectInvalidField(
      client_->Post(take, R"({"version":2,"x":1})", {{"X-Actor", "hanne.lie"}}),
      "x", "unknown field in a take");
  ExpectRejected(
      client_->Post(take, R"({"version":2})", {{"X-Actor", assignee_}}), 409,
      "/problems/illegal-transition", "take by the one who has it");
  ExpectRejected(client_->Post(take, "{}", {{"X-Actor", "hanne.lie"}}), 428,
                 "/problems/version-required", "take without a version");
  ExpectRejected(
      client_->Post(take, R"({"version":1})", {{"X-Actor", "hanne.lie"}}), 409,
      "/problems/version-conflict", "take from a stale version");
  ExpectRejected(client_->Post("/api/v1/tickets/99/take", R"({"version":1})",
                               {{"X-Actor", "hanne.lie"}}),
                 404, "/problems/not-found", "take an unknown ticket");
}

TEST_F(BadInput, ABodyThatIsNotJsonIs415) {
  ExpectRejected(client_->Post("/api/v1/tickets", GoodTicket().dump(),
                               {{"Content-Type", "text/plain"}}),
                 415, "/problems/unsupported-media-type", "text/plain");
  ExpectRejected(
      client_->Post("/api/v1/tickets/1/comments", R"({"body":"b"})",
                    {{"Content-Type", "application/x-www-form-urlencoded"}}),
      415, "/problems/unsupported-media-type", "form");
}

TEST_F(BadInput, UnknownRoutesAndTicketsAre404) {
  for (const char* target :
       {"/api/v1/nothing", "//", "/api/v2/tickets", "/api/v1/tickets/42",
        "/api/v1/tickets/0", "/api/v1/tickets/abc", "/api/v1/tickets/-1",
        "/api/v1/tickets/99999999999999999999999999", "/api/v1/tickets/1/nope",
        "/api/v1/tickets/42/events"}) {
    ExpectRejected(client_->Get(target), 404, "/problems/not-found", target);
  }
}

TEST_F(BadInput, WrongMethodsAre405WithAllow) {
  struct Case {
    const char* method;
    const char* target;
    std::set<std::string> must_allow;
  };
  for (const Case& c : std::vector<Case>{
           {"DELETE", "/api/v1/tickets/1", {"GET"}},
           {"PUT", "/api/v1/tickets", {"GET", "POST"}},
           {"PATCH", "/api/v1/tickets/1", {"GET"}},
           {"GET", "/api/v1/tickets/1/status", {"POST"}},
           {"DELETE", "/api/v1/tickets/1/comments", {"POST"}},
           {"GET", "/api/v1/tickets/1/assign", {"POST"}},
           {"PUT", "/api/v1/tickets/1/take", {"POST"}},
           {"POST", "/api/v1/events", {"GET"}},
           {"POST", "/api/v1/municipalities", {"GET"}},
           {"POST", "/healthz", {"GET"}},
           {"DELETE", "/metrics", {"GET"}},
       }) {
    std::string what = std::string(c.method) + " " + c.target;
    HttpResponse r = client_->Send(c.method, c.target, "{}",
                                   {{"Content-Type", "application/json"}});
    ExpectRejected(r, 405, "/problems/method-not-allowed", what);
    std::set<std::string> allow = AllowSet(r);
    for (const auto& m : c.must_allow)
      EXPECT_TRUE(allow.count(m)) << what << ": Allow: " << r.header("allow");
    EXPECT_FALSE(allow.count(c.method))
        << what << ": Allow: " << r.header("allow");
  }
}

TEST_F(BadInput, BadQueryParametersAre400NamingTheParameter) {
  for (const char* q : {"limit=0", "limit=201", "limit=x", "limit=-1",
                        "limit=99999999999999999999"}) {
    ExpectBadParameter(std::string("/api/v1/tickets?") + q, "limit");
  }
  ExpectBadParameter("/api/v1/tickets?cursor=bogus", "cursor");
  ExpectBadParameter("/api/v1/tickets?status=flying", "status");
  ExpectBadParameter("/api/v1/tickets?municipality=%zz", "");
  ExpectBadParameter("/api/v1/tickets?limit=1&limit=2", "limit");
  ExpectBadParameter("/api/v1/events?after=-1", "after");
  ExpectBadParameter("/api/v1/events?after=x", "after");
  ExpectBadParameter("/api/v1/events?limit=0", "limit");
  ExpectBadParameter("/api/v1/events?limit=x", "limit");
  ExpectBadParameter("/api/v1/tickets/1/events?after=x", "after");
  ExpectBadParameter("/api/v1/tickets/1/events?limit=0", "limit");
}

TEST_F(BadInput, OversizeBodyIs413AndOversizeHeadersAre431) {
  json body = GoodTicket();
  body["description"] = std::string(70000, 'x');  // max_body_bytes is 65536
  ExpectRejected(client_->Post("/api/v1/tickets", body.dump()), 413,
                 "/problems/body-too-large", "70 kB create");
  ExpectRejected(
      client_->Post("/api/v1/tickets/1/comments",
                    json({{"body", std::string(70000, 'y')}}).dump()),
      413, "/problems/body-too-large", "70 kB comment");
  ExpectRejected(
      client_->Get("/healthz", {{"X-Padding", std::string(9000, 'a')}}), 431,
      "/problems/headers-too-large", "one 9 kB header");
  std::map<std::string, std::string> many;
  for (int i = 0; i < 200; ++i)
    many["X-H" + std::to_string(i)] = std::string(60, 'b');
  ExpectRejected(client_->Post("/api/v1/tickets", GoodTicket().dump(), many),
                 431, "/problems/headers-too-large", "200 headers, 12 kB");
}

TEST_F(BadInput, HostileJsonIsRefusedAndTheDaemonLivesOn) {
  // 20 000 nested arrays: a recursive parser without a depth limit would
  // overflow its stack.
  std::string deep =
      "{\"title\":" + std::string(20000, '[') + std::string(20000, ']') + "}";
  HttpResponse r = client_->Post("/api/v1/tickets", deep);
  EXPECT_TRUE(r.status == 400 || r.status == 422) << r.status << r.error;
  ExpectProblem(
      r, r.status == 422 ? 422 : 400,
      r.status == 422 ? "/problems/invalid-field" : "/problems/malformed-json");
  // Invalid UTF-8 is not JSON (RFC 8259 section 8.1).
  json good = GoodTicket();
  std::string bad_utf8 = good.dump();
  bad_utf8.replace(bad_utf8.find("Skriveren"), 3, "\xC3\x28\xFF");
  r = client_->Post("/api/v1/tickets", bad_utf8);
  EXPECT_TRUE(r.status == 400 || r.status == 422) << r.status << r.body;
  EXPECT_EQ(r.header("content-type"), "application/problem+json");
  EXPECT_EQ(GetJson("/healthz")["status"], "ok");
  EXPECT_EQ(Snapshot(), before_);
}

}  // namespace
}  // namespace helpdesk::testing
