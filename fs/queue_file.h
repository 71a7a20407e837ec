// QueueFile: the message-queue behaviour of SPEC §5.1 for both POSIX and System V queues. One
// open receives one message (default view), or message after message (@stream, @drain); every
// write sends one message. Operations that would block are parked on the Watcher.
#pragma once

#include <atomic>
#include <memory>
#include <mutex>
#include <string_view>
#include <vector>

#include "fs/open_file.h"
#include "fs/open_options.h"
#include "ipc/result.h"

namespace ipcfs::fs {

class Watcher;

struct Readiness {
  bool readable = false;  // a message is waiting
  bool writable = false;  // there is room for one more
};

inline constexpr size_t kKeptScratch = 64 * 1024;  // larger per-thread buffers are not kept

// Receives one message through this thread's scratch buffer and leaves only its bytes in OUT.
// A receive needs room for the largest message the queue takes (8 KiB by default): given to
// each open, that room would be allocated and zeroed for every message of a few bytes.
// RECEIVE(scratch) grows scratch as it needs and returns the message's length.
template <class Receive>
Result<size_t> receive_through_scratch(std::vector<char>& out, Receive receive) {
  thread_local std::vector<char> scratch;
  Result<size_t> n = receive(scratch);
  if (n) out.assign(scratch.data(), scratch.data() + *n);
  if (scratch.size() > kKeptScratch) std::vector<char>().swap(scratch);
  return n;
}

// Each kind of queue derives its open file from this, supplying the four calls below: the
// queue's own state then lives in the same allocation as the file.
class QueueFile : public OpenFile {
 public:
  // VIEW is kDefault, kStream or kDrain. NONBLOCK: O_NONBLOCK was given at open.
  QueueFile(View view, bool nonblock, Watcher& watcher);
  void read(fuse_req_t req, size_t size, off_t off) override;
  void write(fuse_req_t req, const char* buf, size_t size, off_t off) override;
  void poll(fuse_req_t req, fuse_pollhandle* ph, uint32_t events) override;
  void release() override;

 private:
  // The kind's queue. Every call is non-blocking, and may run in any thread.
  // Receives one message into BUF (grown as needed) and returns its length; -EAGAIN if none.
  virtual Result<size_t> receive(std::vector<char>& buf) = 0;
  // Sends one message; -EAGAIN when there is no room now.
  virtual int send(const char* data, size_t len) = 0;
  virtual Readiness readiness() = 0;
  // A descriptor that polls readable/writable with the queue, or -1 (retried on a timer).
  virtual int fd() const { return -1; }

  class ReadWaiter;
  class WriteWaiter;
  class PollWaiter;

  // Makes sure a message is held for the next read: 0, -EAGAIN, or an error. Needs mu_. Sets
  // *RECEIVED if it took one from the queue: the caller then calls changed() once it has let go
  // of mu_ and before it replies. The size (bytes queued) shrank, and without telling, `stat -c
  // %s` after `cat` would show the old size for up to a second (the kernel's own atime
  // invalidation does not cover a size-only stat). Told only if the kernel holds a size, which
  // after a write through the mount it does not: echo-then-cat loops then cost no GETATTR.
  int fill_locked(bool* received);
  // The bytes a read of SIZE at OFF gets from the held message (empty at its end); a stream
  // moves past them. Needs mu_, and the view is valid only while mu_ is held.
  std::string_view take_locked(size_t size, off_t off);

  const View view_;
  Watcher& watcher_;
  // A poll() left a watch on the watcher. The kernel answers every POLL before it sends the
  // RELEASE, so release() sees it; most files are never polled and skip the watcher's lock.
  std::atomic<bool> watched_{false};

  // Lock order: mu_ is taken before nothing else of ipcfs; it is never held while parking or
  // replying.
  std::mutex mu_;
  std::vector<char> msg_;  // the message being read; capacity reused across messages
  size_t len_ = 0;         // its length
  bool received_ = false;  // default view: this open has had its one message
  size_t pos_ = 0;         // stream/drain: bytes of msg_ already read
};

}  // namespace ipcfs::fs
