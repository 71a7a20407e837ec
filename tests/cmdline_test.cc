// Unit tests of the ipcfs command line (fs/cmdline.cc): worker threads, options from fstab,
// read-only, --help, mounts made by another process.
#include <gtest/gtest.h>
#include <sched.h>
#include <stdlib.h>

#include <algorithm>
#include <string>
#include <vector>

#include "fs/cmdline.h"

namespace ipcfs::fs {
namespace {

// parse_cmdline on ARGS (after the program name), with the mount point /tmp.
Cmdline parse(std::vector<std::string> args) {
  std::vector<char*> argv{const_cast<char*>("ipcfs")};
  for (auto& a : args) argv.push_back(a.data());
  argv.push_back(const_cast<char*>("/tmp"));
  return parse_cmdline(int(argv.size()), argv.data());
}

void release(Cmdline& c) {
  free(c.fuse.mountpoint);
  fuse_opt_free_args(&c.args);
}

TEST(Cmdline, WorkerThreadsDefaultToTheCpusBetweenTwoAndTen) {
  cpu_set_t cpus;
  ASSERT_EQ(sched_getaffinity(0, sizeof cpus, &cpus), 0);
  unsigned want = std::clamp(unsigned(CPU_COUNT(&cpus)), 2u, 10u);
  Cmdline c = parse({});
  EXPECT_EQ(c.error, "");
  EXPECT_EQ(c.fuse.max_threads, want);
  release(c);
}

TEST(Cmdline, MaxThreadsGivenIsKeptExactly) {
  struct Case {
    std::vector<std::string> args;
    unsigned want;
  };
  for (const Case& k : {Case{{"-o", "max_threads=10"}, 10}, Case{{"-omax_threads=7"}, 7},
                        Case{{"-o", "ro,max_threads=1,log_level=warn"}, 1}}) {
    Cmdline c = parse(k.args);
    EXPECT_EQ(c.error, "") << k.args.back();
    EXPECT_EQ(c.fuse.max_threads, k.want) << k.args.back();
    release(c);
  }
}

TEST(Cmdline, MaxThreadsOutsideOneToAThousandIsAnError) {
  for (std::string bad : {"0", "-1", "1001", "4294967296", "", "2x", " 2", "+2", "0x10"}) {
    Cmdline c = parse({"-o", "max_threads=" + bad});
    EXPECT_EQ(c.error, "bad max_threads: " + bad + " (1 to 1000)") << bad;
    EXPECT_FALSE(c.mount_failed);
    release(c);
  }
}

TEST(Cmdline, MaxIdleThreadsIsNotMaxThreads) {
  Cmdline c = parse({"-o", "max_idle_threads=3"});
  EXPECT_EQ(c.error, "");
  cpu_set_t cpus;
  ASSERT_EQ(sched_getaffinity(0, sizeof cpus, &cpus), 0);
  EXPECT_EQ(c.fuse.max_threads, std::clamp(unsigned(CPU_COUNT(&cpus)), 2u, 10u));
  EXPECT_EQ(c.fuse.max_idle_threads, 3u);
  release(c);
}

// Every argument libfuse will see, joined by spaces.
std::string left_args(const Cmdline& c) {
  std::string out;
  for (int i = 0; i < c.args.argc; ++i) out += std::string(i ? " " : "") + c.args.argv[i];
  return out;
}

// mount.fuse3 runs ipcfs with fstab's options as they are: mount(8)'s own and the access-time
// options libfuse does not know are dropped, not refused.
TEST(Cmdline, FstabOnlyOptionsAreDropped) {
  Cmdline c = parse({"-o", "rw,defaults,nofail,_netdev,x-systemd.automount,relatime,allow_other",
                     "-onodiratime,noauto"});
  EXPECT_EQ(c.error, "");
  std::string left = left_args(c);
  for (const char* gone :
       {"defaults", "nofail", "_netdev", "x-systemd", "relatime", "nodiratime", "noauto"})
    EXPECT_EQ(left.find(gone), std::string::npos) << gone << " in " << left;
  EXPECT_NE(left.find("-o rw,allow_other "), std::string::npos) << left;
  release(c);
}

TEST(Cmdline, ReadOnlyIsNoted) {
  for (auto [args, ro] : std::vector<std::pair<std::vector<std::string>, bool>>{
           {{}, false},
           {{"-o", "ro"}, true},
           {{"-r"}, true},
           {{"-o", "allow_other,ro,log_level=warn"}, true},
           {{"-o", "ro", "-o", "rw"}, false}}) {
    Cmdline c = parse(args);
    EXPECT_EQ(c.error, "");
    EXPECT_EQ(c.read_only, ro) << left_args(c);
    release(c);
  }
}

// --help and --version answer whatever the mount point is (exit 0 in main).
TEST(Cmdline, HelpAndVersionNeedNoUsableMountPoint) {
  for (const char* flag : {"--help", "-h", "--version", "-V"}) {
    std::vector<std::string> args{"ipcfs", flag, "/nonexistent/dir"};
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    Cmdline c = parse_cmdline(int(argv.size()), argv.data());
    EXPECT_EQ(c.error, "") << flag;
    EXPECT_TRUE(c.fuse.show_help || c.fuse.show_version) << flag;
    release(c);
  }
}

// /dev/fd/N was mounted by another process (mount.fuse3 -o drop_privileges) with the options
// ipcfs is given: without default_permissions there, no caller would ever be checked.
TEST(Cmdline, AMountByAnotherProcessMustHaveDefaultPermissions) {
  std::vector<std::string> args{"ipcfs", "/dev/fd/3", "-o", "allow_other"};
  std::vector<char*> argv;
  for (auto& a : args) argv.push_back(a.data());
  Cmdline c = parse_cmdline(int(argv.size()), argv.data());
  EXPECT_TRUE(c.mount_failed);
  EXPECT_NE(c.error.find("without default_permissions"), std::string::npos) << c.error;
  release(c);
  args = {"ipcfs", "/dev/fd/3", "-o", "allow_other,default_permissions"};
  argv.clear();
  for (auto& a : args) argv.push_back(a.data());
  c = parse_cmdline(int(argv.size()), argv.data());
  EXPECT_EQ(c.error, "");
  release(c);
}

}  // namespace
}  // namespace ipcfs::fs
