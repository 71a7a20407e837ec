// Unit tests of ipc/sysv_msg on real kernel queues.
#include "ipc/sysv_msg.h"

#include <gtest/gtest.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "tests/object_stat_expect.h"

namespace ipcfs::ipc {
namespace {

// A key no other test or program uses: derived from the pid and a counter.
key_t unique_key() {
  static int n = 0;
  return key_t(0x51000000u ^ (uint32_t(::getpid()) << 8) ^ uint32_t(++n));
}

// A private queue removed at the end of the test, even when it fails.
struct TestQueue {
  SysvMsgQueue q{-1};
  explicit TestQueue(int mode = 0600, key_t key = IPC_PRIVATE) {
    auto r = SysvMsgQueue::get(key, IPC_CREAT | IPC_EXCL | mode);
    EXPECT_TRUE(r) << r.error();
    if (r) q = *r;
  }
  ~TestQueue() { (void)q.remove(); }
  const SysvMsgQueue* operator->() const { return &q; }
};

std::string recv(const SysvMsgQueue& q, long msgtyp, long* type = nullptr) {
  std::vector<char> buf;
  auto n = q.receive(msgtyp, buf, type);
  return n ? std::string(buf.data(), *n) : "<" + std::to_string(n.error()) + ">";
}

std::string err(int e) {
  return "<" + std::to_string(e) + ">";
}

TEST(SysvMsg, SendReceiveByType) {
  TestQueue t;
  ASSERT_EQ(t->send(3, "three", 5), 0);
  ASSERT_EQ(t->send(1, "one", 3), 0);
  ASSERT_EQ(t->send(5, "five", 4), 0);
  ASSERT_EQ(t->send(2, "two", 3), 0);
  long type = 0;
  EXPECT_EQ(recv(t.q, 5, &type), "five");  // that type
  EXPECT_EQ(type, 5);
  EXPECT_EQ(recv(t.q, -2, &type), "one");  // lowest type <= 2
  EXPECT_EQ(type, 1);
  EXPECT_EQ(recv(t.q, 4), err(-EAGAIN));    // none of that type: never blocks
  EXPECT_EQ(recv(t.q, 0, &type), "three");  // first in the queue
  EXPECT_EQ(type, 3);
  EXPECT_EQ(recv(t.q, 0), "two");
  EXPECT_EQ(recv(t.q, 0), err(-EAGAIN));
}

TEST(SysvMsg, EmptyMessage) {
  TestQueue t;
  ASSERT_EQ(t->send(1, "", 0), 0);
  EXPECT_EQ(t->stat()->qnum, 1u);
  EXPECT_EQ(recv(t.q, 0), "");
  EXPECT_EQ(t->stat()->qnum, 0u);
}

TEST(SysvMsg, StatFields) {
  key_t key = unique_key();
  TestQueue t(0640, key);
  time_t before = ::time(nullptr);
  ASSERT_EQ(t->send(1, "12345", 5), 0);
  ASSERT_EQ(t->send(1, "123", 3), 0);
  auto m = t->stat();
  ASSERT_TRUE(m) << m.error();
  EXPECT_EQ(m->key, key);
  EXPECT_EQ(m->qnum, 2u);
  EXPECT_EQ(m->stat.size, 8u);  // msg_cbytes
  EXPECT_EQ(m->stat.mode, 0640u);
  EXPECT_EQ(m->stat.uid, ::geteuid());
  EXPECT_EQ(m->stat.cuid, ::geteuid());
  EXPECT_EQ(m->stat.serial, uint64_t(t->id()));
  EXPECT_EQ(m->lspid, ::getpid());
  EXPECT_EQ(m->lrpid, 0);
  EXPECT_EQ(m->rtime, 0);
  EXPECT_GE(m->stime, before - 1);
  EXPECT_EQ(m->stat.mtime.tv_sec, m->stime);
  EXPECT_EQ(m->stat.atime.tv_sec, m->ctime);  // never received: the creation time
  EXPECT_GT(m->qbytes, 0u);
  EXPECT_EQ(recv(t.q, 0), "12345");
  m = t->stat();
  EXPECT_EQ(m->lrpid, ::getpid());
  EXPECT_EQ(m->stat.atime.tv_sec, m->rtime);
  EXPECT_EQ(m->stat.size, 3u);
}

// A listing takes its facts from /proc/sysvipc/msg, not from IPC_STAT: they must be the same.
TEST(SysvMsg, ListAllGivesWhatStatGives) {
  key_t key = unique_key();
  TestQueue t(0640, key);
  ASSERT_EQ(t->send(1, "12345", 5), 0);
  ASSERT_EQ(t->send(1, "123", 3), 0);
  EXPECT_EQ(recv(t.q, 0), "12345");
  auto all = SysvMsgQueue::list_all();
  ASSERT_TRUE(all) << all.error();
  auto it = std::find_if(all->begin(), all->end(), [&](auto& o) { return o.id == t->id(); });
  ASSERT_NE(it, all->end());
  auto m = t->stat();
  ASSERT_TRUE(m);
  EXPECT_EQ(it->key, key);
  EXPECT_EQ(it->stat.size, 3u);
  expect_same_stat(it->stat, m->stat);
}

TEST(SysvMsg, GetByKeyCreateExcl) {
  key_t key = unique_key();
  EXPECT_EQ(SysvMsgQueue::get(key, 0).error(), -ENOENT);
  TestQueue t(0600, key);
  auto again = SysvMsgQueue::get(key, 0);
  ASSERT_TRUE(again);
  EXPECT_EQ(again->id(), t->id());
  EXPECT_EQ(SysvMsgQueue::get(key, IPC_CREAT | IPC_EXCL | 0600).error(), -EEXIST);
  EXPECT_EQ(SysvMsgQueue::get(key, IPC_CREAT | 0600)->id(), t->id());
}

TEST(SysvMsg, MessageLargerThanTheBufferIsNotLost) {
  TestQueue t;
  std::string big(5000, 'x');
  for (size_t i = 0; i < big.size(); ++i) big[i] = char('a' + i % 26);
  ASSERT_EQ(t->send(7, big.data(), big.size()), 0);
  std::vector<char> small(sizeof(long) + 16);  // msgrcv says E2BIG and keeps the message
  long type = 0;
  auto n = t->receive(0, small, &type);
  ASSERT_TRUE(n) << n.error();
  EXPECT_EQ(std::string(small.data(), *n), big);
  EXPECT_EQ(type, 7);
  EXPECT_EQ(t->stat()->qnum, 0u);
}

TEST(SysvMsg, SendErrors) {
  TestQueue t;
  EXPECT_EQ(t->send(0, "x", 1), -EINVAL);
  EXPECT_EQ(t->send(-3, "x", 1), -EINVAL);
  std::string over(msgmax() + 1, 'o');
  EXPECT_EQ(t->send(1, over.data(), over.size()), -EMSGSIZE);
  std::string max(msgmax(), 'm');
  EXPECT_EQ(t->send(1, max.data(), max.size()), 0);
  EXPECT_EQ(t->stat()->qnum, 1u);
}

TEST(SysvMsg, FullQueueIsEagainAndQbytesChanges) {
  TestQueue t;
  MsqChange c;
  c.qbytes = 10;
  ASSERT_EQ(t->change(c), 0);
  EXPECT_EQ(t->stat()->qbytes, 10u);
  ASSERT_EQ(t->send(1, "12345678", 8), 0);
  EXPECT_EQ(t->send(1, "123", 3), -EAGAIN);
  EXPECT_EQ(t->send(1, "12", 2), 0);
  EXPECT_EQ(t->send(1, "1", 1), -EAGAIN);
  EXPECT_EQ(t->send(1, "", 0), 0);  // an empty message still fits, as the kernel counts
  EXPECT_EQ(t->stat()->qnum, 3u);
}

TEST(SysvMsg, ChangeModeAndOwner) {
  TestQueue t;
  MsqChange mode;
  mode.set_mode = true;
  mode.mode = 0604;
  ASSERT_EQ(t->change(mode), 0);
  MsqChange owner;
  owner.uid = 1234;
  ASSERT_EQ(t->change(owner), 0);
  auto m = t->stat();
  EXPECT_EQ(m->stat.mode, 0604u);
  EXPECT_EQ(m->stat.uid, 1234u);
  EXPECT_EQ(m->stat.gid, ::getegid());  // left alone
  owner.uid = uid_t(-1);
  owner.gid = 5678;
  ASSERT_EQ(t->change(owner), 0);
  m = t->stat();
  EXPECT_EQ(m->stat.uid, 1234u);
  EXPECT_EQ(m->stat.gid, 5678u);
  EXPECT_EQ(m->stat.cuid, ::geteuid());  // the creator stays
}

TEST(SysvMsg, PeekCopiesEveryMessageAndRemovesNone) {
  TestQueue t;
  ASSERT_EQ(t->send(2, "a", 1), 0);
  ASSERT_EQ(t->send(9, "bb", 2), 0);
  ASSERT_EQ(t->send(1, "", 0), 0);
  auto all = t->peek();
  if (!all && all.error() == -ENOTSUP) GTEST_SKIP() << "kernel without MSG_COPY";
  ASSERT_TRUE(all) << all.error();
  ASSERT_EQ(all->size(), 3u);
  EXPECT_EQ((*all)[0].type, 2);
  EXPECT_EQ((*all)[0].data, "a");
  EXPECT_EQ((*all)[1].type, 9);
  EXPECT_EQ((*all)[1].data, "bb");
  EXPECT_EQ((*all)[2].data, "");
  EXPECT_EQ(t->stat()->qnum, 3u);
  std::vector<char> buf;
  EXPECT_EQ(t->copy(3, buf).error(), -EAGAIN);
  long type = 0;
  auto n = t->copy(1, buf, &type);
  ASSERT_TRUE(n);
  EXPECT_EQ(std::string(buf.data(), *n), "bb");
  EXPECT_EQ(recv(t.q, 0), "a");
}

TEST(SysvMsg, GoneQueue) {
  auto r = SysvMsgQueue::get(IPC_PRIVATE, IPC_CREAT | 0600);
  ASSERT_TRUE(r);
  SysvMsgQueue q = *r;
  ASSERT_EQ(q.remove(), 0);
  EXPECT_EQ(q.remove(), -ENOENT);
  EXPECT_EQ(q.stat().error(), -ENOENT);
  EXPECT_EQ(q.send(1, "x", 1), -EIDRM);
  EXPECT_EQ(recv(q, 0), err(-EIDRM));
  std::vector<char> buf;
  EXPECT_EQ(q.copy(0, buf).error(), -EIDRM);
  EXPECT_EQ(q.change(MsqChange{}), -ENOENT);
  EXPECT_EQ(SysvMsgQueue(-1).stat().error(), -ENOENT);
}

// Without read permission IPC_STAT is EACCES; stat falls back on MSG_STAT_ANY, so that a
// queue a user may not read still lists with its owner and size.
TEST(SysvMsg, StatWithoutReadPermission) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to become another user";
  TestQueue t(0002);  // others may only write
  ASSERT_EQ(t->send(1, "xyz", 3), 0);
  pid_t pid = ::fork();
  if (pid == 0) {
    if (::setresgid(65534, 65534, 65534) != 0 || ::setresuid(65534, 65534, 65534) != 0) _exit(2);
    msqid_ds ds{};
    if (::msgctl(t->id(), IPC_STAT, &ds) != -1 || errno != EACCES) _exit(3);
    auto m = t->stat();
    if (!m || m->stat.size != 3 || m->stat.mode != 0002 || m->stat.uid != 0) _exit(4);
    if (recv(t.q, 0) != err(-EACCES)) _exit(5);
    if (t->send(1, "w", 1) != 0) _exit(6);  // write permission is enough to send
    _exit(0);
  }
  int st = 0;
  ASSERT_EQ(::waitpid(pid, &st, 0), pid);
  ASSERT_TRUE(WIFEXITED(st));
  EXPECT_EQ(WEXITSTATUS(st), 0);
  EXPECT_EQ(t->stat()->qnum, 2u);
}

TEST(SysvMsg, MsgmaxIsTheKernelsLimit) {
  FILE* f = std::fopen("/proc/sys/kernel/msgmax", "r");
  ASSERT_NE(f, nullptr);
  long v = 0;
  ASSERT_EQ(std::fscanf(f, "%ld", &v), 1);
  std::fclose(f);
  EXPECT_EQ(msgmax(), size_t(v));
}

}  // namespace
}  // namespace ipcfs::ipc
