#include "tests/support/plant.h"

#include <utility>
#include <vector>

#include "daemon/store/lmdb.h"

namespace helpdesk::testing {

StatusOr<std::map<std::string, size_t>> PlantInvalidUtf8(
    const std::string& data_dir, std::string_view marker) {
  if (marker.empty()) return Status::Internal("an empty marker");
  auto env = store::Env::Open({.dir = data_dir});
  if (!env.ok()) return env.status();
  auto txn = store::Txn::BeginWrite(*env);
  if (!txn.ok()) return txn.status();
  std::map<std::string, size_t> changed;
  for (const char* name :
       {"tickets", "events", "catalogue", "staff", "municipalities"}) {
    auto table = txn->OpenTable(name, /*create=*/false);
    if (!table.ok()) return table.status();
    std::vector<std::pair<std::string, std::string>> puts;
    {
      auto cursor = store::Cursor::Open(*txn, *table);
      if (!cursor.ok()) return cursor.status();
      for (auto moved = cursor->First();; moved = cursor->Next()) {
        if (!moved.ok()) return moved.status();
        if (!*moved) break;
        std::string value(cursor->value());
        bool found = false;
        for (size_t at = value.find(marker); at != std::string::npos;
             at = value.find(marker, at + marker.size())) {
          value[at + marker.size() - 1] = '\xff';
          found = true;
        }
        if (found) puts.emplace_back(cursor->key(), std::move(value));
      }
    }
    for (const auto& [key, value] : puts) {
      if (Status s = txn->Put(*table, key, value); !s.ok()) return s;
    }
    changed[name] = puts.size();
  }
  if (Status s = txn->Commit(); !s.ok()) return s;
  return changed;
}

Status PlantRaw(const std::string& data_dir, const std::string& table,
                std::string_view key, std::string_view value) {
  auto env = store::Env::Open({.dir = data_dir});
  if (!env.ok()) return env.status();
  auto txn = store::Txn::BeginWrite(*env);
  if (!txn.ok()) return txn.status();
  auto t = txn->OpenTable(table.c_str(), /*create=*/false);
  if (!t.ok()) return t.status();
  if (Status s = txn->Put(*t, key, value); !s.ok()) return s;
  return txn->Commit();
}

}  // namespace helpdesk::testing
