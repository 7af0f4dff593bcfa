// Logging in and out, the admins' accounts and API tokens. A session's
// secret goes to the client twice in the login's answer: in the body (for
// the API, as a bearer token) and as an HttpOnly cookie (for pages).

#include <future>

#include "daemon/auth/principal.h"
#include "daemon/desk/desk.h"
#include "daemon/http/api.h"
#include "daemon/http/query.h"
#include "daemon/http/responses.h"
#include "proto/json.h"

namespace helpdesk::http {
namespace {

constexpr std::string_view kAccounts = "/api/v1/accounts";

// The session cookie: never readable by scripts, never sent by another
// site's page, and only over HTTPS when the daemon serves it.
std::string SessionCookie(bool tls, std::string_view secret, int64_t max_age) {
  std::string cookie = "hd_session=" + std::string(secret) +
                       "; Path=/; HttpOnly; SameSite=Strict; Max-Age=" +
                       std::to_string(std::max<int64_t>(max_age, 0));
  if (tls) cookie += "; Secure";
  return cookie;
}

// Secrets are answered once and never kept for a retry (desk.h): a
// retry of a login or a new token simply makes another. Nor does a body
// holding a password go into a key's fingerprint (a fast hash of it).
Status NoKeyHere(const Call& c) {
  if (c.request.idempotency_keys == 0) return Status::Ok();
  return Status::InvalidParameter(
      "Idempotency-Key",
      "a request that makes or carries a secret (a login, a token, a "
      "password) takes no Idempotency-Key, as nothing of it is kept; send "
      "it again without one (a session or token made by a lost answer can "
      "be revoked)");
}

Response AccountResponse(int status, const v1::Account& a) {
  Response resp = WithETag(Json(status, a), a.version());
  if (status == 201)
    resp.headers.emplace_back("Location",
                              std::string(kAccounts) + "/" + a.id());
  return resp;
}

}  // namespace

void Api::Login(const Call& c, Respond respond) {
  if (Status s = NoKeyHere(c); !s.ok()) return respond(Fail(c, s));
  v1::LoginRequest req;
  if (Status s = proto::ParseJson(c.request.body, req); !s.ok())
    return respond(Fail(c, s));
  // After failures, logins wait: the password is not even checked. Only a
  // name that can be an account is tracked (a hostile one of 64 kB would
  // cost memory and push others out).
  const std::string account =
      auth::IsAccountId(req.account()) ? req.account() : std::string();
  const std::string address = c.request.client_address;
  if (uint64_t wait =
          limits_.LoginAttempt(account, address, AbuseLimits::Clock::now())) {
    return respond(
        Fail(c, Status::TooManyRequests(
                    wait,
                    "too many failed logins to this account or from your "
                    "address; wait " +
                        std::to_string(wait) +
                        " s (Retry-After) before you try again")));
  }
  desk::Origin origin = OriginOf(c);
  origin.actor = req.account();
  auto answer = Answer<v1::Session>(
      c, std::move(respond), [tls = c.request.tls](v1::Session& session) {
        Response resp = Json(201, session);
        const int64_t max_age = session.credential().expires_at().seconds() -
                                session.credential().created_at().seconds();
        resp.headers.emplace_back("Set-Cookie",
                                  SessionCookie(tls, session.token(), max_age));
        resp.headers.emplace_back("Cache-Control", "no-store");
        return resp;
      });
  desk_.Login(
      std::move(origin), std::move(req),
      [this, account, address,
       answer = std::move(answer)](StatusOr<v1::Session> session) {
        // Counted as failed until it succeeds: guesses sent at once
        // all count, however long each takes to check.
        if (session.ok() || session.status().code() != Code::kUnauthenticated)
          limits_.LoginSucceeded(account, address);
        answer(std::move(session));
      });
}

void Api::WhoAmI(const Call& c, Respond respond) {
  auto session = desk_.WhoAmI(c.who);
  if (!session.ok()) return respond(Fail(c, session.status()));
  // Pages reloaded read their CSRF token here.
  if (c.who.by_cookie)
    session->set_csrf_token(
        desk_.CsrfTokenOf(CookieValue(c.request.cookie, kSessionCookie)));
  Response resp = Json(200, *session);
  resp.headers.emplace_back("Cache-Control", "no-store");
  respond(std::move(resp));
}

void Api::Logout(const Call& c, Respond respond) {
  desk_.Logout(
      OriginOf(c),
      Answer<v1::Credential>(c, std::move(respond),
                             [tls = c.request.tls](v1::Credential& credential) {
                               Response resp = Json(200, credential);
                               resp.headers.emplace_back(
                                   "Set-Cookie", SessionCookie(tls, "", 0));
                               return resp;
                             }));
}

void Api::ListAccounts(const Call& c, Respond respond) {
  auto accounts = desk_.ListAccounts();
  if (!accounts.ok()) return respond(Fail(c, accounts.status()));
  respond(Json(200, *accounts));
}

void Api::GetAccount(const Call& c, Respond respond) {
  auto account = desk_.GetAccount(c.id);
  if (!account.ok()) return respond(Fail(c, account.status()));
  respond(AccountResponse(200, *account));
}

void Api::CreateAccount(const Call& c, Respond respond) {
  auto change = ReadChange<v1::Account>(c, /*versioned=*/false);
  if (!change.ok()) return respond(Fail(c, change.status()));
  // A key's fingerprint is a fast hash of the body: never of a password.
  if (change->body.has_password())
    if (Status s = NoKeyHere(c); !s.ok()) return respond(Fail(c, s));
  std::string password = std::move(*change->body.mutable_password());
  change->body.clear_password();
  desk_.CreateAccount(
      std::move(change->origin), std::move(change->body), std::move(password),
      Answer<v1::Account>(c, std::move(respond), [](v1::Account& a) {
        return AccountResponse(201, a);
      }));
}

void Api::UpdateAccount(const Call& c, Respond respond) {
  auto change = ReadChange<v1::Account>(c);
  if (!change.ok()) return respond(Fail(c, change.status()));
  if (!change->body.password().empty())
    return respond(
        Fail(c, Status::InvalidField("password",
                                     "a password is set with POST " +
                                         std::string(kAccounts) + "/" + c.id +
                                         "/password; leave 'password' out")));
  desk_.UpdateAccount(
      std::move(change->origin), c.id, std::move(change->body),
      change->if_match,
      Answer<v1::Account>(c, std::move(respond), [](v1::Account& a) {
        return AccountResponse(200, a);
      }));
}

void Api::SetPassword(const Call& c, Respond respond) {
  if (Status s = NoKeyHere(c); !s.ok()) return respond(Fail(c, s));
  auto change = ReadChange<v1::SetPasswordRequest>(c, /*versioned=*/false);
  if (!change.ok()) return respond(Fail(c, change.status()));
  desk_.SetPassword(
      std::move(change->origin), c.id,
      std::move(*change->body.mutable_password()),
      Answer<v1::Account>(c, std::move(respond), [](v1::Account& a) {
        return AccountResponse(200, a);
      }));
}

void Api::ListTokens(const Call& c, Respond respond) {
  std::string account;
  if (auto it = c.target.params.find("account"); it != c.target.params.end())
    account = it->second;
  auto list = desk_.ListCredentials(account);
  if (!list.ok()) return respond(Fail(c, list.status()));
  respond(Json(200, *list));
}

void Api::CreateToken(const Call& c, Respond respond) {
  if (Status s = NoKeyHere(c); !s.ok()) return respond(Fail(c, s));
  auto change = ReadChange<v1::CreateTokenRequest>(c, /*versioned=*/false);
  if (!change.ok()) return respond(Fail(c, change.status()));
  desk_.CreateToken(
      std::move(change->origin), std::move(change->body),
      Answer<v1::CreatedToken>(c, std::move(respond), [](v1::CreatedToken& t) {
        Response resp = Json(201, t);
        resp.headers.emplace_back("Cache-Control", "no-store");
        return resp;
      }));
}

void Api::RevokeToken(const Call& c, Respond respond) {
  desk_.RevokeCredential(
      OriginOf(c), c.id,
      Answer<v1::Credential>(c, std::move(respond),
                             [](v1::Credential& cr) { return Json(200, cr); }));
}

void Api::ListAudit(const Call& c, Respond respond) {
  const Target& t = c.target;
  desk::AuditQuery query;
  if (auto it = t.params.find("actor"); it != t.params.end())
    query.actor = it->second;
  if (auto it = t.params.find("ticket"); it != t.params.end())
    query.ticket = it->second;
  if (auto it = t.params.find("cursor"); it != t.params.end())
    query.cursor = it->second;
  auto from = OptionalTimeParam(t, "from");
  if (!from.ok()) return respond(Fail(c, from.status()));
  auto to = OptionalTimeParam(t, "to");
  if (!to.ok()) return respond(Fail(c, to.status()));
  query.from = *from;
  query.to = *to;
  auto limit = UintParam(t, "limit", 1, 1000, 100);
  if (!limit.ok()) return respond(Fail(c, limit.status()));
  query.limit = *limit;
  // Every read noted before this request is in the answer. On the report
  // pool (the route is kReport): waiting for the writer is allowed here.
  std::promise<void> flushed;
  desk_.FlushReads([&flushed] { flushed.set_value(); });
  flushed.get_future().wait();
  auto page = desk_.ListAudit(query);
  if (!page.ok()) return respond(Fail(c, page.status()));
  respond(Json(200, *page));
}

}  // namespace helpdesk::http
