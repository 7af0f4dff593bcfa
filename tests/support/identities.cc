#include "tests/support/identities.h"

#include <fstream>
#include <sstream>
#include <stdexcept>

#include "tests/support/http_client.h"

namespace helpdesk::testing {
namespace {

// The one string field `name` of a flat JSON answer (no JSON library in
// the support library's public face).
std::string Field(const std::string& json, const std::string& name) {
  const std::string key = "\"" + name + "\":\"";
  const size_t at = json.find(key);
  if (at == std::string::npos) return "";
  const size_t start = at + key.size();
  return json.substr(start, json.find('"', start) - start);
}

constexpr char kTestPassword[] = "testpassord-som-er-langt";

}  // namespace

std::map<std::string, std::string> Identities::Passwords() const {
  std::map<std::string, std::string> out;
  std::ifstream in(data_dir_ + "/" + kFile);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty() || line[0] == '#') continue;
    std::istringstream fields(line);
    std::string account, roles, password;
    if (std::getline(fields, account, '\t') &&
        std::getline(fields, roles, '\t') && std::getline(fields, password))
      out[account] = password;
  }
  return out;
}

std::string Identities::Login(const std::string& account,
                              const std::string& password) {
  HttpClient client(port_);
  HttpResponse r = client.Post(
      "/api/v1/session",
      "{\"account\":\"" + account + "\",\"password\":\"" + password + "\"}");
  if (r.status != 201)
    throw std::runtime_error("login of " + account + " failed: " +
                             std::to_string(r.status) + " " + r.error + r.body);
  return Field(r.body, "token");
}

void Identities::Make(const std::string& account, const std::string& body) {
  if (made_.count(account)) return;
  HttpClient client(port_);
  HttpResponse r = client.Post("/api/v1/accounts", body,
                               {{"Authorization", "Bearer " + Token("admin")}});
  if (r.status != 201 && r.status != 409)
    throw std::runtime_error("making account " + account + " failed: " +
                             std::to_string(r.status) + " " + r.body);
  made_[account] = kTestPassword;
}

std::string Identities::Token(const std::string& account) {
  if (auto it = tokens_.find(account); it != tokens_.end()) return it->second;
  const auto passwords = Passwords();
  std::string password;
  if (auto it = passwords.find(account); it != passwords.end()) {
    password = it->second;
  } else {
    Make(account, "{\"id\":\"" + account + "\",\"name\":\"" + account +
                      "\",\"roles\":[\"admin\",\"dispatcher\",\"agent\"],"
                      "\"password\":\"" +
                      kTestPassword + "\"}");
    password = kTestPassword;
  }
  return tokens_[account] = Login(account, password);
}

std::map<std::string, std::string> Identities::As(const std::string& account) {
  return {{"Authorization", "Bearer " + Token(account)}};
}

void Identities::Employee(const std::string& account,
                          const std::string& municipality) {
  Make(account, "{\"id\":\"" + account + "\",\"name\":\"" + account +
                    "\",\"roles\":[\"employee\"],\"municipality\":\"" +
                    municipality + "\",\"password\":\"" + kTestPassword +
                    "\"}");
}

}  // namespace helpdesk::testing
