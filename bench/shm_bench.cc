// shm_bench: shared memory through ipcfs against the same memory used directly, in one run.
// 1-byte pread/pwrite (ops/s) and 1 MiB sequential read/write (GB/s): a POSIX object through
// ipcfs vs the same object on /dev/shm, and a System V segment through ipcfs vs memcpy to and
// from a direct shmat(). Mounts its own ipcfs (run it as root, best in `unshare --ipc`).
//   shm_bench [seconds per measurement, default 0.3]
#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <sys/xattr.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <functional>
#include <string>
#include <vector>

#include "bench/bench.h"
#include "ipc/posix_shm.h"
#include "tests/mount_fixture.h"

namespace {

constexpr size_t kObject = 64 << 20;
constexpr size_t kChunk = 1 << 20;

double g_seconds = 0.3;

// OP(i) for i = 0, 1, ... as a bench::rate operation.
template <class Op>
auto counted(Op op) {
  return [op, i = size_t(0)]() mutable {
    op(i++);
    return true;
  };
}

// IPCFS(i) and DIRECT(i) measured alternately (bench::paired) for g_seconds each in all.
template <class A, class B>
ipcfs::bench::Paired compare(A ipcfs_op, B direct_op) {
  return ipcfs::bench::paired(counted(ipcfs_op), counted(direct_op), 2 * g_seconds);
}

void check(bool ok, const char* what) {
  if (ok) return;
  std::perror(what);
  std::exit(1);
}

struct Row {
  std::string what;
  ipcfs::bench::Paired p;  // medians of ops/s (a: ipcfs, b: direct) and of the ratio per round
  double scale;            // ops/s -> unit
  const char* unit;
};

void print(const std::vector<Row>& rows) {
  std::printf("%-34s %14s %14s %7s\n", "", "ipcfs", "direct", "ratio");
  for (const Row& r : rows)
    std::printf("%-34s %10.3g %-4s %10.3g %-4s %7.3f\n", r.what.c_str(), r.p.a * r.scale, r.unit,
                r.p.b * r.scale, r.unit, r.p.ratio);
}

// 1-byte and 1 MiB operations on the same object through two paths; reads use the read-only
// descriptors (as readers do: a System V file opened read-only reads in the kernel, a writable
// one through the daemon), writes the writable ones.
struct Fds {
  int ro, rw;
};
void fd_rows(const char* kind, Fds via, Fds direct, std::vector<Row>& rows) {
  char byte = 0;
  std::vector<char> buf(kChunk, 'b');
  auto pread1 = [&](int fd) {
    return [&, fd](size_t i) { (void)!::pread(fd, &byte, 1, off_t(i % kObject)); };
  };
  auto pwrite1 = [&](int fd) {
    return [&, fd](size_t i) { (void)!::pwrite(fd, &byte, 1, off_t(i % kObject)); };
  };
  auto readm = [&](int fd) {
    return
        [&, fd](size_t i) { (void)!::pread(fd, buf.data(), kChunk, off_t(i * kChunk % kObject)); };
  };
  auto writem = [&](int fd) {
    return
        [&, fd](size_t i) { (void)!::pwrite(fd, buf.data(), kChunk, off_t(i * kChunk % kObject)); };
  };
  const double gb = kChunk / 1e9;
  std::string k = kind;
  rows.push_back({k + " pread 1 B", compare(pread1(via.ro), pread1(direct.ro)), 1, "/s"});
  rows.push_back({k + " pwrite 1 B", compare(pwrite1(via.rw), pwrite1(direct.rw)), 1, "/s"});
  rows.push_back({k + " read 1 MiB seq", compare(readm(via.ro), readm(direct.ro)), gb, "GB/s"});
  rows.push_back({k + " write 1 MiB seq", compare(writem(via.rw), writem(direct.rw)), gb, "GB/s"});
  rows.push_back(
      {k + " pread 1 B, O_RDWR open", compare(pread1(via.rw), pread1(direct.rw)), 1, "/s"});
  rows.push_back(
      {k + " read 1 MiB seq, O_RDWR open", compare(readm(via.rw), readm(direct.rw)), gb, "GB/s"});
}

}  // namespace

