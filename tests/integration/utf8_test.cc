// Nothing a client sends can leave a record the daemon cannot read back:
// every string from a client (body fields at any depth, path segments, query
// parameters) must be UTF-8 once decoded, or the request gets a 4xx that names
// it and writes nothing. Odd but valid text goes through every write route, and
// afterwards, also after a restart a week later, every route still answers.
// What the daemon echoes (a path, a Content-Type, an X-Request-Id) is never
// echoed raw.

#include <functional>

#include "tests/integration/fixture.h"

namespace helpdesk::testing {
namespace {

// Where a case's body carries the string under test.
constexpr char kMark[] = "@@MARK@@";

// The strings that are not UTF-8 once decoded, as they appear in the JSON
// text: escapes of lone surrogates (RapidJSON decodes them to CESU-8
// bytes) and raw bytes of another encoding.
struct BadText {
  const char* what;
  const char* json;
};
constexpr BadText kBadTexts[] = {
    {"lone low surrogate escape", "a\\udc00b"},
    {"lone low surrogate at the end", "\\udfff"},
    {"Latin-1 byte", "j\xf8rgen"},
    {"raw surrogate", "\xed\xa0\x80"},
    {"overlong", "\xc0\xaf"},
    {"above U+10FFFF", "\xf4\x90\x80\x80"},
};

// Odd but valid: what must be stored and read back, across a restart.
constexpr char kOddText[] =
    "J\\u00f8rgen \\ud83d\\ude00 \xe2\x80\xae <b>&amp;</b> '\\\" "
    "=cmd| \xef\xbf\xbf";

std::string Replace(std::string text, const std::string& with) {
  const size_t at = text.find(kMark);
  EXPECT_NE(at, std::string::npos) << text;
  if (at != std::string::npos) text.replace(at, sizeof kMark - 1, with);
  return text;
}

// A response read off a raw socket: its head and body.
struct RawAnswer {
  std::string head, body;
  std::string Header(const std::string& lower_name) const {
    std::string lower = head;
    for (char& c : lower) c = static_cast<char>(std::tolower(c));
    const size_t at = lower.find("\r\n" + lower_name + ":");
    if (at == std::string::npos) return "";
    size_t from = at + 2 + lower_name.size() + 1;
    while (from < head.size() && head[from] == ' ') ++from;
    return head.substr(from, head.find("\r\n", from) - from);
  }
};

RawAnswer Split(const std::string& received) {
  const size_t end = received.find("\r\n\r\n");
  if (end == std::string::npos) return {received, ""};
  return {received.substr(0, end + 2), received.substr(end + 4)};
}

class Utf8Input : public DaemonTest {
 protected:
  struct WriteCase {
    // `version`, when given, is sent as If-Match.
    WriteCase(std::string method, std::string target,
              std::function<json()> body, std::string field,
              std::function<std::string()> version = nullptr,
              std::string good_text = kOddText, std::string actor = kDesk)
        : method(std::move(method)),
          target(std::move(target)),
          body(std::move(body)),
          field(std::move(field)),
          version(std::move(version)),
          good_text(std::move(good_text)),
          actor(std::move(actor)) {}
    std::string method, target;
    // The body with kMark where the string under test goes, built when
    // the case runs (versions read then).
    std::function<json()> body;
    std::string field;                     // what the problem must name
    std::function<std::string()> version;  // for If-Match
    std::string good_text;                 // what goes through afterwards
    std::string actor;                     // who sends it (X-Actor)
  };

  void SetUp() override {
    DaemonTest::SetUp();
    if (HasFatalFailure()) return;
    json t = Create();
    ASSERT_EQ(t.value("status", ""), "assigned") << t.dump();
    assignee_ = t["assignee"];
  }

  int TicketVersion() { return GetJson("/api/v1/tickets/1")["version"]; }

  HttpResponse Send(const WriteCase& c, const std::string& body,
                    std::map<std::string, std::string> headers = {}) {
    headers.emplace("Content-Type", "application/json");
    if (c.version) headers["If-Match"] = "\"" + c.version() + "\"";
    headers.emplace("X-Actor", c.actor);
    return client_->Send(c.method, c.target, body, headers);
  }

