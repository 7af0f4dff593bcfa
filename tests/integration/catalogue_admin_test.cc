// Changing the tjenestekatalog over HTTP: services and categories are
// created and changed with versions, every change is an event naming the
// admin, and a refused change changes nothing. Browsing and search are in
// catalogue_test.cc.

#include <algorithm>
#include <functional>
#include <memory>
#include <set>
#include <sstream>

#include "tests/integration/catalogue_fixture.h"

namespace helpdesk::testing {
namespace {

TEST_F(Catalogue, CreatingAServiceIsAnEventNamingTheAdmin) {
  HttpResponse r = client_->Post(
      kServices, NewService().dump(),
      {{"X-Actor", "admin.kari"}, {"X-Request-Id", "new-service-1"}});
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.header("location"), std::string(kServices) + "/overvaking");
  EXPECT_EQ(r.header("etag"), "\"1\"");
  json s = Parse(r);
  EXPECT_EQ(s["id"], "overvaking");
  EXPECT_EQ(s["version"], 1);
  EXPECT_EQ(s["state"], "active") << "a new service is active";
  EXPECT_EQ(s["defaultPriority"], "normal") << "the default when left out";
  EXPECT_EQ(s["name"], NewService()["name"]);
  EXPECT_EQ(GetJson(std::string(kServices) + "/overvaking"), s);

  std::vector<json> events = CatalogueEvents();
  ASSERT_EQ(events.size(), 1u);
  const json& e = events[0];
  EXPECT_EQ(e["actor"], "admin.kari");
  EXPECT_EQ(e["requestId"], "new-service-1");
  EXPECT_EQ(e["catalogueChanged"]["change"], "service_created");
  EXPECT_EQ(e["catalogueChanged"]["catalogueVersion"], 2);
  EXPECT_EQ(e["catalogueChanged"]["service"]["id"], "overvaking");
  EXPECT_EQ(client_->Get(kCatalogue).header("etag"), "\"2\"");

