// Mount tests of System V shared memory (SPEC §5.2): segments made through by-key/KEY with
// truncate, cat and @size, fixed sizes, removal of attached segments, ipcmk/ipcrm, hostile sizes.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstring>
#include <fstream>
#include <string>

#include "ipc/names.h"
#include "ipc/sysv_shm.h"
#include "tests/mount_fixture.h"

namespace ipcfs::test {
namespace {

using ipc::SysvShm;

key_t unique_key() {
  static int n = 0;
  return key_t(0x60000000 | ((::getpid() & 0x3fffff) << 6) | (n++ & 0x3f));
}

class SysvShmMount : public ::testing::Test {
 protected:
  void SetUp() override {
    key_ = unique_key();
    k_ = ipc::format_key(key_);
    dir_ = m_.path("sysv/shm");
    tmp_ = "/tmp/" + unique_name("blob");
  }
  void TearDown() override {
    for (int i = 0; i < 3; ++i)
      if (auto id = SysvShm::find(key_)) (void)SysvShm::remove(*id);
    if (extra_id_ >= 0) ::shmctl(extra_id_, IPC_RMID, nullptr);
    ::unlink(tmp_.c_str());
  }
  Shell run(const std::string& cmd) { return sh(cmd, dir_); }
  uint64_t segsz() {
    auto id = SysvShm::find(key_);
    if (!id) return 0;
    return SysvShm::stat(*id)->object.size;
  }
  std::string id_name() { return std::to_string(*SysvShm::find(key_)); }

