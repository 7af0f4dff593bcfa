// How catalogue changes meet what is already there: whole-catalogue
// imports, retiring services that tickets were filed under, the service
// snapshot each ticket keeps, and restarts. Browsing, search and single
// edits are in catalogue_test.cc.

#include <map>
#include <set>
#include <string>
#include <vector>

#include "tests/integration/catalogue_fixture.h"

namespace helpdesk::testing {
namespace {

class CatalogueChanges : public Catalogue {
 protected:
  static json TicketFor(const std::string& service,
                        const std::string& municipality = "rollag",
                        const std::string& location = "") {
    json t = GoodTicket();
    t["serviceId"] = service;
    t["municipality"] = municipality;
    t.erase("priority");
    if (location.empty()) {
      t.erase("location");
    } else {
      t["location"] = location;
    }
    return t;
  }

  // Retire or reactivate (`action`) a service.
  HttpResponse SetState(
      const std::string& id, const std::string& action,
      const json& body = json::object(),
      const std::map<std::string, std::string>& headers = {}) {
    return client_->Post(std::string(kServices) + "/" + id + "/" + action,
                         body.dump(), headers);
  }

  json Move(const std::string& id, const json& body) {
    HttpResponse r =
        client_->Post("/api/v1/tickets/" + id + "/status", body.dump());
    EXPECT_EQ(r.status, 200) << body.dump() << " -> " << r.body;
    return Parse(r);
  }
};
using CatalogueImport = CatalogueChanges;
using CatalogueTickets = CatalogueChanges;

// ------------------------------------------------------------ import

TEST_F(CatalogueImport, TheFlatViewImportsBackUnchanged) {
  std::string before = CatalogueSnapshot();
  HttpResponse flat = client_->Get(std::string(kCatalogue) + "?view=flat");
  ASSERT_EQ(flat.status, 200) << flat.body;
  EXPECT_EQ(flat.header("etag"), "\"1\"");
  json c = Parse(flat);
  EXPECT_EQ(c["version"], 1);
  EXPECT_GE(c["services"].size(), 31u);
  EXPECT_NE(flat.body.find("\"faks-og-isdn\""), std::string::npos)
      << "the flat view is the whole catalogue, retired services too";

  HttpResponse put = Put(kCatalogue, flat.body);
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(put.header("etag"), "\"1\"");
  json answer = Parse(put);
  EXPECT_EQ(answer["changed"], false);
  EXPECT_EQ(answer["version"], 1);
  const json diff = answer.value("diff", json::object());
  for (const auto& [list, ids] : diff.items())
    EXPECT_TRUE(ids.is_boolean() ? !ids.get<bool>() : ids.empty())
        << list << ": " << ids.dump();
  EXPECT_EQ(CatalogueSnapshot(), before) << "a no-op import wrote something";

  for (const char* q : {"?view=flat&municipality=rollag",
                        "?view=flat&includeRetired=true", "?view=graph"}) {
    HttpResponse r = client_->Get(std::string(kCatalogue) + q);
    ExpectProblem(r, 400, "/problems/invalid-parameter");
    EXPECT_EQ(Parse(r)["parameter"], "view") << q << ": " << r.body;
  }
}

TEST_F(CatalogueImport, AnImportIsOneEventWithWhatChanged) {
  json c = GetJson(std::string(kCatalogue) + "?view=flat");
  for (auto& s : c["services"]) {
    if (s["id"] == "databaser") s["name"] = "Databaser og SQL";
    if (s["id"] == "gjestenett") s["state"] = "retired";
  }
  c["services"].push_back(NewService());
  HttpResponse r =
      Put(kCatalogue, c.dump(),
          {{"X-Actor", "admin.import"}, {"X-Request-Id", "imp-1"}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("etag"), "\"2\"");
  json answer = Parse(r);
  EXPECT_EQ(answer["changed"], true);
  EXPECT_EQ(answer["version"], 2);
  EXPECT_EQ(answer["diff"]["servicesChanged"], json::array({"databaser"}));
  EXPECT_EQ(answer["diff"]["servicesAdded"], json::array({"overvaking"}));
  EXPECT_EQ(answer["diff"]["servicesRetired"], json::array({"gjestenett"}));

  std::vector<json> events = CatalogueEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["catalogueChanged"]["change"], "imported");
  EXPECT_EQ(events[0]["catalogueChanged"]["catalogueVersion"], 2);
  EXPECT_EQ(events[0]["catalogueChanged"]["diff"], answer["diff"]);
  EXPECT_EQ(events[0]["actor"], "admin.import");
  EXPECT_EQ(events[0]["requestId"], "imp-1");

  // Versions move only for what changed.
  EXPECT_EQ(GetJson(std::string(kServices) + "/databaser")["version"], 2);
  EXPECT_EQ(GetJson(std::string(kServices) + "/gjestenett")["state"],
            "retired");
  EXPECT_EQ(GetJson(std::string(kServices) + "/overvaking")["version"], 1);
  EXPECT_EQ(GetJson(std::string(kServices) + "/e-post")["version"], 1);
  EXPECT_EQ(GetJson(kCatalogue)["version"], 2);
}

TEST_F(CatalogueImport, AnImportCannotDeleteAService) {
  const std::string before = CatalogueSnapshot();
  json c = GetJson(std::string(kCatalogue) + "?view=flat");
  json kept = json::array();
  for (const auto& s : c["services"])
    if (s["id"] != "gjestenett") kept.push_back(s);
  c["services"] = kept;
  HttpResponse r = Put(kCatalogue, c.dump());
  ExpectProblem(r, 422, "/problems/invalid-field");
  json p = Parse(r);
  ASSERT_EQ(p.value("errors", json::array()).size(), 1u) << r.body;
  EXPECT_NE(p["errors"][0].value("detail", "").find("gjestenett"),
            std::string::npos)
      << r.body;
  EXPECT_EQ(CatalogueSnapshot(), before);
}

TEST_F(CatalogueImport, AnImportFromAStaleVersionIs409) {
  json old = GetJson(std::string(kCatalogue) + "?view=flat");
  ASSERT_EQ(client_->Post(kServices, NewService().dump()).status, 201);
  const std::string before = CatalogueSnapshot();
  json c = old;
  c["services"].push_back(NewService());  // so nothing is dropped
  for (auto& s : c["services"])
    if (s["id"] == "databaser") s["name"] = "Databaser og SQL";
  HttpResponse r = Put(kCatalogue, c.dump());
  ExpectProblem(r, 409, "/problems/version-conflict");
  EXPECT_EQ(Parse(r)["currentVersion"], 2) << r.body;
  c.erase("version");
  HttpResponse matched = Put(kCatalogue, c.dump(), {{"If-Match", "\"1\""}});
  ExpectProblem(matched, 409, "/problems/version-conflict");
  EXPECT_EQ(CatalogueSnapshot(), before);
  // Re-read, the same change goes in.
  HttpResponse current = Put(kCatalogue, c.dump(), {{"If-Match", "\"2\""}});
  ASSERT_EQ(current.status, 200) << current.body;
  EXPECT_EQ(Parse(current)["version"], 3);
}

TEST_F(CatalogueImport, ABrokenImportListsEveryProblemAndChangesNothing) {
  const std::string before = CatalogueSnapshot();
  json c = GetJson(std::string(kCatalogue) + "?view=flat");
  auto index_of = [&](const char* list, const std::string& id) {
    for (size_t i = 0; i < c[list].size(); ++i)
      if (c[list][i]["id"] == id) return static_cast<int>(i);
    ADD_FAILURE() << "no " << id << " in " << list;
    return 0;
  };
  const int epost = index_of("services", "e-post");
  const int vdi = index_of("services", "vdi-og-fjerntilgang");
  const int lisens = index_of("services", "lisenskjop");
  const int skole = index_of("categories", "skole");
  c["services"][epost]["slaClass"] = "standard";  // business-critical
  c["services"][vdi]["skills"] = {"vdi", "sveising"};
  c["services"][lisens].erase("supplier");  // delivered externally
  c["categories"][skole]["parent"] = "finnes-ikke";
  json dup = NewService("e-post");  // a second e-post
  c["services"].push_back(dup);
  HttpResponse r = Put(kCatalogue, c.dump());
  ExpectProblem(r, 422, "/problems/invalid-field");
  std::set<std::string> got = Pointers(r);
  for (const std::string& want :
       {"/services/" + std::to_string(epost) + "/slaClass",
        "/services/" + std::to_string(vdi) + "/skills/1",
        "/services/" + std::to_string(lisens) + "/supplier",
        "/categories/" + std::to_string(skole) + "/parent",
        "/services/" + std::to_string(c["services"].size() - 1) + "/id"}) {
    EXPECT_TRUE(got.count(want)) << "no " << want << " in " << r.body;
  }
  EXPECT_GE(Parse(r).value("errors", json::array()).size(), 5u);
  EXPECT_EQ(CatalogueSnapshot(), before);

  // Not a catalogue at all.
  ExpectProblem(Put(kCatalogue, R"({"services":[{"id":"x"}]})"), 422,
                "/problems/invalid-field");
  EXPECT_EQ(CatalogueSnapshot(), before);
}

// ------------------------------------------------------------ tickets

TEST_F(CatalogueTickets, ATicketNeedsAnActiveServiceOfferedInItsMunicipality) {
  Create();
  const std::string before = Snapshot();
  struct Case {
    json body;
    std::string in_detail;
  };
  for (const Case& c : std::vector<Case>{
           {TicketFor("finnes-ikke"), "no service 'finnes-ikke'"},
           {TicketFor("Skrivere-og-utskrift"), "no service"},  // ids are exact
           {TicketFor("kart-og-gis"), "not offered in rollag"},
           {TicketFor("skole-ipad-forvaltning", "flesberg",
                      "flesberg-lampeland-skole"),
            "not offered in flesberg"},
           {TicketFor("ikt-veileder-skole", "tinn"), "not offered in tinn"},
           {TicketFor("faks-og-isdn"), "retired"},
       }) {
    SCOPED_TRACE(c.body.dump());
    HttpResponse r = client_->Post("/api/v1/tickets", c.body.dump());
    ExpectProblem(r, 422, "/problems/invalid-field");
    json p = Parse(r);
    EXPECT_EQ(p.value("field", ""), "serviceId") << r.body;
    EXPECT_NE(p.value("detail", "").find(c.in_detail), std::string::npos)
        << r.body;
    EXPECT_EQ(Snapshot(), before) << "a refused ticket wrote something";
  }
  // The same services where they are offered.
  json gis = Create(TicketFor("kart-og-gis", "kongsberg", "kongsberg-radhus"));
  EXPECT_EQ(gis["service"]["id"], "kart-og-gis");
  json ipad = Create(TicketFor("skole-ipad-forvaltning", "tinn"));
  EXPECT_EQ(ipad["serviceId"], "skole-ipad-forvaltning");
  Create(TicketFor("ikt-veileder-skole", "flesberg"));
}

TEST_F(CatalogueTickets, PriorityDefaultsToTheServicesDefaultPriority) {
  for (const auto& [service, priority] :
       std::vector<std::pair<std::string, std::string>>{
           {"katalogtjeneste", "critical"},
           {"e-post", "high"},
           {"skrivere-og-utskrift", "normal"},
           {"pc-og-utstyr", "low"}}) {
    EXPECT_EQ(Create(TicketFor(service))["priority"], priority) << service;
  }
  json explicit_low = TicketFor("katalogtjeneste");
  explicit_low["priority"] = "low";
  EXPECT_EQ(Create(explicit_low)["priority"], "low") << "the reporter's wins";

  // A new default applies to new tickets only.
  const std::string target = std::string(kServices) + "/skrivere-og-utskrift";
  json s = GetJson(target);
  s["defaultPriority"] = "high";
  ASSERT_EQ(Put(target, s.dump()).status, 200);
  EXPECT_EQ(Create(TicketFor("skrivere-og-utskrift"))["priority"], "high");
  EXPECT_EQ(GetJson("/api/v1/tickets/3")["priority"], "normal");
}

TEST_F(CatalogueTickets, ATicketKeepsTheServiceAsItWasWhenFiled) {
  json first = Create();
  ASSERT_TRUE(first.contains("service")) << first.dump();
  ASSERT_EQ(first["version"], 2) << "filed, then assigned: " << first.dump();
  const json snapshot = first["service"];
  EXPECT_EQ(snapshot["id"], "skrivere-og-utskrift");
  EXPECT_EQ(snapshot["version"], 1);
  EXPECT_EQ(snapshot["name"], "Skrivere og utskrift");
  EXPECT_EQ(snapshot["category"], "brukerstotte");
  EXPECT_EQ(snapshot["presence"], "not_needed");
  EXPECT_EQ(snapshot["delivery"], "internal");
  EXPECT_EQ(snapshot["businessCritical"], false);
  EXPECT_EQ(snapshot["skills"], json::array({"printers"}));
  EXPECT_EQ(snapshot["slaClass"], "standard");
  EXPECT_EQ(GetJson("/api/v1/tickets/1")["service"], snapshot);

  // The admin rewrites the service: name, presence, SLA class, delivery.
  const std::string target = std::string(kServices) + "/skrivere-og-utskrift";
  json s = GetJson(target);
  s["name"] = "Skrivere, skannere og utskrift";
  s["presence"] = "necessary";
  s["slaClass"] = "order";
  s["delivery"] = "external";
  s["supplier"] = {{"name", "Skriverleverandør AS"},
                   {"contact", "service@skriver.example"}};
  s["skills"] = {"printers", "supplier-followup"};
  s["category"] = "lokal-it";
  HttpResponse put = Put(target, s.dump());
  ASSERT_EQ(put.status, 200) << put.body;
  ASSERT_EQ(Parse(put)["version"], 2);

  json again = GetJson("/api/v1/tickets/1");
  EXPECT_EQ(again["service"], snapshot) << "a catalogue edit rewrote history";
  EXPECT_EQ(again["version"], first["version"])
      << "a catalogue edit is not a ticket change";
  EXPECT_EQ(again["assignee"], first["assignee"])
      << "a catalogue edit does not dispatch the ticket again";
  json listed = GetJson("/api/v1/tickets?view=full");
  ASSERT_EQ(listed["tickets"].size(), 1u);
  EXPECT_EQ(listed["tickets"][0]["service"], snapshot);
  std::vector<json> events = AllEvents();
  ASSERT_FALSE(events.empty());
  EXPECT_EQ(events[0]["ticketCreated"]["ticket"]["service"], snapshot);

  // A new ticket is filed under the service as it is now.
  json second = Create();
  const json& now = second["service"];
  EXPECT_EQ(now["version"], 2);
  EXPECT_EQ(now["name"], "Skrivere, skannere og utskrift");
  EXPECT_EQ(now["presence"], "necessary");
  EXPECT_EQ(now["slaClass"], "order");
  EXPECT_EQ(now["delivery"], "external");
  EXPECT_EQ(now["category"], "lokal-it");
  EXPECT_EQ(now["supplier"]["name"], "Skriverleverandør AS");

  // An import changing it once more leaves both tickets as they were.
  json c = GetJson(std::string(kCatalogue) + "?view=flat");
  for (auto& service : c["services"])
    if (service["id"] == "skrivere-og-utskrift")
      service["presence"] = "desirable";
  ASSERT_EQ(Put(kCatalogue, c.dump()).status, 200);
  EXPECT_EQ(GetJson("/api/v1/tickets/1")["service"], snapshot);
  EXPECT_EQ(GetJson("/api/v1/tickets/2")["service"], now);
}

TEST_F(CatalogueTickets, RetiringAServiceKeepsItsTicketsWorking) {
  const std::string id = Create(TicketFor("teams-og-videomoter"))["id"];
  const json snapshot = GetJson("/api/v1/tickets/" + id)["service"];

  HttpResponse retired = SetState("teams-og-videomoter", "retire",
                                  {{"reason", "Erstattes av ny møteplattform"}},
                                  {{"X-Actor", "admin.kari"}});
  ASSERT_EQ(retired.status, 200) << retired.body;
  EXPECT_EQ(retired.header("etag"), "\"2\"");
  EXPECT_EQ(Parse(retired)["state"], "retired");
  EXPECT_EQ(Parse(retired)["version"], 2);
  std::vector<json> events = CatalogueEvents();
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0]["actor"], "admin.kari");
  EXPECT_EQ(events[0]["catalogueChanged"]["change"], "service_retired");
  EXPECT_EQ(events[0]["catalogueChanged"]["reason"],
            "Erstattes av ny møteplattform");
  EXPECT_EQ(events[0]["catalogueChanged"]["service"]["state"], "retired");
  EXPECT_EQ(GetJson(std::string(kServices) + "/teams-og-videomoter")["state"],
            "retired");
  EXPECT_EQ(GetJson(kCatalogue).dump().find("\"teams-og-videomoter\""),
            std::string::npos)
      << "a retired service is not offered in the tree";
  EXPECT_TRUE(Search("q=teams").empty());