  // It is found the way employees look for it.
  EXPECT_EQ(First("q=overv%C3%A5king"), "overvaking");
  EXPECT_EQ(First("q=overvaaking%20kjoling"), "overvaking");
  EXPECT_TRUE(Contains(IdsOf(TreeServices()), "overvaking"));
}

TEST_F(Catalogue, CreatingAServiceTwiceIs409AndChangesNothing) {
  ASSERT_EQ(client_->Post(kServices, NewService().dump()).status, 201);
  std::string before = CatalogueSnapshot();
  json again = NewService();
  again["name"] = "Et annet navn";
  HttpResponse r = client_->Post(kServices, again.dump());
  ExpectProblem(r, 409, "/problems/already-exists");
  EXPECT_NE(Parse(r).value("detail", "").find("overvaking"), std::string::npos)
      << r.body;
  ExpectProblem(
      client_->Post(kServices, NewService("skrivere-og-utskrift").dump()), 409,
      "/problems/already-exists");
  EXPECT_EQ(CatalogueSnapshot(), before);
}

TEST_F(Catalogue, InvalidServicesAre422NamingEveryPointerAndChangeNothing) {
  const std::string before = CatalogueSnapshot();
  struct Case {
    std::string what;
    std::function<void(json&)> mutate;
    std::set<std::string> pointers;
  };
  std::vector<Case> cases = {
      {"unknown skill",
       [](json& j) {
         j["skills"] = {"servers", "sveising"};
       },
       {"/skills/1"}},
      {"unknown category",
       [](json& j) { j["category"] = "finnes-ikke"; },
       {"/category"}},
      {"external without a supplier",
       [](json& j) { j["delivery"] = "external"; },
       {"/supplier"}},
      {"internal with a supplier",
       [](json& j) {
         j["supplier"] = {{"name", "Leverandør AS"}};
       },
       {"/supplier"}},
      {"business-critical on a standard class",
       [](json& j) { j["businessCritical"] = true; },
       {"/slaClass"}},
      {"unknown SLA class",
       [](json& j) { j["slaClass"] = "gull"; },
       {"/slaClass"}},
      {"id that is not a slug",
       [](json& j) { j["id"] = "Ny Tjeneste"; },
       {"/id"}},
      {"id with æøå", [](json& j) { j["id"] = "overvåking"; }, {"/id"}},
      {"no id", [](json& j) { j.erase("id"); }, {"/id"}},
      {"empty name", [](json& j) { j["name"] = ""; }, {"/name"}},
      {"no presence", [](json& j) { j.erase("presence"); }, {"/presence"}},
      {"no skills", [](json& j) { j["skills"] = json::array(); }, {"/skills"}},
      {"unknown municipality",
       [](json& j) {
         j["municipalities"] = {"rollag", "oslo"};
       },
       {"/municipalities/1"}},
      {"created retired", [](json& j) { j["state"] = "retired"; }, {"/state"}},
      {"everything at once",
       [](json& j) {
         j["id"] = "Ny Tjeneste";
         j["category"] = "finnes-ikke";
         j["delivery"] = "external";
         j["businessCritical"] = true;
         j["skills"] = {"sveising"};
       },
       {"/id", "/category", "/supplier", "/slaClass", "/skills/0"}},
  };
  for (const auto& c : cases) {
    json body = NewService();
    c.mutate(body);
    HttpResponse r = client_->Post(kServices, body.dump());
    ExpectInvalid(r, c.pointers, before, c.what);
    if (c.pointers.size() == 1) {
      EXPECT_EQ(Parse(r).value("field", ""), *c.pointers.begin()) << c.what;
    }
  }
}

TEST_F(Catalogue, ChangingAServiceNeedsTheVersionItWasBasedOn) {
  const std::string target = std::string(kServices) + "/databaser";
  json service = GetJson(target);
  json edit = service;
  edit.erase("version");
  edit["name"] = "Databaser og SQL";
  std::string before = CatalogueSnapshot();

  HttpResponse missing = Put(target, edit.dump());
  ExpectProblem(missing, 428, "/problems/version-required");
  edit["version"] = 7;
  HttpResponse stale = Put(target, edit.dump());
  ExpectProblem(stale, 409, "/problems/version-conflict");
  EXPECT_EQ(Parse(stale)["currentVersion"], 1) << stale.body;
  edit.erase("version");
  HttpResponse stale_match = Put(target, edit.dump(), {{"If-Match", "\"3\""}});
  ExpectProblem(stale_match, 409, "/problems/version-conflict");
  EXPECT_EQ(Parse(stale_match)["currentVersion"], 1) << stale_match.body;
  EXPECT_EQ(CatalogueSnapshot(), before);

  HttpResponse ok = Put(target, edit.dump(),
                        {{"If-Match", "\"1\""}, {"X-Actor", "admin.ola"}});
  ASSERT_EQ(ok.status, 200) << ok.body;
  EXPECT_EQ(ok.header("etag"), "\"2\"");
  json changed = Parse(ok);
  EXPECT_EQ(changed["version"], 2);
  EXPECT_EQ(changed["name"], "Databaser og SQL");
  EXPECT_EQ(GetJson(target), changed);
  std::vector<json> events = CatalogueEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["catalogueChanged"]["change"], "service_updated");
  EXPECT_EQ(events[0]["catalogueChanged"]["service"]["name"],
            "Databaser og SQL");
  EXPECT_EQ(events[0]["actor"], "admin.ola");
  EXPECT_EQ(GetJson(kCatalogue)["version"], 2);

  // The same content again changes nothing: no version, no event.
  before = CatalogueSnapshot();
  HttpResponse same = Put(target, changed.dump());
  ASSERT_EQ(same.status, 200) << same.body;
  EXPECT_EQ(Parse(same)["version"], 2);
  EXPECT_EQ(same.header("etag"), "\"2\"");
  EXPECT_EQ(CatalogueSnapshot(), before);

  // State changes by retire/reactivate, ids never change.
  json retire = changed;
  retire["state"] = "retired";
  ExpectInvalid(Put(target, retire.dump()), {"/state"}, before, "PUT state");
  json renamed = changed;
  renamed["id"] = "databaser-2";
  ExpectInvalid(Put(target, renamed.dump()), {"/id"}, before, "PUT new id");
  json invalid = changed;
  invalid["skills"] = {"sveising"};
  ExpectInvalid(Put(target, invalid.dump()), {"/skills/0"}, before,
                "PUT unknown skill");
  ExpectProblem(Put(std::string(kServices) + "/finnes-ikke", changed.dump(),
                    {{"If-Match", "\"1\""}}),
                404, "/problems/not-found");
  EXPECT_EQ(CatalogueSnapshot(), before);
}

