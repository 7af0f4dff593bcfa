// The Idempotency-Key table: a row is found by actor and key until it is
// 24 hours old, a damaged row reads as absent and is replaced, and the
// sweep deletes expired rows oldest first, no more than it is allowed.

#include "daemon/store/idempotency.h"

#include <gtest/gtest.h>

#include <string>

#include "tests/store/store_fixture.h"

namespace helpdesk::store {
namespace {

constexpr int64_t kT0 = 1767225600;  // 2026-01-01T00:00:00Z

class IdempotencyTable : public StoreFixture {
 protected:
  void SetUp() override { OpenStore(); }

  KeyedAnswer Row(int64_t at, std::string answer = "answer") {
    return {Sha256({"request"}), at, std::move(answer)};
  }

  void Put(std::string_view actor, std::string_view key,
           const KeyedAnswer& row) {
    auto txn = Txn::BeginWrite(*env_);
    ASSERT_TRUE(txn.ok());
    ASSERT_TRUE(PutKeyedAnswer(*txn, t_, actor, key, row).ok());
    ASSERT_TRUE(txn->Commit().ok());
  }

  std::optional<KeyedAnswer> Find(std::string_view actor, std::string_view key,
                                  int64_t now) {
    auto txn = Txn::BeginRead(*env_);
    EXPECT_TRUE(txn.ok());
    auto found = FindKeyedAnswer(*txn, t_, actor, key, now);
    EXPECT_TRUE(found.ok()) << found.status().message();
    return found.ok() ? *found : std::nullopt;
  }

  size_t Sweep(int64_t now, size_t limit) {
    auto txn = Txn::BeginWrite(*env_);
    EXPECT_TRUE(txn.ok());
    auto n = SweepKeyedAnswers(*txn, t_, now, limit);
    EXPECT_TRUE(n.ok()) << n.status().message();
    EXPECT_TRUE(txn->Commit().ok());
    return n.ok() ? *n : 0;
  }

  uint64_t Count() {
    auto txn = Txn::BeginRead(*env_);
    auto n = CountKeyedAnswers(*txn, t_);
    EXPECT_TRUE(n.ok());
    return n.ok() ? *n : 0;
  }
};

TEST_F(IdempotencyTable, ARowIsTheActorsAndLives24Hours) {
  Put("kari", "k1", Row(kT0, "first"));
  auto found = Find("kari", "k1", kT0 + 24 * 3600 - 1);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->answer, "first");
  EXPECT_EQ(found->at, kT0);
  EXPECT_EQ(found->fingerprint, Sha256({"request"}));
  EXPECT_FALSE(Find("ola", "k1", kT0)) << "another actor's key";
  EXPECT_FALSE(Find("kari", "k2", kT0));
  // No separator can be forged: ("kar", "ik1") is not ("kari", "k1").
  EXPECT_FALSE(Find("kar", "ik1", kT0));
  EXPECT_FALSE(Find("kari", "k1", kT0 + 24 * 3600)) << "expired";
}

TEST_F(IdempotencyTable, ADamagedRowReadsAsAbsentAndIsReplaced) {
  Put("kari", "k1", Row(kT0));
  {
    // Every row of the table overwritten with bytes that are no row.
    auto txn = Txn::BeginWrite(*env_);
    ASSERT_TRUE(txn.ok());
    auto cursor = Cursor::Open(*txn, t_.idempotency);
    ASSERT_TRUE(cursor.ok());
    ASSERT_TRUE(*cursor->First());
    const std::string key(cursor->key());
    ASSERT_TRUE(txn->Put(t_.idempotency, key, "\x07garbage").ok());
    ASSERT_TRUE(txn->Commit().ok());
  }
  EXPECT_FALSE(Find("kari", "k1", kT0));
  Put("kari", "k1", Row(kT0 + 60, "again"));
  auto found = Find("kari", "k1", kT0 + 60);
  ASSERT_TRUE(found);
  EXPECT_EQ(found->answer, "again");
  EXPECT_EQ(Count(), 1u);
}

TEST_F(IdempotencyTable, TheSweepDeletesExpiredRowsOldestFirstAndBounded) {
  for (int i = 0; i < 5; ++i)
    Put("kari", "k" + std::to_string(i), Row(kT0 + i));
  // An expired key used afresh: its old place in the time index goes.
  Put("kari", "k0", Row(kT0 + 24 * 3600 + 10));
  const int64_t now = kT0 + 24 * 3600 + 3;  // k1..k3 expired; k0 is new
  EXPECT_EQ(Sweep(now, 2), 2u);
  EXPECT_FALSE(Find("kari", "k1", kT0 + 1)) << "swept";
  EXPECT_TRUE(Find("kari", "k3", kT0 + 3)) << "beyond the limit: kept";
  EXPECT_EQ(Sweep(now, 100), 1u);
  EXPECT_EQ(Sweep(now, 100), 0u);
  EXPECT_EQ(Count(), 2u);
  EXPECT_TRUE(Find("kari", "k0", now)) << "the fresh row stays";
  EXPECT_TRUE(Find("kari", "k4", now));
  auto txn = Txn::BeginRead(*env_);
  auto due = KeyedAnswersExpired(*txn, t_, now);
  ASSERT_TRUE(due.ok());
  EXPECT_FALSE(*due);
}

}  // namespace
}  // namespace helpdesk::store
