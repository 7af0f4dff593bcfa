// Search as an employee types: folded case and æ/ø/å, every word must
// match, name matches first.

#include "catalogue/search.h"

#include "catalogue/default_catalogue.h"
#include "tests/catalogue/test_catalogue.h"

namespace helpdesk::catalogue {
namespace {

SearchOptions In(std::string municipality, std::string category = "") {
  SearchOptions o;
  o.municipality = std::move(municipality);
  o.category = std::move(category);
  return o;
}

std::vector<std::string> Ids(const std::vector<SearchHit>& hits) {
  std::vector<std::string> ids;
  for (const auto& h : hits) ids.push_back(h.service->id());
  return ids;
}

TEST(FoldForSearch, FoldsCaseAndNorwegianLetters) {
  EXPECT_EQ(FoldForSearch("Brukerstøtte"), "brukerstotte");
  EXPECT_EQ(FoldForSearch("BRUKERSTØTTE"), "brukerstotte");
  EXPECT_EQ(FoldForSearch("brukerstoette"), "brukerstotte");
  EXPECT_EQ(FoldForSearch("På stedet"), "pa stedet");
  EXPECT_EQ(FoldForSearch("Paa stedet"), "pa stedet");
  EXPECT_EQ(FoldForSearch("Æ Ø Å æøå"), "ae o a aeoa");
  EXPECT_EQ(FoldForSearch("Kjære"), "kjaere");
  EXPECT_EQ(FoldForSearch("Čáhcesuolu Šiellat"), "cahcesuolu siellat");
  EXPECT_EQ(FoldForSearch("  e-post, (VPN)!  "), "e post vpn");
  EXPECT_EQ(FoldForSearch(""), "");
  // Invalid UTF-8 is a separator, never a crash.
  EXPECT_EQ(FoldForSearch("a\xff\xfe"
                          "b\xc3"),
            "a b");
}

TEST(Search, FindsTheSameServiceHoweverTheWordIsSpelled) {
  v1::Catalogue c = SmallCatalogue();
  for (const char* q : {"brukerstotte", "Brukerstøtte", "BRUKERSTØTTE",
                        "brukerstoette", "støtte", "på stedet"}) {
    auto ids = Ids(Search(c, q, {}));
    ASSERT_FALSE(ids.empty()) << q;
    EXPECT_EQ(ids[0], "brukerstotte-pa-stedet") << q;
  }
}

TEST(Search, EveryWordMustMatch) {
  v1::Catalogue c = SmallCatalogue();
  EXPECT_EQ(Ids(Search(c, "skriver papirstopp", {})),
            std::vector<std::string>{"skrivere"});
  EXPECT_TRUE(Search(c, "skriver hjelp", {}).empty());
  EXPECT_TRUE(Search(c, "ubåt", {}).empty());
}

TEST(Search, NameMatchesComeBeforeDescriptionMatches) {
  v1::Catalogue c = SmallCatalogue();
  // "hjelp" is a keyword of one service; make it the name of the other.
  c.mutable_services(1)->set_name("Hjelp med skrivere");
  EXPECT_EQ(Ids(Search(c, "hjelp", {})),
            (std::vector<std::string>{"skrivere", "brukerstotte-pa-stedet"}));
}

TEST(Search, FiltersByMunicipalityCategoryAndState) {
  v1::Catalogue c = SmallCatalogue();
  EXPECT_EQ(Search(c, "", {}).size(), 2u);
  EXPECT_EQ(Ids(Search(c, "", In("hjartdal"))),
            std::vector<std::string>{"brukerstotte-pa-stedet"});
  EXPECT_EQ(Ids(Search(c, "", In("", "utskrift"))),
            std::vector<std::string>{"skrivere"});
  // A category holds what lies below it.
  EXPECT_EQ(Search(c, "", In("", "arbeidsplass")).size(), 2u);
  c.mutable_services(1)->set_state(v1::SERVICE_STATE_RETIRED);
  EXPECT_EQ(Search(c, "skriver", {}).size(), 0u);
  SearchOptions retired;
  retired.include_retired = true;
  EXPECT_EQ(Search(c, "skriver", retired).size(), 1u);
  SearchOptions one;
  one.limit = 1;
  EXPECT_EQ(Search(c, "", one).size(), 1u);
}

TEST(Search, TheBuiltInCatalogueAnswersEverydayWords) {
  DefaultCatalogueResult d = DefaultCatalogue(kMunicipalities);
  ASSERT_EQ(d.error, "");
  auto first = [&](const char* q) {
    auto hits = Search(d.catalogue, q, {});
    return hits.empty() ? std::string("(none)") : hits[0].service->id();
  };
  EXPECT_EQ(first("brukerstøtte på stedet"), "brukerstotte-pa-stedet");
  EXPECT_EQ(first("passord"), "passord-og-mfa");
  EXPECT_EQ(first("eksamen"), "eksamen");
  EXPECT_EQ(first("Valg"), "valg");
}

}  // namespace
}  // namespace helpdesk::catalogue
