// FUSE passthrough: the reply patching for libfuse 3.14, backing ids, and the mode decision.
// The wire layouts are the kernel's UAPI (linux/fuse.h); where the installed header predates
// passthrough (protocol 7.40), the missing names are defined here from the kernel's values.
#include "fs/passthrough.h"

#include <linux/fuse.h>
#include <spdlog/spdlog.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstddef>
#include <cstring>

#include "fs/filesystem.h"
#include "ipc/fd.h"

#ifndef FUSE_PASSTHROUGH
#define FUSE_PASSTHROUGH (1ULL << 37)
#endif
#ifndef FOPEN_STREAM
#define FOPEN_STREAM (1 << 4)
#endif
#ifndef FOPEN_PASSTHROUGH
#define FOPEN_PASSTHROUGH (1 << 7)
#endif
#ifndef FUSE_DEV_IOC_BACKING_OPEN
struct fuse_backing_map {
  int32_t fd;
  uint32_t flags;
  uint64_t padding;
};
#define FUSE_DEV_IOC_BACKING_OPEN _IOW(FUSE_DEV_IOC_MAGIC, 1, struct fuse_backing_map)
#define FUSE_DEV_IOC_BACKING_CLOSE _IOW(FUSE_DEV_IOC_MAGIC, 2, uint32_t)
#endif

