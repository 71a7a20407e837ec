// The pure part of mount.ipcfs: the mount(8) helper command line, the options that belong to
// mount(8) rather than to ipcfs, and where to find the ipcfs program. No FUSE, no side effects,
// so that all of it is unit-tested.
#pragma once

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ipcfs::mount_helper {

// mount.ipcfs SPEC DIR [-sfnv] [-N NAMESPACE] [-o OPTS] [-t TYPE]
struct HelperArgs {
  std::string source;    // SPEC: ignored by ipcfs (any word, "ipcfs" by convention)
  std::string target;    // DIR
  std::string options;   // every -o joined with ','
  std::string ns;        // -N: a mount namespace (PID or path) to mount in
  std::string type;      // -t: passed by mount(8) for fuse.ipcfs; not needed
  bool fake = false;     // -f: do everything but mount
  bool verbose = false;  // -v: show the command that is run
  bool sloppy = false;   // -s: accepted, no effect
  bool no_mtab = false;  // -n: accepted, no effect (there is no /etc/mtab to write)
  std::string error;     // set when the command line is unusable
};

HelperArgs parse_helper_args(const std::vector<std::string>& args);

// True for an option that mount(8) (or fstab, or systemd) interprets itself and that must not
// reach the daemon: defaults, auto, noauto, user, user=NAME, users, nouser, owner, group,
// nofail, _netdev, comment=..., x-..., helper=..., uhelper=...
bool is_mount_own_option(std::string_view opt);

// True for an access-time option libfuse does not know (relatime, strictatime, lazytime,
// nodiratime and their opposites): accepted so that fstab lines carrying them work, and
// dropped, since ipcfs shows each object's own times and the kernel keeps none for it.
bool is_ignored_atime_option(std::string_view opt);

// OPTS ("a,b=c,...") without mount(8)'s own options, ignored access-time options and empty
// items, in the same order. ipcfs applies it to its own -o options too (mount.fuse3 passes
// fstab's options unfiltered).
std::string filter_options(std::string_view opts);

// The argv of the daemon: IPCFS [-o FILTERED] DIR. The source is not passed: ipcfs ignores it,
// and a source starting with '-' would otherwise read as an option.
std::vector<std::string> daemon_argv(const std::string& ipcfs, const HelperArgs& a);

// The ipcfs program: SELF_DIR/ipcfs (beside mount.ipcfs), else BINDIR/ipcfs, else the first
// absolute directory of PATH_ENV holding it. "" if none is executable (per IS_EXECUTABLE).
std::string find_ipcfs(std::string_view self_dir, std::string_view bindir,
                       std::string_view path_env,
                       const std::function<bool(const std::string&)>& is_executable);

}  // namespace ipcfs::mount_helper
