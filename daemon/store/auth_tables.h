#pragma once
// The identity tables (README, "Accounts and roles"):
//
//   accounts     account id -> Account (its argon2id password hash inside)
//   credentials  "h" . keyed hash of the secret (32 bytes) -> Credential
//                "i" . credential id -> the keyed hash
//                "a" . account id . \0 . credential id -> ""
//   meta         "auth_key" -> the key of the keyed hash (32 random bytes)
//
// A session or token is found by the keyed hash of the secret a client
// sends; the secret is kept nowhere. Revoking deletes all three entries.
// A record that does not parse is damaged (record_check.h): a single read
// answers Damaged, a list skips it.
//
// Free functions over a Txn, like tables.h. Thread-safety: as the Txn.

#include <cstddef>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::store {

// The keyed hash's key; kNotFound before the first admin is made.
StatusOr<std::string> GetAuthKey(const Txn& txn, const Tables& t);
Status PutAuthKey(Txn& txn, const Tables& t, std::string_view key);

StatusOr<std::optional<v1::Account>> GetAccount(const Txn& txn, const Tables& t,
                                                std::string_view id);
Status PutAccount(Txn& txn, const Tables& t, const v1::Account& account);
// Every readable account, in id order.
StatusOr<std::vector<v1::Account>> ListAccounts(const Txn& txn,
                                                const Tables& t);
StatusOr<bool> AnyAccount(const Txn& txn, const Tables& t);

struct StoredCredential {
  std::string hash;  // the keyed hash it is stored under
  v1::Credential credential;
};

StatusOr<std::optional<v1::Credential>> GetCredentialByHash(
    const Txn& txn, const Tables& t, std::string_view hash);
StatusOr<std::optional<StoredCredential>> GetCredentialById(
    const Txn& txn, const Tables& t, std::string_view id);
// The credentials of `account`, oldest (lowest serial) first.
StatusOr<std::vector<StoredCredential>> CredentialsOf(const Txn& txn,
                                                      const Tables& t,
                                                      std::string_view account);
// Every credential (the sweep of expired sessions), up to `limit`.
StatusOr<std::vector<StoredCredential>> AllCredentials(const Txn& txn,
                                                       const Tables& t,
                                                       size_t limit);
// Stores (or replaces) the credential under `hash` with its two indexes;
// a new one (serial 0) is given the next serial first.
Status PutCredential(Txn& txn, const Tables& t, std::string_view hash,
                     v1::Credential& credential);
Status DeleteCredential(Txn& txn, const Tables& t,
                        const StoredCredential& stored);

}  // namespace helpdesk::store
