#pragma once
// The secrets of identity, on libsodium:
// - passwords hashed with argon2id (crypto_pwhash_str: the parameters and a
//   random salt travel in the stored string, so a hash made at another
//   cost still verifies, and NeedsRehash says when to renew it);
// - session and token secrets: 256 random bits, shown to their owner once
//   and stored only as a keyed BLAKE2b hash (a fast keyed hash is right for
//   random secrets; argon2id is for what people choose);
// - the CSRF token of a cookie session, derived from its secret with the
//   same key, so it needs no storage of its own.
// Thread-safety: every function is safe from any number of threads once
// Init has returned ok (main calls it before any thread starts).

#include <string>
#include <string_view>

#include "proto/status.h"

namespace helpdesk::auth {

// libsodium's own start-up; fails only when the system has no randomness.
Status Init();

// How hard a password hash is to compute. kInteractive is libsodium's
// INTERACTIVE limits (64 MiB, 2 passes: tens of ms per login), the default;
// kModerate is 256 MiB and 3 passes; kMinimum (8 KiB, 1 pass) protects
// nothing and exists for tests, which hash dozens of demo passwords per
// daemon they start.
enum class PasswordCost { kMinimum, kInteractive, kModerate };

// "interactive" -> kInteractive; kInvalidParameter naming the choices.
StatusOr<PasswordCost> ParsePasswordCost(std::string_view name);

inline constexpr size_t kMinPasswordBytes = 12;
inline constexpr size_t kMaxPasswordBytes = 1024;

// A password's rules as a field problem of `field`: 12 to 1024 bytes.
Status CheckPassword(std::string_view password, std::string_view field);

// The argon2id hash of `password` at `cost`, as a string to store.
// kInternal when the memory for it cannot be had.
StatusOr<std::string> HashPassword(std::string_view password,
                                   PasswordCost cost);
// Whether `password` matches `hash` (false for a malformed hash).
bool VerifyPassword(std::string_view hash, std::string_view password);
// Whether `hash` was made at another cost than `cost` (renew it at login).
bool NeedsRehash(std::string_view hash, PasswordCost cost);

// A password made for a person to type once and change: 20 characters
// from an alphabet without look-alikes (about 112 bits).
std::string NewPassword();

// The keyed hash's key: 32 random bytes (kept in the database's meta).
std::string NewHashKey();
inline constexpr size_t kHashKeyBytes = 32;

// A new secret: `prefix` ("hds_" for a session, "hdt_" for a token) and
// 256 random bits in base64url.
std::string NewSecret(std::string_view prefix);
// A short random id naming a credential in lists ("c-" and 16 hex digits).
std::string NewCredentialId();

// The keyed hash a secret is stored under (32 raw bytes).
std::string SecretHash(std::string_view key, std::string_view secret);
// The CSRF token of a cookie session's secret (base64url).
std::string CsrfToken(std::string_view key, std::string_view secret);
// Compares in time independent of where they differ.
bool ConstantTimeEquals(std::string_view a, std::string_view b);

}  // namespace helpdesk::auth