  // Every bad text in the case's field: 422 naming it, nothing written.
  // Then odd but valid text in the same place: written.
  void Check(const WriteCase& c) {
    SCOPED_TRACE(c.method + " " + c.target + " " + c.field);
    const std::string before = CatalogueSnapshot();
    const std::string template_body = c.body().dump();
    for (const BadText& bad : kBadTexts) {
      SCOPED_TRACE(bad.what);
      HttpResponse r = Send(c, Replace(template_body, bad.json));
      ExpectProblem(r, 422, "/problems/invalid-field");
      json p = Parse(r);
      EXPECT_EQ(p.value("field", ""), c.field) << r.body;
      EXPECT_NE(p.value("detail", "").find("UTF-8"), std::string::npos)
          << r.body;
    }
    // A lone high surrogate is not even a JSON string to RapidJSON.
    HttpResponse high = Send(c, Replace(template_body, "\\ud800"));
    EXPECT_TRUE(high.status == 400 || high.status == 422) << high.body;
    EXPECT_EQ(CatalogueSnapshot(), before) << "a refused write wrote";
    // The body itself is good: with valid text the write goes through.
    HttpResponse good = Send(c, Replace(c.body().dump(), c.good_text));
    EXPECT_TRUE(good.status == 200 || good.status == 201)
        << good.status << " " << good.body;
  }

  // Every route a client reads answers 200 with valid JSON (or CSV).
  void ExpectEveryReadAnswers() {
    for (const char* target : {"/healthz",
                               "/metrics",
                               "/api/v1/tickets",
                               "/api/v1/tickets/1",
                               "/api/v1/tickets/2",
                               "/api/v1/tickets/1/events",
                               "/api/v1/events?limit=1000",
                               "/api/v1/municipalities",
                               "/api/v1/catalogue",
                               "/api/v1/catalogue?view=flat",
                               "/api/v1/catalogue?includeRetired=true",
                               "/api/v1/catalogue/services?q=j%C3%B8rgen",
                               "/api/v1/catalogue/services/utf8-test",
                               "/api/v1/catalogue/categories",
                               "/api/v1/catalogue/categories/utf8-kat",
                               "/api/v1/staff",
                               "/api/v1/staff/utf8.test",
                               "/api/v1/vakt",
                               "/api/v1/vakt/now",
                               "/api/v1/reports/coverage",
                               "/api/v1/reports/sla",
                               "/api/v1/reports/sla?groupBy=service",
                               "/api/v1/reports/sla?groupBy=assignee",
                               "/api/v1/reports/sla?view=equal-service",
                               "/api/v1/reports/sla?format=csv&view=volume"}) {
      HttpResponse r = client_->Get(target);
      EXPECT_EQ(r.status, 200) << target << ": " << r.body.substr(0, 500);
      if (r.header("content-type") == "application/json") {
        EXPECT_FALSE(json::parse(r.body, nullptr, false).is_discarded())
            << target;
      }
    }
  }