namespace ipcfs::fs {

namespace wire {

namespace {

// Before 7.40 the fields passthrough uses were reserved: same offsets, other names.
#if FUSE_KERNEL_MINOR_VERSION >= 40
uint32_t& max_stack_depth(fuse_init_out& o) {
  return o.max_stack_depth;
}
int32_t& backing_id(fuse_open_out& o) {
  return o.backing_id;
}
#else
static_assert(offsetof(fuse_init_out, unused) == offsetof(fuse_init_out, flags2) + 4);
uint32_t& max_stack_depth(fuse_init_out& o) {
  return o.unused[0];
}
static_assert(offsetof(fuse_open_out, padding) == 12);
int32_t& backing_id(fuse_open_out& o) {
  return reinterpret_cast<int32_t&>(o.padding);
}
#endif

// Open flags the kernel accepts together with FOPEN_PASSTHROUGH (fs/fuse/iomode.c).
constexpr uint32_t kPassthroughOpenFlags =
    FOPEN_PASSTHROUGH | FOPEN_DIRECT_IO | FOPEN_PARALLEL_DIRECT_WRITES | FOPEN_NOFLUSH;

// The flags of an INIT request: flags2 only counts when the kernel sets FUSE_INIT_EXT.
uint64_t init_flags(const fuse_init_in& in) {
  uint64_t f = in.flags;
  if (f & FUSE_INIT_EXT) f |= uint64_t(in.flags2) << 32;
  return f;
}

}  // namespace

std::optional<Request> parse_request(const void* buf, size_t len) {
  fuse_in_header h;
  if (len < sizeof h) return std::nullopt;
  std::memcpy(&h, buf, sizeof h);
  Request r;
  r.unique = h.unique;
  switch (h.opcode) {
    case FUSE_INIT: {
      r.op = Op::kInit;
      fuse_init_in in{};
      std::memcpy(&in, static_cast<const char*>(buf) + sizeof h,
                  std::min(sizeof in, len - sizeof h));
      r.offers_passthrough = (init_flags(in) & FUSE_PASSTHROUGH) != 0;
      break;
    }
    case FUSE_OPEN:
      r.op = Op::kOpen;
      break;
    case FUSE_CREATE:
      r.op = Op::kCreate;
      break;
    default:
      break;
  }
  return r;
}

bool parse_reply(const void* header, size_t len, uint64_t* unique, int32_t* error) {
  fuse_out_header h;
  if (len < sizeof h) return false;
  std::memcpy(&h, header, sizeof h);
  *unique = h.unique;
  *error = h.error;
  return true;
}

bool request_passthrough(void* init_out, size_t len) {
  fuse_init_out o;
  if (len < sizeof o) return false;
  std::memcpy(&o, init_out, sizeof o);
  if (!(o.flags & FUSE_INIT_EXT) || (o.flags & FUSE_WRITEBACK_CACHE)) return false;
  o.flags2 |= uint32_t(FUSE_PASSTHROUGH >> 32);
  // A passthrough write first clears privileges on the FUSE file (file_remove_privs), which
  // without this costs a GETXATTR(security.capability) round trip per write. Objects carry no
  // file capabilities, and the backing tmpfs file clears its own set-id bits.
  o.flags |= FUSE_HANDLE_KILLPRIV_V2;
  max_stack_depth(o) = 1;
  std::memcpy(init_out, &o, sizeof o);
  return true;
}

std::optional<uint64_t> open_fh(const void* body, size_t len) {
  fuse_open_out o;
  if (len < sizeof o) return std::nullopt;
  std::memcpy(&o, static_cast<const char*>(body) + len - sizeof o, sizeof o);
  return o.fh;
}

bool add_open_flags(void* body, size_t len, uint32_t flags) {
  fuse_open_out o;
  if (len < sizeof o) return false;
  char* at = static_cast<char*>(body) + len - sizeof o;
  std::memcpy(&o, at, sizeof o);
  o.open_flags |= flags;
  std::memcpy(at, &o, sizeof o);
  return true;
}

bool set_backing(void* body, size_t len, int32_t id) {
  fuse_open_out o;
  if (len < sizeof o || id <= 0) return false;
  char* at = static_cast<char*>(body) + len - sizeof o;
  std::memcpy(&o, at, sizeof o);
  o.open_flags = (o.open_flags & kPassthroughOpenFlags) | FOPEN_PASSTHROUGH;
  backing_id(o) = id;
  std::memcpy(at, &o, sizeof o);
  return true;
}

}  // namespace wire

namespace {

#if FUSE_VERSION < 317
// What the reply to the request this worker thread serves needs. libfuse serves each request in
// the thread that read it, and INIT, OPEN and CREATE are answered before their handler returns,
// so this never leaves its thread: the hot path (every request and reply) takes no lock.
struct PendingReply {
  uint64_t unique = 0;  // the INIT, OPEN or CREATE being served; 0: none
  wire::Op op = wire::Op::kOther;
  bool offers = false;  // INIT: the kernel can do passthrough
  uint64_t fh = 0;      // OPEN/CREATE: the open whose reply is patched
  int32_t backing_id = 0;
  bool stream = false;
};
thread_local PendingReply tl_pending;

Passthrough& self(void* userdata) {
  return static_cast<Filesystem*>(userdata)->passthrough();
}
ssize_t hook_read(int fd, void* buf, size_t len, void* userdata) {
  return self(userdata).io_read(fd, buf, len);
}
ssize_t hook_writev(int fd, struct iovec* iov, int count, void* userdata) {
  return self(userdata).io_writev(fd, iov, count);
}
#endif

}  // namespace

int Passthrough::install(fuse_session* se) {
  session_fd_ = fuse_session_fd(se);
#if FUSE_VERSION < 317
  fuse_custom_io io{};
  io.read = hook_read;
  io.writev = hook_writev;
  // Same descriptor: libfuse keeps its mount point and unmounts as usual.
  return fuse_session_custom_io(se, &io, session_fd_);
#else
  return 0;
#endif
}

void Passthrough::init([[maybe_unused]] fuse_conn_info* conn) {
#if FUSE_VERSION >= 317
  std::lock_guard lock(mu_);
  if (conn->capable & FUSE_CAP_PASSTHROUGH) {
    conn->want |= FUSE_CAP_PASSTHROUGH;
    if (conn->capable & FUSE_CAP_HANDLE_KILLPRIV_V2) conn->want |= FUSE_CAP_HANDLE_KILLPRIV_V2;
    kernel_offers_ = true;
  } else {
    decide_locked(Mode::kDirect, "the kernel has no FUSE passthrough");
  }
#endif
}

Passthrough::Mode Passthrough::mode() const {
  std::lock_guard lock(mu_);
  return mode_;
}

std::string_view Passthrough::mode_name() const {
  return mode() == Mode::kPassthrough ? "passthrough" : "direct";
}

void Passthrough::decide_locked(Mode m, std::string_view why) {
  if (mode_ != Mode::kUndecided) return;
  mode_ = m;
  if (m == Mode::kPassthrough)
    spdlog::info("mmap: passthrough (MAP_SHARED maps the objects' own memory)");
  else
    spdlog::warn("mmap: direct ({}): MAP_SHARED of shared memory files fails with ENODEV", why);
}

int Passthrough::backing_open(int fd) const {
  fuse_backing_map map{};
  map.fd = fd;
  int id = ::ioctl(session_fd_, FUSE_DEV_IOC_BACKING_OPEN, &map);
  if (id < 0) return -errno;
  return id > 0 ? id : -EIO;
}

void Passthrough::backing_close(int id) const {
  // What fuse_passthrough_close() does, without needing a live request.
  if (::ioctl(session_fd_, FUSE_DEV_IOC_BACKING_CLOSE, &id) < 0)
    spdlog::warn("passthrough: closing backing id {}: {}", id, std::strerror(errno));
}

void Passthrough::probe() {
  std::lock_guard lock(mu_);
  if (!kernel_offers_) return decide_locked(Mode::kDirect, "the kernel has no FUSE passthrough");
  // A throwaway tmpfs file: the same kind of backing as /dev/shm objects and segments.
  UniqueFd fd(::memfd_create("ipcfs-probe", MFD_CLOEXEC));
  if (!fd.valid()) return decide_locked(Mode::kDirect, std::strerror(errno));
  int id = backing_open(fd.get());
  if (id < 0) {
    std::string why = std::string("backing files refused: ") + std::strerror(-id);
    if (id == -EPERM) why += " (needs CAP_SYS_ADMIN)";
    return decide_locked(Mode::kDirect, why);
  }
  backing_close(id);
  decide_locked(Mode::kPassthrough, "");
}

bool Passthrough::attach([[maybe_unused]] fuse_req_t req, fuse_ino_t ino, int fd,
                         fuse_file_info* fi) {
  std::lock_guard lock(mu_);
#if FUSE_VERSION < 317
  if (mode_ != Mode::kPassthrough) return false;
#else
  if (mode_ == Mode::kDirect) return false;
#endif
  auto it = backings_.find(ino);
  if (it == backings_.end()) {
#if FUSE_VERSION >= 317
    int id = fuse_passthrough_open(req, fd);
    if (id <= 0) id = -EPERM;
#else
    int id = backing_open(fd);
#endif
    if (id < 0) {
      if (mode_ == Mode::kUndecided)
        decide_locked(Mode::kDirect, std::string("backing files refused: ") + std::strerror(-id));
      else
        spdlog::warn("passthrough: backing file refused ({}); this open is direct",
                     std::strerror(-id));
      return false;
    }
    decide_locked(Mode::kPassthrough, "");
    it = backings_.emplace(ino, Backing{id, 0}).first;
  }
  ++it->second.opens;
  opens_[fi->fh] = ino;
#if FUSE_VERSION >= 317
  fi->backing_id = it->second.id;
#else
  tl_pending.fh = fi->fh;
  tl_pending.backing_id = it->second.id;
#endif
  return true;
}

void Passthrough::mark_stream(uint64_t fh) {
#if FUSE_VERSION < 317
  tl_pending.fh = fh;
  tl_pending.stream = true;
#else
  (void)fh;  // no custom io: such files stay merely nonseekable
#endif
}

void Passthrough::detach(uint64_t fh) {
  std::lock_guard lock(mu_);
  auto o = opens_.find(fh);
  if (o == opens_.end()) return;
  auto b = backings_.find(o->second);
  opens_.erase(o);
  if (b == backings_.end() || --b->second.opens > 0) return;
  // The kernel keeps its own reference while any file still uses the backing.
  backing_close(b->second.id);
  backings_.erase(b);
}

ssize_t Passthrough::io_read(int fd, void* buf, size_t len) {
  ssize_t n = ::read(fd, buf, len);
#if FUSE_VERSION < 317
  tl_pending = {};
  if (n <= 0) return n;
  auto r = wire::parse_request(buf, size_t(n));
  if (r && r->op != wire::Op::kOther) {
    tl_pending.unique = r->unique;
    tl_pending.op = r->op;
    tl_pending.offers = r->offers_passthrough;
  }
#endif
  return n;
}

ssize_t Passthrough::io_writev(int fd, struct iovec* iov, int count) {
#if FUSE_VERSION < 317
  uint64_t unique = 0;
  int32_t error = 0;
  PendingReply p;
  if (tl_pending.unique != 0 && count >= 1 &&
      wire::parse_reply(iov[0].iov_base, iov[0].iov_len, &unique, &error) &&
      unique == tl_pending.unique) {
    p = tl_pending;
    tl_pending = {};
  }
  // The reply bodies are libfuse's (often on its stack): patch a copy and point at it.
  std::array<char, 512> copy;
  bool single_body = count == 2 && iov[1].iov_len <= copy.size();
  if (p.op == wire::Op::kInit) {
    std::lock_guard lock(mu_);
    kernel_offers_ = p.offers;
  }
  if (error == 0 && single_body && p.op == wire::Op::kInit && p.offers) {
    std::memcpy(copy.data(), iov[1].iov_base, iov[1].iov_len);
    if (wire::request_passthrough(copy.data(), iov[1].iov_len)) iov[1].iov_base = copy.data();
  } else if (error == 0 && single_body && (p.backing_id > 0 || p.stream) &&
             (p.op == wire::Op::kOpen || p.op == wire::Op::kCreate) &&
             wire::open_fh(iov[1].iov_base, iov[1].iov_len) == p.fh) {
    std::memcpy(copy.data(), iov[1].iov_base, iov[1].iov_len);
    bool patched = p.backing_id > 0
                       ? wire::set_backing(copy.data(), iov[1].iov_len, p.backing_id)
                       : wire::add_open_flags(copy.data(), iov[1].iov_len, FOPEN_STREAM);
    if (patched) iov[1].iov_base = copy.data();
  }
  ssize_t n = ::writev(fd, iov, count);
  // The kernel processes the INIT reply inside that write: passthrough is now on or off.
  if (p.op == wire::Op::kInit) {
    int saved = errno;
    probe();
    errno = saved;
  }
  return n;
#else
  return ::writev(fd, iov, count);
#endif
}

}  // namespace ipcfs::fs
