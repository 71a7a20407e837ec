// Mount tests of POSIX message queues (SPEC §5.1) with real shell commands and direct mq_* calls.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <mqueue.h>
#include <poll.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cstring>
#include <future>
#include <sstream>
#include <string>
#include <thread>

#include "ipc/posix_mq.h"
#include "tests/mount_fixture.h"
#include "tests/proc_fds.h"

namespace ipcfs::test {
namespace {

using ipc::MessageQueue;

class PosixMq : public ::testing::Test {
 protected:
  void SetUp() override {
    name_ = unique_name("q");
    dir_ = m_.path("posix/mq");
  }
  void TearDown() override { (void)MessageQueue::unlink(name_); }

  // Runs CMD in posix/mq.
  Shell run(const std::string& cmd) { return sh(cmd, dir_); }
  // Creates the queue directly, with ATTR if given.
  MessageQueue direct(long maxmsg = 0, long msgsize = 0) {
    ipc::MqAttr a{maxmsg, msgsize, 0};
    auto q = MessageQueue::open(name_, O_RDWR | O_CREAT, 0644, maxmsg ? &a : nullptr);
    EXPECT_TRUE(q) << q.error();
    return std::move(*q);
  }
  std::string receive(const MessageQueue& q, unsigned* prio = nullptr) {
    std::vector<char> buf(q.attr()->msgsize);
    auto n = q.receive(buf.data(), buf.size(), prio);
    return n ? std::string(buf.data(), *n) : "<" + std::to_string(n.error()) + ">";
  }

  Mount& m_ = shared_mount();
  std::string name_;
  std::string dir_;
};

TEST_F(PosixMq, TouchCreatesWithSystemDefaults) {
  ASSERT_EQ(run("touch " + name_).status, 0);
  auto q = MessageQueue::open(name_, O_RDONLY);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->attr()->maxmsg, 10);  // /proc/sys/fs/mqueue/msg_default here
  EXPECT_EQ(run("ls").out.find(name_) != std::string::npos, true);
  struct stat st;
  ASSERT_EQ(::stat((dir_ + "/" + name_).c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 0777, 0644u);  // 0666 minus bash's umask 022
  EXPECT_EQ(st.st_size, 0);
}

TEST_F(PosixMq, CreateWithAttributesListedWithoutOptions) {
  ASSERT_EQ(run("touch '" + name_ + "@maxmsg=4,msgsize=64'").status, 0);
  auto q = MessageQueue::open(name_, O_RDONLY);
  ASSERT_TRUE(q);
  EXPECT_EQ(q->attr()->maxmsg, 4);
  EXPECT_EQ(q->attr()->msgsize, 64);
  Shell ls = run("ls | grep " + name_);
  EXPECT_EQ(ls.out, name_ + "\n");
}

TEST_F(PosixMq, EchoSendsOneMessageWithExactBytes) {
  auto q = direct();
  ASSERT_EQ(run("echo hello > " + name_ + " && printf %s hi >> " + name_).status, 0);
  unsigned prio = 99;
  EXPECT_EQ(receive(q, &prio), "hello\n");
  EXPECT_EQ(prio, 0u);
  EXPECT_EQ(receive(q), "hi");
  EXPECT_EQ(receive(q), "<" + std::to_string(-EAGAIN) + ">");
}

TEST_F(PosixMq, CatReceivesExactlyOneMessage) {
  auto q = direct();
  ASSERT_EQ(q.send("one\n", 4, 0), 0);
  ASSERT_EQ(q.send("two\n", 4, 0), 0);
  EXPECT_EQ(run("cat " + name_).out, "one\n");
  EXPECT_EQ(q.attr()->curmsgs, 1);
  EXPECT_EQ(run("cat " + name_).out, "two\n");
}

TEST_F(PosixMq, ShellReadAndHeadConsumeOneMessageEach) {
  auto q = direct();
  for (const char* s : {"first line\n", "second\n", "third\n"})
    ASSERT_EQ(q.send(s, strlen(s), 0), 0);
  Shell r = run("read -r line < " + name_ + " && echo \"[$line]\" && head -n1 " + name_);
  EXPECT_EQ(r.status, 0) << r.err;
  EXPECT_EQ(r.out, "[first line]\nsecond\n");
  EXPECT_EQ(receive(q), "third\n");
}

TEST_F(PosixMq, TruncatingRedirectRemovesNothing) {
  auto q = direct();
  ASSERT_EQ(q.send("keep", 4, 0), 0);
  ASSERT_EQ(run("echo new > " + name_).status, 0);
  EXPECT_EQ(receive(q), "keep");
  EXPECT_EQ(receive(q), "new\n");
}

TEST_F(PosixMq, DrainReadsEverythingThenEofAndNeverBlocks) {
  auto q = direct();
  for (const char* s : {"a\n", "b\n", "c\n"}) ASSERT_EQ(q.send(s, 2, 0), 0);
  EXPECT_EQ(run("cat " + name_ + "@drain").out, "a\nb\nc\n");
  EXPECT_EQ(q.attr()->curmsgs, 0);
  double t0 = now_ms();
  Shell empty = run("cat " + name_ + "@drain");
  EXPECT_EQ(empty.status, 0);
  EXPECT_EQ(empty.out, "");
  EXPECT_LT(now_ms() - t0, 1000);
}

TEST_F(PosixMq, StreamReadsMessageAfterMessageUntilInterrupted) {
  auto q = direct();
  ASSERT_EQ(q.send("x\n", 2, 0), 0);
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    (void)q.send("y\n", 2, 0);
  });
  Shell s = run("timeout -s INT 1 cat " + name_ + "@stream");
  later.join();
  EXPECT_EQ(s.out, "x\ny\n");
  EXPECT_EQ(s.status, 124);  // ended by the signal, as Ctrl-C would
}

