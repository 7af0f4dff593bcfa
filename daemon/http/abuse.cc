#include "daemon/http/abuse.h"

#include <algorithm>
#include <cmath>
#include <functional>
#include <vector>

namespace helpdesk::http {
namespace {

using Clock = AbuseLimits::Clock;

constexpr std::chrono::seconds kMaxDelay{15 * 60};

size_t ShardOf(std::string_view key, size_t shards) {
  return std::hash<std::string_view>{}(key) % shards;
}

uint64_t SecondsUntil(Clock::time_point then, Clock::time_point now) {
  if (then <= now) return 0;
  const auto ms =
      std::chrono::duration_cast<std::chrono::milliseconds>(then - now).count();
  return static_cast<uint64_t>((ms + 999) / 1000);
}

// Keeps a map within its share of kMaxTracked: forgets the entries idle
// longest (their `last` oldest) first, down to three quarters.
template <typename Map, typename LastOf>
void Bound(Map& map, size_t cap, LastOf last_of) {
  if (map.size() < cap) return;
  std::vector<Clock::time_point> times;
  times.reserve(map.size());
  for (const auto& [key, value] : map) times.push_back(last_of(value));
  const size_t keep = cap * 3 / 4;
  std::nth_element(times.begin(), times.end() - keep, times.end());
  const Clock::time_point cut = *(times.end() - keep);
  std::erase_if(map, [&](const auto& kv) { return last_of(kv.second) < cut; });
}

}  // namespace

uint64_t AbuseLimits::Take(Sharded<Bucket>& buckets, std::string_view key,
                           double rate, Clock::time_point now) {
  if (rate <= 0 || key.empty()) return 0;
  const double capacity = std::max(1.0, rate * options_.burst_seconds);
  Shard<Bucket>& shard = buckets[ShardOf(key, kShards)];
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(std::string(key));
  if (it == shard.map.end()) {
    Bound(shard.map, kMaxTracked / kShards,
          [](const Bucket& b) { return b.at; });
    it = shard.map.emplace(std::string(key), Bucket{}).first;
  }
  Bucket& b = it->second;
  if (b.fresh) {
    b = {capacity, now, false};
  } else {
    const double elapsed = std::chrono::duration<double>(now - b.at).count();
    b.tokens = std::min(capacity, b.tokens + std::max(0.0, elapsed) * rate);
    b.at = now;
  }
  if (b.tokens >= 1) {
    b.tokens -= 1;
    return 0;
  }
  return std::max<uint64_t>(
      1, static_cast<uint64_t>(std::ceil((1 - b.tokens) / rate)));
}

uint64_t AbuseLimits::TakeAccount(std::string_view account,
                                  Clock::time_point now) {
  return Take(accounts_, account, options_.account_per_second, now);
}

uint64_t AbuseLimits::TakeAddress(std::string_view address,
                                  Clock::time_point now) {
  return Take(addresses_, address, options_.address_per_second, now);
}

uint64_t AbuseLimits::Wait(Sharded<Failures>& failures, std::string_view key,
                           Clock::time_point now) {
  Shard<Failures>& shard = failures[ShardOf(key, kShards)];
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(std::string(key));
  return it == shard.map.end() ? 0 : SecondsUntil(it->second.until, now);
}

void AbuseLimits::Fail(Sharded<Failures>& failures, std::string_view key,
                       int free, Clock::time_point now) {
  Shard<Failures>& shard = failures[ShardOf(key, kShards)];
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(std::string(key));
  if (it == shard.map.end()) {
    Bound(shard.map, kMaxTracked / kShards,
          [](const Failures& f) { return f.last; });
    it = shard.map.emplace(std::string(key), Failures{}).first;
  }
  Failures& f = it->second;
  f.count += 1;
  f.last = now;
  if (f.count < free) return;
  // 1 s after the free ones, doubling, at most kMaxDelay.
  const int doublings = std::min(f.count - free, 20);
  const auto delay = std::min<std::chrono::seconds>(
      std::chrono::seconds(int64_t{1} << doublings), kMaxDelay);
  f.until = now + delay;
}

uint64_t AbuseLimits::LoginAttempt(std::string_view account,
                                   std::string_view address,
                                   Clock::time_point now) {
  const uint64_t wait =
      std::max(account.empty() ? 0 : Wait(login_accounts_, account, now),
               address.empty() ? 0 : Wait(login_addresses_, address, now));
  if (wait > 0) return wait;
  if (!account.empty()) Fail(login_accounts_, account, kFreeFailures, now);
  if (!address.empty()) Fail(login_addresses_, address, kFreeFailures * 4, now);
  return 0;
}

void AbuseLimits::LoginSucceeded(std::string_view account,
                                 std::string_view address) {
  if (!account.empty()) {
    Shard<Failures>& shard = login_accounts_[ShardOf(account, kShards)];
    std::lock_guard lock(shard.mu);
    shard.map.erase(std::string(account));
  }
  if (address.empty()) return;
  Shard<Failures>& shard = login_addresses_[ShardOf(address, kShards)];
  std::lock_guard lock(shard.mu);
  auto it = shard.map.find(std::string(address));
  if (it == shard.map.end()) return;
  // This attempt was no failure after all: its own count goes, no more.
  Failures& f = it->second;
  f.count = std::max(0, f.count - 1);
  if (f.count < kFreeFailures * 4) f.until = {};
}

}  // namespace helpdesk::http
