#include "daemon/seed/seed.h"

#include <google/protobuf/text_format.h>

namespace helpdesk::seed {

extern const char kDemoRegionText[];  // generated from demo_region.textproto

StatusOr<v1::Region> DemoRegion() {
  v1::Region region;
  if (!google::protobuf::TextFormat::ParseFromString(kDemoRegionText, &region))
    return Status::Internal("the built-in demo region does not parse");
  return region;
}

}  // namespace helpdesk::seed
