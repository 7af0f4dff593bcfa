// The Desk's identity: who a secret belongs to, logins and logouts, the
// accounts an admin keeps, API tokens, and the accounts of the first
// start. Passwords are hashed and checked on the calling thread (the
// server calls these from its pool, never an I/O thread), never on the
// writer, which only stores what was decided.

#include <google/protobuf/util/time_util.h>
#include <spdlog/spdlog.h>

#include <algorithm>

#include "daemon/auth/principal.h"
#include "daemon/auth/secrets.h"
#include "daemon/desk/context.h"
#include "daemon/desk/desk.h"
#include "daemon/desk/scope.h"
#include "daemon/staff/staff.h"
#include "daemon/store/auth_tables.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/record_check.h"
#include "daemon/store/staff_tables.h"
#include "proto/timestamps.h"
#include "proto/wire_names.h"

namespace helpdesk::desk {
namespace {

constexpr size_t kMaxName = 200;
constexpr uint32_t kMaxTokenDays = 3650;

// One answer for every failed login, so it tells nobody which accounts
// exist.
Status WrongLogin() {
  return Status::Unauthenticated(
      "wrong account or password; check both and try again (after several "
      "failures, logins from you or to this account are slowed down)");
}

Status NotLoggedIn(std::string why) {
  return Status::Unauthenticated(
      std::move(why) +
      "; log in with POST /api/v1/session, or send a valid API token as "
      "'Authorization: Bearer <token>'");
}

Status NoAccount(std::string_view id) {
  return Status::NotFound("no account '" + std::string(id) +
                          "'; GET /api/v1/accounts lists them");
}

// An account as answers show it: never its password hash.
v1::Account Public(v1::Account a) {
  a.set_password_set(a.has_password_hash());
  a.clear_password_hash();
  a.clear_password();
  return a;
}

v1::Event AccountEvent(const Scope& s, const v1::Account& a,
                       std::string change) {
  v1::Event e = s.NewEvent();
  auto* body = e.mutable_account_changed();
  body->set_account(a.id());
  body->set_change(std::move(change));
  *body->mutable_roles() = a.roles();
  return e;
}

v1::Event CredentialEvent(const Scope& s, const v1::Credential& c,
                          std::string change) {
  v1::Event e = s.NewEvent();
  auto* body = e.mutable_credential_changed();
  body->set_credential(c.id());
  body->set_account(c.account());
  body->set_kind(c.kind());
  body->set_change(std::move(change));
  return e;
}

// Ends every session (and, with `tokens`, every token) of `account`.
Status EndCredentials(store::Txn& txn, const store::Tables& t,
                      std::string_view account, bool tokens) {
  auto all = store::CredentialsOf(txn, t, account);
  if (!all.ok()) return all.status();
  for (const auto& c : *all) {
    if (!tokens && c.credential.kind() == v1::CREDENTIAL_KIND_TOKEN) continue;
    if (Status s = store::DeleteCredential(txn, t, c); !s.ok()) return s;
  }
  return Status::Ok();
}

// An agent's staff link names a person of the registry.
Status CheckStaffLink(const store::Txn& txn, const store::Tables& t,
                      const v1::Account& a) {
  if (a.staff_id().empty()) return Status::Ok();
  auto member = staff::IsStaffId(a.staff_id())
                    ? store::GetStaff(txn, t, a.staff_id())
                    : StatusOr<std::optional<v1::StaffMember>>(
                          std::optional<v1::StaffMember>());
  if (!member.ok() && !store::IsDamaged(member.status()))
    return member.status();
  if (member.ok() && !*member)
    return Status::InvalidField(
        "staffId", "no staff member '" + a.staff_id() +
                       "'; link an agent to a person of GET /api/v1/staff");
  return Status::Ok();
}

}  // namespace

StatusOr<std::string> Desk::AuthKey() const {
  {
    std::lock_guard lock(key_mu_);
    if (!auth_key_.empty()) return auth_key_;
  }
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto key = store::GetAuthKey(*txn, tables_);
  if (!key.ok()) return key.status();
  std::lock_guard lock(key_mu_);
  auth_key_ = *key;
  return auth_key_;
}

StatusOr<auth::Principal> Desk::Authenticate(std::string_view secret) const {
  // Longer than any secret made here: not looked up at all.
  if (secret.empty() || secret.size() > 128)
    return NotLoggedIn("that is not a session or token of this desk");
  auto key = AuthKey();
  if (!key.ok()) return NotLoggedIn("no account exists yet");
  const std::string hash = auth::SecretHash(*key, secret);
  const int64_t now = Now().seconds();
  // Read before the tables: an identity write committed after this makes
  // what is cached below stale at once.
  const uint64_t generation = identity_generation_.load();
  {
    std::shared_lock lock(principals_mu_);
    auto it = principals_.find(hash);
    if (it != principals_.end() && it->second.generation == generation &&
        (it->second.expires_at == 0 || now < it->second.expires_at)) {
      NoteUse(it->second.principal.credential, it->second.last_used, now);
      return it->second.principal;
    }
  }
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto credential = store::GetCredentialByHash(*txn, tables_, hash);
  if (!credential.ok() && !store::IsDamaged(credential.status()))
    return credential.status();
  if (!credential.ok() || !*credential)
    return NotLoggedIn("the session or token is unknown, or was revoked");
  const v1::Credential& c = **credential;
  if (c.has_expires_at() && c.expires_at().seconds() <= now)
    return NotLoggedIn(
        "the session or token expired at " +
        google::protobuf::util::TimeUtil::ToString(c.expires_at()));
  auto account = store::GetAccount(*txn, tables_, c.account());
  if (!account.ok() && !store::IsDamaged(account.status()))
    return account.status();
  if (!account.ok() || !*account || (*account)->disabled())
    return NotLoggedIn("the account '" + c.account() + "' is disabled");
  auth::Principal p = auth::PrincipalOf(**account);
  p.credential = c.id();
  NoteUse(c.id(), c.last_used_at().seconds(), now);
  {
    std::unique_lock lock(principals_mu_);
    if (principals_.size() >= kCachedPrincipals) principals_.clear();
    principals_[hash] = {p, generation,
                         c.has_expires_at() ? c.expires_at().seconds() : 0,
                         std::max<int64_t>(c.last_used_at().seconds(), now)};
  }
  return p;
}

template <typename T>
void Desk::ChangeIdentity(Origin origin,
                          std::function<StatusOr<T>(Scope&)> use_case,
                          Done<T> done) {
  // Answered on the writer, right after the commit: the principals cached
  // from before it go stale then, not after its answer has waited its turn
  // on an I/O thread.
  origin.answer_off_writer = false;
  Run<T>(std::move(origin), std::move(use_case),
         [this, done = std::move(done)](StatusOr<T> result) {
           identity_generation_.fetch_add(1);
           done(std::move(result));
         });
}

void Desk::NoteUse(const std::string& credential, int64_t last_used,
                   int64_t now) const {
  // Last use is kept to the minute: a write a minute at most, by the sweep.
  if (now - last_used < 60) return;
  std::lock_guard lock(used_mu_);
  used_[credential] = now;
}

void Desk::SweepCredentials(std::function<void()> then) {
  std::unordered_map<std::string, int64_t> used;
  {
    std::lock_guard lock(used_mu_);
    used.swap(used_);
  }
  std::vector<store::StoredCredential> expired;
  {
    auto txn = store::Txn::BeginRead(env_);
    auto all =
        txn.ok() ? store::AllCredentials(*txn, tables_, 1000000)
                 : StatusOr<std::vector<store::StoredCredential>>(txn.status());
    if (all.ok()) {
      const int64_t now = Now().seconds();
      for (auto& c : *all)
        if (c.credential.has_expires_at() &&
            c.credential.expires_at().seconds() <= now &&
            expired.size() < kKeysSweptPerWrite)
          expired.push_back(std::move(c));
    }
  }
  if (used.empty() && expired.empty()) {
    if (then) then();
    return;
  }
  Run<size_t>(
      SystemOrigin("sessions", "sweep"),
      [used = std::move(used),
       expired = std::move(expired)](Scope& s) -> StatusOr<size_t> {
        Status st = s.store().Write(
            [&](store::Txn& txn, const store::Tables& t) -> Status {
              for (const auto& c : expired)
                if (Status d = store::DeleteCredential(txn, t, c); !d.ok())
                  return d;
              for (const auto& [id, at] : used) {
                auto stored = store::GetCredentialById(txn, t, id);
                if (!stored.ok() || !*stored) continue;  // revoked since
                v1::Credential c = (*stored)->credential;
                c.mutable_last_used_at()->set_seconds(at);
                if (Status p = store::PutCredential(txn, t, (*stored)->hash, c);
                    !p.ok())
                  return p;
              }
              return Status::Ok();
            });
        if (!st.ok()) return st;
        return expired.size();
      },
      [this, then = std::move(then)](StatusOr<size_t> swept) {
        identity_generation_.fetch_add(1);  // some may be gone
        if (!swept.ok())
          spdlog::warn("sweeping sessions and tokens failed: {}",
                       swept.status().message());
        else if (*swept > 0)
          spdlog::info("{} expired sessions and tokens deleted", *swept);
        if (then) then();
      });
}

std::string Desk::CsrfTokenOf(std::string_view secret) const {
  auto key = AuthKey();
  return key.ok() ? auth::CsrfToken(*key, secret) : std::string();
}

void Desk::Login(Origin origin, v1::LoginRequest request,
                 Done<v1::Session> done) {
  // A secret is never kept in an Idempotency-Key's row.
  origin.idempotency = {};
  if (request.account().empty() || request.password().empty() ||
      request.password().size() > auth::kMaxPasswordBytes ||
      !auth::IsAccountId(request.account()))
    return done(WrongLogin());
  auto key = AuthKey();
  if (!key.ok()) return done(WrongLogin());
  StatusOr<std::optional<v1::Account>> account = std::optional<v1::Account>();
  {
    auto txn = store::Txn::BeginRead(env_);
    if (!txn.ok()) return done(txn.status());
    account = store::GetAccount(*txn, tables_, request.account());
  }
  if (!account.ok() && !store::IsDamaged(account.status()))
    return done(account.status());
  const bool usable = account.ok() && *account && !(*account)->disabled() &&
                      !(*account)->password_hash().empty();
  // The same work whether or not the account exists: the time of the
  // answer tells nothing either.
  static const StatusOr<std::string> kDecoy =
      auth::HashPassword("decoy password of no account", password_cost_);
  if (!kDecoy.ok()) return done(WrongLogin());
  const std::string verified = usable ? (*account)->password_hash() : *kDecoy;
  if (!auth::VerifyPassword(verified, request.password()) || !usable)
    return done(WrongLogin());
  std::string rehashed;
  if (auth::NeedsRehash(verified, password_cost_)) {
    auto h = auth::HashPassword(request.password(), password_cost_);
    if (h.ok()) rehashed = std::move(*h);
  }
  const std::string secret = auth::NewSecret("hds_");
  const std::string hash = auth::SecretHash(*key, secret);
  v1::Credential credential;
  credential.set_id(auth::NewCredentialId());
  credential.set_account(request.account());
  credential.set_kind(v1::CREDENTIAL_KIND_SESSION);
  credential.set_created_from(origin.client_address);
  v1::Session answer;
  answer.set_token(secret);
  answer.set_csrf_token(auth::CsrfToken(*key, secret));
  ChangeIdentity<v1::Session>(
      std::move(origin),
      [this, verified, rehashed, hash, credential,
       answer](Scope& s) mutable -> StatusOr<v1::Session> {
        auto current =
            store::GetAccount(s.txn(), s.tables(), credential.account());
        if (!current.ok()) return current.status();
        // Changed since the check (a new password, disabled): refused.
        if (!*current || (*current)->disabled() ||
            (*current)->password_hash() != verified)
          return WrongLogin();
        v1::Account account = std::move(**current);
        credential.set_serial(0);  // given in this write (a rerun too)
        *credential.mutable_created_at() = s.now();
        credential.mutable_expires_at()->set_seconds(s.now().seconds() +
                                                     session_lifetime_.count());
        Status st = s.store().Write(
            [&](store::Txn& txn, const store::Tables& t) -> Status {
              if (!rehashed.empty()) {
                account.set_password_hash(rehashed);
                if (Status e = store::PutAccount(txn, t, account); !e.ok())
                  return e;
              }
              // The oldest sessions beyond the cap end.
              auto all = store::CredentialsOf(txn, t, account.id());
              if (!all.ok()) return all.status();
              std::vector<store::StoredCredential> sessions;
              for (auto& c : *all)
                if (c.credential.kind() == v1::CREDENTIAL_KIND_SESSION)
                  sessions.push_back(std::move(c));
              for (size_t i = 0; i + max_sessions_ <= sessions.size(); ++i)
                if (Status e = store::DeleteCredential(txn, t, sessions[i]);
                    !e.ok())
                  return e;
              return store::PutCredential(txn, t, hash, credential);
            });
        if (!st.ok()) return st;
        *answer.mutable_credential() = credential;
        *answer.mutable_account() = Public(std::move(account));
        return answer;
      },
      std::move(done));
}

void Desk::Logout(Origin origin, Done<v1::Credential> done) {
  std::string id = origin.who.credential;
  ChangeIdentity<v1::Credential>(
      std::move(origin),
      [id](Scope& s) -> StatusOr<v1::Credential> {
        auto stored = store::GetCredentialById(s.txn(), s.tables(), id);
        if (!stored.ok()) return stored.status();
        if (!*stored) return Status::NotFound("the session is already ended");
        v1::Credential c = (*stored)->credential;
        // An API token is revoked by an admin (DELETE /api/v1/tokens/{id}),
        // never by a client logging out with it.
        if (c.kind() != v1::CREDENTIAL_KIND_SESSION)
          return Status::InvalidField(
              "Authorization",
              "this is an API token, not a session: there is nothing to log "
              "out of; an admin revokes a token with DELETE "
              "/api/v1/tokens/" +
                  c.id());
        if (Status st =
                s.store().Write([&](store::Txn& txn, const store::Tables& t) {
                  return store::DeleteCredential(txn, t, **stored);
                });
            !st.ok())
          return st;
        c.set_revoked(true);
        *c.mutable_revoked_at() = s.now();
        return c;
      },
      std::move(done));
}

StatusOr<v1::Session> Desk::WhoAmI(const auth::Principal& who) const {
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto account = store::GetAccount(*txn, tables_, who.account);
  if (!account.ok()) return account.status();
  if (!*account) return NoAccount(who.account);
  auto credential = store::GetCredentialById(*txn, tables_, who.credential);
  if (!credential.ok()) return credential.status();
  v1::Session out;
  *out.mutable_account() = Public(std::move(**account));
  if (*credential) *out.mutable_credential() = (*credential)->credential;
  return out;
}

StatusOr<v1::ListAccountsResponse> Desk::ListAccounts() const {
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto all = store::ListAccounts(*txn, tables_);
  if (!all.ok()) return all.status();
  v1::ListAccountsResponse out;
  for (auto& a : *all) *out.add_accounts() = Public(std::move(a));
  return out;
}

StatusOr<v1::Account> Desk::GetAccount(std::string_view id) const {
  if (!auth::IsAccountId(id)) return NoAccount(id);
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto a = store::GetAccount(*txn, tables_, id);
  if (!a.ok()) return a.status();
  if (!*a) return NoAccount(id);
  return Public(std::move(**a));
}

void Desk::CreateAccount(Origin origin, v1::Account account,
                         std::string password, Done<v1::Account> done) {
  if (Status s = auth::ValidateAccount(account, context_->region()); !s.ok())
    return done(std::move(s));
  account.clear_password_set();
  account.clear_external();
  account.clear_version();
  account.clear_created_at();
  account.clear_updated_at();
  if (!password.empty()) {
    if (Status s = auth::CheckPassword(password, "password"); !s.ok())
      return done(std::move(s));
    auto hash = auth::HashPassword(password, password_cost_);
    if (!hash.ok()) return done(hash.status());
    account.set_password_hash(std::move(*hash));
  }
  ChangeIdentity<v1::Account>(
      std::move(origin),
      [account =
           std::move(account)](Scope& s) mutable -> StatusOr<v1::Account> {
        auto existing = store::GetAccount(s.txn(), s.tables(), account.id());
        if (!existing.ok() && !store::IsDamaged(existing.status()))
          return existing.status();
        if (!existing.ok() || *existing)
          return Status::AlreadyExists("an account '" + account.id() +
                                       "' exists; change it with PUT "
                                       "/api/v1/accounts/" +
                                       account.id());
        if (Status st = CheckStaffLink(s.txn(), s.tables(), account); !st.ok())
          return st;
        account.set_version(1);
        *account.mutable_created_at() = s.now();
        *account.mutable_updated_at() = s.now();
        v1::Event e = AccountEvent(s, account, "created");
        if (Status st = s.store().SaveIdentity(
                account,
                [&](store::Txn& txn, const store::Tables& t) {
                  return store::PutAccount(txn, t, account);
                },
                std::move(e));
            !st.ok())
          return st;
        // A copy: a rerun of the batch runs this again with `account`.
        return Public(account);
      },
      std::move(done));
}

void Desk::UpdateAccount(Origin origin, std::string id, v1::Account body,
                         std::optional<uint32_t> if_match,
                         Done<v1::Account> done) {
  if (!auth::IsAccountId(id)) return done(NoAccount(id));
  if (!body.id().empty() && body.id() != id)
    return done(Status::InvalidField(
        "id",
        "an account's id never changes; leave 'id' out or send '" + id + "'"));
  body.set_id(id);
  if (Status s = auth::ValidateAccount(body, context_->region()); !s.ok())
    return done(std::move(s));
  const std::optional<uint32_t> based_on =
      if_match ? if_match
               : (body.version() ? std::optional<uint32_t>(body.version())
                                 : std::nullopt);
  if (!based_on)
    return done(Status::VersionRequired(
        "send the version the change is based on, as If-Match or 'version' "
        "(GET the account first)"));
  ChangeIdentity<v1::Account>(
      std::move(origin),
      [id, body = std::move(body),
       based_on](Scope& s) mutable -> StatusOr<v1::Account> {
        auto current = store::GetAccount(s.txn(), s.tables(), id);
        if (!current.ok()) return current.status();
        if (!*current) return NoAccount(id);
        v1::Account account = std::move(**current);
        if (account.version() != *based_on)
          return Status::VersionConflict(
              account.version(), "account '" + id + "' is at version " +
                                     std::to_string(account.version()) +
                                     "; GET it again and redo the change");
        if (Status st = CheckStaffLink(s.txn(), s.tables(), body); !st.ok())
          return st;
        const bool disabling = body.disabled() && !account.disabled();
        account.set_name(body.name());
        *account.mutable_roles() = body.roles();
        account.set_municipality(body.municipality());
        account.set_location(body.location());
        account.set_staff_id(body.staff_id());
        account.set_disabled(body.disabled());
        account.set_version(account.version() + 1);
        *account.mutable_updated_at() = s.now();
        v1::Event e =
            AccountEvent(s, account, disabling ? "disabled" : "updated");
        if (Status st = s.store().SaveIdentity(
                account,
                [&](store::Txn& txn, const store::Tables& t) -> Status {
                  if (Status p = store::PutAccount(txn, t, account); !p.ok())
                    return p;
                  // Roles may have narrowed: every session ends, so none
                  // holds more than the account now does.
                  return EndCredentials(txn, t, id, /*tokens=*/disabling);
                },
                std::move(e));
            !st.ok())
          return st;
        return Public(std::move(account));
      },
      std::move(done));
}

void Desk::SetPassword(Origin origin, std::string id, std::string password,
                       Done<v1::Account> done) {
  if (!auth::IsAccountId(id)) return done(NoAccount(id));
  if (Status s = auth::CheckPassword(password, "password"); !s.ok())
    return done(std::move(s));
  auto hash = auth::HashPassword(password, password_cost_);
  if (!hash.ok()) return done(hash.status());
  ChangeIdentity<v1::Account>(
      std::move(origin),
      [id, hash = std::move(*hash)](Scope& s) -> StatusOr<v1::Account> {
        auto current = store::GetAccount(s.txn(), s.tables(), id);
        if (!current.ok()) return current.status();
        if (!*current) return NoAccount(id);
        v1::Account account = std::move(**current);
        account.set_password_hash(hash);
        account.set_version(account.version() + 1);
        *account.mutable_updated_at() = s.now();
        v1::Event e = AccountEvent(s, account, "password");
        if (Status st = s.store().SaveIdentity(
                account,
                [&](store::Txn& txn, const store::Tables& t) -> Status {
                  if (Status p = store::PutAccount(txn, t, account); !p.ok())
                    return p;
                  return EndCredentials(txn, t, id, /*tokens=*/false);
                },
                std::move(e));
            !st.ok())
          return st;
        return Public(std::move(account));
      },
      std::move(done));
}

void Desk::CreateToken(Origin origin, v1::CreateTokenRequest request,
                       Done<v1::CreatedToken> done) {
  origin.idempotency = {};  // the answer holds a secret
  if (!auth::IsAccountId(request.account()))
    return done(Status::InvalidField(
        "account", "'account' is required: the account the token acts as"));
  if (request.name().empty() || request.name().size() > kMaxName)
    return done(Status::InvalidField(
        "name",
        "'name' is required: what the token is for, such as "
        "'Veggskjerm driftsrommet' (at most 200 bytes)"));
  if (request.days() > kMaxTokenDays)
    return done(Status::InvalidField(
        "days", "'days' is at most 3650; 0 (or none) never expires"));
  auto key = AuthKey();
  if (!key.ok()) return done(key.status());
  const std::string secret = auth::NewSecret("hdt_");
  const std::string hash = auth::SecretHash(*key, secret);
  ChangeIdentity<v1::CreatedToken>(
      std::move(origin),
      [request = std::move(request), secret,
       hash](Scope& s) -> StatusOr<v1::CreatedToken> {
        auto account =
            store::GetAccount(s.txn(), s.tables(), request.account());
        if (!account.ok()) return account.status();
        if (!*account || (*account)->disabled())
          return Status::InvalidField("account",
                                      "no account '" + request.account() +
                                          "' that is enabled; make it first");
        v1::Credential c;
        c.set_id(auth::NewCredentialId());
        c.set_account(request.account());
        c.set_kind(v1::CREDENTIAL_KIND_TOKEN);
        c.set_name(request.name());
        *c.mutable_created_at() = s.now();
        if (request.days() > 0)
          c.mutable_expires_at()->set_seconds(s.now().seconds() +
                                              int64_t{request.days()} * 86400);
        c.set_created_from(s.origin().client_address);
        v1::Event e = CredentialEvent(s, c, "created");
        if (Status st = s.store().SaveIdentity(
                c,
                [&](store::Txn& txn, const store::Tables& t) {
                  return store::PutCredential(txn, t, hash, c);
                },
                std::move(e));
            !st.ok())
          return st;
        v1::CreatedToken out;
        out.set_token(secret);
        *out.mutable_credential() = std::move(c);
        return out;
      },
      std::move(done));
}

StatusOr<v1::ListCredentialsResponse> Desk::ListCredentials(
    std::string_view account) const {
  if (!account.empty() && !auth::IsAccountId(account))
    return NoAccount(account);
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto all = account.empty() ? store::AllCredentials(*txn, tables_, 100000)
                             : store::CredentialsOf(*txn, tables_, account);
  if (!all.ok()) return all.status();
  v1::ListCredentialsResponse out;
  for (auto& c : *all) *out.add_credentials() = std::move(c.credential);
  return out;
}

void Desk::RevokeCredential(Origin origin, std::string id,
                            Done<v1::Credential> done) {
  ChangeIdentity<v1::Credential>(
      std::move(origin),
      [id](Scope& s) -> StatusOr<v1::Credential> {
        if (id.empty() || id.size() > 64)
          return Status::NotFound("no session or token '" + id + "'");
        auto stored = store::GetCredentialById(s.txn(), s.tables(), id);
        if (!stored.ok()) return stored.status();
        if (!*stored)
          return Status::NotFound("no session or token '" + id +
                                  "'; GET /api/v1/tokens lists them");
        v1::Credential c = (*stored)->credential;
        c.set_revoked(true);
        *c.mutable_revoked_at() = s.now();
        v1::Event e = CredentialEvent(s, c, "revoked");
        if (Status st = s.store().SaveIdentity(
                c,
                [&](store::Txn& txn, const store::Tables& t) {
                  return store::DeleteCredential(txn, t, **stored);
                },
                std::move(e));
            !st.ok())
          return st;
        return c;
      },
      std::move(done));
}

StatusOr<std::vector<Desk::FirstAccount>> Desk::PlanFirstAccounts() const {
  auto txn = store::Txn::BeginRead(env_);
  if (!txn.ok()) return txn.status();
  auto any = store::AnyAccount(*txn, tables_);
  if (!any.ok()) return any.status();
  std::vector<FirstAccount> out;
  if (*any) return out;
  auto add = [&](std::string id, std::string name,
                 std::initializer_list<v1::Role> roles) -> v1::Account& {
    FirstAccount f;
    f.account.set_id(std::move(id));
    f.account.set_name(std::move(name));
    for (v1::Role r : roles) f.account.add_roles(r);
    f.password = auth::NewPassword();
    out.push_back(std::move(f));
    return out.back().account;
  };
  add("admin", "Administrator", {v1::ROLE_ADMIN});
  auto staff = store::LoadStaff(*txn, tables_);
  if (!staff.ok()) return staff.status();
  for (const auto& m : *staff) {
    // The survey's dispatcher (jobbfordeler) and the team leader who
    // prioritises and distributes cases assign; everyone else is an agent.
    const bool dispatcher =
        m.title().find("Jobbfordeler") != std::string::npos ||
        m.title().starts_with("Teamleder");
    v1::Account& a = add(m.id(), m.name(),
                         {dispatcher ? v1::ROLE_DISPATCHER : v1::ROLE_AGENT});
    a.set_staff_id(m.id());
  }
  for (const auto& m : context_->region().municipalities()) {
    v1::Account& a =
        add("ansatt." + m.id(), "Ansatt i " + m.name(), {v1::ROLE_EMPLOYEE});
    a.set_municipality(m.id());
    // The town hall first: the portal proposes it for a new ticket.
    if (m.locations_size() > 0) a.set_location(m.locations(0).id());
  }
  return out;
}

void Desk::MakeFirstAccounts(std::vector<FirstAccount> accounts,
                             Done<size_t> done) {
  std::vector<v1::Account> hashed;
  for (auto& f : accounts) {
    auto h = auth::HashPassword(f.password, password_cost_);
    if (!h.ok()) return done(h.status());
    f.account.set_password_hash(std::move(*h));
    hashed.push_back(std::move(f.account));
  }
  const std::string key = auth::NewHashKey();
  ChangeIdentity<size_t>(
      SystemOrigin("first-start", "first-start"),
      [hashed = std::move(hashed), key](Scope& s) mutable -> StatusOr<size_t> {
        auto any = store::AnyAccount(s.txn(), s.tables());
        if (!any.ok()) return any.status();
        if (*any) return size_t{0};
        if (Status st =
                s.store().Write([&](store::Txn& txn, const store::Tables& t) {
                  auto existing = store::GetAuthKey(txn, t);
                  if (existing.ok()) return Status::Ok();
                  return store::PutAuthKey(txn, t, key);
                });
            !st.ok())
          return st;
        // Seeded like the demo staff: what a new database starts with, not
        // a change anyone made, so no events.
        for (auto& a : hashed) {
          a.set_version(1);
          *a.mutable_created_at() = s.now();
          *a.mutable_updated_at() = s.now();
          if (Status st = store::CheckStrings(a, "account"); !st.ok())
            return st;
          if (Status st =
                  s.store().Write([&](store::Txn& txn, const store::Tables& t) {
                    return store::PutAccount(txn, t, a);
                  });
              !st.ok())
            return st;
        }
        return hashed.size();
      },
      std::move(done));
}

}  // namespace helpdesk::desk
