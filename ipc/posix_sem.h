// POSIX named semaphores: RAII over sem_t* (sem_open/sem_post/sem_trywait/sem_getvalue/
// sem_unlink), and their metadata through the file glibc keeps them in, /dev/shm/sem.NAME.
// Nothing here blocks.
#pragma once

#include <limits.h>
#include <semaphore.h>
#include <sys/types.h>

#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "ipc/object_stat.h"
#include "ipc/result.h"

namespace ipcfs::ipc {

// "sem." takes 4 bytes of the file name.
constexpr size_t kPosixSemNameMax = NAME_MAX - 4;

class NamedSemaphore {
 public:
  // Opens the existing "/NAME". Its file must be a regular file (not a symlink) at least as big
  // as a sem_t, so that a file planted in /dev/shm cannot make the mapping fault.
  static Result<NamedSemaphore> open(std::string_view name);
  // Makes "/NAME" with VALUE, owned by UID:GID with exactly MODE (no umask); -EEXIST if it
  // exists. On any failure nothing is left behind.
  static Result<NamedSemaphore> create(std::string_view name, mode_t mode, unsigned value,
                                       uid_t uid, gid_t gid);
  static int unlink(std::string_view name);

  NamedSemaphore(NamedSemaphore&& o) noexcept : sem_(std::exchange(o.sem_, nullptr)) {}
  NamedSemaphore& operator=(NamedSemaphore&& o) noexcept {
    if (this != &o) {
      close();
      sem_ = std::exchange(o.sem_, nullptr);
    }
    return *this;
  }
  NamedSemaphore(const NamedSemaphore&) = delete;
  NamedSemaphore& operator=(const NamedSemaphore&) = delete;
  ~NamedSemaphore() { close(); }

  // Each is -EIO, and the daemon lives, if the file was truncated under the mapping.
  int post() const;     // -EOVERFLOW at SEM_VALUE_MAX
  int trywait() const;  // -EAGAIN at 0
  Result<unsigned> value() const;

 private:
  explicit NamedSemaphore(sem_t* s) : sem_(s) {}
  void close();
  sem_t* sem_ = nullptr;
};

// Names of the semaphores (regular files /dev/shm/sem.NAME), without "sem.".
Result<std::vector<std::string>> list_posix_sems();
// Mode, owner, times and inode of /dev/shm/sem.NAME; size 0 (the caller knows the text).
Result<ObjectStat> stat_posix_sem(std::string_view name);
// fchmod / fchown of /dev/shm/sem.NAME; (uid_t)-1 / (gid_t)-1 leave that part. With SERIAL
// (not 0): -ESTALE, changing nothing, unless the file is that inode.
int chmod_posix_sem(std::string_view name, mode_t mode, uint64_t serial = 0);
int chown_posix_sem(std::string_view name, uid_t uid, gid_t gid, uint64_t serial = 0);

}  // namespace ipcfs::ipc
