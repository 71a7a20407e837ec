// The SPEC §7 permission matrix of tests/permissions_mount_test.cc (posix/mq) for the other
// five kinds: an ordinary user (setpriv) against a root daemon mounted with allow_other may do
// exactly what the objects' own permissions allow, and what the user creates is the user's,
// with the mode asked for minus the user's umask, as ipcs and stat show.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <semaphore.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstring>
#include <string>

#include "tests/metadata_support.h"
#include "tests/mount_fixture.h"

namespace ipcfs::test {
namespace {

constexpr uid_t kUser = 54331;

// Runs CMD as uid/gid kUser with umask UMASK, in DIR.
Shell as_user(const std::string& cmd, const std::string& dir, const char* umask = "022") {
  return sh("setpriv --reuid=" + std::to_string(kUser) + " --regid=" + std::to_string(kUser) +
                " --clear-groups bash -c 'umask " + umask + "; " + cmd + "'",
            dir);
}

bool denied(const Shell& s) {
  return s.status != 0 && s.err.find("Permission denied") != std::string::npos;
}
bool not_permitted(const Shell& s) {
  return s.status != 0 && s.err.find("Operation not permitted") != std::string::npos;
}

std::string key_text(key_t k) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08x", unsigned(k));
  return b;
}

class KindPermissions : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { mount_ = new Mount({"-o", "allow_other,log_level=warn"}); }
  static void TearDownTestSuite() {
    delete mount_;
    mount_ = nullptr;
  }
  void SetUp() override {
    name_ = unique_name("kp");
    static std::atomic<int> n{0};
    key_ = key_t((::getpid() & 0x3fff) << 16 | 0x7200 | n++);
  }
  void TearDown() override {
    std::string slash = "/" + name_;
    ::shm_unlink(slash.c_str());
    ::sem_unlink(slash.c_str());
    if (int id = ::msgget(key_, 0); id >= 0) ::msgctl(id, IPC_RMID, nullptr);
    if (int id = ::shmget(key_, 0, 0); id >= 0) ::shmctl(id, IPC_RMID, nullptr);
    if (int id = ::semget(key_, 0, 0); id >= 0) ::semctl(id, 0, IPC_RMID);
  }
  std::string dir(const char* rel) const { return mount_->path(rel); }

  static Mount* mount_;
  std::string name_;
  key_t key_ = 0;
};
Mount* KindPermissions::mount_ = nullptr;

