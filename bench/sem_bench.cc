// Semaphore benchmark: post+wait pairs that never have to wait, directly (sem_post/sem_wait,
// semop) and through ipcfs (two text writes, "+1" then "-1"), against the same writes on a null
// FUSE file — all in one run, ratios printed. Two ways to write: on a descriptor kept open (a
// script's exec 3>), and each write through its own open/close (as `echo +1 > f` does).
#include <errno.h>
#include <fcntl.h>
#include <semaphore.h>
#include <sys/sem.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "bench/bench.h"
#include "bench/null_fs.h"
#include "ipc/posix_sem.h"
#include "ipc/sysv_sem.h"
#include "tests/mount_fixture.h"

using namespace ipcfs;
using namespace ipcfs::bench;

namespace {

bool put(int fd, const char* text) {
  size_t n = std::strlen(text);
  return ::write(fd, text, n) == ssize_t(n);
}

bool put_fresh(const std::string& path, const char* text) {
  int fd = ::open(path.c_str(), O_WRONLY);
  if (fd < 0) return false;
  bool ok = put(fd, text);
  ::close(fd);
  return ok;
}

struct Result2 {
  Paired kept, fresh;
};

// Post+wait pairs on PATH (POST and WAIT are its commands) against the null file.
Result2 measure(const std::string& path, const char* post, const char* wait,
                const std::string& null_file, double secs) {
  Result2 r;
  int f = ::open(path.c_str(), O_WRONLY);
  int n = ::open(null_file.c_str(), O_WRONLY);
  r.kept = paired([&] { return put(f, post) && put(f, wait); },
                  [&] { return put(n, post) && put(n, wait); }, secs);
  ::close(f);
  ::close(n);
  r.fresh = paired([&] { return put_fresh(path, post) && put_fresh(path, wait); },
                   [&] { return put_fresh(null_file, post) && put_fresh(null_file, wait); }, secs);
  return r;
}

// Wake-up latency of a wait parked in ipcfs: a thread writes WAIT to PATH (value 0: it parks),
// the semaphore is posted directly by POST after PARKED_MS (and a random part of 10 ms), and the
// time from the post to the write's return is taken. Medians and 90th percentiles of ROUNDS, in
// microseconds.
struct Latency {
  double median = 0, p90 = 0;
};
template <class Post>
Latency wake_latency(const std::string& path, const char* wait, Post post, int parked_ms,
                     int rounds) {
  int fd = ::open(path.c_str(), O_WRONLY);
  if (fd < 0) return {};
  std::vector<double> us;
  for (int i = 0; i < rounds; ++i) {
    std::atomic<double> woke{0};
    std::thread waiter([&] {
      if (put(fd, wait)) woke = test::now_ms();
    });
    // Plus up to 10 ms at random: the retries keep a rhythm, which a fixed delay would hit at
    // the same phase every time.
    std::this_thread::sleep_for(std::chrono::microseconds(parked_ms * 1000 + ::random() % 10000));
    double posted = test::now_ms();
    post();
    waiter.join();
    if (woke > 0) us.push_back((woke - posted) * 1000);
  }
  ::close(fd);
  if (us.empty()) return {};
  std::sort(us.begin(), us.end());
  return {us[us.size() / 2], us[us.size() * 9 / 10]};
}

}  // namespace

