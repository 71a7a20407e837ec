// Handles: objects handed to the kernel as fi->fh. The kernel gives each back (RELEASE,
// RELEASEDIR) except those still queued when the mount goes away, which it drops; the daemon
// frees those at its end (take_all), so that nothing an open holds (an attachment, a
// descriptor) is simply abandoned, and leak checkers have nothing to report.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <utility>
#include <vector>

#if defined(__SANITIZE_THREAD__)
#include <sanitizer/tsan_interface.h>
#endif

namespace ipcfs::fs {

template <class T>
class Handles {
 public:
  Handles() = default;
  Handles(const Handles&) = delete;
  Handles& operator=(const Handles&) = delete;
  ~Handles() { take_all(); }

  // A handle for VALUE. One allocation, as a bare `new T` would be: the list is intrusive.
  uint64_t add(T value) {
    auto* e = new Entry{std::move(value), nullptr, nullptr};
    std::lock_guard lock(mu_);
    e->next = head_;
    if (head_) head_->prev = e;
    head_ = e;
    published(e);
    return reinterpret_cast<uint64_t>(e);
  }
  // The object of handle FH, without a lock: it lives until take(FH).
  static T& get(uint64_t fh) {
    auto* e = reinterpret_cast<Entry*>(fh);
    received(e);
    return e->value;
  }
  // Gives handle FH back; returns its object.
  T take(uint64_t fh) {
    std::unique_ptr<Entry> e(reinterpret_cast<Entry*>(fh));
    {
      std::lock_guard lock(mu_);
      unlink_locked(e.get());
    }
    return std::move(e->value);
  }
  // Every object not given back yet.
  std::vector<T> take_all() {
    std::vector<T> out;
    std::lock_guard lock(mu_);
    while (head_) {
      std::unique_ptr<Entry> e(head_);
      unlink_locked(head_);
      out.push_back(std::move(e->value));
    }
    return out;
  }

 private:
  struct Entry {
    T value;
    Entry* prev;
    Entry* next;
  };
  void unlink_locked(Entry* e) {
    (e->prev ? e->prev->next : head_) = e->next;
    if (e->next) e->next->prev = e->prev;
  }

  // A handle reaches another thread only through the kernel: the reply that carries it is
  // written to /dev/fuse before any request naming it can be read there. ThreadSanitizer cannot
  // see that order through the system calls; these say it, and cost nothing in other builds.
  static void published([[maybe_unused]] Entry* e) {
#if defined(__SANITIZE_THREAD__)
    __tsan_release(e);
#endif
  }
  static void received([[maybe_unused]] Entry* e) {
#if defined(__SANITIZE_THREAD__)
    __tsan_acquire(e);
#endif
  }

  // Lock order: mu_ is a leaf.
  std::mutex mu_;
  Entry* head_ = nullptr;
};

}  // namespace ipcfs::fs
