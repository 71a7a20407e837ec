// The watcher thread: epoll over the descriptors of parked operations plus an eventfd, and a
// short timer for objects that have no descriptor.
#include "fs/watcher.h"

#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <vector>

#include <spdlog/spdlog.h>

#include <cstring>

namespace ipcfs::fs {

namespace {
// System V objects and semaphores cannot be polled: parked operations on them are retried every
// kFastTick for kFastFor after a new one was parked (a script waiting for another then wakes
// within a millisecond of its post), and every kTick after that (a long wait costs little).
constexpr auto kFastTick = std::chrono::milliseconds(1);
constexpr auto kFastFor = std::chrono::milliseconds(100);
constexpr auto kTick = std::chrono::milliseconds(10);
// Each retry is a system call per waiter: with many waiters the fast tick slows down so that
// they cost at most about one try per 20 µs (hundreds of waiters: back to kTick).
constexpr auto kTryCost = std::chrono::microseconds(20);
}  // namespace

Watcher::Watcher()
    : epoll_(::epoll_create1(EPOLL_CLOEXEC)), event_(::eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC)) {
  epoll_event ev{};
  ev.events = EPOLLIN;
  ev.data.fd = event_.get();
  if (!epoll_.valid() || !event_.valid() ||
      ::epoll_ctl(epoll_.get(), EPOLL_CTL_ADD, event_.get(), &ev) < 0)
    spdlog::critical("watcher: cannot create epoll/eventfd: {}", std::strerror(errno));
}

Watcher::~Watcher() {
  stop();
}

void Watcher::start() {
  thread_ = std::thread([this] { run(); });
}

void Watcher::kick() {
  uint64_t one = 1;
  [[maybe_unused]] ssize_t n = ::write(event_.get(), &one, sizeof one);
}

size_t Watcher::parked() const {
  std::lock_guard lock(mu_);
  return count_ + trying_;  // a waiter being tried again is still waiting
}

void Watcher::add_locked(Waiter* w) {
  w->state_ = Waiter::State::kParked;
  if (w->fd_ >= 0) {
    auto& fw = fds_[w->fd_];
    w->pos_ = fw.waiters.insert(fw.waiters.end(), w);
    sync_fd_locked(w->fd_);
  } else {
    w->pos_ = timed_.insert(timed_.end(), w);
  }
  ++count_;
}

void Watcher::remove_locked(Waiter* w) {
  if (w->fd_ >= 0) {
    fds_[w->fd_].waiters.erase(w->pos_);
    sync_fd_locked(w->fd_);
  } else {
    timed_.erase(w->pos_);
  }
  w->state_ = Waiter::State::kBusy;
  --count_;
}

void Watcher::sync_fd_locked(int fd) {
  auto it = fds_.find(fd);
  if (it == fds_.end()) return;
  uint32_t want = 0;
  for (Waiter* w : it->second.waiters) want |= w->events_;
  uint32_t& have = it->second.registered;
  epoll_event ev{};
  ev.events = want;
  ev.data.fd = fd;
  if (want == 0) {
    if (have) ::epoll_ctl(epoll_.get(), EPOLL_CTL_DEL, fd, nullptr);
    fds_.erase(it);
    return;
  }
  if (want == have) return;
  int op = have ? EPOLL_CTL_MOD : EPOLL_CTL_ADD;
  if (::epoll_ctl(epoll_.get(), op, fd, &ev) < 0) {
    // A descriptor closed and reused behind our back: register it afresh.
    op = op == EPOLL_CTL_MOD ? EPOLL_CTL_ADD : EPOLL_CTL_MOD;
    if (::epoll_ctl(epoll_.get(), op, fd, &ev) < 0)
      spdlog::warn("watcher: epoll_ctl fd {}: {}", fd, std::strerror(errno));
  }
  have = want;
}

void Watcher::park(std::unique_ptr<Waiter> up) {
  Waiter* w = up.release();
  w->watcher_ = this;
  // May call on_interrupt() at once if the request was already interrupted; w is still busy
  // then, so on_interrupt only marks it.
  if (w->req_) fuse_req_interrupt_func(w->req_, &Watcher::on_interrupt, w);
  {
    std::lock_guard lock(mu_);
    if (!w->interrupted_ && !stopping_) {
      if (w->fd_ < 0) last_timed_park_ = std::chrono::steady_clock::now();
      add_locked(w);
      w = nullptr;
    }
  }
  if (w) {
    complete(w, -EINTR);
    return;
  }
  kick();
}

void Watcher::watch(const void* owner, std::unique_ptr<Waiter> up) {
  Waiter* w = up.release();
  w->watcher_ = this;
  w->owner_ = owner;
  for (;;) {
    cancel(owner);
    std::lock_guard lock(mu_);
    if (stopping_) break;
    // Another watch of OWNER (a concurrent poll of the same file) came in since the cancel:
    // replace that one too. Overwriting it would leave it parked after the owner's cancel at
    // release, referring to a destroyed file.
    if (owned_.count(owner)) continue;
    owned_[owner] = w;
    if (w->fd_ < 0) last_timed_park_ = std::chrono::steady_clock::now();
    add_locked(w);
    w = nullptr;
    break;
  }
  if (w) {
    w->finish(-ESHUTDOWN);
    delete w;
    return;
  }
  kick();
}

