// Unit tests of ipc/posix_mq on real kernel queues.
#include "ipc/posix_mq.h"

#include <fcntl.h>
#include <gtest/gtest.h>
#include <mqueue.h>
#include <unistd.h>

#include <algorithm>
#include <string>
#include <vector>

namespace ipcfs::ipc {
namespace {

std::string unique(const char* tag) {
  static int n = 0;
  return "u" + std::to_string(::getpid()) + "x" + std::to_string(n++) + tag;
}

// Removes the queue at the end of the test, even when it fails.
struct Unlinker {
  std::string name;
  ~Unlinker() { (void)MessageQueue::unlink(name); }
};

TEST(PosixMq, CreateSendReceiveStat) {
  Unlinker u{unique("a")};
  MqAttr attr{4, 64, 0};
  auto q = MessageQueue::open(u.name, O_RDWR | O_CREAT | O_EXCL, 0640, &attr);
  ASSERT_TRUE(q) << q.error();
  auto a = q->attr();
  ASSERT_TRUE(a);
  EXPECT_EQ(a->maxmsg, 4);
  EXPECT_EQ(a->msgsize, 64);
  EXPECT_EQ(q->send("hello", 5, 3), 0);
  EXPECT_EQ(q->send("hi", 2, 0), 0);
  auto st = q->stat();
  ASSERT_TRUE(st);
  EXPECT_EQ(st->size, 7u);
  EXPECT_EQ(st->mode, 0640u);
  EXPECT_EQ(st->uid, ::geteuid());
  char buf[64];
  unsigned prio = 99;
  auto n = q->receive(buf, sizeof buf, &prio);
  ASSERT_TRUE(n);
  EXPECT_EQ(std::string(buf, *n), "hello");
  EXPECT_EQ(prio, 3u);
  n = q->receive(buf, sizeof buf, &prio);
  ASSERT_TRUE(n);
  EXPECT_EQ(std::string(buf, *n), "hi");
  EXPECT_EQ(q->receive(buf, sizeof buf).error(), -EAGAIN);
}

TEST(PosixMq, ErrorsAreNegativeErrno) {
  Unlinker u{unique("b")};
  EXPECT_EQ(MessageQueue::open(u.name, O_RDWR).error(), -ENOENT);
  EXPECT_EQ(MessageQueue::open("a/b", O_RDWR | O_CREAT).error(), -EINVAL);
  EXPECT_EQ(MessageQueue::open("", O_RDWR | O_CREAT).error(), -EINVAL);
  EXPECT_EQ(MessageQueue::open(std::string(256, 'n'), O_RDWR | O_CREAT).error(), -ENAMETOOLONG);
  MqAttr one{1, 8, 0};
  auto q = MessageQueue::open(u.name, O_RDWR | O_CREAT | O_EXCL, 0600, &one);
  ASSERT_TRUE(q);
  EXPECT_EQ(MessageQueue::open(u.name, O_RDWR | O_CREAT | O_EXCL, 0600).error(), -EEXIST);
  EXPECT_EQ(q->send("123456789", 9, 0), -EMSGSIZE);
  EXPECT_EQ(q->send("1", 1, 0), 0);
  EXPECT_EQ(q->send("2", 1, 0), -EAGAIN);  // full, never blocks
  char small[4];
  EXPECT_EQ(q->receive(small, sizeof small).error(), -EMSGSIZE);  // buffer below msgsize
  EXPECT_EQ(MessageQueue::unlink(u.name), 0);
  EXPECT_EQ(MessageQueue::unlink(u.name), -ENOENT);
}

TEST(PosixMq, AttributesOverTheSystemLimitAreRefused) {
  Unlinker u{unique("c")};
  MqAttr huge{1 << 20, 64, 0};  // over /proc/sys/fs/mqueue/msg_max without CAP_SYS_RESOURCE
  auto q = MessageQueue::open(u.name, O_RDWR | O_CREAT, 0600, &huge);
  if (q) GTEST_SKIP() << "this machine allows huge queues";
  EXPECT_TRUE(q.error() == -EINVAL || q.error() == -ENOMEM || q.error() == -EMFILE) << q.error();
}

TEST(PosixMq, OnlyOneAttributeFillsTheOtherFromDefaults) {
  Unlinker u{unique("d")};
  MqAttr only{3, 0, 0};
  auto q = MessageQueue::open(u.name, O_RDWR | O_CREAT, 0600, &only);
  ASSERT_TRUE(q) << q.error();
  EXPECT_EQ(q->attr()->maxmsg, 3);
  EXPECT_GT(q->attr()->msgsize, 0);
}

TEST(PosixMq, StatSizeIsTheBytesQueued) {
  Unlinker u{unique("z")};
  auto q = MessageQueue::open(u.name, O_RDWR | O_CREAT, 0600);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->stat()->size, 0u);
  std::string big(5000, 'x');
  for (int i = 0; i < 3; ++i) ASSERT_EQ(q->send(big.data(), big.size(), 0), 0);
  ASSERT_EQ(q->send("abc", 3, 0), 0);
  EXPECT_EQ(q->stat()->size, 15003u);
}

// Reading a queue's status line (which stat does, for the bytes queued) makes the kernel set its
// atime: a later stat still gives the last send or receive, not the time of the earlier stat.
TEST(PosixMq, StatLeavesNoTraceInTheNextStatsAtime) {
  Unlinker u{unique("t")};
  auto q = MessageQueue::open(u.name, O_RDWR | O_CREAT, 0600);
  ASSERT_TRUE(q);
  ASSERT_EQ(q->send("m", 1, 0), 0);
  auto first = q->stat();
  ASSERT_TRUE(first);
  EXPECT_EQ(first->atime.tv_sec, first->mtime.tv_sec);
  ::usleep(1'100'000);  // queue times have whole seconds
  ASSERT_TRUE(q->stat());
  auto later = q->stat();
  ASSERT_TRUE(later);
  EXPECT_EQ(later->atime.tv_sec, first->mtime.tv_sec);
  EXPECT_EQ(later->mtime.tv_sec, first->mtime.tv_sec);
  std::vector<char> buf(size_t(q->attr()->msgsize));
  auto n = q->receive(buf.data(), buf.size());  // a receive is an access
  ASSERT_TRUE(n);
  EXPECT_EQ(*n, 1u);
  auto received = q->stat();
  ASSERT_TRUE(received);
  EXPECT_GT(received->atime.tv_sec, first->atime.tv_sec);
}

TEST(PosixMq, StatOfAQueueThatLostItsNameIsENOENT) {
  Unlinker u{unique("r")};
  auto q = MessageQueue::open(u.name, O_RDWR | O_CREAT, 0600);
  ASSERT_TRUE(q);
  ASSERT_TRUE(q->stat());
  ASSERT_EQ(MessageQueue::unlink(u.name), 0);
  EXPECT_EQ(q->stat().error(), -ENOENT);
  EXPECT_TRUE(q->attr());  // the descriptor itself still works
}

TEST(PosixMq, ChmodChown) {
  Unlinker u{unique("e")};
  auto q = MessageQueue::open(u.name, O_RDWR | O_CREAT, 0600);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->chmod(0604), 0);
  EXPECT_EQ(q->chown(1234, 5678), 0);
  auto st = q->stat();
  EXPECT_EQ(st->mode, 0604u);
  EXPECT_EQ(st->uid, 1234u);
  EXPECT_EQ(st->gid, 5678u);
}

TEST(PosixMq, ListsQueuesWithoutDevMqueue) {
  Unlinker u{unique("f")};
  auto dir = MqueueDir::attach();
  ASSERT_TRUE(dir.available());
  auto q = MessageQueue::open(u.name, O_RDWR | O_CREAT, 0600);
  ASSERT_TRUE(q);
  auto names = dir.list();
  ASSERT_TRUE(names);
  EXPECT_NE(std::find(names->begin(), names->end(), u.name), names->end());
  ASSERT_EQ(MessageQueue::unlink(u.name), 0);
  names = dir.list();
  EXPECT_EQ(std::find(names->begin(), names->end(), u.name), names->end());
}

}  // namespace
}  // namespace ipcfs::ipc