// A stream has no file position: a read parked in a child on a descriptor shared across fork
// does not hold the position lock, so the parent's write on the same descriptor goes through
// (and is the very message the child receives).
TEST_F(PosixMq, StreamDescriptorSharedAcrossForkDoesNotBlockWrites) {
  direct();
  int fd = ::open((dir_ + "/" + name_ + "@stream").c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  pid_t child = ::fork();
  if (child == 0) {
    char buf[16];
    ssize_t n = ::read(fd, buf, sizeof buf);
    ::_exit(n == 3 && std::memcmp(buf, "hi\n", 3) == 0 ? 0 : 1);
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  std::promise<void> wrote;
  std::thread guard([&, done = wrote.get_future()] {
    // Never let a regression hang the suite: a write stuck behind the child's read is freed by
    // ending the child after 3 s (then the timing check below fails).
    if (done.wait_for(std::chrono::seconds(3)) != std::future_status::ready) ::kill(child, SIGKILL);
  });
  double t0 = now_ms();
  EXPECT_EQ(::write(fd, "hi\n", 3), 3);
  EXPECT_LT(now_ms() - t0, 1000);
  wrote.set_value();
  guard.join();
  int status = -1;
  ::waitpid(child, &status, 0);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  ::close(fd);
}

TEST_F(PosixMq, PriorityOrder) {
  auto q = direct();
  ASSERT_EQ(run("echo low > " + name_ + " && echo urgent > " + name_ + "@prio=9").status, 0);
  unsigned prio = 0;
  EXPECT_EQ(receive(q, &prio), "urgent\n");
  EXPECT_EQ(prio, 9u);
  ASSERT_EQ(q.send("direct7", 7, 7), 0);
  EXPECT_EQ(run("cat " + name_).out, "direct7");
  EXPECT_EQ(run("cat " + name_).out, "low\n");
}

TEST_F(PosixMq, SizeIsBytesQueued) {
  auto q = direct();
  ASSERT_EQ(q.send("12345", 5, 0), 0);
  ASSERT_EQ(q.send("123", 3, 0), 0);
  EXPECT_EQ(run("stat -c %s " + name_).out, "8\n");
  EXPECT_EQ(run("cat " + name_ + " >/dev/null; stat -c %s " + name_).out, "3\n");
}

// A size-only stat (statx STATX_SIZE, as `stat -c %s` asks) right after a read in the same
// process sees the size the read left: the daemon tells the kernel before it answers the read.
// Told after the answer instead, this saw the old size in about a quarter of the rounds.
TEST_F(PosixMq, SizeOnlyStatRightAfterAReadSeesTheNewSize) {
  auto q = direct();
  std::string path = dir_ + "/" + name_;
  int stale = 0;
  for (int i = 0; i < 200; ++i) {
    ASSERT_EQ(q.send("abc", 3, 0), 0);
    ASSERT_EQ(q.send("defgh", 5, 0), 0);
    int fd = ::open(path.c_str(), O_RDONLY);
    ASSERT_GE(fd, 0);
    struct statx sx {};
    ASSERT_EQ(::statx(fd, "", AT_EMPTY_PATH, STATX_SIZE, &sx), 0);  // the kernel now holds 8
    char buf[64];
    ASSERT_EQ(::read(fd, buf, sizeof buf), 3);
    ASSERT_EQ(::statx(fd, "", AT_EMPTY_PATH, STATX_SIZE, &sx), 0);
    if (sx.stx_size != 5) ++stale;
    ::close(fd);
    ASSERT_EQ(receive(q), "defgh");
  }
  EXPECT_EQ(stale, 0);
}

// The size the kernel caches is corrected after every change made through the mount, whichever
// way it came to hold it (a stat, a listing) and whether a write through the mount already
// dropped it (the daemon then skips telling: see AttrCache).
TEST_F(PosixMq, SizeFollowsEveryChangeThroughTheMount) {
  direct();
  std::string script = "q=" + name_ + R"(
    exec 3>$q
    for m in ab cde; do printf %s $m >&3; stat -c %s $q; done
    ls -l $q | cut -d' ' -f5
    cat $q >/dev/null; stat -c %s $q
    ls -l $q | cut -d' ' -f5
    printf %s fghi >&3; cat $q >/dev/null; stat -c %s $q
    cat $q >/dev/null; stat -c %s $q
    printf %s j >$q; stat -c %s $q
    cat $q >/dev/null; stat -c %s $q)";
  EXPECT_EQ(run(script).out, "2\n5\n5\n3\n3\n4\n0\n1\n0\n");
}

// The kernel does not know that q@prio=3 and q@drain are q: the sizes it holds of q follow
// changes made through them too.
TEST_F(PosixMq, SizeFollowsChangesThroughOptionFiles) {
  direct();
  std::string script = "q=" + name_ + R"(
    stat -c %s $q
    printf ab >$q@prio=3; stat -c %s $q
    printf cde >$q@prio=3; stat -c %s $q
    head -c1 $q@stream >/dev/null; stat -c %s $q
    cat $q@drain >/dev/null; stat -c %s $q)";
  EXPECT_EQ(run(script).out, "0\n2\n5\n3\n0\n");
}

