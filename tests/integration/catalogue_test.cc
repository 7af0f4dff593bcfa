// The tjenestekatalog over HTTP as a municipal IT admin relies on it:
// browsing the tree, searching the way employees type, changing services
// and categories, and importing a whole catalogue. Every refused change
// changes nothing: the event log, the tickets and the flat catalogue stay
// as they were. Tickets filed against the catalogue are in
// catalogue_tickets_test.cc.

#include <algorithm>
#include <functional>
#include <memory>
#include <set>
#include <sstream>
#include <thread>

#include "tests/integration/catalogue_fixture.h"

namespace helpdesk::testing {
namespace {

TEST_F(Catalogue, TheTreeHoldsTheRegionsActiveServices) {
  HttpResponse r = client_->Get(kCatalogue);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("etag"), "\"1\"");
  json tree = Parse(r);
  EXPECT_EQ(tree["version"], 1);
  ASSERT_GE(tree["categories"].size(), 6u) << "top-level categories";
  std::set<std::string> top;
  for (const auto& c : tree["categories"]) {
    top.insert(c.value("id", "?"));
    EXPECT_FALSE(c.value("name", "").empty()) << c.dump().substr(0, 200);
  }
  EXPECT_FALSE(top.count("fagsystemer-administrasjon"))
      << "a sub-category is not at the top";
  std::vector<json> services = TreeServices();
  EXPECT_GE(services.size(), 30u);
  std::set<std::string> presence, delivery, ids;
  for (const auto& s : services) {
    EXPECT_EQ(s["state"], "active") << s["id"];
    EXPECT_TRUE(ids.insert(s.value("id", "?")).second) << "twice: " << s["id"];
    presence.insert(s.value("presence", "?"));
    delivery.insert(s.value("delivery", "?"));
  }
  EXPECT_EQ(presence,
            (std::set<std::string>{"necessary", "desirable", "not_needed"}));
  EXPECT_EQ(delivery, (std::set<std::string>{"internal", "external"}));
  // Services of sub-categories sit in their own node.
  EXPECT_TRUE(ids.count("sak-og-arkiv"));
  EXPECT_FALSE(ids.count("faks-og-isdn")) << "retired, so hidden";
  // Skills and SLA classes come along, for showing what a service needs.
  EXPECT_GE(tree["skills"].size(), 10u);
  EXPECT_GE(tree["slaClasses"].size(), 2u);
}

TEST_F(Catalogue, TheTreeForAMunicipalityShowsOnlyWhatIsOfferedThere) {
  std::vector<json> flesberg = TreeServices("?municipality=flesberg");
  std::vector<std::string> ids = IdsOf(flesberg);
  EXPECT_FALSE(Contains(ids, "kart-og-gis")) << "Kongsberg only";
  EXPECT_FALSE(Contains(ids, "skole-ipad-forvaltning"))
      << "Nore og Uvdal, Tinn and Hjartdal only";
  EXPECT_TRUE(Contains(ids, "ikt-veileder-skole"));
  EXPECT_TRUE(Contains(ids, "skole-chromebook-forvaltning"));
  EXPECT_TRUE(Contains(ids, "brukerstotte-pa-stedet")) << "offered everywhere";
  for (const auto& s : flesberg) {
    const json m = s.value("municipalities", json::array());
    EXPECT_TRUE(m.empty() ||
                std::find(m.begin(), m.end(), "flesberg") != m.end())
        << s["id"] << " is not offered in Flesberg: " << m.dump();
  }
  EXPECT_LT(flesberg.size(), TreeServices().size());
  // A category left empty by the filter is left out.
  json tree = GetJson(std::string(kCatalogue) + "?municipality=flesberg");
  EXPECT_EQ(tree.dump().find("fagsystemer-plan-teknisk"), std::string::npos)
      << "its only service is Kongsberg's kart-og-gis";
  EXPECT_TRUE(
      Contains(IdsOf(TreeServices("?municipality=kongsberg")), "kart-og-gis"));

  HttpResponse unknown =
      client_->Get(std::string(kCatalogue) + "?municipality=oslo");
  ExpectProblem(unknown, 400, "/problems/invalid-parameter");
  EXPECT_EQ(Parse(unknown)["parameter"], "municipality") << unknown.body;
}

TEST_F(Catalogue, RetiredServicesAreHiddenUnlessAskedFor) {
  EXPECT_FALSE(Contains(IdsOf(TreeServices()), "faks-og-isdn"));
  std::vector<json> all = TreeServices("?includeRetired=true");
  auto faks = std::find_if(all.begin(), all.end(), [](const json& s) {
    return s.value("id", "") == "faks-og-isdn";
  });
  ASSERT_NE(faks, all.end());
  EXPECT_EQ((*faks)["state"], "retired");
  EXPECT_EQ(all.size(), TreeServices().size() + 1);
  EXPECT_TRUE(Search("q=faks").empty());
  EXPECT_EQ(Search("q=faks&includeRetired=true"),
            std::vector<std::string>{"faks-og-isdn"});
  // Its own page still answers: tickets filed under it link there.
  EXPECT_EQ(GetJson(std::string(kServices) + "/faks-og-isdn")["state"],
            "retired");
  HttpResponse bad =
      client_->Get(std::string(kCatalogue) + "?includeRetired=yes");
  ExpectProblem(bad, 400, "/problems/invalid-parameter");
  EXPECT_EQ(Parse(bad)["parameter"], "includeRetired") << bad.body;
}

TEST_F(Catalogue, AServiceAndACategoryHaveTheirVersionAsETag) {
  HttpResponse r =
      client_->Get(std::string(kServices) + "/skrivere-og-utskrift");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.header("etag"), "\"1\"");
  json s = Parse(r);
  EXPECT_EQ(s["id"], "skrivere-og-utskrift");
  EXPECT_EQ(s["name"], "Skrivere og utskrift");
  EXPECT_EQ(s["category"], "brukerstotte");
  EXPECT_EQ(s["presence"], "not_needed");
  EXPECT_EQ(s["delivery"], "internal");
  EXPECT_EQ(s["slaClass"], "standard");
  EXPECT_EQ(s["state"], "active");
  EXPECT_EQ(s["version"], 1);
  EXPECT_EQ(s["skills"], json::array({"printers"}));

