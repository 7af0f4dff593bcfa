#include "tests/fuzz/demo.h"

#include "daemon/seed/seed.h"
#include "tests/fuzz/round_trip.h"

namespace helpdesk::fuzz {

const std::vector<std::string>& DemoMunicipalityIds() {
  static const auto* ids = [] {
    auto region = seed::DemoRegion();
    if (!region.ok()) Finding("demo region", region.status().message());
    auto* out = new std::vector<std::string>;
    for (const auto& m : region->municipalities()) out->push_back(m.id());
    return out;
  }();
  return *ids;
}

}  // namespace helpdesk::fuzz