// The daemon keeps a descriptor of a queue between opens; a removal by another program lets it
// go at once (the queue's memory is freed), and the name then reaches the queue made anew.
TEST_F(PosixMq, QueueRemovedElsewhereIsLetGoAndItsNameReachesTheNewOne) {
  (void)direct(4, 16);
  ASSERT_EQ(run("echo a > " + name_ + " && cat " + name_).out, "a\n");
  EXPECT_EQ(open_files_linked_to(m_.pid(), "/" + name_), 1);
  ASSERT_EQ(MessageQueue::unlink(name_), 0);
  EXPECT_TRUE(
      eventually([&] { return open_files_linked_to(m_.pid(), "/" + name_ + " (deleted)") == 0; }));
  auto q = direct(4, 64);
  ASSERT_EQ(run("echo hello > " + name_).status, 0);
  EXPECT_EQ(receive(q), "hello\n");
  EXPECT_EQ(run("printf %040d 0 > " + name_).status, 0);  // 40 bytes: too long for the old one
  EXPECT_EQ(receive(q), std::string(40, '0'));
}

TEST_F(PosixMq, RmUnlinks) {
  direct();
  ASSERT_EQ(run("rm " + name_).status, 0);
  EXPECT_EQ(MessageQueue::open(name_, O_RDONLY).error(), -ENOENT);
  EXPECT_NE(run("ls " + name_ + " 2>&1").status, 0);
}

