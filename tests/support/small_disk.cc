#include "tests/support/small_disk.h"

#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <vector>

namespace helpdesk::testing {
namespace {

std::string Why(const char* what) {
  return std::string(what) + ": " + std::strerror(errno) +
         " (a disk-full test needs root, or CAP_SYS_ADMIN, to mount a small "
         "tmpfs in a private mount namespace)";
}

}  // namespace

SmallDisk::SmallDisk(std::string path, size_t bytes) : path_(std::move(path)) {
  if (mkdir(path_.c_str(), 0750) != 0 && errno != EEXIST) {
    error_ = Why("mkdir");
    return;
  }
  // The namespace is this thread's own; marking every mount private keeps
  // the tmpfs from propagating back to the machine's namespace.
  if (unshare(CLONE_NEWNS) != 0) {
    error_ = Why("unshare(CLONE_NEWNS)");
    return;
  }
  if (mount("none", "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0) {
    error_ = Why("making the mounts private");
    return;
  }
  const std::string options = "size=" + std::to_string(bytes) + ",mode=0750";
  if (mount("tmpfs", path_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV,
            options.c_str()) != 0) {
    error_ = Why("mounting a tmpfs");
    return;
  }
  mounted_ = true;
}

SmallDisk::~SmallDisk() {
  if (mounted_) umount2(path_.c_str(), MNT_DETACH);
}

void SmallDisk::Fill() {
  const std::string ballast = path_ + "/ballast";
  int fd = open(ballast.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0640);
  if (fd < 0) return;
  // Whole blocks first, then single bytes into the last partial one.
  std::vector<char> block(4096, 'b');
  while (write(fd, block.data(), block.size()) > 0) {
  }
  while (write(fd, block.data(), 1) > 0) {
  }
  close(fd);
}

void SmallDisk::Free() { unlink((path_ + "/ballast").c_str()); }

}  // namespace helpdesk::testing
