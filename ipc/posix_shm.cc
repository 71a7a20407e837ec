// POSIX shared memory calls.
#include "ipc/posix_shm.h"

#include <dirent.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>

#include "ipc/names.h"

namespace ipcfs::ipc {

namespace {

// A shm object's file is its memory: its own block count says what the object uses.
ObjectStat shm_stat(const struct stat& st) {
  ObjectStat s = from_file_stat(st);
  s.blocks = int64_t(st.st_blocks);
  return s;
}

// Where glibc's shm_open puts its objects.
constexpr const char* kShmDir = "/dev/shm";

// glibc's sem_open keeps semaphore "/X" as /dev/shm/sem.X: not a shared memory object to us.
bool is_semaphore_file(std::string_view name) {
  return name.substr(0, 4) == "sem.";
}

}  // namespace

Result<PosixShm> PosixShm::open(std::string_view name, int oflag, mode_t mode) {
  if (int e = check_posix_name(name); e < 0) return Result<PosixShm>::failure(e);
  if (is_semaphore_file(name))
    return Result<PosixShm>::failure((oflag & O_CREAT) ? -EINVAL : -ENOENT);
  // O_NONBLOCK: the name's owner can swap a FIFO in (rename(2) in /dev/shm) between a stat and
  // this open, which would otherwise wait for a writer on a libfuse worker thread, the caller
  // unkillable meanwhile. Nothing but a regular file is an object.
  int fd = ::shm_open(posix_path(name).c_str(), oflag | O_CLOEXEC | O_NONBLOCK, mode);
  if (fd < 0) return Result<PosixShm>::failure(neg_errno());
  PosixShm shm(fd);
  struct stat st {};
  if (::fstat(fd, &st) < 0) return Result<PosixShm>::failure(neg_errno());
  if (!S_ISREG(st.st_mode)) return Result<PosixShm>::failure(-ENOENT);
  return shm;
}

int PosixShm::unlink(std::string_view name) {
  if (int e = check_posix_name(name); e < 0) return e;
  if (is_semaphore_file(name)) return -ENOENT;
  return check(::shm_unlink(posix_path(name).c_str()));
}

Result<ObjectStat> PosixShm::stat_name(std::string_view name) {
  if (int e = check_posix_name(name); e < 0) return Result<ObjectStat>::failure(e);
  if (is_semaphore_file(name)) return Result<ObjectStat>::failure(-ENOENT);
  std::string path = std::string(kShmDir) + posix_path(name);
  struct stat st {};
  if (::lstat(path.c_str(), &st) < 0) return Result<ObjectStat>::failure(neg_errno());
  // shm_open only ever makes regular files; anything else there is not an object.
  if (!S_ISREG(st.st_mode)) return Result<ObjectStat>::failure(-ENOENT);
  return shm_stat(st);
}

Result<std::vector<std::string>> PosixShm::list() {
  using R = Result<std::vector<std::string>>;
  DIR* d = ::opendir(kShmDir);
  if (!d) return R::failure(neg_errno());
  std::vector<std::string> names;
  while (dirent* e = ::readdir(d)) {
    std::string_view n(e->d_name);
    if (n == "." || n == ".." || is_semaphore_file(n)) continue;
    if (e->d_type != DT_REG && e->d_type != DT_UNKNOWN) continue;
    names.emplace_back(n);
  }
  ::closedir(d);
  return names;
}

Result<ObjectStat> PosixShm::stat() const {
  struct stat st {};
  if (::fstat(fd_.get(), &st) < 0) return Result<ObjectStat>::failure(neg_errno());
  return shm_stat(st);
}

int PosixShm::truncate(uint64_t size) const {
  if (size > uint64_t(INT64_MAX)) return -EFBIG;
  return check(::ftruncate(fd_.get(), off_t(size)));
}

int PosixShm::chmod(mode_t mode) const {
  return check(::fchmod(fd_.get(), mode));
}

int PosixShm::chown(uid_t uid, gid_t gid) const {
  return check(::fchown(fd_.get(), uid, gid));
}

}  // namespace ipcfs::ipc
