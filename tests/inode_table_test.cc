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
  t.prune(0, [](const Node&) { return false; });
  EXPECT_EQ(t.get(listed->ino), nullptr);
  EXPECT_NE(t.get(held->ino), nullptr);
}

TEST(InodeTable, PruneAsksAboutEachUncountedNode) {
  InodeTable t;
  Node link = proto("0x00000001", 3);
  link.link = "../3";
  auto l = t.find_or_add(link, false);
  auto o = t.find_or_add(proto("3", 3), false);
  // An object directory's listing leaves the by-key links alone, and the reverse.
  t.prune(0, [](const Node& n) { return !n.link.empty(); });
  EXPECT_NE(t.get(l->ino), nullptr);
  EXPECT_EQ(t.get(o->ino), nullptr);
  t.prune(0, [](const Node& n) { return n.link.empty(); });
  EXPECT_EQ(t.get(l->ino), nullptr);
}

TEST(InodeTable, RefCountsOneMoreLookup) {
  InodeTable t;
  auto listed = t.find_or_add(proto("q", 7), false);
  ASSERT_EQ(t.ref(listed->ino), listed);  // a readdirplus entry
  t.prune(0, [](const Node&) { return false; });
  EXPECT_NE(t.get(listed->ino), nullptr);  // held by the kernel: not pruned
  auto opt = t.find_or_add(proto("q", 7, "info"), false);
  ASSERT_NE(t.ref(opt->ino), nullptr);
  t.forget(opt->ino, 1);
  EXPECT_EQ(t.get(opt->ino), nullptr);
  EXPECT_EQ(t.ref(opt->ino), nullptr);  // gone: no reference taken
}

TEST(InodeTable, PruneDropsSupersededNodesAndKeepsHeldOnes) {
  InodeTable t;
  auto old_obj = t.find_or_add(proto("q", 7), false);
  auto new_obj = t.find_or_add(proto("q", 8), false);  // same name, a new object
  t.prune(0, [](const Node&) { return true; });        // "q" is live: the new one
  EXPECT_EQ(t.get(old_obj->ino), nullptr);
  EXPECT_NE(t.get(new_obj->ino), nullptr);
  // Held, forgotten, then gone: pruned once the kernel let go of it.
  auto held = t.find_or_add(proto("h", 9), true);
  t.prune(0, [](const Node&) { return false; });
  EXPECT_NE(t.get(held->ino), nullptr);
  t.forget(held->ino, 1);
  EXPECT_NE(t.get(held->ino), nullptr);  // a plain file keeps its number while it lives
  t.prune(0, [](const Node&) { return false; });
  EXPECT_EQ(t.get(held->ino), nullptr);
}

}  // namespace
}  // namespace ipcfs::fs
