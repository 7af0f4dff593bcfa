#include "daemon/seed/seed.h"

#include <google/protobuf/text_format.h>

#include "catalogue/default_catalogue.h"

namespace helpdesk::seed {

extern const char kDemoRegionText[];  // generated from demo_region.textproto

StatusOr<v1::Region> DemoRegion() {
  v1::Region region;
  if (!google::protobuf::TextFormat::ParseFromString(kDemoRegionText, &region))
    return Status::Internal("the built-in demo region does not parse");
  return region;
}

StatusOr<v1::Catalogue> DefaultCatalogue(const v1::Region& region) {
  std::vector<std::string> ids;
  for (const auto& m : region.municipalities()) ids.push_back(m.id());
  auto result = catalogue::DefaultCatalogue(ids);
  if (!result.error.empty()) return Status::Internal(result.error);
  return std::move(result.catalogue);
}

}  // namespace helpdesk::seed
