// Unit tests of ipc/posix_shm on real objects in /dev/shm.
#include "ipc/posix_shm.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <semaphore.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <string>

namespace ipcfs::ipc {
namespace {

std::string unique(const char* tag) {
  static int n = 0;
  return "ushm" + std::to_string(::getpid()) + "x" + std::to_string(n++) + tag;
}

struct Unlinker {
  std::string name;
  ~Unlinker() { (void)PosixShm::unlink(name); }
};

bool listed(const std::string& name) {
  auto l = PosixShm::list();
  return l && std::find(l->begin(), l->end(), name) != l->end();
}

TEST(PosixShm, CreateTruncateStatChmod) {
  Unlinker u{unique("a")};
  auto s = PosixShm::open(u.name, O_RDWR | O_CREAT | O_EXCL, 0640);
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(s->truncate(12345), 0);
  auto st = s->stat();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->size, 12345u);
  EXPECT_EQ(st->mode, 0640u);
  EXPECT_EQ(s->chmod(0600), 0);
  auto by_name = PosixShm::stat_name(u.name);
  ASSERT_TRUE(by_name);
  EXPECT_EQ(by_name->mode, 0600u);
  EXPECT_EQ(by_name->serial, st->serial);
  EXPECT_EQ(by_name->size, 12345u);
  EXPECT_TRUE(listed(u.name));
  EXPECT_EQ(PosixShm::open(u.name, O_RDWR | O_CREAT | O_EXCL, 0600).error(), -EEXIST);
}

TEST(PosixShm, UnlinkAndMissing) {
  Unlinker u{unique("b")};
  ASSERT_TRUE(PosixShm::open(u.name, O_RDWR | O_CREAT, 0600));
  EXPECT_EQ(PosixShm::unlink(u.name), 0);
  EXPECT_FALSE(listed(u.name));
  EXPECT_EQ(PosixShm::unlink(u.name), -ENOENT);
  EXPECT_EQ(PosixShm::stat_name(u.name).error(), -ENOENT);
  EXPECT_EQ(PosixShm::open(u.name, O_RDONLY).error(), -ENOENT);
}

TEST(PosixShm, SemaphoreFilesAreNotSharedMemory) {
  std::string name = unique("s");
  sem_t* sem = ::sem_open(("/" + name).c_str(), O_CREAT | O_EXCL, 0600, 1);
  ASSERT_NE(sem, SEM_FAILED);
  ::sem_close(sem);
  EXPECT_FALSE(listed("sem." + name));
  EXPECT_EQ(PosixShm::stat_name("sem." + name).error(), -ENOENT);
  EXPECT_EQ(PosixShm::open("sem." + name, O_RDONLY).error(), -ENOENT);
  EXPECT_EQ(PosixShm::unlink("sem." + name), -ENOENT);
  EXPECT_EQ(PosixShm::open("sem." + unique("n"), O_RDWR | O_CREAT, 0600).error(), -EINVAL);
  ::sem_unlink(("/" + name).c_str());
}

// A FIFO planted (or swapped in by rename) under an object's name: opening it for reading
// must not wait for a writer (that would hold a daemon thread and its caller for ever).
TEST(PosixShm, AFifoIsNoObjectAndOpeningItNeverWaits) {
  Unlinker u{unique("f")};
  ASSERT_EQ(::mkfifo(("/dev/shm/" + u.name).c_str(), 0600), 0);
  EXPECT_EQ(PosixShm::open(u.name, O_RDONLY).error(), -ENOENT);
  EXPECT_EQ(PosixShm::open(u.name, O_RDWR).error(), -ENOENT);
  EXPECT_EQ(PosixShm::stat_name(u.name).error(), -ENOENT);
}

TEST(PosixShm, BadNames) {
  EXPECT_EQ(PosixShm::open("", O_RDONLY).error(), -EINVAL);
  EXPECT_EQ(PosixShm::open("a/b", O_RDWR | O_CREAT, 0600).error(), -EINVAL);
  EXPECT_EQ(PosixShm::open("..", O_RDONLY).error(), -EINVAL);
  EXPECT_EQ(PosixShm::open(std::string(256, 'x'), O_RDONLY).error(), -ENAMETOOLONG);
  EXPECT_EQ(PosixShm::stat_name("a/b").error(), -EINVAL);
}

}  // namespace
}  // namespace ipcfs::ipc
