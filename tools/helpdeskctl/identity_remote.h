#pragma once
// Accounts and tokens through a running daemon's admin API: GET/POST
// /api/v1/accounts, GET/PUT /api/v1/accounts/{id} (the version in the
// body), POST /api/v1/accounts/{id}/password, GET/POST /api/v1/tokens and
// DELETE /api/v1/tokens/{id}, as the account of $HELPDESK_TOKEN (which
// Exchange sends), each bounded by the timeout given. A problem answer
// becomes a Status of its kind with the daemon's detail (and, for 401 and
// 403, what to do about the token); 5xx and an unreachable daemon are not
// refusals (IdentityBackend::Refused). Not thread-safe.

#include <chrono>
#include <string>

#include "tools/helpdeskctl/http_client.h"
#include "tools/helpdeskctl/identity_backend.h"

namespace helpdesk::ctl {

class RemoteIdentity : public IdentityBackend {
 public:
  RemoteIdentity(Url url, std::chrono::milliseconds timeout,
                 std::string request_id);

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
  // Sends the request and parses a `want` answer into `out`.
  Status Call(const std::string& method, const std::string& target,
              const std::string& body, int want,
              google::protobuf::Message& out);

  Url url_;
  std::chrono::milliseconds timeout_;
  std::string request_id_;
};

}  // namespace helpdesk::ctl
