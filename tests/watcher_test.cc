// Unit tests of the Watcher with descriptor-based and timed waiters (no FUSE request).
#include "fs/watcher.h"

#include <gtest/gtest.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <deque>
#include <thread>
#include <vector>

namespace ipcfs::fs {
namespace {

using namespace std::chrono_literals;

struct Outcome {
  std::atomic<int> value{1};
  std::atomic<int> attempts{0};
};

// Ready when the eventfd (or the flag, for timed waiters) says so.
class TestWaiter : public Waiter {
 public:
  TestWaiter(int fd, std::atomic<bool>* flag, Outcome* out)
      : Waiter(fd, EPOLLIN, nullptr), fd_(fd), flag_(flag), out_(out) {}
  int attempt() override {
    ++out_->attempts;
    if (fd_ >= 0) {
      uint64_t v;
      return ::read(fd_, &v, sizeof v) == sizeof v ? 0 : -EAGAIN;
    }
    return flag_->load() ? 0 : -EAGAIN;
  }
  void finish(int outcome) override { out_->value = outcome; }

 private:
  int fd_;
  std::atomic<bool>* flag_;
  Outcome* out_;
};

bool wait_for(const std::atomic<int>& v, int want) {
  for (int i = 0; i < 200 && v.load() != want; ++i) std::this_thread::sleep_for(5ms);
  return v.load() == want;
}

TEST(Watcher, CompletesWhenDescriptorBecomesReady) {
  Watcher w;
  w.start();
  UniqueFd ev(::eventfd(0, EFD_NONBLOCK));
  Outcome out;
  w.park(std::make_unique<TestWaiter>(ev.get(), nullptr, &out));
  std::this_thread::sleep_for(30ms);
  EXPECT_EQ(out.value.load(), 1);  // still parked
  EXPECT_EQ(w.parked(), 1u);
  uint64_t one = 1;
  ASSERT_EQ(::write(ev.get(), &one, sizeof one), 8);
  EXPECT_TRUE(wait_for(out.value, 0));
  EXPECT_EQ(w.parked(), 0u);
}

TEST(Watcher, TimedWaitersAreRetried) {
  Watcher w;
  w.start();
  std::atomic<bool> ready{false};
  Outcome out;
  w.park(std::make_unique<TestWaiter>(-1, &ready, &out));
  std::this_thread::sleep_for(50ms);
  EXPECT_GE(out.attempts.load(), 2);
  EXPECT_EQ(out.value.load(), 1);
  ready = true;
  EXPECT_TRUE(wait_for(out.value, 0));
}

TEST(Watcher, StopEndsParkedWaitersWithEintr) {
  Outcome out;
  {
    Watcher w;
    w.start();
    std::atomic<bool> ready{false};
    w.park(std::make_unique<TestWaiter>(-1, &ready, &out));
    w.stop();
  }
  EXPECT_EQ(out.value.load(), -EINTR);
}

TEST(Watcher, WatchReplacesAndCancelDrops) {
  Watcher w;
  w.start();
  UniqueFd ev(::eventfd(0, EFD_NONBLOCK));
  Outcome first, second;
  int owner = 0;
  w.watch(&owner, std::make_unique<TestWaiter>(ev.get(), nullptr, &first));
  w.watch(&owner, std::make_unique<TestWaiter>(ev.get(), nullptr, &second));
  EXPECT_EQ(first.value.load(), -ECANCELED);
  EXPECT_EQ(w.parked(), 1u);
  w.cancel(&owner);
  EXPECT_EQ(second.value.load(), -ECANCELED);
  EXPECT_EQ(w.parked(), 0u);
}

// Two poll requests on one open file arrive together: whatever the interleaving, the owner
// has one watch, so the cancel at release leaves nothing parked that refers to the file.
TEST(Watcher, ConcurrentWatchesOfOneOwnerLeaveOne) {
  std::deque<Outcome> all;  // outlives the watcher, whatever a failed round left parked
  int owner = 0;
  UniqueFd ev(::eventfd(0, EFD_NONBLOCK));
  Watcher w;
  w.start();
  for (int round = 0; round < 100; ++round) {
    std::vector<Outcome*> outs;
    for (int i = 0; i < 8; ++i) outs.push_back(&all.emplace_back());
    std::vector<std::thread> threads;
    for (Outcome* o : outs)
      threads.emplace_back(
          [&, o] { w.watch(&owner, std::make_unique<TestWaiter>(ev.get(), nullptr, o)); });
    for (auto& t : threads) t.join();
    EXPECT_EQ(w.parked(), 1u) << "round " << round;
    w.cancel(&owner);
    ASSERT_EQ(w.parked(), 0u) << "round " << round;
    for (Outcome* o : outs) EXPECT_EQ(o->value.load(), -ECANCELED);
  }
}

TEST(Watcher, ManyParkedWaitersOneThread) {
  Watcher w;
  w.start();
  std::atomic<bool> ready{false};
  std::vector<Outcome> outs(1000);
  for (auto& o : outs) w.park(std::make_unique<TestWaiter>(-1, &ready, &o));
  EXPECT_EQ(w.parked(), 1000u);
  ready = true;
  for (auto& o : outs) EXPECT_TRUE(wait_for(o.value, 0));
}

}  // namespace
}  // namespace ipcfs::fs
