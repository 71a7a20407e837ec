// sysv/shm: System V shared memory segments (SPEC §5.2). A segment's size is fixed when it is
// made, so reads and writes are copies from and to the daemon's own attachment, where writing
// past the end is ENOSPC; with FUSE passthrough, mmap maps the segment itself (the backing file
// is the daemon's attachment, reopened through /proc/self/map_files), and so do the reads of a
// read-only open, while the reads and writes of a writable open still come here, because the
// backing file alone would let a write grow it. Opening a segment file
// attaches it until the file is closed: nattch counts it, an `rm` waits for it. (A passthrough
// mapping keeps the memory itself, like a shmat() would, but not the file nor the attachment.)
#include <fcntl.h>
#include <spdlog/spdlog.h>
#include <sys/ipc.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <fstream>
#include <mutex>

#include "fs/kind.h"
#include "fs/reply.h"
#include "ipc/acting_as.h"
#include "ipc/fd.h"
#include "ipc/names.h"
#include "ipc/sysv_list.h"
#include "ipc/sysv_shm.h"

namespace ipcfs::fs {

namespace {

using ipc::ObjectStat;
using ipc::ShmAttachment;
using ipc::SysvShm;

// Bytes a not-yet-made segment may buffer in the daemon (and never more than SHMMAX).
constexpr uint64_t kMaxPendingBytes = 1ull << 30;

Result<int> parse_name_id(std::string_view name) {
  auto id = ipc::parse_id(name);
  if (!id) return Result<int>::failure(-ENOENT);
  return *id;
}

uint64_t shmmax() {
  uint64_t v = UINT64_MAX;
  std::ifstream f("/proc/sys/kernel/shmmax");
  f >> v;
  return v;
}

// A new segment made as CALLER, so that the kernel records it as the creator (cuid/cgid). The
// owner is set again afterwards, in case the daemon could not act as the caller (not root).
Result<int> create_as(const Caller& caller, key_t key, uint64_t size, mode_t mode) {
  ipc::ActingAs as(caller.uid, caller.gid);
  return SysvShm::create(key, size, mode);
}

// The daemon's attachment as a file of its own: what passthrough hands to the kernel.
UniqueFd open_backing(const ShmAttachment& a) {
  long page = ::sysconf(_SC_PAGESIZE);
  uintptr_t start = reinterpret_cast<uintptr_t>(a.data());
  uintptr_t end = start + (a.size() + size_t(page) - 1) / size_t(page) * size_t(page);
  char path[64];
  std::snprintf(path, sizeof path, "/proc/self/map_files/%lx-%lx",
                static_cast<unsigned long>(start), static_cast<unsigned long>(end));
  return UniqueFd(::open(path, O_RDONLY | O_CLOEXEC));
}

// An existing segment, attached for the life of the open.
class SysvShmFile : public OpenFile {
 public:
  SysvShmFile(ShmAttachment a, bool read_only) : a_(std::move(a)), backing_(open_backing(a_)) {
    backing_fd = backing_.get();
    backing_rw = read_only;
  }

  void read(fuse_req_t req, size_t size, off_t off) override {
    reply_slice(req, a_.data(), a_.size(), size, off);
  }

  void write(fuse_req_t req, const char* buf, size_t size, off_t off) override {
    Result<size_t> n = store(buf, size, off);
    if (!n) return reply_error(req, n.error());
    fuse_reply_write(req, *n);
  }

  // Copies what fits; -ENOSPC when nothing does (SPEC §5.2: past the end of a fixed size).
  Result<size_t> store(const char* buf, size_t size, off_t off) {
    if (size == 0) return size_t(0);
    if (off < 0 || uint64_t(off) >= a_.size()) return Result<size_t>::failure(-ENOSPC);
    size_t n = std::min(size, a_.size() - size_t(off));
    std::memcpy(a_.data() + off, buf, n);
    return n;
  }

  // The size is fixed: only a truncate to the same size (a no-op) succeeds.
  int truncate(uint64_t size) override { return size == a_.size() ? 0 : -EINVAL; }

  const ShmAttachment& attachment() const { return a_; }

 private:
  const ShmAttachment a_;
  const UniqueFd backing_;
};

// by-key/KEY opened before its segment exists (Kind::open_pending): the first ftruncate makes
// it with that size; bytes written before any truncate are kept here and, at the close(2) that
// follows them (FLUSH, which close waits for and which can report an error), make a segment
// holding exactly them. Nothing written and no truncate: nothing is made (a segment cannot be
// empty). A FLUSH comes at every close of any descriptor of the open, not only the last (a
// child that inherited it exits: `{ cat a; cat b; } > by-key/KEY`), so a segment made by one
// grows with later writes past its end: replaced by a larger one (a new id) as long as no one
// else has attached it. This open stays direct (it had no backing when it was opened).
class PendingShmFile : public OpenFile {
 public:
  PendingShmFile(key_t key, mode_t mode, Caller caller) : key_(key), mode_(mode), caller_(caller) {
    wants_flush = true;
  }

