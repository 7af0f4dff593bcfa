#include "daemon/store/lmdb.h"

#include <spdlog/spdlog.h>
#include <sys/stat.h>
#include <sys/statvfs.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <memory>
#include <mutex>

namespace helpdesk::store {

Status LmdbStatus(int rc, std::string_view what) {
  if (rc == MDB_SUCCESS) return Status::Ok();
  std::string msg = std::string(what) + ": " + mdb_strerror(rc);
  // Out of room: the map (which the writer may grow), or the disk, which
  // only an operator can help.
  if (rc == MDB_MAP_FULL) return Status::StorageFull(std::move(msg));
  if (rc == ENOSPC || rc == EDQUOT) return Status::DiskFull(std::move(msg));
  return Status::Internal(std::move(msg));
}

Status GrowMapOrExplain(Env& env, const Status& failure, size_t max_map_size) {
  const size_t size = env.map_size();
  if (failure.code() == Code::kStorageFull && size < max_map_size) {
    const size_t grown = std::min(size * 2, max_map_size);
    spdlog::info("database map full at {} MiB; growing to {} MiB", size >> 20,
                 grown >> 20);
    return env.Resize(grown);
  }
  if (failure.code() == Code::kStorageFull) {
    return Status::StorageFull(
        "the database map is full at " + std::to_string(size >> 20) +
        " MiB, the most max_map_size_mb allows; nothing was written. An "
        "operator must raise max_map_size_mb (--max-map-size-mb) and restart");
  }
  if (failure.code() == Code::kDiskFull) {
    struct statvfs fs {};
    const std::string left =
        statvfs(env.dir().c_str(), &fs) == 0
            ? std::to_string(uint64_t{fs.f_bavail} * fs.f_frsize) +
                  " bytes free"
            : std::string("free space unknown");
    return Status::DiskFull("the disk holding " + env.dir() + " is full (" +
                            left +
                            ", or a quota is reached); nothing was written. "
                            "An operator must free space there or move the "
                            "data directory to a larger disk");
  }
  return failure;
}

namespace {
MDB_val Val(std::string_view s) {
  return MDB_val{s.size(), const_cast<char*>(s.data())};
}
}  // namespace

// ---------------------------------------------------------------- Env

Env::Env(MDB_env* env, size_t map_size, std::string dir)
    : env_(env),
      map_size_(map_size),
      dir_(std::move(dir)),
      shared_(std::make_unique<Shared>()) {}

Env::Env(Env&& o) noexcept
    : env_(std::exchange(o.env_, nullptr)),
      map_size_(o.map_size_),
      dir_(std::move(o.dir_)),
      shared_(std::move(o.shared_)) {}

Env& Env::operator=(Env&& o) noexcept {
  if (this != &o) {
    Close();
    env_ = std::exchange(o.env_, nullptr);
    map_size_ = o.map_size_;
    dir_ = std::move(o.dir_);
    shared_ = std::move(o.shared_);
  }
  return *this;
}

Env::~Env() { Close(); }

void Env::Close() {
  if (env_ == nullptr) return;
  for (MDB_txn* txn : shared_->read_pool) mdb_txn_abort(txn);
  shared_->read_pool.clear();
  mdb_env_close(std::exchange(env_, nullptr));
}

StatusOr<Env> Env::Open(const Options& options) {
  if (mkdir(options.dir.c_str(), 0750) != 0 && errno != EEXIST) {
    return Status::Internal("cannot create data directory '" + options.dir +
                            "': " + std::strerror(errno));
  }
  MDB_env* raw = nullptr;
  if (int rc = mdb_env_create(&raw); rc != MDB_SUCCESS)
    return LmdbStatus(rc, "mdb_env_create");
  Env env(raw, options.map_size, options.dir);
  if (int rc = mdb_env_set_maxdbs(raw, options.max_dbs); rc != MDB_SUCCESS)
    return LmdbStatus(rc, "mdb_env_set_maxdbs");
  if (int rc = mdb_env_set_mapsize(raw, options.map_size); rc != MDB_SUCCESS)
    return LmdbStatus(rc, "mdb_env_set_mapsize");
  // MDB_NOTLS: read transactions are not bound to threads, so an I/O thread
  // may serve many requests. Full sync on commit: an answer means durable.
  if (int rc = mdb_env_open(raw, options.dir.c_str(), MDB_NOTLS, 0640);
      rc != MDB_SUCCESS) {
    return LmdbStatus(rc, "opening LMDB environment in '" + options.dir + "'");
  }
  // An existing environment may already be larger than asked for.
  MDB_envinfo info;
  if (mdb_env_info(raw, &info) == MDB_SUCCESS && info.me_mapsize > 0)
    env.map_size_ = info.me_mapsize;
  return env;
}

Env::ResizeLock Env::EnterTxn() const {
  if (shared_->growing.load(std::memory_order_acquire)) {
    std::unique_lock gate(shared_->gate_mutex);
    shared_->gate.wait(gate, [this] { return !shared_->growing.load(); });
  }
  return ResizeLock(shared_->resize_mutex);
}

Status Env::Resize(size_t bytes, std::chrono::milliseconds wait) {
  // The rwlock lets readers in while a writer waits, so without the gate
  // overlapping reads could hold growth off for ever.
  {
    std::lock_guard gate(shared_->gate_mutex);
    shared_->growing = true;
  }
  std::unique_lock lock(shared_->resize_mutex, std::defer_lock);
  const bool locked = lock.try_lock_for(wait);
  {
    std::lock_guard gate(shared_->gate_mutex);
    shared_->growing = false;
  }
  shared_->gate.notify_all();
  if (!locked) {
    return Status::Unavailable("growing the database map waited " +
                               std::to_string(wait.count()) +
                               " ms for reads to end; retry shortly");
  }
  if (int rc = mdb_env_set_mapsize(env_, bytes); rc != MDB_SUCCESS)
    return LmdbStatus(rc, "mdb_env_set_mapsize");
  map_size_ = bytes;
  return Status::Ok();
}

// ---------------------------------------------------------------- Txn

Txn::Txn(MDB_txn* txn, Env::ResizeLock lock, Env::Shared* pool)
    : txn_(txn), pool_(pool), resize_lock_(std::move(lock)) {}

Txn::Txn(Txn&& o) noexcept
    : txn_(std::exchange(o.txn_, nullptr)),
      pool_(o.pool_),
      resize_lock_(std::move(o.resize_lock_)) {}

Txn& Txn::operator=(Txn&& o) noexcept {
  if (this != &o) {
    End();
    txn_ = std::exchange(o.txn_, nullptr);
    pool_ = o.pool_;
    resize_lock_ = std::move(o.resize_lock_);
  }
  return *this;
}

Txn::~Txn() { End(); }

// A read transaction is reset and kept for the next reader; a write
// transaction that was not committed is aborted.
void Txn::End() {
  if (txn_ == nullptr) return;
  if (pool_ == nullptr) {
    mdb_txn_abort(std::exchange(txn_, nullptr));
    return;
  }
  mdb_txn_reset(txn_);
  std::lock_guard lock(pool_->pool_mutex);
  pool_->read_pool.push_back(std::exchange(txn_, nullptr));
}

StatusOr<Txn> Txn::BeginRead(const Env& env) {
  Env::ResizeLock lock = env.EnterTxn();
  MDB_txn* raw = nullptr;
  {
    std::lock_guard pool(env.shared_->pool_mutex);
    if (!env.shared_->read_pool.empty()) {
      raw = env.shared_->read_pool.back();
      env.shared_->read_pool.pop_back();
    }
  }
  if (raw != nullptr) {
    if (int rc = mdb_txn_renew(raw); rc != MDB_SUCCESS) {
      mdb_txn_abort(raw);
      return LmdbStatus(rc, "renew read transaction");
    }
  } else if (int rc = mdb_txn_begin(env.get(), nullptr, MDB_RDONLY, &raw);
             rc != MDB_SUCCESS) {
    return LmdbStatus(rc, "begin read transaction");
  }
  return Txn(raw, std::move(lock), env.shared_.get());
}

StatusOr<Txn> Txn::BeginWrite(const Env& env) {
  Env::ResizeLock lock = env.EnterTxn();
  MDB_txn* raw = nullptr;
  if (int rc = mdb_txn_begin(env.get(), nullptr, 0, &raw); rc != MDB_SUCCESS)
    return LmdbStatus(rc, "begin write transaction");
  return Txn(raw, std::move(lock), nullptr);
}

Status Txn::Commit() {
  int rc = mdb_txn_commit(std::exchange(txn_, nullptr));  // frees either way
  resize_lock_ = {};
  return LmdbStatus(rc, "commit");
}

StatusOr<Table> Txn::OpenTable(const char* name, bool create, bool numbers) {
  MDB_dbi dbi = 0;
  const unsigned flags =
      (create ? MDB_CREATE : 0) | (numbers ? MDB_DUPSORT | MDB_DUPFIXED : 0);
  if (int rc = mdb_dbi_open(txn_, name, flags, &dbi); rc != MDB_SUCCESS) {
    return LmdbStatus(rc, std::string("open table ") + name);
  }
  return Table{dbi};
}

StatusOr<std::optional<std::string_view>> Txn::Get(Table t,
                                                   std::string_view key) const {
  MDB_val k = Val(key);
  MDB_val v{0, nullptr};
  int rc = mdb_get(txn_, t.dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return std::optional<std::string_view>();
  if (rc != MDB_SUCCESS) return LmdbStatus(rc, "get");
  return std::optional<std::string_view>(
      std::string_view(static_cast<const char*>(v.mv_data), v.mv_size));
}

Status Txn::Put(Table t, std::string_view key, std::string_view value) {
  MDB_val k = Val(key);
  MDB_val v = Val(value);
  return LmdbStatus(mdb_put(txn_, t.dbi, &k, &v, 0), "put");
}

Status Txn::Append(Table t, std::string_view key, std::string_view value) {
  MDB_val k = Val(key);
  MDB_val v = Val(value);
  int rc = mdb_put(txn_, t.dbi, &k, &v, MDB_APPEND);
  if (rc == MDB_KEYEXIST) {  // not past the last key: an ordinary put
    k = Val(key);
    v = Val(value);
    rc = mdb_put(txn_, t.dbi, &k, &v, 0);
  }
  return LmdbStatus(rc, "put");
}

Status Txn::Del(Table t, std::string_view key) {
  MDB_val k = Val(key);
  int rc = mdb_del(txn_, t.dbi, &k, nullptr);
  if (rc == MDB_NOTFOUND) return Status::Ok();
  return LmdbStatus(rc, "del");
}

namespace {

void PutBe64(char* out, uint64_t n) {
  for (int i = 7; i >= 0; --i, n >>= 8) out[i] = static_cast<char>(n & 0xff);
}

}  // namespace

Status Txn::PutNumber(Table t, std::string_view key, uint64_t n) {
  char bytes[8];
  PutBe64(bytes, n);
  MDB_val k = Val(key);
  MDB_val v{sizeof bytes, bytes};
  int rc = mdb_put(txn_, t.dbi, &k, &v, MDB_APPENDDUP);
  if (rc == MDB_KEYEXIST) {  // not above the key's numbers: in its place
    k = Val(key);
    v = MDB_val{sizeof bytes, bytes};
    rc = mdb_put(txn_, t.dbi, &k, &v, MDB_NODUPDATA);
    if (rc == MDB_KEYEXIST) return Status::Ok();  // already there
  }
  return LmdbStatus(rc, "put");
}

Status Txn::DelNumber(Table t, std::string_view key, uint64_t n) {
  char bytes[8];
  PutBe64(bytes, n);
  MDB_val k = Val(key);
  MDB_val v{sizeof bytes, bytes};
  int rc = mdb_del(txn_, t.dbi, &k, &v);
  if (rc == MDB_NOTFOUND) return Status::Ok();
  return LmdbStatus(rc, "del");
}

// ---------------------------------------------------------------- Cursor

StatusOr<Cursor> Cursor::Open(const Txn& txn, Table t) {
  MDB_cursor* c = nullptr;
  if (int rc = mdb_cursor_open(txn.get(), t.dbi, &c); rc != MDB_SUCCESS)
    return LmdbStatus(rc, "open cursor");
  return Cursor(c);
}

Cursor::Cursor(Cursor&& o) noexcept
    : cursor_(std::exchange(o.cursor_, nullptr)),
      key_(o.key_),
      value_(o.value_) {}

Cursor& Cursor::operator=(Cursor&& o) noexcept {
  if (this != &o) {
    if (cursor_) mdb_cursor_close(cursor_);
    cursor_ = std::exchange(o.cursor_, nullptr);
    key_ = o.key_;
    value_ = o.value_;
  }
  return *this;
}

Cursor::~Cursor() {
  if (cursor_) mdb_cursor_close(cursor_);
}

StatusOr<bool> Cursor::Move(MDB_cursor_op op) {
  int rc = mdb_cursor_get(cursor_, &key_, &value_, op);
  if (rc == MDB_NOTFOUND) return false;
  if (rc != MDB_SUCCESS) return LmdbStatus(rc, "cursor");
  return true;
}

StatusOr<bool> Cursor::Seek(std::string_view key) {
  key_ = Val(key);
  return Move(MDB_SET_RANGE);
}
StatusOr<bool> Cursor::First() { return Move(MDB_FIRST); }
StatusOr<bool> Cursor::Last() { return Move(MDB_LAST); }
StatusOr<bool> Cursor::Next() { return Move(MDB_NEXT); }
StatusOr<bool> Cursor::Prev() { return Move(MDB_PREV); }

StatusOr<bool> Cursor::AtOrBelowNumber(std::string_view key, uint64_t n) {
  key_ = Val(key);
  if (n != UINT64_MAX) {
    // The first number above n, then the one before it; none above: the
    // key's last.
    PutBe64(wanted_, n + 1);
    value_ = MDB_val{sizeof wanted_, wanted_};
    auto above = Move(MDB_GET_BOTH_RANGE);
    if (!above.ok()) return above.status();
    if (*above) return Move(MDB_PREV_DUP);
    key_ = Val(key);
  }
  auto found = Move(MDB_SET_KEY);
  if (!found.ok() || !*found) return found;
  return Move(MDB_LAST_DUP);
}

StatusOr<bool> Cursor::PrevNumber() { return Move(MDB_PREV_DUP); }

uint64_t Cursor::number() const {
  uint64_t n = 0;
  const auto* p = static_cast<const unsigned char*>(value_.mv_data);
  for (size_t i = 0; i < value_.mv_size && i < 8; ++i) n = (n << 8) | p[i];
  return n;
}

}  // namespace helpdesk::store
