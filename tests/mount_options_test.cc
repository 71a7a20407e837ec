// Unit tests of the mount(8) helper's pure parts: its command line, the options it drops and
// where it looks for the daemon.
#include <gtest/gtest.h>

#include <set>
#include <string>
#include <vector>

#include "mount_helper/mount_options.h"

namespace ipcfs::mount_helper {
namespace {

using Args = std::vector<std::string>;

TEST(MountOptions, DropsMountsOwnOptions) {
  EXPECT_EQ(filter_options("defaults,allow_other"), "allow_other");
  EXPECT_EQ(filter_options("user,users,nouser,auto,noauto,nofail,_netdev,owner,group"), "");
  EXPECT_EQ(filter_options("x-systemd.automount,x-foo=1,comment=hi there,helper=x,uhelper=y"), "");
  EXPECT_EQ(filter_options("user=alice,ro"), "ro");
  // Access-time options libfuse does not know: accepted and dropped (noatime and atime stay).
  EXPECT_EQ(filter_options("relatime,noatime,strictatime,lazytime,nodiratime,atime,diratime"),
            "noatime,atime");
  EXPECT_EQ(filter_options("norelatime,nostrictatime,nolazytime"), "");
  EXPECT_EQ(filter_options("rw,nosuid,nodev,allow_other,log_level=debug,max_threads=4"),
            "rw,nosuid,nodev,allow_other,log_level=debug,max_threads=4");
}

TEST(MountOptions, KeepsOrderAndDropsEmptyItems) {
  EXPECT_EQ(filter_options(""), "");
  EXPECT_EQ(filter_options(",,,"), "");
  EXPECT_EQ(filter_options(",b,,a,"), "b,a");
  EXPECT_EQ(filter_options("noauto,log_level=trace,nofail,allow_other"),
            "log_level=trace,allow_other");
}

TEST(MountOptions, OnlyExactWordsAndPrefixesAreMountOwn) {
  // Look-alikes belong to ipcfs (or to libfuse, which rejects them): never silently dropped.
  for (const char* o : {"users2", "xuser", "usr", "autox", "defaults=1", "nofailx", "_netdev2",
                        "owner=1", "groups", "x", "X-foo", "commentx", "comment"}) {
    EXPECT_FALSE(is_mount_own_option(o)) << o;
    EXPECT_EQ(filter_options(o), o);
  }
  for (const char* o : {"x-", "x-a=b", "comment=", "user=", "defaults", "_netdev"})
    EXPECT_TRUE(is_mount_own_option(o)) << o;
}

TEST(HelperArgs, TheMountContract) {
  HelperArgs a = parse_helper_args(Args{"ipcfs", "/mnt/ipc", "-o", "rw,allow_other"});
  ASSERT_EQ(a.error, "");
  EXPECT_EQ(a.source, "ipcfs");
  EXPECT_EQ(a.target, "/mnt/ipc");
  EXPECT_EQ(a.options, "rw,allow_other");
  EXPECT_FALSE(a.fake || a.verbose || a.sloppy || a.no_mtab);

  a = parse_helper_args(Args{"src", "/m", "-s", "-f", "-n", "-v", "-o", "a", "-o", "b", "-t",
                             "fuse.ipcfs", "-N", "1234"});
  ASSERT_EQ(a.error, "");
  EXPECT_TRUE(a.fake && a.verbose && a.sloppy && a.no_mtab);
  EXPECT_EQ(a.options, "a,b");
  EXPECT_EQ(a.type, "fuse.ipcfs");
  EXPECT_EQ(a.ns, "1234");

  a = parse_helper_args(Args{"src", "/m", "-fv", "-oallow_other"});
  ASSERT_EQ(a.error, "");
  EXPECT_TRUE(a.fake && a.verbose);
  EXPECT_FALSE(a.sloppy);
  EXPECT_EQ(a.options, "allow_other");
  EXPECT_EQ(a.target, "/m");
}

TEST(HelperArgs, PathsWithSpacesQuotesAndDashes) {
  HelperArgs a = parse_helper_args(Args{"-- odd'src", "/mnt/it's a dir", "-o", "ro"});
  ASSERT_EQ(a.error, "");
  EXPECT_EQ(a.source, "-- odd'src");
  EXPECT_EQ(a.target, "/mnt/it's a dir");
  // SPEC is any word, even one that looks like an option: it is never passed on.
  a = parse_helper_args(Args{"-o", "/m", "-o", "ro"});
  ASSERT_EQ(a.error, "");
  EXPECT_EQ(a.source, "-o");
  EXPECT_EQ(a.options, "ro");
  a = parse_helper_args(Args{"-", "/m"});
  ASSERT_EQ(a.error, "");
  EXPECT_EQ(a.source, "-");
}

TEST(HelperArgs, HostileCommandLines) {
  const std::vector<Args> bad = {
      {},
      {"only"},
      {"a", "b", "c"},
      {"a", "b", "-o"},
      {"a", "b", "-N"},
      {"a", "b", "-t"},
      {"a", "b", "-x"},
      {"a", "b", "-fz"},
      {"a", "b", "--help"},
      {"a", ""},
      {"a", "-o", "x"},
      {"a", "-dir"},
      {"-fv", "a", "/m"},
      {"a", "/m", "stray"},
      {"a", "/m", "-o", "x", "stray"},
      {"a", "/m", "--"},
      {"a", "/m", "-"},
      {"a", "/m", "-o", "remount,ro"},
      {"a", "/m", "-o", "ro", "-o", "remount"},
  };
  for (const Args& args : bad) {
    HelperArgs a = parse_helper_args(args);
    std::string joined;
    for (auto& s : args) joined += "[" + s + "]";
    EXPECT_NE(a.error, "") << joined;
  }
}

// mount -o remount would start a second daemon on the mount point: refused, with the way out.
TEST(HelperArgs, RemountIsRefusedClearly) {
  HelperArgs a = parse_helper_args({"ipcfs", "/mnt/ipc", "-o", "rw,remount"});
  EXPECT_EQ(a.error, "remount is not supported: umount /mnt/ipc and mount it again");
  EXPECT_EQ(parse_helper_args({"ipcfs", "/m", "-o", "remounts,x-remount"}).error, "");
}

TEST(HelperArgs, DaemonCommandLine) {
  HelperArgs a = parse_helper_args(
      Args{"ipcfs", "/mnt/ipc", "-o", "defaults,noauto,allow_other,x-systemd.requires=a"});
  ASSERT_EQ(a.error, "");
  EXPECT_EQ(daemon_argv("/usr/bin/ipcfs", a),
            (Args{"/usr/bin/ipcfs", "-o", "allow_other", "/mnt/ipc"}));
  a = parse_helper_args(Args{"-weird", "/m", "-o", "defaults,nofail"});
  ASSERT_EQ(a.error, "");
  // Nothing left to pass: no empty -o; and the source never reaches the daemon.
  EXPECT_EQ(daemon_argv("/b/ipcfs", a), (Args{"/b/ipcfs", "/m"}));
}

TEST(FindIpcfs, OrderIsBesideThenBindirThenPath) {
  std::set<std::string> present;
  auto exists = [&](const std::string& p) { return present.count(p) > 0; };
  present = {"/opt/x/ipcfs", "/usr/bin/ipcfs", "/p1/ipcfs", "/p2/ipcfs"};
  EXPECT_EQ(find_ipcfs("/opt/x", "/usr/bin", "/p1:/p2", exists), "/opt/x/ipcfs");
  present.erase("/opt/x/ipcfs");
  EXPECT_EQ(find_ipcfs("/opt/x", "/usr/bin", "/p1:/p2", exists), "/usr/bin/ipcfs");
  present.erase("/usr/bin/ipcfs");
  EXPECT_EQ(find_ipcfs("/opt/x", "/usr/bin", "/p1:/p2", exists), "/p1/ipcfs");
  present.erase("/p1/ipcfs");
  EXPECT_EQ(find_ipcfs("/opt/x", "/usr/bin", "/p1:/p2/", exists), "/p2/ipcfs");
  present.clear();
  EXPECT_EQ(find_ipcfs("/opt/x", "/usr/bin", "/p1:/p2", exists), "");
}

TEST(FindIpcfs, RelativeAndEmptyDirectoriesAreNeverSearched) {
  std::vector<std::string> asked;
  auto record = [&](const std::string& p) {
    asked.push_back(p);
    return false;
  };
  EXPECT_EQ(find_ipcfs("", "", ":.:bin::/ok:rel/dir:", record), "");
  EXPECT_EQ(asked, (std::vector<std::string>{"/ok/ipcfs"}));
  asked.clear();
  EXPECT_EQ(find_ipcfs("relative", "/", "", record), "");
  EXPECT_EQ(asked, (std::vector<std::string>{"/ipcfs"}));
}

}  // namespace
}  // namespace ipcfs::mount_helper