  HttpResponse cat = client_->Get(std::string(kCategories) + "/applikasjoner");
  ASSERT_EQ(cat.status, 200) << cat.body;
  EXPECT_EQ(cat.header("etag"), "\"1\"");
  EXPECT_EQ(Parse(cat)["name"], "Applikasjoner og fagsystemer");
  EXPECT_EQ(
      GetJson(std::string(kCategories) + "/fagsystemer-helse-omsorg")["parent"],
      "applikasjoner");

  for (const std::string& target :
       {std::string(kServices) + "/finnes-ikke",
        std::string(kServices) + "/Skrivere-og-utskrift",
        std::string(kCategories) + "/finnes-ikke"}) {
    ExpectProblem(client_->Get(target), 404, "/problems/not-found");
  }
}

// ------------------------------------------------------------ search

TEST_F(Catalogue, SearchFoldsCaseAndNorwegianLetters) {
  std::vector<std::string> want = Search("q=brukerst%C3%B8tte");  // ø
  ASSERT_GE(want.size(), 3u);
  for (const char* q :
       {"q=brukerstotte", "q=Brukerst%C3%B8tte", "q=BRUKERST%C3%98TTE",
        "q=brukerstoette", "q=BRUKERSTOTTE", "q=%20brukerst%C3%B8tte%20"}) {
    EXPECT_EQ(Search(q), want) << q;
  }
  // The two services named Brukerstøtte come first; the rest match by
  // category or keyword.
  EXPECT_EQ(std::set<std::string>(want.begin(), want.begin() + 2),
            (std::set<std::string>{"brukerstotte-pa-stedet",
                                   "brukerstotte-fjernhjelp"}));
  // å typed as å, aa or a.
  for (const char* q :
       {"q=brukerst%C3%B8tte%20p%C3%A5%20stedet",
        "q=brukerstotte%20paa%20stedet", "q=BRUKERSTOTTE%20PA%20STEDET",
        "q=Brukerst%C3%B8tte%20P%C3%85%20stedet"}) {
    std::vector<std::string> got = Search(q);
    ASSERT_FALSE(got.empty()) << q;
    EXPECT_EQ(got[0], "brukerstotte-pa-stedet") << q;
  }
  // æ and ø elsewhere in a word: "Økonomi- og lønnssystem".
  for (const char* q : {"q=l%C3%B8nn", "q=lonn", "q=L%C3%98NN", "q=loenn",
                        "q=%C3%B8konomi", "q=okonomi"}) {
    std::vector<std::string> got = Search(q);
    ASSERT_FALSE(got.empty()) << q;
    EXPECT_EQ(got[0], "okonomi-og-lonn") << q;
  }
}

