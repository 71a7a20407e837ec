// Command-line parsing on top of fuse_opt_parse and fuse_parse_cmdline.
#include "fs/cmdline.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <vector>

#include "fs/log.h"

namespace ipcfs::fs {

namespace {

struct OwnOpts {
  char* log_level = nullptr;
  int foreground = 0;
  int single_thread = 0;
};

const fuse_opt kOwnOpts[] = {
    {"log_level=%s", offsetof(OwnOpts, log_level), 0},
    {"foreground", offsetof(OwnOpts, foreground), 1},
    {"single_thread", offsetof(OwnOpts, single_thread), 1},
    FUSE_OPT_END,
};

// Drops the first of two positional arguments ("ipcfs none /mnt/ipc" from mount(8)).
std::vector<char*> drop_source(int argc, char** argv, const char** mountpoint) {
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
  return out;
}

}  // namespace

Cmdline parse_cmdline(int argc, char** argv) {
  Cmdline c;
  const char* mountpoint = nullptr;
  std::vector<char*> v = drop_source(argc, argv, &mountpoint);
  struct stat st;
  if (mountpoint && ::stat(mountpoint, &st) != 0) {
    c.error = std::string("mount point ") + mountpoint + ": " + std::strerror(errno);
    c.mount_failed = true;
    return c;
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
      "    -o max_threads=N       libfuse worker threads (default 10)\n\n"
      "Exit status: 0 clean unmount, 1 usage, 2 cannot mount, 3 runtime failure.\n",
      prog);
}

}  // namespace ipcfs::fs
