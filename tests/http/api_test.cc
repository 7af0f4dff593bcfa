// The Api without sockets: the route table (every route, 404, 405 with
// Allow, the thread and body limit a request gets) and handlers against a
// real store in a scratch directory, through the real desk and writer.

#include "daemon/http/api.h"

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <optional>
#include <set>
#include <sstream>

#include "daemon/desk/desk.h"
#include "daemon/http/responses.h"
#include "daemon/http/routes.h"
#include "proto/json.h"
#include "tests/support/desk_on_disk.h"

namespace helpdesk::http {
namespace {

// The path a client would send for `pattern`, with an id ("1", which is a
// ticket id, a staff id and a catalogue id) for its placeholder.
std::string PathOf(std::string_view pattern) {
  std::string path(pattern);
  if (auto at = path.find('{'); at != std::string::npos)
    path.replace(at, path.find('}', at) - at + 1, "1");
  return path;
}

// An answer's body as the schema's Problem, read strictly: a member the
// schema does not name fails the test.
v1::Problem ProblemOf(const Response& r) {
  v1::Problem problem;
  Status s = proto::ParseJson(r.body, problem);
  EXPECT_TRUE(s.ok()) << s.message() << ": " << r.body;
  EXPECT_EQ(r.content_type, "application/problem+json");
  return problem;
}

std::set<std::string> Methods(const std::string& allow) {
  std::set<std::string> out;
  std::stringstream ss(allow);
  for (std::string m; std::getline(ss, m, ',');) {
    while (!m.empty() && m.front() == ' ') m.erase(0, 1);
    out.insert(m);
  }
  return out;
}

// ------------------------------------------------------------ the table

TEST(RouteTable, EveryRouteIsFoundByItsMethodAndPath) {
  std::set<std::pair<std::string_view, std::string_view>> seen;
  for (const Route& r : Routes()) {
    EXPECT_TRUE(seen.insert({r.method, r.pattern}).second)
        << r.method << " " << r.pattern << " is listed twice";
    EXPECT_TRUE(r.method == "GET" || r.method == "POST" || r.method == "PUT" ||
                r.method == "DELETE")
        << r.method;
    EXPECT_EQ(r.method == "GET", !IsWrite(r.access)) << r.pattern;
    RouteMatch m = FindRoute(r.method, PathOf(r.pattern));
    ASSERT_EQ(m.route, &r) << r.method << " " << r.pattern;
    EXPECT_EQ(m.pattern, r.pattern);
    const bool placeholder = r.pattern.find('{') != std::string_view::npos;
    EXPECT_EQ(m.id, placeholder ? "1" : "");
    EXPECT_EQ(m.id_kind.empty(), !placeholder);
    if (r.method == "GET") {
      EXPECT_EQ(FindRoute("HEAD", PathOf(r.pattern)).route, &r) << r.pattern;
    }
  }
  EXPECT_GE(seen.size(), 34u);
}

TEST(RouteTable, AnotherMethodIs405WithEveryMethodOfThePattern) {
  for (const Route& r : Routes()) {
    std::set<std::string> want;
    for (const Route& other : Routes())
      if (other.pattern == r.pattern) {
        want.insert(std::string(other.method));
        if (other.method == "GET") want.insert("HEAD");
      }
    for (const char* method : {"DELETE", "PATCH", "GET", "POST", "PUT"}) {
      if (want.count(method)) continue;
      RouteMatch m = FindRoute(method, PathOf(r.pattern));
      EXPECT_EQ(m.route, nullptr) << method << " " << r.pattern;
      EXPECT_EQ(m.pattern, r.pattern);
      EXPECT_EQ(Methods(m.allow), want) << method << " " << r.pattern;
    }
  }
}

TEST(RouteTable, PathsThatFitNoPatternAreNotFound) {
  for (const char* path :
       {"//", "/agent/x", "/assets/", "/assets/a/b", "/api/v1", "/api/v1/",
        "/api/v2/tickets", "/api/v1/tickets/", "/api/v1/tickets/1/nope",
        "/api/v1/tickets//status", "/api/v1/staff/", "/api/v1/staff/a/b",
        "/api/v1/catalogue/", "/api/v1/catalogue/skills", "/api/v1/vakt/now/x",
        "/healthz/", "/api/v1/tickets/1/status/"}) {
    RouteMatch m = FindRoute("GET", path);
    EXPECT_EQ(m.route, nullptr) << path;
    EXPECT_EQ(m.pattern, "") << path;
  }
}

TEST(RouteTable, ASecondPlaceholderGoesToSubId) {
  RouteMatch m = FindRoute("DELETE", "/api/v1/tickets/5/followers/ansatt.tinn");
  ASSERT_NE(m.route, nullptr);
  EXPECT_EQ(m.id, "5");
  EXPECT_EQ(m.id_kind, "ticket");
  EXPECT_EQ(m.sub_id, "ansatt.tinn");
  EXPECT_EQ(m.sub_kind, "account");
  EXPECT_EQ(MetricLabel(m.pattern), "/api/v1/tickets/{id}/followers/{id}");
  // The pages: the portal at the root, the agent view, their files.
  EXPECT_NE(FindRoute("GET", "/").route, nullptr);
  EXPECT_NE(FindRoute("GET", "/agent").route, nullptr);
  EXPECT_EQ(FindRoute("GET", "/assets/portal.js").id, "portal.js");
}

// The series of /metrics keep their names: every placeholder reads {id}.
TEST(RouteTable, MetricLabelsNameEveryPlaceholderId) {
  EXPECT_EQ(MetricLabel("/api/v1/tickets/{ticket}/status"),
            "/api/v1/tickets/{id}/status");
  EXPECT_EQ(MetricLabel("/api/v1/staff/{staff}"), "/api/v1/staff/{id}");
  EXPECT_EQ(MetricLabel("/api/v1/catalogue/services/{id}/retire"),
            "/api/v1/catalogue/services/{id}/retire");
  EXPECT_EQ(MetricLabel("/healthz"), "/healthz");
  for (const Route& r : Routes())
    EXPECT_FALSE(MetricLabel(r.pattern).empty()) << r.pattern;
}

// A change is saved before its answer is rendered: when rendering throws,
// the client is told at once that it was saved (not left to its timeout,
// to send it again).
TEST(Answers, ARenderThatThrowsSaysTheChangeWasSaved) {
  Request request;
  request.target = "/api/v1/tickets";
  request.request_id = "req-1";
  const Target target;
  const std::string id;
  const auth::Principal who;
  const std::string sub_id;
  const Call call{request, target, id, "/api/v1/tickets", sub_id, nullptr, who};
  std::optional<Response> got;
  auto done = Answer<int>(
      call, [&](Response r) { got = std::move(r); },
      [](int) -> Response { throw std::runtime_error("a bug in a renderer"); });
  done(StatusOr<int>(7));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->status, 500);
  // Nor one that throws something else.
  got.reset();
  Answer<int>(
      call, [&](Response r) { got = std::move(r); },
      [](int) -> Response { throw 42; })(StatusOr<int>(7));
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->status, 500);
  EXPECT_NE(got->body.find("was made and saved"), std::string::npos)
      << got->body;
  EXPECT_NE(got->body.find("req-1"), std::string::npos) << got->body;
  EXPECT_EQ(got->body.find("a bug in a renderer"), std::string::npos)
      << "what threw stays in the log: " << got->body;
}

