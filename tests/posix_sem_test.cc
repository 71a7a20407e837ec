// Unit tests of ipc/posix_sem: real POSIX semaphores and their /dev/shm files.
#include "ipc/posix_sem.h"

#include <signal.h>
#include <sys/mman.h>

#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <string>

#include "ipc/fault_guard.h"

namespace ipcfs::ipc {
namespace {

std::string fresh_name() {
  static std::atomic<int> n{0};
  return "u" + std::to_string(::getpid()) + "s" + std::to_string(n++);
}

class NamedSemaphoreIpc : public ::testing::Test {
 protected:
  void TearDown() override {
    (void)NamedSemaphore::unlink(name_);
    ::unlink(("/dev/shm/sem." + name_).c_str());
  }
  std::string name_ = fresh_name();
};

TEST_F(NamedSemaphoreIpc, CreateHasExactModeOwnerAndValue) {
  mode_t old = ::umask(077);
  auto s = NamedSemaphore::create(name_, 0664, 3, 1234, 5678);
  ::umask(old);
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(*s->value(), 3u);
  struct stat st;
  ASSERT_EQ(::stat(("/dev/shm/sem." + name_).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0664u);  // not 0600: the daemon's umask does not apply
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 5678u);
  auto ps = stat_posix_sem(name_);
  ASSERT_TRUE(ps);
  EXPECT_EQ(ps->mode, 0664u);
  EXPECT_EQ(ps->uid, 1234u);
  EXPECT_EQ(ps->serial, st.st_ino);
  EXPECT_EQ(NamedSemaphore::create(name_, 0600, 0, 0, 0).error(), -EEXIST);
}

TEST_F(NamedSemaphoreIpc, PostTrywaitValueShareTheObjectWithSemOpen) {
  auto s = NamedSemaphore::create(name_, 0600, 0, ::getuid(), ::getgid());
  ASSERT_TRUE(s);
  sem_t* direct = ::sem_open(("/" + name_).c_str(), 0);
  ASSERT_NE(direct, SEM_FAILED);
  EXPECT_EQ(s->trywait(), -EAGAIN);
  EXPECT_EQ(s->post(), 0);
  EXPECT_EQ(::sem_trywait(direct), 0);
  EXPECT_EQ(::sem_post(direct), 0);
  EXPECT_EQ(*s->value(), 1u);
  EXPECT_EQ(s->trywait(), 0);
  ::sem_close(direct);
}

TEST_F(NamedSemaphoreIpc, ListStatChmodChownUnlink) {
  ASSERT_TRUE(NamedSemaphore::create(name_, 0600, 0, ::getuid(), ::getgid()));
  auto names = list_posix_sems();
  ASSERT_TRUE(names);
  EXPECT_NE(std::find(names->begin(), names->end(), name_), names->end());
  EXPECT_EQ(chmod_posix_sem(name_, 0640), 0);
  EXPECT_EQ(chown_posix_sem(name_, 42, gid_t(-1)), 0);
  auto st = stat_posix_sem(name_);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->mode, 0640u);
  EXPECT_EQ(st->uid, 42u);
  EXPECT_EQ(NamedSemaphore::unlink(name_), 0);
  EXPECT_EQ(stat_posix_sem(name_).error(), -ENOENT);
  EXPECT_EQ(NamedSemaphore::open(name_).error(), -ENOENT);
}

TEST_F(NamedSemaphoreIpc, RefusesPlantedFilesAndBadNames) {
  std::string path = "/dev/shm/sem." + name_;
  int fd = ::open(path.c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644);
  ASSERT_GE(fd, 0);
  ::close(fd);
  EXPECT_EQ(NamedSemaphore::open(name_).error(), -EINVAL);  // empty: mapping it would fault
  ASSERT_EQ(::unlink(path.c_str()), 0);
  ASSERT_EQ(::symlink("/etc/passwd", path.c_str()), 0);
  EXPECT_EQ(NamedSemaphore::open(name_).error(), -ENOENT);
  EXPECT_EQ(stat_posix_sem(name_).error(), -ENOENT);
  ::unlink(path.c_str());
  EXPECT_EQ(NamedSemaphore::open("a/b").error(), -EINVAL);
  EXPECT_EQ(NamedSemaphore::create(std::string(252, 'x'), 0600, 0, 0, 0).error(), -ENAMETOOLONG);
  EXPECT_EQ(NamedSemaphore::create("", 0600, 0, 0, 0).error(), -EINVAL);
}

// Anyone may own a semaphore's file and truncate it under the daemon's mapping: the next touch
// raises SIGBUS, which must become -EIO, not the end of the process.
TEST_F(NamedSemaphoreIpc, ATruncatedFileGivesEioNotADeadProcess) {
  auto s = NamedSemaphore::create(name_, 0600, 2, ::getuid(), ::getgid());
  ASSERT_TRUE(s) << s.error();
  std::string path = "/dev/shm/sem." + name_;
  ASSERT_EQ(::truncate(path.c_str(), 0), 0);
  EXPECT_EQ(s->value().error(), -EIO);
  EXPECT_EQ(s->post(), -EIO);
  EXPECT_EQ(s->trywait(), -EIO);
  EXPECT_EQ(s->value().error(), -EIO);  // again: the handler stays armed after a jump
  // Grown again, the same mapping works on the file's new (zero) bytes.
  ASSERT_EQ(::truncate(path.c_str(), sizeof(sem_t)), 0);
  EXPECT_EQ(*s->value(), 0u);
  EXPECT_EQ(s->post(), 0);
  EXPECT_EQ(*s->value(), 1u);
}

// A SIGBUS outside any guard still ends the process, as it did before the handler.
TEST(FaultGuardDeathTest, AnUnguardedFaultStillKills) {
  EXPECT_EQ(guard_faults([] { return 7; }), 7);  // installs the handler
  char path[] = "/dev/shm/ipcfs-test-fault.XXXXXX";
  int fd = ::mkstemp(path);
  ASSERT_GE(fd, 0);
  ::unlink(path);
  ASSERT_EQ(::ftruncate(fd, 4096), 0);
  auto* p = static_cast<volatile char*>(::mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fd, 0));
  ASSERT_NE(p, MAP_FAILED);
  ASSERT_EQ(::ftruncate(fd, 0), 0);
  // Dies of SIGBUS, or of a sanitizer's report of it (the handler before ours gets the fault).
  EXPECT_DEATH((void)p[0], "");
  ::munmap(const_cast<char*>(p), 4096);
  ::close(fd);
}

}  // namespace
}  // namespace ipcfs::ipc
