// Search as an employee types: a sentence, in bokmål or nynorsk, with
// their own words; folded case and æ/ø/å, word endings, stop words and the
// catalogue's synonyms; best match first.

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

TEST(SearchTerms, MeetAtOneStemWhateverTheEndingOrWrittenForm) {
  // Bokmål and nynorsk, definite and plural: one stem.
  for (const char* w : {"skriver", "skriveren", "Skriverens", "skrivar",
                        "skrivaren", "skrivarane", "skrive"})
    EXPECT_EQ(SearchTerms(w), std::vector<std::string>{"skriv"}) << w;
  EXPECT_EQ(SearchTerms("Passordet"), std::vector<std::string>{"passord"});
  EXPECT_EQ(SearchTerms("maskina"), SearchTerms("maskinen"));
  // Stemmed before folding: the stemmer knows æ, ø and å.
  EXPECT_EQ(SearchTerms("påloggingen"), SearchTerms("palogging"));
  // A hyphenated word is one word.
  EXPECT_EQ(SearchTerms("e-post"), SearchTerms("epost"));
  // Stop words and "it is broken" go; what is left is what to look for.
  EXPECT_EQ(SearchTerms("skriveren virker ikke"),
            std::vector<std::string>{"skriv"});
  EXPECT_EQ(SearchTerms("eg får ikkje logga på"), SearchTerms("logge"));
  EXPECT_TRUE(SearchTerms("det er ikke min").empty());
  // Invalid UTF-8 separates words; nothing crashes.
  EXPECT_EQ(SearchTerms("skriver\xff\xfepc").size(), 2u);
}

TEST(Search, TakesASentenceAsPeopleTypeIt) {
  v1::Catalogue c = SmallCatalogue();
  // Not every word need match: "virker" and "ikke" name no service.
  EXPECT_EQ(Ids(Search(c, "skriveren virker ikke", {})),
            std::vector<std::string>{"skrivere"});
  EXPECT_EQ(Ids(Search(c, "Skrivaren min har papirstopp", {})),
            std::vector<std::string>{"skrivere"});
  // The service matching the most words is the answer; one sharing a
  // single word with the sentence is not.
  EXPECT_EQ(Ids(Search(c, "pc skriver papirstopp", {})),
            std::vector<std::string>{"skrivere"});
  // One word each: both, the better match (a keyword over a word of the
  // description) first.
  EXPECT_EQ(Ids(Search(c, "pc papirstopp", {})),
            (std::vector<std::string>{"brukerstotte-pa-stedet", "skrivere"}));
  EXPECT_TRUE(Search(c, "ubåt", {}).empty());
  // Stop words alone look for nothing (rather than everything).
  EXPECT_TRUE(Search(c, "det virker ikke", {}).empty());
}

TEST(Search, SynonymsKeptWithTheCatalogueWidenAWord) {
  v1::Catalogue c = SmallCatalogue();
  EXPECT_TRUE(Search(c, "printeren", {}).empty());
  v1::SynonymGroup* g = c.add_synonyms();
  g->add_words("skriver");
  g->add_words("printer");
  EXPECT_EQ(Ids(Search(c, "printeren virker ikke", {})),
            std::vector<std::string>{"skrivere"});
  // Both ways, and in any form.
  g->set_words(0, "printer");
  g->set_words(1, "Skriveren");
  EXPECT_EQ(Ids(Search(c, "printer", {})),
            std::vector<std::string>{"skrivere"});
}

TEST(Search, NameMatchesComeBeforeDescriptionMatches) {
  v1::Catalogue c = SmallCatalogue();
  // "hjelp" is a keyword of one service; make it the name of the other.
  c.mutable_services(1)->set_name("Hjelp med skrivere");
  EXPECT_EQ(Ids(Search(c, "hjelp", {})),
            (std::vector<std::string>{"skrivere", "brukerstotte-pa-stedet"}));
}

TEST(Search, WithoutWordsEveryServiceByName) {
  DefaultCatalogueResult d = DefaultCatalogue(kMunicipalities);
  ASSERT_EQ(d.error, "");
  SearchOptions all;
  all.limit = 1000;
  auto hits = Search(d.catalogue, "", all);
  ASSERT_GT(hits.size(), 40u);
  for (size_t i = 1; i < hits.size(); ++i)
    EXPECT_LE(FoldForSearch(hits[i - 1].service->name()),
              FoldForSearch(hits[i].service->name()));
}

TEST(Search, ASynonymIsAWholeWordNotTheStartOfOne) {
  DefaultCatalogueResult d = DefaultCatalogue(kMunicipalities);
  ASSERT_EQ(d.error, "");
  // "wifi" stands for "nett" too, but not for "nettside".
  for (const auto& hit : Search(d.catalogue, "wifi", {}))
    EXPECT_NE(hit.service->id(), "nettsider-og-intranett");
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
  // As employees put it (the words), bokmål and nynorsk, with the
  // built-in synonyms.
  for (const char* q : {"skriveren virker ikke", "skrivaren verkar ikkje",
                        "printeren skriver ikke ut", "Printer"})
    EXPECT_EQ(first(q), "skrivere-og-utskrift") << q;
  EXPECT_EQ(first("skrivar papirstopp"), "skriverservice");
  for (const char* q :
       {"glemt passordet", "får ikke logget på", "påloggingen virker ikke"}) {
    const std::string id = first(q);
    EXPECT_TRUE(id == "passord-og-mfa" || id == "katalogtjeneste") << q << id;
  }
  EXPECT_EQ(first("eposten min"), "e-post");
  EXPECT_EQ(first("ikke"), "(none)");
}

}  // namespace
}  // namespace helpdesk::catalogue
