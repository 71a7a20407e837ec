// Mount tests of POSIX shared memory (SPEC §5.2): real dd/cmp/hexdump/truncate against the same
// object seen directly in /dev/shm.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "ipc/posix_shm.h"
#include "tests/mount_fixture.h"

namespace ipcfs::test {
namespace {

using ipc::PosixShm;

class PosixShmMount : public ::testing::Test {
 protected:
  void SetUp() override {
    name_ = unique_name("shm");
    dir_ = m_.path("posix/shm");
    dev_ = "/dev/shm/" + name_;
    tmp_ = "/tmp/" + unique_name("blob");
  }
  void TearDown() override {
    (void)PosixShm::unlink(name_);
    ::unlink(tmp_.c_str());
  }
  Shell run(const std::string& cmd) { return sh(cmd, dir_); }
  off_t dev_size() {
    struct stat st;
    return ::stat(dev_.c_str(), &st) == 0 ? st.st_size : -1;
  }

  Mount& m_ = shared_mount();
  std::string name_, dir_, dev_, tmp_;
};

TEST_F(PosixShmMount, HeadCreatesAndCmpMatchesDevShm) {
  ASSERT_EQ(sh("head -c 1M /dev/urandom > " + tmp_).status, 0);
  ASSERT_EQ(run("head -c 1M " + tmp_ + " > " + name_).status, 0);
  EXPECT_EQ(dev_size(), 1 << 20);
  EXPECT_EQ(sh("cmp " + tmp_ + " " + dev_).status, 0);
  EXPECT_EQ(run("cmp " + tmp_ + " " + name_).status, 0);
  EXPECT_EQ(run("stat -c %s " + name_).out, "1048576\n");
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/" + name_).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);  // 0666 minus bash's umask
  EXPECT_NE(run("ls").out.find(name_ + "\n"), std::string::npos);
}

TEST_F(PosixShmMount, TruncateAndOTruncResizeLikeDevShm) {
  ASSERT_EQ(run("printf abcdef > " + name_).status, 0);
  ASSERT_EQ(run("truncate -s 4M " + name_).status, 0);
  EXPECT_EQ(dev_size(), 4 << 20);
  EXPECT_EQ(run("head -c 8 " + name_ + " | od -An -c").out, "   a   b   c   d   e   f  \\0  \\0\n");
  ASSERT_EQ(run("truncate -s 3 " + name_).status, 0);
  EXPECT_EQ(run("cat " + name_).out, "abc");
  ASSERT_EQ(run("printf xy > " + name_).status, 0);  // O_TRUNC empties first
  EXPECT_EQ(dev_size(), 2);
  EXPECT_EQ(run("cat " + name_).out, "xy");
  ASSERT_EQ(run("printf zz >> " + name_).status, 0);
  EXPECT_EQ(run("cat " + name_).out, "xyzz");
}

// `>` opens with O_CREAT|O_TRUNC: the truncate must not undo the @size of the object that very
// open makes (open(2): O_TRUNC has no effect on a file the call creates).
TEST_F(PosixShmMount, RedirectionOntoANewNameKeepsItsSize) {
  ASSERT_EQ(run(": > " + name_ + "@size=4K").status, 0);
  EXPECT_EQ(dev_size(), 4096);
  ASSERT_EQ(PosixShm::unlink(name_), 0);
  ASSERT_EQ(run("printf ab > " + name_ + "@size=4K").status, 0);
  EXPECT_EQ(dev_size(), 4096);
  EXPECT_EQ(run("head -c 3 " + name_ + " | od -An -c").out, "   a   b  \\0\n");
  ASSERT_EQ(run("printf xy > " + name_).status, 0);  // an existing object: emptied first
  EXPECT_EQ(dev_size(), 2);
}

TEST_F(PosixShmMount, WritesAtOffsetsAndPastTheEndGrow) {
  ASSERT_EQ(run("printf 0123456789 > " + name_).status, 0);
  ASSERT_EQ(run("printf AB | dd of=" + name_ + " bs=1 seek=3 conv=notrunc status=none").status, 0);
  EXPECT_EQ(run("cat " + name_).out, "012AB56789");
  ASSERT_EQ(run("printf Z | dd of=" + name_ + " bs=1 seek=20 conv=notrunc status=none").status, 0);
  EXPECT_EQ(dev_size(), 21);
  EXPECT_EQ(run("hexdump -C " + name_ + " | head -2").out,
            "00000000  30 31 32 41 42 35 36 37  38 39 00 00 00 00 00 00  |012AB56789......|\n"
            "00000010  00 00 00 00 5a                                    |....Z|\n");
}

TEST_F(PosixShmMount, DirectWritesAreSeenAtOnce) {
  auto s = PosixShm::open(name_, O_RDWR | O_CREAT, 0644);
  ASSERT_TRUE(s);
  ASSERT_EQ(s->truncate(100), 0);
  ASSERT_EQ(::pwrite(s->fd(), "hello", 5, 50), 5);
  EXPECT_EQ(run("dd if=" + name_ + " bs=1 skip=50 count=5 status=none").out, "hello");
  ASSERT_EQ(::pwrite(s->fd(), "HELLO", 5, 50), 5);
  EXPECT_EQ(run("dd if=" + name_ + " bs=1 skip=50 count=5 status=none").out, "HELLO");
  ASSERT_EQ(s->truncate(10), 0);
  EXPECT_EQ(run("stat -c %s " + name_).out, "10\n");
}

TEST_F(PosixShmMount, SizeOptionChmodInfoAndRm) {
  ASSERT_EQ(run("touch '" + name_ + "@size=64K'").status, 0);
  EXPECT_EQ(dev_size(), 65536);
  ASSERT_EQ(run("chmod 600 " + name_).status, 0);
  struct stat st;
  ASSERT_EQ(::stat(dev_.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  Shell info = run("cat " + name_ + "@info");
  EXPECT_NE(info.out.find("kind: posix-shm\nname: /" + name_ + "\nmode: 0600\n"), std::string::npos)
      << info.out;
  EXPECT_NE(info.out.find("size: 65536\n"), std::string::npos);
  EXPECT_NE(info.out.find("mmap: "), std::string::npos);
  EXPECT_EQ(run("getfattr --only-values -n user.ipcfs.size " + name_).out, "65536");
  ASSERT_EQ(run("rm " + name_).status, 0);
  EXPECT_EQ(dev_size(), -1);
  EXPECT_NE(run("cat " + name_).status, 0);
}

TEST_F(PosixShmMount, ExclAndHostileOptions) {
  ASSERT_EQ(run("touch " + name_).status, 0);
  EXPECT_NE(run("set -o noclobber; echo x > " + name_).status, 0);
  Shell excl = run("touch '" + name_ + "@excl'");
  EXPECT_NE(excl.err.find("File exists"), std::string::npos) << excl.err;
  std::string other = unique_name("h");
  for (const char* opt :
       {"size=0", "size=-1", "size=1T", "size=abc", "size=", "prio=1", "nsems=2"}) {
    Shell r = run("touch '" + other + "@" + opt + "'");
    EXPECT_NE(r.err.find("Invalid argument"), std::string::npos) << opt << ": " << r.err;
  }
  EXPECT_EQ(PosixShm::stat_name(other).error(), -ENOENT);
}

// A sparse object uses the blocks its file uses, as on /dev/shm: ls -s and du agree.
TEST_F(PosixShmMount, BlocksAreTheObjectsOwn) {
  ASSERT_EQ(run("truncate -s 2G " + name_ + " && printf x | dd of=" + name_ +
                " bs=1 seek=8192 conv=notrunc status=none")
                .status,
            0);
  std::string via = run("stat -c '%s %b' " + name_).out;
  EXPECT_EQ(via, run("stat -c '%s %b' /dev/shm/" + name_).out);
  EXPECT_EQ(via.substr(0, via.find(' ')), "2147483648");
  EXPECT_LT(std::stoll(via.substr(via.find(' ') + 1)), 64) << via;
}

TEST_F(PosixShmMount, SemaphoreFilesAreNotListedOrMade) {
  ASSERT_EQ(run("touch " + name_).status, 0);
  std::string sem = "sem." + unique_name("s");
  ASSERT_EQ(sh("touch /dev/shm/" + sem).status, 0);
  EXPECT_EQ(run("ls | grep -c '^sem\\.'").out, "0\n");
  EXPECT_NE(run("cat " + sem).err.find("No such file"), std::string::npos);
  ::unlink(("/dev/shm/" + sem).c_str());
  Shell r = run("touch sem." + unique_name("n"));
  EXPECT_NE(r.err.find("Invalid argument"), std::string::npos) << r.err;
}

TEST_F(PosixShmMount, ObjectsMadeElsewhereAppearAndGo) {
  EXPECT_EQ(run("ls | grep -c " + name_).out, "0\n");
  auto s = PosixShm::open(name_, O_RDWR | O_CREAT, 0600);
  ASSERT_TRUE(s);
  EXPECT_EQ(run("ls | grep -c " + name_).out, "1\n");
  ASSERT_EQ(PosixShm::unlink(name_), 0);
  EXPECT_EQ(run("ls | grep -c " + name_).out, "0\n");
}

}  // namespace
}  // namespace ipcfs::test
