// mount.ipcfs: the mount(8) helper for filesystem type "ipcfs" (installed also as
// mount.fuse.ipcfs for type "fuse.ipcfs"). It drops the options that belong to mount(8) and
// replaces itself with the ipcfs daemon through execv: no shell, so no quoting to get wrong.
// The daemon mounts before it detaches, so mount(8) returns once the filesystem is usable, and
// its exit status (see ipcfs(8)) is mount's.
#include <fcntl.h>
#include <sched.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>
#include <vector>

#include "mount_helper/mount_options.h"

#ifndef IPCFS_BINDIR
#define IPCFS_BINDIR "/usr/bin"
#endif
#ifndef IPCFS_VERSION
#define IPCFS_VERSION "unknown"
#endif

using namespace ipcfs::mount_helper;

namespace {

// The helper's own failures use the exit codes of ipcfs(8), which it otherwise passes on.
constexpr int kExitUsage = 1;
constexpr int kExitMount = 2;

void usage(FILE* to, const char* prog) {
  std::fprintf(to,
               "usage: %s SPEC DIR [-sfnv] [-N NAMESPACE] [-o OPTIONS]\n\n"
               "The mount(8) helper of ipcfs: runs `ipcfs -o OPTIONS DIR` without mount(8)'s own\n"
               "options (defaults, auto, noauto, user, users, nouser, owner, group, nofail,\n"
               "_netdev, comment=, x-*). -f shows the command without running it, -v shows it\n"
               "and runs it, -s and -n are accepted and do nothing.\n"
               "Exit status: that of ipcfs (0 mounted, 1 usage, 2 cannot mount).\n",
               prog);
}

std::string self_dir(const char* argv0) {
  char buf[PATH_MAX];
  ssize_t n = ::readlink("/proc/self/exe", buf, sizeof buf - 1);
  std::string path = n > 0 ? std::string(buf, size_t(n)) : std::string(argv0);
  size_t slash = path.rfind('/');
  return slash == std::string::npos ? std::string() : path.substr(0, slash);
}

bool is_executable_file(const std::string& path) {
  struct stat st;
  return ::stat(path.c_str(), &st) == 0 && S_ISREG(st.st_mode) && ::access(path.c_str(), X_OK) == 0;
}

// Enters the mount namespace NS (a PID or a namespace file), as mount -N asks.
bool enter_namespace(const std::string& ns, const char* prog) {
  bool pid = ns.find_first_not_of("0123456789") == std::string::npos;
  std::string path = pid ? "/proc/" + ns + "/ns/mnt" : ns;
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0 || ::setns(fd, CLONE_NEWNS) != 0) {
    std::fprintf(stderr, "%s: cannot enter mount namespace %s: %s\n", prog, path.c_str(),
                 std::strerror(errno));
    if (fd >= 0) ::close(fd);
    return false;
  }
  ::close(fd);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  const char* prog = std::strrchr(argv[0], '/') ? std::strrchr(argv[0], '/') + 1 : argv[0];
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.size() == 1 && (args[0] == "-h" || args[0] == "--help")) {
    usage(stdout, prog);
    return 0;
  }
  if (args.size() == 1 && (args[0] == "-V" || args[0] == "--version")) {
    std::printf("%s (ipcfs %s)\n", prog, IPCFS_VERSION);
    return 0;
  }
  HelperArgs a = parse_helper_args(args);
  if (!a.error.empty()) {
    std::fprintf(stderr, "%s: %s\n", prog, a.error.c_str());
    usage(stderr, prog);
    return kExitUsage;
  }

  const char* path_env = std::getenv("PATH");
  std::string ipcfs =
      find_ipcfs(self_dir(argv[0]), IPCFS_BINDIR, path_env ? path_env : "", is_executable_file);
  if (ipcfs.empty()) {
    std::fprintf(stderr, "%s: cannot find the ipcfs program (beside %s, in %s or in PATH)\n", prog,
                 prog, IPCFS_BINDIR);
    return kExitMount;
  }
  std::vector<std::string> cmd = daemon_argv(ipcfs, a);
  if (a.verbose || a.fake) {
    std::string line;
    for (const std::string& w : cmd) line += (line.empty() ? "" : " ") + w;
    std::fprintf(stderr, "%s: %s%s\n", prog, a.fake ? "would run: " : "running: ", line.c_str());
  }
  if (a.fake) return 0;

  std::vector<char*> cargv;
  for (std::string& w : cmd) cargv.push_back(w.data());
  cargv.push_back(nullptr);
  if (!a.ns.empty()) {
    // The program is opened here: it need not exist in the namespace the mount goes to.
    int exe = ::open(ipcfs.c_str(), O_RDONLY | O_CLOEXEC);
    if (exe < 0 || !enter_namespace(a.ns, prog)) return kExitMount;
    ::fexecve(exe, cargv.data(), environ);
  } else {
    ::execv(ipcfs.c_str(), cargv.data());
  }
  std::fprintf(stderr, "%s: cannot run %s: %s\n", prog, ipcfs.c_str(), std::strerror(errno));
  return kExitMount;
}