TEST_F(PosixMq, BlockingReadEndsWithEintrAndConsumesNothing) {
  auto q = direct();
  double t0 = now_ms();
  Shell s = run("timeout -s INT 0.5 cat " + name_);
  double took = now_ms() - t0;
  EXPECT_EQ(s.status, 124);
  EXPECT_LT(took, 1500);
  ASSERT_EQ(q.send("after", 5, 0), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(50));
  EXPECT_EQ(receive(q), "after");  // the interrupted reader took nothing
}

TEST_F(PosixMq, BlockingReadWakesOnSend) {
  auto q = direct();
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    (void)q.send("late\n", 5, 0);
  });
  Shell s = run("timeout 5 cat " + name_);
  later.join();
  EXPECT_EQ(s.status, 0);
  EXPECT_EQ(s.out, "late\n");
}

TEST_F(PosixMq, NonblockingReadAndWriteGiveEagain) {
  auto q = direct(1, 16);
  int fd = ::open((dir_ + "/" + name_).c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(fd, 0);
  char buf[16];
  errno = 0;
  EXPECT_EQ(::read(fd, buf, sizeof buf), -1);
  EXPECT_EQ(errno, EAGAIN);
  ::close(fd);
  ASSERT_EQ(q.send("full", 4, 0), 0);
  fd = ::open((dir_ + "/" + name_).c_str(), O_WRONLY | O_NONBLOCK);
  ASSERT_GE(fd, 0);
  errno = 0;
  EXPECT_EQ(::write(fd, "x", 1), -1);
  EXPECT_EQ(errno, EAGAIN);
  ::close(fd);
  EXPECT_EQ(q.attr()->curmsgs, 1);
}

// O_NONBLOCK is whatever the open file description says now: fcntl(F_SETFL) counts both ways.
TEST_F(PosixMq, NonblockSetOrClearedByFcntlCounts) {
  auto q = direct(2, 16);
  int fd = ::open((dir_ + "/" + name_).c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::fcntl(fd, F_SETFL, O_NONBLOCK), 0);
  char buf[16];
  errno = 0;
  EXPECT_EQ(::read(fd, buf, sizeof buf), -1);
  EXPECT_EQ(errno, EAGAIN);
  ::close(fd);
  fd = ::open((dir_ + "/" + name_).c_str(), O_RDONLY | O_NONBLOCK);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::fcntl(fd, F_SETFL, 0), 0);
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    (void)q.send("late", 4, 0);
  });
  double t0 = now_ms();
  EXPECT_EQ(::read(fd, buf, sizeof buf), 4);  // waited for it
  EXPECT_GT(now_ms() - t0, 150);
  later.join();
  ::close(fd);
}

TEST_F(PosixMq, DdNonblockReportsEagain) {
  direct();
  Shell s = run("dd if=" + name_ + " iflag=nonblock 2>&1 >/dev/null");
  EXPECT_NE(s.out.find("Resource temporarily unavailable"), std::string::npos) << s.out;
}

TEST_F(PosixMq, FullQueueBlocksWriterUntilRoomAndInterruptSendsNothing) {
  auto q = direct(1, 16);
  ASSERT_EQ(q.send("full", 4, 0), 0);
  Shell s = run("timeout -s INT 0.5 bash -c 'echo blocked > " + name_ + "'");
  EXPECT_NE(s.status, 0);
  EXPECT_EQ(q.attr()->curmsgs, 1);
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    char buf[16];
    (void)q.receive(buf, sizeof buf);
  });
  Shell w = run("timeout 5 bash -c 'echo waited > " + name_ + "'");
  later.join();
  EXPECT_EQ(w.status, 0);
  EXPECT_EQ(receive(q), "waited\n");
}

TEST_F(PosixMq, OversizedWriteIsEmsgsizeAndSendsNothing) {
  auto q = direct(2, 8);
  int fd = ::open((dir_ + "/" + name_).c_str(), O_WRONLY);
  ASSERT_GE(fd, 0);
  errno = 0;
  EXPECT_EQ(::write(fd, "123456789", 9), -1);
  EXPECT_EQ(errno, EMSGSIZE);
  EXPECT_EQ(::write(fd, "12345678", 8), 8);
  ::close(fd);
  EXPECT_EQ(q.attr()->curmsgs, 1);
}

