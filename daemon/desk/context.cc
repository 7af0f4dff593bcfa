#include "daemon/desk/context.h"

namespace helpdesk::desk {
namespace {

std::vector<std::string> Ids(const v1::Region& region) {
  std::vector<std::string> ids;
  for (const auto& m : region.municipalities()) ids.push_back(m.id());
  return ids;
}

}  // namespace

Context::Context(const store::Tables& tables, v1::Region region,
                 dispatch::Options dispatch_options, sla::Policy sla_policy,
                 paging::Setup paging)
    : region_(std::move(region)),
      municipality_ids_(Ids(region_)),
      sla_(std::move(sla_policy)),
      rosters_(tables, region_, std::move(dispatch_options)),
      paging_(std::move(paging)) {}

}  // namespace helpdesk::desk
