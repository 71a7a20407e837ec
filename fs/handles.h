// Handles: objects handed to the kernel as fi->fh. The kernel gives each back (RELEASE,
// RELEASEDIR) except those still queued when the mount goes away, which it drops; the daemon
// frees those at its end (take_all), so that nothing an open holds (an attachment, a
// descriptor) is simply abandoned, and leak checkers have nothing to report.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <unordered_set>
#include <vector>

namespace ipcfs::fs {

template <class T>
class Handles {
 public:
  Handles() = default;
  Handles(const Handles&) = delete;
  Handles& operator=(const Handles&) = delete;

  uint64_t add(std::unique_ptr<T> object) {
    T* raw = object.get();
    std::lock_guard lock(mu_);
    live_.insert(raw);
    object.release();  // owned through the set from here on
    return reinterpret_cast<uint64_t>(raw);
  }
  // The object of handle FH, without a lock: it lives until take(FH).
  static T& get(uint64_t fh) { return *reinterpret_cast<T*>(fh); }
  std::unique_ptr<T> take(uint64_t fh) {
    T* raw = reinterpret_cast<T*>(fh);
    std::lock_guard lock(mu_);
    live_.erase(raw);
    return std::unique_ptr<T>(raw);
  }
  // Every object not given back yet.
  std::vector<std::unique_ptr<T>> take_all() {
    std::lock_guard lock(mu_);
    std::vector<std::unique_ptr<T>> out;
    for (T* raw : live_) out.emplace_back(raw);
    live_.clear();
    return out;
  }
  ~Handles() { take_all(); }

 private:
  // Lock order: mu_ is a leaf.
  std::mutex mu_;
  std::unordered_set<T*> live_;
};

}  // namespace ipcfs::fs
