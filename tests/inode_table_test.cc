// Unit tests of the inode table: counts, stability, no reuse.
#include "fs/inode_table.h"

#include <gtest/gtest.h>

namespace ipcfs::fs {
namespace {

Node proto(std::string name, uint64_t serial, std::string options = "") {
  Node n;
  n.kind = 0;
  n.name = std::move(name);
  n.options = std::move(options);
  n.serial = serial;
  return n;
}

TEST(InodeTable, SameObjectSameNumber) {
  InodeTable t;
  auto a = t.find_or_add(proto("q", 7), true);
  auto b = t.find_or_add(proto("q", 7), true);
  EXPECT_EQ(a->ino, b->ino);
  EXPECT_GE(a->ino, fuse_ino_t(kFirstObjectIno));
  t.forget(a->ino, 2);
  // Kept while the object lives, so ls -i stays stable.
  EXPECT_EQ(t.find_or_add(proto("q", 7), true)->ino, a->ino);
}

TEST(InodeTable, NewObjectUnderOldNameGetsNewNumber) {
  InodeTable t;
  auto a = t.find_or_add(proto("q", 7), true);
  auto b = t.find_or_add(proto("q", 8), true);
  EXPECT_NE(a->ino, b->ino);
  // The kernel may still hold the old number: it still resolves to the old object.
  EXPECT_EQ(t.get(a->ino)->serial, 7u);
  t.forget(a->ino, 1);
  EXPECT_EQ(t.get(a->ino), nullptr);
  EXPECT_EQ(t.get(b->ino)->serial, 8u);
}

TEST(InodeTable, OptionFilesAreSeparateAndForgotten) {
  InodeTable t;
  auto plain = t.find_or_add(proto("q", 7), true);
  auto info = t.find_or_add(proto("q", 7, "info"), true);
  EXPECT_NE(plain->ino, info->ino);
  t.forget(info->ino, 1);
  EXPECT_EQ(t.get(info->ino), nullptr);
  auto again = t.find_or_add(proto("q", 7, "info"), true);
  EXPECT_NE(again->ino, info->ino);  // numbers are never reused
}

TEST(InodeTable, AnUncountedNodeOfAReplacedObjectIsDropped) {
  InodeTable t;
  auto listed = t.find_or_add(proto("q", 7), false);  // readdir: the kernel holds nothing
  for (uint64_t serial = 8; serial < 100; ++serial) t.find_or_add(proto("q", serial), false);
  EXPECT_EQ(t.get(listed->ino), nullptr);
  EXPECT_EQ(t.size(), 1u);
}

TEST(InodeTable, ForgetReturnsKeptNodesForTheCallerToDrop) {
  InodeTable t;
  auto plain = t.find_or_add(proto("q", 7), true);
  auto info = t.find_or_add(proto("q", 7, "info"), true);
  EXPECT_EQ(t.forget(info->ino, 1), nullptr);  // option files go at once
  EXPECT_EQ(t.forget(plain->ino, 1), plain);   // kept: the caller knows if q still lives
  EXPECT_EQ(t.get(plain->ino), plain);
  t.find_or_add(proto("q", 7), true);  // looked up again meanwhile: not dropped
  t.drop_uncounted(plain->ino);
  EXPECT_EQ(t.get(plain->ino), plain);
  EXPECT_EQ(t.forget(plain->ino, 1), plain);
  t.drop_uncounted(plain->ino);
  EXPECT_EQ(t.get(plain->ino), nullptr);
  EXPECT_EQ(t.size(), 0u);
  EXPECT_NE(t.find_or_add(proto("q", 7), true)->ino, plain->ino);  // never reused
}

TEST(InodeTable, PruneDropsUncountedDeadObjects) {
  InodeTable t;
  auto listed = t.find_or_add(proto("gone", 1), false);
  auto held = t.find_or_add(proto("held", 2), true);
  t.prune(0, [](const std::string&) { return false; });
  EXPECT_EQ(t.get(listed->ino), nullptr);
  EXPECT_NE(t.get(held->ino), nullptr);
}

}  // namespace
}  // namespace ipcfs::fs
