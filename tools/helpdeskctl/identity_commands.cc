#include "tools/helpdeskctl/identity_commands.h"

#include <google/protobuf/util/time_util.h>

#include <algorithm>
#include <cstdio>
#include <iostream>
#include <memory>
#include <optional>

#include "daemon/auth/principal.h"
#include "daemon/auth/secrets.h"
#include "proto/wire_names.h"
#include "tools/helpdeskctl/identity_offline.h"
#include "tools/helpdeskctl/identity_remote.h"
#include "tools/helpdeskctl/text_output.h"

namespace helpdesk::ctl {
namespace {

void Out(const std::string& text) {
  std::fputs(text.c_str(), stdout);
  std::fflush(stdout);
}

enum class Access { kRead, kWrite, kWriteMakingKey };

// The daemon's API, or its data directory: nullptr (after saying why, with
// the exit code in `exit`) when neither can be used.
std::unique_ptr<IdentityBackend> Open(const Target& target, Access access,
                                      const std::string& actor, int& exit) {
  if (Status s = auth::Init(); !s.ok()) {
    Err("cannot start libsodium: " + s.message());
    exit = kExitError;
    return nullptr;
  }
  if (target.data_dir.empty()) {
    auto url = ParseUrl(target.url);
    if (!url.ok()) {
      Err(url.status().message());
      exit = kExitError;
      return nullptr;
    }
    return std::make_unique<RemoteIdentity>(*url, target.timeout, RequestId());
  }
  StatusOr<std::unique_ptr<OfflineIdentity>> opened =
      access == Access::kRead
          ? OfflineIdentity::OpenToRead(target.data_dir)
          : OfflineIdentity::OpenToWrite(
                target.data_dir,
                {.actor = actor,
                 .request_id = RequestId(),
                 .make_auth_key = access == Access::kWriteMakingKey});
  if (opened.ok()) return std::move(*opened);
  const Status& s = opened.status();
  Err(s.code() == Code::kUnavailable
          ? "refusing to change " + target.data_dir +
                " while the daemon runs: " + s.message() +
                "; stop the daemon first, or make the change through it with "
                "--url; nothing was changed"
          : s.message());
  // As the catalogue import: no database, another schema or a running
  // daemon is a refusal; anything else an I/O error.
  exit = s.code() == Code::kNotFound || s.code() == Code::kInvalidParameter ||
                 s.code() == Code::kUnavailable
             ? kExitProblems
             : kExitError;
  return nullptr;
}

// The option of this command that a field of the API names.
std::string OptionOf(std::string field) {
  if (!field.empty() && field.front() == '/') field.erase(0, 1);
  if (field == "id") return "ID";
  if (field == "name") return "--name";
  if (field == "roles" || field.starts_with("roles/")) return "--role";
  if (field == "municipality") return "--municipality";
  if (field == "location") return "--location";
  if (field == "staffId") return "--staff-id";
  if (field == "password") return "--password-stdin";
  if (field == "account") return "--account";
  if (field == "days") return "--days";
  return field;
}

// Says why `s` ended the command and returns its exit code.
int Fail(const Status& s, const std::string& hint = "", bool changes = true) {
  const bool refused = IdentityBackend::Refused(s);
  const std::string tail =
      hint + (changes && refused ? "; nothing was changed" : "");
  if (!s.errors().empty()) {
    for (const auto& e : s.errors())
      Err((e.pointer.empty() ? "" : OptionOf(e.pointer) + ": ") + e.detail);
    Err("refused (" + std::to_string(s.errors().size() + s.more_errors()) +
        (s.errors().size() + s.more_errors() == 1 ? " problem)"
                                                  : " problems)") +
        tail);
  } else if (!s.field().empty()) {
    Err(OptionOf(s.field()) + ": " + s.message() + tail);
  } else {
    Err(s.message() + tail);
  }
  return refused ? kExitProblems : kExitError;
}

// The roles of `names` (wire names, checked by the command line too).
StatusOr<std::vector<v1::Role>> ParseRoles(
    const std::vector<std::string>& names) {
  std::vector<v1::Role> out;
  for (const auto& n : names) {
    const auto* v = proto::FindWireEnumValue(v1::Role_descriptor(), n);
    if (v == nullptr)
      return Status::InvalidParameter(
          "--role", "no role '" + n + "'; one of: " + RoleChoices());
    const auto role = static_cast<v1::Role>(v->number());
    if (std::find(out.begin(), out.end(), role) == out.end())
      out.push_back(role);
  }
  if (out.empty())
    return Status::InvalidParameter(
        "--role", "give one --role at least, of: " + RoleChoices());
  return out;
}

std::string RolesOf(const v1::Account& a) {
  std::string out;
  for (int r : a.roles())
    out += (out.empty() ? "" : ",") + proto::WireName(static_cast<v1::Role>(r));
  return out;
}

bool CheckId(const std::string& id, const char* what) {
  if (auth::IsAccountId(id)) return true;
  Err(std::string(what) + " '" + id +
      "' is no account id: 1 to 64 lowercase letters, digits, '.', '-', '_' "
      "or '@', starting with a letter or digit (helpdeskctl user list shows "
      "them)");
  return false;
}

// The password to set: one line of standard input with --password-stdin,
// else a new random one (`made` says so).
StatusOr<std::string> NewPasswordFor(bool from_stdin, bool& made) {
  made = !from_stdin;
  if (!from_stdin) return auth::NewPassword();
  std::string line;
  if (!std::getline(std::cin, line) || line.empty())
    return Status::InvalidParameter(
        "--password-stdin",
        "standard input held no password; send it one line "
        "of 12 to 1024 bytes (or leave --password-stdin out to have one "
        "made)");
  if (!line.empty() && line.back() == '\r') line.pop_back();
  if (Status s = auth::CheckPassword(line, "password"); !s.ok())
    return Status::InvalidParameter("--password-stdin", s.message());
  return line;
}

std::string Where(const Target& t) {
  return t.data_dir.empty() ? "" : " in " + t.data_dir;
}

// How to do `what` once more, for hints: with the same --data-dir.
std::string Again(const Target& t, const std::string& what) {
  return "helpdeskctl " + what +
         (t.data_dir.empty() ? "" : " --data-dir " + t.data_dir);
}

std::string When(const google::protobuf::Timestamp& t) {
  if (t.seconds() == 0 && t.nanos() == 0) return "-";
  auto whole = t;
  whole.set_nanos(0);
  return google::protobuf::util::TimeUtil::ToString(whole);
}

std::string OrDash(const std::string& s) { return s.empty() ? "-" : s; }

void PrintTable(const std::vector<std::vector<std::string>>& rows) {
  std::vector<size_t> widths;
  for (const auto& row : rows)
    for (size_t i = 0; i < row.size(); ++i) {
      if (widths.size() <= i) widths.push_back(0);
      widths[i] = std::max(widths[i], Width(row[i]) + 2);
    }
  std::string text;
  for (const auto& row : rows) {
    std::string line;
    for (size_t i = 0; i < row.size(); ++i)
      line += i + 1 == row.size() ? row[i] : Pad(row[i], widths[i]);
    text += line + "\n";
  }
  Out(text);
}

// The account `id`, or the exit code after saying it is not there.
std::optional<v1::Account> Fetch(IdentityBackend& b, const Target& t,
                                 const std::string& id, int& exit) {
  auto a = b.GetAccount(id);
  if (a.ok()) return std::move(*a);
  exit = Fail(a.status(), a.status().code() == Code::kNotFound
                              ? "; " + Again(t, "user list") + " lists them"
                              : "");
  return std::nullopt;
}

}  // namespace

std::string RoleChoices() {
  return proto::WireEnumChoices(v1::Role_descriptor());
}

std::vector<std::string> RoleNames() {
  std::vector<std::string> out;
  const auto* d = v1::Role_descriptor();
  for (int i = 0; i < d->value_count(); ++i)
    if (d->value(i)->number() != v1::ROLE_UNSPECIFIED)
      out.push_back(proto::WireEnumName(d->value(i)));
  return out;
}

int UserAddCommand(const UserOptions& o) {
  if (!CheckId(o.id, "ID")) return kExitError;
  auto roles = ParseRoles(o.roles);
  if (!roles.ok()) {
    Fail(roles.status());
    return kExitError;
  }
  bool made = false;
  auto password = NewPasswordFor(o.password_stdin, made);
  if (!password.ok()) {
    Fail(password.status());
    return kExitError;
  }
  int exit = kExitError;
  auto b = Open(o.target, Access::kWriteMakingKey, ActorOr(o.actor), exit);
  if (!b) return exit;
  v1::Account a;
  a.set_id(o.id);
  a.set_name(o.name);
  for (v1::Role r : *roles) a.add_roles(r);
  a.set_municipality(o.municipality);
  a.set_location(o.location);
  a.set_staff_id(o.staff_id);
  auto created = b->CreateAccount(a, *password);
  if (!created.ok()) return Fail(created.status());
  const std::string done = "made account '" + created->id() + "' (" +
                           created->name() + "; roles " + RolesOf(*created) +
                           ")" + Where(o.target);
  if (made) {
    Err(done +
        "; its password is on standard output, shown this once and kept "
        "nowhere: hand it to its owner safely");
    Out(*password + "\n");
  } else {
    Out(done + ", with the password read from standard input\n");
  }
  return kExitOk;
}

int UserListCommand(const UserOptions& o) {
  int exit = kExitError;
  auto b = Open(o.target, Access::kRead, "", exit);
  if (!b) return exit;
  auto list = b->ListAccounts();
  if (!list.ok()) return Fail(list.status(), "", /*changes=*/false);
  std::vector<std::vector<std::string>> rows = {{"ID", "NAME", "ROLES",
                                                 "MUNICIPALITY", "STAFF ID",
                                                 "DISABLED", "PASSWORD"}};
  for (const auto& a : list->accounts())
    rows.push_back({a.id(), a.name(), OrDash(RolesOf(a)),
                    OrDash(a.municipality()), OrDash(a.staff_id()),
                    a.disabled() ? "yes" : "no",
                    a.password_set() ? "set" : "none"});
  PrintTable(rows);
  if (list->accounts().empty())
    Err("no accounts" + Where(o.target) + "; make one with " +
        Again(o.target, "user add ID --name NAME --role admin"));
  return kExitOk;
}

int UserDisableCommand(const UserOptions& o) {
  if (!CheckId(o.id, "ID")) return kExitError;
  int exit = kExitError;
  auto b = Open(o.target, Access::kWrite, ActorOr(o.actor), exit);
  if (!b) return exit;
  auto a = Fetch(*b, o.target, o.id, exit);
  if (!a) return exit;
  if (a->disabled()) {
    Out("account '" + o.id + "' is already disabled; nothing was changed\n");
    return kExitOk;
  }
  a->set_disabled(true);
  auto updated = b->UpdateAccount(*a);
  if (!updated.ok()) return Fail(updated.status());
  Out("disabled account '" + o.id + "'" + Where(o.target) +
      ": it cannot log in, and its sessions and API tokens have ended\n");
  return kExitOk;
}

int UserResetPasswordCommand(const UserOptions& o) {
  if (!CheckId(o.id, "ID")) return kExitError;
  bool made = false;
  auto password = NewPasswordFor(o.password_stdin, made);
  if (!password.ok()) {
    Fail(password.status());
    return kExitError;
  }
  int exit = kExitError;
  auto b = Open(o.target, Access::kWrite, ActorOr(o.actor), exit);
  if (!b) return exit;
  auto a = b->SetPassword(o.id, *password);
  if (!a.ok())
    return Fail(a.status(),
                a.status().code() == Code::kNotFound
                    ? "; " + Again(o.target, "user list") +
                          " lists the accounts, and " +
                          Again(o.target, "user add " + o.id +
                                              " --name NAME --role ROLE") +
                          " makes it"
                    : "");
  const std::string done =
      "set a new password for '" + o.id + "'" + Where(o.target) +
      "; its sessions have ended (its API tokens still "
      "work: " +
      Again(o.target, "token list --account " + o.id) + ")";
  if (made) {
    Err(done +
        "; the password is on standard output, shown this once and kept "
        "nowhere");
    Out(*password + "\n");
  } else {
    Out(done + "\n");
  }
  if (a->disabled())
    Err("note: account '" + o.id + "' is disabled, so it cannot log in yet");
  return kExitOk;
}

int UserRolesCommand(const UserOptions& o) {
  if (!CheckId(o.id, "ID")) return kExitError;
  auto roles = ParseRoles(o.roles);
  if (!roles.ok()) {
    Fail(roles.status());
    return kExitError;
  }
  int exit = kExitError;
  auto b = Open(o.target, Access::kWrite, ActorOr(o.actor), exit);
  if (!b) return exit;
  auto a = Fetch(*b, o.target, o.id, exit);
  if (!a) return exit;
  const std::string before = RolesOf(*a);
  a->clear_roles();
  bool employee = false, agent = false;
  for (v1::Role r : *roles) {
    a->add_roles(r);
    employee |= r == v1::ROLE_EMPLOYEE;
    agent |= r == v1::ROLE_AGENT || r == v1::ROLE_DISPATCHER;
  }
  // What the new roles need, given; what they do not take, dropped.
  // A usual place belongs to the municipality: it goes when that changes
  // or the account is no longer an employee.
  if (!o.municipality.empty() && o.municipality != a->municipality()) {
    a->set_municipality(o.municipality);
    a->clear_location();
  }
  if (!employee) {
    a->clear_municipality();
    a->clear_location();
  }
  if (!o.staff_id.empty()) a->set_staff_id(o.staff_id);
  if (!agent) a->clear_staff_id();
  auto updated = b->UpdateAccount(*a);
  if (!updated.ok()) return Fail(updated.status());
  Out("account '" + o.id + "'" + Where(o.target) + ": roles " + before +
      " -> " + RolesOf(*updated) +
      (updated->municipality().empty()
           ? ""
           : "; municipality " + updated->municipality()) +
      (updated->staff_id().empty() ? "" : "; staff id " + updated->staff_id()) +
      "; its sessions have ended (its API tokens now hold the new roles)\n");
  return kExitOk;
}

int TokenCreateCommand(const TokenOptions& o) {
  if (!CheckId(o.account, "--account")) return kExitError;
  int exit = kExitError;
  auto b = Open(o.target, Access::kWriteMakingKey, ActorOr(o.actor), exit);
  if (!b) return exit;
  v1::CreateTokenRequest request;
  request.set_account(o.account);
  request.set_name(o.name);
  request.set_days(o.days);
  auto made = b->CreateToken(request);
  if (!made.ok()) return Fail(made.status());
  const v1::Credential& c = made->credential();
  Err("made API token " + c.id() + " ('" + c.name() + "') acting as '" +
      c.account() + "'" + Where(o.target) + ", " +
      (c.has_expires_at() ? "valid until " + When(c.expires_at())
                          : std::string("never expiring")) +
      "; it is on standard output, shown this once and kept nowhere (send it "
      "as 'Authorization: Bearer <token>'; " +
      Again(o.target, "token revoke " + c.id()) + " ends it)");
  Out(made->token() + "\n");
  return kExitOk;
}

int TokenListCommand(const TokenOptions& o) {
  if (!o.account.empty() && !CheckId(o.account, "--account")) return kExitError;
  int exit = kExitError;
  auto b = Open(o.target, Access::kRead, "", exit);
  if (!b) return exit;
  auto list = b->ListCredentials(o.account);
  if (!list.ok()) return Fail(list.status(), "", /*changes=*/false);
  std::vector<std::vector<std::string>> rows = {
      {"ID", "ACCOUNT", "KIND", "NAME", "CREATED", "EXPIRES", "LAST USED"}};
  for (const auto& c : list->credentials())
    rows.push_back({c.id(), c.account(),
                    c.kind() == v1::CREDENTIAL_KIND_TOKEN ? "token" : "session",
                    OrDash(c.name()), When(c.created_at()),
                    c.has_expires_at() ? When(c.expires_at()) : "never",
                    When(c.last_used_at())});
  PrintTable(rows);
  return kExitOk;
}

int TokenRevokeCommand(const TokenOptions& o) {
  const bool plain =
      !o.id.empty() && o.id.size() <= 64 &&
      std::all_of(o.id.begin(), o.id.end(), [](char c) {
        return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-';
      });
  if (!plain) {
    Err("TOKEN_ID '" + o.id +
        "' is no token id (such as c-3f9a0c1d2e4b5a6f): give the id that "
        "helpdeskctl token list shows, never the token itself");
    return kExitError;
  }
  int exit = kExitError;
  auto b = Open(o.target, Access::kWrite, ActorOr(o.actor), exit);
  if (!b) return exit;
  auto revoked = b->Revoke(o.id);
  if (!revoked.ok())
    return Fail(revoked.status(),
                revoked.status().code() == Code::kNotFound
                    ? "; " + Again(o.target, "token list") + " lists them"
                    : "");
  Out("revoked " +
      std::string(revoked->kind() == v1::CREDENTIAL_KIND_TOKEN ? "API token"
                                                               : "session") +
      " " + revoked->id() +
      (revoked->name().empty() ? "" : " ('" + revoked->name() + "')") +
      " of '" + revoked->account() + "'" + Where(o.target) + "\n");
  return kExitOk;
}

}  // namespace helpdesk::ctl
