// Mount tests of SPEC §9: ipcfs shows the IPC namespace it runs in, and only that one; for
// POSIX shared memory and semaphores, the /dev/shm of its mount namespace.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <mqueue.h>
#include <sched.h>
#include <semaphore.h>
#include <stdlib.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>

#include <string>

#include "ipc/posix_mq.h"
#include "tests/mount_fixture.h"

namespace ipcfs::test {
namespace {

using ipc::MessageQueue;

TEST(Namespace, UnshareShowsOnlyTheNewNamespace) {
  std::string outside = unique_name("out");
  auto q = MessageQueue::open(outside, O_RDWR | O_CREAT, 0600);
  ASSERT_TRUE(q);
  char tmpl[] = "/tmp/ipcfs-ns.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  // The daemon runs in a fresh IPC namespace; a queue made in there is visible, ours is not.
  std::string inside = unique_name("in");
  Shell s = sh("unshare --ipc bash -c '" + std::string(IPCFS_BINARY) + " " + dir +
               " -o log_level=warn && touch " + dir + "/posix/mq/" + inside + " && ls " + dir +
               "/posix/mq; umount " + dir + "'");
  (void)MessageQueue::unlink(outside);
  ::rmdir(dir.c_str());
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(s.out, inside + "\n");
  EXPECT_EQ(MessageQueue::open(inside, O_RDONLY).error(), -ENOENT);  // it stayed in there
}

// Objects of all six kinds made directly in the test's namespace, removed at the end.
class Outside {
 public:
  Outside() : name_(unique_name("out")), key_(key_t((::getpid() & 0x3fff) << 16 | 0x7e00)) {
    std::string slash = "/" + name_;
    mqd_t q = ::mq_open(slash.c_str(), O_RDWR | O_CREAT, 0600, nullptr);
    if (q != mqd_t(-1)) ::mq_close(q);
    int fd = ::shm_open(slash.c_str(), O_RDWR | O_CREAT, 0600);
    if (fd >= 0) ::close(fd);
    sem_t* s = ::sem_open(slash.c_str(), O_CREAT, 0600, 0);
    if (s != SEM_FAILED) ::sem_close(s);
    msg_ = ::msgget(key_, IPC_CREAT | 0600);
    shm_ = ::shmget(key_, 4096, IPC_CREAT | 0600);
    sem_ = ::semget(key_, 1, IPC_CREAT | 0600);
  }
  ~Outside() {
    std::string slash = "/" + name_;
    ::mq_unlink(slash.c_str());
    ::shm_unlink(slash.c_str());
    ::sem_unlink(slash.c_str());
    ::msgctl(msg_, IPC_RMID, nullptr);
    ::shmctl(shm_, IPC_RMID, nullptr);
    ::semctl(sem_, 0, IPC_RMID);
  }
  bool ok() const { return msg_ >= 0 && shm_ >= 0 && sem_ >= 0; }
  const std::string& name() const { return name_; }

