#include "tests/support/desk_on_disk.h"

#include <google/protobuf/util/time_util.h>

#include "daemon/seed/seed.h"

namespace helpdesk::testing {

DeskOnDisk::~DeskOnDisk() {
  if (writer_) writer_->Stop();
}

Status DeskOnDisk::Open() {
  auto region = seed::DemoRegion();
  if (!region.ok()) return region.status();
  auto catalogue = seed::DefaultCatalogue(*region);
  if (!catalogue.ok()) return catalogue.status();
  auto staff = seed::DemoStaff(*region, *catalogue);
  if (!staff.ok()) return staff.status();
  auto rota =
      seed::DemoRota(*staff, date::local_days(date::April / 13 / 2026), 4);
  if (!rota.ok()) return rota.status();
  auto env = store::Env::Open({.dir = dir_.path()});
  if (!env.ok()) return env.status();
  env_.emplace(std::move(*env));
  auto tables = store::OpenTables(*env_, {.region = *region,
                                          .catalogue = *catalogue,
                                          .staff = *staff,
                                          .rota = *rota});
  if (!tables.ok()) return tables.status();
  tables_ = *tables;
  auto now = [this] {
    return google::protobuf::util::TimeUtil::SecondsToTimestamp(now_.load());
  };
  writer_ = std::make_unique<store::Writer>(*env_, tables_,
                                            store::Writer::Options{}, now);
  if (Status s = writer_->Start(); !s.ok()) return s;
  desk_ = std::make_unique<desk::Desk>(
      *env_, tables_, *writer_,
      desk::Desk::Options{.region = *region,
                          .dispatch = {},
                          .sla_policy = sla::DefaultPolicy(),
                          .now = now,
                          .password_cost = auth::PasswordCost::kMinimum});
  return Status::Ok();
}

}  // namespace helpdesk::testing
