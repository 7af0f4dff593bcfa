#include "tools/helpdeskctl/offline_store.h"

#include <google/protobuf/util/time_util.h>
#include <sys/stat.h>

#include <chrono>
#include <future>
#include <memory>
#include <utility>

#include "catalogue/edit.h"
#include "daemon/desk/context.h"
#include "daemon/desk/scope.h"
#include "daemon/desk/use_cases.h"
#include "daemon/seed/seed.h"
#include "daemon/store/catalogue_tables.h"
#include "daemon/store/dir_lock.h"
#include "daemon/store/lmdb.h"
#include "daemon/store/records.h"
#include "daemon/store/tables.h"
#include "daemon/store/ticket_words.h"
#include "daemon/store/writer.h"

namespace helpdesk::ctl {

// LMDB would make a new, empty environment; and DirLock and Env::Open
// create the directory. Looking first keeps a mistyped --data-dir from
// leaving a fresh database behind.
Status RequireDatabase(const std::string& dir) {
  struct stat st;
  if (stat((dir + "/data.mdb").c_str(), &st) != 0 || !S_ISREG(st.st_mode))
    return Status::NotFound(
        "no helpdeskd database in " + dir +
        " (no data.mdb there); check --data-dir, or start helpdeskd once "
        "to create it");
  return Status::Ok();
}

google::protobuf::Timestamp WallClock() {
  auto us = std::chrono::duration_cast<std::chrono::microseconds>(
      std::chrono::system_clock::now().time_since_epoch());
  return google::protobuf::util::TimeUtil::MicrosecondsToTimestamp(us.count());
}

namespace {

std::vector<std::string> Ids(const v1::Region& region) {
  std::vector<std::string> out;
  for (const auto& m : region.municipalities()) out.push_back(m.id());
  return out;
}

}  // namespace

// The schema check of OpenTables, without its write transaction: an old
// database is upgraded only by the daemon.
Status CheckSchema(const store::Txn& txn, const std::string& dir,
                   store::Table meta) {
  auto version = txn.Get(meta, "schema_version");
  if (!version.ok()) return version.status();
  const std::string want = std::to_string(store::kSchemaVersion);
  if (!*version)
    return Status::NotFound("the database in " + dir +
                            " was never set up by helpdeskd");
  if (**version != want)
    return Status::InvalidParameter(
        "--data-dir", "the database in " + dir + " has schema version " +
                          std::string(**version) + ", helpdeskctl reads " +
                          want +
                          "; start this version of helpdeskd on it "
                          "once to upgrade it");
  for (auto [mark, what] :
       {std::pair{store::kCompactingRecords,
                  "to compact records (schema 10, 13 or 15)"},
        std::pair{store::kIndexingWords,
                  "to index the words (schema 11 or 14)"},
        std::pair{store::kIndexingTickets,
                  "to index the tickets for lists (schema 14)"}}) {
    auto part_way = txn.Get(meta, mark);
    if (!part_way.ok()) return part_way.status();
    if (*part_way)
      return Status::InvalidParameter(
          "--data-dir", "the database in " + dir +
                            " is part-way through its upgrade " + what +
                            "; start helpdeskd on it to finish the upgrade");
  }
  return Status::Ok();
}

namespace {

// Reads through an Env the caller opened: LMDB must not have one
// environment open twice in a process (closing the second would drop the
// first's locks).
StatusOr<StoredCatalogue> Read(const store::Env& env, const std::string& dir) {
  auto txn = store::Txn::BeginRead(env);
  if (!txn.ok()) return txn.status();
  // Only the tables the catalogue and region live in, opened read-only
  // inside this one transaction (handles opened by a read transaction end
  // with it); OpenTables would take a write transaction.
  store::Tables t;
  for (auto [name, table] : {std::pair{"meta", &t.meta},
                             std::pair{"municipalities", &t.municipalities},
                             std::pair{"catalogue", &t.catalogue}}) {
    auto opened = txn->OpenTable(name, /*create=*/false);
    if (!opened.ok())
      return Status::NotFound("the database in " + dir + " has no table '" +
                              name + "': not a helpdeskd database? (" +
                              opened.status().message() + ")");
    *table = *opened;
  }
  if (Status s = CheckSchema(*txn, dir, t.meta); !s.ok()) return s;
  StoredCatalogue out;
  auto catalogue = store::LoadCatalogue(*txn, t);
  if (!catalogue.ok()) return catalogue.status();
  out.catalogue = std::move(*catalogue);
  auto region = store::LoadRegion(*txn, t);
  if (!region.ok()) return region.status();
  out.municipality_ids = Ids(*region);
  return out;
}

}  // namespace

StatusOr<StoredCatalogue> ReadDataDir(const std::string& dir) {
  if (Status s = RequireDatabase(dir); !s.ok()) return s;
  auto env = store::Env::Open({.dir = dir});
  if (!env.ok()) return env.status();
  return Read(*env, dir);
}

StatusOr<ImportOutcome> ImportIntoDataDir(const std::string& dir,
                                          const v1::Catalogue& incoming,
                                          const OfflineImport& how) {
  if (Status s = RequireDatabase(dir); !s.ok()) return s;
  auto lock = store::DirLock::Acquire(dir);
  if (!lock.ok()) return lock.status();
  auto env = store::Env::Open({.dir = dir});
  if (!env.ok()) return env.status();
  // Checked again under the lock, before anything is written.
  auto stored = Read(*env, dir);
  if (!stored.ok()) return stored.status();
  auto seed_region = seed::DemoRegion();
  if (!seed_region.ok()) return seed_region.status();
  auto seed_catalogue = seed::DefaultCatalogue(*seed_region);
  if (!seed_catalogue.ok()) return seed_catalogue.status();
  // The seed is never used: Read refused a database without a schema, and
  // OpenTables seeds only those.
  auto tables = store::OpenTables(
      *env, {.region = *seed_region, .catalogue = *seed_catalogue});
  if (!tables.ok()) return tables.status();

  store::Writer writer(*env, *tables, {}, [] { return WallClock(); });
  if (Status s = writer.Start(); !s.ok()) return s;
  auto region = [&]() -> StatusOr<v1::Region> {
    auto txn = store::Txn::BeginRead(*env);
    if (!txn.ok()) return txn.status();
    return store::LoadRegion(*txn, *tables);
  }();
  if (!region.ok()) return region.status();
  // The use case of the daemon's PUT /api/v1/catalogue, on this writer:
  // decided inside the write transaction against what is stored.
  const desk::Context context(*tables, std::move(*region), {},
                              sla::DefaultPolicy());
  // Filled by the write; a batch run again fills it again.
  catalogue::EditResult edit;
  std::promise<store::WriteResult> done;
  Status queued = writer.Submit(
      [&](store::WriteContext& w) {
        desk::Scope scope(w, context,
                          desk::SystemOrigin(how.actor, how.request_id));
        auto e = desk::ImportCatalogue(scope, incoming);
        if (!e.ok()) return e.status();
        edit = std::move(*e);
        return Status::Ok();
      },
      [&done](store::WriteResult result) {
        done.set_value(std::move(result));
      });
  if (!queued.ok()) return queued;
  store::WriteResult result = done.get_future().get();
  writer.Stop();
  if (result.batch_failed) return result.status;
  // A refusal is an outcome, an error of the store is not.
  switch (result.status.code()) {
    case Code::kOk:
      break;
    case Code::kInternal:
    case Code::kStorageFull:
    case Code::kUnavailable:
      return result.status;
    default:
      edit.status = result.status;
  }
  return FromEditResult(edit, stored->catalogue.version());
}

StatusOr<store::Tables> ReadTables(store::Txn& txn, const std::string& dir) {
  auto t = store::OpenTablesToRead(txn);
  if (!t.ok())
    return Status::NotFound("the database in " + dir + ": " +
                            t.status().message());
  if (Status s = CheckSchema(txn, dir, t->meta); !s.ok()) return s;
  return t;
}

StatusOr<store::ConsistencyReport> CheckDataDir(const std::string& dir) {
  if (Status s = RequireDatabase(dir); !s.ok()) return s;
  auto env = store::Env::Open({.dir = dir});
  if (!env.ok()) return env.status();
  auto txn = store::Txn::BeginRead(*env);
  if (!txn.ok()) return txn.status();
  auto tables = ReadTables(*txn, dir);
  if (!tables.ok()) return tables.status();
  return store::CheckConsistency(*txn, *tables);
}

StatusOr<store::RepairOutcome> RepairDataDir(const std::string& dir,
                                             const std::string& actor) {
  if (Status s = RequireDatabase(dir); !s.ok()) return s;
  auto lock = store::DirLock::Acquire(dir);
  if (!lock.ok()) return lock.status();
  auto env = store::Env::Open({.dir = dir});
  if (!env.ok()) return env.status();
  {  // Checked under the lock, before anything is written.
    auto txn = store::Txn::BeginRead(*env);
    if (!txn.ok()) return txn.status();
    if (auto t = ReadTables(*txn, dir); !t.ok()) return t.status();
  }
  // The schema is current (checked above), so OpenTables only opens the
  // tables, creating the quarantine table; the seed is never used.
  auto tables = store::OpenTables(*env, {});
  if (!tables.ok()) return tables.status();
  auto txn = store::Txn::BeginWrite(*env);
  if (!txn.ok()) return txn.status();
  auto outcome = store::Repair(*txn, *tables, WallClock(), actor);
  if (!outcome.ok()) return outcome.status();
  if (Status s = txn->Commit(); !s.ok()) return s;
  return outcome;
}

}  // namespace helpdesk::ctl
