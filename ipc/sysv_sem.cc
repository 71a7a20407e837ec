// System V semaphore calls.
#include "ipc/sysv_sem.h"

#include <sys/ipc.h>

#include <cerrno>

namespace ipcfs::ipc {

namespace {

// The caller must define it (semctl(2)).
union semun {
  int val;
  semid_ds* buf;
  unsigned short* array;
};

#ifndef SEM_STAT_ANY
constexpr int SEM_STAT_ANY = 20;
#endif

SemSetInfo from_ds(const semid_ds& ds) {
  SemSetInfo i;
  i.key = ds.sem_perm.__key;
  i.uid = ds.sem_perm.uid;
  i.gid = ds.sem_perm.gid;
  i.cuid = ds.sem_perm.cuid;
  i.cgid = ds.sem_perm.cgid;
  i.mode = ds.sem_perm.mode & 0777;
  i.nsems = unsigned(ds.sem_nsems);
  i.otime = ds.sem_otime;
  i.ctime = ds.sem_ctime;
  return i;
}

}  // namespace

Result<SemSet> SemSet::create(key_t key, unsigned nsems, mode_t mode) {
  int id = ::semget(key, int(nsems), IPC_CREAT | IPC_EXCL | int(mode & 0777));
  if (id < 0) return Result<SemSet>::failure(neg_errno());
  return SemSet(id);
}

Result<SemSet> SemSet::find(key_t key, unsigned nsems) {
  int id = ::semget(key, int(nsems), 0);
  if (id < 0) return Result<SemSet>::failure(neg_errno());
  return SemSet(id);
}

Result<SemSetInfo> SemSet::info() const {
  semid_ds ds{};
  semun arg{};
  arg.buf = &ds;
  if (::semctl(id_, 0, IPC_STAT, arg) == 0) return from_ds(ds);
  int e = neg_errno();
  if (e != -EACCES) return Result<SemSetInfo>::failure(e);
  // SEM_STAT_ANY looks up the index part of its argument and returns the full id of what it
  // found, which must be ours (and not a newer set in the same slot).
  if (::semctl(id_, 0, SEM_STAT_ANY, arg) == id_) return from_ds(ds);
  return Result<SemSetInfo>::failure(e);
}

Result<std::vector<uint16_t>> SemSet::values(unsigned nsems) const {
  std::vector<uint16_t> v(nsems);
  semun arg{};
  arg.array = v.data();
  if (::semctl(id_, 0, GETALL, arg) < 0) return Result<std::vector<uint16_t>>::failure(neg_errno());
  return v;
}

Result<uint16_t> SemSet::value(unsigned index) const {
  int v = ::semctl(id_, int(index), GETVAL);
  if (v < 0) return Result<uint16_t>::failure(neg_errno());
  return uint16_t(v);
}

int SemSet::set_values(const std::vector<uint16_t>& values) const {
  std::vector<uint16_t> copy = values;  // semctl wants a non-const array
  semun arg{};
  arg.array = copy.data();
  return check(::semctl(id_, 0, SETALL, arg));
}

int SemSet::set_value(unsigned index, uint16_t value) const {
  semun arg{};
  arg.val = value;
  return check(::semctl(id_, int(index), SETVAL, arg));
}

Result<int> SemSet::ncnt(unsigned index) const {
  int v = ::semctl(id_, int(index), GETNCNT);
  if (v < 0) return Result<int>::failure(neg_errno());
  return v;
}

Result<int> SemSet::zcnt(unsigned index) const {
  int v = ::semctl(id_, int(index), GETZCNT);
  if (v < 0) return Result<int>::failure(neg_errno());
  return v;
}

Result<pid_t> SemSet::last_pid(unsigned index) const {
  int v = ::semctl(id_, int(index), GETPID);
  if (v < 0) return Result<pid_t>::failure(neg_errno());
  return pid_t(v);
}

int SemSet::op(std::vector<sembuf> ops) const {
  for (sembuf& o : ops) o.sem_flg = short((o.sem_flg | IPC_NOWAIT) & ~SEM_UNDO);
  return check(::semop(id_, ops.data(), ops.size()));
}

int SemSet::set_perm(uid_t uid, gid_t gid, mode_t mode) const {
  semid_ds ds{};
  ds.sem_perm.uid = uid;
  ds.sem_perm.gid = gid;
  ds.sem_perm.mode = static_cast<unsigned short>(mode & 0777);
  semun arg{};
  arg.buf = &ds;
  return check(::semctl(id_, 0, IPC_SET, arg));
}

int SemSet::remove() const {
  return check(::semctl(id_, 0, IPC_RMID));
}

std::string format_values(const std::vector<uint16_t>& values) {
  std::string s;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) s += ' ';
    s += std::to_string(values[i]);
  }
  s += '\n';
  return s;
}

ObjectStat to_object_stat(const SemSetInfo& info, int id, uint64_t size) {
  ObjectStat s;
  s.mode = info.mode;
  s.uid = info.uid;
  s.gid = info.gid;
  s.cuid = info.cuid;
  s.cgid = info.cgid;
  s.size = size;
  s.mtime.tv_sec = info.otime ? info.otime : info.ctime;
  s.atime = s.mtime;
  s.ctime.tv_sec = info.ctime;
  s.serial = uint64_t(id);
  return s;
}

}  // namespace ipcfs::ipc