TEST(RouteTable, TheIndexOfA404NamesTheResources) {
  const std::string index = RouteIndex();
  for (const char* name : {"tickets", "events", "municipalities", "catalogue",
                           "staff", "vakt", "reports", "/healthz", "/metrics"})
    EXPECT_NE(index.find(name), std::string::npos) << name << ": " << index;
}

// ------------------------------------------------------------ handlers

class ApiTest : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(disk_.Open().ok());
    api_ = std::make_unique<Api>(disk_.desk(), metrics_);
    // The first start's accounts, and a session of the admin who is also
    // a dispatcher: the requests below are theirs.
    auto plan = disk_.desk().PlanFirstAccounts();
    ASSERT_TRUE(plan.ok());
    (*plan)[0].account.add_roles(v1::ROLE_DISPATCHER);
    const std::string password = (*plan)[0].password;
    std::promise<StatusOr<size_t>> made;
    disk_.desk().MakeFirstAccounts(
        std::move(*plan), [&](StatusOr<size_t> n) { made.set_value(n); });
    ASSERT_TRUE(made.get_future().get().ok());
    Response login =
        Call("POST", "/api/v1/session",
             R"({"account":"admin","password":")" + password + R"("})");
    ASSERT_EQ(login.status, 201) << login.body;
    v1::Session session;
    ASSERT_TRUE(proto::ParseJson(login.body, session).ok());
    token_ = session.token();
  }

  // One request through Handle, waited for; `sync` says whether the answer
  // came before Handle returned.
  Response Call(std::string method, std::string target, std::string body = "",
                std::string content_type = "application/json",
                bool* sync = nullptr) {
    Request r;
    r.method = std::move(method);
    r.target = std::move(target);
    r.body = std::move(body);
    r.content_type = std::move(content_type);
    r.request_id = "test";
    if (!token_.empty()) r.authorization = "Bearer " + token_;
    std::promise<Response> answer;
    std::atomic<bool> answered = false;  // set on the writer thread for writes
    api_->Handle(r, [&](Response resp) {
      answered = true;
      answer.set_value(std::move(resp));
    });
    if (sync) *sync = answered;
    auto f = answer.get_future();
    EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready);
    return f.get();
  }

  static std::string Header(const Response& r, std::string_view name) {
    for (const auto& [n, v] : r.headers)
      if (n == name) return v;
    return "";
  }

  static std::string GoodTicket() {
    return R"({"title":"Skriveren skriver ikke ut",)"
           R"("description":"Papirstopp i skuff 2 hver gang.",)"
           R"("municipality":"rollag","location":"rollag-kommunehus",)"
           R"("serviceId":"skrivere-og-utskrift","priority":"high",)"
           R"("reporter":"kari.nordmann"})";
  }

  testing::DeskOnDisk disk_;
  Metrics metrics_;
  std::unique_ptr<Api> api_;
  std::string token_;
};

