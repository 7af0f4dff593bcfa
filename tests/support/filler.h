#pragma once
// Text that does not compress. The store packs its ticket and event
// records (daemon/store/packing.h), and packs a run of one letter to a few
// bytes: a test that fills a map or a disk with descriptions needs bytes
// that stay bytes.

#include <cstddef>
#include <cstdint>
#include <string>

namespace helpdesk::testing {

// `n` letters, digits, '-' and '_' drawn by a fixed generator from `seed`:
// six bits a byte, which packing keeps to about three quarters.
inline std::string Incompressible(size_t n, uint64_t seed = 1) {
  static constexpr char kSymbols[] =
      "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_";
  std::string out(n, ' ');
  uint64_t x = seed * 0x9e3779b97f4a7c15ull + 1;
  for (char& c : out) {
    x ^= x << 13;  // xorshift64
    x ^= x >> 7;
    x ^= x << 17;
    c = kSymbols[x >> 58];
  }
  return out;
}

}  // namespace helpdesk::testing