TEST_F(PosixMq, LargeMessageDeliveredWholeThroughSmallReads) {
  auto q = direct(2, 8192);
  std::string big(8192, '\0');
  for (size_t i = 0; i < big.size(); ++i) big[i] = char('a' + i % 26);
  ASSERT_EQ(q.send(big.data(), big.size(), 0), 0);
  ASSERT_EQ(q.send("next", 4, 0), 0);
  int fd = ::open((dir_ + "/" + name_).c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  std::string got;
  char buf[100];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) got.append(buf, size_t(n));
  ::close(fd);
  EXPECT_EQ(got, big);
  EXPECT_EQ(receive(q), "next");
}

// Threads reading one @stream open at once: each read returns the bytes of one message, never a
// mix of two, though the daemon lets go of the file's lock before it answers (a stream's bytes
// are copied out first, as another reader's receive replaces them).
TEST_F(PosixMq, ConcurrentReadsOfOneStreamNeverMixMessages) {
  constexpr size_t kSize = 8192;
  constexpr int kMessages = 10000;
  constexpr int kReaders = 3;
  auto q = direct(10, long(kSize));
  int fd = ::open((dir_ + "/" + name_ + "@stream").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  std::atomic<int> mixed{0};
  std::atomic<size_t> total{0};
  auto reader = [&] {
    std::vector<char> buf(kSize);
    ssize_t n;
    while ((n = ::read(fd, buf.data(), buf.size())) > 0) {  // an empty message ends a reader
      total += size_t(n);
      if (std::count(buf.begin(), buf.begin() + n, buf[0]) != n) ++mixed;
    }
  };
  auto send = [&](const std::string& msg) {  // the direct descriptor is non-blocking
    int r;
    while ((r = q.send(msg.data(), msg.size(), 0)) == -EAGAIN)
      std::this_thread::sleep_for(std::chrono::microseconds(50));
    EXPECT_EQ(r, 0);
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) readers.emplace_back(reader);
  for (int i = 0; i < kMessages; ++i) send(std::string(kSize, char('a' + i % 26)));
  for (int i = 0; i < kReaders; ++i) send("");
  for (auto& t : readers) t.join();
  ::close(fd);
  EXPECT_EQ(mixed.load(), 0);
  EXPECT_EQ(total.load(), size_t(kMessages) * kSize);
}

// A read parked on an empty stream must not come back empty (EOF) because another reader of
// the same open took the message that woke it.
TEST_F(PosixMq, ConcurrentReadsOfOneStreamNeverEndEarly) {
  constexpr int kMessages = 6000;
  constexpr int kReaders = 2;
  auto q = direct(10, 16);
  int fd = ::open((dir_ + "/" + name_ + "@stream").c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  std::atomic<int> empty_reads{0};
  std::atomic<int> got{0};
  auto reader = [&] {
    char buf[64];
    for (;;) {
      ssize_t n = ::read(fd, buf, sizeof buf);
      if (n == 0) {
        ++empty_reads;
        continue;
      }
      if (n < 0 || (n == 3 && std::memcmp(buf, "end", 3) == 0)) return;
      ++got;
    }
  };
  std::vector<std::thread> readers;
  for (int i = 0; i < kReaders; ++i) readers.emplace_back(reader);
  for (int i = 0; i < kMessages; ++i) {
    // Slow enough that the readers often wait on an empty queue and are woken together.
    while (q.send("m", 1, 0) == -EAGAIN) std::this_thread::sleep_for(std::chrono::microseconds(50));
    if (i % 3 == 0) std::this_thread::sleep_for(std::chrono::microseconds(50));
  }
  for (int i = 0; i < kReaders; ++i)
    while (q.send("end", 3, 0) == -EAGAIN)
      std::this_thread::sleep_for(std::chrono::microseconds(50));
  for (auto& t : readers) t.join();
  ::close(fd);
  EXPECT_EQ(empty_reads.load(), 0);
  EXPECT_EQ(got.load(), kMessages);
}

TEST_F(PosixMq, PollReportsInAndOut) {
  auto q = direct(1, 16);
  int fd = ::open((dir_ + "/" + name_).c_str(), O_RDWR);
  ASSERT_GE(fd, 0);
  pollfd p{fd, POLLIN | POLLOUT, 0};
  ASSERT_EQ(::poll(&p, 1, 0), 1);
  EXPECT_EQ(p.revents, POLLOUT);
  // Blocks until a direct send arrives, then reports POLLIN.
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(150));
    (void)q.send("m", 1, 0);
  });
  pollfd in{fd, POLLIN, 0};
  double t0 = now_ms();
  ASSERT_EQ(::poll(&in, 1, 3000), 1);
  EXPECT_LT(now_ms() - t0, 1000);
  later.join();
  EXPECT_EQ(in.revents, POLLIN);
  p.revents = 0;
  ASSERT_EQ(::poll(&p, 1, 0), 1);
  EXPECT_EQ(p.revents, POLLIN);  // full: no room
  ::close(fd);
}

