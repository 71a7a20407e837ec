// Mount tests of SPEC §6 for the System V kinds: every user.ipcfs.* attribute and @info line
// is the kernel's own value, checked against direct IPC_STAT (and GETALL/GETNCNT/...), against
// `ipcs -i` and against /proc/sysvipc; stat's mode, owner, size and times are the kernel's.
// Owner and creator differ (IPC_SET), and times are a second apart, so that no fact can pass
// by being some other fact.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <sys/sem.h>
#include <sys/shm.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <string>
#include <thread>
#include <vector>

#include "ipc/sysv_list.h"
#include "tests/metadata_support.h"
#include "tests/mount_fixture.h"

namespace ipcfs::test {
namespace {

constexpr uid_t kUid = 4711;
constexpr gid_t kGid = 4712;

std::string key_text(key_t k) {
  char b[16];
  std::snprintf(b, sizeof b, "0x%08x", unsigned(k));
  return b;
}

// Lets the clock move on to the next second, so that times set before and after differ.
void next_second() {
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
}

// The row of /proc/sysvipc/KIND for ID as column -> value.
std::map<std::string, int64_t> proc_row(ipc::SysvKind kind, int id) {
  std::map<std::string, int64_t> out;
  auto t = ipc::SysvTable::read(kind);
  if (!t) return out;
  auto row = t->find_id(id);
  if (!row) return out;
  for (const char* c : {"key",  "perms", "cbytes", "qnum",  "lspid", "lrpid", "uid",
                        "gid",  "cuid",  "cgid",   "stime", "rtime", "ctime", "size",
                        "cpid", "lpid",  "nattch", "atime", "dtime", "nsems", "otime"})
    if (auto v = t->get(*row, c)) out[c] = *v;
  return out;
}

// A child that attaches segment ID and waits to be killed; its pid once attached, or -1.
pid_t attached_child(int id) {
  int p[2];
  if (::pipe(p) != 0) return -1;
  pid_t pid = ::fork();
  if (pid == 0) {
    char ok = ::shmat(id, nullptr, 0) != reinterpret_cast<void*>(-1);
    (void)!::write(p[1], &ok, 1);
    ::pause();
    ::_exit(0);
  }
  ::close(p[1]);
  char ok = 0;
  bool attached = ::read(p[0], &ok, 1) == 1 && ok;
  ::close(p[0]);
  return attached ? pid : -1;
}

class SysvMetadata : public ::testing::Test {
 protected:
  void SetUp() override {
    static std::atomic<int> n{0};
    key_ = key_t((::getpid() & 0x3fff) << 16 | 0x5300 | n++);
  }
  void TearDown() override {
    for (pid_t p : children_) {
      ::kill(p, SIGKILL);
      ::waitpid(p, nullptr, 0);
    }
    if (msg_ >= 0) ::msgctl(msg_, IPC_RMID, nullptr);
    if (shm_ >= 0) ::shmctl(shm_, IPC_RMID, nullptr);
    if (sem_ >= 0) ::semctl(sem_, 0, IPC_RMID);
  }
  std::string path(const std::string& rel) { return shared_mount().path(rel); }

