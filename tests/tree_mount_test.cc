// Mount tests of the fixed tree (SPEC §3), refused operations (§8) and daemon life (§2).
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>

#include "tests/mount_fixture.h"

namespace ipcfs::test {
namespace {

TEST(Tree, TheWholeTreeExists) {
  Mount& m = shared_mount();
  EXPECT_EQ(sh("ls posix", m.root()).out, "mq\nsem\nshm\n");
  EXPECT_EQ(sh("ls sysv", m.root()).out, "msg\nsem\nshm\n");
  for (const char* d : {"sysv/msg/by-key", "sysv/shm/by-key", "sysv/sem/by-key"}) {
    struct stat st;
    ASSERT_EQ(::stat(m.path(d).c_str(), &st), 0) << d;
    EXPECT_TRUE(S_ISDIR(st.st_mode));
  }
}

// Link counts as on a disk filesystem: 2 plus one per subdirectory (find(1) relies on them).
TEST(Tree, DirectoryLinkCountsCountSubdirectories) {
  Mount& m = shared_mount();
  EXPECT_EQ(sh("stat -c '%n %h' . posix sysv posix/mq sysv/msg sysv/msg/by-key", m.root()).out,
            ". 4\nposix 5\nsysv 5\nposix/mq 2\nsysv/msg 3\nsysv/msg/by-key 2\n");
}

TEST(Tree, ObjectDirectoriesAreStickyAndWorldWritable) {
  Mount& m = shared_mount();
  for (const char* d : {"posix/mq", "posix/shm", "posix/sem", "sysv/msg", "sysv/shm", "sysv/sem"}) {
    struct stat st;
    ASSERT_EQ(::stat(m.path(d).c_str(), &st), 0) << d;
    EXPECT_EQ(st.st_mode & 07777, 01777u) << d;
  }
  struct stat st;
  ASSERT_EQ(::stat(m.root().c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0755u);
}

TEST(Tree, RefusedOperations) {
  Mount& m = shared_mount();
  errno = 0;
  EXPECT_EQ(::mkdir(m.path("posix/mq/d").c_str(), 0755), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::mkdir(m.path("x").c_str(), 0755), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::symlink("a", m.path("posix/mq/l").c_str()), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::rmdir(m.path("posix/mq").c_str()), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::open(m.path("newfile").c_str(), O_CREAT | O_WRONLY, 0644), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::open(m.path("nothing").c_str(), O_RDONLY), -1);
  EXPECT_EQ(errno, ENOENT);
}

TEST(Daemon, VersionAndHelp) {
  Shell v = sh(std::string(IPCFS_BINARY) + " --version");
  EXPECT_EQ(v.status, 0);
  EXPECT_EQ(v.out.rfind("ipcfs ", 0), 0u) << v.out;
  Shell h = sh(std::string(IPCFS_BINARY) + " --help");
  EXPECT_EQ(h.status, 0);
  EXPECT_NE(h.out.find("log_level"), std::string::npos);
}

TEST(Daemon, BadCommandLinesExitWithUsage) {
  EXPECT_EQ(sh(std::string(IPCFS_BINARY) + " 2>/dev/null").status, 1);
  EXPECT_EQ(sh(std::string(IPCFS_BINARY) + " -o log_level=loud /tmp 2>/dev/null").status, 1);
}

TEST(Daemon, MountFailureExitsWithTwo) {
  EXPECT_EQ(sh(std::string(IPCFS_BINARY) + " -f /nonexistent/dir 2>/dev/null").status, 2);
}

TEST(Daemon, SigtermUnmountsAndExitsZero) {
  Mount m;
  ASSERT_EQ(::kill(m.pid(), SIGTERM), 0);
  int status = m.unmount();
  EXPECT_EQ(status, 0);
}

TEST(Daemon, UmountEndsTheDaemonWithZero) {
  Mount m;
  EXPECT_EQ(m.unmount(), 0);
}

// Each open through the mount is a descriptor in the daemon: it takes the hard limit.
TEST(Daemon, RaisesItsOpenFileLimitToTheHardLimit) {
  char tmpl[] = "/tmp/ipcfs-nofile.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  Shell s = sh("ulimit -Sn 64 && ulimit -Hn 4096 && " + std::string(IPCFS_BINARY) + " " + dir +
               " -o log_level=warn && pid=$(pgrep -n -f 'ipcfs " + dir + "') && " +
               "grep 'Max open files' /proc/$pid/limits; umount " + dir);
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_NE(s.out.find("4096                 4096"), std::string::npos) << s.out;
  ::rmdir(dir.c_str());
}

TEST(Daemon, AcceptsASourceArgumentAsMountDoes) {
  char tmpl[] = "/tmp/ipcfs-src.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  Shell s = sh(std::string(IPCFS_BINARY) + " ipcfs " + dir + " -o log_level=warn && ls " + dir +
               " && umount " + dir);
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(s.out, "posix\nsysv\n");
  ::rmdir(dir.c_str());
}

}  // namespace
}  // namespace ipcfs::test
