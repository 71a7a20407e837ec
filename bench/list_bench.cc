// list_bench: listing at scale (issue 6). In a private IPC namespace (it re-execs itself under
// `unshare --ipc` unless told it is already in one), makes 4,000 System V segments and 10,000
// System V queues, all with keys, then times `ls -l` of sysv/shm, sysv/msg and sysv/msg/by-key
// against `ipcs -m` / `ipcs -q` of the same objects, each run as a child process, interleaved,
// several times; prints medians, ratios (target <= 2x) and the daemon's memory before and after.
// Removes everything it made. Run as root (the namespace's limits are raised through /proc).
//   list_bench [rounds, default 5] [segments, default 4000] [queues, default 10000]
// With LIST_BENCH_PROFILE=CMD in the environment, CMD (a shell command) is run once the objects
// are made, with $MNT the mount point and $DAEMON the daemon's pid, before the timings.
#include <fcntl.h>
#include <spawn.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <string>
#include <thread>
#include <vector>

#include "tests/mount_fixture.h"

extern char** environ;

namespace {

constexpr const char* kInNamespace = "IPCFS_LIST_BENCH_IN_NS";
// A stale entry or attribute may be kept this long by the kernel (entry timeout 1 s): waiting
// it out before a "cold" run makes every lookup and getattr reach the daemon again.
constexpr auto kCacheTimeout = std::chrono::milliseconds(1100);

void die(const char* what) {
  std::perror(what);
  std::exit(1);
}

void write_proc(const char* path, long value) {
  std::ofstream f(path);
  f << value;
  if (!f.flush()) die(path);
}

long read_proc(const char* path) {
  long v = -1;
  std::ifstream(path) >> v;
  return v;
}

// Runs ARGV with stdout and stderr on /dev/null; returns its wall time in ms (-1 on failure).
double time_run(const std::vector<std::string>& argv) {
  std::vector<char*> args;
  for (const auto& a : argv) args.push_back(const_cast<char*>(a.c_str()));
  args.push_back(nullptr);
  posix_spawn_file_actions_t fa;
  posix_spawn_file_actions_init(&fa);
  posix_spawn_file_actions_addopen(&fa, 1, "/dev/null", O_WRONLY, 0);
  posix_spawn_file_actions_addopen(&fa, 2, "/dev/null", O_WRONLY, 0);
  double start = ipcfs::test::now_ms();
  pid_t pid;
  int e = posix_spawnp(&pid, args[0], &fa, nullptr, args.data(), environ);
  posix_spawn_file_actions_destroy(&fa);
  if (e != 0) return -1;
  int st = 0;
  ::waitpid(pid, &st, 0);
  double ms = ipcfs::test::now_ms() - start;
  return WIFEXITED(st) && WEXITSTATUS(st) == 0 ? ms : -1;
}

double median(std::vector<double> v) {
  std::sort(v.begin(), v.end());
  return v.empty() ? 0 : v[v.size() / 2];
}

// "VmHWM 2345 kB, VmRSS 1234 kB, 5 nodes" of the daemon PID mounted on ROOT (nodes: its inode
// table, which statfs reports as the file count).
std::string memory_of(pid_t pid, const std::string& root) {
  std::ifstream f("/proc/" + std::to_string(pid) + "/status");
  std::string line, out;
  while (std::getline(f, line))
    if (line.rfind("VmRSS:", 0) == 0 || line.rfind("VmHWM:", 0) == 0) {
      std::string v = line.substr(6);
      v.erase(0, v.find_first_not_of(" \t"));
      out += (out.empty() ? "" : ", ") + line.substr(0, 5) + " " + v;
    }
  auto files = ipcfs::test::sh("stat -f -c %c " + root);
  return out + ", inode table " + files.out.substr(0, files.out.find('\n')) + " nodes";
}

// How many entries `ls -1 DIR` shows: the listing really holds the set.
long count_entries(const std::string& dir) {
  auto s = ipcfs::test::sh("ls -1 " + dir + " | wc -l");
  return std::atol(s.out.c_str());
}

struct Case {
  std::string what;
  std::vector<std::string> ls;
  std::vector<std::string> ipcs;
};

int run(int rounds, int nshm, int nmsg) {
  using ipcfs::test::Mount;
  // Per-namespace limits: room for the whole set whatever the defaults.
  if (read_proc("/proc/sys/kernel/shmmni") < nshm + 64)
    write_proc("/proc/sys/kernel/shmmni", nshm + 64);
  if (read_proc("/proc/sys/kernel/msgmni") < nmsg + 64)
    write_proc("/proc/sys/kernel/msgmni", nmsg + 64);
  Mount mount({"-o", "log_level=warn"});
  std::string before = memory_of(mount.pid(), mount.root());

  // Keys derived from the pid, so that even outside a private namespace nothing is reused.
  key_t base = key_t((::getpid() & 0x7fff) << 16);
  std::vector<int> shm_ids, msg_ids;
  double t0 = ipcfs::test::now_ms();
  for (int i = 0; i < nshm; ++i) {
    int id = ::shmget(base + i, 4096, IPC_CREAT | IPC_EXCL | 0600);
    if (id < 0) die("shmget");
    shm_ids.push_back(id);
  }
  for (int i = 0; i < nmsg; ++i) {
    int id = ::msgget(base + 0x8000 + i, IPC_CREAT | IPC_EXCL | 0600);
    if (id < 0) die("msgget");
    msg_ids.push_back(id);
  }
  std::printf("made %d segments and %d queues in %.0f ms (IPC namespace of pid %d)\n", nshm, nmsg,
              ipcfs::test::now_ms() - t0, ::getpid());
  std::printf("entries listed: sysv/shm %ld, sysv/msg %ld, sysv/msg/by-key %ld\n",
              count_entries(mount.path("sysv/shm")), count_entries(mount.path("sysv/msg")),
              count_entries(mount.path("sysv/msg/by-key")));

  if (const char* cmd = std::getenv("LIST_BENCH_PROFILE")) {
    // For profiling: run CMD with the set in place ($MNT the mount, $DAEMON the daemon's pid).
    ::setenv("MNT", mount.root().c_str(), 1);
    ::setenv("DAEMON", std::to_string(mount.pid()).c_str(), 1);
    std::fflush(stdout);
    if (std::system(cmd) != 0) std::printf("LIST_BENCH_PROFILE command failed\n");
  }

  std::vector<Case> cases = {
      {"sysv/shm", {"ls", "-l", mount.path("sysv/shm")}, {"ipcs", "-m"}},
      {"sysv/msg", {"ls", "-l", mount.path("sysv/msg")}, {"ipcs", "-q"}},
      {"sysv/msg/by-key", {"ls", "-l", mount.path("sysv/msg/by-key")}, {"ipcs", "-q"}},
  };
  bool ok = true;
  std::printf(
      "\n%d rounds, medians. first = the first ls -l of the directory (by-key: a readlink per\n"
      "key, once). Expired = after %lld ms without touching the mount (every entry and\n"
      "attribute has expired); 'idle' runs straight after that sleep and so also pays for the\n"
      "machine waking up (vCPUs halted, caches cold), 'awake' runs just after an ipcs that\n"
      "paid for it. Warm = at once again. ipcs of the same objects, idle and warm.\n",
      rounds, static_cast<long long>(kCacheTimeout.count()));
  std::printf("%-16s %9s %9s %9s %9s %9s %9s  %s\n", "", "ls first", "exp idle", "exp awake",
              "ls warm", "ipcs idle", "ipcs warm", "idle/idle awake/warm warm/warm");
  for (const Case& c : cases) {
    std::vector<double> idle, awake, warm, ipcs_idle, ipcs;
    double first = time_run(c.ls);
    for (int r = 0; r < rounds; ++r) {
      std::this_thread::sleep_for(kCacheTimeout);
      idle.push_back(time_run(c.ls));
      std::this_thread::sleep_for(kCacheTimeout);
      ipcs_idle.push_back(time_run(c.ipcs));
      awake.push_back(time_run(c.ls));
      warm.push_back(time_run(c.ls));
      ipcs.push_back(time_run(c.ipcs));
    }
    for (const auto* v : {&idle, &awake, &warm, &ipcs_idle, &ipcs})
      if (std::find(v->begin(), v->end(), -1.0) != v->end()) {
        std::printf("%s: a command failed\n", c.what.c_str());
        ok = false;
      }
    double r1 = median(idle) / median(ipcs_idle), r2 = median(awake) / median(ipcs),
           r3 = median(warm) / median(ipcs);
    std::printf("%-16s %7.1fms %7.1fms %7.1fms %7.1fms %7.1fms %7.1fms  %8.2fx %9.2fx %9.2fx %s\n",
                c.what.c_str(), first, median(idle), median(awake), median(warm), median(ipcs_idle),
                median(ipcs), r1, r2, r3,
                std::max({r1, r2, r3}) <= 2.0 ? "ok" : "ABOVE TARGET (2x)");
  }
  std::printf("\ndaemon memory before making the objects: %s\n", before.c_str());
  std::printf("daemon memory after the listings:        %s\n",
              memory_of(mount.pid(), mount.root()).c_str());

  for (int id : shm_ids) ::shmctl(id, IPC_RMID, nullptr);
  for (int id : msg_ids) ::msgctl(id, IPC_RMID, nullptr);
  std::printf("removed them; daemon memory after one more listing (and the kernel's FORGETs): ");
  (void)count_entries(mount.path("sysv/msg"));
  (void)count_entries(mount.path("sysv/msg/by-key"));
  (void)count_entries(mount.path("sysv/shm"));
  // The kernel drops the entries the listings told it of, then forgets the inodes: wait for the
  // node count to settle (at most 5 s).
  std::string last, now = memory_of(mount.pid(), mount.root());
  for (int i = 0; i < 50 && now != last; ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    last = now;
    now = memory_of(mount.pid(), mount.root());
  }
  std::printf("%s\n", now.c_str());
  return ok ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
  int rounds = argc > 1 ? std::atoi(argv[1]) : 5;
  int nshm = argc > 2 ? std::atoi(argv[2]) : 4000;
  int nmsg = argc > 3 ? std::atoi(argv[3]) : 10000;
  if (rounds < 1 || nshm < 0 || nmsg < 0) {
    std::fprintf(stderr, "usage: list_bench [rounds] [segments] [queues]\n");
    return 2;
  }
  if (!std::getenv(kInNamespace)) {
    // A private IPC namespace: its limits can be raised and its objects are ours alone.
    ::setenv(kInNamespace, "1", 1);
    char self[4096];
    ssize_t n = ::readlink("/proc/self/exe", self, sizeof self - 1);
    if (n <= 0) die("readlink /proc/self/exe");
    self[n] = '\0';
    std::vector<std::string> args = {"unshare", "--ipc", self};
    for (int i = 1; i < argc; ++i) args.push_back(argv[i]);
    std::vector<char*> a;
    for (auto& s : args) a.push_back(s.data());
    a.push_back(nullptr);
    ::execvp("unshare", a.data());
    die("exec unshare");
  }
  std::setvbuf(stdout, nullptr, _IOLBF, 0);
  return run(rounds, nshm, nmsg);
}