  // A close before any write (bash's dup-then-close of a redirection) makes nothing yet.
  int flush() override {
    std::lock_guard lock(mu_);
    if (made_ || bytes_.empty()) return 0;
    int e = make_locked(bytes_.size());
    grows_ = e == 0;
    return e;
  }

  void read(fuse_req_t req, size_t size, off_t off) override {
    std::lock_guard lock(mu_);
    if (made_) return made_->read(req, size, off);
    reply_slice(req, bytes_.data(), bytes_.size(), size, off);
  }

  void write(fuse_req_t req, const char* buf, size_t size, off_t off) override {
    std::lock_guard lock(mu_);
    if (off < 0) return reply_error(req, -EINVAL);
    uint64_t end = uint64_t(off) + size;
    // Read from /proc only when a write would grow something.
    auto most = [] { return std::min(kMaxPendingBytes, shmmax()); };
    if (made_) {
      if (grows_ && end > made_->attachment().size() && end <= most())
        if (int e = grow_locked(end); e < 0) return reply_error(req, e);
      return made_->write(req, buf, size, off);
    }
    if (end > most()) return reply_error(req, -ENOSPC);
    if (end > bytes_.size()) bytes_.resize(end);
    std::memcpy(bytes_.data() + off, buf, size);
    fuse_reply_write(req, size);
  }

  int truncate(uint64_t size) override {
    std::lock_guard lock(mu_);
    grows_ = false;  // a size asked for is the size
    if (made_) return made_->truncate(size);
    return make_locked(size);
  }

  void release() override {
    std::lock_guard lock(mu_);
    if (made_ || bytes_.empty()) return;
    // close(2) cannot report a failure here: say it in the log at least.
    if (int e = make_locked(bytes_.size()); e < 0)
      spdlog::warn("sysv-shm: segment for key {} not made at close: {}", ipc::format_key(key_),
                   std::strerror(-e));
  }

 private:
  int make_locked(uint64_t size) {
    mode_t mode = made_mode(mode_);
    auto id = create_as(caller_, key_, size, mode);
    if (!id) return id.error();
    // The caller owns what it creates, never the daemon (SPEC §7).
    int e = SysvShm::set(*id, caller_.uid, caller_.gid, mode);
    auto a = e < 0 ? Result<ShmAttachment>::failure(e) : ShmAttachment::attach(*id, false);
    if (!a) {
      (void)SysvShm::remove(*id);
      return a.error();
    }
    size_t n = std::min<size_t>(bytes_.size(), a->size());
    if (n > 0) std::memcpy(a->data(), bytes_.data(), n);  // made by a truncate: nothing kept
    bytes_.clear();
    bytes_.shrink_to_fit();
    made_ = std::make_unique<SysvShmFile>(std::move(*a), false);
    made_id_ = *id;
    return 0;
  }

  // Replaces the segment this file made by one of SIZE bytes holding the same bytes, unless
  // someone else has attached it (or its key) meanwhile: then it stays, and the write past its
  // end is ENOSPC as for any segment.
  int grow_locked(uint64_t size) {
    auto st = SysvShm::stat(made_id_);
    if (!st || st->nattch != 1 || st->key != key_) return 0;
    const ShmAttachment& a = made_->attachment();
    bytes_.assign(a.data(), a.data() + a.size());
    if (int e = SysvShm::remove(made_id_); e < 0) {
      bytes_.clear();
      return 0;
    }
    made_.reset();
    if (make_locked(size) == 0) return 0;
    // The key was taken meanwhile or SIZE is refused: the bytes (still in bytes_, which only a
    // success clears) go back into a segment of their own size, or stay for the next close.
    if (int e = make_locked(bytes_.size()); e < 0)
      spdlog::warn("sysv-shm: segment for key {} not made again after a failed growth: {}",
                   ipc::format_key(key_), std::strerror(-e));
    return -ENOSPC;  // what a write past the end of a segment gets
  }

  const key_t key_;
  const mode_t mode_;
  const Caller caller_;
  std::mutex mu_;  // a leaf lock
  std::vector<char> bytes_;
  std::unique_ptr<SysvShmFile> made_;
  int made_id_ = -1;
  bool grows_ = false;  // made_ was made by a FLUSH from the bytes written so far
};

class SysvShmKind : public Kind {
 public:
  std::string_view name() const override { return "sysv-shm"; }
  uint32_t allowed_options() const override { return kOptInfo | kOptSize | kOptExcl; }
  bool mappable() const override { return true; }
  // A segment's size never changes (SPEC §5.2), so unlike POSIX objects its attributes may be
  // cached like those of queues: changes by others show within a second. (A pending by-key
  // file, whose size does change when it makes the segment, is never cached: Filesystem.)
  double attr_timeout() const override { return 1.0; }
  bool keyed() const override { return true; }

  Result<std::vector<Listed>> list_stats() override { return listed(ipc::SysvShm::list_all()); }

  Result<std::string> find_key(key_t key) override {
    auto id = SysvShm::find(key);
    if (!id) return Result<std::string>::failure(id.error());
    return std::to_string(*id);
  }