  key_t key_ = 0;
  int msg_ = -1, shm_ = -1, sem_ = -1;
  std::vector<pid_t> children_;
};

TEST_F(SysvMetadata, MessageQueueFactsAreTheKernels) {
  msg_ = ::msgget(key_, IPC_CREAT | IPC_EXCL | 0600);
  ASSERT_GE(msg_, 0);
  msqid_ds ds{};
  ASSERT_EQ(::msgctl(msg_, IPC_STAT, &ds), 0);
  ds.msg_perm.uid = kUid;
  ds.msg_perm.gid = kGid;
  ds.msg_perm.mode = 0640;
  ASSERT_EQ(::msgctl(msg_, IPC_SET, &ds), 0);
  next_second();
  struct {
    long type;
    char text[8];
  } m1{1, "hello"}, m2{2, "world!"};
  ASSERT_EQ(::msgsnd(msg_, &m1, 5, 0), 0);
  ASSERT_EQ(::msgsnd(msg_, &m2, 6, 0), 0);
  next_second();
  std::string file = path("sysv/msg/" + std::to_string(msg_));
  // Received by the daemon: lrpid is its pid, lspid ours.
  ASSERT_EQ(sh("head -c 100 " + file).out, "hello");
  ASSERT_EQ(::msgctl(msg_, IPC_STAT, &ds), 0);

  FactMap x = xattr_facts(file);
  EXPECT_EQ(x, info_facts(file));
  EXPECT_EQ(x["kind"], "sysv-msg");
  EXPECT_EQ(x["key"], key_text(key_));
  EXPECT_EQ(x["id"], std::to_string(msg_));
  EXPECT_EQ(x["mode"], "0640");
  EXPECT_EQ(x["uid"], std::to_string(kUid));
  EXPECT_EQ(x["gid"], std::to_string(kGid));
  EXPECT_EQ(x["cuid"], "0");
  EXPECT_EQ(x["cgid"], "0");
  EXPECT_EQ(x["bytes"], "6");
  EXPECT_EQ(x["qnum"], "1");
  EXPECT_EQ(x["qbytes"], std::to_string(ds.msg_qbytes));
  EXPECT_EQ(x["lspid"], std::to_string(::getpid()));
  EXPECT_EQ(x["lrpid"], std::to_string(shared_mount().pid()));
  EXPECT_EQ(x["stime"], std::to_string(ds.msg_stime));
  EXPECT_EQ(x["rtime"], std::to_string(ds.msg_rtime));
  EXPECT_EQ(x["ctime"], std::to_string(ds.msg_ctime));
  EXPECT_LT(ds.msg_ctime, ds.msg_stime);
  EXPECT_LT(ds.msg_stime, ds.msg_rtime);
  EXPECT_EQ(x.size(), 16u);

  FactMap i = ipcs_facts("-q", msg_);
  for (const char* f : {"uid", "gid", "cuid", "cgid", "qbytes", "qnum", "lspid", "lrpid"})
    EXPECT_EQ(i[f], x[f]) << f;
  EXPECT_EQ(i["mode"], x["mode"]);
  EXPECT_EQ(i["cbytes"], x["bytes"]);

  auto p = proc_row(ipc::SysvKind::kMsg, msg_);
  EXPECT_EQ(key_text(key_t(p["key"])), x["key"]);
  EXPECT_EQ(p["perms"], 0640);
  for (const char* f :
       {"uid", "gid", "cuid", "cgid", "qnum", "lspid", "lrpid", "stime", "rtime", "ctime"})
    EXPECT_EQ(std::to_string(p[f]), x[f]) << f;
  EXPECT_EQ(std::to_string(p["cbytes"]), x["bytes"]);

  struct stat st = stat_of(file);
  EXPECT_EQ(st.st_mode, S_IFREG | 0640u);
  EXPECT_EQ(st.st_uid, kUid);
  EXPECT_EQ(st.st_gid, kGid);
  EXPECT_EQ(st.st_size, 6);
  EXPECT_TRUE(same_time(st.st_mtim, secs(ds.msg_stime)));
  EXPECT_TRUE(same_time(st.st_atim, secs(ds.msg_rtime)));
  EXPECT_TRUE(same_time(st.st_ctim, secs(ds.msg_ctime)));
  // ls -l (readdirplus attributes) says the same.
  Shell ls = sh("ls -ln --time-style=+%s . | awk '$1 != \"total\" && $NF == \"" +
                    std::to_string(msg_) + "\" {print $1, $3, $4, $5, $6}'",
                path("sysv/msg"));
  EXPECT_EQ(ls.out, "-rw-r----- " + std::to_string(kUid) + " " + std::to_string(kGid) + " 6 " +
                        std::to_string(ds.msg_stime) + "\n");
}

TEST_F(SysvMetadata, SegmentFactsAreTheKernels) {
  shm_ = ::shmget(key_, 5000, IPC_CREAT | IPC_EXCL | 0600);
  ASSERT_GE(shm_, 0);
  shmid_ds ds{};
  ASSERT_EQ(::shmctl(shm_, IPC_STAT, &ds), 0);
  ds.shm_perm.uid = kUid;
  ds.shm_perm.gid = kGid;
  ds.shm_perm.mode = 0640;
  ASSERT_EQ(::shmctl(shm_, IPC_SET, &ds), 0);
  next_second();
  void* once = ::shmat(shm_, nullptr, 0);
  ASSERT_NE(once, reinterpret_cast<void*>(-1));
  ASSERT_EQ(::shmdt(once), 0);  // dtime
  next_second();
  // Attached by a child (atime, lpid, nattch 1): an attachment of ours would be inherited, and
  // counted, by every process the test forks.
  pid_t holder = attached_child(shm_);
  ASSERT_GT(holder, 0);
  children_.push_back(holder);
  ASSERT_EQ(::shmctl(shm_, IPC_STAT, &ds), 0);
  std::string file = path("sysv/shm/" + std::to_string(shm_));

  FactMap x = xattr_facts(file);
  EXPECT_EQ(x, info_facts(file));
  EXPECT_EQ(x["kind"], "sysv-shm");
  EXPECT_EQ(x["key"], key_text(key_));
  EXPECT_EQ(x["id"], std::to_string(shm_));
  EXPECT_EQ(x["mode"], "0640");
  EXPECT_EQ(x["uid"], std::to_string(kUid));
  EXPECT_EQ(x["gid"], std::to_string(kGid));
  EXPECT_EQ(x["cuid"], "0");
  EXPECT_EQ(x["cgid"], "0");
  EXPECT_EQ(x["size"], "5000");
  EXPECT_EQ(x["nattch"], "1");  // reading the facts attached nothing
  EXPECT_EQ(x["cpid"], std::to_string(::getpid()));
  EXPECT_EQ(x["lpid"], std::to_string(holder));
  EXPECT_EQ(x["atime"], std::to_string(ds.shm_atime));
  EXPECT_EQ(x["dtime"], std::to_string(ds.shm_dtime));
  EXPECT_EQ(x["ctime"], std::to_string(ds.shm_ctime));
  EXPECT_LT(ds.shm_ctime, ds.shm_dtime);
  EXPECT_LT(ds.shm_dtime, ds.shm_atime);
  EXPECT_EQ(x["dest"], "no");
  EXPECT_EQ(x["locked"], "no");
  EXPECT_EQ(x.count("mmap"), 1u);
  EXPECT_EQ(x.size(), 18u);

  FactMap i = ipcs_facts("-m", shm_);
  for (const char* f : {"uid", "gid", "cuid", "cgid", "mode", "lpid", "cpid", "nattch"})
    EXPECT_EQ(i[f], x[f]) << f;
  EXPECT_EQ(i["bytes"], x["size"]);

  auto p = proc_row(ipc::SysvKind::kShm, shm_);
  EXPECT_EQ(key_text(key_t(p["key"])), x["key"]);
  EXPECT_EQ(p["perms"], 0640);
  for (const char* f :
       {"uid", "gid", "cuid", "cgid", "size", "cpid", "lpid", "nattch", "atime", "dtime", "ctime"})
    EXPECT_EQ(std::to_string(p[f]), x[f]) << f;

  struct stat st = stat_of(file);
  EXPECT_EQ(st.st_mode, S_IFREG | 0640u);
  EXPECT_EQ(st.st_uid, kUid);
  EXPECT_EQ(st.st_gid, kGid);
  EXPECT_EQ(st.st_size, 5000);
  EXPECT_TRUE(same_time(st.st_atim, secs(ds.shm_atime)));  // the last attach
  EXPECT_TRUE(same_time(st.st_mtim, secs(ds.shm_ctime)));  // no time of the last store exists
  EXPECT_TRUE(same_time(st.st_ctim, secs(ds.shm_ctime)));

  // Removed while attached: it stays, marked, and loses its key (as ipcs shows it).
  ASSERT_EQ(::shmctl(shm_, IPC_RMID, nullptr), 0);
  x = xattr_facts(file);
  EXPECT_EQ(x["dest"], "yes");
  EXPECT_EQ(x["key"], "0x00000000");
  EXPECT_EQ(proc_row(ipc::SysvKind::kShm, shm_)["perms"] & 01000, 01000);
  ::kill(holder, SIGKILL);
  ::waitpid(holder, nullptr, 0);
  children_.clear();
  shm_ = -1;  // gone with its last attachment
}

// A child blocked in semop, counted by semncnt/semzcnt.
pid_t blocked_semop(int id, unsigned short num, short op) {
  pid_t pid = ::fork();
  if (pid == 0) {
    sembuf b{num, op, 0};
    ::semop(id, &b, 1);
    ::_exit(0);
  }
  return pid;
}

TEST_F(SysvMetadata, SemaphoreSetFactsAreTheKernels) {
  sem_ = ::semget(key_, 3, IPC_CREAT | IPC_EXCL | 0600);
  ASSERT_GE(sem_, 0);
  semid_ds ds{};
  ASSERT_EQ(::semctl(sem_, 0, IPC_STAT, &ds), 0);
  ds.sem_perm.uid = kUid;
  ds.sem_perm.gid = kGid;
  ds.sem_perm.mode = 0640;
  ASSERT_EQ(::semctl(sem_, 0, IPC_SET, &ds), 0);
  unsigned short init[3] = {1, 2, 3};
  ASSERT_EQ(::semctl(sem_, 0, SETALL, init), 0);
  next_second();
  sembuf post{2, 1, 0};
  ASSERT_EQ(::semop(sem_, &post, 1), 0);            // otime; values 1 2 4
  children_.push_back(blocked_semop(sem_, 0, 0));   // waits for zero on 0
  children_.push_back(blocked_semop(sem_, 1, -5));  // waits for 5 on 1
  for (int t = 0; t < 200; ++t) {
    if (::semctl(sem_, 0, GETZCNT) == 1 && ::semctl(sem_, 1, GETNCNT) == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  ASSERT_EQ(::semctl(sem_, 0, IPC_STAT, &ds), 0);
  std::string file = path("sysv/sem/" + std::to_string(sem_));

  FactMap x = xattr_facts(file);
  EXPECT_EQ(x, info_facts(file));
  EXPECT_EQ(x["kind"], "sysv-sem");
  EXPECT_EQ(x["key"], key_text(key_));
  EXPECT_EQ(x["id"], std::to_string(sem_));
  EXPECT_EQ(x["mode"], "0640");
  EXPECT_EQ(x["uid"], std::to_string(kUid));
  EXPECT_EQ(x["gid"], std::to_string(kGid));
  EXPECT_EQ(x["cuid"], "0");
  EXPECT_EQ(x["cgid"], "0");
  EXPECT_EQ(x["nsems"], "3");
  EXPECT_EQ(x["values"], "1 2 4");
  EXPECT_EQ(x["otime"], std::to_string(ds.sem_otime));
  EXPECT_EQ(x["ctime"], std::to_string(ds.sem_ctime));
  EXPECT_LT(ds.sem_ctime, ds.sem_otime);
  EXPECT_EQ(x["semncnt"], "0 1 0");
  EXPECT_EQ(x["semzcnt"], "1 0 0");
  std::string me = std::to_string(::getpid());
  EXPECT_EQ(x["sempid"], me + " " + me + " " + me);  // SETALL, then semop on 2
  EXPECT_EQ(x.size(), 15u);

  FactMap i = ipcs_facts("-s", sem_);
  for (const char* f : {"uid", "gid", "cuid", "cgid", "mode", "nsems"}) EXPECT_EQ(i[f], x[f]) << f;
  // ipcs's table: semnum value ncount zcount pid.
  Shell table = sh("ipcs -s -i " + std::to_string(sem_) +
                   " | awk '/^semnum/ {t=1; next} t && NF == 5 {print $2, $3, $4, $5}'");
  EXPECT_EQ(table.out, "1 0 1 " + me + "\n2 1 0 " + me + "\n4 0 0 " + me + "\n");

  auto p = proc_row(ipc::SysvKind::kSem, sem_);
  EXPECT_EQ(key_text(key_t(p["key"])), x["key"]);
  EXPECT_EQ(p["perms"], 0640);
  for (const char* f : {"uid", "gid", "cuid", "cgid", "nsems", "otime", "ctime"})
    EXPECT_EQ(std::to_string(p[f]), x[f]) << f;

  struct stat st = stat_of(file);
  EXPECT_EQ(st.st_mode, S_IFREG | 0640u);
  EXPECT_EQ(st.st_uid, kUid);
  EXPECT_EQ(st.st_gid, kGid);
  EXPECT_EQ(st.st_size, 6);  // "1 2 4\n"
  EXPECT_TRUE(same_time(st.st_mtim, secs(ds.sem_otime)));
  EXPECT_TRUE(same_time(st.st_atim, secs(ds.sem_otime)));
  EXPECT_TRUE(same_time(st.st_ctim, secs(ds.sem_ctime)));
}

}  // namespace
}  // namespace ipcfs::test