int main(int argc, char** argv) {
  if (argc > 1) g_seconds = std::atof(argv[1]);
  ipcfs::test::Mount m;
  std::vector<Row> rows;

  // POSIX: the same object through ipcfs and on /dev/shm.
  std::string name = "shm_bench." + std::to_string(::getpid());
  auto obj = ipcfs::ipc::PosixShm::open(name, O_RDWR | O_CREAT | O_EXCL, 0600);
  check(bool(obj), "shm_open");
  check(obj->truncate(kObject) == 0, "ftruncate");
  // Real pages, not holes: reading a hole only copies the zero page.
  std::vector<char> fill(kChunk, 'p');
  for (size_t off = 0; off < kObject; off += kChunk)
    check(::pwrite(obj->fd(), fill.data(), kChunk, off_t(off)) == ssize_t(kChunk), "fill");
  std::string via_path = m.path("posix/shm/" + name), dev_path = "/dev/shm/" + name;
  Fds posix_via{::open(via_path.c_str(), O_RDONLY), ::open(via_path.c_str(), O_RDWR)};
  Fds posix_dev{::open(dev_path.c_str(), O_RDONLY), ::open(dev_path.c_str(), O_RDWR)};
  check(posix_via.ro >= 0 && posix_via.rw >= 0 && posix_dev.ro >= 0 && posix_dev.rw >= 0,
        "open posix");
  char mode[32] = {};
  (void)!::getxattr(via_path.c_str(), "user.ipcfs.mmap", mode, sizeof mode - 1);
  fd_rows("posix", posix_via, posix_dev, rows);
  for (int fd : {posix_via.ro, posix_via.rw, posix_dev.ro, posix_dev.rw}) ::close(fd);
  (void)ipcfs::ipc::PosixShm::unlink(name);

  // System V: the segment through ipcfs, against the same segment's own file (the floor of any
  // read(2)/write(2) path: the shmem file under the attachment, opened through map_files), and
  // against memcpy with a direct attachment (no system call at all: for 1-byte operations that
  // is a load or a store, which no file interface can approach).
  int id = ::shmget(IPC_PRIVATE, kObject, IPC_CREAT | 0600);
  check(id >= 0, "shmget");
  auto* seg = static_cast<volatile char*>(::shmat(id, nullptr, 0));
  check(seg != reinterpret_cast<volatile char*>(-1), "shmat");
  std::memset(const_cast<char*>(seg), 's', kObject);
  std::string seg_path = m.path("sysv/shm/" + std::to_string(id));
  char own[96];
  std::snprintf(own, sizeof own, "/proc/self/map_files/%lx-%lx",
                static_cast<unsigned long>(reinterpret_cast<uintptr_t>(seg)),
                static_cast<unsigned long>(reinterpret_cast<uintptr_t>(seg) + kObject));
  Fds sysv_via{::open(seg_path.c_str(), O_RDONLY), ::open(seg_path.c_str(), O_RDWR)};
  Fds sysv_file{::open(own, O_RDONLY), ::open(own, O_RDWR)};
  check(sysv_via.ro >= 0 && sysv_via.rw >= 0 && sysv_file.ro >= 0 && sysv_file.rw >= 0,
        "open sysv");
  fd_rows("sysv", sysv_via, sysv_file, rows);
  std::vector<char> buf(kChunk, 'c');
  char* base = const_cast<char*>(seg);
  volatile char sink = 0;
  std::vector<Row> mem;
  char byte = 0;
  auto via_pread1 = [&](size_t i) { (void)!::pread(sysv_via.ro, &byte, 1, off_t(i % kObject)); };
  auto via_pwrite1 = [&](size_t i) { (void)!::pwrite(sysv_via.rw, &byte, 1, off_t(i % kObject)); };
  auto via_readm = [&](size_t i) {
    (void)!::pread(sysv_via.ro, buf.data(), kChunk, off_t(i * kChunk % kObject));
  };
  auto via_writem = [&](size_t i) {
    (void)!::pwrite(sysv_via.rw, buf.data(), kChunk, off_t(i * kChunk % kObject));
  };
  const double gb = kChunk / 1e9;
  mem.push_back(
      {"sysv pread 1 B", compare(via_pread1, [&](size_t i) { sink = seg[i % kObject]; }), 1, "/s"});
  mem.push_back({"sysv pwrite 1 B",
                 compare(via_pwrite1, [&](size_t i) { seg[i % kObject] = sink; }), 1, "/s"});
  mem.push_back({"sysv read 1 MiB seq",
                 compare(via_readm,
                         [&](size_t i) {
                           std::memcpy(buf.data(), base + i * kChunk % kObject, kChunk);
                           sink = buf[i % kChunk];
                         }),
                 gb, "GB/s"});
  mem.push_back(
      {"sysv write 1 MiB seq",
       compare(via_writem,
               [&](size_t i) { std::memcpy(base + i * kChunk % kObject, buf.data(), kChunk); }),
       gb, "GB/s"});
  for (int fd : {sysv_via.ro, sysv_via.rw, sysv_file.ro, sysv_file.rw}) ::close(fd);
  ::shmdt(const_cast<char*>(base));
  ::shmctl(id, IPC_RMID, nullptr);

  std::printf(
      "ipcfs mmap mode: %s; %.2f s per figure, in 7 alternating rounds (medians; the ratio is\n"
      "the median of the rounds' ratios)\ndirect = the same object's own file: /dev/shm "
      "(posix), the segment's shmem file (sysv)\n",
      mode, g_seconds);
  print(rows);
  std::printf(
      "\nsysv again, direct = a direct shmat(): loads, stores and memcpy, no system call\n");
  print(mem);
  return 0;
}