TEST_F(PosixMq, ChmodAndChownChangeTheQueue) {
  auto q = direct();
  ASSERT_EQ(run("chmod 600 " + name_ + " && chown 1234:5678 " + name_).status, 0);
  auto st = q.stat();
  EXPECT_EQ(st->mode, 0600u);
  EXPECT_EQ(st->uid, 1234u);
  EXPECT_EQ(st->gid, 5678u);
  EXPECT_EQ(run("stat -c '%a %u %g' " + name_).out, "600 1234 5678\n");
}

TEST_F(PosixMq, InfoView) {
  auto q = direct(3, 32);
  ASSERT_EQ(q.send("abc", 3, 0), 0);
  Shell s = run("cat " + name_ + "@info");
  EXPECT_NE(s.out.find("kind: posix-mq\n"), std::string::npos) << s.out;
  EXPECT_NE(s.out.find("curmsgs: 1\n"), std::string::npos);
  EXPECT_NE(s.out.find("bytes: 3\n"), std::string::npos);
  EXPECT_NE(s.out.find("maxmsg: 3\nmsgsize: 32\n"), std::string::npos);
  EXPECT_EQ(q.attr()->curmsgs, 1);  // reading info takes nothing
  EXPECT_EQ(run("getfattr --only-values -n user.ipcfs.maxmsg " + name_).out, "3");
}

TEST_F(PosixMq, ExactNameWithAtIsFoundFirst) {
  std::string odd = name_ + "@drain";
  auto q = MessageQueue::open(odd, O_RDWR | O_CREAT, 0644);
  ASSERT_TRUE(q);
  ASSERT_EQ(q->send("odd", 3, 0), 0);
  EXPECT_EQ(run("cat '" + odd + "'").out, "odd");
  (void)MessageQueue::unlink(odd);
}

TEST_F(PosixMq, BadNamesAndOptionsCreateNothing) {
  struct Case {
    std::string path;
    int err;
  };
  std::string long_name(256, 'n');
  for (const Case& c : {Case{name_ + "@bogus", EINVAL}, Case{name_ + "@maxmsg=0", EINVAL},
                        Case{name_ + "@maxmsg=abc", EINVAL}, Case{name_ + "@type=5", EINVAL},
                        Case{name_ + "@peek", EINVAL}, Case{name_ + "@size=4K", EINVAL},
                        Case{name_ + "@prio=1,prio=2", EINVAL}, Case{long_name, ENAMETOOLONG},
                        Case{name_ + "@maxmsg=100000", EINVAL}}) {
    errno = 0;
    int fd = ::open((dir_ + "/" + c.path).c_str(), O_CREAT | O_WRONLY, 0644);
    EXPECT_EQ(fd, -1) << c.path;
    EXPECT_EQ(errno, c.err) << c.path;
    EXPECT_EQ(MessageQueue::open(name_, O_RDONLY).error(), -ENOENT) << c.path;
  }
  EXPECT_EQ(run("ls").status, 0);  // daemon fine
}

TEST_F(PosixMq, ReadOnlyViewsNeverCreate) {
  Shell s = run("touch " + name_ + "@info");
  EXPECT_NE(s.err.find("Invalid argument"), std::string::npos) << s.err;
  EXPECT_EQ(MessageQueue::open(name_, O_RDONLY).error(), -ENOENT);
  errno = 0;
  EXPECT_EQ(::open((dir_ + "/" + name_ + "@info").c_str(), O_CREAT | O_WRONLY, 0644), -1);
  EXPECT_EQ(errno, EINVAL);
  EXPECT_EQ(MessageQueue::open(name_, O_RDONLY).error(), -ENOENT);
}

