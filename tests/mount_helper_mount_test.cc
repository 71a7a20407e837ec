// Mount tests of mounting through mount(8): mount -t ipcfs (mount.ipcfs), mount -t fuse.ipcfs
// (mount.fuse3, or our mount.fuse.ipcfs link), fstab lines, umount, allow_other, log_level, and
// the exit codes and messages of ipcfs and mount.ipcfs when they cannot mount.
//
// mount(8) finds helpers only in /sbin, and mount.fuse3 finds ipcfs only in the standard PATH
// (mount(8) resets PATH). Rather than install anything on the machine, each test runs its
// commands in a private mount namespace where read-only overlays add the build's helper to
// /sbin and the build's ipcfs to /usr/local/bin; the mounts it makes exist only there, and the
// namespace's cleanup trap unmounts them even when a check fails. Programs installed on the
// machine (a package's) are shadowed, so the tests run the build's.
#include <gtest/gtest.h>
#include <sys/stat.h>
#include <unistd.h>

#include <string>

#include "tests/mount_fixture.h"

#ifndef IPCFS_INSTALL_BINDIR
#define IPCFS_INSTALL_BINDIR "/usr/local/bin"
#endif

namespace ipcfs::test {
namespace {

std::string quote(const std::string& s) {
  std::string out = "'";
  for (char c : s) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

bool contains(const std::string& haystack, const std::string& needle) {
  return haystack.find(needle) != std::string::npos;
}

const std::string kBuildDir =
    std::string(IPCFS_BINARY).substr(0, std::string(IPCFS_BINARY).rfind('/'));

// Shell functions every script gets.
constexpr const char* kPrelude = R"sh(
set -u
# The daemon serving mount point $1: an ipcfs process with $1 as one of its arguments.
daemon_pid() {
  local p a x
  for p in /proc/[0-9]*; do
    mapfile -d '' a 2>/dev/null < "$p/cmdline" || continue
    [[ ${#a[@]} -gt 1 && "${a[0]}" =~ ^(.*/)?ipcfs$ ]] || continue
    for x in "${a[@]:1}"; do [[ "$x" == "$1" ]] && { echo "${p#/proc/}"; return 0; }; done
  done
  return 1
}
# Waits (up to 5 s) until process $1 is gone.
wait_gone() { for _ in $(seq 100); do kill -0 "$1" 2>/dev/null || return 0; sleep 0.05; done; return 1; }
# Waits (up to 5 s) until $1 is an ipcfs mount.
wait_mounted() { for _ in $(seq 100); do [ "$(fstype "$1")" = fuse.ipcfs ] && return 0; sleep 0.05; done; return 1; }
fstype() { findmnt -n -o FSTYPE --mountpoint "$1" | tail -n1; }
cleanup() {
  for m in "$T"/mnt*; do
    while mountpoint -q "$m"; do umount "$m" 2>/dev/null || umount -l "$m"; done
  done
}
trap cleanup EXIT
S=$(readlink -f /sbin)
# A mount.fuse.ipcfs installed on this machine (the package's) is shadowed by mount.fuse3,
# unless the test provides its own.
if [ ! -e "$T/sbin/mount.fuse.ipcfs" ] && [ -e "$S/mount.fuse.ipcfs" ]; then
  ln -s "$S/mount.fuse3" "$T/sbin/mount.fuse.ipcfs"
fi
mount -t overlay overlay -o "lowerdir=$T/sbin:$S" "$S" || exit 90
mount -t overlay overlay -o "lowerdir=$T/bin:/usr/local/bin" /usr/local/bin || exit 90
)sh";

class MountHelper : public ::testing::Test {
 protected:
  void SetUp() override {
    char tmpl[] = "/tmp/ipcfs-mh.XXXXXX";
    ASSERT_NE(::mkdtemp(tmpl), nullptr);
    t_ = tmpl;
    // Other users (allow_other) must be able to reach the mount points.
    ASSERT_EQ(::chmod(t_.c_str(), 0755), 0);
    for (const char* d : {"/sbin", "/bin", "/mnt", "/mnt2"})
      ASSERT_EQ(::mkdir((t_ + d).c_str(), 0755), 0);
    ASSERT_EQ(::symlink((kBuildDir + "/mount.ipcfs").c_str(), (t_ + "/sbin/mount.ipcfs").c_str()),
              0);
    ASSERT_EQ(::symlink(IPCFS_BINARY, (t_ + "/bin/ipcfs").c_str()), 0);
  }
  void TearDown() override { sh("rm -rf " + quote(t_)); }

  // Makes `mount -t fuse.ipcfs` use our helper instead of mount.fuse3.
  void link_fuse_helper() {
    ASSERT_EQ(::symlink((kBuildDir + "/mount.fuse.ipcfs").c_str(),
                        (t_ + "/sbin/mount.fuse.ipcfs").c_str()),
              0);
  }

  // Runs SCRIPT with bash in a private mount namespace prepared as described at the top.
  Shell run(const std::string& script) {
    std::string vars = "T=" + quote(t_) + "\nMNT=" + quote(t_ + "/mnt") +
                       "\nMNT2=" + quote(t_ + "/mnt2") + "\nBUILD=" + quote(kBuildDir) + "\n";
    Shell s =
        sh("unshare --mount --propagation private bash -c " + quote(vars + kPrelude + script));
    if (s.status == 90) ADD_FAILURE() << "cannot prepare the namespace (overlayfs?): " << s.err;
    return s;
  }

  std::string t_;
};

TEST_F(MountHelper, TypeIpcfsMountsQuietlyIsReadyAndUmountEndsTheDaemon) {
  std::string name = unique_name("mh");
  Shell s = run(R"sh(
out=$(mount -t ipcfs ipcfs "$MNT" 2>&1); echo "mount=$? [$out]"
# Ready as soon as mount returns: no waiting here.
echo "ls=[$(ls "$MNT" | tr '\n' ' ')]"
touch "$MNT/posix/mq/)sh" +
                name + R"sh(" && echo "mq=[$(ls "$MNT/posix/mq")]" && rm "$MNT/posix/mq/)sh" +
                name + R"sh("
echo "type=$(fstype "$MNT") source=$(findmnt -n -o SOURCE --mountpoint "$MNT")"
pid=$(daemon_pid "$MNT")
echo "argv=[$(tr '\0' ' ' < /proc/$pid/cmdline)]"
out=$(umount "$MNT" 2>&1); echo "umount=$? [$out]"
wait_gone "$pid" && echo "daemon gone"
mountpoint -q "$MNT" || echo "not mounted"
)sh");
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_TRUE(contains(s.out, "mount=0 []\n")) << s.out;
  EXPECT_TRUE(contains(s.out, "ls=[posix sysv ]\n")) << s.out;
  EXPECT_TRUE(contains(s.out, "mq=[" + name + "]\n")) << s.out;
  EXPECT_TRUE(contains(s.out, "type=fuse.ipcfs source=ipcfs\n")) << s.out;
  // mount.ipcfs ran the build's daemon directly (no shell, no source argument).
  EXPECT_TRUE(contains(s.out, "argv=[" + kBuildDir + "/ipcfs -o rw " + t_ + "/mnt ]")) << s.out;
  EXPECT_TRUE(contains(s.out, "umount=0 []\ndaemon gone\nnot mounted\n")) << s.out;
}

TEST_F(MountHelper, TypeFuseIpcfsGoesThroughMountFuse3AndThePath) {
  Shell s = run(R"sh(
out=$(mount -t fuse.ipcfs ipcfs "$MNT" -o allow_other 2>&1); echo "mount=$? [$out]"
echo "ls=[$(ls "$MNT" | tr '\n' ' ')] type=$(fstype "$MNT")"
pid=$(daemon_pid "$MNT")
echo "argv=[$(tr '\0' ' ' < /proc/$pid/cmdline)]"
umount "$MNT"; echo "umount=$?"
wait_gone "$pid" && echo "daemon gone"
)sh");
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_TRUE(contains(s.out, "mount=0 []\n")) << s.out;
  EXPECT_TRUE(contains(s.out, "ls=[posix sysv ] type=fuse.ipcfs\n")) << s.out;
  // mount.fuse3 runs "ipcfs SOURCE DIR -o OPTS" through /bin/sh, found in the standard PATH.
  EXPECT_TRUE(contains(s.out, "argv=[ipcfs ipcfs " + t_ + "/mnt -o rw,allow_other")) << s.out;
  EXPECT_TRUE(contains(s.out, "umount=0\ndaemon gone\n")) << s.out;
}

TEST_F(MountHelper, TypeFuseIpcfsThroughOurLinkTakesAnyMountPointName) {
  link_fuse_helper();
  std::string odd = t_ + "/mnt it's \"odd\" $(x) `y`";
  ASSERT_EQ(::mkdir(odd.c_str(), 0755), 0);
  Shell s = run("ODD=" + quote(odd) + R"sh(
out=$(mount -t fuse.ipcfs ipcfs "$ODD" -o allow_other 2>&1); echo "mount=$? [$out]"
echo "ls=[$(ls "$ODD" | tr '\n' ' ')] type=$(fstype "$ODD")"
# The already-mounted check reads the name back from mountinfo, where spaces are escaped.
out=$(mount -t ipcfs ipcfs "$ODD" 2>&1); echo "again=$? [${out##*: }]"
pid=$(daemon_pid "$ODD")
echo "argv=[$(tr '\0' ' ' < /proc/$pid/cmdline)]"
umount "$ODD"; echo "umount=$?"
wait_gone "$pid" && echo "daemon gone"
)sh");
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_TRUE(contains(s.out, "mount=0 []\n")) << s.out;
  EXPECT_TRUE(contains(s.out, "ls=[posix sysv ] type=fuse.ipcfs\n")) << s.out;
  EXPECT_TRUE(contains(s.out, "again=2 [ipcfs is already mounted there]\n")) << s.out;
  EXPECT_TRUE(contains(s.out, "argv=[" + kBuildDir + "/ipcfs -o rw,allow_other " + odd + " ]"))
      << s.out;
  EXPECT_TRUE(contains(s.out, "umount=0\ndaemon gone\n")) << s.out;
}

TEST_F(MountHelper, FstabLinesOfBothTypes) {
  Shell s = run(R"sh(
cat > "$T/fstab" <<END
# an fstab with mount(8)'s own options, which must not reach the daemon
ipcfs $MNT ipcfs defaults,noauto,nofail,_netdev,x-systemd.automount,comment=ipc,allow_other,log_level=debug 0 0
ipcfs $MNT2 fuse.ipcfs allow_other,nofail 0 0
END
out=$(mount -T "$T/fstab" "$MNT" 2>&1); echo "mount1=$? [$out]"
out=$(mount --fstab "$T/fstab" "$MNT2" 2>&1); echo "mount2=$? [$out]"
for m in "$MNT" "$MNT2"; do
  pid=$(daemon_pid "$m")
  echo "type=$(fstype "$m") opts=$(findmnt -n -o OPTIONS --mountpoint "$m" | tail -n1)"
  echo "argv=[$(tr '\0' ' ' < /proc/$pid/cmdline)]"
  echo "ls=[$(ls "$m" | tr '\n' ' ')]"
done
umount "$MNT" && umount "$MNT2" && echo "unmounted both"
)sh");
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_TRUE(contains(s.out, "mount1=0 []\nmount2=0 []\n")) << s.out;
  EXPECT_TRUE(contains(
      s.out, "argv=[" + kBuildDir + "/ipcfs -o rw,allow_other,log_level=debug " + t_ + "/mnt ]"))
      << s.out;
  EXPECT_TRUE(contains(s.out, "argv=[ipcfs ipcfs " + t_ + "/mnt2 -o rw,allow_other")) << s.out;
  EXPECT_FALSE(contains(s.out, "x-systemd")) << s.out;
  EXPECT_FALSE(contains(s.out, "nofail")) << s.out;
  EXPECT_EQ(sh("grep -c 'type=fuse.ipcfs opts=.*allow_other' <<'END'\n" + s.out + "END").out, "2\n")
      << s.out;
  EXPECT_TRUE(contains(s.out, "ls=[posix sysv ]\nunmounted both\n")) << s.out;
}

TEST_F(MountHelper, AllowOtherLetsOtherUsersIn) {
  Shell s = run(R"sh(
as_nobody() { setpriv --reuid=65534 --regid=65534 --clear-groups "$@"; }
mount -t ipcfs ipcfs "$MNT" && echo mounted
out=$(as_nobody ls "$MNT" 2>&1); echo "private=$? [$out]"
umount "$MNT"
mount -t ipcfs ipcfs "$MNT" -o allow_other && echo mounted
out=$(as_nobody ls "$MNT" 2>&1); echo "shared=$? [$(tr '\n' ' ' <<<"$out")]"
echo "mode=$(as_nobody stat -c %a "$MNT/posix/mq")"
umount "$MNT"
)sh");
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_TRUE(contains(s.out, "private=2 [ls: cannot access '" + t_ + "/mnt': Permission denied]"))
      << s.out;
  EXPECT_TRUE(contains(s.out, "shared=0 [posix sysv ]\nmode=1777\n")) << s.out;
}

TEST_F(MountHelper, LogLevelDebugReachesTheDaemon) {
  Shell s = run(R"sh(
mount -t ipcfs ipcfs "$MNT" -o log_level=debug; echo "mount=$?"
echo "argv=[$(tr '\0' ' ' < /proc/$(daemon_pid "$MNT")/cmdline)]"
umount "$MNT"
# In the foreground the log goes to stderr, where the level can be seen at work.
for level in debug info; do
  "$T/sbin/mount.ipcfs" ipcfs "$MNT" -o log_level=$level,foreground 2>"$T/log.$level" &
  helper=$!
  wait_mounted "$MNT" || echo "not mounted"
  stat "$MNT/posix/mq/no-such-queue" 2>/dev/null
  umount "$MNT"
  wait "$helper"
  echo "$level exit=$? debug lines=$(grep -c '\[debug\] reply: No such file or directory' "$T/log.$level")"
done
)sh");
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_TRUE(contains(
      s.out, "mount=0\nargv=[" + kBuildDir + "/ipcfs -o rw,log_level=debug " + t_ + "/mnt ]"))
      << s.out;
  EXPECT_TRUE(contains(s.out, "debug exit=0 debug lines=1\n")) << s.out;
  EXPECT_TRUE(contains(s.out, "info exit=0 debug lines=0\n")) << s.out;
}

TEST_F(MountHelper, CannotMountFailsClearlyAndLeavesNothing) {
  Shell s = run(R"sh(
out=$(mount -t ipcfs ipcfs "$T/none" 2>&1); echo "missing=$? [$out]"
touch "$T/file"
out=$(mount -t ipcfs ipcfs "$T/file" 2>&1); echo "file=$? [$out]"
mount -t ipcfs ipcfs "$MNT"
out=$(mount -t ipcfs ipcfs "$MNT" 2>&1); echo "busy=$? [$out]"
out=$(mount -t fuse.ipcfs ipcfs "$MNT" 2>&1); echo "busy2=$? [$out]"
umount "$MNT"
out=$(mount -t ipcfs ipcfs "$MNT" -o bogus 2>&1); echo "bogus=$? [${out#*\] \[ipcfs\] }]"
out=$(mount -t ipcfs ipcfs "$MNT" -o log_level=loud 2>&1); echo "level=$? [$out]"
echo "ipcfs mounts left: $(findmnt -n -t fuse.ipcfs -o TARGET | grep -c "^$T")"
# Last: without /dev/fuse.
mount -t tmpfs -o size=4k nodev /dev
out=$(mount -t ipcfs ipcfs "$MNT" 2>&1); echo "nodev=$? [${out#*\] \[ipcfs\] }]"
)sh");
  EXPECT_EQ(s.status, 0) << s.err;
  const std::string ipcfs_says = "ipcfs: mount point " + t_;
  EXPECT_TRUE(contains(s.out, "missing=2 [" + ipcfs_says + "/none: No such file or directory]"))
      << s.out;
  EXPECT_TRUE(contains(s.out, "file=2 [" + ipcfs_says + "/file: Not a directory]")) << s.out;
  EXPECT_TRUE(contains(s.out, "busy=2 [" + ipcfs_says + "/mnt: ipcfs is already mounted there]"))
      << s.out;
  EXPECT_TRUE(contains(s.out, "busy2=2 [" + ipcfs_says + "/mnt: ipcfs is already mounted there]"))
      << s.out;
  EXPECT_TRUE(contains(s.out,
                       "bogus=1 [[error] fuse: unknown option(s): `-o bogus'\n"
                       "ipcfs: bad mount options (see ipcfs(8))]"))
      << s.out;
  EXPECT_TRUE(contains(s.out, "level=1 [ipcfs: bad log_level: loud (see --help)]")) << s.out;
  EXPECT_TRUE(contains(s.out, "ipcfs mounts left: 0\n")) << s.out;
  EXPECT_TRUE(contains(s.out,
                       "nodev=2 [[error] fuse: device not found, try 'modprobe fuse' first\n"
                       "ipcfs: cannot mount on " +
                           t_ + "/mnt]"))
      << s.out;
}

TEST_F(MountHelper, HelperCommandLineAndItsOwnFailures) {
  ASSERT_EQ(::mkdir((t_ + "/lonely").c_str(), 0755), 0);
  ASSERT_EQ(sh("cp " + quote(kBuildDir + "/mount.ipcfs") + " " + quote(t_ + "/lonely/")).status, 0);
  Shell s = run(R"sh(
H="$T/sbin/mount.ipcfs"
"$H" --help | head -n1; echo "help=${PIPESTATUS[0]}"
"$H" --version; echo "version=$?"
out=$("$H" 2>&1); echo "none=$? [$(head -n1 <<<"$out")]"
out=$("$H" ipcfs "$MNT" -x 2>&1); echo "unknown=$? [$(head -n1 <<<"$out")]"
out=$("$H" ipcfs "$MNT" -o 2>&1); echo "novalue=$? [$(head -n1 <<<"$out")]"
out=$("$H" ipcfs "$MNT" extra 2>&1); echo "extra=$? [$(head -n1 <<<"$out")]"
out=$("$H" ipcfs "$MNT" -f -o defaults,allow_other,nofail 2>&1); echo "fake=$? [$out]"
mountpoint -q "$MNT" || echo "fake mounted nothing"
out=$("$H" ipcfs "$MNT" -s -n -v -o allow_other 2>&1); echo "verbose=$? [$out]"
umount "$MNT"
# -N: the mount is made in another mount namespace, not in this one.
unshare --mount --propagation private sleep 60 &
other=$!
sleep 0.2
"$H" ipcfs "$MNT" -N "$other"; echo "ns=$?"
echo "there=$(grep -c " $MNT " /proc/$other/mountinfo) here=$(grep -c " $MNT " /proc/self/mountinfo)"
nsenter -t "$other" -m umount "$MNT"; echo "ns umount=$?"
kill "$other"
# Nowhere to find ipcfs: not beside the helper, not in the install bindir, not in PATH.
B=")sh" IPCFS_INSTALL_BINDIR R"sh("
[ -d "$B" ] && mount -t tmpfs -o size=4k none "$B"
out=$(PATH=/nonexistent "$T/lonely/mount.ipcfs" ipcfs "$MNT" 2>&1); echo "notfound=$? [$out]"
)sh");
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_TRUE(
      contains(s.out, "usage: mount.ipcfs SPEC DIR [-sfnv] [-N NAMESPACE] [-o OPTIONS]\nhelp=0\n"))
      << s.out;
  EXPECT_TRUE(contains(s.out, "mount.ipcfs (ipcfs ")) << s.out;
  EXPECT_TRUE(contains(s.out, "version=0\n")) << s.out;
  EXPECT_TRUE(contains(s.out, "none=1 [mount.ipcfs: missing SPEC or DIR]")) << s.out;
  EXPECT_TRUE(contains(s.out, "unknown=1 [mount.ipcfs: unknown option -x]")) << s.out;
  EXPECT_TRUE(contains(s.out, "novalue=1 [mount.ipcfs: option -o needs a value]")) << s.out;
  EXPECT_TRUE(contains(s.out, "extra=1 [mount.ipcfs: unexpected argument 'extra']")) << s.out;
  EXPECT_TRUE(contains(s.out, "fake=0 [mount.ipcfs: would run: " + kBuildDir +
                                  "/ipcfs -o allow_other " + t_ + "/mnt]\nfake mounted nothing\n"))
      << s.out;
  EXPECT_TRUE(contains(s.out, "verbose=0 [mount.ipcfs: running: " + kBuildDir +
                                  "/ipcfs -o allow_other " + t_ + "/mnt]"))
      << s.out;
  EXPECT_TRUE(contains(s.out, "ns=0\nthere=1 here=0\nns umount=0\n")) << s.out;
  EXPECT_TRUE(contains(s.out,
                       "notfound=2 [mount.ipcfs: cannot find the ipcfs program (beside "
                       "mount.ipcfs, in " IPCFS_INSTALL_BINDIR " or in PATH)]"))
      << s.out;
}

// ipcfs's own exit codes (ipcfs(8) EXIT STATUS) for the cases mount(8) passes on.
// fstab lines of type fuse.ipcfs reach ipcfs through mount.fuse3 with their options unfiltered:
// mount(8)'s own and the access-time options libfuse does not know must not fail the mount.
TEST_F(MountHelper, TypeFuseIpcfsTakesFstabOnlyOptions) {
  Shell s = run(R"sh(
out=$(mount -t fuse.ipcfs ipcfs "$MNT" -o defaults,nofail,relatime,nodiratime,allow_other 2>&1)
echo "mount=$? [$out] ls=[$(ls "$MNT" | tr '\n' ' ')]"
umount "$MNT"
)sh");
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_TRUE(contains(s.out, "mount=0 [] ls=[posix sysv ]")) << s.out;
}

// mount.fuse3 -o drop_privileges mounts itself and runs ipcfs on /dev/fd/N with the same
// options: without default_permissions among them the kernel would check no caller, so ipcfs
// refuses to serve; with it, an ordinary user is refused root's private queue.
TEST_F(MountHelper, DropPrivilegesNeedsDefaultPermissions) {
  std::string q = unique_name("dp");
  Shell s = run(R"sh(
PATH=$T/bin:$PATH
out=$(mount.fuse3 ipcfs "$MNT" -t fuse.ipcfs -o allow_other,drop_privileges 2>&1)
echo "without=$? [$out]"
umount "$MNT" 2>/dev/null
mount.fuse3 ipcfs "$MNT" -t fuse.ipcfs -o allow_other,default_permissions,drop_privileges
echo "with=$?"
echo secret > "$MNT/posix/mq/)sh" +
                q + R"sh(@maxmsg=1,msgsize=16" && chmod 600 "$MNT/posix/mq/)sh" + q + R"sh("
setpriv --reuid=65534 --regid=65534 --clear-groups cat "$MNT/posix/mq/)sh" +
                q + R"sh(" 2>&1
echo "nobody=$?"
rm "$MNT/posix/mq/)sh" +
                q + R"sh("
)sh");
  EXPECT_EQ(s.status, 0) << s.err;
  EXPECT_TRUE(contains(s.out, "without=2 [ipcfs: mount point /dev/fd/")) << s.out;
  EXPECT_TRUE(contains(s.out, "without default_permissions")) << s.out;
  EXPECT_TRUE(contains(s.out, "with=0\n")) << s.out;
  EXPECT_TRUE(contains(s.out, "Permission denied\nnobody=1\n")) << s.out;
}

// -o ro: the kernel refuses writes, rm and chmod; ipcfs refuses the reads that would take
// messages (cat, @drain, @stream), and leaves stat, @info, xattrs and @peek working.
TEST(ReadOnlyMount, ReadingAQueueTakesNothing) {
  std::string q = unique_name("ro");
  Mount rw;
  Mount ro({"-o", "ro"});
  ASSERT_EQ(sh("echo one > " + rw.path("posix/mq/" + q)).status, 0);
  Shell id = sh("echo two > " + rw.path("sysv/msg/by-key/0x7e0f00d") + " && readlink " +
                rw.path("sysv/msg/by-key/0x7e0f00d"));
  ASSERT_EQ(id.status, 0);
  std::string sysv = id.out.substr(3, id.out.size() - 4);  // "../ID\n"
  for (std::string f : {"posix/mq/" + q, "posix/mq/" + q + "@drain", "sysv/msg/" + sysv,
                        "sysv/msg/" + sysv + "@drain"}) {
    Shell c = sh("cat " + ro.path(f));
    EXPECT_EQ(c.status, 1) << f;
    EXPECT_TRUE(contains(c.err, "Read-only file system")) << f << ": " << c.err;
  }
  EXPECT_EQ(sh("cat " + ro.path("sysv/msg/" + sysv + "@peek")).out, "two\n");
  EXPECT_TRUE(contains(sh("cat " + ro.path("posix/mq/" + q + "@info")).out, "curmsgs: 1\n"));
  EXPECT_EQ(sh("stat -c %s " + ro.path("posix/mq/" + q)).out, "4\n");
  EXPECT_TRUE(contains(sh("rm " + ro.path("posix/mq/" + q)).err, "Read-only file system"));
  // Nothing was taken: the read-write mount still gets both.
  EXPECT_EQ(sh("timeout 5 cat " + rw.path("posix/mq/" + q)).out, "one\n");
  EXPECT_EQ(sh("timeout 5 cat " + rw.path("sysv/msg/" + sysv)).out, "two\n");
  EXPECT_EQ(sh("rm " + rw.path("posix/mq/" + q) + " " + rw.path("sysv/msg/" + sysv)).status, 0);
}

TEST(IpcfsExitStatus, UsageAndCannotMount) {
  const std::string ipcfs = IPCFS_BINARY;
  Shell s = sh(ipcfs + " a b c");
  EXPECT_EQ(s.status, 1);
  EXPECT_EQ(s.err, "ipcfs: too many arguments (see --help)\n");
  s = sh(ipcfs + " -o bogus /tmp");
  EXPECT_EQ(s.status, 1);
  // --help and --version answer whatever the mount point.
  EXPECT_EQ(sh(ipcfs + " --help /nonexistent").status, 0);
  EXPECT_EQ(sh(ipcfs + " --version /nonexistent").status, 0);
  s = sh(ipcfs + " -o max_threads=-1 /tmp");
  EXPECT_EQ(s.status, 1);
  EXPECT_EQ(s.err, "ipcfs: bad max_threads: -1 (1 to 1000) (see --help)\n");
  s = sh(ipcfs + " -f /proc/self/exe");
  EXPECT_EQ(s.status, 2);
  EXPECT_EQ(s.err, "ipcfs: mount point /proc/self/exe: Not a directory\n");
  Mount m;
  s = sh(ipcfs + " -f " + m.root());
  EXPECT_EQ(s.status, 2);
  EXPECT_EQ(s.err, "ipcfs: mount point " + m.root() + ": ipcfs is already mounted there\n");
  EXPECT_EQ(sh("ls " + m.root()).out, "posix\nsysv\n");  // the first mount is untouched
  EXPECT_EQ(m.unmount(), 0);
}

}  // namespace
}  // namespace ipcfs::test
