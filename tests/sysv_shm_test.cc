// Unit tests of ipc/sysv_shm on real segments (run in a private IPC namespace).
#include "ipc/sysv_shm.h"

#include <gtest/gtest.h>
#include <sys/ipc.h>
#include <sys/shm.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>

#include "tests/object_stat_expect.h"

namespace ipcfs::ipc {
namespace {

key_t unique_key() {
  static int n = 0;
  return key_t(0x50000000 | ((::getpid() & 0x3fffff) << 6) | (n++ & 0x3f));
}

struct Remover {
  int id = -1;
  ~Remover() {
    if (id >= 0) ::shmctl(id, IPC_RMID, nullptr);
  }
};

TEST(SysvShm, CreateFindStatSet) {
  key_t key = unique_key();
  auto id = SysvShm::create(key, 10000, 0640);
  ASSERT_TRUE(id) << id.error();
  Remover r{*id};
  EXPECT_EQ(SysvShm::create(key, 10000, 0640).error(), -EEXIST);
  EXPECT_EQ(*SysvShm::find(key), *id);
  auto st = SysvShm::stat(*id);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->object.size, 10000u);
  EXPECT_EQ(st->object.mode, 0640u);
  EXPECT_EQ(st->object.serial, uint64_t(*id));
  EXPECT_EQ(st->key, key);
  EXPECT_EQ(st->nattch, 0u);
  EXPECT_EQ(st->cpid, ::getpid());
  EXPECT_FALSE(st->dest);
  EXPECT_EQ(SysvShm::set(*id, 1234, 5678, 0604), 0);
  st = SysvShm::stat(*id);
  EXPECT_EQ(st->object.uid, 1234u);
  EXPECT_EQ(st->object.gid, 5678u);
  EXPECT_EQ(st->object.mode, 0604u);
  EXPECT_EQ(st->object.cuid, ::geteuid());
}

// A listing takes its facts from /proc/sysvipc/shm, not from IPC_STAT: they must be the same.
TEST(SysvShm, ListAllGivesWhatStatGives) {
  key_t key = unique_key();
  auto id = SysvShm::create(key, 12345, 0604);
  ASSERT_TRUE(id) << id.error();
  Remover r{*id};
  void* p = ::shmat(*id, nullptr, SHM_RDONLY);  // sets shm_atime
  ASSERT_NE(p, reinterpret_cast<void*>(-1));
  ::shmdt(p);
  ASSERT_EQ(SysvShm::set(*id, 1234, 5678, 0640), 0);
  auto all = SysvShm::list_all();
  ASSERT_TRUE(all) << all.error();
  auto it = std::find_if(all->begin(), all->end(), [&](auto& o) { return o.id == *id; });
  ASSERT_NE(it, all->end());
  auto st = SysvShm::stat(*id);
  ASSERT_TRUE(st);
  EXPECT_EQ(it->key, key);
  EXPECT_EQ(it->stat.mode, 0640u);
  EXPECT_EQ(it->stat.uid, 1234u);
  EXPECT_EQ(it->stat.size, 12345u);
  EXPECT_NE(it->stat.atime.tv_sec, 0);
  expect_same_stat(it->stat, st->object);
}

TEST(SysvShm, AttachmentSharesAndDetaches) {
  auto id = SysvShm::create(unique_key(), 5000, 0600);
  ASSERT_TRUE(id);
  Remover r{*id};
  {
    auto a = ShmAttachment::attach(*id, false);
    ASSERT_TRUE(a) << a.error();
    EXPECT_EQ(a->size(), 5000u);
    std::memcpy(a->data() + 4990, "0123456789", 10);
    EXPECT_EQ(SysvShm::stat(*id)->nattch, 1u);
    void* p = ::shmat(*id, nullptr, SHM_RDONLY);
    ASSERT_NE(p, reinterpret_cast<void*>(-1));
    EXPECT_EQ(std::memcmp(static_cast<char*>(p) + 4990, "0123456789", 10), 0);
    ::shmdt(p);
    ShmAttachment moved = std::move(*a);
    EXPECT_EQ(SysvShm::stat(*id)->nattch, 1u);
  }
  EXPECT_EQ(SysvShm::stat(*id)->nattch, 0u);
}

TEST(SysvShm, RemoveWaitsForTheLastDetach) {
  key_t key = unique_key();
  auto id = SysvShm::create(key, 4096, 0600);
  ASSERT_TRUE(id);
  Remover r{*id};
  auto a = ShmAttachment::attach(*id, true);
  ASSERT_TRUE(a);
  EXPECT_EQ(SysvShm::remove(*id), 0);
  auto st = SysvShm::stat(*id);
  ASSERT_TRUE(st);
  EXPECT_TRUE(st->dest);
  EXPECT_EQ(st->key, IPC_PRIVATE);
  EXPECT_EQ(SysvShm::find(key).error(), -ENOENT);
  *a = std::move(*a);  // self-move keeps the attachment
  EXPECT_EQ(SysvShm::stat(*id)->nattch, 1u);
  a = Result<ShmAttachment>::failure(-EIO);  // detaches: the segment goes
  EXPECT_EQ(SysvShm::stat(*id).error(), -EINVAL);
  r.id = -1;
}

TEST(SysvShm, HostileSizesAndIds) {
  EXPECT_EQ(SysvShm::create(unique_key(), 0, 0600).error(), -EINVAL);
  EXPECT_EQ(SysvShm::create(unique_key(), UINT64_MAX, 0600).error(), -EINVAL);  // > SHMMAX
  EXPECT_EQ(SysvShm::find(IPC_PRIVATE).error(), -ENOENT);
  EXPECT_EQ(SysvShm::find(unique_key()).error(), -ENOENT);
  EXPECT_EQ(SysvShm::stat(0x7ffffff0).error(), -EINVAL);
  EXPECT_EQ(ShmAttachment::attach(0x7ffffff0, true).error(), -EINVAL);
}

}  // namespace
}  // namespace ipcfs::ipc