TEST_F(Catalogue, OfAdminsRacingWithOneVersionExactlyOneWins) {
  const std::string target = std::string(kServices) + "/gjestenett";
  json base = GetJson(target);
  constexpr int kRacers = 6;
  const std::vector<int> codes =
      RaceAs(kDesk, kRacers, "PUT", target, [&](int i) {
        json body = base;
        body["name"] = "Gjestenett " + std::to_string(i);
        return body.dump();
      });
  EXPECT_EQ(std::count(codes.begin(), codes.end(), 200), 1);
  EXPECT_EQ(std::count(codes.begin(), codes.end(), 409), kRacers - 1);
  EXPECT_EQ(GetJson(target)["version"], 2);
  EXPECT_EQ(CatalogueEvents().size(), 1u);
}

// ------------------------------------------------------------ categories

TEST_F(Catalogue, CategoriesCanBeAddedAndChangedButNeverFormACycle) {
  HttpResponse r =
      client_->Post(kCategories, json({{"id", "overvaking-og-alarmer"},
                                       {"name", "Overvåking og alarmer"},
                                       {"parent", "drift"}})
                                     .dump());
  ASSERT_EQ(r.status, 201) << r.body;
  EXPECT_EQ(r.header("location"),
            std::string(kCategories) + "/overvaking-og-alarmer");
  EXPECT_EQ(Parse(r)["version"], 1);
  std::vector<json> created = CatalogueEvents();
  ASSERT_EQ(created.size(), 1u);
  EXPECT_EQ(created[0]["catalogueChanged"]["change"], "category_created");
  EXPECT_EQ(created[0]["catalogueChanged"]["category"]["parent"], "drift");
  // It shows in the tree, under drift, once a service is in it.
  json service = NewService();
  service["category"] = "overvaking-og-alarmer";
  ASSERT_EQ(client_->Post(kServices, service.dump()).status, 201);
  json tree = GetJson(kCatalogue);
  bool under_drift = false;
  for (const auto& c : tree["categories"])
    if (c["id"] == "drift")
      for (const auto& sub : c.value("categories", json::array()))
        under_drift |=
            sub["id"] == "overvaking-og-alarmer" && sub["services"].size() == 1;
  EXPECT_TRUE(under_drift) << tree.dump().substr(0, 500);
  EXPECT_EQ(First("q=overvaking&category=drift"), "overvaking");

  const std::string apps = std::string(kCategories) + "/applikasjoner";
  json renamed = GetJson(apps);
  renamed["name"] = "Programvare og fagsystemer";
  HttpResponse put = Put(apps, renamed.dump());
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Parse(put)["version"], 2);
  std::vector<json> events = CatalogueEvents();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events.back()["catalogueChanged"]["change"], "category_updated");

  const std::string before = CatalogueSnapshot();
  json cycle = Parse(put);
  cycle["parent"] = "fagsystemer-administrasjon";  // its own child
  HttpResponse refused = Put(apps, cycle.dump());
  ExpectInvalid(refused, {"/parent"}, before, "a cycle of two");
  EXPECT_NE(Parse(refused).value("detail", "").find("cycle"), std::string::npos)
      << refused.body;
  json deeper = GetJson(std::string(kCategories) + "/drift");
  deeper["parent"] = "overvaking-og-alarmer";
  ExpectInvalid(Put(std::string(kCategories) + "/drift", deeper.dump()),
                {"/parent"}, before, "a cycle through a new category");
  cycle["parent"] = "applikasjoner";
  ExpectInvalid(Put(apps, cycle.dump()), {"/parent"}, before, "own parent");
  cycle["parent"] = "finnes-ikke";
  ExpectInvalid(Put(apps, cycle.dump()), {"/parent"}, before, "unknown parent");
  ExpectInvalid(
      client_->Post(kCategories,
                    json({{"id", "Ny Kategori"}, {"name", "x"}}).dump()),
      {"/id"}, before, "a new category with a bad id");
  cycle.erase("version");
  cycle["parent"] = "";
  ExpectProblem(Put(apps, cycle.dump()), 428, "/problems/version-required");
  ExpectProblem(
      client_->Post(kCategories, json({{"id", "drift"}, {"name", "x"}}).dump()),
      409, "/problems/already-exists");
  EXPECT_EQ(CatalogueSnapshot(), before);
}

// The errors of a one-entry change point into the body that was sent. A
// cycle closed by changing "drift" is that change's problem, whichever
// member of the cycle comes first in the catalogue.
TEST_F(Catalogue, ACycleIsReportedOnTheCategoryBeingChanged) {
  ASSERT_EQ(client_
                ->Post(kCategories, json({{"id", "a-alarmer"},
                                          {"name", "Alarmer"},
                                          {"parent", "drift"}})
                                        .dump())
                .status,
            201);
  const std::string before = CatalogueSnapshot();
  json drift = GetJson(std::string(kCategories) + "/drift");
  drift["parent"] = "a-alarmer";
  ExpectInvalid(Put(std::string(kCategories) + "/drift", drift.dump()),
                {"/parent"}, before, "drift under its own child a-alarmer");
}