  Mount& m_ = shared_mount();
  key_t key_;
  std::string k_, dir_, tmp_;
  int extra_id_ = -1;
};

TEST_F(SysvShmMount, TruncateMakesSegmentOfExactlyThatSize) {
  ASSERT_EQ(run("truncate -s 1M by-key/" + k_).status, 0);
  EXPECT_EQ(segsz(), 1u << 20);
  auto st = SysvShm::stat(*SysvShm::find(key_));
  EXPECT_EQ(st->object.mode, 0644u);
  EXPECT_EQ(st->object.uid, ::geteuid());
  EXPECT_EQ(run("stat -L -c %s by-key/" + k_).out, "1048576\n");
  EXPECT_EQ(run("stat -c %s " + id_name()).out, "1048576\n");
}

// A by-key link holds nothing itself (du would count the segment twice); the file has blocks.
TEST_F(SysvShmMount, ByKeyLinksHaveNoBlocks) {
  auto id = SysvShm::create(key_, 1 << 20, 0600);
  ASSERT_TRUE(id);
  EXPECT_EQ(run("stat -c %F:%b by-key/" + k_).out, "symbolic link:0\n");
  EXPECT_EQ(run("stat -c %b " + std::to_string(*id)).out, "2048\n");
}

TEST_F(SysvShmMount, CatMakesSegmentHoldingExactlyTheFile) {
  ASSERT_EQ(sh("head -c 5000 /dev/urandom > " + tmp_).status, 0);
  ASSERT_EQ(run("cat " + tmp_ + " > by-key/" + k_).status, 0);
  EXPECT_EQ(segsz(), 5000u);
  EXPECT_EQ(run("cmp " + tmp_ + " " + id_name()).status, 0);
  void* p = ::shmat(*SysvShm::find(key_), nullptr, SHM_RDONLY);
  ASSERT_NE(p, reinterpret_cast<void*>(-1));
  std::ifstream f(tmp_, std::ios::binary);
  std::string want((std::istreambuf_iterator<char>(f)), {});
  EXPECT_EQ(std::memcmp(p, want.data(), want.size()), 0);
  ::shmdt(p);
}

// The segment exists when the writing command's close(2) returns, not some time after (the
// kernel sends RELEASE after close has returned; FLUSH is waited for).
TEST_F(SysvShmMount, SegmentExistsAsSoonAsTheWriterHasClosed) {
  ASSERT_EQ(sh("head -c 3000 /dev/urandom > " + tmp_).status, 0);
  for (int i = 0; i < 30; ++i) {
    key_t key = unique_key();
    std::string k = ipc::format_key(key);
    Shell s = run("cat " + tmp_ + " > by-key/" + k + " && ipcs -m | grep -c " + k + " && cmp " +
                  tmp_ + " by-key/" + k);
    if (auto id = SysvShm::find(key)) (void)SysvShm::remove(*id);
    ASSERT_EQ(s.status, 0) << "round " << i << ": " << s.out << s.err;
    ASSERT_EQ(s.out, "1\n");
  }
}

// Every close of any descriptor of the writing open sends a FLUSH, which makes the segment:
// a child that inherited the descriptor, or bash restoring fd 1 after `>&3`. Later writes past
// its end grow it (a new segment replaces it) while no one else has attached it.
TEST_F(SysvShmMount, WritesAfterAnEarlyCloseGrowTheSegment) {
  ASSERT_EQ(run("{ printf part1-; sh -c 'printf part2'; printf 3; } > by-key/" + k_).status, 0);
  EXPECT_EQ(segsz(), 12u);
  EXPECT_EQ(run("cat by-key/" + k_).out, "part1-part23");
  ASSERT_EQ(SysvShm::remove(*SysvShm::find(key_)), 0);
  Shell s = run("exec 3>by-key/" + k_ + "; echo a >&3; echo b >&3; exec 3>&-; cat by-key/" + k_);
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(s.out, "a\nb\n");
  EXPECT_EQ(segsz(), 4u);
  ASSERT_EQ(SysvShm::remove(*SysvShm::find(key_)), 0);
  // Attached by someone else in between: it stays, and the write past its end is ENOSPC.
  s = run("exec 3>by-key/" + k_ + "; echo a >&3; sleep 1 < by-key/" + k_ +
          " & sleep 0.3; echo b >&3");
  EXPECT_EQ(s.status, 1);
  EXPECT_NE(s.err.find("No space left on device"), std::string::npos) << s.err;
  EXPECT_EQ(segsz(), 2u);
  EXPECT_EQ(run("cat by-key/" + k_).out, "a\n");
}

// install(1) and cp -p set the mode (fchmod) before the close that makes the segment.
TEST_F(SysvShmMount, InstallAndCpPreserveTheModeOfANewSegment) {
  ASSERT_EQ(sh("printf hello > " + tmp_ + " && chmod 640 " + tmp_).status, 0);
  Shell s = run("install -m 604 " + tmp_ + " by-key/" + k_);
  ASSERT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(SysvShm::stat(*SysvShm::find(key_))->object.mode, 0604u);
  EXPECT_EQ(run("cat by-key/" + k_).out, "hello");
  ASSERT_EQ(SysvShm::remove(*SysvShm::find(key_)), 0);
  s = run("cp -p " + tmp_ + " by-key/" + k_);
  ASSERT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(SysvShm::stat(*SysvShm::find(key_))->object.mode, 0640u);
}

TEST_F(SysvShmMount, SizeOptionMakesAtOnceAndOwnerIsTheCaller) {
  Mount shared({"-o", "allow_other"});  // so that another user may use it
  Shell r =
      sh("setpriv --reuid=65534 --regid=65534 --clear-groups touch 'by-key/" + k_ + "@size=64K'",
         shared.path("sysv/shm"));
  ASSERT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(segsz(), 65536u);
  auto st = SysvShm::stat(*SysvShm::find(key_));
  EXPECT_EQ(st->object.uid, 65534u);
  EXPECT_EQ(st->object.gid, 65534u);
  EXPECT_EQ(run("ls -l " + id_name() + " | cut -d' ' -f1,5").out, "-rw-r--r-- 65536\n");
}

TEST_F(SysvShmMount, FixedSize) {
  ASSERT_EQ(run("touch 'by-key/" + k_ + "@size=100'").status, 0);
  std::string f = id_name();
  // Past the end: ENOSPC after what fits.
  Shell dd = run("head -c 150 /dev/zero | tr '\\0' x | dd of=" + f + " bs=150 conv=notrunc");
  EXPECT_NE(dd.status, 0);
  EXPECT_NE(dd.err.find("No space left on device"), std::string::npos) << dd.err;
  EXPECT_EQ(run("cat " + f).out, std::string(100, 'x'));
  Shell tr = run("truncate -s 50 " + f);
  EXPECT_NE(tr.err.find("Invalid argument"), std::string::npos) << tr.err;
  EXPECT_EQ(run("truncate -s 100 " + f).status, 0);  // the same size: nothing to do
  ASSERT_EQ(run("printf ab > " + f).status, 0);      // O_TRUNC changes nothing
  EXPECT_EQ(segsz(), 100u);
  EXPECT_EQ(run("cat " + f).out, "ab" + std::string(98, 'x'));
  ASSERT_EQ(run("printf CD | dd of=" + f + " bs=1 seek=98 conv=notrunc status=none").status, 0);
  EXPECT_EQ(run("hexdump -Cv " + f + " | tail -3").out,
            "00000050  78 78 78 78 78 78 78 78  78 78 78 78 78 78 78 78  |xxxxxxxxxxxxxxxx|\n"
            "00000060  78 78 43 44                                       |xxCD|\n"
            "00000064\n");
}

TEST_F(SysvShmMount, DirectStoresAreReadAtOnce) {
  auto id = SysvShm::create(key_, 4096, 0600);
  ASSERT_TRUE(id);
  char* p = static_cast<char*>(::shmat(*id, nullptr, 0));
  ASSERT_NE(p, reinterpret_cast<char*>(-1));
  std::memcpy(p + 1000, "direct", 6);
  EXPECT_EQ(run("dd if=by-key/" + k_ + " bs=1 skip=1000 count=6 status=none").out, "direct");
  ASSERT_EQ(run("printf viafs | dd of=" + std::to_string(*id) +
                " bs=1 seek=2000 conv=notrunc status=none")
                .status,
            0);
  EXPECT_EQ(std::string(p + 2000, 5), "viafs");
  ::shmdt(p);
}

TEST_F(SysvShmMount, RmOfAttachedSegmentWaitsForLastDetach) {
  auto id = SysvShm::create(key_, 4096, 0600);
  ASSERT_TRUE(id);
  void* p = ::shmat(*id, nullptr, 0);
  ASSERT_NE(p, reinterpret_cast<void*>(-1));
  std::string f = std::to_string(*id);
  ASSERT_EQ(run("rm " + f).status, 0);
  auto st = SysvShm::stat(*id);
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->dest);
  EXPECT_EQ(run("ls by-key | grep -ci " + k_.substr(2)).out, "0\n");  // key is now IPC_PRIVATE
  EXPECT_EQ(run("ls | grep -cx " + f).out, "1\n");                    // still there
  EXPECT_NE(run("cat " + f + "@info").out.find("dest: yes\n"), std::string::npos);
  ::shmdt(p);
  EXPECT_EQ(SysvShm::stat(*id).error(), -EINVAL);
  EXPECT_EQ(run("ls | grep -cx " + f).out, "0\n");
}

TEST_F(SysvShmMount, IpcmkSegmentsAppearAndIpcrmOnesGo) {
  Shell mk = sh("ipcmk -M 8192 -p 0600");
  ASSERT_EQ(mk.status, 0) << mk.err;
  std::string id = mk.out.substr(mk.out.find_last_of(' ') + 1);
  id.pop_back();
  extra_id_ = std::stoi(id);
  EXPECT_EQ(run("stat -c '%s %a' " + id).out, "8192 600\n");
  auto st = SysvShm::stat(extra_id_);
  EXPECT_EQ(run("readlink by-key/" + ipc::format_key(st->key)).out, "../" + id + "\n");
  ASSERT_EQ(sh("ipcrm -m " + id).status, 0);
  extra_id_ = -1;
  EXPECT_EQ(run("ls | grep -cx " + id).out, "0\n");
  EXPECT_NE(run("cat " + id).status, 0);
}

TEST_F(SysvShmMount, InfoAndXattrs) {
  ASSERT_EQ(run("touch 'by-key/" + k_ + "@size=4K'").status, 0);
  Shell info = run("cat by-key/" + k_ + "@info");
  EXPECT_NE(info.out.find("kind: sysv-shm\nid: " + id_name() + "\nkey: " + k_ + "\nmode: 0644\n"),
            std::string::npos)
      << info.out;
  EXPECT_NE(info.out.find("size: 4096\nnattch: 0\n"), std::string::npos) << info.out;
  EXPECT_EQ(run("getfattr --only-values -n user.ipcfs.key " + id_name()).out, k_);
  ASSERT_EQ(run("chmod 600 " + id_name()).status, 0);
  EXPECT_EQ(SysvShm::stat(*SysvShm::find(key_))->object.mode, 0600u);
}

TEST_F(SysvShmMount, TouchWithoutSizeMakesNothing) {
  EXPECT_EQ(run("touch by-key/" + k_).status, 0);
  EXPECT_EQ(SysvShm::find(key_).error(), -ENOENT);
  EXPECT_EQ(run(": > by-key/" + k_).status, 0);  // nothing written: nothing made either
  EXPECT_EQ(SysvShm::find(key_).error(), -ENOENT);
}

TEST_F(SysvShmMount, ExistingKeyAndExcl) {
  ASSERT_EQ(run("touch 'by-key/" + k_ + "@size=4K'").status, 0);
  Shell r = run("touch 'by-key/" + k_ + "@size=4K,excl'");
  EXPECT_NE(r.err.find("File exists"), std::string::npos) << r.err;
  EXPECT_EQ(run("truncate -s 4K by-key/" + k_).status, 0);
  EXPECT_NE(run("truncate -s 8K by-key/" + k_).status, 0);
  EXPECT_EQ(segsz(), 4096u);
}

TEST_F(SysvShmMount, HostileSizes) {
  for (const char* opt : {"size=0", "size=-1", "size=1T", "size=12Q", "size=", "size=0x10",
                          "size=18446744073709551615", "type=1"}) {
    Shell r = run("touch 'by-key/" + k_ + "@" + opt + "'");
    EXPECT_NE(r.err.find("Invalid argument"), std::string::npos) << opt << ": " << r.err;
  }
  EXPECT_EQ(SysvShm::find(key_).error(), -ENOENT);
  Shell t = run("truncate -s 18446744073709551615 by-key/" + k_);  // wraps: truncate says EINVAL
  EXPECT_NE(t.status, 0);
  EXPECT_EQ(SysvShm::find(key_).error(), -ENOENT);
  Shell bad = run("touch by-key/0x0 by-key/zz by-key/0x100000000");
  EXPECT_EQ(bad.status, 1);
  EXPECT_EQ(bad.err.find("No such file"), std::string::npos) << bad.err;
}

// Lowering kernel.shmall needs an IPC namespace of its own: a daemon and a shell run in a fresh
// one, so no other program ever sees the limit.
TEST_F(SysvShmMount, PastShmallIsEnospc) {
  char tmpl[] = "/tmp/ipcfs-shmall.XXXXXX";
  ASSERT_TRUE(::mkdtemp(tmpl));
  std::string d = tmpl;
  Shell r =
      sh("unshare --ipc bash -c 'echo 1 > /proc/sys/kernel/shmall; " IPCFS_BINARY " -f " + d +
         " 2>/dev/null & for i in $(seq 200); do mountpoint -q " + d +
         " && break; sleep 0.05; done; touch " + d + "/sysv/shm/by-key/0x1234@size=1M; r=$?; ls " +
         d + "/sysv/shm/by-key; umount " + d + "; wait; exit $r'");
  ::rmdir(d.c_str());
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("No space left on device"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
}

}  // namespace
}  // namespace ipcfs::test
