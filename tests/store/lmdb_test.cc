#include "daemon/store/lmdb.h"

#include <gtest/gtest.h>

#include "tests/support/scratch_dir.h"

namespace helpdesk::store {
namespace {

class LmdbTest : public ::testing::Test {
 protected:
  void SetUp() override {
    auto env = Env::Open({.dir = dir_.path() + "/db"});
    ASSERT_TRUE(env.ok()) << env.status().message();
    env_.emplace(std::move(*env));
    auto txn = Txn::BeginWrite(*env_);
    auto table = txn->OpenTable("t", true);
    ASSERT_TRUE(table.ok());
    table_ = *table;
    ASSERT_TRUE(txn->Commit().ok());
  }
  testing::ScratchDir dir_;
  std::optional<Env> env_;
  Table table_;
};

TEST_F(LmdbTest, NotFoundIsAValueNotAnError) {
  auto txn = Txn::BeginRead(*env_);
  auto got = txn->Get(table_, "missing");
  ASSERT_TRUE(got.ok());
  EXPECT_FALSE(got->has_value());
}

TEST_F(LmdbTest, CommittedWritesAreSeenAndUncommittedAreNot) {
  {
    auto txn = Txn::BeginWrite(*env_);
    ASSERT_TRUE(txn->Put(table_, "a", "1").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  {
    auto txn = Txn::BeginWrite(*env_);
    ASSERT_TRUE(txn->Put(table_, "b", "2").ok());
    // destroyed without Commit: aborted
  }
  auto txn = Txn::BeginRead(*env_);
  EXPECT_EQ(txn->Get(table_, "a")->value(), "1");
  EXPECT_FALSE(txn->Get(table_, "b")->has_value());
}

TEST_F(LmdbTest, CursorWalksInKeyOrderBothWays) {
  {
    auto txn = Txn::BeginWrite(*env_);
    for (const char* k : {"c", "a", "b"})
      ASSERT_TRUE(txn->Put(table_, k, k).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  auto txn = Txn::BeginRead(*env_);
  auto c = Cursor::Open(*txn, table_);
  std::string forward;
  for (auto m = c->First(); *m; m = c->Next()) forward += c->key();
  EXPECT_EQ(forward, "abc");
  ASSERT_TRUE(*c->Seek("bb"));
  EXPECT_EQ(c->key(), "c");
  EXPECT_FALSE(*c->Seek("d"));
  ASSERT_TRUE(*c->Last());
  ASSERT_TRUE(*c->Prev());
  EXPECT_EQ(c->key(), "b");
}

TEST_F(LmdbTest, DeletingAMissingKeyIsFine) {
  auto txn = Txn::BeginWrite(*env_);
  EXPECT_TRUE(txn->Del(table_, "nothing").ok());
}

TEST_F(LmdbTest, MapFullIsStorageFullAndResizeFixesIt) {
  std::string big(64 * 1024, 'x');
  Status failure;
  {
    auto txn = Txn::BeginWrite(*env_);
    for (int i = 0; i < 100000 && failure.ok(); ++i)
      failure = txn->Put(table_, std::to_string(i), big);
  }
  EXPECT_EQ(failure.code(), Code::kStorageFull);
  ASSERT_TRUE(env_->Resize(env_->map_size() * 4).ok());
  auto txn = Txn::BeginWrite(*env_);
  EXPECT_TRUE(txn->Put(table_, "after", big).ok());
  EXPECT_TRUE(txn->Commit().ok());
}

TEST_F(LmdbTest, GrowthWaitsBoundedForAnOpenReadThenSucceedsWithoutIt) {
  const size_t before = env_->map_size();
  {
    auto held = Txn::BeginRead(*env_);
    ASSERT_TRUE(held.ok());
    Status s = env_->Resize(before * 2, std::chrono::milliseconds(50));
    EXPECT_EQ(s.code(), Code::kUnavailable) << s.message();
    EXPECT_EQ(env_->map_size(), before);
  }
  // New reads are not left waiting behind the growth that gave up.
  ASSERT_TRUE(Txn::BeginRead(*env_).ok());
  ASSERT_TRUE(env_->Resize(before * 2).ok());
  EXPECT_EQ(env_->map_size(), before * 2);
}

TEST(LmdbEnv, OpenFailsClearlyOnABadDirectory) {
  auto env = Env::Open({.dir = "/proc/helpdesk-cannot-exist/db"});
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.status().message().find("/proc/helpdesk-cannot-exist"),
            std::string::npos);
}

}  // namespace
}  // namespace helpdesk::store
