// Mount tests of SPEC §7: a root daemon with allow_other lets an ordinary user do exactly what
// the objects' IPC permissions allow, objects belong to whoever creates them, and a daemon run
// by an ordinary user can do only what that user may. Users are plain numeric ids (setpriv).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "ipc/posix_mq.h"
#include "tests/mount_fixture.h"

namespace ipcfs::test {
namespace {

using ipc::MessageQueue;

constexpr uid_t kUser = 54321;
constexpr uid_t kOther = 54322;

// Runs CMD as uid/gid ID with umask UMASK, in DIR.
Shell as_user(uid_t id, const std::string& cmd, const std::string& dir, const char* umask = "022") {
  return sh("setpriv --reuid=" + std::to_string(id) + " --regid=" + std::to_string(id) +
                " --clear-groups bash -c 'umask " + umask + "; " + cmd + "'",
            dir);
}

class Permissions : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { mount_ = new Mount({"-o", "allow_other,log_level=warn"}); }
  static void TearDownTestSuite() {
    delete mount_;
    mount_ = nullptr;
  }
  void SetUp() override { name_ = unique_name("p"); }
  void TearDown() override { (void)MessageQueue::unlink(name_); }
  std::string dir() const { return mount_->path("posix/mq"); }
  MessageQueue root_queue(mode_t mode) {
    auto q = MessageQueue::open(name_, O_RDWR | O_CREAT | O_EXCL, mode);
    EXPECT_TRUE(q);
    EXPECT_EQ(q->chmod(mode), 0);  // exactly MODE, whatever our umask
    return std::move(*q);
  }

  static Mount* mount_;
  std::string name_;
};
Mount* Permissions::mount_ = nullptr;

TEST_F(Permissions, ReadingAPrivateRootQueueIsEacces) {
  auto q = root_queue(0600);
  ASSERT_EQ(q.send("secret", 6, 0), 0);
  Shell s = as_user(kUser, "cat " + name_ + "@drain", dir());
  EXPECT_NE(s.status, 0);
  EXPECT_NE(s.err.find("Permission denied"), std::string::npos) << s.err;
  EXPECT_EQ(q.attr()->curmsgs, 1);  // nothing taken
}

TEST_F(Permissions, WritingAReadOnlyQueueIsEacces) {
  auto q = root_queue(0644);
  Shell s = as_user(kUser, "echo x > " + name_, dir());
  EXPECT_NE(s.err.find("Permission denied"), std::string::npos) << s.err;
  EXPECT_EQ(q.attr()->curmsgs, 0);
  // Reading is allowed by the mode.
  ASSERT_EQ(q.send("pub", 3, 0), 0);
  EXPECT_EQ(as_user(kUser, "cat " + name_, dir()).out, "pub");
}

TEST_F(Permissions, RemovingOrChmoddingAnothersQueueIsEperm) {
  root_queue(0666);
  Shell rm = as_user(kUser, "rm -f " + name_, dir());
  EXPECT_NE(rm.err.find("Operation not permitted"), std::string::npos) << rm.err;
  Shell ch = as_user(kUser, "chmod 600 " + name_, dir());
  EXPECT_NE(ch.err.find("Operation not permitted"), std::string::npos) << ch.err;
  auto q = MessageQueue::open(name_, O_RDONLY);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->stat()->mode, 0666u);
}

TEST_F(Permissions, WhatAUserCreatesIsTheUsersWithItsUmask) {
  Shell s = as_user(kUser, "touch " + name_, dir(), "077");
  ASSERT_EQ(s.status, 0) << s.err;
  auto q = MessageQueue::open(name_, O_RDONLY);
  ASSERT_TRUE(q);
  auto st = q->stat();
  EXPECT_EQ(st->uid, kUser);
  EXPECT_EQ(st->gid, kUser);
  EXPECT_EQ(st->mode, 0600u);
  // The owner may chmod and remove it; another user may not even read it.
  EXPECT_NE(as_user(kOther, "cat " + name_ + "@drain", dir()).err.find("Permission denied"),
            std::string::npos);
  EXPECT_EQ(as_user(kUser, "chmod 640 " + name_ + " && rm " + name_, dir()).status, 0);
  EXPECT_EQ(MessageQueue::open(name_, O_RDONLY).error(), -ENOENT);
}

// An ordinary user's daemon. Root makes the mount (as fusermount3 would; /dev/fuse is 0600 on
// these machines) and hands the descriptor over as /dev/fd/N, which libfuse accepts.
TEST(UserDaemon, AnOrdinaryUserDaemonDoesOnlyWhatTheUserMay) {
  std::string name = unique_name("ud");
  auto q = MessageQueue::open(name, O_RDWR | O_CREAT, 0600);
  ASSERT_TRUE(q);
  ASSERT_EQ(q->chmod(0600), 0);
  ASSERT_EQ(q->send("root only", 9, 0), 0);
  // Readable by all, writable by root only: the daemon cannot open it for both (as it does to
  // keep a descriptor), but opens it to read for the user.
  auto r = MessageQueue::open(name + "r", O_RDWR | O_CREAT, 0644);
  ASSERT_TRUE(r);
  ASSERT_EQ(r->chmod(0644), 0);
  ASSERT_EQ(r->send("for all\n", 8, 0), 0);
  char tmpl[] = "/tmp/ipcfs-user.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string mnt = tmpl;
  int fd = ::open("/dev/fuse", O_RDWR);  // inherited by the daemon
  ASSERT_GE(fd, 0);
  std::string opts = "fd=" + std::to_string(fd) +
                     ",rootmode=40000,user_id=" + std::to_string(kUser) +
                     ",group_id=" + std::to_string(kUser) + ",default_permissions";
  ASSERT_EQ(::mount("ipcfs", mnt.c_str(), "fuse.ipcfs", MS_NOSUID | MS_NODEV, opts.c_str()), 0)
      << std::strerror(errno);
  // The kernel's own IPC check refuses the root queue (the daemon is that user), and what the
  // user makes is the user's.
  Shell s =
      as_user(kUser,
              std::string(IPCFS_BINARY) + " /dev/fd/" + std::to_string(fd) +
                  " -o log_level=warn,default_permissions && cd " + mnt + "/posix/mq && { cat " +
                  name + "@drain; echo rc=$?; cat " + name + "r; touch mine" + name +
                  " && stat -c %u mine" + name + " && rm mine" + name + "; }",
              "/");
  ::close(fd);
  ::umount2(mnt.c_str(), MNT_DETACH);
  (void)MessageQueue::unlink(name);
  (void)MessageQueue::unlink("mine" + name);
  (void)MessageQueue::unlink(name + "r");
  ::rmdir(mnt.c_str());
  EXPECT_NE(s.err.find("Permission denied"), std::string::npos) << s.err;
  EXPECT_EQ(s.out, "rc=1\nfor all\n" + std::to_string(kUser) + "\n") << s.err;
  EXPECT_EQ(q->attr()->curmsgs, 1);
}

}  // namespace
}  // namespace ipcfs::test
