#pragma once
// The demo region the daemon starts with, as the fuzz targets check
// against it: read once, never freed. One thread.

#include <string>
#include <vector>

namespace helpdesk::fuzz {

// The ids of the demo region's municipalities ("kongsberg", ...).
const std::vector<std::string>& DemoMunicipalityIds();

}  // namespace helpdesk::fuzz
