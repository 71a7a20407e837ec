// OpenFile: what one open(2) of an object file does. One subclass per behaviour (queue,
// snapshot text, ...), shared by the kinds that behave alike.
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <memory>
#include <string>

namespace ipcfs::fs {

// Whether the kernel may hold an object's size from one of our replies, so that a change made
// through ipcfs (a message received) needs telling. The kernel invalidates the size itself after
// every write through the mount (fuse_write_update_attr), but not after a read.
struct AttrCache {
  std::atomic<bool> held{false};
  AttrCache() = default;
  // A copy belongs to a new node, of which the kernel holds nothing yet.
  AttrCache(const AttrCache&) {}
  AttrCache& operator=(const AttrCache&) { return *this; }
};

// How many open files of a node may park a write (a semaphore wait). The kernel holds the
// inode's lock for the whole of a write, so while one is parked every other write, truncate
// (`>`), chmod and rm of that inode waits for it, uninterruptibly: a `post` could never reach
// the `wait` it would end. A node with such opens gets no new ones (InodeTable::find_or_add_idle).
struct BusyCount {
  std::atomic<int> n{0};
  BusyCount() = default;
  // A copy belongs to a new node, of which nothing is open yet.
  BusyCount(const BusyCount&) {}
  BusyCount& operator=(const BusyCount&) { return *this; }
};

// Counts one open file in a node's BusyCount while it lives.
// The mode a chmod gave a pending by-key node before its object was made (FUSE sends fchmod
// without the open's handle, so it goes to the node); -1: none. Its file makes the object so.
struct PendingMode {
  std::atomic<int> mode{-1};
  PendingMode() = default;
  // A copy belongs to a new node, which nobody has changed yet.
  PendingMode(const PendingMode&) {}
  PendingMode& operator=(const PendingMode&) { return *this; }
};

class BusyMark {
 public:
  BusyMark() = default;
  explicit BusyMark(std::shared_ptr<BusyCount> c) : c_(std::move(c)), first_(++c_->n == 1) {}
  BusyMark(BusyMark&& o) noexcept = default;
  BusyMark& operator=(BusyMark&& o) noexcept {
    std::swap(c_, o.c_);
    std::swap(first_, o.first_);
    return *this;
  }
  ~BusyMark() {
    if (c_) --c_->n;
  }
  // Whether the node was idle until this mark.
  bool first() const { return first_; }

 private:
  std::shared_ptr<BusyCount> c_;
  bool first_ = false;
};

// Has the kernel drop the size and times it holds of INO, if CACHE says it holds them.
void tell_size_changed(fuse_session* se, fuse_ino_t ino, AttrCache* cache);

// Tells the kernel that an object's size changed through one of its files: a message received
// (which the kernel does not see as a change) or sent through another name of the object.
struct AttrInvalidator {
  fuse_session* se = nullptr;
  fuse_ino_t ino = 0;
  std::shared_ptr<AttrCache> cache;  // nullptr: always tell
  // For an option file (q@prio=9, q@drain): tells the object's plain file, which the kernel
  // does not connect with this one. Looked up at each change, as `stat q` may come later.
  std::function<void()> plain;
  // A message received through this file.
  void operator()() const {
    tell_size_changed(se, ino, cache.get());
    if (plain) plain();
  }
  // A write through this file succeeded: the kernel has just dropped the size it held of it.
  void written() const {
    if (cache) cache->held.store(false);
    if (plain) plain();
  }
};

class OpenFile {
 public:
  virtual ~OpenFile() = default;
  // Each must reply to REQ exactly once, now or later (parked operations).
  virtual void read(fuse_req_t req, size_t size, off_t off) = 0;
  virtual void write(fuse_req_t req, const char* buf, size_t size, off_t off) = 0;
  // Default: a regular file, always ready.
  virtual void poll(fuse_req_t req, fuse_pollhandle* ph, uint32_t events);
  // ftruncate(2) through this open. -ENOSYS: not the file's business, the kind's truncate applies.
  virtual int truncate(uint64_t) { return -ENOSYS; }
  // Each close(2) of a descriptor of this open, when wants_flush; its error is close's. Unlike
  // release(), which the kernel sends after close has returned, this is waited for.
  virtual int flush() { return 0; }
  // Called once before the file is destroyed: drop anything that refers to it.
  virtual void release() {}
  // The file of an object not made yet (Kind::open_pending): makes it now, as a close would,
  // and says why it could not (mknod, which has no close to wait for).
  virtual int make_now() { return 0; }

  // How the kernel treats the open file (copied into fuse_file_info).
  bool direct_io = true;
  bool nonseekable = false;
  bool stream = false;       // no file position at all (FOPEN_STREAM)
  bool wants_flush = false;  // close(2) sends FLUSH (otherwise FOPEN_NOFLUSH spares the trip)
  // O_NONBLOCK of the open file description as of the request being served: the kernel sends
  // the current flags with every read and write, so a later fcntl(F_SETFL) counts.
  std::atomic<bool> nonblock{false};
  // Set by Filesystem when the file is opened.
  AttrInvalidator changed;
  BusyMark busy;  // kinds whose writes may wait: held from the open (Kind::writes_wait)
  // For a write that parks (a full queue): its node's count, marked while it is parked, and a
  // call that has the kernel look the file's name up again once the node turns busy, so that
  // new opens (and truncate, chmod, rm) get an inode of their own. Empty for pending files.
  std::shared_ptr<BusyCount> busy_count;
  // A pending file: the node's PendingMode, to make the object with (see made_mode).
  std::shared_ptr<const PendingMode> pending_mode;
  // MODE, or the mode a chmod has since given the pending node.
  mode_t made_mode(mode_t mode) const {
    int m = pending_mode ? pending_mode->mode.load() : -1;
    return m >= 0 ? mode_t(m) : mode;
  }
  std::function<void()> look_up_again;
  // The object's own file (owned by the subclass), for FUSE passthrough: mmap then maps the
  // object's memory itself (fs/passthrough.h). -1: none, the file stays direct_io.
  int backing_fd = -1;
  // With passthrough: read/write also go straight to the backing file. False keeps them coming
  // to the daemon (which enforces what the backing file would not, e.g. a fixed size).
  bool backing_rw = true;
};

// What fi->fh holds. A reply can end the caller's open at once: the kernel may then send
// RELEASE, handled by another worker thread, while the replying handler is still running (it may
// yet unlock a mutex of the file, or be inside the writev of the reply). So every handler
// holds its own reference to the file until it returns, and the handle holds one until release.
using FileRef = std::shared_ptr<OpenFile>;
// The file of handle FH (Handles<FileRef>); it lives at least as long as the reference.
FileRef file_of_fh(uint64_t fh);

// A read-only view whose content is fixed when it is opened (@info, @peek).
class TextFile : public OpenFile {
 public:
  explicit TextFile(std::string text) : text_(std::move(text)) {}
  void read(fuse_req_t req, size_t size, off_t off) override;
  void write(fuse_req_t req, const char* buf, size_t size, off_t off) override;

 private:
  const std::string text_;
};

// Replies with the part [off, off+size) of DATA (empty at or past the end).
void reply_slice(fuse_req_t req, const char* data, size_t len, size_t size, off_t off);

}  // namespace ipcfs::fs
