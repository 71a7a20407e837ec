// Passthrough: FUSE passthrough (kernel >= 6.9) for files whose bytes are a kernel object's, so
// that mmap(MAP_SHARED) through ipcfs maps the object's own pages (SPEC §5.2). libfuse 3.14 has
// no API for it, so a custom io layer notes the INIT/OPEN/CREATE requests and patches their
// replies on the way to the kernel; with libfuse >= 3.17 the official API is used instead.
// When the kernel or the daemon's privileges refuse it, files stay direct_io: MAP_SHARED then
// fails with ENODEV and nothing can silently diverge.
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>
#include <sys/uio.h>

#include <cstdint>
#include <mutex>
#include <optional>
#include <string_view>
#include <unordered_map>

namespace ipcfs::fs {

// The protocol patching, as pure functions on raw buffers (tested on crafted replies).
namespace wire {

enum class Op { kOther, kInit, kOpen, kCreate };

struct Request {
  uint64_t unique = 0;
  Op op = Op::kOther;
  bool offers_passthrough = false;  // INIT: the kernel can do it
};

// The header (and for INIT the flags) of one request as read from /dev/fuse.
std::optional<Request> parse_request(const void* buf, size_t len);
// unique and error of a reply's fuse_out_header.
bool parse_reply(const void* header, size_t len, uint64_t* unique, int32_t* error);
// Asks for passthrough in an INIT reply body (fuse_init_out): FUSE_PASSTHROUGH in flags2,
// max_stack_depth 1 (backing files sit on an unstacked filesystem: tmpfs), and
// FUSE_HANDLE_KILLPRIV_V2 (no GETXATTR round trip before each passthrough write). False, unchanged,
// when the body is too short, lacks FUSE_INIT_EXT, or asks for writeback caching.
bool request_passthrough(void* init_out, size_t len);
// fh of the fuse_open_out that ends an OPEN (or CREATE: entry then open) reply body.
std::optional<uint64_t> open_fh(const void* body, size_t len);
// Makes that fuse_open_out a passthrough open of BACKING_ID, keeping only the open flags the
// kernel allows with it (any other one fails the open with EIO).
bool set_backing(void* body, size_t len, int32_t backing_id);
// ORs FLAGS into that fuse_open_out's open_flags.
bool add_open_flags(void* body, size_t len, uint32_t flags);

}  // namespace wire

class Passthrough {
 public:
  enum class Mode { kUndecided, kPassthrough, kDirect };

  // After fuse_session_mount(): installs the patching io layer (libfuse < 3.17). The session's
  // userdata must be the Filesystem that owns this object.
  int install(fuse_session* se);
  // From the INIT handler (libfuse >= 3.17: asks for FUSE_CAP_PASSTHROUGH).
  void init(fuse_conn_info* conn);

  Mode mode() const;
  // "passthrough" or "direct", for the log and the `mmap:` fact of @info.
  std::string_view mode_name() const;

  // Both below are called by the OPEN or CREATE handler, in its thread, before it replies.
  // Makes the reply to this open (fi->fh already set) pass through to FD's file. Every open of
  // INO shares one backing id: the kernel refuses two different backings on one inode (EBUSY).
  // False, nothing changed, when passthrough is not available.
  bool attach(fuse_req_t req, fuse_ino_t ino, int fd, fuse_file_info* fi);
  // The reply to open FH carries FOPEN_STREAM (libfuse 3.14 has no bit for it): a stream has no
  // file position, so a read parked on a descriptor shared across fork does not hold the
  // position lock against the other process's writes.
  void mark_stream(uint64_t fh);
  // The open FH, attached above, ended (release, or its reply could not be sent).
  void detach(uint64_t fh);

  // The custom io hooks (public for the C trampolines).
  ssize_t io_read(int fd, void* buf, size_t len);
  ssize_t io_writev(int fd, struct iovec* iov, int count);

 private:
  // Registers FD with the kernel; the backing id or -errno.
  int backing_open(int fd) const;
  void backing_close(int id) const;
  // Tries a throwaway backing file right after INIT and fixes the mode (logged once).
  void probe();
  void decide_locked(Mode m, std::string_view why);

  int session_fd_ = -1;
  // Lock order: mu_ is a leaf; no libfuse call is made while it is held.
  mutable std::mutex mu_;
  Mode mode_ = Mode::kUndecided;
  bool kernel_offers_ = false;
  struct Backing {
    int32_t id;
    int opens;
  };
  std::unordered_map<fuse_ino_t, Backing> backings_;
  std::unordered_map<uint64_t, fuse_ino_t> opens_;  // fh -> ino, for every passthrough open
};

}  // namespace ipcfs::fs
