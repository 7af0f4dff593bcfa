#pragma once
// The demo region compiled into the binary from demo_region.textproto, and
// seeded into a new database. Pure; any thread.

#include "daemon/base/status.h"
#include "proto/helpdesk.pb.h"

namespace helpdesk::seed {

// Parses the built-in region; an error here is a build defect.
StatusOr<v1::Region> DemoRegion();

}  // namespace helpdesk::seed