 private:
  std::string name_;
  key_t key_;
  int msg_ = -1, shm_ = -1, sem_ = -1;
};

// Makes one object of each kind through the mount at $M (a name and key made inside), then
// lists every object directory, one "dir: entries" line each.
std::string make_and_list(const std::string& name, const std::string& key) {
  return "cd $M && touch posix/mq/" + name + " && touch posix/shm/" + name +
         " && echo 1 > posix/sem/" + name + " && touch sysv/msg/by-key/" + key +
         " && truncate -s 4096 sysv/shm/by-key/" + key + " && touch sysv/sem/by-key/" + key +
         " && for d in posix/mq posix/shm posix/sem sysv/msg sysv/msg/by-key sysv/shm "
         "sysv/shm/by-key sysv/sem sysv/sem/by-key; do echo \"$d:\" $(ls $d); done; cd /";
}

// SPEC §9 for all six kinds. System V objects and POSIX queues belong to the IPC namespace;
// POSIX shared memory and semaphores are files in /dev/shm, which belongs to the mount
// namespace: a private tmpfs on /dev/shm in a private mount namespace makes them the new
// namespace's too.
TEST(Namespace, AllSixKindsWithAPrivateDevShm) {
  Outside out;
  ASSERT_TRUE(out.ok());
  char tmpl[] = "/tmp/ipcfs-ns.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  std::string in = unique_name("in");
  // The namespace is new: its first objects get id 0.
  Shell s = sh("M=" + dir +
               " unshare --ipc --mount --propagation private bash -c '"
               "mount -t tmpfs -o mode=1777 tmpfs /dev/shm && " +
               std::string(IPCFS_BINARY) + " $M -o log_level=warn && " +
               make_and_list(in, "0x00001234") + "; umount $M'");
  ::rmdir(dir.c_str());
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(s.out, "posix/mq: " + in + "\nposix/shm: " + in + "\nposix/sem: " + in +
                       "\nsysv/msg: 0 by-key\nsysv/msg/by-key: 0x00001234\nsysv/shm: 0 by-key\n"
                       "sysv/shm/by-key: 0x00001234\nsysv/sem: 0 by-key\n"
                       "sysv/sem/by-key: 0x00001234\n")
      << s.err;
  // Nothing made in there is out here.
  EXPECT_EQ(::access(("/dev/shm/" + in).c_str(), F_OK), -1);
  EXPECT_EQ(::access(("/dev/shm/sem." + in).c_str(), F_OK), -1);
  EXPECT_EQ(::mq_open(("/" + in).c_str(), O_RDONLY), mqd_t(-1));
  EXPECT_LT(::msgget(0x1234, 0), 0);
}

// Without its own /dev/shm a fresh IPC namespace still shows the POSIX shared memory and
// semaphores of the /dev/shm it sees (documented), and only its own System V objects and queues.
TEST(Namespace, IpcOnlyStillSharesDevShm) {
  Outside out;
  ASSERT_TRUE(out.ok());
  char tmpl[] = "/tmp/ipcfs-ns.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  std::string n = out.name();
  Shell s = sh("M=" + dir + " unshare --ipc bash -c '" + std::string(IPCFS_BINARY) +
               " $M -o log_level=warn && cd $M && ls posix/mq | grep -cx " + n +
               "; ls posix/shm | grep -cx " + n + "; ls posix/sem | grep -cx " + n +
               "; ls sysv/msg sysv/shm sysv/sem | grep -cvx -e by-key -e \"\" -e \"sysv/.*:\"; "
               "cd /; umount $M'");
  ::rmdir(dir.c_str());
  EXPECT_EQ(s.out, "0\n1\n1\n0\n") << s.err;
}

TEST(Namespace, SameNamespaceSeesTheSameObjects) {
  Mount& m = shared_mount();
  std::string name = unique_name("same");
  auto q = MessageQueue::open(name, O_RDWR | O_CREAT, 0600);
  ASSERT_TRUE(q);
  Shell s = sh("ls posix/mq | grep -x " + name, m.root());
  (void)MessageQueue::unlink(name);
  EXPECT_EQ(s.out, name + "\n");
}

// A System V object that cannot be made is an error of the call that asked for it: in a
// namespace allowing no semaphore sets (SEMMNI 0), mknod by-key/KEY fails with semget's ENOSPC
// and leaves nothing behind.
TEST(Namespace, AMknodThatCannotMakeItsSetSaysWhy) {
  char tmpl[] = "/tmp/ipcfs-ns.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  pid_t pid = ::fork();
  if (pid == 0) {
    FILE* f = nullptr;
    if (::unshare(CLONE_NEWIPC) < 0 || !(f = std::fopen("/proc/sys/kernel/sem", "w")) ||
        std::fputs("250 32000 32 0\n", f) < 0 || std::fclose(f) != 0)
      ::_exit(200);
    std::string mount = std::string(IPCFS_BINARY) + " " + dir + " -o log_level=error";
    if (std::system(mount.c_str()) != 0) ::_exit(201);
    std::string node = dir + "/sysv/sem/by-key/0x7001";
    int r = ::mknod(node.c_str(), S_IFREG | 0644, 0);
    int e = r == 0 ? 0 : errno;
    struct stat st {};
    bool left = ::lstat(node.c_str(), &st) == 0;
    (void)std::system(("umount " + dir).c_str());
    ::_exit(left ? 202 : e);
  }
  ASSERT_GT(pid, 0);
  int status = 0;
  ASSERT_EQ(::waitpid(pid, &status, 0), pid);
  ::rmdir(dir.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), ENOSPC);
}

}  // namespace
}  // namespace ipcfs::test