TEST_F(Catalogue, SearchPutsNameMatchesBeforeTheRest) {
  // "Mobiltelefoni" has telefon inside its name; mobile-enheter only has
  // the keyword "mistet telefon", a better word match that must still
  // come after any name match.
  for (const auto& [q, word] : std::vector<std::pair<std::string, std::string>>{
           {"telefon", "telefon"},
           {"sikkerhet", "sikkerhet"},
           {"brukerstotte", "brukerstøtte"}}) {
    json p = GetJson(std::string(kServices) + "?q=" + q);
    bool seen_other = false, seen_name = false;
    for (const auto& s : p["services"]) {
      std::string name = s.value("name", "");
      std::transform(name.begin(), name.end(), name.begin(),
                     [](unsigned char c) { return std::tolower(c); });
      if (name.find(word) != std::string::npos) {
        seen_name = true;
        EXPECT_FALSE(seen_other)
            << q << ": " << s["id"] << " matches by name but comes after a "
            << "service that does not: " << p.dump().substr(0, 2000);
      } else {
        seen_other = true;
      }
    }
    EXPECT_TRUE(seen_name && seen_other) << q << ": " << p.dump();
  }
  std::vector<std::string> telefon = Search("q=telefon");
  auto at = [&](const std::string& id) {
    return std::find(telefon.begin(), telefon.end(), id) - telefon.begin();
  };
  ASSERT_TRUE(Contains(telefon, "mobiltelefoni"));
  ASSERT_TRUE(Contains(telefon, "mobile-enheter"));
  EXPECT_LT(at("mobiltelefoni"), at("mobile-enheter"));
}

TEST_F(Catalogue, SearchGivesTheServicesMatchingMostWords) {
  std::vector<std::string> pc = Search("q=pc");
  EXPECT_TRUE(Contains(pc, "pc-reparasjon-garanti"));
  EXPECT_TRUE(Contains(pc, "pc-og-utstyr"));
  EXPECT_EQ(Search("q=pc%20garanti"),
            std::vector<std::string>{"pc-reparasjon-garanti"});
  EXPECT_EQ(Search("q=PC+Garanti"),
            std::vector<std::string>{"pc-reparasjon-garanti"});
  EXPECT_TRUE(Contains(Search("q=skriver"), "skrivere-og-utskrift"));
  // No service has both words: those with either, best first.
  std::vector<std::string> either = Search("q=skriver%20garanti");
  EXPECT_TRUE(Contains(either, "skrivere-og-utskrift"));
  EXPECT_TRUE(Contains(either, "pc-reparasjon-garanti"));
  // A sentence as typed, bokmål or nynorsk, through the built-in synonyms.
  EXPECT_EQ(Search("q=skriveren%20virker%20ikke").at(0),
            "skrivere-og-utskrift");
  EXPECT_EQ(Search("q=skrivaren%20verkar%20ikkje").at(0),
            "skrivere-og-utskrift");
  EXPECT_EQ(Search("q=printer").at(0), "skrivere-og-utskrift");
  EXPECT_TRUE(Search("q=ikke").empty());
  json none = GetJson(std::string(kServices) + "?q=finnesikkeiheletatt");
  ASSERT_TRUE(none.contains("services")) << none.dump();
  EXPECT_TRUE(none["services"].empty()) << none.dump();
}

