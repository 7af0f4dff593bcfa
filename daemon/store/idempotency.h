#pragma once
// The Idempotency-Key table: the first answer to a write a client sent
// with a key, so that a retry with the same key is answered the same and
// writes nothing new (README, API: Idempotency-Key).
//
//   idempotency          SHA-256(actor, key) -> row (below)
//   idempotency_by_time  BE64 written-at . SHA-256(actor, key) -> ""
//
// A row is [1 byte format 1][32 bytes request fingerprint][BE64 seconds
// since the epoch, the writer's clock][the answer, as the desk encodes
// it]. It is written in the same transaction as the change it answers for.
// A row older than kKeyLifetime is expired: Find ignores it, Put replaces
// it and Sweep deletes it, oldest first, a bounded number at a time. A row
// that cannot be read is treated as absent (logged once).
//
// Free functions over a Txn, like tables.h. Thread-safety: as the Txn.

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <optional>
#include <string>
#include <string_view>

#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/status.h"

namespace helpdesk::store {

inline constexpr int64_t kKeyLifetime = 24 * 60 * 60;  // seconds

// The SHA-256 of `parts` one after another, 32 raw bytes.
std::string Sha256(std::initializer_list<std::string_view> parts);

struct KeyedAnswer {
  std::string fingerprint;  // 32 bytes: of the request that wrote it
  int64_t at = 0;           // when, seconds since the epoch
  std::string answer;       // the desk's encoding of what it answered
};

// The live row of `key` sent by `actor`, as of `now`; nullopt when there
// is none, it has expired or it cannot be read.
StatusOr<std::optional<KeyedAnswer>> FindKeyedAnswer(const Txn& txn,
                                                     const Tables& t,
                                                     std::string_view actor,
                                                     std::string_view key,
                                                     int64_t now);

// Stores `row` for (`actor`, `key`), replacing an expired or unreadable one.
Status PutKeyedAnswer(Txn& txn, const Tables& t, std::string_view actor,
                      std::string_view key, const KeyedAnswer& row);

// Whether a row has expired by `now` (one to sweep).
StatusOr<bool> KeyedAnswersExpired(const Txn& txn, const Tables& t,
                                   int64_t now);

// Deletes up to `limit` rows expired by `now`, oldest first; how many.
StatusOr<size_t> SweepKeyedAnswers(Txn& txn, const Tables& t, int64_t now,
                                   size_t limit);

// How many rows are stored (expired ones not yet swept included).
StatusOr<uint64_t> CountKeyedAnswers(const Txn& txn, const Tables& t);

}  // namespace helpdesk::store
