// Command-line parsing on top of fuse_opt_parse and fuse_parse_cmdline.
#include "fs/cmdline.h"

#include <sched.h>
#include <sys/stat.h>

#include <algorithm>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <sstream>
#include <string_view>
#include <vector>

#include "fs/log.h"
#include "mount_helper/mount_options.h"

namespace ipcfs::fs {

namespace {

struct OwnOpts {
  char* log_level = nullptr;
  char* max_threads = nullptr;
  int foreground = 0;
  int single_thread = 0;
  int default_permissions = 0;
  int read_only = 0;
};

const fuse_opt kOwnOpts[] = {
    {"log_level=%s", offsetof(OwnOpts, log_level), 0},
    {"max_threads=%s", offsetof(OwnOpts, max_threads), 0},
    {"foreground", offsetof(OwnOpts, foreground), 1},
    {"single_thread", offsetof(OwnOpts, single_thread), 1},
    // Noted, and left for libfuse to read.
    {"default_permissions", offsetof(OwnOpts, default_permissions), 1},
    FUSE_OPT_KEY("default_permissions", FUSE_OPT_KEY_KEEP),
    {"ro", offsetof(OwnOpts, read_only), 1},
    {"-r", offsetof(OwnOpts, read_only), 1},
    {"rw", offsetof(OwnOpts, read_only), 0},
    FUSE_OPT_KEY("ro", FUSE_OPT_KEY_KEEP),
    FUSE_OPT_KEY("-r", FUSE_OPT_KEY_KEEP),
    FUSE_OPT_KEY("rw", FUSE_OPT_KEY_KEEP),
    FUSE_OPT_END,
};

// libfuse would run 4294967295 threads for "-1" and one for "0", and say nothing.
constexpr unsigned long kMaxThreadsLimit = 1000;
bool parse_max_threads(const char* text, unsigned* out) {
  std::string_view t(text);
  unsigned long n = 0;
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (t.empty() || ec != std::errc() || end != t.data() + t.size()) return false;
  if (n < 1 || n > kMaxThreadsLimit) return false;
  *out = unsigned(n);
  return true;
}

// Whether ARGS ask only for --help or --version: then no mount point is checked.
bool asks_help_or_version(const std::vector<char*>& args) {
  for (size_t i = 1; i < args.size(); ++i) {
    std::string_view a(args[i]);
    if (a == "-o") {
      ++i;
      continue;
    }
    if (a == "-h" || a == "--help" || a == "-V" || a == "--version") return true;
  }
  return false;
}

// ARGS with every -o value filtered (mount_helper::filter_options): mount(8)'s own options and
// access-time options libfuse does not know reach ipcfs when mount.fuse3 runs it from fstab.
std::vector<std::string> filter_mount_options(const std::vector<char*>& args) {
  std::vector<std::string> out;
  for (size_t i = 0; i < args.size(); ++i) {
    std::string_view a(args[i]);
    if (i > 0 && a == "-o" && i + 1 < args.size()) {
      std::string kept = mount_helper::filter_options(args[++i]);
      if (!kept.empty()) out.insert(out.end(), {"-o", kept});
    } else if (i > 0 && a.substr(0, 2) == "-o" && a.size() > 2) {
      std::string kept = mount_helper::filter_options(a.substr(2));
      if (!kept.empty()) out.push_back("-o" + kept);
    } else {
      out.emplace_back(a);
    }
  }
  return out;
}

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
  // --help and --version answer whatever else is given: libfuse would check the mount point.
  if (asks_help_or_version(v)) {
    for (char* a : v) {
      std::string_view s(a);
      if (s == "-h" || s == "--help") c.fuse.show_help = 1;
      if (s == "-V" || s == "--version") c.fuse.show_version = 1;
    }
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
  for (const std::string& a : filter_mount_options(v)) fuse_opt_add_arg(&c.args, a.c_str());
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
  unsigned threads = default_max_threads();
  if (own.max_threads) {
    if (!parse_max_threads(own.max_threads, &threads))
      c.error = std::string("bad max_threads: ") + own.max_threads + " (1 to " +
                std::to_string(kMaxThreadsLimit) + ")";
    free(own.max_threads);
  }
  if (fuse_parse_cmdline(&c.args, &c.fuse) != 0) {
    c.error = "cannot parse command line";
    return c;
  }
  c.fuse.max_threads = threads;
  c.read_only = own.read_only != 0;
  if (own.foreground) c.fuse.foreground = 1;
  if (own.single_thread) c.fuse.singlethread = 1;
  if (c.fuse.debug) {
    c.fuse.foreground = 1;
    if (!own.log_level) c.log_level = spdlog::level::debug;
  }
  if (!c.fuse.show_help && !c.fuse.show_version && !c.fuse.mountpoint && c.error.empty())
    c.error = "no mount point given";
  // The process that mounted /dev/fd/N chose the mount options, and mount.fuse3 gives ipcfs the
  // same ones: without default_permissions there, the kernel checks no caller at all (SPEC §7).
  if (fd_mount && !own.default_permissions && c.error.empty()) {
    c.error = std::string("mount point ") + mountpoint +
              ": mounted by another process without default_permissions; add "
              "default_permissions to the mount options (ipcfs relies on the kernel's "
              "permission checks)";
    c.mount_failed = true;
  }
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
