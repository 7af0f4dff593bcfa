// The catalogue in LMDB: seeded into a new database and into an upgraded
// version 1 one, written as a delta, read back whole; and the data
// directory lock.

#include "daemon/store/catalogue_tables.h"

#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemon/store/dir_lock.h"
#include "daemon/store/tables.h"
#include "tests/support/scratch_dir.h"

namespace helpdesk::store {
namespace {

Seed TestSeed() {
  Seed seed;
  seed.region.add_municipalities()->set_id("rollag");
  auto* skill = seed.catalogue.add_skills();
  skill->set_id("printers");
  skill->set_name("Skrivere");
  auto* cat = seed.catalogue.add_categories();
  cat->set_id("utstyr");
  cat->set_name("Utstyr");
  cat->set_version(1);
  for (const char* id : {"skrivere", "pc"}) {
    auto* s = seed.catalogue.add_services();
    s->set_id(id);
    s->set_name(id);
    s->set_category("utstyr");
    s->set_version(1);
  }
  return seed;
}

class CatalogueTables : public ::testing::Test {
 protected:
  void Open() {
    tables_.reset();
    env_.reset();
    auto env = Env::Open({.dir = dir_.path() + "/db"});
    ASSERT_TRUE(env.ok());
    env_.emplace(std::move(*env));
    auto tables = OpenTables(*env_, TestSeed());
    ASSERT_TRUE(tables.ok()) << tables.status().message();
    tables_ = *tables;
  }
  v1::Catalogue Load() {
    auto txn = Txn::BeginRead(*env_);
    auto c = LoadCatalogue(*txn, *tables_);
    EXPECT_TRUE(c.ok());
    return c.ok() ? *c : v1::Catalogue();
  }

  testing::ScratchDir dir_;
  std::optional<Env> env_;
  std::optional<Tables> tables_;
};

TEST_F(CatalogueTables, ANewDatabaseHoldsTheSeedAsVersionOne) {
  Open();
  v1::Catalogue c = Load();
  EXPECT_EQ(c.version(), 1u);
  ASSERT_EQ(c.services_size(), 2);
  EXPECT_EQ(c.services(0).id(), "pc");  // sorted by id
  EXPECT_EQ(c.skills_size(), 1);
  auto txn = Txn::BeginRead(*env_);
  auto s = GetService(*txn, *tables_, "skrivere");
  ASSERT_TRUE(s.ok() && *s);
  EXPECT_EQ((*s)->name(), "skrivere");
  auto none = GetService(*txn, *tables_, "finnes-ikke");
  ASSERT_TRUE(none.ok());
  EXPECT_FALSE(*none);
}

TEST_F(CatalogueTables, PutWritesTheDeltaAndTheVersion) {
  Open();
  v1::Catalogue before = Load();
  v1::Catalogue after = before;
  after.set_version(2);
  after.mutable_services(1)->set_name("Skrivere og kopi");
  after.mutable_services()->DeleteSubrange(0, 1);  // "pc" goes
  auto* skill = after.add_skills();
  skill->set_id("network");
  skill->set_name("Nettverk");
  {
    auto txn = Txn::BeginWrite(*env_);
    ASSERT_TRUE(PutCatalogue(*txn, *tables_, before, after).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  v1::Catalogue c = Load();
  EXPECT_EQ(c.version(), 2u);
  ASSERT_EQ(c.services_size(), 1);
  EXPECT_EQ(c.services(0).name(), "Skrivere og kopi");
  ASSERT_EQ(c.skills_size(), 2);
  EXPECT_EQ(c.skills(0).id(), "network");
}

TEST_F(CatalogueTables, AVersionOneDatabaseIsUpgradedWithTheSeedCatalogue) {
  Open();
  {  // Make it look like a database of schema 1: no catalogue.
    auto txn = Txn::BeginWrite(*env_);
    ASSERT_TRUE(PutCatalogue(*txn, *tables_, Load(), v1::Catalogue()).ok());
    ASSERT_TRUE(txn->Put(tables_->meta, "schema_version", "1").ok());
    ASSERT_TRUE(txn->Del(tables_->meta, "catalogue_version").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  EXPECT_EQ(Load().services_size(), 0);
  Open();
  v1::Catalogue c = Load();
  EXPECT_EQ(c.version(), 1u);
  EXPECT_EQ(c.services_size(), 2);
  auto txn = Txn::BeginRead(*env_);
  auto v = txn->Get(tables_->meta, "schema_version");
  ASSERT_TRUE(v.ok() && *v);
  EXPECT_EQ(**v, std::to_string(kSchemaVersion));
}

TEST(DirLock, OneProcessAtATime) {
  testing::ScratchDir dir;
  auto lock = DirLock::Acquire(dir.path() + "/data");
  ASSERT_TRUE(lock.ok()) << lock.status().message();
  // Another process cannot take it while we hold it (flock locks belong to
  // the open file, so a child opening it anew is refused).
  pid_t child = fork();
  if (child == 0) {
    auto second = DirLock::Acquire(dir.path() + "/data");
    _exit(!second.ok() && second.status().code() == Code::kUnavailable &&
                  second.status().message().find(std::to_string(getppid())) !=
                      std::string::npos
              ? 0
              : 1);
  }
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0);
  // Released with the object: the next one gets it.
  { DirLock gone = std::move(*lock); }
  EXPECT_TRUE(DirLock::Acquire(dir.path() + "/data").ok());
}

}  // namespace
}  // namespace helpdesk::store
