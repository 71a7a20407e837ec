// POSIX named semaphore calls and /dev/shm/sem.NAME metadata.
#include "ipc/posix_sem.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "ipc/fault_guard.h"
#include "ipc/fd.h"
#include "ipc/names.h"

namespace ipcfs::ipc {

namespace {

constexpr char kShmDir[] = "/dev/shm/";

std::string sem_path(std::string_view name) {
  return std::string(kShmDir) + "sem." + std::string(name);
}

// The semaphore's file, never through a symlink.
Result<UniqueFd> open_file(std::string_view name) {
  if (int e = check_posix_name(name, kPosixSemNameMax); e < 0) return Result<UniqueFd>::failure(e);
  UniqueFd fd(::open(sem_path(name).c_str(), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC));
  if (!fd.valid()) {
    int e = neg_errno();
    return Result<UniqueFd>::failure(e == -ELOOP ? -ENOENT : e);
  }
  return fd;
}

}  // namespace

Result<NamedSemaphore> NamedSemaphore::open(std::string_view name) {
  using R = Result<NamedSemaphore>;
  auto fd = open_file(name);
  if (!fd) return R::failure(fd.error());
  struct stat st {};
  if (::fstat(fd->get(), &st) < 0) return R::failure(neg_errno());
  if (!S_ISREG(st.st_mode) || size_t(st.st_size) < sizeof(sem_t)) return R::failure(-EINVAL);
  sem_t* s = ::sem_open(posix_path(name).c_str(), 0);
  if (s == SEM_FAILED) return R::failure(neg_errno());
  return NamedSemaphore(s);
}

Result<NamedSemaphore> NamedSemaphore::create(std::string_view name, mode_t mode, unsigned value,
                                              uid_t uid, gid_t gid) {
  using R = Result<NamedSemaphore>;
  if (int e = check_posix_name(name, kPosixSemNameMax); e < 0) return R::failure(e);
  sem_t* s = ::sem_open(posix_path(name).c_str(), O_CREAT | O_EXCL, mode & 0777, value);
  if (s == SEM_FAILED) return R::failure(neg_errno());
  NamedSemaphore sem(s);
  // sem_open applied the daemon's umask and made the daemon the owner: set both as asked.
  auto fd = open_file(name);
  int e = fd ? 0 : fd.error();
  if (e == 0) e = check(::fchown(fd->get(), uid, gid));
  if (e == 0) e = check(::fchmod(fd->get(), mode & 07777));
  if (e < 0) {
    (void)::sem_unlink(posix_path(name).c_str());
    return R::failure(e);
  }
  return sem;
}

int NamedSemaphore::unlink(std::string_view name) {
  if (int e = check_posix_name(name, kPosixSemNameMax); e < 0) return e;
  return check(::sem_unlink(posix_path(name).c_str()));
}

void NamedSemaphore::close() {
  if (sem_) ::sem_close(sem_);
  sem_ = nullptr;
}

// Each touch of the mapping is guarded: the file's owner may have truncated it (SIGBUS).
int NamedSemaphore::post() const {
  return guard_faults([&] { return check(::sem_post(sem_)); });
}

int NamedSemaphore::trywait() const {
  return guard_faults([&] { return check(::sem_trywait(sem_)); });
}

Result<unsigned> NamedSemaphore::value() const {
  int v = 0;
  if (int e = guard_faults([&] { return check(::sem_getvalue(sem_, &v)); }); e < 0)
    return Result<unsigned>::failure(e);
  return unsigned(v < 0 ? 0 : v);  // Linux reports 0, never minus the waiters
}

Result<std::vector<std::string>> list_posix_sems() {
  using R = Result<std::vector<std::string>>;
  std::vector<std::string> names;
  DIR* d = ::opendir(kShmDir);
  if (!d) return errno == ENOENT ? R(names) : R::failure(neg_errno());
  while (dirent* e = ::readdir(d)) {
    if (std::strncmp(e->d_name, "sem.", 4) != 0) continue;
    std::string_view name(e->d_name + 4);
    if (check_posix_name(name, kPosixSemNameMax) < 0) continue;
    if (e->d_type != DT_REG && e->d_type != DT_UNKNOWN) continue;
    names.emplace_back(name);
  }
  ::closedir(d);
  return names;
}

Result<ObjectStat> stat_posix_sem(std::string_view name) {
  using R = Result<ObjectStat>;
  if (int e = check_posix_name(name, kPosixSemNameMax); e < 0) return R::failure(e);
  // One call, not open+fstat+close: every open of a semaphore file stats it first. Never
  // through a symlink (a link planted in /dev/shm is not a semaphore).
  struct stat st {};
  if (::fstatat(AT_FDCWD, sem_path(name).c_str(), &st, AT_SYMLINK_NOFOLLOW) < 0)
    return R::failure(neg_errno());
  if (!S_ISREG(st.st_mode)) return R::failure(-ENOENT);
  ObjectStat s = from_file_stat(st);
  s.size = 0;  // the sem_t's size is not the file's content; the kind sets it
  return s;
}

// The semaphore's file, if it is the inode SERIAL (any, for 0).
Result<UniqueFd> open_file_of(std::string_view name, uint64_t serial) {
  auto fd = open_file(name);
  if (!fd || serial == 0) return fd;
  struct stat st {};
  if (::fstat(fd->get(), &st) < 0) return Result<UniqueFd>::failure(neg_errno());
  if (uint64_t(st.st_ino) != serial) return Result<UniqueFd>::failure(-ESTALE);
  return fd;
}

int chmod_posix_sem(std::string_view name, mode_t mode, uint64_t serial) {
  auto fd = open_file_of(name, serial);
  return fd ? check(::fchmod(fd->get(), mode & 07777)) : fd.error();
}

int chown_posix_sem(std::string_view name, uid_t uid, gid_t gid, uint64_t serial) {
  auto fd = open_file_of(name, serial);
  return fd ? check(::fchown(fd->get(), uid, gid)) : fd.error();
}

}  // namespace ipcfs::ipc
