// The fuse_lowlevel_ops table: thin trampolines from libfuse's C callbacks to Filesystem and
// to the OpenFile held in fi->fh. Operations ipcfs refuses are answered here too.
#include <fcntl.h>

#include <cerrno>

#include "fs/filesystem.h"
#include "fs/reply.h"

namespace ipcfs::fs {

namespace {

Filesystem& fs(fuse_req_t req) {
  return *static_cast<Filesystem*>(fuse_req_userdata(req));
}
// Held by the handler until it returns (see FileRef).
FileRef file(fuse_file_info* fi) {
  return file_of_fh(fi->fh);
}

void op_init(void* userdata, fuse_conn_info* conn) {
  static_cast<Filesystem*>(userdata)->init(conn);
}
void op_lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  fs(req).lookup(req, parent, name);
}
void op_forget(fuse_req_t req, fuse_ino_t ino, uint64_t n) {
  fs(req).forget(ino, n);
  fuse_reply_none(req);
}
void op_forget_multi(fuse_req_t req, size_t count, fuse_forget_data* list) {
  for (size_t i = 0; i < count; ++i) fs(req).forget(list[i].ino, list[i].nlookup);
  fuse_reply_none(req);
}
void op_getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  fs(req).getattr(req, ino, fi);
}
void op_setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set, fuse_file_info* fi) {
  fs(req).setattr(req, ino, attr, to_set, fi);
}
void op_readlink(fuse_req_t req, fuse_ino_t ino) {
  fs(req).readlink(req, ino);
}
void op_mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode, dev_t) {
  fs(req).mknod(req, parent, name, mode);
}
void op_mkdir(fuse_req_t req, fuse_ino_t, const char*, mode_t) {
  reply_error(req, -EPERM);
}
void op_unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  fs(req).unlink(req, parent, name);
}
void op_rmdir(fuse_req_t req, fuse_ino_t, const char*) {
  reply_error(req, -EPERM);
}
void op_symlink(fuse_req_t req, const char*, fuse_ino_t, const char*) {
  reply_error(req, -EPERM);
}
void op_rename(fuse_req_t req, fuse_ino_t, const char*, fuse_ino_t, const char*, unsigned) {
  reply_error(req, -ENOTSUP);  // IPC objects cannot be renamed
}
void op_link(fuse_req_t req, fuse_ino_t, fuse_ino_t, const char*) {
  reply_error(req, -EPERM);
}
void op_open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  fs(req).open(req, ino, fi);
}
void op_read(fuse_req_t req, fuse_ino_t, size_t size, off_t off, fuse_file_info* fi) {
  FileRef f = file(fi);
  f->nonblock = (fi->flags & O_NONBLOCK) != 0;
  f->read(req, size, off);
}
void op_write(fuse_req_t req, fuse_ino_t, const char* buf, size_t size, off_t off,
              fuse_file_info* fi) {
  FileRef f = file(fi);
  f->nonblock = (fi->flags & O_NONBLOCK) != 0;
  f->write(req, buf, size, off);
}
void op_flush(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  int r = file(fi)->flush();
  if (r < 0) return reply_error(req, r);
  fuse_reply_err(req, 0);
}
void op_release(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  fs(req).release(req, fi);
}
void op_fsync(fuse_req_t req, fuse_ino_t, int, fuse_file_info*) {
  fuse_reply_err(req, 0);
}
void op_opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  fs(req).opendir(req, ino, fi);
}
void op_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  fs(req).readdir(req, ino, size, off, fi);
}
void op_readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off, fuse_file_info* fi) {
  fs(req).readdirplus(req, ino, size, off, fi);
}
void op_releasedir(fuse_req_t req, fuse_ino_t, fuse_file_info* fi) {
  fs(req).releasedir(req, fi);
}
void op_statfs(fuse_req_t req, fuse_ino_t) {
  fs(req).statfs(req);
}
void op_setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value, size_t size,
                 int flags) {
  fs(req).setxattr(req, ino, name, value, size, flags);
}
void op_getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  fs(req).getxattr(req, ino, name, size);
}
void op_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  fs(req).listxattr(req, ino, size);
}
void op_removexattr(fuse_req_t req, fuse_ino_t, const char*) {
  reply_error(req, -ENOTSUP);
}
void op_create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode,
               fuse_file_info* fi) {
  fs(req).create(req, parent, name, mode, fi);
}
void op_poll(fuse_req_t req, fuse_ino_t, fuse_file_info* fi, fuse_pollhandle* ph) {
  file(fi)->poll(req, ph, fi->poll_events);
}

fuse_lowlevel_ops make_ops() {
  fuse_lowlevel_ops o{};
  o.init = op_init;
  o.lookup = op_lookup;
  o.forget = op_forget;
  o.forget_multi = op_forget_multi;
  o.getattr = op_getattr;
  o.setattr = op_setattr;
  o.readlink = op_readlink;
  o.mknod = op_mknod;
  o.mkdir = op_mkdir;
  o.unlink = op_unlink;
  o.rmdir = op_rmdir;
  o.symlink = op_symlink;
  o.rename = op_rename;
  o.link = op_link;
  o.open = op_open;
  o.read = op_read;
  o.write = op_write;
  o.flush = op_flush;
  o.release = op_release;
  o.fsync = op_fsync;
  o.opendir = op_opendir;
  o.readdir = op_readdir;
  o.readdirplus = op_readdirplus;
  o.releasedir = op_releasedir;
  o.statfs = op_statfs;
  o.setxattr = op_setxattr;
  o.getxattr = op_getxattr;
  o.listxattr = op_listxattr;
  o.removexattr = op_removexattr;
  o.create = op_create;
  o.poll = op_poll;
  return o;
}

}  // namespace

const fuse_lowlevel_ops& Filesystem::ops() {
  static const fuse_lowlevel_ops table = make_ops();
  return table;
}

}  // namespace ipcfs::fs
