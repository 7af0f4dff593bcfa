#pragma once
// Damaged records, planted directly with LMDB in a stopped daemon's data
// directory: what an older build (or a damaged file) left behind, for the
// tests of a store and a desk that must keep working around them.
// Not thread-safe; the daemon must not be running.

#include <cstddef>
#include <map>
#include <string>
#include <string_view>

#include "proto/status.h"

namespace helpdesk::testing {

// In every value of the tickets, events, catalogue, staff and
// municipalities tables, each occurrence of `marker` gets 0xff as its last
// byte: a string that is not valid UTF-8, which protobuf then refuses to
// parse. The wire format stays intact (same length). Returns how many
// records changed, per table.
StatusOr<std::map<std::string, size_t>> PlantInvalidUtf8(
    const std::string& data_dir, std::string_view marker);

// Puts `value` under `key` in `table` as is (bytes that may not parse).
Status PlantRaw(const std::string& data_dir, const std::string& table,
                std::string_view key, std::string_view value);

}  // namespace helpdesk::testing