  Result<ObjectStat> stat(std::string_view name) override {
    auto id = parse_name_id(name);
    if (!id) return Result<ObjectStat>::failure(id.error());
    auto st = SysvShm::stat(*id);
    if (!st) return Result<ObjectStat>::failure(st.error() == -EINVAL ? -ENOENT : st.error());
    return st->object;
  }

  // Segments are made through by-key/KEY only (create_keyed).
  Result<ObjectStat> create(std::string_view, const OpenOptions&, mode_t, const Caller&) override {
    return Result<ObjectStat>::failure(-EPERM);
  }

  Result<std::string> create_keyed(key_t key, const OpenOptions& o, mode_t mode,
                                   const Caller& caller) override {
    using R = Result<std::string>;
    auto found = SysvShm::find(key);
    if (found) return R::failure(-EEXIST);
    if (found.error() != -ENOENT) return R::failure(found.error());
    if (!o.has(kOptSize)) return std::string();  // made by the first truncate or at close
    auto id = create_as(caller, key, o.size, mode);
    if (!id) return R::failure(id.error());
    if (int e = SysvShm::set(*id, caller.uid, caller.gid, mode); e < 0) {
      (void)SysvShm::remove(*id);
      return R::failure(e);
    }
    return std::to_string(*id);
  }

  Result<FileRef> open_pending(key_t key, const OpenOptions&, mode_t mode, const Caller& caller,
                               int) override {
    return FileRef(std::make_shared<PendingShmFile>(key, mode, caller));
  }

  int remove(std::string_view name) override {
    auto id = parse_name_id(name);
    if (!id) return id.error();
    int e = SysvShm::remove(*id);
    return e == -EINVAL ? -ENOENT : e;
  }

  int set_mode(ObjectRef ref, mode_t mode) override {
    auto st = stat_id(ref.name);
    if (!st) return st.error();
    return SysvShm::set(int(st->object.serial), st->object.uid, st->object.gid, mode);
  }

  int set_owner(ObjectRef ref, uid_t uid, gid_t gid) override {
    auto st = stat_id(ref.name);
    if (!st) return st.error();
    const ObjectStat& o = st->object;
    return SysvShm::set(int(o.serial), uid == uid_t(-1) ? o.uid : uid,
                        gid == gid_t(-1) ? o.gid : gid, o.mode);
  }

  // `>` and truncate to the same size change nothing; any other size is EINVAL (SPEC §5.2).
  int truncate(ObjectRef ref, uint64_t size) override {
    auto st = stat_id(ref.name);
    if (!st) return st.error();
    return size == st->object.size ? 0 : -EINVAL;
  }

  Result<Facts> describe(ObjectRef obj) override {
    std::string_view name = obj.name;
    auto st = stat_id(name);
    if (!st) return Result<Facts>::failure(st.error());
    const ObjectStat& o = st->object;
    return Facts{{"kind", "sysv-shm"},
                 {"id", std::to_string(o.serial)},
                 {"key", ipc::format_key(st->key)},
                 {"mode", octal_mode(o.mode)},
                 {"uid", std::to_string(o.uid)},
                 {"gid", std::to_string(o.gid)},
                 {"cuid", std::to_string(o.cuid)},
                 {"cgid", std::to_string(o.cgid)},
                 {"size", std::to_string(o.size)},
                 {"nattch", std::to_string(st->nattch)},
                 {"cpid", std::to_string(st->cpid)},
                 {"lpid", std::to_string(st->lpid)},
                 {"atime", std::to_string(st->atime)},
                 {"dtime", std::to_string(st->dtime)},
                 {"ctime", std::to_string(st->ctime)},
                 {"dest", st->dest ? "yes" : "no"},
                 {"locked", st->locked ? "yes" : "no"}};
  }

  Result<FileRef> open(ObjectRef ref, const OpenOptions&, int flags) override {
    using R = Result<FileRef>;
    auto id = parse_name_id(ref.name);
    if (!id) return R::failure(id.error());
    // O_TRUNC changes nothing: the size is fixed (SPEC §5.2).
    bool read_only = (flags & O_ACCMODE) == O_RDONLY;
    auto a = ShmAttachment::attach(*id, read_only);
    if (!a) return R::failure(a.error() == -EINVAL ? -ENOENT : a.error());
    return FileRef(std::make_shared<SysvShmFile>(std::move(*a), read_only));
  }

 private:
  Result<ipc::ShmStat> stat_id(std::string_view name) {
    auto id = parse_name_id(name);
    if (!id) return Result<ipc::ShmStat>::failure(id.error());
    auto st = SysvShm::stat(*id);
    if (!st) return Result<ipc::ShmStat>::failure(st.error() == -EINVAL ? -ENOENT : st.error());
    return st;
  }
};

}  // namespace

std::unique_ptr<Kind> make_sysv_shm_kind(Watcher&) {
  return std::make_unique<SysvShmKind>();
}

}  // namespace ipcfs::fs
