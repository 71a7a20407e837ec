// NullFs: a FUSE file whose operations cost nothing but the round trip.
#include "bench/null_fs.h"

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstring>
#include <stdexcept>

#include "fs/cmdline.h"

namespace ipcfs::bench {

namespace {

// The tree: a/b/f, as deep as ipcfs's object files (posix/mq/NAME, sysv/shm/ID, ...). The
// kernel revalidates each component of a path on every open: a floor file at the root would
// leave that cost, which any filesystem with the same tree pays, in ipcfs's share.
constexpr fuse_ino_t kFile = 2;
constexpr fuse_ino_t kDirA = 3;
constexpr fuse_ino_t kDirB = 4;
constexpr double kEntryTimeout = 1.0;  // as ipcfs for objects
constexpr double kAttrTimeout = 1.0;   // libfuse's default
constexpr double kDirTimeout = 60.0;   // as ipcfs for its fixed directories

void fill(fuse_ino_t ino, struct stat* st) {
  std::memset(st, 0, sizeof *st);
  st->st_ino = ino;
  st->st_mode = ino == kFile ? S_IFREG | 0666 : S_IFDIR | 0755;
  st->st_nlink = 1;
}

void nl_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  fuse_ino_t ino = 0;
  if (parent == FUSE_ROOT_ID && std::strcmp(name, "a") == 0) ino = kDirA;
  if (parent == kDirA && std::strcmp(name, "b") == 0) ino = kDirB;
  if (parent == kDirB && std::strcmp(name, "f") == 0) ino = kFile;
  if (ino == 0) {
    fuse_reply_err(req, ENOENT);
    return;
  }
  fuse_entry_param e{};
  e.ino = ino;
  e.entry_timeout = ino == kFile ? kEntryTimeout : kDirTimeout;
  e.attr_timeout = ino == kFile ? kAttrTimeout : kDirTimeout;
  fill(ino, &e.attr);
  fuse_reply_entry(req, &e);
}
void nl_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info*) {
  struct stat st;
  fill(ino, &st);
  fuse_reply_attr(req, &st, ino == kFile ? kAttrTimeout : kDirTimeout);
}
void nl_open(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  fi->direct_io = 1;
  fi->noflush = 1;
  fuse_reply_open(req, fi);
}
void nl_read(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info*) {
  static const char kData[] = "x\n";
  if (off >= 2) {
    fuse_reply_buf(req, nullptr, 0);
    return;
  }
  fuse_reply_buf(req, kData + off, std::min<size_t>(size, size_t(2 - off)));
}
void nl_write(fuse_req_t req, fuse_ino_t, const char*, size_t size, off_t, fuse_file_info*) {
  fuse_reply_write(req, size);
}
void nl_release(fuse_req_t req, fuse_ino_t, fuse_file_info*) {
  fuse_reply_err(req, 0);
}
// Extended attributes as ipcfs has them (SPEC §6): only user.*, none set. Without getxattr the
// kernel would stop asking after the first ENOSYS and spare the floor the security.capability
// query that every truncating open (the shell's `>`) costs a filesystem with attributes.
void nl_getxattr(fuse_req_t req, fuse_ino_t, const char* name, size_t) {
  fuse_reply_err(req, std::strncmp(name, "user.", 5) == 0 ? ENODATA : EOPNOTSUPP);
}
void nl_setattr(fuse_req_t req, fuse_ino_t ino, struct stat*, int, fuse_file_info* fi) {
  nl_getattr(req, ino, fi);
}

}  // namespace

NullFs::NullFs(int max_threads) {
  char tmpl[] = "/tmp/ipcfs-nullfs.XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp");
  root_ = tmpl;
  static fuse_lowlevel_ops ops = [] {
    fuse_lowlevel_ops o{};
    o.lookup = nl_lookup;
    o.getattr = nl_getattr;
    o.setattr = nl_setattr;
    o.open = nl_open;
    o.read = nl_read;
    o.write = nl_write;
    o.release = nl_release;
    o.getxattr = nl_getxattr;
    return o;
  }();
  // A process of its own, like the ipcfs daemon: serving from a thread of the benchmark itself
  // would make every round trip a cheaper same-process switch and flatter the floor.
  pid_ = ::fork();
  if (pid_ < 0) throw std::runtime_error("fork");
  if (pid_ == 0) {
    const char* argv[] = {"nullfs", "-o", "default_permissions,fsname=nullfs", nullptr};
    fuse_args args = FUSE_ARGS_INIT(3, const_cast<char**>(argv));
    fuse_session* se = fuse_session_new(&args, &ops, sizeof ops, nullptr);
    if (!se || fuse_session_mount(se, root_.c_str()) != 0) ::_exit(1);
    fuse_loop_config* cfg = fuse_loop_cfg_create();
    fuse_loop_cfg_set_max_threads(
        cfg, max_threads > 0 ? unsigned(max_threads) : fs::default_max_threads());
    fuse_session_loop_mt(se, cfg);  // until the parent unmounts
    fuse_loop_cfg_destroy(cfg);
    fuse_session_destroy(se);
    ::_exit(0);
  }
  // Wait until the kernel answers through it.
  struct stat st;
  for (int i = 0; i < 500 && ::stat(file().c_str(), &st) != 0; ++i) ::usleep(10000);
  if (::stat(file().c_str(), &st) != 0) throw std::runtime_error("nullfs: not mounted");
}

NullFs::~NullFs() {
  ::umount2(root_.c_str(), MNT_DETACH);
  ::waitpid(pid_, nullptr, 0);
  ::rmdir(root_.c_str());
}

}  // namespace ipcfs::bench
