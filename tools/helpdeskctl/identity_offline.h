#pragma once
// Accounts and tokens in a daemon's data directory, without the daemon.
// Reading (OpenToRead) is safe while it runs: one LMDB read transaction
// per question. Changing (OpenToWrite) only while it is stopped: under its
// directory lock, through the same store::Writer and desk::Desk use cases
// as the daemon (the checks, the events, the ending of sessions), as the
// system principal named `actor`. This is how an admin who lost every
// password gets back in, so a database with no account at all (an
// upgraded one) is served too: OpenToWrite can make the keyed hash's key
// that the daemon's first start would have made. Never creates a
// database. Not thread-safe: one per command.

#include <memory>
#include <optional>
#include <string>

#include "daemon/desk/desk.h"
#include "daemon/store/dir_lock.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"
#include "daemon/store/writer.h"
#include "tools/helpdeskctl/identity_backend.h"

namespace helpdesk::ctl {

class OfflineIdentity : public IdentityBackend {
 public:
  // Errors: kNotFound when `dir` holds no helpdeskd database,
  // kInvalidParameter for another schema version.
  static StatusOr<std::unique_ptr<OfflineIdentity>> OpenToRead(
      const std::string& dir);

  struct WriteOptions {
    std::string actor;       // recorded in the events
    std::string request_id;  // recorded in the events
    // Make the keyed hash's key if the database has none yet (no account
    // was ever made): what a new account or token needs.
    bool make_auth_key = false;
  };
  // As OpenToRead, and kUnavailable naming the holder's pid while the
  // daemon runs (its directory lock).
  static StatusOr<std::unique_ptr<OfflineIdentity>> OpenToWrite(
      const std::string& dir, const WriteOptions& options);

  ~OfflineIdentity() override;  // stops the writer, then unlocks
  OfflineIdentity(const OfflineIdentity&) = delete;
  OfflineIdentity& operator=(const OfflineIdentity&) = delete;

  StatusOr<v1::ListAccountsResponse> ListAccounts() override;
  StatusOr<v1::Account> GetAccount(const std::string& id) override;
  StatusOr<v1::Account> CreateAccount(const v1::Account& account,
                                      const std::string& password) override;
  StatusOr<v1::Account> UpdateAccount(const v1::Account& account) override;
  StatusOr<v1::Account> SetPassword(const std::string& id,
                                    const std::string& password) override;
  StatusOr<v1::CreatedToken> CreateToken(
      const v1::CreateTokenRequest& request) override;
  StatusOr<v1::ListCredentialsResponse> ListCredentials(
      const std::string& account) override;
  StatusOr<v1::Credential> Revoke(const std::string& id) override;

 private:
  explicit OfflineIdentity(std::string dir) : dir_(std::move(dir)) {}
  // kInternal when opened to read only.
  StatusOr<desk::Desk*> Writable();
  desk::Origin Origin() const;

  std::string dir_;
  std::optional<store::DirLock> lock_;
  std::optional<store::Env> env_;
  store::Tables tables_;
  std::unique_ptr<store::Writer> writer_;
  std::unique_ptr<desk::Desk> desk_;
  WriteOptions how_;
};

}  // namespace helpdesk::ctl
