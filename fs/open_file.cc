// Shared OpenFile behaviour: file handles, plain-file poll and snapshot text views.
#include "fs/open_file.h"

#include <poll.h>

#include "fs/reply.h"

namespace ipcfs::fs {

uint64_t make_fh(std::unique_ptr<OpenFile> file) {
  return reinterpret_cast<uint64_t>(new FileRef(std::move(file)));
}

FileRef file_of_fh(uint64_t fh) {
  return *reinterpret_cast<FileRef*>(fh);
}

void release_fh(uint64_t fh) {
  auto* ref = reinterpret_cast<FileRef*>(fh);
  (*ref)->release();
  delete ref;
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
