#pragma once
// A fresh directory for one test, made with mkdtemp under $TMPDIR (or
// /tmp), removed with everything in it on destruction. Aborts loudly if it
// cannot be made: a test can do nothing without it. One test thread owns
// it.

#include <string>

namespace helpdesk::testing {

class ScratchDir {
 public:
  ScratchDir();
  ~ScratchDir();
  ScratchDir(const ScratchDir&) = delete;
  ScratchDir& operator=(const ScratchDir&) = delete;
  const std::string& path() const { return path_; }

 private:
  std::string path_;
};

}  // namespace helpdesk::testing
