#include "daemon/store/idempotency.h"

#include <openssl/evp.h>

#include <array>
#include <cstdlib>
#include <memory>
#include <vector>

#include "daemon/store/record_check.h"

namespace helpdesk::store {
namespace {

constexpr char kFormat = 1;
constexpr size_t kHashBytes = 32;
constexpr size_t kHeaderBytes = 1 + kHashBytes + 8;

// The row key: actor and key hashed, so that any actor and any key (up to
// 255 bytes) fit LMDB's key limit, and no separator byte can be forged.
std::string RowKey(std::string_view actor, std::string_view key) {
  return Sha256({Be64(actor.size()), actor, key});
}

std::string RowName(std::string_view row_key) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out = "idempotency key ";
  for (unsigned char c : row_key.substr(0, 8)) {
    out += kHex[c >> 4];
    out += kHex[c & 15];
  }
  return out;
}

// The row's parts; nullopt when it cannot be read.
std::optional<KeyedAnswer> ParseRow(std::string_view bytes) {
  if (bytes.size() < kHeaderBytes || bytes[0] != kFormat) return std::nullopt;
  KeyedAnswer row;
  row.fingerprint = std::string(bytes.substr(1, kHashBytes));
  row.at = static_cast<int64_t>(ReadBe64(bytes.substr(1 + kHashBytes, 8)));
  row.answer = std::string(bytes.substr(kHeaderBytes));
  return row;
}

bool Expired(int64_t at, int64_t now) { return now - at >= kKeyLifetime; }

}  // namespace

std::string Sha256(std::initializer_list<std::string_view> parts) {
  std::array<unsigned char, EVP_MAX_MD_SIZE> md{};
  unsigned int n = 0;
  std::unique_ptr<EVP_MD_CTX, decltype(&EVP_MD_CTX_free)> ctx(EVP_MD_CTX_new(),
                                                              &EVP_MD_CTX_free);
  bool ok = ctx != nullptr &&
            EVP_DigestInit_ex(ctx.get(), EVP_sha256(), nullptr) == 1;
  for (std::string_view p : parts)
    ok = ok && EVP_DigestUpdate(ctx.get(), p.data(), p.size()) == 1;
  ok = ok && EVP_DigestFinal_ex(ctx.get(), md.data(), &n) == 1;
  // Fails only when the library cannot allocate: nothing sensible to do.
  if (!ok || n != kHashBytes) std::abort();
  return std::string(reinterpret_cast<const char*>(md.data()), n);
}

StatusOr<std::optional<KeyedAnswer>> FindKeyedAnswer(const Txn& txn,
                                                     const Tables& t,
                                                     std::string_view actor,
                                                     std::string_view key,
                                                     int64_t now) {
  const std::string row_key = RowKey(actor, key);
  auto stored = txn.Get(t.idempotency, row_key);
  if (!stored.ok()) return stored.status();
  if (!*stored) return std::optional<KeyedAnswer>();
  auto row = ParseRow(**stored);
  if (!row) {
    NoteDamaged(RowName(row_key));
    return std::optional<KeyedAnswer>();
  }
  if (Expired(row->at, now)) return std::optional<KeyedAnswer>();
  return row;
}

Status PutKeyedAnswer(Txn& txn, const Tables& t, std::string_view actor,
                      std::string_view key, const KeyedAnswer& row) {
  const std::string row_key = RowKey(actor, key);
  auto stored = txn.Get(t.idempotency, row_key);
  if (!stored.ok()) return stored.status();
  if (*stored) {
    // An expired row replaced: its place in the time index goes with it.
    if (auto old = ParseRow(**stored)) {
      if (Status s = txn.Del(t.idempotency_by_time, Be64(old->at) + row_key);
          !s.ok())
        return s;
    }
  }
  std::string value(1, kFormat);
  value += row.fingerprint;
  value.resize(1 + kHashBytes, '\0');
  value += Be64(static_cast<uint64_t>(row.at));
  value += row.answer;
  if (Status s = txn.Put(t.idempotency, row_key, value); !s.ok()) return s;
  return txn.Put(t.idempotency_by_time,
                 Be64(static_cast<uint64_t>(row.at)) + row_key, "");
}

StatusOr<bool> KeyedAnswersExpired(const Txn& txn, const Tables& t,
                                   int64_t now) {
  auto cursor = Cursor::Open(txn, t.idempotency_by_time);
  if (!cursor.ok()) return cursor.status();
  auto first = cursor->First();
  if (!first.ok()) return first.status();
  return *first && Expired(static_cast<int64_t>(ReadBe64(cursor->key())), now);
}

StatusOr<size_t> SweepKeyedAnswers(Txn& txn, const Tables& t, int64_t now,
                                   size_t limit) {
  // Collected first: the cursor must not walk what is being deleted.
  std::vector<std::string> due;
  {
    auto cursor = Cursor::Open(txn, t.idempotency_by_time);
    if (!cursor.ok()) return cursor.status();
    for (auto moved = cursor->First(); due.size() < limit;
         moved = cursor->Next()) {
      if (!moved.ok()) return moved.status();
      if (!*moved) break;
      const std::string_view k = cursor->key();
      if (k.size() != 8 + kHashBytes ||
          !Expired(static_cast<int64_t>(ReadBe64(k)), now))
        break;
      due.emplace_back(k);
    }
  }
  size_t deleted = 0;
  for (const std::string& entry : due) {
    const std::string_view row_key = std::string_view(entry).substr(8);
    auto stored = txn.Get(t.idempotency, row_key);
    if (!stored.ok()) return stored.status();
    // The row goes unless it was written again since (then this entry is
    // a stale one); an unreadable row goes too.
    bool drop = false;
    if (*stored) {
      auto row = ParseRow(**stored);
      drop = !row || row->at == static_cast<int64_t>(ReadBe64(entry));
    }
    if (drop) {
      if (Status s = txn.Del(t.idempotency, row_key); !s.ok()) return s;
      ++deleted;
    }
    if (Status s = txn.Del(t.idempotency_by_time, entry); !s.ok()) return s;
  }
  return deleted;
}

StatusOr<uint64_t> CountKeyedAnswers(const Txn& txn, const Tables& t) {
  MDB_stat stat;
  if (int rc = mdb_stat(txn.get(), t.idempotency.dbi, &stat); rc != 0)
    return LmdbStatus(rc, "stat idempotency");
  return static_cast<uint64_t>(stat.ms_entries);
}

}  // namespace helpdesk::store
