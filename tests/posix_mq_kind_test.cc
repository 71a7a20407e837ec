// Unit tests of the posix-mq Kind (fs/kind_posix_mq.cc) without a mount: the descriptors it keeps
// between opens of a queue, on real queues. The watcher is never started here, so removals
// reach the kind only through its own checks: what these tests see is what an open finds in
// the moment before the watcher hears of a removal.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <string>

#include "fs/kind.h"
#include "fs/open_options.h"
#include "fs/watcher.h"
#include "ipc/posix_mq.h"
#include "tests/proc_fds.h"

namespace ipcfs::fs {
namespace {

using ipc::MessageQueue;

class PosixMqKindTest : public ::testing::Test {
 protected:
  void SetUp() override { name_ = "kt" + std::to_string(::getpid()) + "x" + std::to_string(++n_); }
  void TearDown() override { (void)MessageQueue::unlink(name_); }

  // Makes the queue (a new one each call) with messages of up to MSGSIZE bytes.
  void make(long msgsize) {
    ipc::MqAttr a{4, msgsize, 0};
    auto q = MessageQueue::open(name_, O_RDWR | O_CREAT | O_EXCL, 0600, &a);
    ASSERT_TRUE(q) << q.error();
  }
  // Opens the queue through the kind and closes it again, as an echo or a cat does.
  int open_and_release(int flags) {
    auto f = kind_->open(name_, OpenOptions{}, flags);
    if (!f) return f.error();
    (*f)->release();
    return 0;
  }
  int held(const std::string& suffix = "") {
    return test::open_files_linked_to(::getpid(), "/" + name_ + suffix);
  }

  static inline int n_ = 0;
  std::string name_;
  Watcher watcher_;  // never started
  std::unique_ptr<Kind> kind_ = make_posix_mq_kind(watcher_);
};

TEST_F(PosixMqKindTest, KeepsOneDescriptorBetweenOpens) {
  make(16);
  ASSERT_EQ(open_and_release(O_WRONLY), 0);
  EXPECT_EQ(held(), 1);
  ASSERT_EQ(open_and_release(O_RDONLY), 0);
  ASSERT_EQ(open_and_release(O_WRONLY), 0);
  EXPECT_EQ(held(), 1);  // the same one, whatever the access asked for
}

TEST_F(PosixMqKindTest, RemovedQueueIsNotOpenedThroughItsKeptDescriptor) {
  make(16);
  ASSERT_EQ(open_and_release(O_WRONLY), 0);
  ASSERT_EQ(MessageQueue::unlink(name_), 0);
  EXPECT_EQ(held(" (deleted)"), 1);  // the kind does not know yet
  EXPECT_EQ(open_and_release(O_WRONLY), -ENOENT);
  EXPECT_EQ(held(" (deleted)"), 0);  // and the removed queue was let go
}

TEST_F(PosixMqKindTest, QueueMadeAgainUnderItsNameIsTheOneOpened) {
  make(16);
  ASSERT_EQ(open_and_release(O_RDONLY), 0);
  ASSERT_EQ(MessageQueue::unlink(name_), 0);
  make(64);
  auto f = kind_->open(name_, OpenOptions{}, O_WRONLY);
  ASSERT_TRUE(f) << f.error();
  EXPECT_EQ(held(" (deleted)"), 0);
  EXPECT_EQ(held(), 1);
  (*f)->release();
}

TEST_F(PosixMqKindTest, RemovingThroughTheKindLetsGoAtOnce) {
  make(16);
  ASSERT_EQ(open_and_release(O_WRONLY), 0);
  ASSERT_EQ(kind_->remove(name_), 0);
  EXPECT_EQ(held(" (deleted)"), 0);
  EXPECT_EQ(held(), 0);
}

TEST_F(PosixMqKindTest, StatUsesTheKeptDescriptorAndNeverDescribesARemovedQueue) {
  make(16);
  ASSERT_EQ(open_and_release(O_WRONLY), 0);
  {
    auto q = MessageQueue::open(name_, O_WRONLY);
    ASSERT_TRUE(q);
    ASSERT_EQ(q->send("hello", 5, 0), 0);
  }
  auto st = kind_->stat(name_);
  ASSERT_TRUE(st) << st.error();
  EXPECT_EQ(st->size, 5u);
  EXPECT_EQ(st->mode, 0600u);
  EXPECT_EQ(held(), 1);  // the kept one: nothing else was opened for the stat

  ASSERT_EQ(MessageQueue::unlink(name_), 0);
  EXPECT_EQ(kind_->stat(name_).error(), -ENOENT);

  make(64);
  ASSERT_EQ(MessageQueue::open(name_, O_RDWR)->send("abc", 3, 0), 0);
  uint64_t serial = MessageQueue::open(name_, O_RDONLY)->stat()->serial;
  st = kind_->stat(name_);
  ASSERT_TRUE(st) << st.error();
  EXPECT_EQ(st->size, 3u);
  EXPECT_EQ(st->serial, serial);
}

TEST_F(PosixMqKindTest, OpenFilesKeepTheirQueueWhenTheKindLetsGo) {
  make(16);
  auto f = kind_->open(name_, OpenOptions{}, O_RDONLY);
  ASSERT_TRUE(f) << f.error();
  ASSERT_EQ(kind_->remove(name_), 0);
  EXPECT_EQ(held(" (deleted)"), 1);  // the open file's, until its release
  (*f)->release();
  f->reset();
  EXPECT_EQ(held(" (deleted)"), 0);
}

}  // namespace
}  // namespace ipcfs::fs