// ------------------------------------------------------------ HTTP

TEST_F(Catalogue, WritesNeedJsonAndAnAllowedMethod) {
  const std::string before = CatalogueSnapshot();
  std::string flat = GetJson(std::string(kCatalogue) + "?view=flat").dump();
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{
           {"PUT", kCatalogue},
           {"POST", kServices},
           {"PUT", std::string(kServices) + "/databaser"},
           {"POST", std::string(kServices) + "/databaser/retire"},
           {"POST", kCategories}}) {
    HttpResponse r =
        client_->Send(method, target, flat, {{"Content-Type", "text/plain"}});
    ExpectProblem(r, 415, "/problems/unsupported-media-type");
  }
  struct Case {
    std::string method, target;
    std::set<std::string> must_allow;
  };
  for (const Case& c : std::vector<Case>{
           {"POST", kCatalogue, {"GET", "PUT"}},
           {"DELETE", kCatalogue, {"GET", "PUT"}},
           {"PUT", kServices, {"GET", "POST"}},
           {"DELETE", std::string(kServices) + "/databaser", {"GET", "PUT"}},
           {"PATCH", std::string(kServices) + "/databaser", {"GET", "PUT"}},
           {"POST", std::string(kServices) + "/databaser", {"GET", "PUT"}},
           {"GET", std::string(kServices) + "/databaser/retire", {"POST"}},
           {"DELETE", std::string(kCategories) + "/drift", {"GET", "PUT"}},
       }) {
    std::string what = c.method + " " + c.target;
    HttpResponse r = client_->Send(c.method, c.target, "{}",
                                   {{"Content-Type", "application/json"}});
    ExpectProblem(r, 405, "/problems/method-not-allowed");
    std::set<std::string> allow = AllowSet(r);
    for (const auto& m : c.must_allow)
      EXPECT_TRUE(allow.count(m)) << what << ": Allow: " << r.header("allow");
    EXPECT_FALSE(allow.count(c.method)) << what << ": " << r.header("allow");
  }
  for (const std::string& target :
       {std::string(kServices) + "/databaser/delete",
        std::string(kCatalogue) + "/skills", std::string(kCatalogue) + "/"}) {
    ExpectProblem(client_->Get(target), 404, "/problems/not-found");
  }
  EXPECT_EQ(CatalogueSnapshot(), before);
}

// A body that is not JSON, or JSON of the wrong shape, is the client's
// mistake: a problem for it, and the daemon carries on for everyone else.
TEST_F(Catalogue, MalformedCatalogueBodiesAreProblemsAndTheDaemonLivesOn) {
  const std::string before = CatalogueSnapshot();
  struct Case {
    std::string method, target, body;
    int status;
  };
  const std::string service = std::string(kServices) + "/databaser";
  for (const Case& c : std::vector<Case>{
           {"PUT", kCatalogue, "{", 400},
           {"POST", kServices, "not json", 400},
           {"PUT", service, "[1,2]", 400},
           {"POST", service + "/retire", "", 400},
           {"POST", kCategories, "{\"id\":}", 400},
           {"POST", kServices, R"({"id":"x","skills":"servers"})", 422},
           {"POST", kServices, R"({"id":"x","presence":"sometimes"})", 422},
           {"PUT", service, R"({"nmae":"Databaser","version":1})", 422},
           {"POST", service + "/retire", R"({"reason":7})", 422},
           {"PUT", kCatalogue, R"({"services":{}})", 422},
       }) {
    std::string what = c.method + " " + c.target + " <- " + c.body;
    HttpResponse r = client_->Send(c.method, c.target, c.body,
                                   {{"Content-Type", "application/json"}});
    if (client_->Get("/healthz").status != 200) {
      // Say which request killed it, then start it again for the next one
      // (a crash wrote nothing, which the last check below confirms).
      ADD_FAILURE() << "the daemon died on " << what;
      daemon_->Kill9();
      ASSERT_EQ(daemon_->Start(), "");
      Reconnect();
      continue;
    }
    SCOPED_TRACE(what);
    ExpectProblem(r, c.status,
                  c.status == 400 ? "/problems/malformed-json"
                                  : "/problems/invalid-field");
  }
  EXPECT_EQ(CatalogueSnapshot(), before);
}

}  // namespace
}  // namespace helpdesk::testing
