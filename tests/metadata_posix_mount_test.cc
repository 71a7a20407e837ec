// Mount tests of SPEC §6 for the POSIX kinds (facts and stat against the object's own fstat,
// mq_getattr, sem_getvalue), and for all six kinds: chgrp/chown change the object itself,
// unknown attribute names are ENODATA, other namespaces EOPNOTSUPP.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <mqueue.h>
#include <semaphore.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <unistd.h>

#include <atomic>
#include <functional>
#include <string>
#include <vector>

#include "tests/metadata_support.h"
#include "tests/mount_fixture.h"

namespace ipcfs::test {
namespace {

constexpr uid_t kUid = 4721;
constexpr gid_t kGid = 4722;

class PosixMetadata : public ::testing::Test {
 protected:
  void SetUp() override { name_ = unique_name("meta"); }
  void TearDown() override {
    ::mq_unlink(("/" + name_).c_str());
    ::shm_unlink(("/" + name_).c_str());
    ::sem_unlink(("/" + name_).c_str());
  }
  std::string file(const std::string& dir) { return shared_mount().path(dir + "/" + name_); }
  // stat through the mount says exactly what fstat of the object says.
  static void expect_same_stat(const struct stat& via, const struct stat& real) {
    EXPECT_EQ(via.st_mode, real.st_mode);
    EXPECT_EQ(via.st_uid, real.st_uid);
    EXPECT_EQ(via.st_gid, real.st_gid);
    EXPECT_TRUE(same_time(via.st_mtim, real.st_mtim));
    EXPECT_TRUE(same_time(via.st_atim, real.st_atim));
    EXPECT_TRUE(same_time(via.st_ctim, real.st_ctim));
  }

