// Notifier: the thread that sends entry invalidations.
#include "fs/notifier.h"

#include <spdlog/spdlog.h>

#include <cstring>

namespace ipcfs::fs {

void Notifier::start(fuse_session* se) {
  se_ = se;
  thread_ = std::thread([this] { run(); });
}

void Notifier::stop() {
  {
    std::lock_guard lock(mu_);
    stopping_ = true;
    queue_.clear();
  }
  cv_.notify_all();
  if (thread_.joinable()) thread_.join();
}

void Notifier::drop_entry(fuse_ino_t parent, std::string name) {
  {
    std::lock_guard lock(mu_);
    if (stopping_ || !se_) return;
    queue_.emplace_back(parent, std::move(name));
  }
  cv_.notify_one();
}

void Notifier::run() {
  std::unique_lock lock(mu_);
  for (;;) {
    cv_.wait(lock, [&] { return stopping_ || !queue_.empty(); });
    if (stopping_) return;
    auto [parent, name] = std::move(queue_.front());
    queue_.pop_front();
    lock.unlock();
    int r = fuse_lowlevel_notify_inval_entry(se_, parent, name.c_str(), name.size());
    // ENOENT: the kernel holds no such entry any more (it looked the name up again, or let it go).
    if (r < 0 && r != -ENOENT)
      spdlog::debug("dropping entry {} of {}: {}", name, parent, std::strerror(-r));
    lock.lock();
  }
}

}  // namespace ipcfs::fs
