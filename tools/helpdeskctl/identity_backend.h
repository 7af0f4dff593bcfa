#pragma once
// Where `helpdeskctl user` and `helpdeskctl token` keep accounts and API
// tokens: a running daemon's admin API (identity_remote.h) or a stopped
// daemon's data directory (identity_offline.h). The same questions either
// way, so each command is written once (identity_commands.cc).
//
// Every answer is as the API answers it: an account never with its
// password hash, a credential never with its secret (only CreateToken's
// answer holds one, once). Errors are Statuses; Refused() says whether one
// is a refusal of the request (exit 1: nothing was changed) rather than a
// failure to ask or to store (exit 2). Not thread-safe: one per command.

#include <string>

#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::ctl {

class IdentityBackend {
 public:
  virtual ~IdentityBackend() = default;

  virtual StatusOr<v1::ListAccountsResponse> ListAccounts() = 0;
  virtual StatusOr<v1::Account> GetAccount(const std::string& id) = 0;
  // `password` may be empty: an account without one (it cannot log in).
  virtual StatusOr<v1::Account> CreateAccount(const v1::Account& account,
                                              const std::string& password) = 0;
  // Replaces name, roles, municipality, staff link and disabled; based on
  // `account.version()` (a conflict when it changed since).
  virtual StatusOr<v1::Account> UpdateAccount(const v1::Account& account) = 0;
  // Sets the password and ends the account's sessions (not its tokens).
  virtual StatusOr<v1::Account> SetPassword(const std::string& id,
                                            const std::string& password) = 0;
  virtual StatusOr<v1::CreatedToken> CreateToken(
      const v1::CreateTokenRequest& request) = 0;
  // Sessions and tokens, of `account` ("" for all).
  virtual StatusOr<v1::ListCredentialsResponse> ListCredentials(
      const std::string& account) = 0;
  virtual StatusOr<v1::Credential> Revoke(const std::string& id) = 0;

  // Whether `s` (from one of the above) refused the request.
  static bool Refused(const Status& s) {
    switch (s.code()) {
      case Code::kUnavailable:
      case Code::kInternal:
      case Code::kStorageFull:
      case Code::kDiskFull:
        return false;
      default:
        return true;
    }
  }
};

}  // namespace helpdesk::ctl
