// Error replies and their logging.
#include "fs/reply.h"

#include <spdlog/spdlog.h>

#include <cerrno>
#include <cstring>

namespace ipcfs::fs {

namespace {

bool expected(int e) {
  switch (e) {
    case ENOENT:
    case EEXIST:
    case EACCES:
    case EPERM:
    case EINVAL:
    case EMSGSIZE:
    case EAGAIN:
    case EINTR:
    case ENOSPC:
    case ERANGE:
    case ENOTSUP:
    case ENODATA:
    case ENAMETOOLONG:
    case EISDIR:
    case ENOTDIR:
    case ENOTEMPTY:
    case EIDRM:
    case E2BIG:
    case EBADF:
    case ENOSYS:
    case ESHUTDOWN:
    case ESTALE:  // a name the kernel cached whose object is gone: it looks the name up again
      return true;
    default:
      return false;
  }
}

}  // namespace

void reply_error(fuse_req_t req, int neg_errno) {
  int e = neg_errno < 0 ? -neg_errno : EIO;
  // strerror goes through gettext (about 500 instructions): only when the line is written. The
  // security.capability query of every `>` on a file is answered here.
  if (!expected(e))
    spdlog::warn("unexpected error: {} (errno {})", std::strerror(e), e);
  else if (spdlog::should_log(spdlog::level::debug))
    spdlog::debug("reply: {}", std::strerror(e));
  fuse_reply_err(req, e);
}

}  // namespace ipcfs::fs