TEST_F(ApiTest, AReadIsAnsweredBeforeHandleReturns) {
  bool sync = false;
  Response r = Call("GET", "/healthz", "", "", &sync);
  EXPECT_TRUE(sync);
  EXPECT_EQ(r.status, 200);
  EXPECT_EQ(r.body, R"({"status":"ok"})");
  EXPECT_EQ(r.route, "/healthz");
}

TEST_F(ApiTest, ATicketIsFiledThroughTheWriterAndReadBack) {
  Response created = Call("POST", "/api/v1/tickets", GoodTicket());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.route, "/api/v1/tickets");
  EXPECT_EQ(Header(created, "Location"), "/api/v1/tickets/1");
  EXPECT_EQ(Header(created, "ETag"), "\"2\"");  // created, then assigned
  v1::Ticket ticket;
  ASSERT_TRUE(proto::ParseJson(created.body, ticket).ok()) << created.body;
  EXPECT_EQ(ticket.status(), v1::TICKET_STATUS_ASSIGNED);
  EXPECT_FALSE(ticket.assignee().empty());
  EXPECT_EQ(ticket.sla().first_response().state(), v1::SLA_CLOCK_STATE_RUNNING);

  bool sync = false;
  Response read = Call("GET", "/api/v1/tickets/1", "", "", &sync);
  EXPECT_TRUE(sync);
  ASSERT_EQ(read.status, 200) << read.body;
  EXPECT_EQ(read.route, "/api/v1/tickets/{id}");
  v1::Ticket again;
  ASSERT_TRUE(proto::ParseJson(read.body, again).ok());
  EXPECT_EQ(again.assignee(), ticket.assignee());

  Response events = Call("GET", "/api/v1/tickets/1/events");
  v1::ListEventsResponse log;
  ASSERT_TRUE(proto::ParseJson(events.body, log).ok()) << events.body;
  ASSERT_EQ(log.events_size(), 2);
  EXPECT_TRUE(log.events(0).has_ticket_created());
  EXPECT_TRUE(log.events(1).has_assigned());
  EXPECT_EQ(log.events(0).request_id(), "test");
}

