// Mount tests of the daemon's inode table over time: what the kernel has forgotten and whose
// object is gone does not stay in the daemon (statfs f_files counts the table's nodes).
#include <gtest/gtest.h>
#include <sys/statvfs.h>

#include <string>
#include <thread>

#include "ipc/posix_mq.h"
#include "tests/mount_fixture.h"

namespace ipcfs::test {
namespace {

using namespace std::chrono_literals;

unsigned long nodes(const Mount& m) {
  struct statvfs sv {};
  EXPECT_EQ(::statvfs(m.root().c_str(), &sv), 0);
  return sv.f_files;
}

// A script making and removing uniquely named queues, with nobody listing the directory: the
// nodes of the removed queues go once the kernel forgets them, rather than one per name for
// the daemon's life.
TEST(Inodes, RemovedObjectsDoNotPileUp) {
  Mount m;
  std::string base = unique_name("n");
  std::string script;
  for (int i = 0; i < 20; ++i)
    script += "touch " + base + std::to_string(i) + " && rm " + base + std::to_string(i) + " && ";
  unsigned long before = nodes(m);
  Shell s = sh(script + "true", m.path("posix/mq"));
  for (int i = 0; i < 20; ++i) (void)ipc::MessageQueue::unlink(base + std::to_string(i));
  ASSERT_EQ(s.status, 0) << s.err;
  // FORGETs reach the daemon shortly after the kernel drops the inodes.
  unsigned long after = nodes(m);
  for (int i = 0; i < 100 && after > before; ++i) {
    std::this_thread::sleep_for(10ms);
    after = nodes(m);
  }
  EXPECT_EQ(after, before);
}

}  // namespace
}  // namespace ipcfs::test
