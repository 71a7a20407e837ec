// Unit tests of the /proc/sysvipc parser, on crafted text and on the real table.
#include "ipc/sysv_list.h"

#include <gtest/gtest.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <climits>
#include <cstdint>

namespace ipcfs::ipc {
namespace {

TEST(SysvTable, ParsesRowsAndOctalPerms) {
  auto t = SysvTable::parse(
      "       key      msqid perms      cbytes       qnum lspid lrpid   uid   gid  cuid  cgid      "
      "stime      rtime      ctime\n"
      "-2056649194          0   644           5          1     0     0     0     0     0     0   "
      "       0          0 1795980172\n"
      "      4660         32769  600           0          0     0     0  1000  1000  1000  1000   "
      "       0          0 1795980173\n");
  ASSERT_TRUE(t) << t.error();
  ASSERT_EQ(t->size(), 2u);
  EXPECT_EQ(t->key(0), -2056649194);
  EXPECT_EQ(t->id(1), 32769);
  EXPECT_EQ(*t->get(0, "perms"), 0644);
  EXPECT_EQ(*t->get(0, "cbytes"), 5);
  EXPECT_EQ(*t->get(1, "uid"), 1000);
  EXPECT_FALSE(t->get(0, "nosuch"));
  EXPECT_EQ(t->find_id(32769), 1u);
  EXPECT_FALSE(t->find_id(7));
}

TEST(SysvTable, RejectsGarbage) {
  EXPECT_EQ(SysvTable::parse("").error(), -EIO);
  EXPECT_EQ(SysvTable::parse("key perms\n1 2\n").error(), -EIO);  // no id column
  EXPECT_EQ(SysvTable::parse("key msqid perms\n1 x 2\n").error(), -EIO);
  EXPECT_EQ(SysvTable::parse("key msqid perms\n1 2\n").error(), -EIO);    // short row
  EXPECT_EQ(SysvTable::parse("key msqid perms\n1 2 9\n").error(), -EIO);  // 9 is not octal
  // Ids and keys the kernel could not print (found by the fuzzer: id() truncated them).
  EXPECT_EQ(SysvTable::parse("key shmid\n1 888888888888888883\n").error(), -EIO);
  EXPECT_EQ(SysvTable::parse("key shmid\n1 2147483648\n").error(), -EIO);
  EXPECT_EQ(SysvTable::parse("key shmid\n1 -1\n").error(), -EIO);
  EXPECT_EQ(SysvTable::parse("key shmid\n2147483648 1\n").error(), -EIO);
  EXPECT_EQ(SysvTable::parse("key shmid\n-2147483649 1\n").error(), -EIO);
  auto edge = SysvTable::parse("key shmid\n-2147483648 2147483647\n");
  ASSERT_TRUE(edge);
  EXPECT_EQ(edge->key(0), INT32_MIN);
  EXPECT_EQ(edge->id(0), INT_MAX);
}

TEST(SysvTable, SeesARealQueue) {
  int id = ::msgget(IPC_PRIVATE, IPC_CREAT | 0600);
  ASSERT_GE(id, 0);
  auto t = SysvTable::read(SysvKind::kMsg);
  ::msgctl(id, IPC_RMID, nullptr);
  ASSERT_TRUE(t);
  auto row = t->find_id(id);
  ASSERT_TRUE(row);
  EXPECT_EQ(t->key(*row), 0);
  EXPECT_EQ(*t->get(*row, "perms"), 0600);
}

}  // namespace
}  // namespace ipcfs::ipc
