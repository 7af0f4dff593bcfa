#pragma once
// Abuse limits at the edge (README, "Limits"): how fast one account and
// one client address may send requests, and how logins slow down after
// failures, per account named and per address.
//
// - Requests: a token bucket per account and one per address (a whole
//   town hall may sit behind one address, so that one is wider). Empty:
//   429 with the seconds until the next token.
// - Logins: after kFreeFailures failed logins to an account, or
//   kFreeFailures * 4 from an address, each further attempt waits a delay
//   that doubles per failure, 1 s up to 15 min, whatever the password.
//   An attempt counts as failed from the moment it is let through (so
//   guesses sent at once all count, however long each takes to check);
//   a success then clears the account's count and takes back only its own
//   count from the address (one account that logs in cannot reset an
//   address that sprays guesses at others).
//
// In memory only: a restart forgets it (it protects against a burst, not
// a history). Bounded: at most kMaxTracked keys of each kind; beyond that
// the idlest are forgotten first.
//
// Thread-safety: every method is safe from any number of threads; each
// key's state lives in one of kShards mutex-guarded maps.

#include <array>
#include <chrono>
#include <cstdint>
#include <mutex>
#include <string>
#include <string_view>
#include <unordered_map>

namespace helpdesk::http {

class AbuseLimits {
 public:
  using Clock = std::chrono::steady_clock;
  struct Options {
    double account_per_second = 20;  // 0: no limit
    double address_per_second = 200;
    double burst_seconds = 10;  // a bucket holds this many seconds' worth
  };
  static constexpr int kFreeFailures = 5;
  static constexpr size_t kMaxTracked = 100000;

  explicit AbuseLimits(Options options) : options_(options) {}
  AbuseLimits(const AbuseLimits&) = delete;
  AbuseLimits& operator=(const AbuseLimits&) = delete;

  // 0 when a request may go; else the seconds to wait (for Retry-After).
  uint64_t TakeAccount(std::string_view account, Clock::time_point now);
  uint64_t TakeAddress(std::string_view address, Clock::time_point now);

  // 0 when a login may be tried now, and then it counts as failed until
  // LoginSucceeded says otherwise; else the seconds to wait. An empty
  // account or address is not tracked.
  uint64_t LoginAttempt(std::string_view account, std::string_view address,
                        Clock::time_point now);
  void LoginSucceeded(std::string_view account, std::string_view address);

 private:
  struct Bucket {
    double tokens = 0;
    Clock::time_point at{};
    bool fresh = true;
  };
  struct Failures {
    int count = 0;
    Clock::time_point until{};  // no attempt before this
    Clock::time_point last{};
  };
  template <typename V>
  struct Shard {
    std::mutex mu;
    std::unordered_map<std::string, V> map;  // guarded by mu
  };
  static constexpr size_t kShards = 16;
  template <typename V>
  using Sharded = std::array<Shard<V>, kShards>;

  uint64_t Take(Sharded<Bucket>& buckets, std::string_view key, double rate,
                Clock::time_point now);
  uint64_t Wait(Sharded<Failures>& failures, std::string_view key,
                Clock::time_point now);
  void Fail(Sharded<Failures>& failures, std::string_view key, int free,
            Clock::time_point now);

  const Options options_;
  Sharded<Bucket> accounts_, addresses_;
  Sharded<Failures> login_accounts_, login_addresses_;
};

}  // namespace helpdesk::http
