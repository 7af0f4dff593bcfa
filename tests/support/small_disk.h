#pragma once
// A small real filesystem for disk-full tests: a tmpfs of a given size
// mounted at a fresh directory in a private mount namespace of the calling
// thread, so only that thread and the threads and processes it starts
// afterwards (a daemon it forks) see it, and nothing of it reaches the
// machine's mounts. Needs CAP_SYS_ADMIN (root, as in CI); without it
// ok() is false and error() says why, for GTEST_SKIP. Not thread-safe: the
// test thread that made it uses it.

#include <cstddef>
#include <string>

namespace helpdesk::testing {

class SmallDisk {
 public:
  // Mounts a tmpfs of `bytes` at `path` (created).
  SmallDisk(std::string path, size_t bytes);
  ~SmallDisk();  // unmounts
  SmallDisk(const SmallDisk&) = delete;
  SmallDisk& operator=(const SmallDisk&) = delete;

  bool ok() const { return error_.empty(); }
  const std::string& error() const { return error_; }
  const std::string& path() const { return path_; }

  // Fills what is left with a ballast file, so the next write that needs
  // a new block gets ENOSPC; Free() removes the ballast.
  void Fill();
  void Free();

 private:
  std::string path_;
  std::string error_;
  bool mounted_ = false;
};

}  // namespace helpdesk::testing
