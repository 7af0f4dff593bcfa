#pragma once
// What every use case of the desk shares besides the store: the region, the
// SLA policy and the dispatch roster (cached; see roster_cache.h).
//
// Thread-safety: immutable after construction but for the roster cache,
// which is safe from any thread; one Context serves readers and the writer.

#include <string>
#include <vector>

#include "daemon/desk/roster_cache.h"
#include "daemon/dispatch/roster.h"
#include "daemon/paging/plan.h"
#include "daemon/store/tables.h"
#include "proto/helpdesk.pb.h"
#include "sla/policy.h"

namespace helpdesk::desk {

class Context {
 public:
  // `sla_policy` must have passed sla::Validate.
  Context(const store::Tables& tables, v1::Region region,
          dispatch::Options dispatch_options, sla::Policy sla_policy,
          paging::Setup paging = {});
  Context(const Context&) = delete;
  Context& operator=(const Context&) = delete;

  const v1::Region& region() const { return region_; }
  // The ids of region().municipalities(), in order.
  const std::vector<std::string>& municipality_ids() const {
    return municipality_ids_;
  }
  const sla::PolicyBook& sla() const { return sla_; }
  RosterCache& rosters() const { return rosters_; }
  const paging::Setup& paging() const { return paging_; }

 private:
  const v1::Region region_;
  const std::vector<std::string> municipality_ids_;
  const sla::PolicyBook sla_;
  mutable RosterCache rosters_;
  const paging::Setup paging_;
};

}  // namespace helpdesk::desk