  std::string assignee_;
};

TEST_F(Utf8Input, EveryWriteRouteRefusesTextThatIsNotUtf8NamingTheField) {
  const std::string kService = "/api/v1/catalogue/services/";
  auto catalogue_version = [this] {
    return std::to_string(
        GetJson("/api/v1/catalogue?view=flat").value("version", 0));
  };
  auto version_of = [this](std::string target) {
    return [this, target] {
      return std::to_string(GetJson(target).value("version", 0));
    };
  };
  std::vector<WriteCase> cases = {
      {"POST", "/api/v1/tickets",
       [] {
         json t = GoodTicket();
         t["description"] = kMark;
         return t;
       },
       "description"},
      {"POST", "/api/v1/tickets/1/comments",
       [] {
         return json{{"body", kMark}};
       },
       "body"},
      {"POST", "/api/v1/tickets/1/priority",
       [this] {
         const int v = TicketVersion();
         const std::string p = v % 2 ? "low" : "normal";
         return json{{"priority", p}, {"reason", kMark}, {"version", v}};
       },
       "reason"},
      {"POST", "/api/v1/tickets/1/assign",
       [this] {
         json t = GetJson("/api/v1/tickets/1");
         return json{{"assignee", t["assignee"] == "ole.kristiansen"
                                      ? assignee_
                                      : "ole.kristiansen"},
                     {"reason", kMark},
                     {"version", t["version"]}};
       },
       "reason"},
      {"POST", "/api/v1/tickets/1/status",
       [this] {
         json t = GetJson("/api/v1/tickets/1");
         return json{{"status", t["status"] == "in_progress" ? "waiting_on_user"
                                                             : "in_progress"},
                     {"reason", kMark},
                     {"version", t["version"]}};
       },
       "reason"},
      {"POST", "/api/v1/catalogue/services",
       [] {
         json s = {{"id", "utf8-test"},       {"name", kMark},
                   {"description", "Test"},   {"category", "drift"},
                   {"presence", "desirable"}, {"delivery", "internal"},
                   {"skills", {"servers"}},   {"slaClass", "standard"}};
         return s;
       },
       "name", catalogue_version},
      {"PUT", kService + "utf8-test",
       [this, kService] {
         json s = GetJson(kService + "utf8-test");
         s["keywords"] = {"ok", kMark};
         return s;
       },
       "keywords[1]", version_of(kService + "utf8-test")},
      {"POST", kService + "utf8-test/retire",
       [] {
         return json{{"reason", kMark}};
       },
       "reason", version_of(kService + "utf8-test")},
      {"POST", kService + "utf8-test/reactivate",
       [] {
         return json{{"reason", kMark}};
       },
       "reason", version_of(kService + "utf8-test")},
      {"POST", "/api/v1/catalogue/categories",
       [] {
         return json{{"id", "utf8-kat"}, {"name", kMark}, {"parent", "drift"}};
       },
       "name", catalogue_version},
      {"PUT", "/api/v1/catalogue/categories/utf8-kat",
       [this] {
         json c = GetJson("/api/v1/catalogue/categories/utf8-kat");
         c["description"] = kMark;
         return c;
       },
       "description", version_of("/api/v1/catalogue/categories/utf8-kat")},
      {"PUT", "/api/v1/catalogue",
       [this] {
         json c = GetJson("/api/v1/catalogue?view=flat");
         c["services"][1]["description"] = kMark;
         return c;
       },
       "services[1].description", catalogue_version},
      {"POST", "/api/v1/staff",
       [] {
         return json{{"id", "utf8.test"},
                     {"name", kMark},
                     {"title", "IKT-rådgiver"},
                     {"phone", "+47 32 00 00 00"},
                     {"homeMunicipality", "rollag"},
                     {"covers", {"flesberg"}},
                     {"skills", {"user-support"}},
                     {"ftePercent", 60},
                     {"workingHours",
                      {{{"days", {"monday", "tuesday"}},
                        {"start", "08:00"},
                        {"end", "15:30"}}}}};
       },
       "name"},
      {"PUT", "/api/v1/staff/utf8.test",
       [this] {
         json p = GetJson("/api/v1/staff/utf8.test");
         p.erase("now");
         p["title"] = kMark;
         return p;
       },
       "title", version_of("/api/v1/staff/utf8.test")},
      {"PUT", "/api/v1/vakt",
       [this] {
         json rota = GetJson("/api/v1/vakt");
         rota["shifts"][3]["note"] = kMark;
         return rota;
       },
       "shifts[3].note", version_of("/api/v1/vakt")},
      // The first assignee takes it back (the assign above gave it to
      // ole.kristiansen), naming themselves as the actor once the text is
      // good: an actor must be who sends it.
      {"POST", "/api/v1/tickets/1/take",
       [this] {
         json t = GetJson("/api/v1/tickets/1");
         return json{{"actor", kMark}, {"version", t["version"]}};
       },
       "actor", nullptr, assignee_, assignee_},
  };
  for (const WriteCase& c : cases) {
    Check(c);
    if (HasFatalFailure()) return;
  }
  // Every write route of the table is covered.
  std::set<std::string> covered;
  for (const WriteCase& c : cases) covered.insert(c.method + " " + c.target);
  EXPECT_EQ(covered.size(), 16u);

  ExpectEveryReadAnswers();
  // A week later, after a restart: still every route, and writes too.
  ASSERT_EQ(daemon_->Terminate(), 0);
  daemon_ = std::make_unique<DaemonProcess>(
      dir_.path() + "/data",
      std::vector<std::string>{"--clock-start=2026-04-22T08:00:00Z"});
  ASSERT_EQ(daemon_->Start(), "");
  LogInAgain();  // the sessions of a week ago have expired
  ExpectEveryReadAnswers();
  Create();
  HttpResponse c =
      client_->Post("/api/v1/tickets/1/comments", R"({"body":"etter en uke"})");
  EXPECT_EQ(c.status, 201) << c.body;
}

// An X-Actor is no one's account unless it is the caller's: one that is
// not UTF-8 is refused naming the header, and nothing is written.
TEST_F(Utf8Input, AnXActorThatIsNotUtf8IsRefusedNamingTheHeader) {
  const std::string before = CatalogueSnapshot();
  const std::string version =
      std::to_string(GetJson("/api/v1/tickets/1").value("version", 0));
  HttpClient bare(daemon_->port());  // sends X-Actor as it is
  for (const char* actor : {"j\xf8rgen", "\xed\xb0\x80", "ok\xc3"}) {
    SCOPED_TRACE(actor);
    auto headers = ids_->As(kDesk);
    headers["X-Actor"] = actor;
    HttpResponse r = bare.Post(
        "/api/v1/tickets/1/priority",
        R"({"priority":"low","reason":"test","version":)" + version + "}",
        headers);
    ExpectProblem(r, 403, "/problems/forbidden");
    EXPECT_EQ(Parse(r).value("field", ""), "X-Actor") << r.body;
    r = bare.Post("/api/v1/catalogue/categories",
                  R"({"id":"x-kat","name":"X","parent":"drift"})", headers);
    ExpectProblem(r, 403, "/problems/forbidden");
    EXPECT_EQ(Parse(r).value("field", ""), "X-Actor") << r.body;
  }
  EXPECT_EQ(CatalogueSnapshot(), before);
}

TEST_F(Utf8Input, PathSegmentsAndParametersMustBeUtf8) {
  const std::string before = CatalogueSnapshot();
  struct Case {
    const char* method;
    const char* target;
    const char* parameter;
  };
  for (const Case& c : {
           Case{"GET", "/api/v1/catalogue/services/j%F8rgen", "path"},
           Case{"PUT", "/api/v1/staff/j%F8rgen", "path"},
           Case{"POST", "/api/v1/catalogue/services/%ED%B0%80/retire", "path"},
           Case{"GET", "/api/v1/tickets?municipality=r%F8llag", "municipality"},
           Case{"GET", "/api/v1/catalogue/services?q=%C0%AF", "q"},
           Case{"GET", "/api/v1/reports/sla?groupBy=%FF", "groupBy"},
       }) {
    SCOPED_TRACE(c.target);
    HttpResponse r = client_->Send(c.method, c.target, "{}",
                                   {{"Content-Type", "application/json"}});
    ExpectProblem(r, 400, "/problems/invalid-parameter");
    EXPECT_EQ(Parse(r).value("parameter", ""), c.parameter) << r.body;
  }
  EXPECT_EQ(CatalogueSnapshot(), before);
}

// Raw bytes in the path or the Content-Type are echoed in the problem's
// `instance` and `detail`: the answer must still be JSON, which is UTF-8.
TEST_F(Utf8Input, EchoedBytesAreNeverRaw) {
  const std::string body = GoodTicket().dump();
  const std::string requests[] = {
      "GET /api/v1/tickets/\xff\xfe HTTP/1.1\r\nHost: x\r\n"
      "Connection: close\r\n\r\n",
      "GET /api/v1/nothing\xc3\x28?a=\xff HTTP/1.1\r\nHost: x\r\n"
      "Connection: close\r\n\r\n",
      "POST /api/v1/tickets HTTP/1.1\r\nHost: x\r\n"
      "Content-Type: text/plain; charset=\xf8\xed\xa0\x80\x01\r\n"
      "Content-Length: " +
          std::to_string(body.size()) + "\r\nConnection: close\r\n\r\n" + body,
  };
  for (const std::string& request : requests) {
    SCOPED_TRACE(request.substr(0, request.find('\r')));
    HttpClient::Raw raw = client_->SendRaw(request);
    RawAnswer a = Split(raw.received);
    ASSERT_FALSE(a.head.empty()) << raw.received;
    EXPECT_EQ(a.head.substr(9, 1), "4") << a.head;
    json p = json::parse(a.body, nullptr, false);  // strict about UTF-8
    EXPECT_TRUE(p.is_object()) << "not JSON: " << a.body;
  }
  EXPECT_EQ(GetJson("/healthz")["status"], "ok");
}

// X-Request-Id is echoed in a header and stored with every event: one
// that is long or holds anything but token characters is replaced.
TEST_F(Utf8Input, AnInsaneRequestIdIsReplacedNeverEchoed) {
  const std::string long_id(200, 'a');
  const std::string attempts[] = {
      "X-Request-Id: a\r\n Set-Cookie: evil=1\r\n",  // obs-fold
      "X-Request-Id: a b\r\n",
      "X-Request-Id: a\x01\x7f\r\n",
      "X-Request-Id: j\xf8rgen\r\n",
      "X-Request-Id: %0d%0aSet-Cookie:%20evil=1\r\n",
      "X-Request-Id: " + long_id + "\r\n",
  };
  for (const std::string& header : attempts) {
    SCOPED_TRACE(header);
    HttpClient::Raw raw =
        client_->SendRaw("GET /healthz HTTP/1.1\r\nHost: x\r\n" + header +
                         "Connection: close\r\n\r\n");
    RawAnswer a = Split(raw.received);
    ASSERT_FALSE(a.head.empty()) << raw.received;
    EXPECT_EQ(a.Header("set-cookie"), "") << a.head;
    const std::string id = a.Header("x-request-id");
    EXPECT_FALSE(id.empty()) << a.head;
    EXPECT_LE(id.size(), 64u) << a.head;
    for (char ch : id)
      EXPECT_TRUE(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' ||
                  ch == '_' || ch == '.')
          << a.head;
    EXPECT_EQ(id.find("evil"), std::string::npos) << a.head;
    EXPECT_NE(id, long_id);
  }
  // A sane one is kept, and recorded with the event.
  HttpResponse r =
      client_->Post("/api/v1/tickets/1/comments", R"({"body":"b"})",
                    {{"X-Request-Id", "req-42.ok_1"}});
  EXPECT_EQ(r.header("x-request-id"), "req-42.ok_1");
  const std::vector<json> events = AllEvents();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back().value("requestId", ""), "req-42.ok_1");
}

}  // namespace
}  // namespace helpdesk::testing
