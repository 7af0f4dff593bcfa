#include "tests/support/store_check.h"

#include "daemon/store/consistency.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/tables.h"

namespace helpdesk::testing {

std::string StoreProblems(const std::string& data_dir) {
  auto env = store::Env::Open({.dir = data_dir});
  if (!env.ok()) return env.status().message();
  auto txn = store::Txn::BeginRead(*env);
  if (!txn.ok()) return txn.status().message();
  auto tables = store::OpenTablesToRead(*txn);
  if (!tables.ok()) return tables.status().message();
  auto report = store::CheckConsistency(*txn, *tables);
  if (!report.ok()) return report.status().message();
  std::string out;
  for (const auto& u : report->unreadable)
    out += "unreadable: " + u.table + " " + u.name + ": " + u.why + "\n";
  for (const auto& f : report->findings) out += "disagrees: " + f + "\n";
  return out;
}

}  // namespace helpdesk::testing
