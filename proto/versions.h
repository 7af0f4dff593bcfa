#pragma once
// Optimistic concurrency, the same for every record a client edits
// (tickets, staff records, the vakt rota, catalogue entries): a change
// names the version it was based on, in an If-Match header or the body's
// `version`, and If-Match wins. Pure; any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "proto/status.h"

namespace helpdesk::proto {

// The version a change of `what` ("the ticket", "service 'vpn'") is based
// on; kVersionRequired when neither `if_match` nor `body_version` (0: not
// given) says. `current`, when given, is named in the message as a hint.
inline StatusOr<uint32_t> BaseVersion(
    uint32_t body_version, std::optional<uint32_t> if_match,
    std::string_view what, std::optional<uint32_t> current = std::nullopt) {
  if (if_match) return *if_match;
  if (body_version != 0) return body_version;
  std::string hint;
  if (current)
    hint = " (it is at version " + std::to_string(*current) + ": If-Match: \"" +
           std::to_string(*current) + "\")";
  return Status::VersionRequired(
      "say which version of " + std::string(what) +
      " you changed: send its 'version' in the body or an If-Match header "
      "with its ETag" +
      hint);
}

}  // namespace helpdesk::proto
