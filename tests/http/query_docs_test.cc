// The query parameters the documentation lists (route_docs.h) against the
// handlers that read them, through Api::Handle and the real desk on a
// seeded store: every route refuses a name it does not list; every value
// the documentation offers (each choice, each end of a range, a boolean, a
// time) is taken, and one past a range is refused naming the parameter.
// So a handler cannot narrow or widen what the OpenAPI document promises.

#include <gtest/gtest.h>

#include <atomic>
#include <future>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

#include "daemon/desk/desk.h"
#include "daemon/http/api.h"
#include "daemon/http/route_docs.h"
#include "daemon/http/routes.h"
#include "proto/json.h"
#include "tests/support/desk_on_disk.h"

namespace helpdesk::http {
namespace {

using nlohmann::json;

class QueryDocs : public ::testing::Test {
 protected:
  void SetUp() override {
    ASSERT_TRUE(disk_.Open().ok());
    // Hundreds of requests at once: no rate limit.
    api_ = std::make_unique<Api>(
        disk_.desk(), metrics_, Api::MoveClock(),
        AbuseLimits::Options{.account_per_second = 0, .address_per_second = 0});
    // The first admin, also a dispatcher (and so an agent): every route
    // takes them.
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
    token_ = json::parse(login.body)["token"];
  }

  Response Call(const std::string& method, const std::string& target,
                const std::string& body = "") {
    Request r;
    r.method = method;
    r.target = target;
    r.body = body;
    r.content_type = "application/json";
    r.request_id = "query-docs";
    if (!token_.empty()) r.authorization = "Bearer " + token_;
    std::promise<Response> answer;
    api_->Handle(r, [&](Response resp) { answer.set_value(std::move(resp)); });
    auto f = answer.get_future();
    EXPECT_EQ(f.wait_for(std::chrono::seconds(10)), std::future_status::ready)
        << method << " " << target;
    return f.get();
  }

  // Whether the answer refuses the query parameter `name`.
  static bool Refuses(const Response& r, std::string_view name) {
    if (r.status != 400) return false;
    const json p = json::parse(r.body, nullptr, false);
    return p.is_object() && p.value("parameter", "") == name;
  }

  // Whether the answer refuses `name` as a parameter the route does not
  // take (not for its value: an unknown id in a filter is refused too).
  static bool RefusesAsUnknown(const Response& r, std::string_view name) {
    return Refuses(r, name) &&
           r.body.find("unknown query parameter") != std::string::npos;
  }

