// ObjectStat: what the kernel says about one IPC object, in the same shape for every kind.
#pragma once

#include <sys/ipc.h>
#include <sys/stat.h>
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
  // 512-byte blocks in use where a file holds the object's bytes (a sparse POSIX shm object
  // uses fewer than its size); -1: counted from size.
  int64_t blocks = -1;
  timespec atime{};
  timespec mtime{};
  timespec ctime{};
  // Identity of the object while it lives: the backing inode number for POSIX objects, the id
  // for System V ones. A new object under the same name gets a different serial.
  uint64_t serial = 0;
};

// A POSIX object's facts from its backing file (mqueue fs, /dev/shm): the file's own mode,
// owner, size, times and inode. POSIX objects have no separate creator.
inline ObjectStat from_file_stat(const struct stat& st) {
  ObjectStat s;
  s.mode = st.st_mode & 07777;
  s.uid = s.cuid = st.st_uid;
  s.gid = s.cgid = st.st_gid;
  s.size = uint64_t(st.st_size);
  s.atime = st.st_atim;
  s.mtime = st.st_mtim;
  s.ctime = st.st_ctim;
  s.serial = st.st_ino;
  return s;
}

// A System V object's owner, creator and permission bits.
inline void set_perm(ObjectStat& s, const ipc_perm& p) {
  s.mode = p.mode & 0777;
  s.uid = p.uid;
  s.gid = p.gid;
  s.cuid = p.cuid;
  s.cgid = p.cgid;
}

}  // namespace ipcfs::ipc
