// A catalogue is checked list sizes first, its problems are listed up to a
// cap with a count of the rest, and the category tree is walked once: an
// import as large as a request may carry cannot make an answer (or the
// time to find it) grow beyond what the limits allow.

#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "catalogue/catalogue.h"
#include "catalogue/edit.h"
#include "tests/catalogue/shapes.h"
#include "tests/catalogue/test_catalogue.h"

namespace helpdesk::catalogue {
namespace {

TEST(Limits, AListOverItsLimitIsTheOnlyProblemReported) {
  // 2,000 categories in a chain: before, every one of them was also checked
  // (and walked to the root), thousands of findings.
  auto findings = Validate(shapes::Chain(2000), kMunicipalities);
  ASSERT_EQ(findings.size(), 1u) << Messages(findings);
  EXPECT_EQ(findings[0].message, "too many category entries: 2000, at most " +
                                     std::to_string(kMaxCategories));
  EXPECT_EQ(JsonPointer(findings[0].ref), "");
}

TEST(Limits, ListsInsideAServiceAreCheckedFirstToo) {
  v1::Catalogue c = SmallCatalogue();  // its first service has one skill
  for (int i = 0; i < 5000; ++i)
    c.mutable_services(0)->add_skills("unknown-" + std::to_string(i));
  auto findings = Validate(c, kMunicipalities);
  ASSERT_EQ(findings.size(), 1u) << Messages(findings).substr(0, 2000);
  EXPECT_EQ(JsonPointer(findings[0].ref), "/services/0/skills");
  EXPECT_NE(findings[0].message.find("5001 skills, at most " +
                                     std::to_string(kMaxServiceSkills)),
            std::string::npos)
      << findings[0].message.substr(0, 500);
}

TEST(Limits, AChainAtTheLimitListsAHundredProblemsAndCountsTheRest) {
  // 500 categories in a chain: the 492 below depth 8 are each too deep.
  auto findings = Validate(shapes::Chain(kMaxCategories), kMunicipalities);
  ASSERT_EQ(findings.size(), kMaxFindings + 1);
  EXPECT_EQ(JsonPointer(findings[0].ref), "/categories/8/parent");
  EXPECT_EQ(findings[0].message, "category 'c-8' is nested 9 deep, at most " +
                                     std::to_string(kMaxCategoryDepth));
  const Finding& last = findings.back();
  EXPECT_EQ(last.more, kMaxCategories - kMaxCategoryDepth - kMaxFindings);
  EXPECT_EQ(JsonPointer(last.ref), "");
  EXPECT_NE(last.message.find("392 more problems"), std::string::npos)
      << last.message;
}

TEST(Limits, ATreeAtTheCategoryLimitIsValid) {
  v1::Catalogue c = shapes::Tree(kMaxCategories);
  shapes::AddServices(c, kMaxServices);
  EXPECT_EQ(Messages(Validate(c, kMunicipalities)), "");
}

TEST(Limits, ACycleBehindAChainIsReportedOnceAtItsFirstMember) {
  // c-0 <- c-1 <- ... <- c-5, and c-0's parent is c-5: one cycle of six,
  // told once, starting at c-0; and a category hanging off it is no cycle
  // of its own.
  v1::Catalogue c = shapes::Chain(6);
  c.mutable_categories(0)->set_parent("c-5");
  auto* leaf = c.add_categories();
  leaf->set_id("leaf");
  leaf->set_name("Blad");
  leaf->set_parent("c-3");
  auto findings = Validate(c, kMunicipalities);
  ASSERT_EQ(findings.size(), 1u) << Messages(findings);
  EXPECT_EQ(JsonPointer(findings[0].ref), "/categories/0/parent");
  EXPECT_NE(findings[0].message.find(
                "cycle: c-0 -> c-5 -> c-4 -> c-3 -> c-2 -> c-1 -> c-0"),
            std::string::npos)
      << findings[0].message;
}

TEST(Limits, AnImportWithManyProblemsAnswersAHundredAndTheirCount) {
  v1::Catalogue incoming = SmallCatalogue();
  shapes::AddServices(incoming, 1000);
  for (auto& s : *incoming.mutable_services()) s.set_sla_class("gold");
  EditResult r = Import(SmallCatalogue(), incoming, kMunicipalities);
  ASSERT_EQ(r.status.code(), Code::kInvalidField);
  EXPECT_EQ(r.status.errors().size(), Status::kMaxErrors);
  EXPECT_EQ(r.status.more_errors(), 1002 - Status::kMaxErrors);
  EXPECT_EQ(r.status.message().substr(0, 43),
            "1002 problems in the catalogue; nothing was");
}

TEST(Limits, AnImportOfADeepChainIsRefusedNamingTheDepth) {
  v1::Catalogue incoming = SmallCatalogue();
  v1::Catalogue chain = shapes::Chain(12);
  for (const auto& cat : chain.categories()) *incoming.add_categories() = cat;
  EditResult r = Import(SmallCatalogue(), incoming, kMunicipalities);
  ASSERT_EQ(r.status.code(), Code::kInvalidField);
  ASSERT_EQ(r.status.errors().size(), 4u);  // c-8 ... c-11
  EXPECT_EQ(r.status.errors()[0].pointer, "/categories/10/parent");
  EXPECT_EQ(r.status.errors()[0].detail,
            "category 'c-8' is nested 9 deep, at most 8");
}

}  // namespace
}  // namespace helpdesk::catalogue
