#pragma once
// Racing clients for tests of optimistic concurrency: `n` requests sent at
// once, each on its own connection opened (and proven open) beforehand, so
// they reach the daemon together. Not thread-safe: one test thread calls.

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace helpdesk::testing {

// Sends `method target` with the JSON body `body(i)` from client i, for i
// in [0, n); returns the HTTP status each got, by i (0 for no answer).
std::vector<int> Race(uint16_t port, int n, const std::string& method,
                      const std::string& target,
                      const std::function<std::string(int)>& body);

}  // namespace helpdesk::testing
