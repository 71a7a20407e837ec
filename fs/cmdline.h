// The ipcfs command line (SPEC §2): libfuse's own options plus ipcfs's, every one of them also
// usable as -o OPT so that fstab lines work.
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>
#include <spdlog/spdlog.h>

#include <string>

namespace ipcfs::fs {

struct Cmdline {
  fuse_args args = FUSE_ARGS_INIT(0, nullptr);  // what is left for fuse_session_new()
  fuse_cmdline_opts fuse{};                     // -f, -d, -s, mount point, ...
  spdlog::level::level_enum log_level = spdlog::level::info;
  std::string error;          // set when the command line is unusable
  bool mount_failed = false;  // ... because the mount point is unusable
  bool read_only = false;     // -o ro: reads that would consume messages are refused too
};

// Exit codes of ipcfs (documented in ipcfs(8)).
enum ExitCode { kExitOk = 0, kExitUsage = 1, kExitMount = 2, kExitRuntime = 3 };

// Parses ARGV. The first of two positional arguments (the source mount(8) passes) is ignored.
// The result owns its args; free them with fuse_opt_free_args and fuse.mountpoint with free().
Cmdline parse_cmdline(int argc, char** argv);

void print_usage(const char* prog);

// libfuse worker threads when -o max_threads is not given.
unsigned default_max_threads();

}  // namespace ipcfs::fs
