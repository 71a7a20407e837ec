// POSIX shared memory objects: RAII descriptors over shm_open, and the listing of /dev/shm
// (where glibc keeps them) without the "sem.NAME" files that are POSIX semaphores.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/fd.h"
#include "ipc/object_stat.h"
#include "ipc/result.h"

namespace ipcfs::ipc {

class PosixShm {
 public:
  // Opens "/NAME". oflag is O_RDONLY/O_RDWR, optionally | O_CREAT | O_EXCL | O_TRUNC.
  // "sem.*" names belong to POSIX semaphores: -ENOENT, or -EINVAL when creating.
  static Result<PosixShm> open(std::string_view name, int oflag, mode_t mode = 0);
  static int unlink(std::string_view name);
  // Owner, mode, times and size of "/NAME" without opening it (no read permission needed).
  static Result<ObjectStat> stat_name(std::string_view name);
  // Names of the objects, without the leading '/'.
  static Result<std::vector<std::string>> list();

  // size = st_size, serial = the inode number.
  Result<ObjectStat> stat() const;
  int truncate(uint64_t size) const;
  int chmod(mode_t mode) const;
  int chown(uid_t uid, gid_t gid) const;

  int fd() const { return fd_.get(); }

 private:
  explicit PosixShm(int fd) : fd_(fd) {}
  UniqueFd fd_;
};

}  // namespace ipcfs::ipc
