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

#include <atomic>
#include <chrono>
#include <condition_variable>
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
class Env;

// After a write transaction failed with `failure`: grows a full map
// (doubling, up to `max_map_size`) and returns ok, to run it again; else
// returns the failure as an operator can act on it (a map full at its
// limit, a full disk with the bytes left), or as it was.
Status GrowMapOrExplain(Env& env, const Status& failure, size_t max_map_size);

class Env {
 public:
  struct Options {
    std::string dir;
    size_t map_size = size_t{64} << 20;
    unsigned max_dbs = 32;
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
  const std::string& dir() const { return dir_; }

  // How long Resize waits for the transactions already open to end.
  static constexpr std::chrono::milliseconds kResizeWait{5000};

  // Grows the map to `bytes`. LMDB requires that no transaction is active
  // in the process meanwhile: new transactions wait while a growth is
  // pending (so a stream of reads cannot starve it), and it waits at most
  // `wait` for those already open to end, else kUnavailable. Call only
  // from the writer thread (or at start-up) with no transaction open.
  Status Resize(size_t bytes, std::chrono::milliseconds wait = kResizeWait);

 private:
  friend class Txn;
  using ResizeLock = std::shared_lock<std::shared_timed_mutex>;
  // Reset read transactions kept for reuse: renewing one skips acquiring a
  // reader slot, which matters at tens of thousands of reads a second.
  struct Shared {
    // Held shared by every transaction, exclusively by Resize.
    std::shared_timed_mutex resize_mutex;
    // Set while Resize waits for the lock; new transactions wait for it to
    // clear (guarded by gate_mutex; read without it as a fast path).
    std::atomic<bool> growing{false};
    std::mutex gate_mutex;
    std::condition_variable gate;
    std::mutex pool_mutex;
    std::vector<MDB_txn*> read_pool;  // guarded by pool_mutex
  };
  Env(MDB_env* env, size_t map_size, std::string dir);
  void Close();
  // The resize lock a transaction holds, taken behind any pending growth.
  ResizeLock EnterTxn() const;
  MDB_env* env_ = nullptr;
  size_t map_size_ = 0;
  std::string dir_;
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

  // Opens (in a write transaction: creating) the named table. A table of
  // numbers (`numbers`) holds under each key a sorted set of 8-byte
  // numbers, big-endian (LMDB's MDB_DUPSORT | MDB_DUPFIXED): each key is
  // stored once and its numbers packed, where a key per number costs the
  // key again and a node for each. Its own calls are PutNumber, DelNumber
  // and the cursor's *Number calls; Get answers the smallest number.
  StatusOr<Table> OpenTable(const char* name, bool create,
                            bool numbers = false);

  StatusOr<std::optional<std::string_view>> Get(Table t,
                                                std::string_view key) const;
  Status Put(Table t, std::string_view key, std::string_view value);
  // Put for a key that sorts after every key in the table (a new ticket,
  // an event): a full last page is split at its end, not in half, so a
  // table written in key order fills its pages rather than half of each.
  // A key that does not sort last is put as Put puts it.
  Status Append(Table t, std::string_view key, std::string_view value);
  // Deleting a key that is not there is not an error. In a table of
  // numbers, deletes the key with all its numbers.
  Status Del(Table t, std::string_view key);

  // In a table of numbers: adds `n` under `key` (already there: nothing
  // changes). A number above every other under its key (a new ticket) is
  // appended: a full page of them is split at its end, not in half.
  Status PutNumber(Table t, std::string_view key, uint64_t n);
  // Takes `n` from under `key`; one that is not there is not an error.
  Status DelNumber(Table t, std::string_view key, uint64_t n);

 private:
  Txn(MDB_txn* txn, Env::ResizeLock lock, Env::Shared* pool);
  void End();
  MDB_txn* txn_ = nullptr;
  Env::Shared* pool_ = nullptr;  // set for read transactions
  Env::ResizeLock resize_lock_;
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

  // In a table of numbers, each positions among the numbers of one key
  // and returns false past them: the largest at or below `n` under `key`
  // (UINT64_MAX: the largest of all), and the next smaller one.
  StatusOr<bool> AtOrBelowNumber(std::string_view key, uint64_t n);
  StatusOr<bool> PrevNumber();
  // The number the cursor is at (value() as a number).
  uint64_t number() const;

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
  char wanted_[8] = {};  // the number AtOrBelowNumber looks up
};

}  // namespace helpdesk::store
