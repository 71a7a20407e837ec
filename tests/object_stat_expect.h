// expect_same_stat(): every fact of two ObjectStats compared, each as its own expectation, for
// the tests that check one way of learning an object's facts against another.
#pragma once

#include <gtest/gtest.h>

#include "ipc/object_stat.h"

namespace ipcfs::ipc {

inline void expect_same_stat(const ObjectStat& a, const ObjectStat& b) {
  EXPECT_EQ(a.mode, b.mode);
  EXPECT_EQ(a.uid, b.uid);
  EXPECT_EQ(a.gid, b.gid);
  EXPECT_EQ(a.cuid, b.cuid);
  EXPECT_EQ(a.cgid, b.cgid);
  EXPECT_EQ(a.size, b.size);
  EXPECT_EQ(a.atime.tv_sec, b.atime.tv_sec);
  EXPECT_EQ(a.atime.tv_nsec, b.atime.tv_nsec);
  EXPECT_EQ(a.mtime.tv_sec, b.mtime.tv_sec);
  EXPECT_EQ(a.mtime.tv_nsec, b.mtime.tv_nsec);
  EXPECT_EQ(a.ctime.tv_sec, b.ctime.tv_sec);
  EXPECT_EQ(a.ctime.tv_nsec, b.ctime.tv_nsec);
  EXPECT_EQ(a.serial, b.serial);
}

}  // namespace ipcfs::ipc
