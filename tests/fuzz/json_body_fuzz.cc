// Fuzz target: a request body, decoded by proto::ParseJson into every
// message a route decodes (daemon/http/*_routes.cc), as the daemon does
// (unknown fields refused). What parses is rendered back (ToJson) and must
// read back unchanged (round_trip.h), and goes through the checks the desk
// makes before the store is involved: the ticket's create rules against
// the demo region and catalogue, the assignment rules, the staff record
// and rota rules, and the catalogue edits against the default catalogue.
// What does not parse is rendered as the problem a client would get.

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "catalogue/catalogue.h"
#include "catalogue/edit.h"
#include "daemon/desk/commands.h"
#include "daemon/http/problem.h"
#include "daemon/seed/seed.h"
#include "daemon/staff/staff.h"
#include "daemon/tickets/commands.h"
#include "proto/helpdesk.pb.h"
#include "proto/json.h"
#include "tests/fuzz/round_trip.h"

namespace {

using namespace helpdesk;

// The demo data the daemon starts with, read once.
struct Demo {
  v1::Region region;
  v1::Catalogue catalogue;
  std::vector<std::string> municipality_ids;
  staff::Registry registry;
  std::vector<std::string> staff_ids;
};

const Demo& TheDemo() {
  static const Demo* demo = [] {
    auto* d = new Demo;
    auto region = seed::DemoRegion();
    if (!region.ok()) fuzz::Finding("demo region", region.status().message());
    d->region = *region;
    auto catalogue = seed::DefaultCatalogue(d->region);
    if (!catalogue.ok())
      fuzz::Finding("default catalogue", catalogue.status().message());
    d->catalogue = *catalogue;
    for (const auto& m : d->region.municipalities())
      d->municipality_ids.push_back(m.id());
    d->registry.municipalities = d->municipality_ids;
    for (const auto& s : d->catalogue.skills())
      d->registry.skills.push_back(s.id());
    auto staff = seed::DemoStaff(d->region, d->catalogue);
    if (!staff.ok()) fuzz::Finding("demo staff", staff.status().message());
    for (const auto& m : *staff) d->staff_ids.push_back(m.id());
    return d;
  }();
  return *demo;
}

// Decodes `body` into `out` as a route does, and renders it back; false
// when it does not parse (the problem a client gets is rendered then).
template <typename M>
bool Decode(std::string_view body, M& out) {
  Status s = proto::ParseJson(body, out);
  if (!s.ok()) {
    (void)http::Problem(s, "/api/v1/fuzz", "fuzz");
    return false;
  }
  fuzz::CheckJsonRoundTrip(out);
  return true;
}

template <typename M>
void DecodeOnly(std::string_view body) {
  M m;
  Decode(body, m);
}

void EditResult(const catalogue::EditResult& r) {
  if (r.ok()) {
    fuzz::CheckJsonRoundTrip(r.after);
    fuzz::CheckJsonRoundTrip(r.change);
  } else {
    (void)http::Problem(r.status, "/api/v1/catalogue", "fuzz");
  }
}

void Tickets(std::string_view body, const Demo& demo) {
  if (v1::CreateTicketRequest req; Decode(body, req)) {
    if (tickets::ValidateCreate(req, demo.region).ok()) {
      const v1::Service* service =
          catalogue::FindService(demo.catalogue, req.service_id());
      if (tickets::CheckService(req, service).ok() && service != nullptr) {
        tickets::RequestContext ctx{"fuzz", {}};
        ctx.now.set_seconds(1776240000);
        auto change = tickets::DecideCreate(req, *service, 1, ctx);
        fuzz::CheckJsonRoundTrip(change.ticket);
        fuzz::CheckJsonRoundTrip(change.event);
      }
    }
  }
  DecodeOnly<v1::AddCommentRequest>(body);
  DecodeOnly<v1::ChangeStatusRequest>(body);
  DecodeOnly<v1::ChangePriorityRequest>(body);
  if (v1::AssignRequest req; Decode(body, req)) {
    desk::AssignCommand command;
    command.assignee = req.assignee();
    command.reason = req.reason();
    command.version = req.version();
    (void)desk::CheckAssignment(command);
  }
  if (v1::TakeRequest req; Decode(body, req)) {
    desk::AssignCommand command;
    command.take = true;
    command.assignee = req.actor();
    command.version = req.version();
    (void)desk::CheckAssignment(command);
  }
}

void Staff(std::string_view body, const Demo& demo) {
  if (v1::StaffMember member; Decode(body, member)) {
    auto created = staff::DecideCreate(member, nullptr, demo.registry);
    if (created.ok()) fuzz::CheckJsonRoundTrip(*created);
  }
  if (v1::VaktRota rota; Decode(body, rota)) {
    auto decided =
        staff::DecideRota(v1::VaktRota(), rota, std::nullopt, demo.staff_ids);
    if (decided.ok()) fuzz::CheckJsonRoundTrip(*decided);
  }
}

void Catalogue(std::string_view body, const Demo& demo) {
  if (v1::Catalogue incoming; Decode(body, incoming)) {
    // An import replaces the whole catalogue: from nothing, and over the
    // default one (which also checks that every service is still there).
    EditResult(
        catalogue::Import(v1::Catalogue(), incoming, demo.municipality_ids));
    EditResult(
        catalogue::Import(demo.catalogue, incoming, demo.municipality_ids));
  }
  if (v1::Service service; Decode(body, service)) {
    EditResult(catalogue::CreateService(demo.catalogue, service,
                                        demo.municipality_ids));
    EditResult(catalogue::UpdateService(demo.catalogue, service.id(), service,
                                        std::nullopt, demo.municipality_ids));
  }
  if (v1::Category category; Decode(body, category)) {
    EditResult(catalogue::CreateCategory(demo.catalogue, category,
                                         demo.municipality_ids));
  }
  DecodeOnly<v1::RetireServiceRequest>(body);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const Demo& demo = TheDemo();
  const std::string_view body(reinterpret_cast<const char*>(data), size);
  Tickets(body, demo);
  Staff(body, demo);
  Catalogue(body, demo);
  return 0;
}
