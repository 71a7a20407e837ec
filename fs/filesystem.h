// Filesystem: the §3 tree and every FUSE operation, mapped onto the Kinds. Handlers reply
// through fs/reply.h; this is the only layer that sees both libfuse and the kinds.
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include <array>
#include <atomic>
#include <memory>
#include <string>
#include <vector>

#include "fs/handles.h"
#include "fs/inode_table.h"
#include "fs/kind.h"
#include "fs/notifier.h"
#include "fs/passthrough.h"
#include "fs/watcher.h"

namespace ipcfs::fs {

enum KindIndex { kPosixMq, kPosixShm, kPosixSem, kSysvMsg, kSysvShm, kSysvSem, kKindCount };

// One directory of the fixed tree (SPEC §3).
struct Dir {
  fuse_ino_t ino;
  fuse_ino_t parent;
  const char* name;
  int kind;     // KindIndex of the objects it holds, -1 for the upper levels
  bool by_key;  // sysv/*/by-key
};

// The fixed tree (SPEC §3).
inline constexpr Dir kDirs[] = {
    {kRootIno, kRootIno, "", -1, false},
    {kPosixIno, kRootIno, "posix", -1, false},
    {kSysvIno, kRootIno, "sysv", -1, false},
    {kPosixMqIno, kPosixIno, "mq", kPosixMq, false},
    {kPosixShmIno, kPosixIno, "shm", kPosixShm, false},
    {kPosixSemIno, kPosixIno, "sem", kPosixSem, false},
    {kSysvMsgIno, kSysvIno, "msg", kSysvMsg, false},
    {kSysvShmIno, kSysvIno, "shm", kSysvShm, false},
    {kSysvSemIno, kSysvIno, "sem", kSysvSem, false},
    {kSysvMsgKeysIno, kSysvMsgIno, "by-key", kSysvMsg, true},
    {kSysvShmKeysIno, kSysvShmIno, "by-key", kSysvShm, true},
    {kSysvSemKeysIno, kSysvSemIno, "by-key", kSysvSem, true},
};

// One entry of a directory listing. Object entries carry the attributes they were listed with,
// which readdirplus hands to the kernel.
struct DirItem {
  std::string name;
  fuse_ino_t ino;
  mode_t type;  // S_IFDIR, S_IFREG or S_IFLNK
  ipc::ObjectStat st;
};

// An open directory: its listing, taken when it is read from offset 0.
struct DirHandle {
  std::vector<DirItem> items;
};

// Who asks, from fuse_req_ctx().
Caller caller_of(fuse_req_t req);

struct Timeouts {
  double entry = 1.0;  // objects made or removed elsewhere show within a second (SPEC §3)
  double dir = 60.0;   // the fixed tree never changes
};

class Filesystem {
 public:
  Filesystem();
  ~Filesystem();

  static const fuse_lowlevel_ops& ops();
  Watcher& watcher() { return watcher_; }
  Notifier& notifier() { return notifier_; }
  // Releases the opens the kernel never gave back (it drops queued RELEASEs at unmount).
  void release_all();
  // The session, for notifications to the kernel; set once it exists.
  void set_session(fuse_session* se) { se_ = se; }
  // -o ro: the kernel refuses writes; reads that would consume messages are refused here.
  void set_read_only(bool ro) { read_only_ = ro; }
  Passthrough& passthrough() { return passthrough_; }
  const InodeTable& inodes() const { return inodes_; }

  void init(fuse_conn_info* conn);
  void lookup(fuse_req_t req, fuse_ino_t parent, const char* name);
  void forget(fuse_ino_t ino, uint64_t n);
  // FI: the open file of an fstat, nullptr for a stat by name.
  void getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi = nullptr);
  void setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi);
  void readlink(fuse_req_t req, fuse_ino_t ino);
  void mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode);
  void unlink(fuse_req_t req, fuse_ino_t parent, const char* name);
  void open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, fuse_file_info* fi);
  void release(fuse_req_t req, fuse_file_info* fi);
  void opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi);
  void readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
  // readdir with each entry's attributes: `ls -l` of thousands of objects costs no lookup each.
  void readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi);
  void releasedir(fuse_req_t req, fuse_file_info* fi);
  void statfs(fuse_req_t req);
  void getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size);
  void setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size,
                int flags);
  void listxattr(fuse_req_t req, fuse_ino_t ino, size_t size);

 private:
  static const Dir* find_dir(fuse_ino_t ino);
  // readdir and readdirplus; PLUS adds each entry's attributes and counts it as a lookup.
  void list_dir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi,
                bool plus);
  // The listing of DIR (taken when it is read from offset 0) into HANDLE_ITEMS.
  int take_listing(const Dir& dir, std::vector<DirItem>& items);
  // Has the kernel drop its entries of DIR for the nodes GONE (Notifier).
  void drop_entries(const Dir& dir, const std::vector<std::shared_ptr<const Node>>& gone);
  // Has the kernel look NODE's name up again (it turned busy: BusyCount).
  void look_up_again(const Node& node);
  // Resolves NAME in object directory DIR to a node (counted as a lookup if COUNT).
  Result<std::shared_ptr<const Node>> resolve(const Dir& dir, std::string_view name,
                                              ipc::ObjectStat* st);
  // Makes NAME in DIR; the entry it replies with counts as a lookup.
  Result<std::shared_ptr<const Node>> make(fuse_req_t req, const Dir& dir, std::string_view name,
                                           mode_t mode, int flags, ipc::ObjectStat* st);
  // Resolves KEY[@options] in by-key directory DIR to a symlink node.
  Result<std::shared_ptr<const Node>> resolve_key(const Dir& dir, std::string_view name,
                                                  ipc::ObjectStat* st);
  Result<FileRef> open_node(const Node& node, int flags);
  // Hands FILE to the kernel's open (fi->fh) with its flags and, if it has one, its backing.
  void set_open(fuse_req_t req, const std::shared_ptr<const Node>& node, FileRef file,
                fuse_file_info* fi);
  // Ends the kernel's handle fi->fh; the file is the caller's to release().
  FileRef take_open(fuse_file_info* fi);
  // Undoes set_open() when the open reply could not be sent.
  void drop_open(fuse_file_info* fi);
  // Kind::describe() plus the facts of the daemon itself.
  Result<Facts> facts(const Node& node);
  // The object a node stands for: its name, or for a pending node the id made since ("" if none).
  std::string object_of(const Node& node);
  double attr_timeout(const Node& node) const;
  void fill_entry(const Node& node, const ipc::ObjectStat& st, fuse_entry_param* e) const;
  void fill_dir_attr(const Dir& dir, struct stat* out) const;
  void fill_attr(const Node& node, const ipc::ObjectStat& st, struct stat* out) const;
  Result<ipc::ObjectStat> stat_node(const Node& node);
  Kind* kind_of(const Node& node) const { return kinds_[node.kind].get(); }

  Watcher watcher_;
  Notifier notifier_;
  Passthrough passthrough_;
  InodeTable inodes_;
  Handles<FileRef> files_;   // fi->fh of open files
  Handles<DirHandle> dirs_;  // fi->fh of open directories
  std::array<std::unique_ptr<Kind>, kKindCount> kinds_;
  Timeouts timeouts_;
  fuse_session* se_ = nullptr;
  std::atomic<uint64_t> pending_serial_{0};  // tells pending by-key nodes apart
  bool read_only_ = false;
  uid_t owner_uid_;
  gid_t owner_gid_;
  timespec started_{};  // the directories' times
};

}  // namespace ipcfs::fs
