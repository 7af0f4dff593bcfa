#include "tools/helpdeskctl/identity_offline.h"

#include <future>
#include <utility>

#include "daemon/auth/principal.h"
#include "daemon/auth/secrets.h"
#include "daemon/desk/origin.h"
#include "daemon/store/auth_tables.h"
#include "tools/helpdeskctl/offline_store.h"

namespace helpdesk::ctl {
namespace {

// An account as the API shows it: never its password hash.
v1::Account Public(v1::Account a) {
  a.set_password_set(a.has_password_hash());
  a.clear_password_hash();
  a.clear_password();
  return a;
}

// Runs one of the desk's writes and waits for its answer.
template <typename T, typename Call>
StatusOr<T> Wait(Call&& call) {
  std::promise<StatusOr<T>> answer;
  auto future = answer.get_future();
  call([&answer](StatusOr<T> r) { answer.set_value(std::move(r)); });
  return future.get();
}

// `read(txn, tables)` in one read transaction, on tables opened inside it.
template <typename T, typename Read>
StatusOr<T> InRead(const store::Env& env, const std::string& dir, Read&& read) {
  auto txn = store::Txn::BeginRead(env);
  if (!txn.ok()) return txn.status();
  auto tables = ReadTables(*txn, dir);
  if (!tables.ok()) return tables.status();
  return read(*txn, *tables);
}

Status MakeAuthKeyIfNone(const store::Env& env, const store::Tables& t) {
  auto txn = store::Txn::BeginWrite(env);
  if (!txn.ok()) return txn.status();
  auto key = store::GetAuthKey(*txn, t);
  if (key.ok()) return Status::Ok();
  if (key.status().code() != Code::kNotFound) return key.status();
  if (Status s = store::PutAuthKey(*txn, t, auth::NewHashKey()); !s.ok())
    return s;
  return txn->Commit();
}

}  // namespace

StatusOr<std::unique_ptr<OfflineIdentity>> OfflineIdentity::OpenToRead(
    const std::string& dir) {
  if (Status s = RequireDatabase(dir); !s.ok()) return s;
  std::unique_ptr<OfflineIdentity> out(new OfflineIdentity(dir));
  auto env = store::Env::Open({.dir = dir});
  if (!env.ok()) return env.status();
  out->env_.emplace(std::move(*env));
  // Checked now, so a wrong directory is told before any question.
  auto checked =
      InRead<bool>(*out->env_, dir,
                   [](const store::Txn&,
                      const store::Tables&) -> StatusOr<bool> { return true; });
  if (!checked.ok()) return checked.status();
  return out;
}

StatusOr<std::unique_ptr<OfflineIdentity>> OfflineIdentity::OpenToWrite(
    const std::string& dir, const WriteOptions& options) {
  if (Status s = RequireDatabase(dir); !s.ok()) return s;
  std::unique_ptr<OfflineIdentity> out(new OfflineIdentity(dir));
  out->how_ = options;
  auto lock = store::DirLock::Acquire(dir);
  if (!lock.ok()) return lock.status();
  out->lock_.emplace(std::move(*lock));
  auto env = store::Env::Open({.dir = dir});
  if (!env.ok()) return env.status();
  out->env_.emplace(std::move(*env));
  // Checked under the lock, before anything is written: the schema is
  // current and no upgrade is under way, so OpenTables only opens the
  // tables (the seed is never used).
  auto region = InRead<v1::Region>(
      *out->env_, dir, [](const store::Txn& txn, const store::Tables& t) {
        return store::LoadRegion(txn, t);
      });
  if (!region.ok()) return region.status();
  auto tables = store::OpenTables(*out->env_, {});
  if (!tables.ok()) return tables.status();
  out->tables_ = *tables;
  if (options.make_auth_key)
    if (Status s = MakeAuthKeyIfNone(*out->env_, out->tables_); !s.ok())
      return s;
  out->writer_ = std::make_unique<store::Writer>(*out->env_, out->tables_,
                                                 store::Writer::Options{},
                                                 [] { return WallClock(); });
  if (Status s = out->writer_->Start(); !s.ok()) return s;
  // The daemon's own cost: a login there renews the hash if its
  // configuration says otherwise.
  out->desk_ = std::make_unique<desk::Desk>(
      *out->env_, out->tables_, *out->writer_,
      desk::Desk::Options{.region = std::move(*region),
                          .dispatch = {},
                          .sla_policy = sla::DefaultPolicy(),
                          .now = [] { return WallClock(); },
                          .password_cost = auth::PasswordCost::kInteractive});
  return out;
}

OfflineIdentity::~OfflineIdentity() {
  if (writer_) writer_->Stop();
  desk_.reset();
  writer_.reset();
  env_.reset();
  lock_.reset();
}

StatusOr<desk::Desk*> OfflineIdentity::Writable() {
  if (!desk_) return Status::Internal("the data directory was opened to read");
  return desk_.get();
}

desk::Origin OfflineIdentity::Origin() const {
  return desk::SystemOrigin(how_.actor, how_.request_id);
}

StatusOr<v1::ListAccountsResponse> OfflineIdentity::ListAccounts() {
  return InRead<v1::ListAccountsResponse>(
      *env_, dir_,
      [](const store::Txn& txn,
         const store::Tables& t) -> StatusOr<v1::ListAccountsResponse> {
        auto all = store::ListAccounts(txn, t);
        if (!all.ok()) return all.status();
        v1::ListAccountsResponse out;
        for (auto& a : *all) *out.add_accounts() = Public(std::move(a));
        return out;
      });
}

StatusOr<v1::Account> OfflineIdentity::GetAccount(const std::string& id) {
  return InRead<v1::Account>(
      *env_, dir_,
      [&id](const store::Txn& txn,
            const store::Tables& t) -> StatusOr<v1::Account> {
        auto a = store::GetAccount(txn, t, id);
        if (!a.ok()) return a.status();
        if (!*a) return Status::NotFound("no account '" + id + "'");
        return Public(std::move(**a));
      });
}

StatusOr<v1::Account> OfflineIdentity::CreateAccount(
    const v1::Account& account, const std::string& password) {
  auto d = Writable();
  if (!d.ok()) return d.status();
  return Wait<v1::Account>([&](desk::Desk::Done<v1::Account> done) {
    (*d)->CreateAccount(Origin(), account, password, std::move(done));
  });
}

StatusOr<v1::Account> OfflineIdentity::UpdateAccount(
    const v1::Account& account) {
  auto d = Writable();
  if (!d.ok()) return d.status();
  return Wait<v1::Account>([&](desk::Desk::Done<v1::Account> done) {
    (*d)->UpdateAccount(Origin(), account.id(), account, account.version(),
                        std::move(done));
  });
}

StatusOr<v1::Account> OfflineIdentity::SetPassword(
    const std::string& id, const std::string& password) {
  auto d = Writable();
  if (!d.ok()) return d.status();
  return Wait<v1::Account>([&](desk::Desk::Done<v1::Account> done) {
    (*d)->SetPassword(Origin(), id, password, std::move(done));
  });
}

StatusOr<v1::CreatedToken> OfflineIdentity::CreateToken(
    const v1::CreateTokenRequest& request) {
  auto d = Writable();
  if (!d.ok()) return d.status();
  return Wait<v1::CreatedToken>([&](desk::Desk::Done<v1::CreatedToken> done) {
    (*d)->CreateToken(Origin(), request, std::move(done));
  });
}

StatusOr<v1::ListCredentialsResponse> OfflineIdentity::ListCredentials(
    const std::string& account) {
  return InRead<v1::ListCredentialsResponse>(
      *env_, dir_,
      [&account](const store::Txn& txn, const store::Tables& t)
          -> StatusOr<v1::ListCredentialsResponse> {
        auto all = account.empty() ? store::AllCredentials(txn, t, 100000)
                                   : store::CredentialsOf(txn, t, account);
        if (!all.ok()) return all.status();
        v1::ListCredentialsResponse out;
        for (auto& c : *all) *out.add_credentials() = std::move(c.credential);
        return out;
      });
}

StatusOr<v1::Credential> OfflineIdentity::Revoke(const std::string& id) {
  auto d = Writable();
  if (!d.ok()) return d.status();
  return Wait<v1::Credential>([&](desk::Desk::Done<v1::Credential> done) {
    (*d)->RevokeCredential(Origin(), id, std::move(done));
  });
}

}  // namespace helpdesk::ctl
