#pragma once
// Who a request is: the account behind its credential and the roles that
// account holds, as one small value the route table and the desk's rules
// read (README, "Accounts and roles"). Plain values; any thread.

#include <cstdint>
#include <string>
#include <string_view>

#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::auth {

// Roles as bits, so a route names who may call it in one value.
using Roles = uint8_t;
inline constexpr Roles kEmployee = 1 << 0;
inline constexpr Roles kAgent = 1 << 1;
inline constexpr Roles kDispatcher = 1 << 2;
inline constexpr Roles kAdmin = 1 << 3;
inline constexpr Roles kDashboard = 1 << 4;
// Any account that is logged in, whatever its roles.
inline constexpr Roles kAnyAccount =
    kEmployee | kAgent | kDispatcher | kAdmin | kDashboard;
// Not a role: the route needs no credential at all (/healthz, the login).
inline constexpr Roles kPublic = 1 << 7;

Roles RoleBit(v1::Role role);
// "employee, agent": the roles of `roles` in words, for problems.
std::string RoleNames(Roles roles);

struct Principal {
  std::string account;  // the account id: every event's actor
  std::string name;
  // As held, plus what they imply: a dispatcher is an agent too.
  Roles roles = 0;
  std::string municipality;  // an employee's
  std::string staff_id;      // an agent's staff record; "" when none
  std::string credential;    // the id of the session or token used
  bool by_cookie = false;    // authenticated by the session cookie
  // The request being served: what the audit of a read records.
  std::string client_address;
  std::string request_id;

  bool Has(Roles r) const { return (roles & r) != 0; }
  // IT staff: an agent (or dispatcher), who sees the whole region.
  bool IsStaff() const { return Has(kAgent); }
  bool IsEmployeeOnly() const { return !IsStaff() && Has(kEmployee); }
};

// The principal of `account` (its roles with what they imply).
Principal PrincipalOf(const v1::Account& account);

// The system's own principal: a sweep, the first start, helpdeskctl
// offline. Holds every role.
Principal System(std::string name);

// An account id: 1 to 64 of lowercase letters, digits, '.', '-', '_' and
// '@', starting with a letter or digit (staff ids are account ids).
bool IsAccountId(std::string_view id);

// Checks an account as an admin gives it: its id, name, roles (one at
// least), an employee's municipality (one of the region's) and usual place
// (one of that municipality's locations), an agent's staff link. A field
// problem names the field.
Status ValidateAccount(const v1::Account& account, const v1::Region& region);

}  // namespace helpdesk::auth
