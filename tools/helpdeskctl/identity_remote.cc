#include "tools/helpdeskctl/identity_remote.h"

#include <cstdlib>
#include <vector>

#include "proto/json.h"
#include "tools/helpdeskctl/text_output.h"

namespace helpdesk::ctl {
namespace {

constexpr std::string_view kAccounts = "/api/v1/accounts";
constexpr std::string_view kTokens = "/api/v1/tokens";

bool TokenSet() {
  const char* token = std::getenv("HELPDESK_TOKEN");
  return token != nullptr && *token != '\0';
}

// A problem answer as the Status of its kind, its detail the daemon's.
Status FromReply(const std::string& what, const HttpReply& reply) {
  std::string detail = what + ": " + Problem(reply);
  switch (reply.status) {
    case 400:
    case 422: {
      // Every field at fault, as the daemon listed them.
      v1::Problem problem;
      std::vector<FieldError> errors;
      if (proto::ParseJson(reply.body, problem, {.ignore_unknown_fields = true})
              .ok()) {
        for (const auto& e : problem.errors())
          errors.push_back({e.pointer(), e.detail()});
        if (errors.empty() && !problem.field().empty())
          errors.push_back({"/" + problem.field(), problem.detail()});
      }
      return Status::Invalid(detail, std::move(errors));
    }
    case 401:
      return Status::Unauthenticated(
          detail +
          (TokenSet()
               ? "; $HELPDESK_TOKEN is not a valid token of this daemon: set "
                 "it to an admin's API token"
               : "; $HELPDESK_TOKEN is not set: set it to an admin's API "
                 "token") +
          " (helpdeskctl token create --account ADMIN --name NAME "
          "--data-dir DIR makes one while the daemon is stopped), or work on "
          "the stopped daemon's --data-dir");
    case 403:
      return Status::Forbidden(
          "", detail + "; the account of $HELPDESK_TOKEN needs the admin role");
    case 404:
      return Status::NotFound(detail);
    case 409:
    case 412:
      return Status::VersionConflict(0, detail);
    case 428:
      return Status::VersionRequired(detail);
    case 429:
      return Status::TooManyRequests(0, detail);
    default:
      break;
  }
  if (reply.status >= 500) return Status::Unavailable(detail);
  return Status::Internal(detail);
}

}  // namespace

RemoteIdentity::RemoteIdentity(Url url, std::chrono::milliseconds timeout,
                               std::string request_id)
    : url_(std::move(url)),
      timeout_(timeout),
      request_id_(std::move(request_id)) {}

Status RemoteIdentity::Call(const std::string& method,
                            const std::string& target, const std::string& body,
                            int want, google::protobuf::Message& out) {
  Headers headers = {{"Accept", "application/json"},
                     {"X-Request-Id", request_id_}};
  if (!body.empty()) headers.emplace_back("Content-Type", "application/json");
  auto reply = Exchange(url_, method, target, body, headers, timeout_);
  const std::string what = method + " " + target;
  if (!reply.ok())
    return Status::Unavailable(what + ": " + reply.status().message());
  if (reply->status != want) return FromReply(what, *reply);
  if (Status s =
          proto::ParseJson(reply->body, out, {.ignore_unknown_fields = true});
      !s.ok())
    return Status::Internal(what + ": an answer that is not a " +
                            out.GetDescriptor()->name() + ": " + s.message());
  return Status::Ok();
}

StatusOr<v1::ListAccountsResponse> RemoteIdentity::ListAccounts() {
  v1::ListAccountsResponse out;
  if (Status s = Call("GET", std::string(kAccounts), "", 200, out); !s.ok())
    return s;
  return out;
}

StatusOr<v1::Account> RemoteIdentity::GetAccount(const std::string& id) {
  v1::Account out;
  if (Status s = Call("GET", std::string(kAccounts) + "/" + id, "", 200, out);
      !s.ok())
    return s;
  return out;
}

StatusOr<v1::Account> RemoteIdentity::CreateAccount(
    const v1::Account& account, const std::string& password) {
  v1::Account body = account;
  if (!password.empty()) body.set_password(password);
  v1::Account out;
  if (Status s =
          Call("POST", std::string(kAccounts), proto::ToJson(body), 201, out);
      !s.ok())
    return s;
  return out;
}

StatusOr<v1::Account> RemoteIdentity::UpdateAccount(
    const v1::Account& account) {
  v1::Account body = account;
  body.clear_password();
  body.clear_password_hash();
  v1::Account out;
  if (Status s = Call("PUT", std::string(kAccounts) + "/" + account.id(),
                      proto::ToJson(body), 200, out);
      !s.ok())
    return s;
  return out;
}

StatusOr<v1::Account> RemoteIdentity::SetPassword(const std::string& id,
                                                  const std::string& password) {
  v1::SetPasswordRequest body;
  body.set_password(password);
  v1::Account out;
  if (Status s = Call("POST", std::string(kAccounts) + "/" + id + "/password",
                      proto::ToJson(body), 200, out);
      !s.ok())
    return s;
  return out;
}

StatusOr<v1::CreatedToken> RemoteIdentity::CreateToken(
    const v1::CreateTokenRequest& request) {
  v1::CreatedToken out;
  if (Status s =
          Call("POST", std::string(kTokens), proto::ToJson(request), 201, out);
      !s.ok())
    return s;
  return out;
}

StatusOr<v1::ListCredentialsResponse> RemoteIdentity::ListCredentials(
    const std::string& account) {
  v1::ListCredentialsResponse out;
  const std::string target =
      std::string(kTokens) + (account.empty() ? "" : "?account=" + account);
  if (Status s = Call("GET", target, "", 200, out); !s.ok()) return s;
  return out;
}

StatusOr<v1::Credential> RemoteIdentity::Revoke(const std::string& id) {
  v1::Credential out;
  if (Status s = Call("DELETE", std::string(kTokens) + "/" + id, "", 200, out);
      !s.ok())
    return s;
  return out;
}

}  // namespace helpdesk::ctl
