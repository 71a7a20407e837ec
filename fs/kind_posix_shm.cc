// posix/shm: POSIX shared memory objects (SPEC §5.2), resizable exactly like files on /dev/shm.
// Reads are answered from a mapping of the object (no buffer per request), writes are pwrite()s
// (so writing past the end grows it, and a concurrent shrink cannot fault the daemon), and with
// FUSE passthrough read, write and mmap go straight to the object in the kernel.
#include <fcntl.h>
#include <sys/mman.h>

#include <cstdio>
#include <mutex>
#include <shared_mutex>
#include <vector>

#include "fs/kind.h"
#include "fs/reply.h"
#include "ipc/posix_shm.h"

namespace ipcfs::fs {

namespace {

using ipc::ObjectStat;
using ipc::PosixShm;

class PosixShmFile : public OpenFile {
 public:
  explicit PosixShmFile(PosixShm shm) : shm_(std::move(shm)) { backing_fd = shm_.fd(); }
  ~PosixShmFile() override {
    if (map_) ::munmap(map_, map_len_);
  }

  void read(fuse_req_t req, size_t size, off_t off) override {
    auto st = shm_.stat();
    if (!st) return reply_error(req, st.error());
    uint64_t len = st->size;
    if (off < 0 || uint64_t(off) >= len || size == 0) return (void)fuse_reply_buf(req, nullptr, 0);
    {
      // The reply is copied out of the mapping by the kernel, under the lock, so a remap cannot
      // pull it away. A concurrent shrink by another process makes that copy fail: EIO, no fault.
      std::shared_lock lock(mu_);
      if (map_len_ >= len) return reply_slice(req, static_cast<char*>(map_), len, size, off);
    }
    std::unique_lock lock(mu_);
    if (map_len_ < len) {
      if (map_) ::munmap(map_, map_len_);
      map_ = nullptr;
      map_len_ = 0;
      void* p = ::mmap(nullptr, len, PROT_READ, MAP_SHARED, shm_.fd(), 0);
      // Larger than the address space can hold (a sparse object of terabytes): copied instead.
      if (p == MAP_FAILED) {
        lock.unlock();
        return read_copy(req, size, off);
      }
      map_ = p;
      map_len_ = len;
    }
    reply_slice(req, static_cast<char*>(map_), len, size, off);
  }

  void write(fuse_req_t req, const char* buf, size_t size, off_t off) override {
    ssize_t n = ::pwrite(shm_.fd(), buf, size, off);
    if (n < 0) return reply_error(req, neg_errno());
    fuse_reply_write(req, size_t(n));
  }

  int truncate(uint64_t size) override { return shm_.truncate(size); }

 private:
  void read_copy(fuse_req_t req, size_t size, off_t off) {
    thread_local std::vector<char> buf;
    buf.resize(size);
    ssize_t n = ::pread(shm_.fd(), buf.data(), size, off);
    if (n < 0) return reply_error(req, neg_errno());
    fuse_reply_buf(req, buf.data(), size_t(n));
    if (buf.capacity() > kKeptBuffer) std::vector<char>().swap(buf);
  }

  static constexpr size_t kKeptBuffer = 64 * 1024;  // larger per-thread buffers are not kept
  const PosixShm shm_;
  std::shared_mutex mu_;  // guards the mapping; a leaf lock
  void* map_ = nullptr;
  size_t map_len_ = 0;
};

// NAME opened with OFLAG, if it is still the object OBJ means.
Result<PosixShm> open_checked(ObjectRef obj, int oflag) {
  auto shm = PosixShm::open(obj.name, oflag);
  if (!shm) return shm;
  auto st = shm->stat();
  if (!st) return Result<PosixShm>::failure(st.error());
  if (!obj.is(st->serial)) return Result<PosixShm>::failure(-ESTALE);
  return shm;
}

class PosixShmKind : public Kind {
 public:
  std::string_view name() const override { return "posix-shm"; }
  uint32_t allowed_options() const override { return kOptInfo | kOptSize | kOptExcl; }
  bool mappable() const override { return true; }
  double attr_timeout() const override { return 0.0; }

  Result<std::vector<Listed>> list_stats() override { return stat_each(*this, PosixShm::list()); }
  Result<ObjectStat> stat(std::string_view name) override { return PosixShm::stat_name(name); }

  Result<ObjectStat> create(std::string_view name, const OpenOptions& o, mode_t mode,
                            const Caller& caller) override {
    auto shm = PosixShm::open(name, O_RDWR | O_CREAT | O_EXCL, mode & 07777);
    if (shm) {
      // The caller owns what it creates, never the daemon (SPEC §7); @size is its length.
      int e = shm->chown(caller.uid, caller.gid);
      if (e == 0 && o.has(kOptSize)) e = shm->truncate(o.size);
      if (e < 0) {
        (void)PosixShm::unlink(name);
        return Result<ObjectStat>::failure(e);
      }
    }
    if (!shm) return Result<ObjectStat>::failure(shm.error());
    return shm->stat();
  }

  int remove(std::string_view name) override { return PosixShm::unlink(name); }

  int set_mode(ObjectRef obj, mode_t mode) override {
    auto shm = open_checked(obj, O_RDONLY);
    return shm ? shm->chmod(mode) : shm.error();
  }
  int set_owner(ObjectRef obj, uid_t uid, gid_t gid) override {
    auto shm = open_checked(obj, O_RDONLY);
    return shm ? shm->chown(uid, gid) : shm.error();
  }
  int truncate(ObjectRef obj, uint64_t size) override {
    auto shm = open_checked(obj, O_RDWR);
    return shm ? shm->truncate(size) : shm.error();
  }

  Result<Facts> describe(ObjectRef obj) override {
    std::string_view name = obj.name;
    auto st = PosixShm::stat_name(name);
    if (!st) return Result<Facts>::failure(st.error());
    if (!obj.is(st->serial)) return Result<Facts>::failure(-ESTALE);
    return Facts{{"kind", "posix-shm"},
                 {"name", "/" + std::string(name)},
                 {"mode", octal_mode(st->mode)},
                 {"uid", std::to_string(st->uid)},
                 {"gid", std::to_string(st->gid)},
                 {"size", std::to_string(st->size)}};
  }

  Result<FileRef> open(ObjectRef obj, const OpenOptions&, int flags) override {
    using R = Result<FileRef>;
    // shm_open knows no O_WRONLY. `>` (O_TRUNC) empties it as on /dev/shm, once it is known to
    // be the object the kernel checked, and before the open is answered.
    bool writing = (flags & O_ACCMODE) != O_RDONLY;
    auto shm = open_checked(obj, writing ? O_RDWR : O_RDONLY);
    if (!shm) return R::failure(shm.error());
    if (writing && (flags & O_TRUNC))
      if (int e = shm->truncate(0); e < 0) return R::failure(e);
    return FileRef(std::make_shared<PosixShmFile>(std::move(*shm)));
  }
};

}  // namespace

std::unique_ptr<Kind> make_posix_shm_kind(Watcher&) {
  return std::make_unique<PosixShmKind>();
}

}  // namespace ipcfs::fs
