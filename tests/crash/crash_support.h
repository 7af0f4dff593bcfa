#pragma once
// What the kill -9 tests share: the instant their daemons start at, the
// demo region's municipalities, and the seed of a run's random choices.
// Header-only; test-only.

#include <cstdint>
#include <cstdlib>
#include <random>

namespace helpdesk::testing {

// Wednesday 15 April 2026, 10:00 in Oslo: remote support finds someone at
// work.
inline constexpr char kClockStart[] = "2026-04-15T08:00:00Z";
inline const char* const kMunicipalities[] = {
    "kongsberg", "notodden", "nore-og-uvdal", "flesberg",
    "rollag",    "tinn",     "hjartdal"};

// HELPDESK_CRASH_SEED replays a run; else a fresh one, which the test
// prints.
inline uint32_t CrashSeed() {
  if (const char* s = std::getenv("HELPDESK_CRASH_SEED"))
    return static_cast<uint32_t>(std::strtoul(s, nullptr, 10));
  return std::random_device{}();
}

}  // namespace helpdesk::testing
