// Catalogue changes as pure decisions: versions, events, and refusals that
// change nothing.

#include "catalogue/edit.h"

#include "tests/catalogue/test_catalogue.h"

namespace helpdesk::catalogue {
namespace {

v1::Catalogue Stored() {
  v1::Catalogue c = SmallCatalogue();
  c.set_version(5);
  for (auto& s : *c.mutable_services()) s.set_version(2);
  for (auto& s : *c.mutable_categories()) s.set_version(1);
  return c;
}

v1::Service NewService() {
  v1::Service s = Stored().services(0);
  s.clear_version();
  s.set_id("ny-tjeneste");
  s.set_name("Ny tjeneste");
  return s;
}

TEST(CreateService, AddsVersionOneAndRecordsIt) {
  EditResult r = CreateService(Stored(), NewService(), kMunicipalities);
  ASSERT_TRUE(r.ok()) << r.status.message();
  EXPECT_TRUE(r.changed);
  EXPECT_EQ(r.after.version(), 6u);
  const v1::Service* s = FindService(r.after, "ny-tjeneste");
  ASSERT_NE(s, nullptr);
  EXPECT_EQ(s->version(), 1u);
  EXPECT_EQ(s->state(), v1::SERVICE_STATE_ACTIVE);
  EXPECT_EQ(r.change.change(), v1::CATALOGUE_CHANGE_SERVICE_CREATED);
  EXPECT_EQ(r.change.catalogue_version(), 6u);
  EXPECT_EQ(r.change.service().id(), "ny-tjeneste");
}

TEST(CreateService, RefusesTakenIdsAndInvalidServicesWithPointers) {
  v1::Service taken = NewService();
  taken.set_id("skrivere");
  EXPECT_EQ(CreateService(Stored(), taken, kMunicipalities).status.code(),
            Code::kAlreadyExists);
  v1::Service bad = NewService();
  bad.set_category("ukjent");
  bad.add_skills("telepathy");
  EditResult r = CreateService(Stored(), bad, kMunicipalities);
  ASSERT_EQ(r.status.code(), Code::kInvalidField);
  ASSERT_EQ(r.status.errors().size(), 2u);
  EXPECT_EQ(r.status.errors()[0].pointer, "/category");
  EXPECT_EQ(r.status.errors()[1].pointer, "/skills/1");
  EXPECT_FALSE(r.changed);
}

TEST(UpdateService, NeedsTheVersionItWasBasedOn) {
  v1::Service s = Stored().services(1);
  s.clear_version();
  s.set_name("Skrivere, kopi og skann");
  EXPECT_EQ(
      UpdateService(Stored(), "skrivere", s, std::nullopt, kMunicipalities)
          .status.code(),
      Code::kVersionRequired);
  EditResult stale = UpdateService(Stored(), "skrivere", s, 1, kMunicipalities);
  EXPECT_EQ(stale.status.code(), Code::kVersionConflict);
  EXPECT_EQ(stale.status.current_version(), 2u);
  s.set_version(2);  // the body's version works too
  EditResult r =
      UpdateService(Stored(), "skrivere", s, std::nullopt, kMunicipalities);
  ASSERT_TRUE(r.ok()) << r.status.message();
  EXPECT_EQ(FindService(r.after, "skrivere")->version(), 3u);
  EXPECT_EQ(FindService(r.after, "skrivere")->name(),
            "Skrivere, kopi og skann");
  EXPECT_EQ(r.change.change(), v1::CATALOGUE_CHANGE_SERVICE_UPDATED);
}

TEST(UpdateService, SameContentIsNoChangeAndStateIsNotPuts) {
  v1::Service same = Stored().services(1);
  EditResult r = UpdateService(Stored(), "skrivere", same, 2, kMunicipalities);
  ASSERT_TRUE(r.ok());
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(r.after.version(), 5u);
  same.set_state(v1::SERVICE_STATE_RETIRED);
  EditResult state =
      UpdateService(Stored(), "skrivere", same, 2, kMunicipalities);
  EXPECT_EQ(state.status.code(), Code::kInvalidField);
  EXPECT_NE(state.status.message().find("/retire"), std::string::npos)
      << state.status.message();
  v1::Service renamed = Stored().services(1);
  renamed.set_id("annen");
  EXPECT_EQ(UpdateService(Stored(), "skrivere", renamed, 2, kMunicipalities)
                .status.code(),
            Code::kInvalidField);
  EXPECT_EQ(UpdateService(Stored(), "finnes-ikke", same, 2, kMunicipalities)
                .status.code(),
            Code::kNotFound);
}

TEST(SetServiceState, RetiresAndReactivatesOnce) {
  EditResult r =
      SetServiceState(Stored(), "skrivere", v1::SERVICE_STATE_RETIRED,
                      std::nullopt, "Erstattet av utskrift som tjeneste");
  ASSERT_TRUE(r.ok()) << r.status.message();
  EXPECT_EQ(FindService(r.after, "skrivere")->state(),
            v1::SERVICE_STATE_RETIRED);
  EXPECT_EQ(r.change.change(), v1::CATALOGUE_CHANGE_SERVICE_RETIRED);
  EXPECT_EQ(r.change.reason(), "Erstattet av utskrift som tjeneste");
  EXPECT_EQ(SetServiceState(r.after, "skrivere", v1::SERVICE_STATE_RETIRED,
                            std::nullopt, "")
                .status.code(),
            Code::kIllegalTransition);
  EditResult back =
      SetServiceState(r.after, "skrivere", v1::SERVICE_STATE_ACTIVE, 3, "");
  ASSERT_TRUE(back.ok()) << back.status.message();
  EXPECT_EQ(back.change.change(), v1::CATALOGUE_CHANGE_SERVICE_REACTIVATED);
  EXPECT_EQ(
      SetServiceState(Stored(), "skrivere", v1::SERVICE_STATE_RETIRED, 9, "")
          .status.code(),
      Code::kVersionConflict);
}

TEST(UpdateCategory, RefusesACycle) {
  v1::Category top = Stored().categories(0);
  top.set_parent("utskrift");
  EditResult r =
      UpdateCategory(Stored(), "arbeidsplass", top, 1, kMunicipalities);
  ASSERT_EQ(r.status.code(), Code::kInvalidField);
  EXPECT_NE(r.status.message().find("cycle"), std::string::npos)
      << r.status.message();
}

TEST(Import, ReportsWhatChangedAndKeepsUnchangedVersions) {
  v1::Catalogue incoming = Stored();
  incoming.set_version(0);
  incoming.mutable_services(1)->set_name("Skrivere og kopimaskiner");
  incoming.mutable_services(0)->set_state(v1::SERVICE_STATE_RETIRED);
  v1::Service added = NewService();
  *incoming.add_services() = added;
  incoming.mutable_categories()->RemoveLast();  // utskrift: move skrivere up
  incoming.mutable_services(1)->set_category("arbeidsplass");
  incoming.mutable_skills(1)->set_name("Skrivere og kopi");
  EditResult r = Import(Stored(), incoming, kMunicipalities);
  ASSERT_TRUE(r.ok()) << r.status.message();
  ASSERT_TRUE(r.changed);
  EXPECT_EQ(r.after.version(), 6u);
  const v1::CatalogueDiff& d = r.change.diff();
  EXPECT_EQ(std::vector<std::string>(d.services_added().begin(),
                                     d.services_added().end()),
            std::vector<std::string>{"ny-tjeneste"});
  EXPECT_EQ(std::vector<std::string>(d.services_changed().begin(),
                                     d.services_changed().end()),
            std::vector<std::string>{"skrivere"});
  EXPECT_EQ(std::vector<std::string>(d.services_retired().begin(),
                                     d.services_retired().end()),
            std::vector<std::string>{"brukerstotte-pa-stedet"});
  EXPECT_EQ(d.categories_removed_size(), 1);
  EXPECT_EQ(d.skills_changed_size(), 1);
  EXPECT_EQ(FindService(r.after, "skrivere")->version(), 3u);
  EXPECT_EQ(FindService(r.after, "ny-tjeneste")->version(), 1u);
  EXPECT_EQ(FindCategory(r.after, "arbeidsplass")->version(), 1u);
}

TEST(Import, TheSameCatalogueIsNoChangeWhateverItsVersion) {
  v1::Catalogue same = Stored();
  same.set_version(1);  // exported long ago, but nothing differs
  EditResult r = Import(Stored(), same, kMunicipalities);
  ASSERT_TRUE(r.ok()) << r.status.message();
  EXPECT_FALSE(r.changed);
  EXPECT_EQ(r.after.version(), 5u);
}

TEST(Import, SynonymsAloneAreAChange) {
  v1::Catalogue incoming = Stored();
  incoming.set_version(0);
  v1::SynonymGroup* g = incoming.add_synonyms();
  g->add_words("skriver");
  g->add_words("printer");
  EditResult r = Import(Stored(), incoming, kMunicipalities);
  ASSERT_TRUE(r.ok()) << r.status.message();
  ASSERT_TRUE(r.changed);
  EXPECT_TRUE(r.change.diff().synonyms_changed());
  EXPECT_EQ(r.after.synonyms_size(), 1);
  // Imported again: nothing differs.
  EditResult again = Import(r.after, r.after, kMunicipalities);
  ASSERT_TRUE(again.ok());
  EXPECT_FALSE(again.changed);
}

TEST(Import, RefusesDeletedServicesStaleFilesAndInvalidContent) {
  v1::Catalogue without = Stored();
  without.set_version(0);
  without.mutable_services()->RemoveLast();
  EditResult deleted = Import(Stored(), without, kMunicipalities);
  ASSERT_EQ(deleted.status.code(), Code::kInvalidField);
  EXPECT_NE(deleted.status.message().find("never deleted"), std::string::npos);

  v1::Catalogue stale = Stored();
  stale.set_version(4);
  stale.mutable_services(0)->set_name("Endret");
  EditResult conflict = Import(Stored(), stale, kMunicipalities);
  EXPECT_EQ(conflict.status.code(), Code::kVersionConflict);
  EXPECT_EQ(conflict.status.current_version(), 5u);

  v1::Catalogue broken = Stored();
  broken.mutable_services(0)->set_sla_class("gull");
  broken.mutable_services(1)->set_category("ukjent");
  EditResult invalid = Import(Stored(), broken, kMunicipalities);
  ASSERT_EQ(invalid.status.code(), Code::kInvalidField);
  ASSERT_EQ(invalid.status.errors().size(), 2u);
  EXPECT_EQ(invalid.status.errors()[0].pointer, "/services/0/slaClass");
  EXPECT_EQ(invalid.status.errors()[1].pointer, "/services/1/category");
}

}  // namespace
}  // namespace helpdesk::catalogue
