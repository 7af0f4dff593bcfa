#pragma once
// The demo region compiled into the binary from demo_region.textproto and
// the built-in catalogue, seeded into a new database. Pure; any thread.

#include "daemon/base/status.h"
#include "proto/helpdesk.pb.h"

namespace helpdesk::seed {

// Parses the built-in region; an error here is a build defect.
StatusOr<v1::Region> DemoRegion();

// The built-in tjenestekatalog, checked against `region`; an error here is
// a build defect too.
StatusOr<v1::Catalogue> DefaultCatalogue(const v1::Region& region);

}  // namespace helpdesk::seed
