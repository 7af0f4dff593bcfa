#pragma once
// RFC 9457 problem+json responses: a stable `type` per failure kind, a human
// `title`, a `detail` that says what to fix, and extension members (`field`,
// `allowed`, `currentVersion`) where they help. Pure; any thread.

#include <string_view>

#include "daemon/http/message.h"
#include "proto/status.h"

namespace helpdesk::http {

Response Problem(const Status& status, std::string_view instance,
                 std::string_view request_id);

// For failures found by the session itself (413, 431, 404 ...).
Response Problem(int http_status, std::string_view type, std::string_view title,
                 std::string_view detail, std::string_view instance,
                 std::string_view request_id);

}  // namespace helpdesk::http
