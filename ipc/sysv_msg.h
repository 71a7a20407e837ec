// System V message queues: msgget/msgsnd/msgrcv/msgctl as non-blocking calls with negative
// errno results. A queue is named by its msqid; nothing here waits, the caller retries.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <string>
#include <vector>

#include "ipc/object_stat.h"
#include "ipc/result.h"
#include "ipc/sysv_list.h"

namespace ipcfs::ipc {

// What msgctl(IPC_STAT) says about a queue.
struct MsqInfo {
  // size = msg_cbytes, mtime = msg_stime (msg_ctime if nothing was ever sent),
  // atime = msg_rtime (msg_ctime if nothing was ever received), ctime = msg_ctime, serial = id.
  ObjectStat stat;
  key_t key = 0;
  uint64_t qnum = 0;
  uint64_t qbytes = 0;
  pid_t lspid = 0;
  pid_t lrpid = 0;
  time_t stime = 0;  // raw kernel times: 0 = never
  time_t rtime = 0;
  time_t ctime = 0;
};

// The IPC_SET fields; unset members keep their value.
struct MsqChange {
  bool set_mode = false;
  mode_t mode = 0;
  uid_t uid = uid_t(-1);
  gid_t gid = gid_t(-1);
  uint64_t qbytes = 0;  // 0: unchanged
};

struct Message {
  long type = 0;
  std::string data;
};

class SysvMsgQueue {
 public:
  // msgget(KEY, FLAGS): FLAGS is IPC_CREAT, IPC_EXCL and the mode bits. -ENOENT if there is
  // no queue for KEY and IPC_CREAT is absent.
  static Result<SysvMsgQueue> get(key_t key, int flags);
  // A handle on an existing id; nothing is checked until it is used.
  explicit SysvMsgQueue(int id) : id_(id) {}
  int id() const { return id_; }

  // IPC_STAT, or MSG_STAT_ANY when the caller may not read the queue. -ENOENT: no such queue.
  Result<MsqInfo> stat() const;
  // Every queue with its facts, from one read of /proc/sysvipc/msg (no IPC_STAT each).
  static Result<std::vector<SysvListed>> list_all();
  // IPC_SET of the fields CHANGE gives. -ENOENT, -EPERM, -EINVAL.
  int change(const MsqChange& change) const;
  // IPC_RMID. -ENOENT, -EPERM.
  int remove() const;

  // One message of TYPE (> 0) with LEN bytes. -EAGAIN: no room now (also, for ever, when LEN is
  // over the queue's byte limit, as msgsnd would wait); -EMSGSIZE: LEN over msgmax;
  // -EINVAL: TYPE <= 0; -EIDRM: the queue is gone.
  int send(long type, const char* data, size_t len) const;
  // One message selected by MSGTYP as msgrcv does (0 first, > 0 first of that type, < 0 first
  // of the lowest type <= -MSGTYP). Its bytes land at the start of BUF, grown as needed: a
  // message larger than BUF is never lost. -EAGAIN: no such message; -EIDRM: the queue is gone.
  Result<size_t> receive(long msgtyp, std::vector<char>& buf, long* type = nullptr) const;
  // A copy of the message at position INDEX (MSG_COPY), left in the queue; -EAGAIN past the
  // end; -ENOTSUP where the kernel has no MSG_COPY (CONFIG_CHECKPOINT_RESTORE).
  Result<size_t> copy(size_t index, std::vector<char>& buf, long* type = nullptr) const;
  // Every queued message, left in the queue. Not atomic: a receive meanwhile shifts positions.
  Result<std::vector<Message>> peek() const;

 private:
  int id_;
};

// /proc/sys/kernel/msgmax of the caller's IPC namespace (8192 if unreadable).
size_t msgmax();
// /proc/sys/kernel/msgmnb: the default queue byte limit, and the most that IPC_SET may set
// without CAP_SYS_RESOURCE (16384 if unreadable).
size_t msgmnb();

}  // namespace ipcfs::ipc
