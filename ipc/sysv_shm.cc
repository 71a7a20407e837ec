// System V shared memory calls.
#include "ipc/sysv_shm.h"

#include <sys/ipc.h>
#include <sys/shm.h>

namespace ipcfs::ipc {

namespace {

ShmStat to_stat(const shmid_ds& ds, int id) {
  ShmStat s;
  ObjectStat& o = s.object;
  set_perm(o, ds.shm_perm);
  o.size = ds.shm_segsz;
  // SPEC §6: atime = last attach; mtime = ctime = last change (creation or IPC_SET). The kernel
  // keeps no time of the last store, so there is nothing better for mtime.
  o.ctime.tv_sec = ds.shm_ctime;
  o.mtime = o.ctime;
  o.atime.tv_sec = ds.shm_atime ? ds.shm_atime : ds.shm_ctime;
  o.serial = uint64_t(id);
  s.key = ds.shm_perm.__key;
  s.nattch = ds.shm_nattch;
  s.cpid = ds.shm_cpid;
  s.lpid = ds.shm_lpid;
  s.atime = ds.shm_atime;
  s.dtime = ds.shm_dtime;
  s.ctime = ds.shm_ctime;
  s.dest = (ds.shm_perm.mode & SHM_DEST) != 0;
  s.locked = (ds.shm_perm.mode & SHM_LOCKED) != 0;
  return s;
}

}  // namespace

Result<int> SysvShm::create(key_t key, uint64_t size, mode_t mode) {
  if (size == 0 || size > SIZE_MAX) return Result<int>::failure(-EINVAL);
  int id = ::shmget(key, size_t(size), IPC_CREAT | IPC_EXCL | int(mode & 0777));
  if (id < 0) return Result<int>::failure(neg_errno());
  return id;
}

Result<int> SysvShm::find(key_t key) {
  if (key == IPC_PRIVATE) return Result<int>::failure(-ENOENT);
  // Asking for no permission finds the segment whatever its mode; opening it checks later.
  int id = ::shmget(key, 0, 0);
  if (id < 0) return Result<int>::failure(neg_errno());
  return id;
}

Result<ShmStat> SysvShm::stat(int id) {
  shmid_ds ds{};
  if (::shmctl(id, IPC_STAT, &ds) < 0) return Result<ShmStat>::failure(neg_errno());
  return to_stat(ds, id);
}

Result<std::vector<SysvListed>> SysvShm::list_all() {
  static const char* const kCols[] = {"perms", "size", "cpid", "lpid",  "nattch", "uid",
                                      "gid",   "cuid", "cgid", "atime", "dtime",  "ctime"};
  auto fill = [](shmid_ds& ds, auto v) {
    ds.shm_perm.mode = static_cast<unsigned short>(v(0));
    ds.shm_segsz = size_t(v(1));
    ds.shm_cpid = pid_t(v(2));
    ds.shm_lpid = pid_t(v(3));
    ds.shm_nattch = shmatt_t(v(4));
    ds.shm_perm.uid = uid_t(v(5));
    ds.shm_perm.gid = gid_t(v(6));
    ds.shm_perm.cuid = uid_t(v(7));
    ds.shm_perm.cgid = gid_t(v(8));
    ds.shm_atime = time_t(v(9));
    ds.shm_dtime = time_t(v(10));
    ds.shm_ctime = time_t(v(11));
  };
  auto stat = [](int id, shmid_ds* ds) { return ::shmctl(id, IPC_STAT, ds) < 0 ? -errno : 0; };
  return list_table<shmid_ds>(SysvKind::kShm, kCols, fill, stat,
                              [](const shmid_ds& ds, int id) { return to_stat(ds, id).object; });
}

int SysvShm::set(int id, uid_t uid, gid_t gid, mode_t mode) {
  shmid_ds ds{};
  if (::shmctl(id, IPC_STAT, &ds) < 0) return neg_errno();
  ds.shm_perm.uid = uid;
  ds.shm_perm.gid = gid;
  ds.shm_perm.mode = (ds.shm_perm.mode & ~0777) | (mode & 0777);
  return check(::shmctl(id, IPC_SET, &ds));
}

int SysvShm::remove(int id) {
  return check(::shmctl(id, IPC_RMID, nullptr));
}

Result<ShmAttachment> ShmAttachment::attach(int id, bool read_only) {
  shmid_ds ds{};
  if (::shmctl(id, IPC_STAT, &ds) < 0) return Result<ShmAttachment>::failure(neg_errno());
  void* p = ::shmat(id, nullptr, read_only ? SHM_RDONLY : 0);
  if (p == reinterpret_cast<void*>(-1)) return Result<ShmAttachment>::failure(neg_errno());
  return ShmAttachment(p, ds.shm_segsz);
}

ShmAttachment& ShmAttachment::operator=(ShmAttachment&& o) noexcept {
  if (this != &o) {
    if (addr_) ::shmdt(addr_);
    addr_ = std::exchange(o.addr_, nullptr);
    size_ = std::exchange(o.size_, 0);
  }
  return *this;
}

ShmAttachment::~ShmAttachment() {
  if (addr_) ::shmdt(addr_);
}

}  // namespace ipcfs::ipc