void Watcher::cancel(const void* owner) {
  Waiter* victim = nullptr;
  {
    std::unique_lock lock(mu_);
    auto it = owned_.find(owner);
    if (it == owned_.end()) return;
    Waiter* w = it->second;
    // The watcher thread may be trying it right now; it re-parks or finishes it shortly.
    idle_.wait(lock, [&] {
      auto again = owned_.find(owner);
      return again == owned_.end() || again->second != w || w->state_ == Waiter::State::kParked;
    });
    it = owned_.find(owner);
    if (it == owned_.end() || it->second != w) return;
    owned_.erase(it);
    remove_locked(w);
    victim = w;
  }
  victim->finish(-ECANCELED);
  delete victim;
}

void Watcher::complete(Waiter* w, int outcome) {
  // Waits for an on_interrupt() running in another thread, and makes sure none comes later.
  if (w->req_) fuse_req_interrupt_func(w->req_, nullptr, nullptr);
  w->finish(outcome);
  delete w;
}

void Watcher::on_interrupt(fuse_req_t, void* data) {
  auto* w = static_cast<Waiter*>(data);
  Watcher* self = w->watcher_;
  {
    std::lock_guard lock(self->mu_);
    if (w->state_ != Waiter::State::kParked) {
      w->interrupted_ = true;  // whoever holds it finishes it with EINTR
      return;
    }
    self->remove_locked(w);
  }
  // Runs under libfuse's request lock: reply directly, never via complete().
  w->finish(-EINTR);
  delete w;
}

void Watcher::run() {
  using Clock = std::chrono::steady_clock;
  auto last_tick = Clock::now();  // when the timed waiters were last tried (or none were parked)
  epoll_event evs[64];
  std::vector<Waiter*> batch;
  for (;;) {
    int timeout = -1;
    auto next_tick = Clock::time_point::max();
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
      if (!timed_.empty()) {
        auto now = Clock::now();
        auto fast = std::clamp<std::chrono::steady_clock::duration>(kTryCost * timed_.size(),
                                                                    kFastTick, kTick);
        next_tick = last_tick + (now - last_timed_park_ < kFastFor ? fast : kTick);
        auto left = std::chrono::ceil<std::chrono::milliseconds>(next_tick - now);
        timeout = left.count() < 0 ? 0 : int(left.count());
      }
    }
    int n = ::epoll_wait(epoll_.get(), evs, 64, timeout);
    batch.clear();
    {
      std::lock_guard lock(mu_);
      if (stopping_) break;
      for (int i = 0; i < n; ++i) {
        int fd = evs[i].data.fd;
        if (fd == event_.get()) {
          uint64_t v;
          [[maybe_unused]] ssize_t r = ::read(fd, &v, sizeof v);
          continue;
        }
        auto it = fds_.find(fd);
        if (it == fds_.end()) continue;
        uint32_t got = evs[i].events;
        for (Waiter* w : it->second.waiters)
          if ((w->events_ & got) || (got & (EPOLLERR | EPOLLHUP))) batch.push_back(w);
      }
      if (!timed_.empty() && Clock::now() >= next_tick) {
        batch.insert(batch.end(), timed_.begin(), timed_.end());
        last_tick = Clock::now();
      } else if (timed_.empty()) {
        last_tick = Clock::now();
      }
      for (Waiter* w : batch) remove_locked(w);
      trying_ += batch.size();
    }
    for (Waiter* w : batch) {
      int r = w->attempt();
      {
        std::lock_guard lock(mu_);
        --trying_;
        if (r == -EAGAIN && !w->interrupted_) {
          add_locked(w);
          idle_.notify_all();
          continue;
        }
        if (w->owner_) {
          auto it = owned_.find(w->owner_);
          if (it != owned_.end() && it->second == w) owned_.erase(it);
          idle_.notify_all();
        }
      }
      complete(w, r == -EAGAIN ? -EINTR : r);
    }
  }
}

void Watcher::stop() {
  {
    std::lock_guard lock(mu_);
    if (stopping_) return;
    stopping_ = true;
  }
  kick();
  if (thread_.joinable()) thread_.join();
  std::vector<Waiter*> rest;
  {
    std::lock_guard lock(mu_);
    rest.insert(rest.end(), timed_.begin(), timed_.end());
    for (auto& [fd, fw] : fds_) rest.insert(rest.end(), fw.waiters.begin(), fw.waiters.end());
    for (Waiter* w : rest) remove_locked(w);
    owned_.clear();
  }
  for (Waiter* w : rest) complete(w, w->owner_ ? -ESHUTDOWN : -EINTR);
}

}  // namespace ipcfs::fs
