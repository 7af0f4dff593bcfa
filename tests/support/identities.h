#pragma once
// The accounts of a test daemon, and bearer tokens for them. A daemon's
// first start writes its accounts' passwords to an owner-only file in the
// data directory; Token() logs in with them (POST /api/v1/session, as a
// client would). A name that is no account there is made on first use by
// the admin (POST /api/v1/accounts), as an account holding the admin,
// dispatcher and agent roles, linked to no staff record: the "desk" that
// tests which predate logins act as. Employee() makes an employee instead.
// Not thread-safe: one test thread uses it.

#include <cstdint>
#include <map>
#include <string>

namespace helpdesk::testing {

class Identities {
 public:
  Identities(std::string data_dir, uint16_t port)
      : data_dir_(std::move(data_dir)), port_(port) {}

  // A session token of `account` (made first when not a demo account).
  std::string Token(const std::string& account);
  // {"Authorization": "Bearer <token>"} for `account`.
  std::map<std::string, std::string> As(const std::string& account);
  // Makes `account` an employee of `municipality` (if not made yet).
  void Employee(const std::string& account, const std::string& municipality);
  // The first-start file: account -> password ("" when unreadable).
  std::map<std::string, std::string> Passwords() const;
  // After a restart: the port changes, sessions stay valid.
  void set_port(uint16_t port) { port_ = port; }

  static constexpr char kFile[] = "first-start-credentials.txt";

 private:
  std::string Login(const std::string& account, const std::string& password);
  void Make(const std::string& account, const std::string& body);

  std::string data_dir_;
  uint16_t port_;
  std::map<std::string, std::string> tokens_;
  std::map<std::string, std::string> made_;  // account -> password
};

}  // namespace helpdesk::testing
