// Mount tests of SPEC §9: ipcfs shows the IPC namespace it runs in, and only that one.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <stdlib.h>
#include <unistd.h>

#include <string>

#include "ipc/posix_mq.h"
#include "tests/mount_fixture.h"

namespace ipcfs::test {
namespace {

using ipc::MessageQueue;

TEST(Namespace, UnshareShowsOnlyTheNewNamespace) {
  std::string outside = unique_name("out");
  auto q = MessageQueue::open(outside, O_RDWR | O_CREAT, 0600);
  ASSERT_TRUE(q);
  char tmpl[] = "/tmp/ipcfs-ns.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string dir = tmpl;
  // The daemon runs in a fresh IPC namespace; a queue made in there is visible, ours is not.
  std::string inside = unique_name("in");
  Shell s = sh("unshare --ipc bash -c '" + std::string(IPCFS_BINARY) + " " + dir +
               " -o log_level=warn && touch " + dir + "/posix/mq/" + inside + " && ls " + dir +
               "/posix/mq; umount " + dir + "'");
  (void)MessageQueue::unlink(outside);
  ::rmdir(dir.c_str());
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_EQ(s.out, inside + "\n");
  EXPECT_EQ(MessageQueue::open(inside, O_RDONLY).error(), -ENOENT);  // it stayed in there
}

TEST(Namespace, SameNamespaceSeesTheSameObjects) {
  Mount& m = shared_mount();
  std::string name = unique_name("same");
  auto q = MessageQueue::open(name, O_RDWR | O_CREAT, 0600);
  ASSERT_TRUE(q);
  Shell s = sh("ls posix/mq | grep -x " + name, m.root());
  (void)MessageQueue::unlink(name);
  EXPECT_EQ(s.out, name + "\n");
}

}  // namespace
}  // namespace ipcfs::test
