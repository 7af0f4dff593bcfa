#pragma once
// An exclusive lock on a data directory, so that one process at a time
// writes it: the daemon holds it while it runs, and `helpdeskctl` holds it
// for an offline change of a stopped daemon's data. LMDB itself would let
// two writers take turns, but the writer's sequence counters live in memory
// and must not be overtaken. flock(2) on <dir>/helpdeskd.lock, released by
// the kernel when the process ends, even by kill -9: no stale lock files.
// Move-only; the lock is released when the object goes.

#include <string>

#include "proto/status.h"

namespace helpdesk::store {

class DirLock {
 public:
  // Creates `dir` if needed and locks it; kUnavailable naming the holder's
  // pid if another process has it.
  static StatusOr<DirLock> Acquire(const std::string& dir);

  DirLock(DirLock&& other) noexcept : fd_(other.fd_) { other.fd_ = -1; }
  DirLock& operator=(DirLock&& other) noexcept;
  DirLock(const DirLock&) = delete;
  DirLock& operator=(const DirLock&) = delete;
  ~DirLock();

 private:
  explicit DirLock(int fd) : fd_(fd) {}
  int fd_ = -1;
};

}  // namespace helpdesk::store