  std::string name_;
};

TEST_F(PosixMetadata, QueueFactsAreTheKernels) {
  mq_attr attr{};
  attr.mq_maxmsg = 5;
  attr.mq_msgsize = 100;
  mqd_t q = ::mq_open(("/" + name_).c_str(), O_RDWR | O_CREAT | O_EXCL, 0600, &attr);
  ASSERT_NE(q, mqd_t(-1));
  ASSERT_EQ(::fchown(q, kUid, kGid), 0);
  ASSERT_EQ(::fchmod(q, 0640), 0);
  ASSERT_EQ(::mq_send(q, "abc", 3, 0), 0);
  ASSERT_EQ(::mq_send(q, "defgh", 5, 1), 0);
  struct stat real {};
  ASSERT_EQ(::fstat(q, &real), 0);
  char status[128] = {};
  ASSERT_GT(::read(q, status, sizeof status - 1), 0);  // "QSIZE:8 NOTIFY:0 ..."
  ::mq_close(q);
  std::string f = file("posix/mq");

  FactMap x = xattr_facts(f);
  EXPECT_EQ(x, info_facts(f));
  EXPECT_EQ(x, (FactMap{{"kind", "posix-mq"},
                        {"name", "/" + name_},
                        {"mode", "0640"},
                        {"uid", std::to_string(kUid)},
                        {"gid", std::to_string(kGid)},
                        {"bytes", "8"},
                        {"curmsgs", "2"},
                        {"maxmsg", "5"},
                        {"msgsize", "100"}}));
  EXPECT_EQ(std::string(status).substr(0, 8), "QSIZE:8 ");
  struct stat via = stat_of(f);
  expect_same_stat(via, real);
  EXPECT_EQ(via.st_size, 8);
}

TEST_F(PosixMetadata, SharedMemoryFactsAreTheKernels) {
  int fd = ::shm_open(("/" + name_).c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::ftruncate(fd, 12345), 0);
  ASSERT_EQ(::pwrite(fd, "xyz", 3, 100), 3);
  ASSERT_EQ(::fchown(fd, kUid, kGid), 0);
  ASSERT_EQ(::fchmod(fd, 0604), 0);
  struct stat real {};
  ASSERT_EQ(::fstat(fd, &real), 0);
  ::close(fd);
  std::string f = file("posix/shm");

  FactMap x = xattr_facts(f);
  EXPECT_EQ(x, info_facts(f));
  ASSERT_EQ(x.count("mmap"), 1u);
  x.erase("mmap");
  EXPECT_EQ(x, (FactMap{{"kind", "posix-shm"},
                        {"name", "/" + name_},
                        {"mode", "0604"},
                        {"uid", std::to_string(kUid)},
                        {"gid", std::to_string(kGid)},
                        {"size", "12345"}}));
  struct stat via = stat_of(f);
  expect_same_stat(via, real);
  EXPECT_EQ(via.st_size, 12345);
}

TEST_F(PosixMetadata, SemaphoreFactsAreTheKernels) {
  sem_t* s = ::sem_open(("/" + name_).c_str(), O_CREAT | O_EXCL, 0600, 41);
  ASSERT_NE(s, SEM_FAILED);
  ASSERT_EQ(::sem_post(s), 0);
  std::string backing = "/dev/shm/sem." + name_;
  ASSERT_EQ(::chown(backing.c_str(), kUid, kGid), 0);
  ASSERT_EQ(::chmod(backing.c_str(), 0640), 0);
  int value = -1;
  ASSERT_EQ(::sem_getvalue(s, &value), 0);
  ::sem_close(s);
  std::string f = file("posix/sem");

  FactMap x = xattr_facts(f);
  EXPECT_EQ(x, info_facts(f));
  EXPECT_EQ(x, (FactMap{{"kind", "posix-sem"},
                        {"name", "/" + name_},
                        {"mode", "0640"},
                        {"uid", std::to_string(kUid)},
                        {"gid", std::to_string(kGid)},
                        {"value", std::to_string(value)}}));
  EXPECT_EQ(value, 42);
  // Taken after the daemon first mapped the semaphore (which moves its atime); the kernel looks
  // a semaphore file up afresh at each use (Kind::writes_wait), so the stat is of this moment.
  struct stat real {};
  ASSERT_EQ(::stat(backing.c_str(), &real), 0);
  struct stat via = stat_of(f);
  expect_same_stat(via, real);
  EXPECT_EQ(via.st_size, 3);  // "42\n"
}

// One object of each kind, made directly; its file, and how the kernel says its owner.
struct Made {
  std::string file;
  std::function<std::pair<uid_t, gid_t>()> owner;
  std::function<void()> remove;
};

class EveryKind : public ::testing::Test {
 protected:
  void SetUp() override {
    name_ = unique_name("all");
    static std::atomic<int> n{0};
    key_t key = key_t((::getpid() & 0x3fff) << 16 | 0x6400 | (n++ << 2));
    Mount& m = shared_mount();
    std::string slash = "/" + name_;

    mqd_t q = ::mq_open(slash.c_str(), O_RDWR | O_CREAT | O_EXCL, 0644, nullptr);
    ASSERT_NE(q, mqd_t(-1));
    ::mq_close(q);
    add(
        m.path("posix/mq/" + name_), [slash] { return mq_owner(slash); },
        [slash] { ::mq_unlink(slash.c_str()); });

    int fd = ::shm_open(slash.c_str(), O_RDWR | O_CREAT | O_EXCL, 0644);
    ASSERT_GE(fd, 0);
    ::close(fd);
    std::string shm_path = "/dev/shm/" + name_;
    add(
        m.path("posix/shm/" + name_), [shm_path] { return path_owner(shm_path); },
        [slash] { ::shm_unlink(slash.c_str()); });

    sem_t* s = ::sem_open(slash.c_str(), O_CREAT | O_EXCL, 0644, 0);
    ASSERT_NE(s, SEM_FAILED);
    ::sem_close(s);
    std::string sem_path = "/dev/shm/sem." + name_;
    add(
        m.path("posix/sem/" + name_), [sem_path] { return path_owner(sem_path); },
        [slash] { ::sem_unlink(slash.c_str()); });

    int msg = ::msgget(key, IPC_CREAT | IPC_EXCL | 0644);
    ASSERT_GE(msg, 0);
    add(
        m.path("sysv/msg/" + std::to_string(msg)),
        [msg] {
          msqid_ds ds{};
          ::msgctl(msg, IPC_STAT, &ds);
          return std::make_pair(ds.msg_perm.uid, ds.msg_perm.gid);
        },
        [msg] { ::msgctl(msg, IPC_RMID, nullptr); });

    int shm = ::shmget(key + 1, 4096, IPC_CREAT | IPC_EXCL | 0644);
    ASSERT_GE(shm, 0);
    add(
        m.path("sysv/shm/" + std::to_string(shm)),
        [shm] {
          shmid_ds ds{};
          ::shmctl(shm, IPC_STAT, &ds);
          return std::make_pair(ds.shm_perm.uid, ds.shm_perm.gid);
        },
        [shm] { ::shmctl(shm, IPC_RMID, nullptr); });

    int sem = ::semget(key + 2, 2, IPC_CREAT | IPC_EXCL | 0644);
    ASSERT_GE(sem, 0);
    add(
        m.path("sysv/sem/" + std::to_string(sem)),
        [sem] {
          semid_ds ds{};
          ::semctl(sem, 0, IPC_STAT, &ds);
          return std::make_pair(ds.sem_perm.uid, ds.sem_perm.gid);
        },
        [sem] { ::semctl(sem, 0, IPC_RMID); });
  }
  void TearDown() override {
    for (auto& m : made_) m.remove();
  }
  void add(std::string file, std::function<std::pair<uid_t, gid_t>()> owner,
           std::function<void()> remove) {
    made_.push_back({std::move(file), std::move(owner), std::move(remove)});
  }
  static std::pair<uid_t, gid_t> path_owner(const std::string& path) {
    struct stat st {};
    ::stat(path.c_str(), &st);
    return {st.st_uid, st.st_gid};
  }
  static std::pair<uid_t, gid_t> mq_owner(const std::string& slash) {
    struct stat st {};
    mqd_t q = ::mq_open(slash.c_str(), O_RDONLY);
    ::fstat(q, &st);
    ::mq_close(q);
    return {st.st_uid, st.st_gid};
  }

