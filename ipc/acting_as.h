// ActingAs: the calling thread's effective user and group, changed for one System V call and
// restored, so that the kernel records the caller of an ipcfs operation as the object's creator
// (cuid, cgid) exactly as if it had called msgget/shmget/semget itself (SPEC §7).
#pragma once

#include <sys/types.h>

namespace ipcfs::ipc {

class ActingAs {
 public:
  // Acts as UID:GID if the thread runs as root (effective uid 0) and they differ from it; does
  // nothing otherwise, or if the kernel refuses (active() then says false).
  ActingAs(uid_t uid, gid_t gid);
  ~ActingAs();
  ActingAs(const ActingAs&) = delete;
  ActingAs& operator=(const ActingAs&) = delete;

  bool active() const { return changed_; }

 private:
  bool changed_ = false;
  uid_t old_uid_ = 0;
  gid_t old_gid_ = 0;
};

}  // namespace ipcfs::ipc
