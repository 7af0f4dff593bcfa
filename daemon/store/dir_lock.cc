#include "daemon/store/dir_lock.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace helpdesk::store {

StatusOr<DirLock> DirLock::Acquire(const std::string& dir) {
  if (mkdir(dir.c_str(), 0750) != 0 && errno != EEXIST)
    return Status::Internal("cannot create " + dir + ": " +
                            std::strerror(errno));
  const std::string path = dir + "/helpdeskd.lock";
  int fd = open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0640);
  if (fd < 0)
    return Status::Internal("cannot open " + path + ": " +
                            std::strerror(errno));
  if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
    int err = errno;
    char pid[32] = {};
    ssize_t n = pread(fd, pid, sizeof pid - 1, 0);
    close(fd);
    std::string holder = n > 0 ? std::string(pid, strcspn(pid, "\n")) : "?";
    if (err == EWOULDBLOCK)
      return Status::Unavailable(dir + " is in use by another process (pid " +
                                 holder + "): a running helpdeskd?");
    return Status::Internal("cannot lock " + path + ": " + std::strerror(err));
  }
  // The pid is only a hint for the message above; the flock is the lock.
  std::string pid = std::to_string(getpid()) + "\n";
  if (ftruncate(fd, 0) != 0 || pwrite(fd, pid.data(), pid.size(), 0) < 0) {
    // Not fatal: the lock holds without the hint.
  }
  return DirLock(fd);
}

DirLock& DirLock::operator=(DirLock&& other) noexcept {
  if (this != &other) {
    if (fd_ >= 0) close(fd_);
    fd_ = other.fd_;
    other.fd_ = -1;
  }
  return *this;
}

DirLock::~DirLock() {
  if (fd_ >= 0) close(fd_);
}

}  // namespace helpdesk::store
