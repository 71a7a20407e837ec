// Message-queue benchmark (POSIX and System V): one small message sent and received per
// iteration, directly with the system calls, through ipcfs (bare open/write/close +
// open/read/close, and the calls `echo x > q; cat q` make), and the same calls on a null FUSE
// file as deep in its tree — all in one run, ratios printed.
// Usage: mq_bench [SECONDS [MOUNT_OPTIONS [SESSIONS]]].
#include <fcntl.h>
#include <mqueue.h>
#include <sched.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "bench/bench.h"
#include "bench/null_fs.h"
#include "fs/cmdline.h"
#include "ipc/posix_mq.h"
#include "tests/mount_fixture.h"

using namespace ipcfs;
using namespace ipcfs::bench;

namespace {

// One message written through its own open, then received through its own open: the least
// any file interface needs.
bool bare_roundtrip(const std::string& path) {
  int w = ::open(path.c_str(), O_WRONLY);
  if (w < 0 || ::write(w, "x\n", 2) != 2) return false;
  ::close(w);
  int r = ::open(path.c_str(), O_RDONLY);
  char buf[64];
  if (r < 0 || ::read(r, buf, sizeof buf) != 2) return false;
  ::close(r);
  return true;
}

// What `cat PATH` does: open, fstat, read with a 128 KiB buffer until end of file, close.
bool cat(const std::string& path) {
  static std::vector<char> buf(128 * 1024);
  int r = ::open(path.c_str(), O_RDONLY);
  if (r < 0) return false;
  struct stat st;
  bool ok = ::fstat(r, &st) == 0 && ::read(r, buf.data(), buf.size()) == 2 &&
            ::read(r, buf.data(), buf.size()) == 0;
  ::close(r);
  return ok;
}

// `echo x > PATH; cat PATH` as the shell does them: `>` opens with O_CREAT|O_TRUNC.
bool shell_roundtrip(const std::string& path) {
  int w = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0666);
  if (w < 0 || ::write(w, "x\n", 2) != 2) return false;
  ::close(w);
  return cat(path);
}

// `echo x >&3; cat PATH` with the writer's descriptor kept open (a script's exec 3>PATH).
bool kept_roundtrip(int w, const std::string& path) {
  return ::write(w, "x\n", 2) == 2 && cat(path);
}

struct Ratios {
  double bare = 0, shell = 0, kept = 0;
};

void rows(const std::string& what, const Paired& p) {
  row_ipis("null FUSE: " + what, p.b, p.ipis_b);
  row_ipis("ipcfs:     " + what, p.a, p.ipis_a);
}

// Measures one queue file against the null floor and prints its rows.
Ratios compare(const char* what, const std::string& path, const NullFs& null, double direct,
               double secs) {
  Paired bare = paired([&] { return bare_roundtrip(path); },
                       [&] { return bare_roundtrip(null.file()); }, 2 * secs);
  Paired shell = paired([&] { return shell_roundtrip(path); },
                        [&] { return shell_roundtrip(null.file()); }, 2 * secs);
  int wn = ::open(null.file().c_str(), O_WRONLY);
  int wq = ::open(path.c_str(), O_WRONLY);
  Paired kept = paired([&] { return kept_roundtrip(wq, path); },
                       [&] { return kept_roundtrip(wn, null.file()); }, 2 * secs);
  ::close(wn);
  ::close(wq);
  std::printf("\n%s, one 2-byte message per iteration (medians of 7 paired rounds)\n", what);
  row("direct send + receive system calls", direct);
  rows("open/write/close + open/read/close", bare);
  rows("echo x > FILE; cat FILE", shell);
  rows("echo x >&3; cat FILE", kept);
  ratio("ipcfs / null FUSE floor (bare open/write, open/read)", bare.ratio, 0.9);
  ratio("ipcfs / null FUSE floor (echo > q; cat q)", shell.ratio, 0.9);
  ratio("ipcfs / null FUSE floor (echo >&3; cat q)", kept.ratio, 0.9);
  ratio("ipcfs / direct system calls (bare)", bare.a / direct, 0.0);
  return {bare.ratio, shell.ratio, kept.ratio};
}

