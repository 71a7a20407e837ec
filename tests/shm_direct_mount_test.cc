// Shared memory without FUSE passthrough (SPEC §5.2): a daemon without CAP_SYS_ADMIN (mounted by
// mount.fuse3 -o drop_privileges, which hands it /dev/fd/N) serves every read and write itself,
// from its own mapping of the object, and MAP_SHARED fails with ENODEV while MAP_PRIVATE works.
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <string>

#include "ipc/fd.h"
#include "ipc/posix_shm.h"
#include "ipc/sysv_shm.h"
#include "tests/mount_fixture.h"

namespace ipcfs::test {
namespace {

class ShmDirect : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ipcfs-direct.XXXXXX";
    ASSERT_TRUE(::mkdtemp(tmpl));
    dir_ = tmpl;
    name_ = unique_name("direct");
    Shell s = sh(std::string("mount.fuse3 '") + IPCFS_BINARY + "#ipcfs' " + dir_ +
                 " -o default_permissions,drop_privileges && mountpoint -q " + dir_);
    ASSERT_EQ(s.status, 0) << s.err;
  }
  void TearDown() override {
    (void)ipc::PosixShm::unlink(name_);
    if (auto id = ipc::SysvShm::find(0x4242)) (void)ipc::SysvShm::remove(*id);
    // Also when the daemon failed: mount.fuse3 made the mount before running it.
    sh("umount " + dir_ + " 2>/dev/null || umount -l " + dir_ + " 2>/dev/null");
    ::rmdir(dir_.c_str());
  }
  Shell run(const std::string& cmd) { return sh(cmd, dir_); }

  std::string dir_, name_;
};

// A daemon without CAP_DAC_OVERRIDE makes the object, then cannot open it as a mode of 0 says:
// the open fails, and the object it made for that open is gone again.
TEST_F(ShmDirect, AFailedCreatingOpenLeavesNothingMade) {
  std::string path = dir_ + "/posix/shm/" + name_;
  errno = 0;
  EXPECT_EQ(::open(path.c_str(), O_CREAT | O_EXCL | O_RDWR, 0), -1);
  EXPECT_EQ(errno, EACCES);
  struct stat st {};
  EXPECT_EQ(::stat(("/dev/shm/" + name_).c_str(), &st), -1);
  EXPECT_EQ(errno, ENOENT);
}

// Too large for the daemon to map (beyond the 128 TiB of user address space): read all the same.
TEST_F(ShmDirect, AHugeSparseObjectReadsAsZeros) {
  std::string f = "posix/shm/" + name_;
  Shell s = run("truncate -s 200T " + f + " && printf xy | dd of=" + f +
                " bs=1 seek=5 conv=notrunc status=none && head -c 8 " + f + " | od -An -c");
  EXPECT_EQ(s.out, "  \\0  \\0  \\0  \\0  \\0   x   y  \\0\n") << s.err;
  EXPECT_EQ(run("stat -c %s " + f).out, "219902325555200\n");
}

TEST_F(ShmDirect, PosixReadsWritesAndNoSharedMapping) {
  std::string f = "posix/shm/" + name_;
  EXPECT_EQ(run("head -c 300000 /dev/urandom > " + f + " && cmp " + f + " /dev/shm/" + name_ +
                " && getfattr --only-values -n user.ipcfs.mmap " + f)
                .out,
            "direct");
  // Grows well past the daemon's mapping, then reads back through it.
  EXPECT_EQ(
      run("truncate -s 5M " + f + " && printf end | dd of=" + f +
          " bs=1 seek=5242877 conv=notrunc status=none && tail -c 3 " + f + " && stat -c %s " + f)
          .out,
      "end5242880\n");
  EXPECT_EQ(run("printf abc > " + f + " && cat " + f).out, "abc");
  UniqueFd fd(::open((dir_ + "/" + f).c_str(), O_RDWR));
  ASSERT_TRUE(fd.valid());
  errno = 0;
  EXPECT_EQ(::mmap(nullptr, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0), MAP_FAILED);
  EXPECT_EQ(errno, ENODEV);
  void* p = ::mmap(nullptr, 4096, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  ASSERT_NE(p, MAP_FAILED);
  EXPECT_EQ(std::memcmp(p, "abc", 3), 0);
  ::munmap(p, 4096);
}

TEST_F(ShmDirect, SysvSegmentsThroughTheDaemon) {
  Shell s = run(
      "cd sysv/shm && printf hello > by-key/0x4242 && cat by-key/0x4242 && "
      "printf J | dd of=by-key/0x4242 bs=1 seek=1 conv=notrunc status=none && "
      "cat by-key/0x4242 && printf xx | dd of=by-key/0x4242 bs=1 seek=5 conv=notrunc status=none;"
      " echo \" $?\"");
  EXPECT_EQ(s.out, "hellohJllo 1\n");
  EXPECT_NE(s.err.find("No space left on device"), std::string::npos) << s.err;
}

}  // namespace
}  // namespace ipcfs::test
