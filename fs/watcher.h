// Watcher: completes operations that would block (receive on an empty queue, send to a full
// one, semaphore waits) without ever holding a libfuse worker thread. A parked operation is
// retried when its descriptor becomes ready (epoll) or, for objects without descriptors
// (System V), on a short timer. Interrupts end a parked request at once with EINTR.
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <list>
#include <map>
#include <memory>
#include <mutex>
#include <thread>
#include <unordered_map>

#include "ipc/fd.h"

namespace ipcfs::fs {

class Watcher;

// Something waiting for an object to become ready. Subclasses say how to try and how to reply.
class Waiter {
 public:
  // fd: a pollable descriptor to wait on, or -1 to be retried on the timer.
  // req: the FUSE request this waiter answers (interruptible), or nullptr.
  Waiter(int fd, uint32_t epoll_events, fuse_req_t req)
      : fd_(fd), events_(epoll_events), req_(req) {}
  virtual ~Waiter() = default;

  // One non-blocking try, called with no ipcfs lock held. -EAGAIN: keep waiting. Anything else
  // is the outcome, handed to finish().
  virtual int attempt() = 0;
  // Sends the reply for OUTCOME (-EINTR when interrupted, -ESHUTDOWN at unmount).
  virtual void finish(int outcome) = 0;

 private:
  friend class Watcher;
  enum class State { kBusy, kParked };
  const int fd_;
  const uint32_t events_;
  const fuse_req_t req_;
  State state_ = State::kBusy;
  bool interrupted_ = false;
  const void* owner_ = nullptr;  // set for poll watches
  Watcher* watcher_ = nullptr;
  std::list<Waiter*>::iterator pos_;
};

class Watcher {
 public:
  Watcher();
  ~Watcher();
  Watcher(const Watcher&) = delete;
  Watcher& operator=(const Watcher&) = delete;

  void start();
  // Ends every parked request with EINTR and stops the thread. Idempotent.
  void stop();

  // Takes W and completes it when attempt() stops saying -EAGAIN, or on interrupt.
  void park(std::unique_ptr<Waiter> w);
  // Like park(), but at most one per OWNER: a new watch replaces the old one (poll handles).
  void watch(const void* owner, std::unique_ptr<Waiter> w);
  // Drops OWNER's watch, if any, without finishing it.
  void cancel(const void* owner);

  // How many waiters are parked (for tests and the log).
  size_t parked() const;

 private:
  static void on_interrupt(fuse_req_t req, void* data);
  void run();
  void kick();
  void complete(Waiter* w, int outcome);
  // The following need mu_ held.
  void add_locked(Waiter* w);
  void remove_locked(Waiter* w);
  void sync_fd_locked(int fd);

  ipcfs::UniqueFd epoll_;
  ipcfs::UniqueFd event_;
  std::thread thread_;

  // Lock order: mu_ is a leaf. It is never held while calling a Waiter or libfuse, and no
  // other ipcfs lock is taken while it is held.
  mutable std::mutex mu_;
  std::condition_variable idle_;  // a busy owned waiter was parked again or finished
  bool stopping_ = false;
  std::list<Waiter*> timed_;
  std::chrono::steady_clock::time_point last_timed_park_{};  // the newest timed waiter's park
  struct FdWatch {
    std::list<Waiter*> waiters;
    uint32_t registered = 0;
  };
  std::unordered_map<int, FdWatch> fds_;
  std::unordered_map<const void*, Waiter*> owned_;
  size_t count_ = 0;   // waiters in timed_ and fds_
  size_t trying_ = 0;  // waiters the thread has taken out to try again
};

}  // namespace ipcfs::fs
