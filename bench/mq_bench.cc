// Message-queue benchmark (POSIX and System V): one small message sent and received per
// iteration, directly with the system calls, through ipcfs (open/write/close + open/read/close, as
// echo and cat do), and the same system calls on a null FUSE file — all in one run, ratios printed.
// Usage: mq_bench [SECONDS [MOUNT_OPTIONS [SESSIONS]]].
#include <fcntl.h>
#include <mqueue.h>
#include <sys/ipc.h>
#include <sys/msg.h>
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

// One message written through its own open, then received through its own open.
bool file_roundtrip(const std::string& path) {
  int w = ::open(path.c_str(), O_WRONLY);
  if (w < 0 || ::write(w, "x\n", 2) != 2) return false;
  ::close(w);
  int r = ::open(path.c_str(), O_RDONLY);
  char buf[64];
  if (r < 0 || ::read(r, buf, sizeof buf) != 2) return false;
  ::close(r);
  return true;
}

// The same with the writer's descriptor kept open (a script's exec 3> redirection).
bool file_roundtrip_kept(int w, const std::string& path) {
  if (::write(w, "x\n", 2) != 2) return false;
  int r = ::open(path.c_str(), O_RDONLY);
  char buf[64];
  if (r < 0 || ::read(r, buf, sizeof buf) != 2) return false;
  ::close(r);
  return true;
}

struct Ratios {
  double fresh = 0, kept = 0;
};

// Measures one queue file against the null floor and prints its rows.
Ratios compare(const char* what, const std::string& path, const NullFs& null, double direct,
               double secs) {
  Paired fresh = paired([&] { return file_roundtrip(path); },
                        [&] { return file_roundtrip(null.file()); }, 2 * secs);
  int wn = ::open(null.file().c_str(), O_WRONLY);
  int wq = ::open(path.c_str(), O_WRONLY);
  Paired kept = paired([&] { return file_roundtrip_kept(wq, path); },
                       [&] { return file_roundtrip_kept(wn, null.file()); }, 2 * secs);
  ::close(wn);
  ::close(wq);
  std::string w(what);
  std::printf("\n%s, one 2-byte message per iteration (medians of 7 paired rounds)\n", what);
  row("direct send + receive system calls", direct);
  row("null FUSE: open/write/close + open/read/close", fresh.b);
  row("ipcfs " + w + ": open/write/close + open/read/close", fresh.a);
  row("null FUSE: write on kept fd + open/read/close", kept.b);
  row("ipcfs " + w + ": write on kept fd + open/read/close", kept.a);
  ratio("ipcfs / null FUSE floor (fresh opens)", fresh.ratio, 0.9);
  ratio("ipcfs / null FUSE floor (kept writer)", kept.ratio, 0.9);
  ratio("ipcfs / direct system calls", fresh.a / direct, 0.0);
  return {fresh.ratio, kept.ratio};
}

// One session: a fresh ipcfs mount and a fresh null FUSE server with as many worker threads.
// Returns {POSIX, System V}.
std::array<Ratios, 2> session(const std::string& options, unsigned threads, double secs) {
  test::Mount mount({"-o", options});
  NullFs null{int(threads)};
  std::array<Ratios, 2> out;

  std::string name = test::unique_name("bench");
  ipc::MqAttr attr{10, 64, 0};
  auto q = ipc::MessageQueue::open(name, O_RDWR | O_CREAT, 0600, &attr);
  if (!q) {
    std::fprintf(stderr, "mq_open: %s\n", std::strerror(-q.error()));
    std::exit(1);
  }
  char buf[64];
  double direct = rate([&] { return q->send("x\n", 2, 0) == 0 && q->receive(buf, 64).ok(); }, secs);
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
  out[1] = compare("System V sysv/msg", mount.path("sysv/msg/" + std::to_string(id)), null, sdirect,
                   secs);
  ::msgctl(id, IPC_RMID, nullptr);
  return out;
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
  // mount to the next and then persists, so one session alone can be lucky or unlucky.
  std::vector<std::array<Ratios, 2>> all;
  for (int s = 0; s < sessions; ++s) {
    std::printf("\n=== session %d of %d\n", s + 1, sessions);
    all.push_back(session(options, threads, secs));
  }
  auto median = [](std::vector<double> v) {
    std::sort(v.begin(), v.end());
    return v[v.size() / 2];
  };
  std::printf("\n=== medians over %d sessions\n", sessions);
  const char* kinds[] = {"POSIX", "System V"};
  for (int k = 0; k < 2; ++k) {
    std::vector<double> fresh, kept;
    for (auto& a : all) {
      fresh.push_back(a[k].fresh);
      kept.push_back(a[k].kept);
    }
    ratio(std::string(kinds[k]) + ": ipcfs / null FUSE floor (fresh opens)", median(fresh), 0.9);
    ratio(std::string(kinds[k]) + ": ipcfs / null FUSE floor (kept writer)", median(kept), 0.9);
  }
  return 0;
}
