#include "daemon/auth/secrets.h"

#include <sodium.h>

#include <array>

namespace helpdesk::auth {
namespace {

struct Limits {
  unsigned long long ops;
  size_t mem;
};

Limits LimitsOf(PasswordCost cost) {
  switch (cost) {
    case PasswordCost::kMinimum:
      return {crypto_pwhash_OPSLIMIT_MIN, crypto_pwhash_MEMLIMIT_MIN};
    case PasswordCost::kModerate:
      return {crypto_pwhash_OPSLIMIT_MODERATE, crypto_pwhash_MEMLIMIT_MODERATE};
    case PasswordCost::kInteractive:
      break;
  }
  return {crypto_pwhash_OPSLIMIT_INTERACTIVE,
          crypto_pwhash_MEMLIMIT_INTERACTIVE};
}

std::string Base64Url(const unsigned char* bytes, size_t n) {
  std::string out(
      sodium_base64_encoded_len(n, sodium_base64_VARIANT_URLSAFE_NO_PADDING),
      '\0');
  sodium_bin2base64(out.data(), out.size(), bytes, n,
                    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
  out.resize(out.find('\0'));
  return out;
}

std::string KeyedHash(std::string_view key, std::string_view context,
                      std::string_view data) {
  std::array<unsigned char, crypto_generichash_BYTES> out{};
  crypto_generichash_state state;
  crypto_generichash_init(&state,
                          reinterpret_cast<const unsigned char*>(key.data()),
                          key.size(), out.size());
  // The context keeps a CSRF token from ever equalling a stored hash.
  crypto_generichash_update(
      &state, reinterpret_cast<const unsigned char*>(context.data()),
      context.size());
  crypto_generichash_update(
      &state, reinterpret_cast<const unsigned char*>(data.data()), data.size());
  crypto_generichash_final(&state, out.data(), out.size());
  return std::string(reinterpret_cast<const char*>(out.data()), out.size());
}

}  // namespace

Status Init() {
  if (sodium_init() < 0)
    return Status::Internal("libsodium could not start (no randomness?)");
  return Status::Ok();
}

StatusOr<PasswordCost> ParsePasswordCost(std::string_view name) {
  if (name == "interactive") return PasswordCost::kInteractive;
  if (name == "moderate") return PasswordCost::kModerate;
  if (name == "minimum") return PasswordCost::kMinimum;
  return Status::InvalidParameter(
      "password_cost",
      "password_cost must be interactive (the default), moderate, or minimum "
      "(tests only: it protects nothing)");
}

Status CheckPassword(std::string_view password, std::string_view field) {
  if (password.size() >= kMinPasswordBytes &&
      password.size() <= kMaxPasswordBytes)
    return Status::Ok();
  return Status::InvalidField(
      std::string(field),
      "a password must be 12 to 1024 bytes; a few ordinary words in a row "
      "make a good one");
}

StatusOr<std::string> HashPassword(std::string_view password,
                                   PasswordCost cost) {
  const Limits l = LimitsOf(cost);
  std::array<char, crypto_pwhash_STRBYTES> out{};
  if (crypto_pwhash_str_alg(out.data(), password.data(), password.size(), l.ops,
                            l.mem, crypto_pwhash_ALG_ARGON2ID13) != 0)
    return Status::Internal("out of memory hashing a password");
  return std::string(out.data());
}

bool VerifyPassword(std::string_view hash, std::string_view password) {
  // crypto_pwhash_str_verify reads a NUL-terminated string.
  if (hash.empty() || hash.size() >= crypto_pwhash_STRBYTES) return false;
  const std::string terminated(hash);
  return crypto_pwhash_str_verify(terminated.c_str(), password.data(),
                                  password.size()) == 0;
}

bool NeedsRehash(std::string_view hash, PasswordCost cost) {
  const Limits l = LimitsOf(cost);
  const std::string terminated(hash);
  return crypto_pwhash_str_needs_rehash(terminated.c_str(), l.ops, l.mem) != 0;
}

std::string NewPassword() {
  // No 0/O, 1/l/I: read off a file and typed in.
  static constexpr std::string_view kAlphabet =
      "abcdefghijkmnopqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
  std::string out;
  for (int i = 0; i < 20; ++i)
    out +=
        kAlphabet[randombytes_uniform(static_cast<uint32_t>(kAlphabet.size()))];
  return out;
}

std::string NewHashKey() {
  std::array<unsigned char, kHashKeyBytes> key{};
  randombytes_buf(key.data(), key.size());
  return std::string(reinterpret_cast<const char*>(key.data()), key.size());
}

std::string NewSecret(std::string_view prefix) {
  std::array<unsigned char, 32> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  return std::string(prefix) + Base64Url(bytes.data(), bytes.size());
}

std::string NewCredentialId() {
  std::array<unsigned char, 8> bytes{};
  randombytes_buf(bytes.data(), bytes.size());
  std::array<char, 17> hex{};
  sodium_bin2hex(hex.data(), hex.size(), bytes.data(), bytes.size());
  return "c-" + std::string(hex.data());
}

std::string SecretHash(std::string_view key, std::string_view secret) {
  return KeyedHash(key, "secret:", secret);
}

std::string CsrfToken(std::string_view key, std::string_view secret) {
  const std::string h = KeyedHash(key, "csrf:", secret);
  return Base64Url(reinterpret_cast<const unsigned char*>(h.data()), h.size());
}

bool ConstantTimeEquals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

}  // namespace helpdesk::auth
