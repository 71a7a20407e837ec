// Command-line parsing on top of fuse_opt_parse and fuse_parse_cmdline.
#include "fs/cmdline.h"

#include <sched.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include "fs/log.h"

namespace ipcfs::fs {

namespace {

struct OwnOpts {
  char* log_level = nullptr;
  int foreground = 0;
  int single_thread = 0;
  int max_threads_given = 0;
};

const fuse_opt kOwnOpts[] = {
    {"log_level=%s", offsetof(OwnOpts, log_level), 0},
    {"foreground", offsetof(OwnOpts, foreground), 1},
    {"single_thread", offsetof(OwnOpts, single_thread), 1},
    // Noted, and left for fuse_parse_cmdline to read.
    {"max_threads=", offsetof(OwnOpts, max_threads_given), 1},
    FUSE_OPT_KEY("max_threads=", FUSE_OPT_KEY_KEEP),
    FUSE_OPT_END,
};

// "\040" in /proc/self/mountinfo paths stands for a space (and so on for tab, newline, '\\').
std::string unescape_mountinfo(std::string_view s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 3 < s.size() && s[i + 1] >= '0' && s[i + 1] <= '3') {
      out += char((s[i + 1] - '0') * 64 + (s[i + 2] - '0') * 8 + (s[i + 3] - '0'));
      i += 3;
    } else {
      out += s[i];
    }
  }
  return out;
}

// True when an ipcfs is already mounted on DIR: a second one on top would hide the first and
// leave its daemon running for nothing, so it is refused (mount(8)'s "already mounted").
bool ipcfs_mounted_on(const char* dir) {
  char real[PATH_MAX];
  if (!::realpath(dir, real)) return false;
  std::ifstream f("/proc/self/mountinfo");
  std::string line;
  while (std::getline(f, line)) {
    // ID PARENT MAJ:MIN ROOT MOUNTPOINT OPTIONS [OPTIONAL...] - FSTYPE SOURCE SUPEROPTIONS
    std::istringstream in(line);
    std::string id, parent, dev, root, point, word;
    in >> id >> parent >> dev >> root >> point;
    while (in >> word && word != "-") {
    }
    std::string fstype;
    in >> fstype;
    if (fstype == "fuse.ipcfs" && unescape_mountinfo(point) == real) return true;
  }
  return false;
}

// Drops the first of two positional arguments ("ipcfs none /mnt/ipc" from mount(8)).
std::vector<char*> drop_source(int argc, char** argv, const char** mountpoint, size_t* count) {
  std::vector<char*> out(argv, argv + argc);
  std::vector<size_t> positional;
  for (size_t i = 1; i < out.size(); ++i) {
    if (std::strcmp(out[i], "-o") == 0) {
      ++i;  // its value
    } else if (out[i][0] != '-') {
      positional.push_back(i);
    }
  }
  if (positional.size() == 2) out.erase(out.begin() + long(positional[0]));
  if (!positional.empty()) *mountpoint = argv[positional.back()];
  *count = positional.size();
  return out;
}

}  // namespace

Cmdline parse_cmdline(int argc, char** argv) {
  Cmdline c;
  const char* mountpoint = nullptr;
  size_t positional = 0;
  std::vector<char*> v = drop_source(argc, argv, &mountpoint, &positional);
  if (positional > 2) {
    c.error = "too many arguments";
    return c;
  }
  struct stat st;
  // "/dev/fd/N": a /dev/fuse descriptor already mounted by a privileged parent (libfuse >= 3.3).
  bool fd_mount = mountpoint && std::strncmp(mountpoint, "/dev/fd/", 8) == 0;
  if (mountpoint && !fd_mount) {
    int err = ::stat(mountpoint, &st) != 0 ? errno : !S_ISDIR(st.st_mode) ? ENOTDIR : 0;
    if (err != 0) {
      c.error = std::string("mount point ") + mountpoint + ": " + std::strerror(err);
      c.mount_failed = true;
      return c;
    }
    if (ipcfs_mounted_on(mountpoint)) {
      c.error = std::string("mount point ") + mountpoint + ": ipcfs is already mounted there";
      c.mount_failed = true;
      return c;
    }
  }
  // fuse_opt_add_arg copies, so the result does not point into argv.
  for (char* a : v) fuse_opt_add_arg(&c.args, a);
  OwnOpts own;
  if (fuse_opt_parse(&c.args, &own, kOwnOpts, nullptr) != 0) {
    c.error = "cannot parse options";
    return c;
  }
  if (own.log_level) {
    auto l = parse_log_level(own.log_level);
    if (!l)
      c.error = std::string("bad log_level: ") + own.log_level;
    else
      c.log_level = *l;
    free(own.log_level);
  }
  if (fuse_parse_cmdline(&c.args, &c.fuse) != 0) {
    c.error = "cannot parse command line";
    return c;
  }
  if (!own.max_threads_given) c.fuse.max_threads = default_max_threads();
  // libfuse would run one thread and say nothing.
  if (c.fuse.max_threads == 0) c.error = "max_threads must be 1 or more";
  if (own.foreground) c.fuse.foreground = 1;
  if (own.single_thread) c.fuse.singlethread = 1;
  if (c.fuse.debug) {
    c.fuse.foreground = 1;
    if (!own.log_level) c.log_level = spdlog::level::debug;
  }
  if (!c.fuse.show_help && !c.fuse.show_version && !c.fuse.mountpoint && c.error.empty())
    c.error = "no mount point given";
  // The kernel checks every caller against the objects' own modes (SPEC §7).
  fuse_opt_add_arg(&c.args, "-odefault_permissions,fsname=ipcfs,subtype=ipcfs");
  return c;
}

void print_usage(const char* prog) {
  std::printf(
      "usage: %s [SOURCE] MOUNTPOINT [options]\n\n"
      "Shows the IPC objects of this IPC namespace as files.\n\n"
      "    -h, --help             print this help and exit\n"
      "    -V, --version          print the version and exit\n"
      "    -f, -o foreground      stay in the foreground, log to stderr\n"
      "    -d, -o debug           debug log, implies -f\n"
      "    -s, -o single_thread   one thread serves every request (debugging only)\n"
      "    -o log_level=LEVEL     trace|debug|info|warn|error (default info)\n"
      "    -o allow_other         let other users in (their IPC permissions still apply)\n"
      "    -o max_threads=N       libfuse worker threads (default: CPUs, 2 to 10)\n\n"
      "Exit status: 0 clean unmount, 1 usage, 2 cannot mount, 3 runtime failure.\n",
      prog);
}

// One worker thread per CPU the daemon may run on, at least 2 and at most libfuse's own default
// of 10. No handler ever waits (operations that would block are parked on the watcher), so
// more workers than CPUs cannot serve more at once; they only make each request wake the
// thread idle longest, whose stack and caches are cold. Measured on 2 CPUs: an echo+cat round
// trip takes about a quarter less time with 2 workers than with 10 (a null FUSE server gains
// alike). One worker is about 3x slower, in a null FUSE server too, for a reason not found.
unsigned default_max_threads() {
  cpu_set_t cpus;
  unsigned n = ::sched_getaffinity(0, sizeof cpus, &cpus) == 0 ? unsigned(CPU_COUNT(&cpus)) : 2;
  return std::clamp(n, 2u, 10u);
}

}  // namespace ipcfs::fs
