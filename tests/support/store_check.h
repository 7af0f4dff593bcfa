#pragma once
// The store's consistency checker (daemon/store/consistency.h) on a data
// directory, for tests: safe while the daemon runs (one read transaction).
// Not thread-safe.

#include <string>

namespace helpdesk::testing {

// "" when every record reads and the derived indexes agree with the
// tickets; else every problem, one a line.
std::string StoreProblems(const std::string& data_dir);

}  // namespace helpdesk::testing
