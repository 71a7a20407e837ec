// guard_faults: runs a memory access that another process can make fault, and turns the
// fault into -EIO instead of a dead daemon. A POSIX semaphore is a mapping of its file in
// /dev/shm, which its owner (any user) can truncate at any time: the next touch of the mapping
// raises SIGBUS. The handler is process-wide (signals are); it acts only for a thread inside
// guard_faults and otherwise does what SIGBUS did before it was installed.
#pragma once

#include <setjmp.h>

#include <cerrno>

namespace ipcfs::ipc {

namespace detail {
// The guarded access in progress on this thread, if any.
extern thread_local sigjmp_buf* t_fault_jump;
void install_fault_handler();
}  // namespace detail

// Returns ACCESS() (an int, 0 or -errno), or -EIO if it faulted. ACCESS must hold no lock and
// own no resource while it may fault: it is abandoned at the fault (as glibc's sem_post,
// sem_trywait and sem_getvalue are: lock-free atomics on the mapping).
template <class Access>
int guard_faults(Access access) {
  detail::install_fault_handler();
  sigjmp_buf jump;
  // Mask not saved (no system call): the handler is SA_NODEFER, so SIGBUS is never left
  // blocked by the jump.
  if (sigsetjmp(jump, 0) != 0) {
    detail::t_fault_jump = nullptr;
    return -EIO;
  }
  detail::t_fault_jump = &jump;
  int r = access();
  detail::t_fault_jump = nullptr;
  return r;
}

}  // namespace ipcfs::ipc
