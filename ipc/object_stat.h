// ObjectStat: what the kernel says about one IPC object, in the same shape for every kind.
#pragma once

#include <sys/types.h>
#include <time.h>

#include <cstdint>

namespace ipcfs::ipc {

struct ObjectStat {
  mode_t mode = 0;  // permission bits only (07777)
  uid_t uid = 0;
  gid_t gid = 0;
  uid_t cuid = 0;  // creator (System V); same as uid for POSIX objects
  gid_t cgid = 0;
  uint64_t size = 0;  // bytes queued, segment size, ... (SPEC §5)
  timespec atime{};
  timespec mtime{};
  timespec ctime{};
  // Identity of the object while it lives: the backing inode number for POSIX objects, the id
  // for System V ones. A new object under the same name gets a different serial.
  uint64_t serial = 0;
};

}  // namespace ipcfs::ipc
