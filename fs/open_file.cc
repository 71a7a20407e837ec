// Shared OpenFile behaviour: file handles, plain-file poll and snapshot text views.
#include "fs/open_file.h"

#include <poll.h>

#include "fs/handles.h"
#include "fs/reply.h"

namespace ipcfs::fs {

void tell_size_changed(fuse_session* se, fuse_ino_t ino, AttrCache* cache) {
  if (!se || (cache && !cache->held.exchange(false))) return;  // nothing cached to correct
  // FUSE has no notification that drops only the size and times. FUSE_NOTIFY_INVAL_INODE drops
  // the mode and owner too, so the next open would cost a GETATTR for its permission check; a
  // zero-byte FUSE_NOTIFY_STORE past the end of the file drops exactly what a write does
  // (fuse_notify_store -> fuse_write_update_attr: size, times, and attr_version, so that a
  // GETATTR reply already on its way is not taken). The offset is past any queue's size and
  // below MAX_LFS_FILESIZE, which kernels from 6.17 check.
  constexpr off_t kPastAnyEnd = off_t(1) << 62;
  fuse_bufvec none = FUSE_BUFVEC_INIT(0);
  int r = fuse_lowlevel_notify_store(se, ino, kPastAnyEnd, &none, fuse_buf_copy_flags(0));
  if (r < 0 && r != -ENOENT) fuse_lowlevel_notify_inval_inode(se, ino, -1, 0);
}

FileRef file_of_fh(uint64_t fh) {
  return Handles<FileRef>::get(fh);
}

void OpenFile::poll(fuse_req_t req, fuse_pollhandle* ph, uint32_t) {
  if (ph) fuse_pollhandle_destroy(ph);
  fuse_reply_poll(req, POLLIN | POLLRDNORM | POLLOUT | POLLWRNORM);
}

void reply_slice(fuse_req_t req, const char* data, size_t len, size_t size, off_t off) {
  if (off < 0 || size_t(off) >= len) {
    fuse_reply_buf(req, nullptr, 0);
    return;
  }
  size_t n = std::min(size, len - size_t(off));
  fuse_reply_buf(req, data + off, n);
}

void TextFile::read(fuse_req_t req, size_t size, off_t off) {
  reply_slice(req, text_.data(), text_.size(), size, off);
}

void TextFile::write(fuse_req_t req, const char*, size_t, off_t) {
  reply_error(req, -EBADF);
}

}  // namespace ipcfs::fs
