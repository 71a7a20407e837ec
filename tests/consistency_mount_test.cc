// Mount tests of SPEC §3/§6 consistency, one per kind: an object created, changed (mode, owner,
// content) and removed by another program shows in ls, stat and reads within one second (the
// kernel may keep entries and attributes that long; contents are never cached, and a read or
// stat of a removed object's name looks the name up again at once).
#include <fcntl.h>
#include <gtest/gtest.h>
#include <mqueue.h>
#include <semaphore.h>
#include <sys/ipc.h>
#include <sys/mman.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstring>
#include <functional>
#include <string>
#include <thread>

#include "tests/mount_fixture.h"

namespace ipcfs::test {
namespace {

constexpr uid_t kUid = 4741;
constexpr gid_t kGid = 4742;

// What another program does to one object, directly.
struct Elsewhere {
  std::string dir;                    // the object directory, relative to the mount
  std::function<std::string()> make;  // makes it with mode 0600; returns its file name
  std::function<void()> change;       // mode 0640, owner kUid:kGid, new content
  std::string content;                // what a read then gives
  std::string size;                   // and stat's size
  std::function<void()> remove;
};

void past_cache() {
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
}

void check(const Elsewhere& e) {
  Mount& m = shared_mount();
  std::string dir = m.path(e.dir);
  std::string name = e.make();
  ASSERT_FALSE(name.empty());
  auto count = [&] { return sh("ls | grep -cx " + name, dir).out; };
  // Made: listed and stat-able at once (nothing negative is cached).
  EXPECT_EQ(count(), "1\n");
  EXPECT_EQ(sh("stat -c %a " + name, dir).out, "600\n");
  // Changed: the content at once, the attributes within a second.
  e.change();
  EXPECT_EQ(sh("head -c 100 " + name, dir).out, e.content);
  past_cache();
  EXPECT_EQ(sh("stat -c '%a %u %g' " + name, dir).out,
            "640 " + std::to_string(kUid) + " " + std::to_string(kGid) + "\n");
  EXPECT_EQ(
      sh("ls -ln | awk '$1 != \"total\" && $NF == \"" + name + "\" {print $1, $3, $4, $5}'", dir)
          .out,
      "-rw-r----- " + std::to_string(kUid) + " " + std::to_string(kGid) + " " + e.size + "\n");
  // Removed: a read says so at once, ls and stat within a second.
  e.remove();
  EXPECT_NE(sh("cat " + name, dir).err.find("No such file"), std::string::npos);
  past_cache();
  EXPECT_NE(sh("stat " + name, dir).status, 0);
  EXPECT_EQ(count(), "0\n");
}

key_t next_key() {
  static std::atomic<int> n{0};
  return key_t((::getpid() & 0x3fff) << 16 | 0x7700 | n++);
}

TEST(Consistency, PosixMq) {
  std::string name = unique_name("c");
  std::string slash = "/" + name;
  check({"posix/mq",
         [&] {
           mqd_t q = ::mq_open(slash.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600, nullptr);
           if (q == mqd_t(-1)) return std::string();
           ::fchmod(q, 0600);
           ::mq_close(q);
           return name;
         },
         [&] {
           mqd_t q = ::mq_open(slash.c_str(), O_RDWR);
           ::fchmod(q, 0640);
           ::fchown(q, kUid, kGid);
           ::mq_send(q, "ping", 4, 0);
           ::mq_send(q, "pong!", 5, 0);
           ::mq_close(q);
         },
         "ping", "5",  // one message read, the other still queued
         [&] { ::mq_unlink(slash.c_str()); }});
  ::mq_unlink(slash.c_str());
}

TEST(Consistency, PosixShm) {
  std::string name = unique_name("c");
  std::string slash = "/" + name;
  check({"posix/shm",
         [&] {
           int fd = ::shm_open(slash.c_str(), O_RDWR | O_CREAT | O_EXCL, 0600);
           if (fd < 0) return std::string();
           ::fchmod(fd, 0600);
           ::close(fd);
           return name;
         },
         [&] {
           int fd = ::shm_open(slash.c_str(), O_RDWR, 0);
           ::fchmod(fd, 0640);
           ::fchown(fd, kUid, kGid);
           (void)!::write(fd, "abc", 3);
           ::close(fd);
         },
         "abc", "3", [&] { ::shm_unlink(slash.c_str()); }});
  ::shm_unlink(slash.c_str());
}

TEST(Consistency, PosixSem) {
  std::string name = unique_name("c");
  std::string slash = "/" + name;
  std::string backing = "/dev/shm/sem." + name;
  check({"posix/sem",
         [&] {
           sem_t* s = ::sem_open(slash.c_str(), O_CREAT | O_EXCL, 0600, 0);
           if (s == SEM_FAILED) return std::string();
           ::chmod(backing.c_str(), 0600);
           ::sem_close(s);
           return name;
         },
         [&] {
           ::chmod(backing.c_str(), 0640);
           (void)!::chown(backing.c_str(), kUid, kGid);
           sem_t* s = ::sem_open(slash.c_str(), 0);
           for (int i = 0; i < 12; ++i) ::sem_post(s);
           ::sem_close(s);
         },
         "12\n", "3", [&] { ::sem_unlink(slash.c_str()); }});
  ::sem_unlink(slash.c_str());
}

TEST(Consistency, SysvMsg) {
  key_t key = next_key();
  int id = -1;
  check({"sysv/msg",
         [&] {
           id = ::msgget(key, IPC_CREAT | IPC_EXCL | 0600);
           return id < 0 ? std::string() : std::to_string(id);
         },
         [&] {
           msqid_ds ds{};
           ::msgctl(id, IPC_STAT, &ds);
           ds.msg_perm.mode = 0640;
           ds.msg_perm.uid = kUid;
           ds.msg_perm.gid = kGid;
           ::msgctl(id, IPC_SET, &ds);
           struct {
             long type;
             char text[8];
           } m{1, "ping"};
           ::msgsnd(id, &m, 4, 0);
           m.type = 2;
           ::msgsnd(id, &m, 3, 0);
         },
         "ping", "3", [&] { ::msgctl(id, IPC_RMID, nullptr); }});
  if (id >= 0) ::msgctl(id, IPC_RMID, nullptr);
}

TEST(Consistency, SysvShm) {
  key_t key = next_key();
  int id = -1;
  check({"sysv/shm",
         [&] {
           id = ::shmget(key, 4096, IPC_CREAT | IPC_EXCL | 0600);
           return id < 0 ? std::string() : std::to_string(id);
         },
         [&] {
           shmid_ds ds{};
           ::shmctl(id, IPC_STAT, &ds);
           ds.shm_perm.mode = 0640;
           ds.shm_perm.uid = kUid;
           ds.shm_perm.gid = kGid;
           ::shmctl(id, IPC_SET, &ds);
           void* p = ::shmat(id, nullptr, 0);
           std::memset(p, 'z', 4096);
           ::shmdt(p);
         },
         std::string(100, 'z'), "4096", [&] { ::shmctl(id, IPC_RMID, nullptr); }});
  if (id >= 0) ::shmctl(id, IPC_RMID, nullptr);
}

TEST(Consistency, SysvSem) {
  key_t key = next_key();
  int id = -1;
  check({"sysv/sem",
         [&] {
           id = ::semget(key, 2, IPC_CREAT | IPC_EXCL | 0600);
           return id < 0 ? std::string() : std::to_string(id);
         },
         [&] {
           semid_ds ds{};
           ::semctl(id, 0, IPC_STAT, &ds);
           ds.sem_perm.mode = 0640;
           ds.sem_perm.uid = kUid;
           ds.sem_perm.gid = kGid;
           ::semctl(id, 0, IPC_SET, &ds);
           unsigned short v[2] = {3, 41};
           ::semctl(id, 0, SETALL, v);
         },
         "3 41\n", "5", [&] { ::semctl(id, 0, IPC_RMID); }});
  if (id >= 0) ::semctl(id, 0, IPC_RMID);
}

// Objects removed elsewhere do not leave the kernel holding their entries (and so the daemon
// its nodes, which statfs counts as files) until memory runs short: the next listing has the
// kernel drop them. In a namespace of its own, so that the count is only this test's objects.
TEST(Consistency, RemovedElsewhereLeaveNoNodesBehind) {
  char tmpl[] = "/tmp/ipcfs-gone.XXXXXX";
  ASSERT_NE(::mkdtemp(tmpl), nullptr);
  std::string d = tmpl;
  std::string script = std::string(IPCFS_BINARY) + " " + d + " -o log_level=warn || exit 9\n" +
                       "ids=$(for i in $(seq 40); do ipcmk -Q | grep -o '[0-9]*$'; done)\n"
                       "ls -l " +
                       d + "/sysv/msg " + d +
                       "/sysv/msg/by-key >/dev/null\n"
                       "cat " +
                       d +
                       "/sysv/msg/$(echo $ids | cut -d' ' -f1)@info >/dev/null\n"
                       "echo before $(stat -f -c %c " +
                       d +
                       ")\n"
                       "for id in $ids; do ipcrm -q $id; done\n"
                       "ls -l " +
                       d + "/sysv/msg " + d +
                       "/sysv/msg/by-key >/dev/null\n"
                       "for i in $(seq 100); do [ $(stat -f -c %c " +
                       d +
                       ") = 0 ] && break; sleep 0.03; done\n"
                       "echo after $(stat -f -c %c " +
                       d +
                       ")\n"
                       "umount " +
                       d + "\n";
  Shell s = sh("unshare --ipc bash -s <<'EOS'\n" + script + "EOS\n");
  ::rmdir(d.c_str());
  EXPECT_EQ(s.status, 0) << s.err;
  // 40 queue files, their 40 by-key links and one @info file; then none.
  EXPECT_EQ(s.out, "before 81\nafter 0\n") << s.err;
}

}  // namespace
}  // namespace ipcfs::test
