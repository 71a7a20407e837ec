// ipcfs: mounts the IPC objects of the current IPC namespace as files.
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "fs/cmdline.h"
#include "fs/filesystem.h"
#include "fs/log.h"

#ifndef IPCFS_VERSION
#define IPCFS_VERSION "unknown"
#endif

using namespace ipcfs::fs;

namespace {

// Every file open through the mount holds a descriptor in the daemon (a parked waiter too, and
// POSIX queues keep one between opens), so the usual soft limit of 1024 would cap how many
// opens ipcfs can serve at once. The hard limit is what the administrator allows.
void raise_open_file_limit() {
  rlimit r{};
  if (::getrlimit(RLIMIT_NOFILE, &r) == 0 && r.rlim_cur < r.rlim_max) {
    r.rlim_cur = r.rlim_max;
    if (::setrlimit(RLIMIT_NOFILE, &r) != 0)
      spdlog::warn("cannot raise the open file limit: {}", std::strerror(errno));
  }
}

int serve(fuse_session* se, const Cmdline& c) {
  if (c.fuse.singlethread) return fuse_session_loop(se);
  fuse_loop_config* cfg = fuse_loop_cfg_create();
  fuse_loop_cfg_set_clone_fd(cfg, c.fuse.clone_fd);
  fuse_loop_cfg_set_max_threads(cfg, c.fuse.max_threads);
  int r = fuse_session_loop_mt(se, cfg);
  fuse_loop_cfg_destroy(cfg);
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  // Modes asked for by callers are applied exactly (the kernel already applied their umask).
  ::umask(0);
  Cmdline c = parse_cmdline(argc, argv);
  // Every way out of main frees what the command line owns: under LeakSanitizer a leak turns
  // the exit status into 1 and loses what was printed (--version, --help).
  struct Owner {
    Cmdline& c;
    ~Owner() {
      free(c.fuse.mountpoint);
      fuse_opt_free_args(&c.args);
    }
  } owner{c};
  setup_logging(false, c.log_level);
  if (c.fuse.show_help) {
    print_usage(argv[0]);
    return kExitOk;
  }
  if (c.fuse.show_version) {
    std::printf("ipcfs %s (libfuse %s)\n", IPCFS_VERSION, fuse_pkgversion());
    return kExitOk;
  }
  if (!c.error.empty()) {
    std::fprintf(stderr, "ipcfs: %s%s\n", c.error.c_str(), c.mount_failed ? "" : " (see --help)");
    return c.mount_failed ? kExitMount : kExitUsage;
  }

  raise_open_file_limit();
  int status = kExitRuntime;
  {
    Filesystem fs;
    fs.set_read_only(c.read_only);
    fuse_session* se =
        fuse_session_new(&c.args, &Filesystem::ops(), sizeof(fuse_lowlevel_ops), &fs);
    if (!se) {
      std::fprintf(stderr, "ipcfs: bad mount options (see ipcfs(8))\n");
      return kExitUsage;
    }
    fs.set_session(se);
    if (fuse_set_signal_handlers(se) != 0 || fuse_session_mount(se, c.fuse.mountpoint) != 0) {
      std::fprintf(stderr, "ipcfs: cannot mount on %s\n", c.fuse.mountpoint);
      fuse_session_destroy(se);
      return kExitMount;
    }
    // Mounted before detaching: when mount(8) (or this command) returns, the filesystem is
    // there. Success is logged after detaching, so a plain mount prints nothing.
    // Passthrough patches INIT and OPEN replies, so it goes in before the first request is read.
    if (fs.passthrough().install(se) != 0)
      spdlog::warn("passthrough: cannot install the reply layer; mmap stays direct");
    if (!c.fuse.foreground) {
      setup_logging(true, c.log_level);
      if (fuse_daemonize(0) != 0) return kExitRuntime;
    }
    spdlog::info("ipcfs {} mounted on {}", IPCFS_VERSION, c.fuse.mountpoint);
    int r = serve(se, c);
    // The loop reports the signal that ended it; a requested end is a clean end.
    status = (r == 0 || r == SIGINT || r == SIGTERM || r == SIGHUP) ? kExitOk : kExitRuntime;
    // The loop resets the session on its way out; marked ended again, libfuse does not report
    // the notifications that fail from here on (the device is closed by the unmount).
    fuse_session_exit(se);
    fs.watcher().stop();
    fs.release_all();
    fuse_session_unmount(se);
    // After the unmount: an invalidation still waiting for a directory lock then fails at once.
    fs.notifier().stop();
    fuse_remove_signal_handlers(se);
    fuse_session_destroy(se);
    spdlog::info("ipcfs unmounted, exit {}", status);
  }
  return status;
}
