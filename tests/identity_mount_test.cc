// Mount tests of object identity under a root daemon with allow_other: the kernel checks a
// caller's permission against the attributes it holds of an inode, so ipcfs must act on that
// inode's object only, never on another that has taken its name since (or appeared between the
// kernel's LOOKUP and its CREATE). The kernel then looks the name up again and checks anew.
#include <fcntl.h>
#include <grp.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <string>
#include <thread>

#include "ipc/posix_mq.h"
#include "ipc/posix_shm.h"
#include "tests/mount_fixture.h"

namespace ipcfs::test {
namespace {

using ipc::MessageQueue;
using ipc::PosixShm;

constexpr uid_t kUser = 54331;

// Runs CMD as uid/gid kUser in DIR.
Shell as_user(const std::string& cmd, const std::string& dir) {
  std::string id = std::to_string(kUser);
  return sh("setpriv --reuid=" + id + " --regid=" + id + " --clear-groups bash -c '" + cmd + "'",
            dir);
}

class Identity : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { mount_ = new Mount({"-o", "allow_other,log_level=warn"}); }
  static void TearDownTestSuite() {
    delete mount_;
    mount_ = nullptr;
  }
  void SetUp() override { name_ = unique_name("id"); }
  void TearDown() override {
    (void)MessageQueue::unlink(name_);
    (void)PosixShm::unlink(name_);
  }
  std::string dir(const char* kind) const { return mount_->path(kind); }
  // The user makes NAME through the mount (the kernel now holds its entry and attributes for a
  // second); then root replaces it, directly, with a private queue of its own.
  MessageQueue users_queue_replaced_by_roots() {
    EXPECT_EQ(as_user("touch " + name_, dir("posix/mq")).status, 0);
    EXPECT_EQ(MessageQueue::unlink(name_), 0);
    auto q = MessageQueue::open(name_, O_RDWR | O_CREAT | O_EXCL, 0600);
    EXPECT_TRUE(q);
    EXPECT_EQ(q->chmod(0600), 0);
    return std::move(*q);
  }

