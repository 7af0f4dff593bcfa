#include "daemon/store/auth_tables.h"

#include <algorithm>

#include "daemon/store/record_check.h"

namespace helpdesk::store {
namespace {

constexpr std::string_view kAuthKey = "auth_key";
constexpr std::string_view kCredentialSerial = "credential_serial";

std::string ByHash(std::string_view hash) { return "h" + std::string(hash); }
std::string ById(std::string_view id) { return "i" + std::string(id); }
std::string ByAccount(std::string_view account, std::string_view id) {
  return "a" + std::string(account) + '\0' + std::string(id);
}

std::string AccountName(std::string_view id) {
  return "account " + std::string(id);
}

}  // namespace

StatusOr<std::string> GetAuthKey(const Txn& txn, const Tables& t) {
  auto raw = txn.Get(t.meta, kAuthKey);
  if (!raw.ok()) return raw.status();
  if (!*raw) return Status::NotFound("no auth key yet");
  return std::string(**raw);
}

Status PutAuthKey(Txn& txn, const Tables& t, std::string_view key) {
  return txn.Put(t.meta, kAuthKey, key);
}

StatusOr<std::optional<v1::Account>> GetAccount(const Txn& txn, const Tables& t,
                                                std::string_view id) {
  auto raw = txn.Get(t.accounts, id);
  if (!raw.ok()) return raw.status();
  if (!*raw) return std::optional<v1::Account>();
  v1::Account a;
  if (!ParseRecord(**raw, a)) return Damaged(AccountName(id));
  return std::optional<v1::Account>(std::move(a));
}

Status PutAccount(Txn& txn, const Tables& t, const v1::Account& account) {
  return txn.Put(t.accounts, account.id(), account.SerializeAsString());
}

StatusOr<std::vector<v1::Account>> ListAccounts(const Txn& txn,
                                                const Tables& t) {
  auto cursor = Cursor::Open(txn, t.accounts);
  if (!cursor.ok()) return cursor.status();
  std::vector<v1::Account> out;
  for (auto moved = cursor->First();; moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved) break;
    v1::Account a;
    if (!ParseRecord(cursor->value(), a)) {
      NoteDamaged(AccountName(cursor->key()));
      continue;
    }
    out.push_back(std::move(a));
  }
  return out;
}

StatusOr<bool> AnyAccount(const Txn& txn, const Tables& t) {
  auto cursor = Cursor::Open(txn, t.accounts);
  if (!cursor.ok()) return cursor.status();
  return cursor->First();
}

StatusOr<std::optional<v1::Credential>> GetCredentialByHash(
    const Txn& txn, const Tables& t, std::string_view hash) {
  auto raw = txn.Get(t.credentials, ByHash(hash));
  if (!raw.ok()) return raw.status();
  if (!*raw) return std::optional<v1::Credential>();
  v1::Credential c;
  // A damaged credential lets no one in.
  if (!ParseRecord(**raw, c)) return Damaged("a credential");
  return std::optional<v1::Credential>(std::move(c));
}

StatusOr<std::optional<StoredCredential>> GetCredentialById(
    const Txn& txn, const Tables& t, std::string_view id) {
  auto hash = txn.Get(t.credentials, ById(id));
  if (!hash.ok()) return hash.status();
  if (!*hash) return std::optional<StoredCredential>();
  StoredCredential out{std::string(**hash), {}};
  auto c = GetCredentialByHash(txn, t, out.hash);
  if (!c.ok()) return c.status();
  if (!*c) return std::optional<StoredCredential>();
  out.credential = std::move(**c);
  return std::optional<StoredCredential>(std::move(out));
}

StatusOr<std::vector<StoredCredential>> CredentialsOf(
    const Txn& txn, const Tables& t, std::string_view account) {
  const std::string prefix = "a" + std::string(account) + '\0';
  std::vector<std::string> ids;
  {
    auto cursor = Cursor::Open(txn, t.credentials);
    if (!cursor.ok()) return cursor.status();
    for (auto moved = cursor->Seek(prefix);; moved = cursor->Next()) {
      if (!moved.ok()) return moved.status();
      if (!*moved || !cursor->key().starts_with(prefix)) break;
      ids.emplace_back(cursor->key().substr(prefix.size()));
    }
  }
  std::vector<StoredCredential> out;
  for (const auto& id : ids) {
    auto c = GetCredentialById(txn, t, id);
    if (IsDamaged(c.status())) continue;
    if (!c.ok()) return c.status();
    if (*c) out.push_back(std::move(**c));
  }
  std::sort(out.begin(), out.end(), [](const auto& a, const auto& b) {
    return a.credential.serial() < b.credential.serial();
  });
  return out;
}

StatusOr<std::vector<StoredCredential>> AllCredentials(const Txn& txn,
                                                       const Tables& t,
                                                       size_t limit) {
  auto cursor = Cursor::Open(txn, t.credentials);
  if (!cursor.ok()) return cursor.status();
  std::vector<StoredCredential> out;
  for (auto moved = cursor->Seek("h"); out.size() < limit;
       moved = cursor->Next()) {
    if (!moved.ok()) return moved.status();
    if (!*moved || !cursor->key().starts_with("h")) break;
    StoredCredential c{std::string(cursor->key().substr(1)), {}};
    if (!ParseRecord(cursor->value(), c.credential)) continue;
    out.push_back(std::move(c));
  }
  return out;
}

Status PutCredential(Txn& txn, const Tables& t, std::string_view hash,
                     v1::Credential& c) {
  if (c.serial() == 0) {
    auto last = txn.Get(t.meta, kCredentialSerial);
    if (!last.ok()) return last.status();
    const uint64_t next = (*last ? ReadBe64(**last) : 0) + 1;
    if (Status s = txn.Put(t.meta, kCredentialSerial, Be64(next)); !s.ok())
      return s;
    c.set_serial(next);
  }
  if (Status s = txn.Put(t.credentials, ByHash(hash), c.SerializeAsString());
      !s.ok())
    return s;
  if (Status s = txn.Put(t.credentials, ById(c.id()), hash); !s.ok()) return s;
  return txn.Put(t.credentials, ByAccount(c.account(), c.id()), "");
}

Status DeleteCredential(Txn& txn, const Tables& t,
                        const StoredCredential& stored) {
  const v1::Credential& c = stored.credential;
  for (const std::string& key :
       {ByHash(stored.hash), ById(c.id()), ByAccount(c.account(), c.id())}) {
    if (Status s = txn.Del(t.credentials, key); !s.ok()) return s;
  }
  return Status::Ok();
}

}  // namespace helpdesk::store
