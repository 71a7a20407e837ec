// Unit tests of the ipcfs command line (fs/cmdline.cc): the worker thread count.
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

TEST(Cmdline, NoWorkerThreadsIsAnError) {
  Cmdline c = parse({"-o", "max_threads=0"});
  EXPECT_EQ(c.error, "max_threads must be 1 or more");
  release(c);
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

}  // namespace
}  // namespace ipcfs::fs
