#include "daemon/auth/principal.h"

#include <algorithm>

#include "proto/wire_names.h"

namespace helpdesk::auth {

Roles RoleBit(v1::Role role) {
  switch (role) {
    case v1::ROLE_EMPLOYEE:
      return kEmployee;
    case v1::ROLE_AGENT:
      return kAgent;
    case v1::ROLE_DISPATCHER:
      return kDispatcher;
    case v1::ROLE_ADMIN:
      return kAdmin;
    case v1::ROLE_DASHBOARD:
      return kDashboard;
    default:
      return 0;
  }
}

std::string RoleNames(Roles roles) {
  std::string out;
  for (int r = v1::ROLE_EMPLOYEE; r <= v1::ROLE_DASHBOARD; ++r) {
    const auto role = static_cast<v1::Role>(r);
    if ((roles & RoleBit(role)) == 0) continue;
    if (!out.empty()) out += ", ";
    out += proto::WireName(role);
  }
  return out;
}

Principal PrincipalOf(const v1::Account& account) {
  Principal p;
  p.account = account.id();
  p.name = account.name();
  for (int r : account.roles()) p.roles |= RoleBit(static_cast<v1::Role>(r));
  if (p.roles & kDispatcher) p.roles |= kAgent;
  p.municipality = account.municipality();
  p.staff_id = account.staff_id();
  return p;
}

Principal System(std::string name) {
  Principal p;
  p.account = std::move(name);
  p.roles = kAnyAccount;
  return p;
}

bool IsAccountId(std::string_view id) {
  if (id.empty() || id.size() > 64) return false;
  auto plain = [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
  };
  if (!plain(id.front())) return false;
  return std::all_of(id.begin(), id.end(), [&](char c) {
    return plain(c) || c == '.' || c == '-' || c == '_' || c == '@';
  });
}

Status ValidateAccount(const v1::Account& a, const v1::Region& region) {
  std::vector<std::string> municipalities;
  const v1::Municipality* own = nullptr;
  for (const auto& m : region.municipalities()) {
    municipalities.push_back(m.id());
    if (m.id() == a.municipality()) own = &m;
  }
  std::vector<FieldError> errors;
  if (!IsAccountId(a.id()))
    errors.push_back({"id",
                      "'id' must be 1 to 64 lowercase letters, digits, '.', "
                      "'-', '_' or '@', starting with a letter or digit, such "
                      "as 'kari.haugen'"});
  if (a.name().empty() || a.name().size() > 200)
    errors.push_back({"name",
                      "'name' is required: the person's or the "
                      "screen's name, at most 200 bytes"});
  Roles roles = 0;
  for (int r : a.roles()) roles |= RoleBit(static_cast<v1::Role>(r));
  if (roles == 0)
    errors.push_back(
        {"roles", "'roles' needs one role at least, of " +
                      proto::WireEnumChoices(v1::Role_descriptor())});
  const bool employee = (roles & kEmployee) != 0;
  if (employee && std::find(municipalities.begin(), municipalities.end(),
                            a.municipality()) == municipalities.end())
    errors.push_back({"municipality",
                      "an employee belongs to one municipality: give "
                      "'municipality' as one of the region's ids"});
  if (!employee && !a.municipality().empty())
    errors.push_back({"municipality",
                      "only an employee belongs to a municipality; leave "
                      "'municipality' out for staff, admins and screens"});
  if (!a.location().empty() && own != nullptr &&
      std::none_of(
          own->locations().begin(), own->locations().end(),
          [&](const v1::Location& l) { return l.id() == a.location(); })) {
    std::string known;
    for (const auto& l : own->locations())
      known += (known.empty() ? "" : ", ") + l.id();
    errors.push_back({"location",
                      "'location' is the employee's usual place, "
                      "one of " +
                          own->name() + "'s: " + known});
  }
  if (!a.location().empty() && !employee)
    errors.push_back({"location",
                      "only an employee has a usual place; leave 'location' "
                      "out for staff, admins and screens"});
  if (!a.staff_id().empty() && (roles & (kAgent | kDispatcher)) == 0)
    errors.push_back({"staffId",
                      "'staffId' links an agent to their staff record; give "
                      "the account the agent role or leave it out"});
  if (a.has_password_hash())
    errors.push_back({"passwordHash",
                      "a password is set with POST "
                      "/api/v1/accounts/{id}/password, never as a hash"});
  if (errors.empty()) return Status::Ok();
  std::string detail = errors.front().detail;
  if (errors.size() > 1)
    detail += " (and " + std::to_string(errors.size() - 1) + " more)";
  for (auto& e : errors) e.pointer = "/" + e.pointer;
  return Status::Invalid(std::move(detail), std::move(errors));
}

}  // namespace helpdesk::auth
