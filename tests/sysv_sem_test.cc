// Unit tests of ipc/sysv_sem: real System V semaphore sets.
#include "ipc/sysv_sem.h"

#include <gtest/gtest.h>
#include <sys/ipc.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>

namespace ipcfs::ipc {
namespace {

key_t fresh_key() {
  static std::atomic<int> n{0};
  return key_t(0x5e000000 | ((::getpid() & 0xffff) << 8) | (n++ & 0xff));
}

class SemSetIpc : public ::testing::Test {
 protected:
  void TearDown() override {
    if (auto s = SemSet::find(key_)) (void)s->remove();
  }
  key_t key_ = fresh_key();
};

TEST_F(SemSetIpc, CreateFindInfo) {
  auto s = SemSet::create(key_, 3, 0640);
  ASSERT_TRUE(s) << s.error();
  EXPECT_EQ(SemSet::create(key_, 3, 0640).error(), -EEXIST);
  auto f = SemSet::find(key_);
  ASSERT_TRUE(f);
  EXPECT_EQ(f->id(), s->id());
  EXPECT_EQ(SemSet::find(key_, 4).error(), -EINVAL);  // bigger than the set
  auto i = s->info();
  ASSERT_TRUE(i);
  EXPECT_EQ(i->key, key_);
  EXPECT_EQ(i->nsems, 3u);
  EXPECT_EQ(i->mode, 0640u);
  EXPECT_EQ(i->otime, 0);
  EXPECT_NE(i->ctime, 0);
  EXPECT_EQ(*s->values(3), (std::vector<uint16_t>{0, 0, 0}));
}

TEST_F(SemSetIpc, ValuesAndOpsNeverWait) {
  auto s = SemSet::create(key_, 3, 0600);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->set_values({1, 0, 3}), 0);
  EXPECT_EQ(format_values(*s->values(3)), "1 0 3\n");
  EXPECT_EQ(s->op({{1, -1, 0}}), -EAGAIN);  // would wait: IPC_NOWAIT is forced
  EXPECT_EQ(s->op({{0, 0, 0}}), -EAGAIN);   // wait for zero on 1
  // All or nothing: semaphore 0 is not taken when 1 cannot be.
  EXPECT_EQ(s->op({{0, -1, 0}, {1, -1, 0}}), -EAGAIN);
  EXPECT_EQ(*s->value(0), 1);
  EXPECT_EQ(s->op({{0, -1, 0}, {2, 1, 0}}), 0);
  EXPECT_EQ(format_values(*s->values(3)), "0 0 4\n");
  EXPECT_EQ(s->set_value(1, 32767), 0);
  EXPECT_EQ(s->op({{1, 1, 0}}), -ERANGE);
  EXPECT_EQ(*s->last_pid(0), ::getpid());
  EXPECT_EQ(*s->ncnt(0), 0);
  EXPECT_EQ(*s->zcnt(0), 0);
  EXPECT_NE(s->info()->otime, 0);
}

TEST_F(SemSetIpc, SemUndoIsNeverUsed) {
  auto s = SemSet::create(key_, 1, 0600);
  ASSERT_TRUE(s);
  // A child posts with SEM_UNDO asked for and exits: the post must outlive it.
  pid_t pid = ::fork();
  if (pid == 0) ::_exit(s->op({{0, 2, SEM_UNDO}}) == 0 ? 0 : 1);
  int st = 0;
  ASSERT_EQ(::waitpid(pid, &st, 0), pid);
  ASSERT_EQ(WEXITSTATUS(st), 0);
  EXPECT_EQ(*s->value(0), 2);
}

TEST_F(SemSetIpc, PermAndRemove) {
  auto s = SemSet::create(key_, 1, 0600);
  ASSERT_TRUE(s);
  EXPECT_EQ(s->set_perm(1000, 1001, 0644), 0);
  auto i = s->info();
  ASSERT_TRUE(i);
  EXPECT_EQ(i->uid, 1000u);
  EXPECT_EQ(i->gid, 1001u);
  EXPECT_EQ(i->mode, 0644u);
  EXPECT_EQ(i->cuid, ::geteuid());
  ObjectStat os = to_object_stat(*i, s->id(), 2);
  EXPECT_EQ(os.serial, uint64_t(s->id()));
  EXPECT_EQ(os.mtime.tv_sec, i->ctime);  // never operated on: mtime falls back to ctime
  EXPECT_EQ(os.size, 2u);
  EXPECT_EQ(s->remove(), 0);
  EXPECT_EQ(s->info().error(), -EINVAL);
  EXPECT_EQ(SemSet::find(key_).error(), -ENOENT);
}

}  // namespace
}  // namespace ipcfs::ipc