TEST_F(ApiTest, RoutingAnswersComeFromTheTable) {
  Response missing = Call("GET", "/api/v1/nothing");
  EXPECT_EQ(missing.status, 404);
  EXPECT_EQ(missing.route, "");
  EXPECT_NE(missing.body.find("tickets"), std::string::npos);

  Response wrong = Call("DELETE", "/api/v1/tickets/7");
  EXPECT_EQ(wrong.status, 405);
  EXPECT_EQ(wrong.route, "/api/v1/tickets/{id}");
  EXPECT_EQ(Methods(Header(wrong, "Allow")),
            (std::set<std::string>{"GET", "HEAD"}));
  EXPECT_EQ(ProblemOf(wrong).status(), 405);

  Response text = Call("POST", "/api/v1/tickets", GoodTicket(), "text/plain");
  EXPECT_EQ(text.status, 415);
  EXPECT_EQ(ProblemOf(text).type(), "/problems/unsupported-media-type");
  Response unknown = Call("GET", "/api/v1/tickets/abc");
  EXPECT_EQ(unknown.status, 404);
  EXPECT_EQ(unknown.route, "/api/v1/tickets/{id}");
  EXPECT_EQ(ProblemOf(unknown).detail(), "no ticket with id 'abc'");
  // An id that cannot be a ticket or a person is not found, whatever the
  // method and the body.
  for (const char* method : {"DELETE", "POST"})
    EXPECT_EQ(
        Call(method, "/api/v1/tickets/abc/status", "x", "text/plain").status,
        404)
        << method;
  EXPECT_EQ(Call("PUT", "/api/v1/staff/K%C3%A5re", "x", "text/plain").status,
            404);
  Response encoded = Call("GET", "/api/v1/ticket%73/1");
  EXPECT_EQ(encoded.status, 404);  // decoded, then routed: no ticket 1 yet
  EXPECT_EQ(encoded.route, "/api/v1/tickets/{id}");
}

TEST_F(ApiTest, BadBodiesAreProblemsAndChangeNothing) {
  Response bad = Call("POST", "/api/v1/tickets", "{not json");
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.content_type, "application/problem+json");
  Response field = Call("POST", "/api/v1/tickets", R"({"title":3})");
  EXPECT_EQ(field.status, 422);
  EXPECT_EQ(ProblemOf(field).field(), "title");
  EXPECT_EQ(disk_.desk().GetStats().last_seq, 0u);
  // A conflict names the version there is now; an illegal move the legal
  // ones: the extension members the schema names, read strictly.
  ASSERT_EQ(Call("POST", "/api/v1/tickets", GoodTicket()).status, 201);
  const uint64_t seq = disk_.desk().GetStats().last_seq;
  Response stale = Call("POST", "/api/v1/tickets/1/status",
                        R"({"status":"in_progress","version":1})");
  EXPECT_EQ(stale.status, 409);
  EXPECT_EQ(ProblemOf(stale).current_version(), 2u);
  Response illegal = Call("POST", "/api/v1/tickets/1/status",
                          R"({"status":"closed","version":2})");
  EXPECT_EQ(illegal.status, 409);
  EXPECT_EQ(ProblemOf(illegal).allowed_size(), 1);  // in_progress
  EXPECT_EQ(disk_.desk().GetStats().last_seq, seq);
}

// A filter that names nothing is a typo, not an empty list: 400 naming the
// parameter, with the ids that would have matched something.
TEST_F(ApiTest, AFilterWithAnUnknownIdNamesTheParameterAndTheKnownIds) {
  ASSERT_EQ(Call("POST", "/api/v1/tickets", GoodTicket()).status, 201);
  struct Case {
    const char* target;
    const char* parameter;
    const char* known;  // one id the detail lists
  };
  const Case cases[] = {
      {"/api/v1/tickets?municipality=Rollag", "municipality", "rollag"},
      {"/api/v1/tickets?assignee=no.such.person", "assignee", "kari.haugen"},
      {"/api/v1/staff?municipality=Rollag", "municipality", "rollag"},
      {"/api/v1/staff?skill=cobol", "skill", "network"},
      {"/api/v1/catalogue?municipality=Oslo", "municipality", "kongsberg"},
      {"/api/v1/catalogue/services?municipality=x", "municipality", "flesberg"},
      {"/api/v1/catalogue/services?category=nope", "category", "drift"},
  };
  for (const Case& c : cases) {
    Response r = Call("GET", c.target);
    EXPECT_EQ(r.status, 400) << c.target << ": " << r.body;
    v1::Problem p = ProblemOf(r);
    EXPECT_EQ(p.type(), "/problems/invalid-parameter") << c.target;
    EXPECT_EQ(p.parameter(), c.parameter) << c.target;
    EXPECT_NE(p.detail().find(c.known), std::string::npos)
        << c.target << ": " << p.detail();
  }
  // Known ids still filter.
  EXPECT_EQ(Call("GET", "/api/v1/tickets?municipality=rollag").status, 200);
  Response one = Call("GET", "/api/v1/tickets/1");
  v1::Ticket t;
  ASSERT_TRUE(proto::ParseJson(one.body, t).ok());
  Response mine = Call("GET", "/api/v1/tickets?assignee=" + t.assignee());
  v1::ListTicketsResponse list;
  ASSERT_TRUE(proto::ParseJson(mine.body, list).ok()) << mine.body;
  EXPECT_EQ(list.tickets_size(), 1);
}