TEST_F(KindPermissions, PosixShm) {
  int fd = ::shm_open(("/" + name_).c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
  ASSERT_GE(fd, 0);
  ASSERT_EQ(::fchmod(fd, 0600), 0);
  ASSERT_EQ(::write(fd, "secret", 6), 6);
  EXPECT_TRUE(denied(as_user("cat " + name_, dir("posix/shm"))));
  ASSERT_EQ(::fchmod(fd, 0644), 0);
  EXPECT_EQ(as_user("cat " + name_, dir("posix/shm")).out, "secret");
  EXPECT_TRUE(denied(as_user("echo x > " + name_, dir("posix/shm"))));
  EXPECT_TRUE(not_permitted(as_user("rm -f " + name_, dir("posix/shm"))));
  EXPECT_TRUE(not_permitted(as_user("chmod 666 " + name_, dir("posix/shm"))));
  struct stat st {};
  ASSERT_EQ(::fstat(fd, &st), 0);
  EXPECT_EQ(st.st_mode & 07777, 0644u);
  EXPECT_EQ(st.st_size, 6);
  ::close(fd);
  ASSERT_EQ(::shm_unlink(("/" + name_).c_str()), 0);

  // What the user makes is the user's, 0666 minus umask 027.
  ASSERT_EQ(as_user("echo mine > " + name_, dir("posix/shm"), "027").status, 0);
  ASSERT_EQ(::stat(("/dev/shm/" + name_).c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kUser);
  EXPECT_EQ(st.st_gid, kUser);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(as_user("stat -c \"%u %g %a %s\" " + name_, dir("posix/shm")).out,
            std::to_string(kUser) + " " + std::to_string(kUser) + " 640 5\n");
  EXPECT_EQ(as_user("rm " + name_, dir("posix/shm")).status, 0);  // the owner may
}

TEST_F(KindPermissions, PosixSem) {
  std::string slash = "/" + name_;
  std::string backing = "/dev/shm/sem." + name_;
  sem_t* s = ::sem_open(slash.c_str(), O_CREAT | O_EXCL, 0600, 3);
  ASSERT_NE(s, SEM_FAILED);
  ASSERT_EQ(::chmod(backing.c_str(), 0600), 0);
  EXPECT_TRUE(denied(as_user("cat " + name_, dir("posix/sem"))));
  ASSERT_EQ(::chmod(backing.c_str(), 0644), 0);
  EXPECT_EQ(as_user("cat " + name_, dir("posix/sem")).out, "3\n");
  EXPECT_TRUE(denied(as_user("echo post > " + name_, dir("posix/sem"))));
  EXPECT_TRUE(denied(as_user("echo -1 > " + name_, dir("posix/sem"))));
  EXPECT_TRUE(not_permitted(as_user("rm -f " + name_, dir("posix/sem"))));
  EXPECT_TRUE(not_permitted(as_user("chmod 666 " + name_, dir("posix/sem"))));
  int v = -1;
  ASSERT_EQ(::sem_getvalue(s, &v), 0);
  EXPECT_EQ(v, 3);
  ::sem_close(s);
  ASSERT_EQ(::sem_unlink(slash.c_str()), 0);

  ASSERT_EQ(as_user("echo 5 > " + name_, dir("posix/sem"), "027").status, 0);
  struct stat st {};
  ASSERT_EQ(::stat(backing.c_str(), &st), 0);
  EXPECT_EQ(st.st_uid, kUser);
  EXPECT_EQ(st.st_gid, kUser);
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  EXPECT_EQ(as_user("cat " + name_ + " && rm " + name_, dir("posix/sem")).out, "5\n");
}

TEST_F(KindPermissions, SysvMsg) {
  int id = ::msgget(key_, IPC_CREAT | IPC_EXCL | 0600);
  ASSERT_GE(id, 0);
  struct {
    long type;
    char text[8];
  } m{1, "secret"};
  ASSERT_EQ(::msgsnd(id, &m, 6, 0), 0);
  std::string f = std::to_string(id);
  EXPECT_TRUE(denied(as_user("cat " + f + "@drain", dir("sysv/msg"))));
  EXPECT_TRUE(denied(as_user("cat " + f + "@peek", dir("sysv/msg"))));
  msqid_ds ds{};
  ASSERT_EQ(::msgctl(id, IPC_STAT, &ds), 0);
  EXPECT_EQ(ds.msg_qnum, 1u);  // nothing taken
  ds.msg_perm.mode = 0644;
  ASSERT_EQ(::msgctl(id, IPC_SET, &ds), 0);
  EXPECT_EQ(as_user("cat " + f + "@peek", dir("sysv/msg")).out, "secret");
  EXPECT_TRUE(denied(as_user("echo x > " + f, dir("sysv/msg"))));
  EXPECT_TRUE(not_permitted(as_user("rm -f " + f, dir("sysv/msg"))));
  EXPECT_TRUE(not_permitted(as_user("rm -f " + key_text(key_), dir("sysv/msg/by-key"))));
  EXPECT_TRUE(not_permitted(as_user("chmod 666 " + f, dir("sysv/msg"))));
  // Not the owner: the queue byte limit is not the user's to change either.
  EXPECT_NE(as_user("setfattr -n user.ipcfs.qbytes -v 100 " + f, dir("sysv/msg")).status, 0);
  ASSERT_EQ(::msgctl(id, IPC_STAT, &ds), 0);
  EXPECT_EQ(ds.msg_perm.mode & 0777, 0644u);
  EXPECT_EQ(ds.msg_qnum, 1u);
  ASSERT_EQ(::msgctl(id, IPC_RMID, nullptr), 0);

  ASSERT_EQ(as_user("touch " + key_text(key_), dir("sysv/msg/by-key"), "027").status, 0);
  id = ::msgget(key_, 0);
  ASSERT_GE(id, 0);
  FactMap i = ipcs_facts("-q", id);
  EXPECT_EQ(i["uid"], std::to_string(kUser));
  EXPECT_EQ(i["gid"], std::to_string(kUser));
  // Made as the user: the kernel records it as the creator too, as if it had called *get.
  EXPECT_EQ(i["cuid"], std::to_string(kUser));
  EXPECT_EQ(i["cgid"], std::to_string(kUser));
  EXPECT_EQ(i["mode"], "0640");
  EXPECT_EQ(as_user("stat -c \"%u %g %a\" " + std::to_string(id), dir("sysv/msg")).out,
            std::to_string(kUser) + " " + std::to_string(kUser) + " 640\n");
  EXPECT_EQ(as_user("echo hi > " + std::to_string(id) + " && cat " + std::to_string(id) +
                        " && rm by-key/" + key_text(key_),
                    dir("sysv/msg"))
                .out,
            "hi\n");
  EXPECT_LT(::msgget(key_, 0), 0);
}

TEST_F(KindPermissions, SysvShm) {
  int id = ::shmget(key_, 4096, IPC_CREAT | IPC_EXCL | 0600);
  ASSERT_GE(id, 0);
  void* p = ::shmat(id, nullptr, 0);
  ASSERT_NE(p, reinterpret_cast<void*>(-1));
  std::memcpy(p, "secret", 6);
  ::shmdt(p);
  std::string f = std::to_string(id);
  EXPECT_TRUE(denied(as_user("head -c 6 " + f, dir("sysv/shm"))));
  shmid_ds ds{};
  ASSERT_EQ(::shmctl(id, IPC_STAT, &ds), 0);
  ds.shm_perm.mode = 0644;
  ASSERT_EQ(::shmctl(id, IPC_SET, &ds), 0);
  EXPECT_EQ(as_user("head -c 6 " + f, dir("sysv/shm")).out, "secret");
  EXPECT_TRUE(
      denied(as_user("printf x | dd of=" + f + " conv=notrunc status=none", dir("sysv/shm"))));
  EXPECT_TRUE(not_permitted(as_user("rm -f " + f, dir("sysv/shm"))));
  EXPECT_TRUE(not_permitted(as_user("rm -f " + key_text(key_), dir("sysv/shm/by-key"))));
  EXPECT_TRUE(not_permitted(as_user("chmod 666 " + f, dir("sysv/shm"))));
  ASSERT_EQ(::shmctl(id, IPC_STAT, &ds), 0);
  EXPECT_EQ(ds.shm_perm.mode & 0777, 0644u);
  ASSERT_EQ(::shmctl(id, IPC_RMID, nullptr), 0);

  ASSERT_EQ(as_user("truncate -s 8192 " + key_text(key_), dir("sysv/shm/by-key"), "027").status, 0);
  id = ::shmget(key_, 0, 0);
  ASSERT_GE(id, 0);
  FactMap i = ipcs_facts("-m", id);
  EXPECT_EQ(i["uid"], std::to_string(kUser));
  EXPECT_EQ(i["gid"], std::to_string(kUser));
  // Made as the user: the kernel records it as the creator too, as if it had called *get.
  EXPECT_EQ(i["cuid"], std::to_string(kUser));
  EXPECT_EQ(i["cgid"], std::to_string(kUser));
  EXPECT_EQ(i["mode"], "0640");
  EXPECT_EQ(i["bytes"], "8192");
  EXPECT_EQ(
      as_user("stat -c \"%u %g %a %s\" " + std::to_string(id) + " && rm " + std::to_string(id),
              dir("sysv/shm"))
          .out,
      std::to_string(kUser) + " " + std::to_string(kUser) + " 640 8192\n");
  EXPECT_LT(::shmget(key_, 0, 0), 0);
}

TEST_F(KindPermissions, SysvSem) {
  int id = ::semget(key_, 2, IPC_CREAT | IPC_EXCL | 0600);
  ASSERT_GE(id, 0);
  unsigned short v[2] = {4, 5};
  ASSERT_EQ(::semctl(id, 0, SETALL, v), 0);
  std::string f = std::to_string(id);
  EXPECT_TRUE(denied(as_user("cat " + f, dir("sysv/sem"))));
  semid_ds ds{};
  ASSERT_EQ(::semctl(id, 0, IPC_STAT, &ds), 0);
  ds.sem_perm.mode = 0644;
  ASSERT_EQ(::semctl(id, 0, IPC_SET, &ds), 0);
  EXPECT_EQ(as_user("cat " + f, dir("sysv/sem")).out, "4 5\n");
  EXPECT_TRUE(denied(as_user("echo 0:+1 > " + f, dir("sysv/sem"))));
  EXPECT_TRUE(denied(as_user("echo post > " + f + "@sem=1", dir("sysv/sem"))));
  EXPECT_TRUE(not_permitted(as_user("rm -f " + f, dir("sysv/sem"))));
  EXPECT_TRUE(not_permitted(as_user("rm -f " + key_text(key_), dir("sysv/sem/by-key"))));
  EXPECT_TRUE(not_permitted(as_user("chmod 666 " + f, dir("sysv/sem"))));
  EXPECT_EQ(::semctl(id, 0, GETVAL), 4);
  EXPECT_EQ(::semctl(id, 1, GETVAL), 5);
  ASSERT_EQ(::semctl(id, 0, IPC_STAT, &ds), 0);
  EXPECT_EQ(ds.sem_perm.mode & 0777, 0644u);
  ASSERT_EQ(::semctl(id, 0, IPC_RMID), 0);

  ASSERT_EQ(as_user("touch " + key_text(key_), dir("sysv/sem/by-key"), "027").status, 0);
  // Made at the RELEASE that follows the close, which the kernel sends after close returned.
  ASSERT_TRUE(eventually([&] { return ::semget(key_, 0, 0) >= 0; }));
  id = ::semget(key_, 0, 0);
  ASSERT_GE(id, 0);
  FactMap i = ipcs_facts("-s", id);
  EXPECT_EQ(i["uid"], std::to_string(kUser));
  EXPECT_EQ(i["gid"], std::to_string(kUser));
  // Made as the user: the kernel records it as the creator too, as if it had called *get.
  EXPECT_EQ(i["cuid"], std::to_string(kUser));
  EXPECT_EQ(i["cgid"], std::to_string(kUser));
  EXPECT_EQ(i["mode"], "0640");
  EXPECT_EQ(i["nsems"], "1");
  EXPECT_EQ(
      as_user("echo 0:+1 > " + std::to_string(id) + " && cat " + std::to_string(id) +
                  " && stat -c \"%u %g %a\" " + std::to_string(id) + " && rm " + std::to_string(id),
              dir("sysv/sem"))
          .out,
      "1\n" + std::to_string(kUser) + " " + std::to_string(kUser) + " 640\n");
  EXPECT_LT(::semget(key_, 0, 0), 0);
}

}  // namespace
}  // namespace ipcfs::test