  static Mount* mount_;
  std::string name_;
};
Mount* Identity::mount_ = nullptr;

TEST_F(Identity, AnOpenOfAReplacedQueueIsCheckedAgainstTheNewOne) {
  auto q = users_queue_replaced_by_roots();
  Shell s = as_user("echo x > " + name_, dir("posix/mq"));
  EXPECT_NE(s.err.find("Permission denied"), std::string::npos) << s.err;
  EXPECT_EQ(q.attr()->curmsgs, 0);
  // Root, whom the new queue allows, gets it.
  EXPECT_EQ(sh("echo y > " + name_, dir("posix/mq")).status, 0);
  EXPECT_EQ(q.attr()->curmsgs, 1);
}

TEST_F(Identity, AChmodOfAReplacedQueueChangesNothing) {
  auto q = users_queue_replaced_by_roots();
  Shell s = as_user("chmod 666 " + name_, dir("posix/mq"));
  EXPECT_NE(s.err.find("Operation not permitted"), std::string::npos) << s.err;
  EXPECT_EQ(q.stat()->mode, 0600u);
  EXPECT_EQ(q.stat()->uid, 0u);
}

TEST_F(Identity, ARemovalOfAReplacedQueueRemovesNothing) {
  auto q = users_queue_replaced_by_roots();
  Shell s = as_user("rm " + name_, dir("posix/mq"));  // posix/mq is sticky, as /dev/mqueue
  EXPECT_NE(s.err.find("Operation not permitted"), std::string::npos) << s.err;
  EXPECT_TRUE(q.serial());  // still named
}

TEST_F(Identity, TheFactsOfAReplacedQueueAreCheckedAgainstTheNewOne) {
  auto q = users_queue_replaced_by_roots();
  ASSERT_EQ(q.send("secret", 6, 0), 0);
  Shell s = as_user("getfattr --only-values -n user.ipcfs.curmsgs " + name_, dir("posix/mq"));
  EXPECT_EQ(s.out, "");
  EXPECT_NE(s.err.find("Permission denied"), std::string::npos) << s.err;
}

TEST_F(Identity, ATruncateOfAReplacedShmObjectChangesNothing) {
  ASSERT_EQ(as_user("printf abc > " + name_, dir("posix/shm")).status, 0);
  ASSERT_EQ(PosixShm::unlink(name_), 0);
  auto shm = PosixShm::open(name_, O_RDWR | O_CREAT | O_EXCL, 0600);
  ASSERT_TRUE(shm);
  ASSERT_EQ(shm->chmod(0600), 0);
  ASSERT_EQ(shm->truncate(5), 0);
  Shell s = as_user(": > " + name_ + "; truncate -s 0 " + name_, dir("posix/shm"));
  EXPECT_NE(s.err.find("Permission denied"), std::string::npos) << s.err;
  EXPECT_EQ(shm->stat()->size, 5u);
}

// NAME@excl asks for a new object at every open, also right after it made one (a cached entry
// would skip the lookup that says EEXIST); NAME@info never makes one.
TEST_F(Identity, ExclIsExclusiveEveryTimeAndInfoMakesNothing) {
  for (const char* kind : {"posix/mq", "posix/shm", "posix/sem"}) {
    Shell first = sh("echo 1 > " + name_ + "@excl", dir(kind));
    EXPECT_EQ(first.status, 0) << kind << ": " << first.err;
    Shell again = sh("echo 1 > " + name_ + "@excl", dir(kind));
    EXPECT_NE(again.err.find("File exists"), std::string::npos) << kind << ": " << again.err;
    std::string path = dir(kind) + "/" + name_;
    errno = 0;
    EXPECT_EQ(::open((path + "@excl").c_str(), O_RDONLY | O_NONBLOCK), -1) << kind;
    EXPECT_EQ(errno, EEXIST) << kind;
    EXPECT_EQ(sh("rm " + name_, dir(kind)).status, 0) << kind;
    errno = 0;
    EXPECT_EQ(::open((path + "@info").c_str(), O_CREAT | O_WRONLY, 0644), -1) << kind;
    EXPECT_EQ(errno, EINVAL) << kind;
    struct stat st {};
    EXPECT_NE(::stat(path.c_str(), &st), 0) << kind << ": made by @info";
  }
}

// The kernel sends CREATE for a name its LOOKUP did not find. Root makes and removes a private
// queue of that name as fast as it can, while the user opens it with O_CREAT and attributes no
// one may create it with (maxmsg above the limit): every open that succeeds is root's queue,
// opened without the kernel's permission check.
TEST_F(Identity, ACreateRacingAnotherCreatorNeverOpensItsObject) {
  std::string path = dir("posix/mq") + "/" + name_ + "@maxmsg=1000000";
  std::atomic<bool> stop{false};
  std::thread root([&] {
    while (!stop.load()) {
      auto q = MessageQueue::open(name_, O_RDWR | O_CREAT | O_EXCL, 0600);
      if (q) (void)q->chmod(0600);
      (void)MessageQueue::unlink(name_);
    }
  });
  pid_t pid = ::fork();
  if (pid == 0) {
    // Async-signal-safe calls only: this process has other threads.
    if (::setgroups(0, nullptr) < 0 || ::setresgid(kUser, kUser, kUser) < 0 ||
        ::setresuid(kUser, kUser, kUser) < 0)
      ::_exit(255);
    int opened = 0;
    for (int i = 0; i < 3000 && opened < 254; ++i) {
      int fd = ::open(path.c_str(), O_CREAT | O_WRONLY | O_NONBLOCK, 0644);
      if (fd >= 0) {
        ++opened;
        ::close(fd);
      }
    }
    ::_exit(opened);
  }
  ASSERT_GT(pid, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  stop.store(true);
  root.join();
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 0) << "opens of root's private queue";
}

}  // namespace
}  // namespace ipcfs::test