// One session: a fresh ipcfs mount and a fresh null FUSE server with as many worker threads.
// ONE_CPU: the benchmark and both servers (which inherit it) run on one CPU only, so that no
// round trip wakes anything on another CPU: what remains is the CPU each side spends.
// Returns {POSIX, System V}.
std::array<Ratios, 2> session(const std::string& options, unsigned threads, double secs,
                              bool one_cpu) {
  cpu_set_t all_cpus;
  ::sched_getaffinity(0, sizeof all_cpus, &all_cpus);
  if (one_cpu) {
    cpu_set_t one;
    CPU_ZERO(&one);
    for (int c = 0; c < CPU_SETSIZE; ++c)
      if (CPU_ISSET(c, &all_cpus)) {
        CPU_SET(c, &one);
        break;
      }
    ::sched_setaffinity(0, sizeof one, &one);
  }
  std::array<Ratios, 2> out;
  {
    test::Mount mount({"-o", options});
    NullFs null{int(threads)};

    std::string name = test::unique_name("bench");
    ipc::MqAttr attr{10, 64, 0};
    auto q = ipc::MessageQueue::open(name, O_RDWR | O_CREAT, 0600, &attr);
    if (!q) {
      std::fprintf(stderr, "mq_open: %s\n", std::strerror(-q.error()));
      std::exit(1);
    }
    char buf[64];
    double direct =
        rate([&] { return q->send("x\n", 2, 0) == 0 && q->receive(buf, 64).ok(); }, secs);
    out[0] = compare("POSIX posix/mq", mount.path("posix/mq/" + name), null, direct, secs);
    (void)ipc::MessageQueue::unlink(name);

    int id = ::msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    if (id < 0) {
      std::perror("msgget");
      std::exit(1);
    }
    struct {
      long mtype;
      char text[64];
    } m{1, "x\n"};
    double sdirect = rate(
        [&] {
          return ::msgsnd(id, &m, 2, IPC_NOWAIT) == 0 &&
                 ::msgrcv(id, &m, sizeof m.text, 0, IPC_NOWAIT) == 2;
        },
        secs);
    out[1] = compare("System V sysv/msg", mount.path("sysv/msg/" + std::to_string(id)), null,
                     sdirect, secs);
    ::msgctl(id, IPC_RMID, nullptr);
  }
  ::sched_setaffinity(0, sizeof all_cpus, &all_cpus);
  return out;
}

void summary(const char* title, const std::vector<std::array<Ratios, 2>>& all) {
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::printf("\n=== %s: medians over %zu sessions\n", title, all.size());
  const char* kinds[] = {"POSIX", "System V"};
  for (int k = 0; k < 2; ++k) {
    std::vector<double> bare, shell, kept;
    for (auto& a : all) {
      bare.push_back(a[k].bare);
      shell.push_back(a[k].shell);
      kept.push_back(a[k].kept);
    }
    std::string kind(kinds[k]);
    ratio(kind + ": ipcfs / null FUSE floor (bare)", median(bare), 0.9);
    ratio(kind + ": ipcfs / null FUSE floor (echo > q; cat q)", median(shell), 0.9);
    ratio(kind + ": ipcfs / null FUSE floor (echo >&3; cat q)", median(kept), 0.9);
  }
}

}  // namespace

int main(int argc, char** argv) {
  double secs = argc > 1 ? std::atof(argv[1]) : 1.0;
  // More mount options to compare, e.g. "max_threads=10".
  std::string extra = argc > 2 ? argv[2] : "";
  int sessions = argc > 3 ? std::max(1, std::atoi(argv[3])) : 3;
  // The floor gets as many worker threads as ipcfs: fewer threads make every FUSE round trip
  // cheaper (warmer threads), and ipcfs's default is fewer than libfuse's.
  unsigned threads = fs::default_max_threads();
  if (auto at = extra.find("max_threads="); at != std::string::npos)
    threads = unsigned(std::atoi(extra.c_str() + at + 12));
  std::string options = "log_level=warn" + (extra.empty() ? "" : "," + extra);
  std::printf("ipcfs -o %s and a null FUSE server, both with %u worker threads; %d sessions\n",
              options.c_str(), threads, sessions);

  // Each session mounts both anew: how the kernel places a daemon's threads differs from one
  // mount to the next and then persists, so one session alone can be lucky or unlucky. Every
  // session is run twice: as the scheduler places things, then on one CPU.
  std::vector<std::array<Ratios, 2>> free_runs, one_cpu_runs;
  for (int s = 0; s < sessions; ++s) {
    std::printf("\n=== session %d of %d, as the scheduler places things\n", s + 1, sessions);
    free_runs.push_back(session(options, threads, secs, false));
    std::printf("\n=== session %d of %d, all on one CPU\n", s + 1, sessions);
    one_cpu_runs.push_back(session(options, threads, secs, true));
  }
  summary("as the scheduler places things", free_runs);
  summary("all on one CPU (the CPU each side spends)", one_cpu_runs);
  return 0;
}
