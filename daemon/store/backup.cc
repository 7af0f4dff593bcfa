#include "daemon/store/backup.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <optional>

#include "daemon/store/dir_lock.h"
#include "daemon/store/tables.h"

namespace helpdesk::store {
namespace {

Status Errno(const std::string& what) {
  return Status::Internal(what + ": " + std::strerror(errno));
}

// Closes a descriptor when it goes.
class Fd {
 public:
  explicit Fd(int fd) : fd_(fd) {}
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  ~Fd() {
    if (fd_ >= 0) ::close(fd_);
  }
  int get() const { return fd_; }
  // Closes now, reporting what close says (a write error may show here).
  Status Close(const std::string& path) {
    const int fd = fd_;
    fd_ = -1;
    if (::close(fd) != 0) return Errno("cannot close " + path);
    return Status::Ok();
  }

 private:
  int fd_;
};

// Makes a rename or a new file in `dir` durable.
Status SyncDir(const std::string& dir) {
  Fd fd(::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC));
  if (fd.get() < 0) return Errno("cannot open " + dir);
  if (::fsync(fd.get()) != 0) return Errno("cannot sync " + dir);
  return Status::Ok();
}

std::string Parent(const std::string& path) {
  std::filesystem::path p(path);
  return p.has_parent_path() ? p.parent_path().string() : ".";
}

uint64_t FileBytes(const std::string& path) {
  struct stat st {};
  return ::stat(path.c_str(), &st) == 0 ? static_cast<uint64_t>(st.st_size) : 0;
}

// What the database of `env` holds; kNotFound unless it is helpdeskd's.
StatusOr<BackupFacts> ReadFacts(const Env& env, const std::string& what) {
  auto txn = Txn::BeginRead(env);
  if (!txn.ok()) return txn.status();
  auto meta = txn->OpenTable("meta", /*create=*/false);
  auto tickets = txn->OpenTable("tickets", /*create=*/false);
  auto events = txn->OpenTable("events", /*create=*/false);
  if (!meta.ok() || !tickets.ok() || !events.ok())
    return Status::NotFound(what + " is not a helpdeskd database");
  BackupFacts facts;
  auto version = txn->Get(*meta, "schema_version");
  if (!version.ok()) return version.status();
  if (!*version ||
      (facts.schema_version = std::atoi(std::string(**version).c_str())) <= 0)
    return Status::NotFound(what +
                            " is not a helpdeskd database (no schema version)");
  MDB_stat st{};
  if (int rc = mdb_stat(txn->get(), tickets->dbi, &st); rc != MDB_SUCCESS)
    return LmdbStatus(rc, "mdb_stat tickets");
  facts.tickets = st.ms_entries;
  auto cursor = Cursor::Open(*txn, *events);
  if (!cursor.ok()) return cursor.status();
  auto last = cursor->Last();
  if (!last.ok()) return last.status();
  if (*last && cursor->key().size() == 8)
    facts.last_event = ReadBe64(cursor->key());
  Tables tables;
  tables.meta = *meta;
  auto epoch = ReadEpoch(*txn, tables);
  if (epoch.ok()) facts.epoch = *epoch;
  return facts;
}

// Copies the file `from` to the new file `to` (mode 0600) and syncs it.
Status CopyFile(const std::string& from, const std::string& to) {
  Fd in(::open(from.c_str(), O_RDONLY | O_CLOEXEC));
  if (in.get() < 0) return Errno("cannot open " + from);
  Fd out(::open(to.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
  if (out.get() < 0) return Errno("cannot create " + to);
  char buffer[1 << 16];
  for (;;) {
    const ssize_t n = ::read(in.get(), buffer, sizeof buffer);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return Errno("cannot read " + from);
    if (n == 0) break;
    for (ssize_t done = 0; done < n;) {
      const ssize_t w = ::write(out.get(), buffer + done, n - done);
      if (w < 0 && errno == EINTR) continue;
      if (w < 0) return Errno("cannot write " + to);
      done += w;
    }
  }
  if (::fsync(out.get()) != 0) return Errno("cannot sync " + to);
  return out.Close(to);
}

std::string UtcStamp(int64_t seconds) {
  const std::time_t now = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&now, &tm);
  char text[32];
  std::strftime(text, sizeof text, "%Y%m%dT%H%M%SZ", &tm);
  return text;
}

bool Exists(const std::string& path) {
  struct stat st {};
  return ::lstat(path.c_str(), &st) == 0;
}

// Removes the scratch directory `dir` and what an Env left in it.
void RemoveScratch(const std::string& dir) {
  std::error_code ignored;
  std::filesystem::remove_all(dir, ignored);
}

// Facts of the database file in the directory `dir` (opened as an Env:
// the file is checked to be an LMDB database and helpdeskd's).
StatusOr<BackupFacts> FactsOf(const std::string& dir, const std::string& what) {
  auto env = Env::Open({.dir = dir});
  if (!env.ok())
    return Status::NotFound(what + " is not an LMDB database (" +
                            env.status().message() + ")");
  auto facts = ReadFacts(*env, what);
  if (facts.ok()) facts->bytes = FileBytes(dir + "/data.mdb");
  return facts;
}

}  // namespace

StatusOr<BackupFacts> Backup(const std::string& dir, const std::string& to) {
  if (!Exists(dir + "/data.mdb"))
    return Status::NotFound("no helpdeskd database in " + dir +
                            " (no data.mdb there); check --data-dir");
  if (Exists(to))
    return Status::AlreadyExists(
        to + " exists; a backup never overwrites one: name another file");
  {
    auto env = Env::Open({.dir = dir});
    if (!env.ok()) return env.status();
    if (auto facts = ReadFacts(*env, dir); !facts.ok()) return facts.status();

    // The copy is made in a scratch directory beside `to`, opened there
    // as a database to check it, then named `to`. A scratch directory
    // left by an interrupted backup is never a backup: it goes first.
    const std::string scratch = to + ".partial";
    RemoveScratch(scratch);
    if (::mkdir(scratch.c_str(), 0700) != 0)
      return Errno("cannot create " + scratch);
    const std::string copy = scratch + "/data.mdb";
    Fd out(::open(copy.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600));
    if (out.get() < 0) return Errno("cannot create " + copy);
    // One read transaction of its own: one committed state, perhaps newer
    // than the facts read above; they are read again from the copy.
    if (int rc = mdb_env_copyfd2(env->get(), out.get(), MDB_CP_COMPACT);
        rc != MDB_SUCCESS) {
      RemoveScratch(scratch);
      return LmdbStatus(rc, "copying the database to " + copy);
    }
    Status synced = ::fsync(out.get()) == 0 ? out.Close(copy)
                                            : Errno("cannot sync " + copy);
    if (!synced.ok()) {
      RemoveScratch(scratch);
      return synced;
    }
  }
  const std::string scratch = to + ".partial";
  auto facts = FactsOf(scratch, "the copy in " + scratch);
  if (!facts.ok()) {
    RemoveScratch(scratch);
    return facts.status();
  }
  // link() rather than rename(): it fails if `to` appeared meanwhile.
  if (::link((scratch + "/data.mdb").c_str(), to.c_str()) != 0) {
    Status s = Errno("cannot name the backup " + to);
    RemoveScratch(scratch);
    return s;
  }
  RemoveScratch(scratch);
  if (Status s = SyncDir(Parent(to)); !s.ok()) return s;
  return facts;
}

StatusOr<BackupFacts> Restore(const std::string& from, const std::string& dir,
                              bool replace, int64_t now) {
  struct stat st {};
  if (::stat(from.c_str(), &st) != 0) return Errno("cannot read " + from);
  if (!S_ISREG(st.st_mode))
    return Status::InvalidParameter("--from", from + " is not a file");
  auto lock = DirLock::Acquire(dir);
  if (!lock.ok()) return lock.status();
  const std::string current = dir + "/data.mdb";
  if (Exists(current) && !replace)
    return Status::AlreadyExists(
        dir +
        " already holds a database; restore into an empty directory, "
        "or pass --replace to keep it beside as data.mdb.replaced-<time>");

  // Copied in beside the database and checked there first: until the
  // last rename, `dir` is as it was.
  const std::string scratch = dir + "/restore.partial";
  RemoveScratch(scratch);
  if (::mkdir(scratch.c_str(), 0700) != 0)
    return Errno("cannot create " + scratch);
  if (Status s = CopyFile(from, scratch + "/data.mdb"); !s.ok()) {
    RemoveScratch(scratch);
    return s;
  }
  StatusOr<BackupFacts> facts = Status::Internal("not read");
  {
    auto env = Env::Open({.dir = scratch});
    if (!env.ok()) {
      RemoveScratch(scratch);
      return Status::InvalidParameter(
          "--from",
          from + " is not a helpdeskd backup (" + env.status().message() + ")");
    }
    facts = ReadFacts(*env, from);
    if (facts.ok() && facts->schema_version > kSchemaVersion)
      facts = Status::InvalidParameter(
          "--from", from + " has schema version " +
                        std::to_string(facts->schema_version) +
                        ", newer than this build's " +
                        std::to_string(kSchemaVersion) +
                        ": restore it with the helpdeskctl of that version");
    if (facts.ok()) {
      // A compacted copy's map may end at its last page: room for the
      // write of the new epoch.
      if (Status s = env->Resize(FileBytes(scratch + "/data.mdb") +
                                 (size_t{64} << 20));
          !s.ok())
        facts = s;
    }
    if (facts.ok()) {
      auto txn = Txn::BeginWrite(*env);
      Status s = txn.status();
      if (s.ok()) {
        auto meta = txn->OpenTable("meta", /*create=*/false);
        s = meta.ok() ? RenewEpoch(*txn, *meta) : meta.status();
      }
      if (s.ok()) s = txn->Commit();
      if (s.ok()) {
        auto renewed = ReadFacts(*env, from);
        if (renewed.ok())
          facts->epoch = renewed->epoch;
        else
          s = renewed.status();
      }
      if (!s.ok()) facts = s;
    }
  }
  if (!facts.ok()) {
    RemoveScratch(scratch);
    if (facts.status().code() == Code::kNotFound)
      return Status::InvalidParameter("--from", facts.status().message());
    return facts.status();
  }
  facts->bytes = FileBytes(scratch + "/data.mdb");
  if (Exists(current)) {
    const std::string aside = current + ".replaced-" + UtcStamp(now);
    if (::rename(current.c_str(), aside.c_str()) != 0) {
      Status s = Errno("cannot move " + current + " aside");
      RemoveScratch(scratch);
      return s;
    }
  }
  // The lock file belongs to the database it was made for.
  if (::unlink((dir + "/lock.mdb").c_str()) != 0 && errno != ENOENT) {
    Status s = Errno("cannot remove " + dir + "/lock.mdb");
    RemoveScratch(scratch);
    return s;
  }
  if (::rename((scratch + "/data.mdb").c_str(), current.c_str()) != 0) {
    Status s = Errno("cannot move the restored database into " + dir);
    RemoveScratch(scratch);
    return s;
  }
  RemoveScratch(scratch);
  if (Status s = SyncDir(dir); !s.ok()) return s;
  return facts;
}

}  // namespace helpdesk::store
