// POSIX message queues: RAII descriptors over mq_open/mq_send/mq_receive, and listing through a
// private mqueue mount so that queues are visible even where /dev/mqueue is not mounted.
#pragma once

#include <mqueue.h>
#include <sys/types.h>

#include <string>
#include <string_view>
#include <vector>

#include "ipc/fd.h"
#include "ipc/object_stat.h"
#include "ipc/result.h"

namespace ipcfs::ipc {

struct MqAttr {
  long maxmsg = 0;
  long msgsize = 0;
  long curmsgs = 0;
};

// One open descriptor of a queue. Always non-blocking: callers that want to wait poll fd().
class MessageQueue {
 public:
  // Opens "/NAME". oflag is O_RDONLY/O_WRONLY/O_RDWR, optionally | O_CREAT | O_EXCL.
  // create_attr (maxmsg/msgsize) applies only when the call creates the queue.
  static Result<MessageQueue> open(std::string_view name, int oflag, mode_t mode = 0,
                                   const MqAttr* create_attr = nullptr);
  static int unlink(std::string_view name);

  // One message into buf (len must be >= msgsize), -EAGAIN when the queue is empty.
  Result<size_t> receive(char* buf, size_t len, unsigned* prio = nullptr) const;
  // One message; -EAGAIN when full, -EMSGSIZE when longer than msgsize.
  int send(const char* buf, size_t len, unsigned prio) const;

  Result<MqAttr> attr() const;
  // Owner, mode, times and inode of the queue; size = bytes queued (QSIZE). -ENOENT once the
  // queue has lost its name (mq_unlink): a descriptor kept open must not describe a new queue.
  Result<ObjectStat> stat() const;
  int chmod(mode_t mode) const;
  int chown(uid_t uid, gid_t gid) const;
  // The queue's serial (its inode number, as in stat()), or -ENOENT once it has lost its name:
  // a removed queue lives on, nameless, while any descriptor of it is open, and a new queue may
  // have taken the name since. One fstat, without the status line stat() reads.
  Result<uint64_t> serial() const;

  int fd() const { return fd_.get(); }

 private:
  explicit MessageQueue(int fd) : fd_(fd) {}
  UniqueFd fd_;
};

// Lists the queues of the caller's IPC namespace. Root gets a private, detached mqueue mount
// (nothing shows in any mount table); others fall back to /dev/mqueue if it is mounted.
class MqueueDir {
 public:
  static MqueueDir attach();
  bool available() const { return dir_.valid(); }
  // Queue names without the leading '/'. Empty when !available().
  Result<std::vector<std::string>> list() const;

 private:
  friend class QueueRemovals;
  UniqueFd dir_;
};

// The names of queues removed from an MqueueDir's namespace (by anyone, through any mount or
// mq_unlink), for callers that keep descriptors open between uses and must let removed queues
// go: a descriptor holds the queue's memory and its place under queues_max.
class QueueRemovals {
 public:
  // -ENOENT when DIR is not available.
  static Result<QueueRemovals> watch(const MqueueDir& dir);
  // Readable (poll/epoll) while removals are waiting to be taken.
  int fd() const { return fd_.get(); }
  // The names removed since the last call, without waiting. After an overflow of the kernel's
  // event queue some were lost: *lost is then set, and every kept descriptor needs checking.
  std::vector<std::string> take(bool* lost);

 private:
  explicit QueueRemovals(int fd) : fd_(fd) {}
  UniqueFd fd_;
};

}  // namespace ipcfs::ipc
