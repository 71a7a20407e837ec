// Unit tests of ipc::ActingAs: per-thread effective ids, restored with root's powers.
#include "ipc/acting_as.h"

#include <gtest/gtest.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include <atomic>
#include <thread>

namespace ipcfs::ipc {
namespace {

constexpr uid_t kUid = 54332;
constexpr gid_t kGid = 54333;

TEST(ActingAs, ChangesOnlyThisThreadAndComesBack) {
  ASSERT_EQ(::geteuid(), 0u) << "needs root";
  std::atomic<bool> go{false};
  uid_t other_thread = 1;
  // A thread that exists already (as the daemon's other workers do), asked while we act.
  std::thread other([&] {
    while (!go) std::this_thread::yield();
    other_thread = ::geteuid();
  });
  {
    ActingAs as(kUid, kGid);
    EXPECT_TRUE(as.active());
    EXPECT_EQ(::geteuid(), kUid);
    EXPECT_EQ(::getegid(), kGid);
    EXPECT_EQ(::getuid(), 0u);  // the real id stays root's: the way back
    go = true;
    other.join();
  }
  EXPECT_EQ(other_thread, 0u);
  EXPECT_EQ(::geteuid(), 0u);
  EXPECT_EQ(::getegid(), 0u);
}

TEST(ActingAs, ObjectsMadeMeanwhileAreTheCallersAndRootsPowersReturn) {
  int id = -1;
  {
    ActingAs as(kUid, kGid);
    id = ::msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  }
  ASSERT_GE(id, 0);
  msqid_ds ds{};
  ASSERT_EQ(::msgctl(id, IPC_STAT, &ds), 0);
  EXPECT_EQ(ds.msg_perm.cuid, kUid);
  EXPECT_EQ(ds.msg_perm.cgid, kGid);
  EXPECT_EQ(ds.msg_perm.uid, kUid);
  // Root again, capabilities included: a queue of someone else's may be given away and removed.
  ds.msg_perm.uid = kUid + 1;
  EXPECT_EQ(::msgctl(id, IPC_SET, &ds), 0);
  EXPECT_EQ(::msgctl(id, IPC_RMID, nullptr), 0);
}

TEST(ActingAs, NothingToDoForTheSameIds) {
  ActingAs as(::geteuid(), ::getegid());
  EXPECT_FALSE(as.active());
}

}  // namespace
}  // namespace ipcfs::ipc