  // No new tickets under it; nothing is written trying.
  const std::string before = Snapshot();
  HttpResponse refused =
      client_->Post("/api/v1/tickets", TicketFor("teams-og-videomoter").dump());
  ExpectProblem(refused, 422, "/problems/invalid-field");
  EXPECT_EQ(Parse(refused).value("field", ""), "serviceId");
  EXPECT_NE(Parse(refused).value("detail", "").find("retired"),
            std::string::npos)
      << refused.body;
  EXPECT_EQ(Snapshot(), before);

  // The ticket filed before goes on as ever, with its snapshot: it can be
  // given to someone else, worked, commented and resolved.
  json t = GetJson("/api/v1/tickets/" + id);
  EXPECT_EQ(t["serviceId"], "teams-og-videomoter");
  EXPECT_EQ(t["service"], snapshot);
  ASSERT_EQ(t["version"], 2) << t.dump();
  const std::string agent =
      t["assignee"] == "kari.haugen" ? "hanne.lie" : "kari.haugen";
  HttpResponse assigned = client_->Post(
      "/api/v1/tickets/" + id + "/assign",
      json({{"assignee", agent}, {"reason", "Kjenner Teams"}, {"version", 2}})
          .dump(),
      {{"X-Actor", "ole.kristiansen"}});
  ASSERT_EQ(assigned.status, 200) << assigned.body;
  EXPECT_EQ(Parse(assigned)["assignee"], agent);
  Move(id, {{"status", "in_progress"}, {"version", 3}});
  HttpResponse comment =
      client_->Post("/api/v1/tickets/" + id + "/comments",
                    json({{"body", "Bruk Teams inntil videre."}}).dump(),
                    {{"X-Actor", agent}});
  EXPECT_EQ(comment.status, 201) << comment.body;
  EXPECT_EQ(Move(id, {{"status", "resolved"}, {"version", 5}})["status"],
            "resolved");
  EXPECT_EQ(GetJson("/api/v1/tickets/" + id)["service"], snapshot);