int main(int argc, char** argv) {
  double secs = argc > 1 ? std::atof(argv[1]) : 0.5;
  test::Mount mount({"-o", "log_level=warn"});
  NullFs null;
  std::string name = test::unique_name("bench");
  auto psem = ipc::NamedSemaphore::create(name, 0600, 0, ::getuid(), ::getgid());
  key_t key = key_t(0x5b000000 | (::getpid() & 0xffffff));
  auto set = ipc::SemSet::create(key, 1, 0600);
  if (!psem || !set) {
    std::fprintf(stderr, "cannot make the semaphores: %s\n",
                 std::strerror(-(psem ? set.error() : psem.error())));
    if (psem) (void)ipc::NamedSemaphore::unlink(name);
    return 1;
  }
  sem_t* s = ::sem_open(("/" + name).c_str(), 0);
  double direct_posix = rate([&] { return ::sem_post(s) == 0 && ::sem_wait(s) == 0; }, secs);
  sembuf up{0, 1, 0}, down{0, -1, 0};
  double direct_sysv = rate(
      [&] { return ::semop(set->id(), &up, 1) == 0 && ::semop(set->id(), &down, 1) == 0; }, secs);
  Result2 posix = measure(mount.path("posix/sem/" + name), "+1\n", "-1\n", null.file(), 2 * secs);
  Result2 sysv = measure(mount.path("sysv/sem/" + std::to_string(set->id()) + "@sem=0"), "+1\n",
                         "-1\n", null.file(), 2 * secs);
  Result2 semop = measure(mount.path("sysv/sem/" + std::to_string(set->id())), "0:+1\n", "0:-1\n",
                          null.file(), 2 * secs);
  // What ipcfs costs when it does no IPC at all: writes it rejects after parsing them.
  Paired rejected;
  {
    int f = ::open(mount.path("posix/sem/" + name).c_str(), O_WRONLY);
    int n = ::open(null.file().c_str(), O_WRONLY);
    auto bad = [](int fd) { return ::write(fd, "x\n", 2) < 0 && errno == EINVAL; };
    rejected = paired([&] { return bad(f) && bad(f); },
                      [&] { return put(n, "x\n") && put(n, "x\n"); }, 2 * secs);
    ::close(f);
    ::close(n);
  }
  // A wait that has to wait: how soon after the post it returns. System V sets and POSIX
  // semaphores have no descriptor to poll: parked waits are retried on a timer (fs/watcher.cc).
  std::string sysv_path = mount.path("sysv/sem/" + std::to_string(set->id()) + "@sem=0");
  auto sysv_post = [&] { ::semop(set->id(), &up, 1); };
  auto posix_post = [&] { ::sem_post(s); };
  Latency sysv_soon = wake_latency(sysv_path, "-1\n", sysv_post, 5, 41);
  Latency sysv_late = wake_latency(sysv_path, "-1\n", sysv_post, 150, 11);
  Latency posix_soon = wake_latency(mount.path("posix/sem/" + name), "-1\n", posix_post, 5, 41);
  ::sem_close(s);
  (void)ipc::NamedSemaphore::unlink(name);
  (void)set->remove();

  std::printf(
      "Semaphores, one post+wait pair per iteration, never waiting (medians of 7 rounds)\n");
  row("direct sem_post + sem_wait", direct_posix);
  row("direct semop +1, semop -1", direct_sysv);
  row("null FUSE: 2 writes on a kept fd", posix.kept.b);
  row("ipcfs posix/sem: 2 rejected writes on a kept fd", rejected.a);
  row("ipcfs posix/sem: \"+1\", \"-1\" on a kept fd", posix.kept.a);
  row("ipcfs sysv/sem/ID@sem=0: \"+1\", \"-1\" on a kept fd", sysv.kept.a);
  row("ipcfs sysv/sem/ID: \"0:+1\", \"0:-1\" on a kept fd", semop.kept.a);
  row("null FUSE: 2 x open/write/close", posix.fresh.b);
  row("ipcfs posix/sem: 2 x open/write/close (echo)", posix.fresh.a);
  row("ipcfs sysv/sem/ID@sem=0: 2 x open/write/close (echo)", sysv.fresh.a);
  row("ipcfs sysv/sem/ID: 2 x open/write/close (echo)", semop.fresh.a);
  ratio("ipcfs rejected writes / null FUSE floor (kept fd)", rejected.ratio, 0.9);
  ratio("posix/sem / null FUSE floor (kept fd)", posix.kept.ratio, 0.9);
  ratio("sysv/sem@sem=0 / null FUSE floor (kept fd)", sysv.kept.ratio, 0.9);
  ratio("sysv/sem semop list / null FUSE floor (kept fd)", semop.kept.ratio, 0.9);
  ratio("posix/sem / null FUSE floor (open/write/close)", posix.fresh.ratio, 0.9);
  ratio("sysv/sem@sem=0 / null FUSE floor (open/write/close)", sysv.fresh.ratio, 0.9);
  ratio("sysv/sem semop list / null FUSE floor (open/write/close)", semop.fresh.ratio, 0.9);
  ratio("posix/sem kept fd / direct sem_post+sem_wait", posix.kept.a / direct_posix, 0.0);
  ratio("sysv/sem kept fd / direct semop", sysv.kept.a / direct_sysv, 0.0);
  std::printf(
      "\nA parked wait (\"-1\" on a semaphore at 0), from a direct post to the write's "
      "return\n");
  std::printf("%-58s %8.0f us median, %6.0f us p90\n", "sysv/sem, posted 5 ms after the wait",
              sysv_soon.median, sysv_soon.p90);
  std::printf("%-58s %8.0f us median, %6.0f us p90\n", "sysv/sem, posted 150 ms after the wait",
              sysv_late.median, sysv_late.p90);
  std::printf("%-58s %8.0f us median, %6.0f us p90\n", "posix/sem, posted 5 ms after the wait",
              posix_soon.median, posix_soon.p90);
  return 0;
}
