// Validate() reports every problem of a catalogue at once, each naming the
// entry and what to fix.

#include <fstream>
#include <sstream>

#include "catalogue/catalogue.h"
#include "catalogue/default_catalogue.h"
#include "tests/catalogue/test_catalogue.h"

namespace helpdesk::catalogue {
namespace {

bool Mentions(const std::vector<Finding>& findings, const std::string& pointer,
              const std::string& words) {
  for (const auto& f : findings)
    if (JsonPointer(f.ref) == pointer &&
        f.message.find(words) != std::string::npos)
      return true;
  return false;
}

TEST(Validate, TheSmallCatalogueIsValid) {
  EXPECT_EQ(Messages(Validate(SmallCatalogue(), kMunicipalities)), "");
}

TEST(Validate, TheBuiltInCatalogueIsValidAndCoversTheDomain) {
  DefaultCatalogueResult d = DefaultCatalogue(kMunicipalities);
  ASSERT_EQ(d.error, "");
  const v1::Catalogue& c = d.catalogue;
  int active = 0, top = 0, necessary = 0, critical = 0, external = 0;
  for (const auto& s : c.services()) {
    active += s.state() == v1::SERVICE_STATE_ACTIVE;
    necessary += s.presence() == v1::PRESENCE_NECESSARY;
    critical += s.business_critical();
    external += s.delivery() == v1::DELIVERY_EXTERNAL;
    EXPECT_EQ(s.version(), 1u) << s.id();
  }
  for (const auto& cat : c.categories()) top += cat.parent().empty();
  EXPECT_GE(active, 30);
  EXPECT_GE(top, 6);
  EXPECT_GE(necessary, 5);
  EXPECT_GE(critical, 5);
  EXPECT_GE(external, 2);
  // The local-presence services DOMAIN.md names, and the regional ones.
  for (const char* id :
       {"brukerstotte-pa-stedet", "feilsok-pa-lokasjon",
        "lokalt-utstyr-installasjon", "datarom-tilsyn", "eksamen", "valg",
        "serverdrift", "databaser", "sikkerhetskopi", "e-post",
        "nettverksdrift", "skrivere-og-utskrift", "vdi-og-fjerntilgang",
        "katalogtjeneste", "fasttelefoni", "mobiltelefoni", "lisensforvaltning",
        "leverandoroppfolging", "brukeradministrasjon"}) {
    EXPECT_NE(FindService(c, id), nullptr) << id;
  }
  EXPECT_EQ(FindService(c, "eksamen")->presence(), v1::PRESENCE_NECESSARY);
  EXPECT_EQ(FindService(c, "serverdrift")->presence(), v1::PRESENCE_NOT_NEEDED);
}

TEST(Validate, ReportsEveryProblemAtOnce) {
  v1::Catalogue c = SmallCatalogue();
  auto* dup = c.add_services();
  *dup = c.services(0);  // duplicate id
  auto* s = c.mutable_services(1);
  s->set_category("ukjent");
  s->add_skills("telepathy");
  s->add_skills("printers");  // twice
  s->set_sla_class("gull");
  s->set_name("   ");
  s->add_municipalities("oslo");
  s->clear_supplier();  // external without a supplier
  auto* cat = c.add_categories();
  cat->set_id("Store Bokstaver");
  cat->set_name("X");
  auto findings = Validate(c, kMunicipalities);
  const std::string all = Messages(findings);
  EXPECT_TRUE(Mentions(findings, "/services/2/id",
                       "duplicate service 'brukerstotte-pa-stedet'"))
      << all;
  EXPECT_TRUE(
      Mentions(findings, "/services/1/category", "unknown category 'ukjent'"))
      << all;
  EXPECT_TRUE(
      Mentions(findings, "/services/1/skills/1", "unknown skill 'telepathy'"))
      << all;
  EXPECT_TRUE(Mentions(findings, "/services/1/skills/2", "twice")) << all;
  EXPECT_TRUE(
      Mentions(findings, "/services/1/slaClass", "unknown SLA class 'gull'"))
      << all;
  EXPECT_TRUE(Mentions(findings, "/services/1/name", "empty name")) << all;
  EXPECT_TRUE(Mentions(findings, "/services/1/municipalities/2",
                       "unknown municipality 'oslo'"))
      << all;
  EXPECT_TRUE(Mentions(findings, "/services/1/supplier", "supplier")) << all;
  EXPECT_TRUE(Mentions(findings, "/categories/2/id", "lowercase")) << all;
  EXPECT_EQ(findings.size(), 9u) << all;
}

TEST(Validate, SynonymGroupsAreTwoSingleWordsOrMore) {
  v1::Catalogue c = SmallCatalogue();
  c.add_synonyms()->add_words("skriver");  // alone
  v1::SynonymGroup* g = c.add_synonyms();
  for (const char* w : {"passord", "ikke", "glemt passord", "", "e-post"})
    g->add_words(w);
  const auto f = Validate(c, kMunicipalities);
  EXPECT_TRUE(Mentions(f, "/synonyms/0/words", "two or more words"))
      << Messages(f);
  // A stop word and two words are not words search uses; a hyphenated
  // word is one.
  EXPECT_TRUE(Mentions(f, "/synonyms/1/words/1", "'ikke' is not one word"));
  EXPECT_TRUE(Mentions(f, "/synonyms/1/words/2", "'glemt passord'"));
  EXPECT_TRUE(Mentions(f, "/synonyms/1/words/3", "must be 1 to"));
  EXPECT_EQ(f.size(), 4u) << Messages(f);
  c.clear_synonyms();
  for (size_t i = 0; i < kMaxSynonymGroups; ++i) {
    v1::SynonymGroup* ok = c.add_synonyms();
    ok->add_words("ord" + std::to_string(i));
    ok->add_words("term" + std::to_string(i));
  }
  EXPECT_EQ(Messages(Validate(c, kMunicipalities)), "");
  *c.add_synonyms() = c.synonyms(0);
  const auto over = Validate(c, kMunicipalities);
  ASSERT_EQ(over.size(), 1u);
  EXPECT_NE(over[0].message.find("too many synonym entries"), std::string::npos)
      << over[0].message;
}

TEST(Validate, FindsCategoryCyclesOnceAndSelfParents) {
  v1::Catalogue c = SmallCatalogue();
  c.mutable_categories(0)->set_parent("utskrift");  // arbeidsplass <-> utskrift
  auto* self = c.add_categories();
  self->set_id("egen");
  self->set_name("Egen");
  self->set_parent("egen");
  auto findings = Validate(c, kMunicipalities);
  EXPECT_TRUE(Mentions(findings, "/categories/0/parent",
                       "cycle: arbeidsplass -> utskrift -> arbeidsplass"))
      << Messages(findings);
  EXPECT_TRUE(Mentions(findings, "/categories/2/parent", "its own parent"))
      << Messages(findings);
  EXPECT_EQ(findings.size(), 2u) << Messages(findings);
}

TEST(Validate, BusinessCriticalServicesNeedABusinessCriticalClass) {
  v1::Catalogue c = SmallCatalogue();
  c.mutable_services(0)->set_business_critical(true);
  auto findings = Validate(c, kMunicipalities);
  EXPECT_TRUE(Mentions(findings, "/services/0/slaClass", "business-critical"))
      << Messages(findings);
  c.mutable_services(0)->set_sla_class("business-critical");
  EXPECT_EQ(Messages(Validate(c, kMunicipalities)), "");
}

TEST(Validate, InternalServicesNameNoSupplierAndServicesNeedASkill) {
  v1::Catalogue c = SmallCatalogue();
  c.mutable_services(1)->set_delivery(v1::DELIVERY_INTERNAL);
  c.mutable_services(0)->clear_skills();
  c.mutable_services(0)->clear_presence();
  auto findings = Validate(c, kMunicipalities);
  EXPECT_TRUE(Mentions(findings, "/services/1/supplier", "internally"))
      << Messages(findings);
  EXPECT_TRUE(Mentions(findings, "/services/0/skills", "at least one skill"))
      << Messages(findings);
  EXPECT_TRUE(Mentions(findings, "/services/0/presence",
                       "necessary, desirable, not_needed"))
      << Messages(findings);
}

TEST(Validate, SlugsAreLowercaseWordsJoinedByHyphens) {
  EXPECT_TRUE(IsSlug("brukerstotte-pa-stedet"));
  EXPECT_TRUE(IsSlug("vdi2"));
  for (const char* bad :
       {"", "-a", "a-", "a--b", "Brukerstotte", "støtte", "a b", "a_b"})
    EXPECT_FALSE(IsSlug(bad)) << bad;
  EXPECT_FALSE(IsSlug(std::string(65, 'a')));
  EXPECT_TRUE(IsSlug(std::string(64, 'a')));
}

TEST(Catalogue, AppliesToAllWhenNoMunicipalityIsListed) {
  v1::Catalogue c = SmallCatalogue();
  EXPECT_TRUE(AppliesTo(c.services(0), "hjartdal"));
  EXPECT_TRUE(AppliesTo(c.services(1), "rollag"));
  EXPECT_FALSE(AppliesTo(c.services(1), "hjartdal"));
}

TEST(Catalogue, TheTreeHoldsServicesUnderTheirCategoriesAndFilters) {
  v1::Catalogue c = SmallCatalogue();
  v1::CatalogueTree all = BuildTree(c, "", false);
  ASSERT_EQ(all.categories_size(), 1);
  EXPECT_EQ(all.categories(0).id(), "arbeidsplass");
  ASSERT_EQ(all.categories(0).categories_size(), 1);
  EXPECT_EQ(all.categories(0).categories(0).services(0).id(), "skrivere");
  // Hjartdal has no printer service: the empty sub-category goes.
  v1::CatalogueTree hjartdal = BuildTree(c, "hjartdal", false);
  EXPECT_EQ(hjartdal.categories(0).categories_size(), 0);
  c.mutable_services(0)->set_state(v1::SERVICE_STATE_RETIRED);
  EXPECT_EQ(BuildTree(c, "hjartdal", false).categories_size(), 0);
  EXPECT_EQ(BuildTree(c, "hjartdal", true).categories_size(), 1);
}

TEST(Catalogue, TheSnapshotKeepsWhatDispatchAndSlaNeed) {
  v1::ServiceSnapshot s = Snapshot(SmallCatalogue().services(1));
  EXPECT_EQ(s.id(), "skrivere");
  EXPECT_EQ(s.presence(), v1::PRESENCE_NOT_NEEDED);
  EXPECT_EQ(s.delivery(), v1::DELIVERY_EXTERNAL);
  EXPECT_EQ(s.supplier().name(), "Skriverleverandør");
  EXPECT_EQ(s.sla_class(), "standard");
  ASSERT_EQ(s.skills_size(), 1);
  EXPECT_EQ(s.skills(0), "printers");
}

}  // namespace
}  // namespace helpdesk::catalogue
