// System V semaphore sets: semget, semop (always IPC_NOWAIT, never SEM_UNDO) and the semctl
// commands ipcfs needs. Waiting is the caller's business: nothing here blocks.
#pragma once

#include <sys/sem.h>
#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ipc/object_stat.h"
#include "ipc/result.h"

namespace ipcfs::ipc {

// The largest value a System V semaphore holds (linux/sem.h SEMVMX).
constexpr uint32_t kSemVmx = 32767;

struct SemSetInfo {
  key_t key = 0;
  uid_t uid = 0;
  gid_t gid = 0;
  uid_t cuid = 0;
  gid_t cgid = 0;
  mode_t mode = 0;  // permission bits (0777)
  unsigned nsems = 0;
  time_t otime = 0;  // last semop, 0 if never
  time_t ctime = 0;  // creation or last semctl change
};

// One semaphore set, by id. The id is not owned: the set lives until someone removes it.
class SemSet {
 public:
  // semget(KEY, NSEMS, IPC_CREAT | IPC_EXCL | MODE): a new set, -EEXIST if KEY has one.
  static Result<SemSet> create(key_t key, unsigned nsems, mode_t mode);
  // The set KEY names; -ENOENT if none. NSEMS > 0 must not exceed its size (else -EINVAL).
  static Result<SemSet> find(key_t key, unsigned nsems = 0);

  explicit SemSet(int id) : id_(id) {}
  int id() const { return id_; }

  // IPC_STAT; when the daemon may not read the set, SEM_STAT_ANY (Linux 4.17+).
  Result<SemSetInfo> info() const;
  Result<std::vector<uint16_t>> values(unsigned nsems) const;  // GETALL
  Result<uint16_t> value(unsigned index) const;                // GETVAL
  int set_values(const std::vector<uint16_t>& values) const;   // SETALL
  int set_value(unsigned index, uint16_t value) const;         // SETVAL
  Result<int> ncnt(unsigned index) const;                      // GETNCNT
  Result<int> zcnt(unsigned index) const;                      // GETZCNT
  Result<pid_t> last_pid(unsigned index) const;                // GETPID
  // One atomic semop of OPS with IPC_NOWAIT added and SEM_UNDO removed: 0, or -EAGAIN when it
  // would wait (nothing applied), or another error.
  int op(std::vector<sembuf> ops) const;
  // IPC_SET: owner and mode (07777 & 0777 is applied by the kernel).
  int set_perm(uid_t uid, gid_t gid, mode_t mode) const;
  int remove() const;  // IPC_RMID

 private:
  int id_;
};

// "1 0 3\n": the text a read of a set (or, with one value, of a semaphore) gives.
std::string format_values(const std::vector<uint16_t>& values);

// The shape every kind shares: mode/owner from the set, mtime its last semop (its ctime if it
// never had one), ctime its last change, size the length of format_values() of its values (0 if
// the daemon may not read them), serial its id.
ObjectStat to_object_stat(const SemSetInfo& info, int id, uint64_t size);

}  // namespace ipcfs::ipc