  testing::DeskOnDisk disk_;
  Metrics metrics_;
  std::unique_ptr<Api> api_;
  std::string token_;
};

std::string PathOf(std::string_view pattern) {
  std::string path(pattern);
  for (size_t at = path.find('{'); at != std::string::npos; at = path.find('{'))
    path.replace(at, path.find('}', at) - at + 1, "1");
  return path;
}

std::string Number(double x) {
  std::string s = std::to_string(x);
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

// The values the documentation says `p` takes, and some it says it does
// not (none for free text).
struct Samples {
  std::vector<std::string> taken;
  std::vector<std::string> refused;
};

Samples SamplesOf(const QueryParam& p) {
  constexpr double kExact = 9007199254740992.0;  // 2^53
  Samples s;
  switch (p.type) {
    case ParamType::kText:
      break;  // what it must name is the desk's to say (a known id)
    case ParamType::kWhole:
      s.taken = {Number(p.minimum)};
      if (p.maximum < kExact) {
        s.taken.push_back(Number(p.maximum));
        s.refused.push_back(Number(p.maximum + 1));
      }
      if (p.minimum > 0) s.refused.push_back(Number(p.minimum - 1));
      s.refused.push_back("many");
      break;
    case ParamType::kNumber:
      s.taken = {Number(p.minimum), Number(p.maximum)};
      s.refused = {Number(p.maximum * 2 + 1), "lots"};
      if (p.minimum == 0) s.refused.push_back("-1");
      break;
    case ParamType::kBoolean:
      s.taken = {"true", "false"};
      s.refused = {"yes"};
      break;
    case ParamType::kTime:
      s.taken = {"2026-04-15T08:00:00Z", "2026-04-15T10:00:00+02:00"};
      s.refused = {"yesterday"};
      break;
    case ParamType::kTimeOrDate:
      s.taken = {"2026-04-15T08:00:00Z", "2026-04-15", "2024-02-29"};
      s.refused = {"yesterday", "2026-02-30", "2026-4-15", "20260415"};
      break;
    case ParamType::kChoice:
      s.taken = p.choices;
      s.refused = {"no-such-choice"};
      break;
    case ParamType::kList:
      s.taken = p.choices.empty() ? std::vector<std::string>{} : p.choices;
      if (!p.choices.empty()) s.refused = {"no-such-choice"};
      break;
  }
  return s;
}

std::string Encode(std::string_view value) {
  std::string out;
  for (char c : value) out += c == '+' ? std::string("%2B") : std::string(1, c);
  return out;
}

TEST_F(QueryDocs, EveryRouteTakesWhatItsDocumentationListsAndNothingElse) {
  int checked = 0;
  for (const Route& r : Routes()) {
    const RouteDoc* d = DocOf(r);
    ASSERT_NE(d, nullptr) << r.method << " " << r.pattern;
    const std::string path = PathOf(r.pattern);
    const std::string body = r.method == "GET" ? "" : "{}";
    const std::string where = std::string(r.method) + " " + path;
    Response unknown = Call(std::string(r.method), path + "?nosuch=1", body);
    if (d->reads_query) {
      EXPECT_TRUE(RefusesAsUnknown(unknown, "nosuch"))
          << where << ": " << unknown.status << " " << unknown.body;
    } else {
      EXPECT_FALSE(Refuses(unknown, "nosuch")) << where << ": " << unknown.body;
    }
    for (const QueryParam& p : d->query) {
      if (p.credential) continue;  // a token, not a filter
      const Samples samples = SamplesOf(p);
      const std::string name(p.name);
      const std::string method(r.method);
      Response plain = Call(method, path + "?" + name + "=x", body);
      EXPECT_FALSE(RefusesAsUnknown(plain, name)) << where << " " << name;
      for (const std::string& v : samples.taken) {
        Response got = Call(method, path + "?" + name + "=" + Encode(v), body);
        EXPECT_FALSE(Refuses(got, name))
            << where << "?" << name << "=" << v << ": " << got.body;
        ++checked;
      }
      for (const std::string& v : samples.refused) {
        Response got = Call(method, path + "?" + name + "=" + Encode(v), body);
        EXPECT_TRUE(Refuses(got, name))
            << where << "?" << name << "=" << v << " is documented as "
            << "refused: " << got.status << " " << got.body;
        ++checked;
      }
    }
  }
  EXPECT_GT(checked, 100);
}

TEST_F(QueryDocs, APageIgnoresItsQuery) {
  // The dashboard takes a screen's token in the page's URL itself.
  EXPECT_EQ(Call("GET", "/dashboard?token=abc").status, 200);
  EXPECT_EQ(Call("GET", "/?utm_source=intranett").status, 200);
}

TEST_F(QueryDocs, TheDocumentIsServedWithItsTag) {
  Response r = Call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.content_type, "application/json");
  EXPECT_EQ(r.body.substr(0, 19), R"({"openapi":"3.1.0",)");
  bool tagged = false;
  for (const auto& [name, value] : r.headers)
    tagged = tagged || (name == "ETag" && value.size() > 2);
  EXPECT_TRUE(tagged);
  // Public: no credential needed.
  token_.clear();
  EXPECT_EQ(Call("GET", "/api/v1/openapi.json").status, 200);
  EXPECT_TRUE(RefusesAsUnknown(Call("GET", "/api/v1/openapi.json?v=2"), "v"));
}

}  // namespace
}  // namespace helpdesk::http
