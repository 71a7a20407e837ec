// ActingAs: per-thread credentials through the raw system calls. glibc's setresuid() would change
// every thread of the daemon (it broadcasts the change to all of them); the system call itself
// changes only the caller's. Real and saved ids stay root's, so the way back is always allowed.
#include "ipc/acting_as.h"

#include <sys/syscall.h>
#include <unistd.h>

#include <cstdlib>

namespace ipcfs::ipc {

namespace {

long set_effective_uid(uid_t uid) {
  return ::syscall(SYS_setresuid, uid_t(-1), uid, uid_t(-1));
}
long set_effective_gid(gid_t gid) {
  return ::syscall(SYS_setresgid, gid_t(-1), gid, gid_t(-1));
}

}  // namespace

ActingAs::ActingAs(uid_t uid, gid_t gid) : old_uid_(::geteuid()), old_gid_(::getegid()) {
  if (old_uid_ != 0 || (uid == old_uid_ && gid == old_gid_)) return;
  // The group first: once the uid is not root's, changing the group is no longer allowed.
  if (set_effective_gid(gid) != 0) return;
  if (set_effective_uid(uid) != 0) {
    (void)set_effective_gid(old_gid_);
    return;
  }
  changed_ = true;
}

ActingAs::~ActingAs() {
  if (!changed_) return;
  // Root again (the saved uid is root's), then the group. A thread that could not get its own
  // identity back would go on serving requests as someone else: nothing is safe after that.
  if (set_effective_uid(old_uid_) != 0 || set_effective_gid(old_gid_) != 0) std::abort();
}

}  // namespace ipcfs::ipc