TEST_F(Catalogue, SearchFiltersByMunicipalityAndCategoryAndLimits) {
  std::vector<std::string> flesberg = Search("q=skole&municipality=flesberg");
  EXPECT_TRUE(Contains(flesberg, "skole-chromebook-forvaltning"));
  EXPECT_TRUE(Contains(flesberg, "ikt-veileder-skole"));
  EXPECT_FALSE(Contains(flesberg, "skole-ipad-forvaltning"));
  std::vector<std::string> tinn = Search("q=skole&municipality=tinn");
  EXPECT_TRUE(Contains(tinn, "skole-ipad-forvaltning"));
  EXPECT_FALSE(Contains(tinn, "skole-chromebook-forvaltning"));
  EXPECT_FALSE(Contains(tinn, "ikt-veileder-skole"));

  // A category takes in its sub-categories.
  json apps = GetJson(std::string(kServices) + "?category=applikasjoner");
  std::set<std::string> categories;
  for (const auto& s : apps["services"])
    categories.insert(s.value("category", ""));
  EXPECT_TRUE(categories.count("applikasjoner")) << apps.dump();
  EXPECT_TRUE(categories.count("fagsystemer-administrasjon")) << apps.dump();
  for (const auto& c : categories)
    EXPECT_TRUE(c == "applikasjoner" || c.starts_with("fagsystemer-")) << c;
  EXPECT_EQ(Search("q=journal&category=skole"), std::vector<std::string>{});
  EXPECT_TRUE(Contains(Search("q=journal&category=fagsystemer-helse-omsorg"),
                       "helse-omsorg-journal"));

  // Without q every active service matches; limit cuts the list.
  std::vector<std::string> all = Search("limit=500");
  EXPECT_GE(all.size(), 30u);
  EXPECT_FALSE(Contains(all, "faks-og-isdn"));
  EXPECT_EQ(Search("limit=500&includeRetired=true").size(), all.size() + 1);
  EXPECT_EQ(Search("limit=3"),
            std::vector<std::string>(all.begin(), all.begin() + 3));
  EXPECT_EQ(Search("").size(), std::min<size_t>(50, all.size()))
      << "the default limit is 50";

  for (const auto& [q, parameter] :
       std::vector<std::pair<std::string, std::string>>{
           {"limit=0", "limit"},
           {"limit=501", "limit"},
           {"limit=x", "limit"},
           {"category=finnes-ikke", "category"},
           {"includeRetired=1", "includeRetired"},
           {"q=" + std::string(201, 'a'), "q"},
           {"sort=name", "sort"}}) {
    HttpResponse r = client_->Get(std::string(kServices) + "?" + q);
    ExpectProblem(r, 400, "/problems/invalid-parameter");
    EXPECT_EQ(Parse(r).value("parameter", ""), parameter)
        << q << " -> " << r.body;
  }
}

// A typo in the municipality must not silently widen the list to the
// services offered everywhere: the tree refuses it, and so should search.
TEST_F(Catalogue, SearchRefusesAnUnknownMunicipalityLikeTheTreeDoes) {
  HttpResponse r =
      client_->Get(std::string(kServices) + "?q=skole&municipality=flessberg");
  ASSERT_EQ(r.status, 400) << r.body.substr(0, 300);
  ExpectProblem(r, 400, "/problems/invalid-parameter");
  EXPECT_EQ(Parse(r).value("parameter", ""), "municipality") << r.body;
}

// ------------------------------------------------------------ services

}  // namespace
}  // namespace helpdesk::testing
