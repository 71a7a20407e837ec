// The one place where an ipcfs error (a negative errno) crosses into libfuse's C API. Errors a
// user can cause (ENOENT, EACCES, EAGAIN, ...) are logged at debug; anything else at warn.
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

namespace ipcfs::fs {

void reply_error(fuse_req_t req, int neg_errno);

// Replies with NEG_ERRNO if it is an error and returns true; returns false on 0.
inline bool reply_if_error(fuse_req_t req, int neg_errno) {
  if (neg_errno >= 0) return false;
  reply_error(req, neg_errno);
  return true;
}

}  // namespace ipcfs::fs