  // Retiring twice is a conflict; reactivating brings it back.
  ExpectProblem(SetState("teams-og-videomoter", "retire"), 409,
                "/problems/illegal-transition");
  HttpResponse stale =
      SetState("teams-og-videomoter", "reactivate", {{"version", 1}});
  ExpectProblem(stale, 409, "/problems/version-conflict");
  EXPECT_EQ(Parse(stale)["currentVersion"], 2) << stale.body;
  HttpResponse back =
      SetState("teams-og-videomoter", "reactivate", {{"version", 2}});
  ASSERT_EQ(back.status, 200) << back.body;
  EXPECT_EQ(Parse(back)["state"], "active");
  EXPECT_EQ(Parse(back)["version"], 3);
  events = CatalogueEvents();
  ASSERT_EQ(events.size(), 2u);
  EXPECT_EQ(events[1]["catalogueChanged"]["change"], "service_reactivated");
  ExpectProblem(SetState("teams-og-videomoter", "reactivate"), 409,
                "/problems/illegal-transition");
  EXPECT_EQ(Search("q=teams"), std::vector<std::string>{"teams-og-videomoter"});
  EXPECT_EQ(Create(TicketFor("teams-og-videomoter"))["service"]["version"], 3);
  ExpectProblem(SetState("finnes-ikke", "retire"), 404, "/problems/not-found");
}

