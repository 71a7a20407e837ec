// Mount tests of System V message queues (SPEC §3, §4, §5.1) with real shell commands, direct
// msgsnd/msgrcv on the same queues, and the util-linux tools ipcmk, ipcrm and ipcs.
#include <fcntl.h>
#include <mqueue.h>
#include <sys/stat.h>

#include <chrono>
#include <thread>

#include "ipc/sysv_list.h"
#include "tests/sysv_msg_mount.h"

namespace ipcfs::test {
namespace {

using SysvMsg = SysvMsgMount;

int open_errno(const std::string& p, int flags) {
  errno = 0;
  int fd = ::open(p.c_str(), flags, 0644);
  if (fd >= 0) {
    ::close(fd);
    return 0;
  }
  return errno;
}

TEST_F(SysvMsg, TouchByKeyCreatesAQueueListedByIdAndKey) {
  key_t key = new_key();
  Shell t = run("touch by-key/" + hex(key));
  ASSERT_EQ(t.status, 0) << t.err;
  int id = ::msgget(key, 0);
  ASSERT_GE(id, 0);
  msqid_ds ds = stat(id);
  EXPECT_EQ(ds.msg_perm.mode & 0777, 0644u);  // 0666 minus bash's umask 022
  EXPECT_EQ(ds.msg_perm.uid, ::geteuid());
  EXPECT_EQ(ds.msg_qnum, 0u);
  std::string ids = std::to_string(id);
  EXPECT_EQ(run("ls | grep -x " + ids).out, ids + "\n");
  EXPECT_EQ(run("ls by-key | grep -x " + hex(key)).out, hex(key) + "\n");
  EXPECT_EQ(run("readlink by-key/" + hex(key)).out, "../" + ids + "\n");
  EXPECT_EQ(run("stat -c '%a %s' " + ids).out, "644 0\n");
  EXPECT_EQ(run("stat -L -c '%F %i' by-key/" + hex(key)).out, run("stat -c '%F %i' " + ids).out);
}

TEST_F(SysvMsg, ByKeyLinksLeadToTheirObjectsFacts) {
  key_t key = new_key();
  ASSERT_EQ(run("touch by-key/" + hex(key)).status, 0);
  int id = ::msgget(key, 0);
  ASSERT_GE(id, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));  // the made entry's cache ends
  // Followed, the link shows its queue's facts; the link itself has none (the kernel allows no
  // user.* attribute on a symlink).
  EXPECT_EQ(run("getfattr --only-values -n user.ipcfs.id by-key/" + hex(key)).out,
            std::to_string(id));
  EXPECT_EQ(run("getfattr --only-values -n user.ipcfs.kind by-key/" + hex(key)).out, "sysv-msg");
  EXPECT_EQ(run("getfattr -h -d -m - by-key/" + hex(key)).out, "");
}

TEST_F(SysvMsg, EchoSendsOneMessageOfTypeOneOrTheGivenType) {
  key_t key = new_key();
  int id = direct(key);
  ASSERT_EQ(run("echo job > by-key/" + hex(key)).status, 0);
  ASSERT_EQ(run("echo five > 'by-key/" + hex(key) + "@type=5'").status, 0);
  ASSERT_EQ(run("printf %s raw >> " + std::to_string(id)).status, 0);
  long type = 0;
  EXPECT_EQ(recv(id, 0, &type), "job\n");
  EXPECT_EQ(type, 1);
  EXPECT_EQ(recv(id, 0, &type), "five\n");
  EXPECT_EQ(type, 5);
  EXPECT_EQ(recv(id, 0, &type), "raw");
  EXPECT_EQ(type, 1);
  EXPECT_EQ(qnum(id), 0u);
}

// The whole "behaviour through a real mount" block of the issue, in order.
TEST_F(SysvMsg, IssueWalkthrough) {
  key_t key = new_key();
  std::string k = "by-key/" + hex(key);
  ASSERT_EQ(run("touch " + k).status, 0);
  int id = ::msgget(key, 0);
  ASSERT_GE(id, 0);
  std::string ids = std::to_string(id);
  ASSERT_EQ(run("echo job > " + k).status, 0);
  ASSERT_EQ(run("echo five > '" + k + "@type=5'").status, 0);
  EXPECT_EQ(run("ls -l " + ids + " | cut -d' ' -f5").out, "9\n");  // msg_cbytes
  EXPECT_EQ(run("cat " + ids + "@peek").out, "job\nfive\n");
  EXPECT_EQ(qnum(id), 2u);  // peek took nothing
  EXPECT_EQ(run("cat '" + k + "@type=5'").out, "five\n");
  ASSERT_EQ(send(id, 7, "seven"), 0);
  ASSERT_EQ(send(id, 3, "three"), 0);
  EXPECT_EQ(run("cat '" + ids + "@type=-5'").out, "job\n");  // lowest type <= 5: type 1
  EXPECT_EQ(run("cat '" + ids + "@type=-5'").out, "three");
  EXPECT_EQ(run("cat " + ids).out, "seven");
  ASSERT_EQ(send(id, 2, "a\n"), 0);
  ASSERT_EQ(send(id, 1, "b\n"), 0);
  EXPECT_EQ(run("cat " + ids + "@drain").out, "a\nb\n");
  EXPECT_EQ(run("cat " + ids + "@drain").out, "");
  Shell s = run("timeout -s INT 0.3 cat " + ids + "@stream");
  EXPECT_EQ(s.status, 124);
  Shell ls = run("ls -l by-key | grep " + hex(key));
  EXPECT_NE(ls.out.find(hex(key) + " -> ../" + ids), std::string::npos) << ls.out;
  ASSERT_EQ(run("chmod 640 " + ids + " && chown 1234:5678 " + ids).status, 0);
  msqid_ds ds = stat(id);
  EXPECT_EQ(ds.msg_perm.mode & 0777, 0640u);
  EXPECT_EQ(ds.msg_perm.uid, 1234u);
  EXPECT_EQ(ds.msg_perm.gid, 5678u);
  EXPECT_EQ(run("stat -c '%a %u %g' " + ids).out, "640 1234 5678\n");
  ASSERT_EQ(run("rm " + ids).status, 0);
  EXPECT_EQ(::msgget(key, 0), -1);
  EXPECT_EQ(errno, ENOENT);
  EXPECT_NE(run("test -e " + ids).status, 0);
}

TEST_F(SysvMsg, CatReceivesExactlyOneMessageOfAnyType) {
  int id = direct();
  ASSERT_EQ(send(id, 4, "one\n"), 0);
  ASSERT_EQ(send(id, 2, "two\n"), 0);
  EXPECT_EQ(run("cat " + std::to_string(id)).out, "one\n");
  EXPECT_EQ(qnum(id), 1u);
  Shell r = run("read -r line < " + std::to_string(id) + " && echo \"[$line]\"");
  EXPECT_EQ(r.out, "[two]\n");
}

TEST_F(SysvMsg, TruncatingRedirectRemovesNothing) {
  int id = direct();
  std::string ids = std::to_string(id);
  ASSERT_EQ(send(id, 1, "keep"), 0);
  ASSERT_EQ(run(": > " + ids + " && truncate -s 0 " + ids + " && echo new > " + ids).status, 0);
  EXPECT_NE(run("truncate -s 5 " + ids + " 2>&1").out.find("Invalid argument"), std::string::npos);
  EXPECT_EQ(recv(id, 0), "keep");
  EXPECT_EQ(recv(id, 0), "new\n");
  EXPECT_EQ(qnum(id), 0u);
}

TEST_F(SysvMsg, PeekShowsEverythingAndRemovesNothing) {
  key_t key = new_key();
  int id = direct(key);
  EXPECT_EQ(run("cat " + std::to_string(id) + "@peek").out, "");  // empty queue: EOF at once
  ASSERT_EQ(send(id, 9, "x"), 0);
  ASSERT_EQ(send(id, 1, ""), 0);
  ASSERT_EQ(send(id, 2, "yz\n"), 0);
  Shell p = run("cat 'by-key/" + hex(key) + "@peek'");
  EXPECT_EQ(p.status, 0);
  EXPECT_EQ(p.out, "xyz\n");
  EXPECT_EQ(qnum(id), 3u);
  EXPECT_EQ(recv(id, 0), "x");
}

TEST_F(SysvMsg, AnySpellingOfTheKey) {
  key_t key = key_t(0x00001000u | (uint32_t(::getpid()) & 0xfff));
  keys_.push_back(key);
  if (::msgget(key, 0) >= 0) GTEST_SKIP() << "key in use";
  int id = direct(key);
  ASSERT_EQ(send(id, 1, "a"), 0);
  ASSERT_EQ(send(id, 1, "b"), 0);
  ASSERT_EQ(send(id, 1, "c"), 0);
  char shortest[16];
  std::snprintf(shortest, sizeof shortest, "0X%X", unsigned(key));
  EXPECT_EQ(run("cat by-key/" + std::to_string(key)).out, "a");
  EXPECT_EQ(run("cat by-key/" + std::string(shortest)).out, "b");
  EXPECT_EQ(run("cat by-key/0" + std::to_string(key)).out, "c");
  EXPECT_EQ(run("ls by-key | grep -c " + std::to_string(key)).out, "0\n");  // listed in hex
}

TEST_F(SysvMsg, WriteToANewKeyWithOptionsCreatesAndSends) {
  key_t key = new_key();
  ASSERT_EQ(run("echo hi > 'by-key/" + hex(key) + "@type=3'").status, 0);
  int id = ::msgget(key, 0);
  ASSERT_GE(id, 0);
  long type = 0;
  EXPECT_EQ(recv(id, 0, &type), "hi\n");
  EXPECT_EQ(type, 3);
  EXPECT_EQ(run("ls by-key | grep -c '@'").out, "0\n");  // options never listed
}

TEST_F(SysvMsg, CreatingWithOptionsAWriteRefusesMakesNothing) {
  for (std::string opt : {"@type=0", "@type=-2", "@peek", "@info"}) {
    key_t key = new_key();
    EXPECT_EQ(open_errno(path("by-key/" + hex(key) + opt), O_CREAT | O_WRONLY), EINVAL) << opt;
    EXPECT_EQ(::msgget(key, 0), -1) << opt;
  }
}

TEST_F(SysvMsg, ExclOnAnExistingKeyIsEexist) {
  key_t key = new_key();
  direct(key);
  EXPECT_EQ(open_errno(path("by-key/" + hex(key) + "@excl"), O_CREAT | O_WRONLY), EEXIST);
  EXPECT_EQ(open_errno(path("by-key/" + hex(key)), O_CREAT | O_EXCL | O_WRONLY), EEXIST);
  key_t fresh = new_key();
  EXPECT_EQ(open_errno(path("by-key/" + hex(fresh) + "@excl"), O_CREAT | O_WRONLY), 0);
  EXPECT_GE(::msgget(fresh, 0), 0);
}

TEST_F(SysvMsg, RmByKeyRemovesTheQueue) {
  key_t key = new_key();
  direct(key);
  ASSERT_EQ(run("rm by-key/" + hex(key)).status, 0);
  EXPECT_EQ(::msgget(key, 0), -1);
}

// A program using the System V API directly and a shell using ipcfs, on one queue, with types
// in both directions.
TEST_F(SysvMsg, DirectProgramAndShellShareTheQueue) {
  key_t key = new_key();
  ASSERT_EQ(run("touch by-key/" + hex(key)).status, 0);
  int id = ::msgget(key, 0);
  ASSERT_GE(id, 0);
  std::string ids = std::to_string(id);
  ASSERT_EQ(send(id, 2, "two"), 0);
  ASSERT_EQ(send(id, 7, "seven"), 0);
  EXPECT_EQ(run("cat " + ids + "@type=7").out, "seven");
  EXPECT_EQ(run("cat by-key/" + hex(key) + "@type=2").out, "two");
  ASSERT_EQ(run("echo nine > " + ids + "@type=9 && echo four > " + ids + "@type=4").status, 0);
  long type = 0;
  EXPECT_EQ(recv(id, 9, &type), "nine\n");
  EXPECT_EQ(type, 9);
  EXPECT_EQ(recv(id, -5, &type), "four\n");
  EXPECT_EQ(type, 4);
  EXPECT_EQ(recv(id, 0), "<" + std::to_string(ENOMSG) + ">");
}

TEST_F(SysvMsg, IpcmkMakesAQueueThatAppearsAndIpcrmRemovesIt) {
  Shell mk = run("ipcmk -Q -p 0640");
  ASSERT_EQ(mk.status, 0) << mk.err;
  int id = -1;
  ASSERT_EQ(std::sscanf(mk.out.c_str(), "Message queue id: %d", &id), 1) << mk.out;
  track(id);
  std::string ids = std::to_string(id);
  EXPECT_EQ(run("ls | grep -x " + ids).out, ids + "\n");
  EXPECT_EQ(run("stat -c %a " + ids).out, "640\n");
  key_t key = stat(id).msg_perm.__key;
  if (key != IPC_PRIVATE) {
    EXPECT_EQ(run("readlink by-key/" + hex(key)).out, "../" + ids + "\n");
  }
  ASSERT_EQ(run("ipcrm -q " + ids).status, 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_NE(run("test -e " + ids).status, 0);
  EXPECT_EQ(run("ls | grep -cx " + ids).out, "0\n");
  if (key != IPC_PRIVATE) {
    EXPECT_NE(run("test -e by-key/" + hex(key)).status, 0);
  }
}

// A user other than the daemon's creates through ipcfs: the queue is that user's, with the mode
// it asked for, as ipcs shows.
TEST(SysvMsgOwner, QueueMadeThroughIpcfsBelongsToTheCaller) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as another user";
  Mount m({"-o", "allow_other"});
  key_t key = key_t(0x54000000u ^ (uint32_t(::getpid()) << 8));
  char k[16];
  std::snprintf(k, sizeof k, "0x%08x", unsigned(key));
  Shell s = sh("setpriv --reuid 4321 --regid 4321 --clear-groups bash -c 'umask 026; touch " +
                   m.path("sysv/msg/by-key/") + k + "'",
               "/");
  int id = ::msgget(key, 0);
  Shell ipcs = sh("ipcs -q | grep " + std::string(k) + " | tr -s ' '");
  if (id >= 0) ::msgctl(id, IPC_RMID, nullptr);
  ASSERT_EQ(s.status, 0) << s.err;
  ASSERT_GE(id, 0);
  // key, msqid, owner, perms, used-bytes, messages
  EXPECT_EQ(ipcs.out, std::string(k) + " " + std::to_string(id) + " 4321 640 0 0 \n")
      << "raw: " << ipcs.out;
}

// IPC_SET's rules hold for the caller even though the daemon runs as root: only the owner may
// change the byte limit, and not over msgmnb.
TEST(SysvMsgOwner, QbytesAttributeFollowsIpcSetRules) {
  if (::geteuid() != 0) GTEST_SKIP() << "needs root to act as another user";
  Mount m({"-o", "allow_other"});
  int id = ::msgget(IPC_PRIVATE, IPC_CREAT | 0666);
  ASSERT_GE(id, 0);
  std::string file = m.path("sysv/msg/" + std::to_string(id));
  auto as = [&](const std::string& who, const std::string& cmd) {
    return sh("setpriv --reuid " + who + " --regid " + who + " --clear-groups " + cmd + " 2>&1");
  };
  Shell other = as("4321", "setfattr -n user.ipcfs.qbytes -v 100 " + file);
  msqid_ds ds{};
  ::msgctl(id, IPC_STAT, &ds);
  ds.msg_perm.uid = 4321;
  ::msgctl(id, IPC_SET, &ds);
  Shell owner = as("4321", "setfattr -n user.ipcfs.qbytes -v 200 " + file);
  msqid_ds after{};
  ::msgctl(id, IPC_STAT, &after);
  FILE* f = std::fopen("/proc/sys/kernel/msgmnb", "r");
  unsigned long mnb = 0;
  if (f) {
    if (std::fscanf(f, "%lu", &mnb) != 1) mnb = 0;
    std::fclose(f);
  }
  Shell over =
      as("4321", "setfattr -n user.ipcfs.qbytes -v " + std::to_string(mnb + 1) + " " + file);
  // Root may change another user's queue (over msgmnb only with CAP_SYS_RESOURCE, which
  // containers often drop, so stay within it).
  Shell root = sh("setfattr -n user.ipcfs.qbytes -v " + std::to_string(mnb - 1) + " " + file +
                  " && getfattr --only-values -n user.ipcfs.qbytes " + file);
  ::msgctl(id, IPC_RMID, nullptr);
  EXPECT_NE(other.status, 0);
  EXPECT_NE(other.out.find("Operation not permitted"), std::string::npos) << other.out;
  EXPECT_EQ(owner.status, 0) << owner.out;
  EXPECT_EQ(after.msg_qbytes, 200u);
  EXPECT_NE(over.out.find("Operation not permitted"), std::string::npos) << over.out;
  EXPECT_EQ(root.out, std::to_string(mnb - 1)) << root.err;
}

TEST_F(SysvMsg, QbytesIsTheOneWritableAttribute) {
  int id = direct();
  std::string ids = std::to_string(id);
  ASSERT_EQ(run("setfattr -n user.ipcfs.qbytes -v 100 " + ids).status, 0);
  EXPECT_EQ(stat(id).msg_qbytes, 100u);
  EXPECT_EQ(run("getfattr --only-values -n user.ipcfs.qbytes " + ids).out, "100");
  for (std::string bad : {"abc", "0", "-5", "1e3", "0x10", " 7", "99999999999"}) {
    Shell s = run("setfattr -n user.ipcfs.qbytes -v '" + bad + "' " + ids + " 2>&1");
    EXPECT_NE(s.out.find("Invalid argument"), std::string::npos) << bad << ": " << s.out;
  }
  Shell ro = run("setfattr -n user.ipcfs.qnum -v 5 " + ids + " 2>&1");
  EXPECT_NE(ro.out.find("Operation not permitted"), std::string::npos) << ro.out;
  Shell other = run("setfattr -n user.other -v 5 " + ids + " 2>&1");
  EXPECT_NE(other.out.find("not supported"), std::string::npos) << other.out;
  EXPECT_EQ(stat(id).msg_qbytes, 100u);
}

TEST_F(SysvMsg, InfoAndExtendedAttributes) {
  key_t key = new_key();
  int id = direct(key, 0640);
  ASSERT_EQ(send(id, 2, "abc"), 0);
  std::string ids = std::to_string(id);
  Shell s = run("cat " + ids + "@info");
  for (const std::string& want : std::vector<std::string>{
           "kind: sysv-msg\n", "key: " + hex(key) + "\n", "id: " + ids + "\n", "mode: 0640\n",
           "bytes: 3\n", "qnum: 1\n", "lspid: " + std::to_string(::getpid()) + "\n", "rtime: 0\n"})
    EXPECT_NE(s.out.find(want), std::string::npos) << want << " in\n" << s.out;
  EXPECT_EQ(qnum(id), 1u);
  EXPECT_EQ(run("getfattr --only-values -n user.ipcfs.qnum " + ids).out, "1");
  EXPECT_EQ(run("getfattr --only-values -n user.ipcfs.key by-key/" + hex(key)).out, hex(key));
}

TEST_F(SysvMsg, HostileNamesAndOptionsAreEinvalAndChangeNothing) {
  int id = direct();
  ASSERT_EQ(send(id, 1, "keep"), 0);
  std::string ids = std::to_string(id);
  auto before = ipc::SysvTable::read(ipc::SysvKind::kMsg);
  ASSERT_TRUE(before);
  struct Case {
    std::string rel;
    int flags;
  };
  for (const Case& c :
       {Case{ids + "@type=0", O_WRONLY},         Case{ids + "@type=-1", O_WRONLY},
        Case{ids + "@type=-1", O_RDWR},          Case{ids + "@type=abc", O_RDONLY},
        Case{ids + "@type=", O_RDONLY},          Case{ids + "@prio=1", O_RDONLY},
        Case{ids + "@prio=1", O_WRONLY},         Case{ids + "@maxmsg=4", O_RDONLY},
        Case{ids + "@peek,drain", O_RDONLY},     Case{ids + "@peek", O_WRONLY},
        Case{ids + "@info", O_WRONLY},           Case{ids + "@bogus", O_RDONLY},
        Case{"by-key/0xZZ", O_RDONLY},           Case{"by-key/0xZZ", O_CREAT | O_WRONLY},
        Case{"by-key/0", O_CREAT | O_WRONLY},    Case{"by-key/0x100000000", O_CREAT | O_WRONLY},
        Case{"by-key/-5", O_CREAT | O_WRONLY},   Case{"by-key/0x", O_RDONLY},
        Case{"by-key/12ab", O_CREAT | O_WRONLY}, Case{"by-key/0x1@type=abc", O_CREAT | O_WRONLY}})
    EXPECT_EQ(open_errno(path(c.rel), c.flags | O_NONBLOCK), EINVAL) << c.rel;
  // Queues are made only through by-key/.
  EXPECT_EQ(open_errno(path("999999"), O_CREAT | O_WRONLY), EPERM);
  EXPECT_EQ(open_errno(path("999999"), O_RDONLY), ENOENT);
  EXPECT_EQ(open_errno(path("0" + ids), O_RDONLY), ENOENT);  // ids are canonical decimal
  auto after = ipc::SysvTable::read(ipc::SysvKind::kMsg);
  ASSERT_TRUE(after);
  EXPECT_EQ(after->size(), before->size());
  EXPECT_EQ(recv(id, 0), "keep");
  // @peek is for System V queues only.
  std::string mq = unique_name("peek");
  mqd_t q = ::mq_open(("/" + mq).c_str(), O_RDWR | O_CREAT, 0600, nullptr);
  ASSERT_NE(q, mqd_t(-1));
  int e = open_errno(m_.path("posix/mq/" + mq + "@peek"), O_RDONLY);
  ::mq_close(q);
  ::mq_unlink(("/" + mq).c_str());
  EXPECT_EQ(e, EINVAL);
  EXPECT_EQ(run("ls").status, 0);  // daemon fine
}

TEST_F(SysvMsg, ObjectsMadeElsewhereAppearAndGoWithinASecond) {
  key_t key = new_key();
  EXPECT_NE(run("test -e by-key/" + hex(key)).status, 0);
  int id = direct(key);
  std::string ids = std::to_string(id);
  EXPECT_EQ(run("test -e " + ids + " && test -e by-key/" + hex(key)).status, 0);
  ASSERT_EQ(::msgctl(id, IPC_RMID, nullptr), 0);
  std::this_thread::sleep_for(std::chrono::milliseconds(1100));
  EXPECT_NE(run("test -e " + ids).status, 0);
  EXPECT_NE(run("test -e by-key/" + hex(key)).status, 0);
  EXPECT_EQ(run("ls | grep -cx " + ids).out, "0\n");
}

}  // namespace
}  // namespace ipcfs::test
