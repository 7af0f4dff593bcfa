#include "daemon/store/lmdb.h"

#include <gtest/gtest.h>

#include <cstdint>
#include <string_view>
#include <vector>

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

// A table of numbers: each key's numbers are a sorted set, walked from
// the largest at or below a number down, key by key; a put of one already
// there and a delete of one not there change nothing.
TEST_F(LmdbTest, ATableOfNumbersWalksEachKeysNumbersDown) {
  Table numbers;
  {
    auto txn = Txn::BeginWrite(*env_);
    auto table = txn->OpenTable("numbers", true, /*numbers=*/true);
    ASSERT_TRUE(table.ok()) << table.status().message();
    numbers = *table;
    for (uint64_t n : {5, 1, 9, 3, 7, 9})
      ASSERT_TRUE(txn->PutNumber(numbers, "odd", n).ok());
    for (uint64_t n = 2; n <= 10; n += 2)
      ASSERT_TRUE(txn->PutNumber(numbers, "even", n).ok());
    ASSERT_TRUE(txn->PutNumber(numbers, "big", UINT64_MAX).ok());
    ASSERT_TRUE(txn->DelNumber(numbers, "even", 6).ok());
    ASSERT_TRUE(txn->DelNumber(numbers, "even", 7).ok());
    ASSERT_TRUE(txn->DelNumber(numbers, "none", 1).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  auto txn = Txn::BeginRead(*env_);
  auto down = [&](std::string_view key, uint64_t from) {
    std::vector<uint64_t> out;
    auto cursor = Cursor::Open(*txn, numbers);
    EXPECT_TRUE(cursor.ok());
    for (auto at = cursor->AtOrBelowNumber(key, from); at.ok() && *at;
         at = cursor->PrevNumber()) {
      EXPECT_EQ(cursor->key(), key);
      out.push_back(cursor->number());
    }
    return out;
  };
  using V = std::vector<uint64_t>;
  EXPECT_EQ(down("odd", UINT64_MAX), (V{9, 7, 5, 3, 1}));
  EXPECT_EQ(down("odd", 6), (V{5, 3, 1}));
  EXPECT_EQ(down("odd", 7), (V{7, 5, 3, 1}));
  EXPECT_EQ(down("odd", 100), (V{9, 7, 5, 3, 1}));
  EXPECT_EQ(down("odd", 0), V{});
  EXPECT_EQ(down("even", UINT64_MAX), (V{10, 8, 4, 2}));
  EXPECT_EQ(down("even", 7), (V{4, 2}));
  EXPECT_EQ(down("big", UINT64_MAX), (V{UINT64_MAX}));
  EXPECT_EQ(down("big", UINT64_MAX - 1), V{});
  EXPECT_EQ(down("eve", UINT64_MAX), V{});  // a prefix is not the key
  EXPECT_EQ(down("none", UINT64_MAX), V{});
}

// Numbers added in order fill their pages: a million of them under one key
// take about 8 bytes each, where a key per number takes several times
// that.
TEST_F(LmdbTest, NumbersAddedInOrderFillTheirPages) {
  auto pages = [&] {
    MDB_envinfo info;
    EXPECT_EQ(mdb_env_info(env_->get(), &info), MDB_SUCCESS);
    return static_cast<uint64_t>(info.me_last_pgno);
  };
  const uint64_t before = pages();
  auto txn = Txn::BeginWrite(*env_);
  auto table = txn->OpenTable("numbers", true, /*numbers=*/true);
  ASSERT_TRUE(table.ok());
  constexpr uint64_t kCount = 200000;
  for (uint64_t n = 1; n <= kCount; ++n)
    ASSERT_TRUE(txn->PutNumber(*table, n % 2 ? "a" : "b", n).ok());
  ASSERT_TRUE(txn->Commit().ok());
  const uint64_t used = (pages() - before) * 4096;
  EXPECT_LT(used, kCount * 9) << used / kCount << " bytes a number";
}

TEST(LmdbEnv, OpenFailsClearlyOnABadDirectory) {
  auto env = Env::Open({.dir = "/proc/helpdesk-cannot-exist/db"});
  ASSERT_FALSE(env.ok());
  EXPECT_NE(env.status().message().find("/proc/helpdesk-cannot-exist"),
            std::string::npos);
}

}  // namespace
}  // namespace helpdesk::store
