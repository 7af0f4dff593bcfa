#pragma once
// How config.cc reads the [sla] table of the TOML file: config's own, so
// that toml++ stays out of every header other modules include. A pure
// function; any thread.

#include <toml++/toml.h>

#include <string>

#include "daemon/config/sla_config.h"
#include "proto/status.h"

namespace helpdesk::config {

// Reads the [sla] table `node` of the file `path` into `out`. Checks the
// form of every value (ranges, days, hours, priority and calendar names,
// one table per class and priority); an unknown key or a bad value is an
// error naming file:line, the key and what is expected.
[[nodiscard]] Status ReadSla(const std::string& path, const toml::node& node,
                             SlaSettings& out);

}  // namespace helpdesk::config
