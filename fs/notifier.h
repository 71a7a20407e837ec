// Notifier: tells the kernel to drop directory entries (of objects that are gone, or of files a
// parked write holds: BusyCount), from a thread of its own. A handler cannot: the kernel holds a
// directory's lock while it waits for the reply to a READDIR of it, and FUSE_NOTIFY_INVAL_ENTRY
// takes that lock, so a handler that told it before replying would wait for itself.
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include <condition_variable>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <utility>

namespace ipcfs::fs {

class Notifier {
 public:
  Notifier() = default;
  ~Notifier() { stop(); }
  Notifier(const Notifier&) = delete;
  Notifier& operator=(const Notifier&) = delete;

  void start(fuse_session* se);
  // Idempotent; what is still queued is dropped (the mount is going away).
  void stop();
  // The kernel may drop entry NAME of directory PARENT: its object is gone, or the next open
  // must look it up again. Once the entry is dropped and nothing has the file open, the kernel
  // forgets the inode (FORGET), and the daemon its node.
  void drop_entry(fuse_ino_t parent, std::string name);

 private:
  void run();

  fuse_session* se_ = nullptr;
  // Lock order: mu_ is a leaf (never held while telling the kernel).
  std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::pair<fuse_ino_t, std::string>> queue_;
  bool stopping_ = false;
  std::thread thread_;
};

}  // namespace ipcfs::fs