TEST_F(ApiTest, AccessDecidesTheThreadAndTheBodyLimit) {
  EXPECT_EQ(api_->AccessOf("GET", "/api/v1/tickets?status=new"), Access::kRead);
  EXPECT_EQ(api_->AccessOf("POST", "/api/v1/tickets"), Access::kWrite);
  // Judged on the decoded path, as Handle routes it.
  EXPECT_EQ(api_->AccessOf("POST", "/api/v1/ticket%73"), Access::kWrite);
  EXPECT_EQ(api_->AccessOf("PUT", "/api/v1/catalogue"), Access::kBulkWrite);
  EXPECT_EQ(api_->AccessOf("PUT", "/api/v1/vakt"), Access::kBulkWrite);
  EXPECT_EQ(api_->AccessOf("PUT", "/api/v1/staff/kari.haugen"), Access::kWrite);
  // Reads over everything run on the report pool, off the I/O threads.
  EXPECT_EQ(api_->AccessOf("GET", "/api/v1/reports/sla?groupBy=month"),
            Access::kReport);
  EXPECT_EQ(api_->AccessOf("GET", "/api/v1/reports/coverage"), Access::kReport);
  EXPECT_EQ(api_->AccessOf("GET", "/api/v1/catalogue?view=flat"),
            Access::kReport);
  EXPECT_EQ(api_->AccessOf("GET", "/api/v1/tickets/1"), Access::kRead);
  // Answered at once: no route, the wrong method, a target that does not
  // decode.
  EXPECT_EQ(api_->AccessOf("POST", "/api/v1/nothing"), Access::kRead);
  EXPECT_EQ(api_->AccessOf("DELETE", "/api/v1/tickets"), Access::kRead);
  EXPECT_EQ(api_->AccessOf("POST", "/api/v1/tickets%zz"), Access::kRead);
}

TEST_F(ApiTest, AStaffChangeAnswersThePersonWithNow) {
  Response person = Call("GET", "/api/v1/staff/kari.haugen");
  ASSERT_EQ(person.status, 200) << person.body;
  v1::StaffMember kari;
  ASSERT_TRUE(proto::ParseJson(person.body, kari).ok());
  EXPECT_TRUE(kari.has_now());
  kari.clear_now();
  kari.set_phone("+47 99 99 99 99");
  Response changed =
      Call("PUT", "/api/v1/staff/kari.haugen", proto::ToJson(kari));
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(Header(changed, "ETag"), "\"2\"");
  v1::StaffMember after;
  ASSERT_TRUE(proto::ParseJson(changed.body, after).ok());
  EXPECT_EQ(after.phone(), "+47 99 99 99 99");
  EXPECT_TRUE(after.has_now());
}

TEST_F(ApiTest, MetricsCountTheTicketsAndTheWriter) {
  ASSERT_EQ(Call("POST", "/api/v1/tickets", GoodTicket()).status, 201);
  Response m = Call("GET", "/metrics");
  ASSERT_EQ(m.status, 200);
  EXPECT_EQ(m.content_type.rfind("text/plain", 0), 0u);
  for (const char* line :
       {"helpdesk_tickets{status=\"assigned\"} 1\n",
        "helpdesk_tickets_open 1\n", "helpdesk_events_last_seq 2\n",
        // The first accounts, the login's session and the ticket: a write
        // each.
        "helpdesk_writer_batch_size_sum 3\n"})
    EXPECT_NE(m.body.find(line), std::string::npos) << line << m.body;
}

}  // namespace
}  // namespace helpdesk::http
