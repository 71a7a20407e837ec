// Mount tests of POSIX named semaphores (SPEC §5.3) with real shell commands and direct
// sem_open/sem_post/sem_wait calls on the same objects.
#include <dirent.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <semaphore.h>
#include <sys/stat.h>
#include <unistd.h>

#include <set>
#include <string>
#include <thread>

#include "ipc/posix_sem.h"
#include "tests/mount_fixture.h"

namespace ipcfs::test {
namespace {

using ipc::NamedSemaphore;

std::set<std::string> shm_sem_files() {
  std::set<std::string> out;
  if (DIR* d = ::opendir("/dev/shm")) {
    while (dirent* e = ::readdir(d))
      if (std::string_view(e->d_name).substr(0, 4) == "sem.") out.insert(e->d_name);
    ::closedir(d);
  }
  return out;
}

class PosixSem : public ::testing::Test {
 protected:
  void SetUp() override {
    name_ = unique_name("s");
    other_ = unique_name("o");
    dir_ = m_.path("posix/sem");
  }
  void TearDown() override {
    if (sem_) ::sem_close(sem_);
    (void)NamedSemaphore::unlink(name_);
    (void)NamedSemaphore::unlink(other_);
  }
  Shell run(const std::string& cmd) { return sh(cmd, dir_); }
  std::string path() const { return dir_ + "/" + name_; }
  // The semaphore, opened directly (made with VALUE if it does not exist).
  sem_t* direct(unsigned value = 0) {
    if (!sem_) sem_ = ::sem_open(("/" + name_).c_str(), O_CREAT, 0644, value);
    EXPECT_NE(sem_, SEM_FAILED);
    return sem_;
  }
  int value() {
    int v = -1;
    ::sem_getvalue(direct(), &v);
    return v;
  }