  std::string name_;
  std::vector<Made> made_;
};

TEST_F(EveryKind, ChgrpAndChownChangeTheObjectItself) {
  ASSERT_EQ(made_.size(), 6u);
  for (const Made& m : made_) {
    SCOPED_TRACE(m.file);
    Shell g = sh("chgrp 4731 " + m.file + " && stat -c '%u %g' " + m.file);
    EXPECT_EQ(g.out, "0 4731\n") << g.err;
    EXPECT_EQ(m.owner(), std::make_pair(uid_t(0), gid_t(4731)));
    Shell o = sh("chown 4732 " + m.file + " && stat -c '%u %g' " + m.file);
    EXPECT_EQ(o.out, "4732 4731\n") << o.err;
    EXPECT_EQ(m.owner(), std::make_pair(uid_t(4732), gid_t(4731)));
    Shell both = sh("chown 4733:4734 " + m.file + " && stat -c '%u %g' " + m.file);
    EXPECT_EQ(both.out, "4733 4734\n") << both.err;
    EXPECT_EQ(m.owner(), std::make_pair(uid_t(4733), gid_t(4734)));
  }
}

TEST_F(EveryKind, UnknownAttributesAreEnodataOtherNamespacesEopnotsupp) {
  for (const Made& m : made_) {
    SCOPED_TRACE(m.file);
    char buf[256];
    const char* f = m.file.c_str();
    errno = 0;
    EXPECT_EQ(::getxattr(f, "user.ipcfs.nosuchfact", buf, sizeof buf), -1);
    EXPECT_EQ(errno, ENODATA);
    errno = 0;
    EXPECT_EQ(::getxattr(f, "user.other", buf, sizeof buf), -1);
    EXPECT_EQ(errno, ENODATA);
    errno = 0;
    EXPECT_EQ(::getxattr(f, "user.ipcfs.", buf, sizeof buf), -1);
    EXPECT_EQ(errno, ENODATA);
    for (const char* other : {"security.selinux", "system.posix_acl_access", "trusted.x"}) {
      errno = 0;
      EXPECT_EQ(::getxattr(f, other, buf, sizeof buf), -1) << other;
      EXPECT_EQ(errno, EOPNOTSUPP) << other;
    }
    // A known one: its size first, then too small a buffer, then the value.
    ssize_t n = ::getxattr(f, "user.ipcfs.kind", nullptr, 0);
    EXPECT_GT(n, 0);
    errno = 0;
    EXPECT_EQ(::getxattr(f, "user.ipcfs.kind", buf, 1), -1);
    EXPECT_EQ(errno, ERANGE);
    EXPECT_EQ(::getxattr(f, "user.ipcfs.kind", buf, sizeof buf), n);
    // getfattr lists exactly the @info facts.
    Shell d = sh("getfattr --absolute-names -d -m - " + m.file + " | grep -c '^user\\.ipcfs\\.'");
    EXPECT_EQ(std::stoul(d.out), info_facts(m.file).size());
    // Not writable (only qbytes is); unknown names neither.
    errno = 0;
    EXPECT_EQ(::setxattr(f, "user.ipcfs.mode", "0600", 4, 0), -1);
    EXPECT_EQ(errno, EPERM);
    errno = 0;
    EXPECT_EQ(::setxattr(f, "security.x", "1", 1, 0), -1);
    EXPECT_EQ(errno, EOPNOTSUPP);
  }
}

}  // namespace
}  // namespace ipcfs::test
