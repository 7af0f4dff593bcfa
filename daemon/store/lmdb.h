#pragma once
// Thin RAII over LMDB in the lmdbxx manner: move-only handles, a transaction
// aborts in its destructor unless committed, MDB_NOTFOUND is an ordinary
// result (std::nullopt), and LMDB error codes become Status here and only
// here. Values returned as std::string_view point into the map and are valid
// only until the transaction ends: copy or parse before that.
//
// Thread-safety: an Env is shared by all threads. A Txn belongs to the
// thread that began it (the Env is opened with MDB_NOTLS, so read
// transactions are not tied to threads, but one Txn is never used by two
// threads at once). Only one write transaction exists at a time: the
// writer's.

#include <lmdb.h>

#include <cstddef>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <vector>

#include "proto/status.h"

namespace helpdesk::store {

// Maps an LMDB return code to a Status; `what` says which call failed.
Status LmdbStatus(int rc, std::string_view what);

class Txn;

class Env {
 public:
  struct Options {
    std::string dir;
    size_t map_size = size_t{64} << 20;
    unsigned max_dbs = 16;
  };
  // Opens (creating the directory if needed) the environment in `dir`.
  static StatusOr<Env> Open(const Options& options);

  Env(Env&& other) noexcept;
  Env& operator=(Env&& other) noexcept;
  Env(const Env&) = delete;
  Env& operator=(const Env&) = delete;
  ~Env();

  MDB_env* get() const { return env_; }
  size_t map_size() const { return map_size_; }

  // Grows the map to `bytes`. Takes the resize lock exclusively, so it waits
  // for every read transaction begun through this Env to end. Call only
  // from the writer thread with no write transaction open.
  Status Resize(size_t bytes);

  // Held shared by every transaction, exclusively by Resize (LMDB requires
  // that no transaction is active in the process while the map is resized).
  std::shared_mutex& resize_mutex() const { return shared_->resize_mutex; }

 private:
  friend class Txn;
  // Reset read transactions kept for reuse: renewing one skips acquiring a
  // reader slot, which matters at tens of thousands of reads a second.
  struct Shared {
    std::shared_mutex resize_mutex;
    std::mutex pool_mutex;
    std::vector<MDB_txn*> read_pool;  // guarded by pool_mutex
  };
  Env(MDB_env* env, size_t map_size);
  void Close();
  MDB_env* env_ = nullptr;
  size_t map_size_ = 0;
  std::unique_ptr<Shared> shared_;
};

// A named table (LMDB "database"). Plain value: the handle stays valid for
// the life of the Env.
struct Table {
  MDB_dbi dbi = 0;
};

class Txn {
 public:
  static StatusOr<Txn> BeginRead(const Env& env);
  static StatusOr<Txn> BeginWrite(const Env& env);

  Txn(Txn&& other) noexcept;
  Txn& operator=(Txn&& other) noexcept;
  Txn(const Txn&) = delete;
  Txn& operator=(const Txn&) = delete;
  ~Txn();  // aborts unless committed

  Status Commit();
  MDB_txn* get() const { return txn_; }

  // Opens (in a write transaction: creating) the named table.
  StatusOr<Table> OpenTable(const char* name, bool create);

  StatusOr<std::optional<std::string_view>> Get(Table t,
                                                std::string_view key) const;
  Status Put(Table t, std::string_view key, std::string_view value);
  // Deleting a key that is not there is not an error.
  Status Del(Table t, std::string_view key);

 private:
  Txn(MDB_txn* txn, std::shared_lock<std::shared_mutex> lock,
      Env::Shared* pool);
  void End();
  MDB_txn* txn_ = nullptr;
  Env::Shared* pool_ = nullptr;  // set for read transactions
  std::shared_lock<std::shared_mutex> resize_lock_;
};

// A cursor over one table, positioned by Seek/First/Last and moved by
// Next/Prev. Each positioning call returns false at the table's end.
class Cursor {
 public:
  static StatusOr<Cursor> Open(const Txn& txn, Table t);
  Cursor(Cursor&& other) noexcept;
  Cursor& operator=(Cursor&& other) noexcept;
  Cursor(const Cursor&) = delete;
  Cursor& operator=(const Cursor&) = delete;
  ~Cursor();

  // Positions at the first key >= `key`.
  StatusOr<bool> Seek(std::string_view key);
  StatusOr<bool> First();
  StatusOr<bool> Last();
  StatusOr<bool> Next();
  StatusOr<bool> Prev();

  std::string_view key() const { return Span(key_); }
  std::string_view value() const { return Span(value_); }

 private:
  explicit Cursor(MDB_cursor* c) : cursor_(c) {}
  StatusOr<bool> Move(MDB_cursor_op op);
  static std::string_view Span(const MDB_val& v) {
    return {static_cast<const char*>(v.mv_data), v.mv_size};
  }
  MDB_cursor* cursor_ = nullptr;
  MDB_val key_{0, nullptr};
  MDB_val value_{0, nullptr};
};

}  // namespace helpdesk::store