TEST_F(PosixMq, ExclOptionAndOExcl) {
  direct();
  errno = 0;
  EXPECT_EQ(::open((dir_ + "/" + name_ + "@excl").c_str(), O_CREAT | O_WRONLY, 0644), -1);
  EXPECT_EQ(errno, EEXIST);
  EXPECT_EQ(::open((dir_ + "/" + name_).c_str(), O_CREAT | O_EXCL | O_WRONLY, 0644), -1);
  EXPECT_EQ(errno, EEXIST);
}

TEST_F(PosixMq, ObjectsMadeElsewhereAppearAndGoWithinASecond) {
  ASSERT_EQ(run("ls | grep -c " + name_).out, "0\n");
  auto q = direct();
  EXPECT_EQ(run("ls | grep -c " + name_).out, "1\n");
  EXPECT_EQ(run("test -e " + name_).status, 0);
  ASSERT_EQ(MessageQueue::unlink(name_), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_NE(run("test -e " + name_).status, 0);
  EXPECT_EQ(run("ls | grep -c " + name_).out, "0\n");
}

// The kernel holds a file's inode lock while a write to it is parked (a full queue): another
// writer, chmod or rm of the same name must not wait for that lock, where no signal ends the
// wait. Once a write parks, new opens get an inode of their own.
TEST_F(PosixMq, AWriteParkedOnAFullQueueHoldsUpNoOtherCaller) {
  auto q = direct(1, 8);
  ASSERT_EQ(q.send("a", 1, 0), 0);
  const std::string f = name_;
  auto ms_since = [](const char* var) {
    return std::string("$(( ($(date +%s%N) - ") + var + ") / 1000000 ))";
  };
  Shell s = run("( timeout 2 bash -c 'echo b >> " + f + "' ) & sleep 0.3; s=$(date +%s%N); " +
                "timeout -s INT 0.5 bash -c 'echo c >> " + f + "'; echo second $? " +
                ms_since("s") + "; s=$(date +%s%N); chmod 600 " + f + " && rm " + f +
                " && echo chmod+rm " + ms_since("s") + "; wait");
  std::istringstream out(s.out);
  std::string word;
  int rc = -1, second_ms = -1, meta_ms = -1;
  out >> word >> rc >> second_ms >> word >> meta_ms;
  EXPECT_EQ(rc, 124) << s.out << s.err;  // interrupted while blocked on the full queue
  EXPECT_LT(second_ms, 1000) << s.out;
  EXPECT_GE(meta_ms, 0) << s.out << s.err;
  EXPECT_LT(meta_ms, 500) << s.out;
  EXPECT_EQ(q.attr()->curmsgs, 1);
  EXPECT_EQ(receive(q), "a");
}

// Many more parked readers than worker threads: the filesystem stays responsive and every
// reader ends at once when interrupted.
TEST_F(PosixMq, ParkedReadersNeverStallTheDaemon) {
  direct();
  std::string cmd;
  for (int i = 0; i < 20; ++i) cmd += "cat " + name_ + " & ";
  cmd += "sleep 0.5; t0=$(date +%s%N); stat " + name_ +
         " >/dev/null; ls >/dev/null; t1=$(date +%s%N); echo $(( (t1-t0)/1000000 )); "
         "kill -TERM $(jobs -p); wait; echo done";
  double t0 = now_ms();
  // Background jobs of a non-interactive shell ignore SIGINT, so they are ended with SIGTERM,
  // which interrupts a FUSE request the same way.
  Shell s = run("timeout 10 bash -c '" + cmd + "'");
  EXPECT_LT(now_ms() - t0, 5000);
  ASSERT_EQ(s.out.substr(s.out.size() - 5), "done\n") << s.out;
  EXPECT_LT(std::stoi(s.out), 500) << "stat+ls took " << s.out;
}

}  // namespace
}  // namespace ipcfs::test
