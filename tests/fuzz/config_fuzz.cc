// Fuzz target: a TOML config file (daemon/config) as --config reads it
// (ReadConfigText), the SLA policy built from its [sla] table and the
// travel table checked against the demo region, as main does; a policy
// that builds is put to use (its calendars, a due time).

#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "daemon/config/config.h"
#include "daemon/config/sla_config.h"
#include "sla/policy.h"
#include "tests/fuzz/demo.h"
#include "tests/fuzz/round_trip.h"

namespace {

using namespace helpdesk;

void UsePolicy(const sla::Policy& policy) {
  const sla::PolicyBook book(policy);
  const std::chrono::sys_seconds start{std::chrono::seconds{1776240000}};
  for (const sla::ClassTargets& c : book.policy().classes) {
    (void)book.Find(c.sla_class);
    for (int p = 1; p < 5; ++p) {
      (void)book.DueOf(c.response[p], start);
      (void)book.DueOf(c.resolution[p], start, std::chrono::minutes{30});
    }
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto config = config::ReadConfigText(text, "fuzz.toml");
  if (!config.ok()) return 0;
  (void)config::CheckTravelTable(config->travel, fuzz::DemoMunicipalityIds());
  auto policy = config::BuildPolicy(config->sla);
  if (policy.ok()) UsePolicy(*policy);
  return 0;
}
