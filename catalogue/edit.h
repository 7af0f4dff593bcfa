#pragma once
// Changes to the catalogue as pure decisions: the current catalogue and a
// request in, the whole catalogue after the change and the event body that
// records it out, or why not. The store writes what changed; nothing here
// touches it. Versions: the catalogue's goes up by one per change that
// changes anything, each entry's by one when that entry changes.
// Pure; any thread.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "catalogue/catalogue.h"
#include "proto/helpdesk.pb.h"
#include "proto/status.h"

namespace helpdesk::catalogue {

struct EditResult {
  // Why not, when refused: kInvalidField (every problem in errors(), as
  // JSON pointers into the request body), kNotFound, kAlreadyExists,
  // kVersionRequired, kVersionConflict (with the current version) or
  // kIllegalTransition (retire a retired service, reactivate an active
  // one).
  Status status;

  v1::Catalogue after;          // the whole catalogue after the change
  v1::CatalogueChanged change;  // the event body; unset if nothing changed
  bool changed = false;

  bool ok() const { return status.ok(); }
};

// Adds a service (version 1). `service.state` may be left out (active).
EditResult CreateService(const v1::Catalogue& current, v1::Service service,
                         const std::vector<std::string>& municipality_ids);

// Replaces service `id` with `service`, whose id, if given, must be `id`.
// The version it was based on comes from `if_match` or `service.version`;
// one is required. The state is changed only by SetServiceState.
EditResult UpdateService(const v1::Catalogue& current, std::string_view id,
                         v1::Service service, std::optional<uint32_t> if_match,
                         const std::vector<std::string>& municipality_ids);

// Retires or reactivates a service. Tickets keep their snapshot, so a
// retired service never changes a ticket filed under it. `version`, if
// given, must be the service's.
EditResult SetServiceState(const v1::Catalogue& current, std::string_view id,
                           v1::ServiceState to, std::optional<uint32_t> version,
                           std::string reason);

EditResult CreateCategory(const v1::Catalogue& current, v1::Category category,
                          const std::vector<std::string>& municipality_ids);
EditResult UpdateCategory(const v1::Catalogue& current, std::string_view id,
                          v1::Category category,
                          std::optional<uint32_t> if_match,
                          const std::vector<std::string>& municipality_ids);

// Replaces the whole catalogue with `incoming`, all or nothing. Every
// service of `current` must still be in it (services are retired, never
// deleted: tickets refer to them). When `incoming.version` is set and the
// import would change anything, it must equal the current version (the
// file was exported from what is there now).
EditResult Import(const v1::Catalogue& current, v1::Catalogue incoming,
                  const std::vector<std::string>& municipality_ids);

inline constexpr size_t kMaxReasonBytes = 1000;

}  // namespace helpdesk::catalogue
