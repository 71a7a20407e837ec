// System V shared memory segments: shmget/shmctl by id or key, and an RAII attachment (shmat
// for its life, shmdt at the end).
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <utility>

#include <vector>

#include "ipc/object_stat.h"
#include "ipc/result.h"
#include "ipc/sysv_list.h"

namespace ipcfs::ipc {

// IPC_STAT of one segment.
struct ShmStat {
  ObjectStat object;  // size = shm_segsz, serial = id; atime = last attach, mtime = ctime
  key_t key = 0;      // IPC_PRIVATE (0) once removed
  uint64_t nattch = 0;
  pid_t cpid = 0;
  pid_t lpid = 0;
  time_t atime = 0;  // the kernel's own times, 0 when never
  time_t dtime = 0;
  time_t ctime = 0;
  bool dest = false;    // removed, waiting for the last detach
  bool locked = false;  // SHM_LOCK
};

class SysvShm {
 public:
  // A new segment for KEY (IPC_CREAT | IPC_EXCL): -EEXIST if KEY is taken; the kernel's -EINVAL
  // (size outside SHMMIN..SHMMAX), -ENOSPC (SHMALL, SHMMNI), -ENOMEM otherwise.
  static Result<int> create(key_t key, uint64_t size, mode_t mode);
  // The id of KEY's segment, -ENOENT if none.
  static Result<int> find(key_t key);
  static Result<ShmStat> stat(int id);
  // Every segment with its facts, from one read of /proc/sysvipc/shm (no IPC_STAT each).
  static Result<std::vector<SysvListed>> list_all();
  // IPC_SET: owner and permission bits.
  static int set(int id, uid_t uid, gid_t gid, mode_t mode);
  // IPC_RMID: gone at once if unattached, else at the last detach.
  static int remove(int id);
};

// One shmat() of a segment, detached when destroyed.
class ShmAttachment {
 public:
  static Result<ShmAttachment> attach(int id, bool read_only);
  ShmAttachment(ShmAttachment&& o) noexcept
      : addr_(std::exchange(o.addr_, nullptr)), size_(std::exchange(o.size_, 0)) {}
  ShmAttachment& operator=(ShmAttachment&& o) noexcept;
  ShmAttachment(const ShmAttachment&) = delete;
  ShmAttachment& operator=(const ShmAttachment&) = delete;
  ~ShmAttachment();

  char* data() const { return static_cast<char*>(addr_); }
  size_t size() const { return size_; }

 private:
  ShmAttachment(void* addr, size_t size) : addr_(addr), size_(size) {}
  void* addr_ = nullptr;
  size_t size_ = 0;
};

}  // namespace ipcfs::ipc