  Mount& m_ = shared_mount();
  std::string name_, other_, dir_;
  sem_t* sem_ = nullptr;
};

// A wait in one process ends at once when another posts through the same file, whichever way
// each of them opened it (see wait_then_post).
TEST_F(PosixSem, APostEndsAWaitOnTheSameFile) {
  direct(0);
  const std::string f = name_;
  for (const std::string& post :
       {"echo post > " + f, "echo post >> " + f, std::string("echo post >&4")}) {
    for (const std::string& wait : {"echo wait > " + f, std::string("echo wait >&3")}) {
      EXPECT_EQ(run(wait_then_post(f, wait, post)).out, "poster 0 1\nwaiter 0\n")
          << wait << "; " << post;
      EXPECT_EQ(value(), 0) << wait << "; " << post;
    }
  }
  // chmod and rm do not wait for a parked wait either (each takes the inode's lock).
  Shell s = run("( timeout 1 bash -c 'echo wait > " + f + "' ) & sleep 0.3; s=$(date +%s%N); " +
                "chmod 600 " + f + " && rm " + f +
                " && echo $(( ($(date +%s%N) - s) < 500000000 )); wait");
  EXPECT_EQ(s.out, "1\n") << s.err;
}

TEST_F(PosixSem, IssueExampleThroughTheShell) {
  auto before = shm_sem_files();
  ASSERT_EQ(run("touch " + name_).status, 0);
  ASSERT_EQ(run("touch '" + other_ + "@value=3'").status, 0);
  // Exactly the two semaphores' files appeared: no raw or temporary sem.* file is left.
  auto after = shm_sem_files();
  std::set<std::string> added;
  for (auto& f : after)
    if (!before.count(f)) added.insert(f);
  EXPECT_EQ(added, (std::set<std::string>{"sem." + name_, "sem." + other_}));
  EXPECT_EQ(run("cat " + name_).out, "0\n");
  EXPECT_EQ(run("cat " + other_).out, "3\n");
  ASSERT_EQ(run("echo +2 > " + other_).status, 0);
  EXPECT_EQ(run("cat " + other_).out, "5\n");
  ASSERT_EQ(run("echo -1 > " + other_).status, 0);
  EXPECT_EQ(run("cat " + other_).out, "4\n");
  Shell s = run("echo post > " + name_ + " ; echo wait > " + name_ + " ; echo trywait > " + name_);
  EXPECT_EQ(s.status, 1);
  EXPECT_NE(s.err.find("Resource temporarily unavailable"), std::string::npos) << s.err;
  ASSERT_EQ(run("echo 7 > " + other_).status, 0);
  EXPECT_EQ(run("cat " + other_).out, "7\n");
  ASSERT_EQ(run("echo 2 > " + other_).status, 0);
  EXPECT_EQ(run("cat " + other_).out, "2\n");
  EXPECT_EQ(run("ls | grep -c '^" + name_ + "$'").out, "1\n");
  ASSERT_EQ(run("rm " + name_ + " " + other_).status, 0);
  EXPECT_EQ(NamedSemaphore::open(name_).error(), -ENOENT);
  EXPECT_FALSE(shm_sem_files().count("sem." + other_));
}

TEST_F(PosixSem, EchoOnANewNameCreatesWithThatValue) {
  ASSERT_EQ(run("echo 5 > " + name_).status, 0);
  EXPECT_EQ(value(), 5);
  ASSERT_EQ(run("echo +1 > '" + other_ + "@value=2'").status, 0);
  EXPECT_EQ(run("cat " + other_).out, "3\n");
}

// POSIX changes values one post or trywait at a time: a change of more than 2^20 units would
// hold a worker thread for seconds, beyond any interrupt, so it is ERANGE and changes nothing.
TEST_F(PosixSem, HugeChangesAreRefusedInsteadOfStallingAWorker) {
  direct(5);
  for (const char* cmd : {"+1048577", "-1048577", "2000000", "2147483647"}) {
    double t0 = now_ms();
    Shell s = run(std::string("echo ") + cmd + " > " + name_);
    EXPECT_LT(now_ms() - t0, 1000) << cmd;
    EXPECT_NE(s.err.find("Numerical result out of range"), std::string::npos) << cmd << s.err;
    EXPECT_EQ(value(), 5) << cmd;
  }
  ASSERT_EQ(run("echo +1048576 > " + name_).status, 0);  // the largest change there is
  EXPECT_EQ(value(), 1048581);
  EXPECT_NE(run("echo 4 > " + name_).status, 0);  // 1048577 units down: refused
  ASSERT_EQ(run("echo 5 > " + name_).status, 0);  // 1048576 units down
  EXPECT_EQ(value(), 5);
}

TEST_F(PosixSem, ModeOwnerAndSize) {
  ASSERT_EQ(run("umask 027; touch " + name_).status, 0);
  struct stat st;
  ASSERT_EQ(::stat(path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISREG(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(st.st_size, 2);  // "0\n": ls -l and cat agree
  ASSERT_EQ(::stat(("/dev/shm/sem." + name_).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  ASSERT_EQ(run("chmod 600 " + name_ + " && chown 1234:4321 " + name_).status, 0);
  ASSERT_EQ(::stat(("/dev/shm/sem." + name_).c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0600u);
  EXPECT_EQ(st.st_uid, 1234u);
  EXPECT_EQ(st.st_gid, 4321u);
  EXPECT_EQ(run("stat -c '%a %u %g' " + name_).out, "600 1234 4321\n");
  ASSERT_EQ(run("echo 10 > " + name_).status, 0);
  EXPECT_EQ(run("stat -c %s " + name_).out, "3\n");
}

TEST_F(PosixSem, InfoAndXattrs) {
  ASSERT_EQ(run("touch '" + name_ + "@value=4'").status, 0);
  EXPECT_EQ(run("cat " + name_ + "@info").out,
            "kind: posix-sem\nname: /" + name_ + "\nmode: 0644\nuid: 0\ngid: 0\nvalue: 4\n");
  EXPECT_EQ(run("getfattr --only-values -n user.ipcfs.value " + name_).out, "4");
}

TEST_F(PosixSem, ExclAndBadNames) {
  direct();
  Shell s = run("touch '" + name_ + "@excl'");
  EXPECT_NE(s.status, 0);
  EXPECT_NE(s.err.find("File exists"), std::string::npos) << s.err;
  EXPECT_EQ(write_cmd(dir_ + "/" + name_ + "@nsems=2", "1"), EINVAL);
  int fd = ::open((dir_ + "/" + std::string(252, 'x')).c_str(), O_CREAT | O_WRONLY, 0644);
  EXPECT_EQ(fd, -1);
  EXPECT_EQ(errno, ENAMETOOLONG);
}

TEST_F(PosixSem, ShellWaitWakesOnDirectPost) {
  sem_t* s = direct();
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ::sem_post(s);
  });
  double t0 = now_ms();
  Shell w = run("timeout 5 bash -c 'echo -1 > " + name_ + "'");
  later.join();
  EXPECT_EQ(w.status, 0) << w.err;
  EXPECT_GE(now_ms() - t0, 150);
  EXPECT_EQ(value(), 0);
}

TEST_F(PosixSem, DirectWaitWakesOnShellPost) {
  sem_t* s = direct();
  std::atomic<bool> done{false};
  std::thread waiter([&] {
    ::sem_wait(s);
    done = true;
  });
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_FALSE(done);
  ASSERT_EQ(run("echo post > " + name_).status, 0);
  waiter.join();
  EXPECT_TRUE(done);
  EXPECT_EQ(value(), 0);
}

TEST_F(PosixSem, MultipleWaitTakesAllOrNothing) {
  sem_t* s = direct(1);
  std::thread later([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    ::sem_post(s);
    ::sem_post(s);
  });
  Shell w = run("timeout 5 bash -c 'echo -3 > " + name_ + "'");
  later.join();
  EXPECT_EQ(w.status, 0) << w.err;
  EXPECT_EQ(value(), 0);
}

TEST_F(PosixSem, InterruptedWaitTakesNothing) {
  sem_t* s = direct(1);
  double t0 = now_ms();
  Shell w = run("timeout -s INT 0.5 bash -c 'echo -2 > " + name_ + "'");
  EXPECT_EQ(w.status, 124);
  EXPECT_LT(now_ms() - t0, 1500);
  EXPECT_EQ(value(), 1);
  ::sem_post(s);
  std::this_thread::sleep_for(std::chrono::milliseconds(100));
  EXPECT_EQ(value(), 2);  // the interrupted wait is gone, not still taking
}

TEST_F(PosixSem, NonblockingWaitAndTrywaitGiveEagain) {
  direct();
  EXPECT_EQ(write_cmd(path(), "-1", O_NONBLOCK), EAGAIN);
  EXPECT_EQ(write_cmd(path(), "wait\n", O_NONBLOCK), EAGAIN);
  double t0 = now_ms();
  EXPECT_EQ(write_cmd(path(), "trywait"), EAGAIN);
  EXPECT_LT(now_ms() - t0, 500);
  EXPECT_EQ(write_cmd(path(), "+1", O_NONBLOCK), 0);
  EXPECT_EQ(write_cmd(path(), "trywait"), 0);
  EXPECT_EQ(value(), 0);
}

TEST_F(PosixSem, RejectedWritesChangeNothing) {
  direct(3);
  const std::pair<std::string, int> bad[] = {
      {"\n", EINVAL},         {"+", EINVAL},
      {"--1", EINVAL},        {"+99999999999999999999", ERANGE},
      {"2147483648", ERANGE}, {"+2147483647", ERANGE},  // 3 + that overflows
      {"zero", ENOTSUP},      {"1 2", EINVAL},
      {"+1 junk", EINVAL},    {std::string("+1\0", 3), EINVAL},
      {"0:+1", EINVAL},       {"1 0 3", EINVAL},
      {"+0", EINVAL},         {"post\npost\n", EINVAL}};
  for (auto& [text, e] : bad) {
    EXPECT_EQ(write_cmd(path(), text), e) << "[" << text << "]";
    EXPECT_EQ(value(), 3) << "[" << text << "]";
  }
}

// Anyone can own a semaphore's file in /dev/shm and truncate it after the daemon has mapped it
// (the daemon keeps semaphores it used open). Every later touch of the mapping faults: that
// must be EIO for the caller, not SIGBUS for the daemon.
TEST_F(PosixSem, AFileTruncatedUnderTheDaemonGivesEio) {
  std::string file = "/dev/shm/sem." + name_;
  ASSERT_EQ(run("head -c 32 /dev/zero > " + file + " && cat " + name_).out, "0\n");
  ASSERT_EQ(::truncate(file.c_str(), 0), 0);
  Shell r = run("cat " + name_);
  EXPECT_EQ(r.status, 1);
  EXPECT_NE(r.err.find("Input/output error"), std::string::npos) << r.err;
  EXPECT_EQ(write_cmd(path(), "+1"), EIO);
  EXPECT_EQ(write_cmd(path(), "-1", O_NONBLOCK), EIO);
  // Grown again: the same mapping works. A wait parked meanwhile ends with EIO when the file
  // is truncated under it (the watcher's retry faults).
  ASSERT_EQ(::truncate(file.c_str(), 32), 0);
  EXPECT_EQ(run("cat " + name_).out, "0\n");
  Shell w;
  std::thread waiter([&] { w = run("timeout 5 bash -c 'echo -1 > " + name_ + "'"); });
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  ASSERT_EQ(::truncate(file.c_str(), 0), 0);
  waiter.join();
  EXPECT_EQ(w.status, 1);
  EXPECT_NE(w.err.find("Input/output error"), std::string::npos) << w.err;
  EXPECT_EQ(run("ls | grep -c " + name_).out, "1\n");  // the daemon lives
}

TEST_F(PosixSem, ReadIsASnapshotPerOpen) {
  sem_t* s = direct(1);
  int fd = ::open(path().c_str(), O_RDONLY);
  ASSERT_GE(fd, 0);
  char buf[16];
  ASSERT_EQ(::pread(fd, buf, sizeof buf, 0), 2);
  EXPECT_EQ(std::string(buf, 2), "1\n");
  ::sem_post(s);
  ASSERT_EQ(::pread(fd, buf, sizeof buf, 0), 2);
  EXPECT_EQ(std::string(buf, 2), "1\n");
  ::close(fd);
  EXPECT_EQ(run("cat " + name_).out, "2\n");
}

}  // namespace
}  // namespace ipcfs::test