TEST_F(CatalogueTickets, CatalogueChangesSurviveARestart) {
  ASSERT_EQ(client_->Post(kServices, NewService().dump()).status, 201);  // v2
  ASSERT_EQ(SetState("gjestenett", "retire").status, 200);               // v3
  json drift = GetJson(std::string(kCategories) + "/drift");
  drift["name"] = "Regional drift og plattform";
  ASSERT_EQ(Put(std::string(kCategories) + "/drift", drift.dump()).status,
            200);  // v4
  json ticket = Create(TicketFor("overvaking"));
  const std::string before = CatalogueSnapshot();
  ASSERT_EQ(GetJson(kCatalogue)["version"], 4);

  ASSERT_EQ(daemon_->Restart(), "");
  Reconnect();
  EXPECT_EQ(CatalogueSnapshot(), before);
  EXPECT_EQ(client_->Get(kCatalogue).header("etag"), "\"4\"");
  EXPECT_EQ(GetJson(std::string(kCategories) + "/drift")["name"],
            "Regional drift og plattform");
  EXPECT_EQ(GetJson(std::string(kServices) + "/gjestenett")["state"],
            "retired");
  EXPECT_EQ(GetJson("/api/v1/tickets/1")["service"], ticket["service"]);
  ExpectProblem(
      client_->Post("/api/v1/tickets", TicketFor("gjestenett").dump()), 422,
      "/problems/invalid-field");

  // Versions go on from where they were.
  json s = GetJson(std::string(kServices) + "/overvaking");
  s["name"] = "Overvåking av kjøling og strøm";
  HttpResponse put = Put(std::string(kServices) + "/overvaking", s.dump());
  ASSERT_EQ(put.status, 200) << put.body;
  EXPECT_EQ(Parse(put)["version"], 2);
  EXPECT_EQ(GetJson(kCatalogue)["version"], 5);
  std::vector<json> events = CatalogueEvents();
  ASSERT_EQ(events.size(), 4u);
  EXPECT_EQ(events.back()["catalogueChanged"]["catalogueVersion"], 5);
}

}  // namespace
}  // namespace helpdesk::testing
