// mmap through ipcfs (SPEC §5.2): with FUSE passthrough a MAP_SHARED mapping of a segment file is
// the very memory a direct shmat()/shm_open+mmap sees, stores show both ways with no system call
// in between, and atomic increments from both sides all count. Without passthrough MAP_SHARED
// must fail with ENODEV and MAP_PRIVATE must work. The `mmap:` fact says which applies.
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <string>
#include <thread>

#include "ipc/fd.h"
#include "ipc/names.h"
#include "ipc/posix_shm.h"
#include "ipc/sysv_shm.h"
#include "tests/mount_fixture.h"

namespace ipcfs::test {
namespace {

constexpr size_t kLen = 8192;
constexpr int kIncrements = 1000000;

std::string mmap_mode(const std::string& path) {
  char buf[32] = {};
  ssize_t n = ::getxattr(path.c_str(), "user.ipcfs.mmap", buf, sizeof buf - 1);
  return n > 0 ? std::string(buf, size_t(n)) : "<" + std::to_string(errno) + ">";
}

// Checks that FILE's MAP_SHARED mapping and EXT (the object mapped directly) are one memory.
void expect_same_memory(const std::string& file, volatile char* ext) {
  UniqueFd fd(::open(file.c_str(), O_RDWR | O_CLOEXEC));
  ASSERT_TRUE(fd.valid()) << std::strerror(errno);
  void* p = ::mmap(nullptr, kLen, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0);
  ASSERT_NE(p, MAP_FAILED) << std::strerror(errno);
  volatile char* map = static_cast<volatile char*>(p);
  // Both ways, with no system call between the store and the load.
  ext[100] = 'E';
  EXPECT_EQ(map[100], 'E');
  map[200] = 'M';
  EXPECT_EQ(ext[200], 'M');
  ext[kLen - 1] = 'L';
  EXPECT_EQ(map[kLen - 1], 'L');
  // The file's own read sees stores through either mapping.
  char c = 0;
  ASSERT_EQ(::pread(fd.get(), &c, 1, 200), 1);
  EXPECT_EQ(c, 'M');

  // One thread per mapping, each incrementing the same counter.
  auto* via_map = reinterpret_cast<std::atomic<int>*>(const_cast<char*>(map) + 4096);
  auto* via_ext = reinterpret_cast<std::atomic<int>*>(const_cast<char*>(ext) + 4096);
  via_ext->store(0);
  std::thread a([&] {
    for (int i = 0; i < kIncrements; ++i) via_map->fetch_add(1);
  });
  std::thread b([&] {
    for (int i = 0; i < kIncrements; ++i) via_ext->fetch_add(1);
  });
  a.join();
  b.join();
  EXPECT_EQ(via_ext->load(), 2 * kIncrements);
  EXPECT_EQ(via_map->load(), 2 * kIncrements);
  ::munmap(p, kLen);
}

// Without passthrough: no shared mapping, a private one with the current bytes.
void expect_direct(const std::string& file, volatile char* ext) {
  UniqueFd fd(::open(file.c_str(), O_RDWR | O_CLOEXEC));
  ASSERT_TRUE(fd.valid());
  errno = 0;
  EXPECT_EQ(::mmap(nullptr, kLen, PROT_READ | PROT_WRITE, MAP_SHARED, fd.get(), 0), MAP_FAILED);
  EXPECT_EQ(errno, ENODEV);
  ext[10] = 'P';
  void* p = ::mmap(nullptr, kLen, PROT_READ, MAP_PRIVATE, fd.get(), 0);
  ASSERT_NE(p, MAP_FAILED) << std::strerror(errno);
  EXPECT_EQ(static_cast<char*>(p)[10], 'P');
  ::munmap(p, kLen);
}

TEST(ShmMmap, SysvSegmentIsTheSameMemory) {
  Mount& m = shared_mount();
  int id = ::shmget(IPC_PRIVATE, kLen, IPC_CREAT | 0600);
  ASSERT_GE(id, 0);
  struct Cleanup {
    int id;
    ~Cleanup() { ::shmctl(id, IPC_RMID, nullptr); }
  } cleanup{id};
  void* e = ::shmat(id, nullptr, 0);
  ASSERT_NE(e, reinterpret_cast<void*>(-1));
  std::string file = m.path("sysv/shm/" + std::to_string(id));
  std::string mode = mmap_mode(file);
  if (mode == "passthrough")
    expect_same_memory(file, static_cast<volatile char*>(e));
  else if (mode == "direct")
    expect_direct(file, static_cast<volatile char*>(e));
  else
    ADD_FAILURE() << "mmap fact: " << mode;
  ::shmdt(e);
}

TEST(ShmMmap, PosixObjectIsTheSameMemory) {
  Mount& m = shared_mount();
  std::string name = unique_name("map");
  auto s = ipc::PosixShm::open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
  ASSERT_TRUE(s);
  struct Cleanup {
    std::string name;
    ~Cleanup() { (void)ipc::PosixShm::unlink(name); }
  } cleanup{name};
  ASSERT_EQ(s->truncate(kLen), 0);
  void* e = ::mmap(nullptr, kLen, PROT_READ | PROT_WRITE, MAP_SHARED, s->fd(), 0);
  ASSERT_NE(e, MAP_FAILED);
  std::string file = m.path("posix/shm/" + name);
  std::string mode = mmap_mode(file);
  if (mode == "passthrough")
    expect_same_memory(file, static_cast<volatile char*>(e));
  else if (mode == "direct")
    expect_direct(file, static_cast<volatile char*>(e));
  else
    ADD_FAILURE() << "mmap fact: " << mode;
  ::munmap(e, kLen);
}

TEST(ShmMmap, TwoMappingsThroughIpcfsShareOneBacking) {
  // Several opens of one file must share the kernel's backing (else the second open is EIO).
  Mount& m = shared_mount();
  int id = ::shmget(IPC_PRIVATE, kLen, IPC_CREAT | 0600);
  ASSERT_GE(id, 0);
  struct Cleanup {
    int id;
    ~Cleanup() { ::shmctl(id, IPC_RMID, nullptr); }
  } cleanup{id};
  std::string file = m.path("sysv/shm/" + std::to_string(id));
  if (mmap_mode(file) != "passthrough") GTEST_SKIP() << "no passthrough here";
  UniqueFd a(::open(file.c_str(), O_RDWR)), b(::open(file.c_str(), O_RDONLY));
  ASSERT_TRUE(a.valid() && b.valid()) << std::strerror(errno);
  auto* pa = static_cast<volatile char*>(
      ::mmap(nullptr, kLen, PROT_READ | PROT_WRITE, MAP_SHARED, a.get(), 0));
  auto* pb = static_cast<volatile char*>(::mmap(nullptr, kLen, PROT_READ, MAP_SHARED, b.get(), 0));
  ASSERT_NE(pa, MAP_FAILED);
  ASSERT_NE(pb, MAP_FAILED);
  pa[5] = 'x';
  EXPECT_EQ(pb[5], 'x');
  ::munmap(const_cast<char*>(pa), kLen);
  ::munmap(const_cast<char*>(pb), kLen);
  // All closed: a new open gets a fresh backing and still works.
  a.reset(::open(file.c_str(), O_RDWR));
  ASSERT_TRUE(a.valid()) << std::strerror(errno);
  char c = 0;
  EXPECT_EQ(::pread(a.get(), &c, 1, 5), 1);
  EXPECT_EQ(c, 'x');
}

TEST(ShmMmap, OpenFileIsAnAttachmentThatOutlivesRm) {
  Mount& m = shared_mount();
  int id = ::shmget(IPC_PRIVATE, kLen, IPC_CREAT | 0600);
  ASSERT_GE(id, 0);
  std::string file = m.path("sysv/shm/" + std::to_string(id));
  UniqueFd fd(::open(file.c_str(), O_RDWR));
  ASSERT_TRUE(fd.valid());
  ASSERT_EQ(::pwrite(fd.get(), "kept", 4, 0), 4);
  ASSERT_EQ(::unlink(file.c_str()), 0);
  auto st = ipc::SysvShm::stat(id);
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->dest);
  EXPECT_EQ(st->nattch, 1u);
  char buf[4] = {};
  EXPECT_EQ(::pread(fd.get(), buf, 4, 0), 4);
  EXPECT_EQ(std::string(buf, 4), "kept");
  // With passthrough a mapping holds the memory (the backing file), not the file: only open
  // files count as attachments. The last close detaches and the segment goes.
  fd.reset();
  bool gone = false;
  for (int i = 0; i < 100 && !gone; ++i) {
    gone = ipc::SysvShm::stat(id).error() == -EINVAL;
    if (!gone) ::usleep(10000);
  }
  EXPECT_TRUE(gone);
}

TEST(ShmMmap, PendingFileIsDirect) {
  // A by-key file whose segment is not made yet cannot pass through: never a shared copy.
  Mount& m = shared_mount();
  key_t key = key_t(0x70000000 | ((::getpid() & 0x3fffff) << 6));
  std::string file = m.path("sysv/shm/by-key/" + ipc::format_key(key));
  UniqueFd fd(::open(file.c_str(), O_RDWR | O_CREAT, 0600));
  ASSERT_TRUE(fd.valid()) << std::strerror(errno);
  errno = 0;
  EXPECT_EQ(::mmap(nullptr, 4096, PROT_READ, MAP_SHARED, fd.get(), 0), MAP_FAILED);
  EXPECT_EQ(errno, ENODEV);
  fd.reset();
  EXPECT_EQ(ipc::SysvShm::find(key).error(), -ENOENT);
}

}  // namespace
}  // namespace ipcfs::test
