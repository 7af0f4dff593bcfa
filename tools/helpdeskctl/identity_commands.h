#pragma once
// `helpdeskctl user add|list|disable|reset-password|roles` and
// `helpdeskctl token create|list|revoke`: accounts and API tokens, through
// a running daemon's admin API (--url, as the account of $HELPDESK_TOKEN)
// or in a stopped daemon's data directory (--data-dir: the way back in for
// an admin who lost every password). Each returns the process exit code
// (catalogue_commands.h: 0 done; 1 refused, nothing was changed; 2 usage,
// I/O or connection error) and writes its own messages.
//
// A secret made here (a new password, a new token) is shown once: it alone
// on standard output, what was done on standard error, so that
// `PW=$(helpdeskctl user add ...)` keeps just the secret. A password is
// never an argument (the process list shows those): it is made here, or
// read from standard input with --password-stdin. Not thread-safe (one
// command per process).

#include <cstdint>
#include <string>
#include <vector>

#include "tools/helpdeskctl/catalogue_commands.h"

namespace helpdesk::ctl {

struct UserOptions {
  Target target;
  std::string id;                  // the account
  std::string name;                // add
  std::vector<std::string> roles;  // add, roles: wire names ("agent")
  std::string municipality;        // add
  std::string location;            // add: an employee's usual place
  std::string staff_id;            // add
  bool password_stdin = false;     // add, reset-password
  std::string actor;               // offline changes; empty: $USER ...
};

int UserAddCommand(const UserOptions& o);
int UserListCommand(const UserOptions& o);
int UserDisableCommand(const UserOptions& o);
int UserResetPasswordCommand(const UserOptions& o);
int UserRolesCommand(const UserOptions& o);

struct TokenOptions {
  Target target;
  std::string account;  // create; list: "" for every account
  std::string name;     // create
  uint32_t days = 0;    // create: 0 never expires
  std::string id;       // revoke
  std::string actor;    // offline changes; empty: $USER ...
};

int TokenCreateCommand(const TokenOptions& o);
int TokenListCommand(const TokenOptions& o);
int TokenRevokeCommand(const TokenOptions& o);

// The role names a client may give: "employee, agent, ...", and as a list.
std::string RoleChoices();
std::vector<std::string> RoleNames();

}  // namespace helpdesk::ctl
