// Filesystem: the directory tree, name resolution, attributes and opens.
#include "fs/filesystem.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "fs/reply.h"
#include "ipc/names.h"

namespace ipcfs::fs {

namespace {

// Object directories are like /dev/shm: anyone may create, only the owner may remove.
mode_t dir_mode(const Dir& d) {
  return S_IFDIR | (d.kind >= 0 ? 01777 : 0755);
}

}  // namespace

Caller caller_of(fuse_req_t req) {
  const fuse_ctx* c = fuse_req_ctx(req);
  return Caller{c->uid, c->gid, c->pid};
}

namespace {

// The kernel may keep a name's entry for a second (Timeouts::entry). When another program
// removed (or removed and made anew) the object meanwhile, a stat or open by that name would
// say ENOENT, and `echo x > NAME` could not create NAME. ESTALE instead makes the kernel look
// the name up again and retry, as it does for NFS: the answer is then that of the name now.
// Not for an fstat (BY_NAME false): an open file's object that is gone is simply gone.
int stale_if_gone(int e, bool by_name) {
  return e == -ENOENT && by_name ? -ESTALE : e;
}

}  // namespace

Result<std::vector<Listed>> stat_each(Kind& kind, Result<std::vector<std::string>> names) {
  if (!names) return Result<std::vector<Listed>>::failure(names.error());
  std::vector<Listed> out;
  out.reserve(names->size());
  for (std::string& n : *names) {
    auto st = kind.stat(n);
    if (st) out.push_back({std::move(n), 0, *st});  // else gone since the listing
  }
  return out;
}

Result<std::vector<Listed>> listed(Result<std::vector<ipc::SysvListed>> all) {
  if (!all) return Result<std::vector<Listed>>::failure(all.error());
  std::vector<Listed> out;
  out.reserve(all->size());
  for (const ipc::SysvListed& o : *all) out.push_back({std::to_string(o.id), o.key, o.stat});
  return out;
}

std::string octal_mode(mode_t mode) {
  char b[8];
  std::snprintf(b, sizeof b, "%04o", unsigned(mode & 07777));
  return b;
}

Filesystem::Filesystem() : owner_uid_(::geteuid()), owner_gid_(::getegid()) {
  ::clock_gettime(CLOCK_REALTIME, &started_);
  kinds_[kPosixMq] = make_posix_mq_kind(watcher_);
  kinds_[kPosixShm] = make_posix_shm_kind(watcher_);
  kinds_[kPosixSem] = make_posix_sem_kind(watcher_);
  kinds_[kSysvMsg] = make_sysv_msg_kind(watcher_);
  kinds_[kSysvShm] = make_sysv_shm_kind(watcher_);
  kinds_[kSysvSem] = make_sysv_sem_kind(watcher_);
}

Filesystem::~Filesystem() {
  watcher_.stop();
}

const Dir* Filesystem::find_dir(fuse_ino_t ino) {
  for (const Dir& d : kDirs)
    if (d.ino == ino) return &d;
  return nullptr;
}

void Filesystem::init(fuse_conn_info* conn) {
  // `>` must not cost an extra SETATTR round trip: O_TRUNC reaches open() instead.
  if (conn->capable & FUSE_CAP_ATOMIC_O_TRUNC) conn->want |= FUSE_CAP_ATOMIC_O_TRUNC;
  // Object contents are never cached; there is nothing to write back.
  conn->want &= ~FUSE_CAP_WRITEBACK_CACHE;
  // Every listing comes with the attributes (readdirplus), so that `ls -l` costs no lookup per
  // object. The kernel's "auto" mode would alternate plain and plus batches.
  conn->want &= ~FUSE_CAP_READDIRPLUS_AUTO;
  // A by-key link's target never changes for its inode (a new object under the key is a new
  // inode), so the kernel may keep it: `ls -l by-key` costs no readlink per key.
  if (conn->capable & FUSE_CAP_CACHE_SYMLINKS) conn->want |= FUSE_CAP_CACHE_SYMLINKS;
  passthrough_.init(conn);
  watcher_.start();
  notifier_.start(se_);
}

void Filesystem::fill_dir_attr(const Dir& d, struct stat* out) const {
  std::memset(out, 0, sizeof *out);
  out->st_ino = d.ino;
  out->st_mode = dir_mode(d);
  // "." and the entry in its parent, and each subdirectory's "..", as find(1) expects.
  out->st_nlink = 2;
  for (const Dir& sub : kDirs)
    if (sub.parent == d.ino && sub.ino != d.ino) ++out->st_nlink;
  out->st_uid = owner_uid_;
  out->st_gid = owner_gid_;
  out->st_atim = out->st_mtim = out->st_ctim = started_;
}

void Filesystem::fill_attr(const Node& node, const ipc::ObjectStat& st, struct stat* out) const {
  node.attrs.held.store(true);
  std::memset(out, 0, sizeof *out);
  out->st_ino = node.shown_ino ? node.shown_ino : node.ino;
  out->st_mode = node.link.empty() ? S_IFREG | (st.mode & 07777) : S_IFLNK | 0777;
  out->st_nlink = 1;
  out->st_uid = st.uid;
  out->st_gid = st.gid;
  out->st_size = off_t(node.link.empty() ? st.size : node.link.size());
  out->st_blksize = 4096;
  // A by-key link holds nothing itself: du must not count its segment or queue twice.
  if (node.link.empty())
    out->st_blocks = st.blocks >= 0 ? blkcnt_t(st.blocks) : blkcnt_t((st.size + 511) / 512);
  out->st_atim = st.atime;
  out->st_mtim = st.mtime;
  out->st_ctim = st.ctime;
}

void Filesystem::fill_entry(const Node& node, const ipc::ObjectStat& st,
                            fuse_entry_param* e) const {
  std::memset(e, 0, sizeof *e);
  e->ino = node.ino;
  e->generation = 0;  // numbers are never reused (InodeTable)
  // A pending object's file is found only through the entry of the open that made it, so that
  // entry stays. A by-key link is looked up afresh too: its target's entry is, and following a
  // cached link to a target gone would have the kernel create the target (CREATE of an id).
  // NAME@excl says EEXIST at every lookup of an existing object: a cached entry would skip it.
  bool fresh = (!node.pending && kind_of(node)->writes_wait()) || node.opts.has(kOptExcl);
  e->entry_timeout = fresh ? 0 : timeouts_.entry;
  e->attr_timeout = attr_timeout(node);
  fill_attr(node, st, &e->attr);
}

double Filesystem::attr_timeout(const Node& node) const {
  // A pending object's size and times change when its file makes it: never cached.
  return node.pending ? 0.0 : kind_of(node)->attr_timeout();
}

std::string Filesystem::object_of(const Node& node) {
  if (!node.pending && node.link.empty()) return node.name;
  // "pending:0x..." or a by-key link "0x...": whatever object the key names now.
  auto key = ipc::parse_key(std::string_view(node.name).substr(node.name.find(':') + 1));
  auto id = key ? kind_of(node)->find_key(*key) : Result<std::string>::failure(-ENOENT);
  return id ? *id : std::string();
}

Result<ipc::ObjectStat> Filesystem::stat_node(const Node& node) {
  if (node.pending) {
    std::string id = object_of(node);
    if (!id.empty()) return kind_of(node)->stat(id);
    ipc::ObjectStat st = node.pending_stat;
    if (int m = node.chmod.mode.load(); m >= 0) st.mode = mode_t(m);
    return st;
  }
  if (!node.link.empty()) {
    // A by-key link lives while its key still names the same object.
    auto key = ipc::parse_key(node.name);
    auto id = kind_of(node)->find_key(*key);
    if (!id) return Result<ipc::ObjectStat>::failure(id.error());
    auto st = kind_of(node)->stat(*id);
    if (st && st->serial != node.serial) return Result<ipc::ObjectStat>::failure(-ENOENT);
    return st;
  }
  auto st = kind_of(node)->stat(node.name);
  // The name now belongs to another object: this inode's object is gone.
  if (st && st->serial != node.serial) return Result<ipc::ObjectStat>::failure(-ENOENT);
  return st;
}

Result<std::shared_ptr<const Node>> Filesystem::resolve(const Dir& dir, std::string_view name,
                                                        ipc::ObjectStat* st) {
  using R = Result<std::shared_ptr<const Node>>;
  Kind* kind = kinds_[dir.kind].get();
  if (!kind) return R::failure(-ENOENT);
  Node proto;
  proto.kind = dir.kind;
  // An object whose real name contains '@' is found by its exact name first (SPEC §4).
  auto exact = kind->stat(name);
  if (exact) {
    proto.name = std::string(name);
  } else {
    if (name.find('@') == std::string_view::npos) return R::failure(exact.error());
    auto parsed = parse_name(name);
    if (!parsed) return R::failure(parsed.error());
    if (int e = check_allowed(parsed->opts, kind->allowed_options()); e < 0) return R::failure(e);
    exact = kind->stat(parsed->object);
    if (!exact) return R::failure(exact.error());
    // "excl" asks for a new object: an existing one is EEXIST before any create is tried.
    if (parsed->opts.has(kOptExcl)) return R::failure(-EEXIST);
    proto.name = std::string(parsed->object);
    proto.options = std::string(parsed->options);
    proto.opts = parsed->opts;
  }
  proto.serial = exact->serial;
  *st = *exact;
  // Never a node a parked write holds (BusyCount).
  return inodes_.find_or_add_idle(proto);
}

Result<std::shared_ptr<const Node>> Filesystem::resolve_key(const Dir& dir, std::string_view name,
                                                            ipc::ObjectStat* st) {
  using R = Result<std::shared_ptr<const Node>>;
  Kind* kind = kinds_[dir.kind].get();
  if (!kind) return R::failure(-ENOENT);
  auto parsed = parse_name(name);
  if (!parsed) return R::failure(parsed.error());
  if (int e = check_allowed(parsed->opts, kind->allowed_options()); e < 0) return R::failure(e);
  auto key = ipc::parse_key(parsed->object);
  if (!key) return R::failure(-EINVAL);
  auto id = kind->find_key(*key);
  if (!id) return R::failure(id.error());
  if (parsed->opts.has(kOptExcl)) return R::failure(-EEXIST);
  auto found = kind->stat(*id);
  if (!found) return R::failure(found.error());
  Node proto;
  proto.kind = dir.kind;
  proto.name = ipc::format_key(*key);
  proto.options = std::string(parsed->options);
  proto.opts = parsed->opts;
  proto.serial = found->serial;
  // Options ride along, so that by-key/KEY@type=5 opens ../ID@type=5.
  proto.link = "../" + *id + (parsed->options.empty() ? "" : "@" + proto.options);
  *st = *found;
  return inodes_.find_or_add(proto, true);
}

void Filesystem::lookup(fuse_req_t req, fuse_ino_t parent, const char* name) {
  const Dir* dir = find_dir(parent);
  if (!dir) return reply_error(req, -ENOTDIR);
  for (const Dir& d : kDirs) {
    if (d.parent == parent && d.ino != parent && std::strcmp(d.name, name) == 0) {
      fuse_entry_param e{};
      e.ino = d.ino;
      fill_dir_attr(d, &e.attr);
      e.entry_timeout = e.attr_timeout = timeouts_.dir;
      return (void)fuse_reply_entry(req, &e);
    }
  }
  if (dir->kind < 0) return reply_error(req, -ENOENT);
  ipc::ObjectStat st;
  auto node = dir->by_key ? resolve_key(*dir, name, &st) : resolve(*dir, name, &st);
  if (!node) return reply_error(req, node.error());
  fuse_entry_param e;
  fill_entry(**node, st, &e);
  if (fuse_reply_entry(req, &e) != 0) inodes_.forget((*node)->ino, 1);  // interrupted
}

void Filesystem::forget(fuse_ino_t ino, uint64_t n) {
  // A node the kernel no longer holds is kept while its object lives (stable numbers); one
  // whose object is gone (rm, ipcrm) or that was pending would otherwise stay until the next
  // listing of its directory, which may never come: one Node per name ever removed.
  auto kept = inodes_.forget(ino, n);
  if (!kept) return;
  if (kept->pending) return inodes_.drop_uncounted(ino);
  auto st = stat_node(*kept);
  if (!st && st.error() == -ENOENT) inodes_.drop_uncounted(ino);
}

void Filesystem::getattr(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (const Dir* d = find_dir(ino)) {
    struct stat st;
    fill_dir_attr(*d, &st);
    return (void)fuse_reply_attr(req, &st, timeouts_.dir);
  }
  auto node = inodes_.get(ino);
  if (!node) return reply_error(req, -ENOENT);
  // Before the stat: a message received from here on is then sure to be told (AttrCache).
  node->attrs.held.store(true);
  auto st = stat_node(*node);
  if (!st) return reply_error(req, stale_if_gone(st.error(), fi == nullptr));
  struct stat out;
  fill_attr(*node, *st, &out);
  fuse_reply_attr(req, &out, attr_timeout(*node));
}

void Filesystem::setattr(fuse_req_t req, fuse_ino_t ino, struct stat* attr, int to_set,
                         fuse_file_info* fi) {
  if (find_dir(ino)) return reply_error(req, -EPERM);
  auto node = inodes_.get(ino);
  if (!node) return reply_error(req, -ENOENT);
  Kind* kind = kind_of(*node);
  int r = 0;
  // ftruncate through an open file first: a pending object is made by its file.
  if ((to_set & FUSE_SET_ATTR_SIZE) && fi && fi->fh) {
    r = file_of_fh(fi->fh)->truncate(uint64_t(attr->st_size));
    if (r != -ENOSYS) {
      if (r < 0) return reply_error(req, r);
      to_set &= ~FUSE_SET_ATTR_SIZE;
    }
    r = 0;
  }
  std::string name = object_of(*node);
  // chmod of a pending object before its file has made it (install -m, cp -p): the mode its
  // file makes it with. Nothing else can change on what does not exist yet.
  if (name.empty() && node->pending && (to_set & FUSE_SET_ATTR_MODE)) {
    mode_t mode = attr->st_mode & 07777;
    if (mode & ~kind->mode_bits()) return reply_error(req, -EINVAL);
    node->chmod.mode.store(int(mode));
    to_set &= ~FUSE_SET_ATTR_MODE;
  }
  if (name.empty() &&
      (to_set & (FUSE_SET_ATTR_MODE | FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID | FUSE_SET_ATTR_SIZE)))
    return reply_error(req, -ENOENT);  // not made yet
  // Only on the object the kernel checked the caller against: -ESTALE if the name has gone to
  // another since (the kernel then looks it up again and checks that one).
  ObjectRef obj(name, node->pending ? 0 : node->serial);
  if (to_set & FUSE_SET_ATTR_MODE) r = kind->set_mode(obj, attr->st_mode & 07777);
  if (r == 0 && (to_set & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)))
    r = kind->set_owner(obj, (to_set & FUSE_SET_ATTR_UID) ? attr->st_uid : uid_t(-1),
                        (to_set & FUSE_SET_ATTR_GID) ? attr->st_gid : gid_t(-1));
  if (r == 0 && (to_set & FUSE_SET_ATTR_SIZE)) r = kind->truncate(obj, attr->st_size);
  // Times are the kernel's own (SPEC §6): touch succeeds and changes nothing.
  if (r < 0) return reply_error(req, r);
  getattr(req, ino);
}

void Filesystem::readlink(fuse_req_t req, fuse_ino_t ino) {
  auto node = inodes_.get(ino);
  if (!node || node->link.empty()) return reply_error(req, node ? -EINVAL : -ENOENT);
  fuse_reply_readlink(req, node->link.c_str());
}

Result<std::shared_ptr<const Node>> Filesystem::make(fuse_req_t req, const Dir& dir,
                                                     std::string_view name, mode_t mode, int flags,
                                                     ipc::ObjectStat* st) {
  using R = Result<std::shared_ptr<const Node>>;
  if (dir.kind < 0) return R::failure(-EPERM);
  Kind* kind = kinds_[dir.kind].get();
  if (!kind) return R::failure(-ENOTSUP);
  if (!S_ISREG(mode)) return R::failure(-EPERM);
  auto parsed = parse_name(name);
  if (!parsed) return R::failure(parsed.error());
  if (int e = check_allowed(parsed->opts, kind->allowed_options()); e < 0) return R::failure(e);
  // A read-only view cannot be what makes an object: `touch q@info` must not create q.
  if (parsed->opts.view() == View::kInfo || parsed->opts.view() == View::kPeek)
    return R::failure(-EINVAL);
  // The kernel sends CREATE for a name its LOOKUP did not find. If the object has appeared
  // since, opening it here would skip the kernel's permission check: ESTALE has the kernel
  // look the name up again and open what it finds the usual way (do_filp_open's retry).
  bool excl = (flags & O_EXCL) || parsed->opts.has(kOptExcl);
  auto exists = [excl](int e) { return e == -EEXIST && !excl ? -ESTALE : e; };
  std::string object(parsed->object);
  Result<ipc::ObjectStat> made = Result<ipc::ObjectStat>::failure(-EPERM);
  if (dir.by_key) {
    // System V objects are made through by-key/KEY; the entry is the object file itself.
    auto key = ipc::parse_key(parsed->object);
    if (!key) return R::failure(-EINVAL);
    Caller caller = caller_of(req);
    auto id = kind->create_keyed(*key, parsed->opts, mode & 07777, caller);
    if (!id) return R::failure(exists(id.error()));
    if (id->empty()) {
      Node proto;
      proto.kind = dir.kind;
      proto.name = "pending:" + ipc::format_key(*key);
      proto.options = std::string(parsed->options);
      proto.opts = parsed->opts;
      proto.pending = true;
      // Never the node of an earlier pending creation of this key, with its creator and mode.
      proto.serial = ++pending_serial_;
      ipc::ObjectStat& ps = proto.pending_stat;
      ps.mode = mode & 07777;
      ps.uid = ps.cuid = caller.uid;
      ps.gid = ps.cgid = caller.gid;
      ::clock_gettime(CLOCK_REALTIME, &ps.mtime);
      ps.atime = ps.ctime = ps.mtime;
      *st = ps;
      return inodes_.find_or_add(proto, true);
    }
    object = *id;
    made = kind->stat(object);
  } else if (!kind->keyed()) {
    made = kind->create(parsed->object, parsed->opts, mode & 07777, caller_of(req));
  }
  if (!made) return R::failure(exists(made.error()));
  Node proto;
  proto.kind = dir.kind;
  proto.name = object;
  proto.options = std::string(parsed->options);
  proto.opts = parsed->opts;
  proto.serial = made->serial;
  *st = *made;
  return inodes_.find_or_add(proto, true);
}

void Filesystem::mknod(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode) {
  const Dir* dir = find_dir(parent);
  if (!dir) return reply_error(req, -ENOTDIR);
  ipc::ObjectStat st;
  auto node = make(req, *dir, name, mode, O_EXCL, &st);
  if (!node) return reply_error(req, node.error());
  if ((*node)->pending) {
    // Nothing will ever write to it: let its file make it with the defaults now.
    auto file = open_node(**node, O_WRONLY);
    int e = file ? (*file)->make_now() : file.error();
    if (file) (*file)->release();
    if (e < 0) {
      inodes_.forget((*node)->ino, 1);
      return reply_error(req, e);
    }
  }
  fuse_entry_param e;
  fill_entry(**node, st, &e);
  // by-key/KEY is a symlink to ../ID once made: the kernel must not keep it as this file.
  if (dir->by_key && !(*node)->pending) e.entry_timeout = 0;
  if (fuse_reply_entry(req, &e) != 0) inodes_.forget((*node)->ino, 1);  // interrupted
}

void Filesystem::create(fuse_req_t req, fuse_ino_t parent, const char* name, mode_t mode,
                        fuse_file_info* fi) {
  const Dir* dir = find_dir(parent);
  if (!dir) return reply_error(req, -ENOTDIR);
  ipc::ObjectStat st;
  auto node = make(req, *dir, name, mode, fi->flags, &st);
  if (!node) return reply_error(req, node.error());
  // O_TRUNC does nothing to what the same open creates (open(2)): `> NAME@size=4K` keeps 4K.
  auto file = open_node(**node, fi->flags & ~O_TRUNC);
  if (!file) {
    // The object was made for this open (make() never finds one): a failed open must not
    // leave it behind. The kernel never learns of the entry.
    if (!(*node)->pending) (void)kinds_[dir->kind]->remove(object_of(**node));
    inodes_.forget((*node)->ino, 1);
    return reply_error(req, file.error());
  }
  fuse_entry_param e;
  fill_entry(**node, st, &e);
  // by-key/KEY is a symlink to ../ID once made: the kernel must not keep it as this file.
  if (dir->by_key && !(*node)->pending) e.entry_timeout = 0;
  set_open(req, *node, std::move(*file), fi);
  if (fuse_reply_create(req, &e, fi) != 0) {  // interrupted: the kernel has neither
    drop_open(fi);
    inodes_.forget((*node)->ino, 1);
  }
}

void Filesystem::set_open(fuse_req_t req, const std::shared_ptr<const Node>& node, FileRef file,
                          fuse_file_info* fi) {
  fuse_ino_t ino = node->ino;
  OpenFile* f = file.get();  // owned through fi->fh from here on
  fi->direct_io = f->direct_io;
  fi->nonseekable = f->nonseekable;
  fi->noflush = !f->wants_flush;
  f->changed = AttrInvalidator{se_, ino, std::shared_ptr<AttrCache>(node, &node->attrs), {}};
  if ((fi->flags & O_ACCMODE) != O_RDONLY && !node->pending && node->link.empty()) {
    f->busy_count = std::shared_ptr<BusyCount>(node, &node->busy);
    if (kind_of(*node)->writes_wait()) f->busy = BusyMark(f->busy_count);
    // Two pointers: held in place, no allocation on the path of every open.
    f->look_up_again = [this, n = node.get()] { look_up_again(*n); };
  }
  if (node->pending) f->pending_mode = std::shared_ptr<const PendingMode>(node, &node->chmod);
  if (!node->options.empty() && node->link.empty() && !node->pending)
    f->changed.plain = [this, kind = node->kind, name = node->name, serial = node->serial] {
      auto p = inodes_.find(kind, name, "");
      if (p && p->serial == serial) tell_size_changed(se_, p->ino, &p->attrs);
    };
  fi->fh = files_.add(std::move(file));
  if (f->stream) passthrough_.mark_stream(fi->fh);
  if (f->backing_fd >= 0 && passthrough_.attach(req, ino, f->backing_fd, fi) && f->backing_rw)
    fi->direct_io = 0;
}

FileRef Filesystem::take_open(fuse_file_info* fi) {
  // Before the handle goes: a new open may get the same fh at once.
  if (Handles<FileRef>::get(fi->fh)->backing_fd >= 0) passthrough_.detach(fi->fh);
  return files_.take(fi->fh);
}

void Filesystem::drop_open(fuse_file_info* fi) {
  // The file itself goes once no handler holds it any more (FileRef).
  take_open(fi)->release();
}

void Filesystem::release_all() {
  for (FileRef& ref : files_.take_all()) ref->release();
  dirs_.take_all();
}

void Filesystem::release(fuse_req_t req, fuse_file_info* fi) {
  // The caller's close() returned before this was sent, but the caller's next request is often
  // already on its way: answer before any work of ending the open (even taking the handle back,
  // measured as about 0.2 µs there). The kernel sends nothing more for this handle.
  fuse_reply_err(req, 0);
  take_open(fi)->release();
}

void Filesystem::unlink(fuse_req_t req, fuse_ino_t parent, const char* name) {
  const Dir* dir = find_dir(parent);
  if (!dir) return reply_error(req, -ENOTDIR);
  if (dir->kind < 0) return reply_error(req, -EPERM);
  Kind* kind = kinds_[dir->kind].get();
  if (!kind) return reply_error(req, -ENOENT);
  std::string object = name;
  if (dir->by_key) {
    // Removing by-key/KEY removes the object, as ipcrm -Q does.
    auto key = ipc::parse_key(name);
    if (!key) return reply_error(req, std::strchr(name, '@') ? -EINVAL : -ENOENT);
    auto id = kind->find_key(*key);
    if (!id) return reply_error(req, id.error());
    object = *id;
  } else if (auto node = inodes_.find(dir->kind, name, "")) {
    // Only the object the kernel checked the caller against (the sticky bit asks for its owner):
    // if the name has gone to another since, -ESTALE has the kernel look it up again. Removal is
    // by name, so this narrows the race to the moment between the two calls.
    auto st = kind->stat(name);
    if (st && st->serial != node->serial) return reply_error(req, -ESTALE);
  }
  int r = kind->remove(object);
  // "rm q@info" does not remove q: options name a way to open, not an object.
  if (r == -ENOENT && std::strchr(name, '@') && parse_name(name)) r = -EINVAL;
  if (r < 0) return reply_error(req, r);
  fuse_reply_err(req, 0);
}

Result<FileRef> Filesystem::open_node(const Node& node, int flags) {
  using R = Result<FileRef>;
  Kind* kind = kind_of(node);
  if (node.pending) {
    std::string id = object_of(node);
    if (!id.empty()) return kind->open(id, node.opts, flags);
    const ipc::ObjectStat& ps = node.pending_stat;
    auto key = ipc::parse_key(std::string_view(node.name).substr(node.name.find(':') + 1));
    return kind->open_pending(*key, node.opts, ps.mode, Caller{ps.uid, ps.gid, 0}, flags);
  }
  if (node.opts.view() == View::kInfo) {
    if ((flags & O_ACCMODE) != O_RDONLY) return R::failure(-EINVAL);
    auto facts = this->facts(node);
    if (!facts) return R::failure(facts.error());
    std::string text;
    for (auto& [k, v] : *facts) text += k + ": " + v + "\n";
    return FileRef(std::make_shared<TextFile>(std::move(text)));
  }
  if (read_only_ && kind->reads_consume(node.opts)) return R::failure(-EROFS);
  // Only the object the kernel checked the caller against (-ESTALE: it looks the name up again).
  return kind->open(ObjectRef(node.name, node.serial), node.opts, flags);
}

void Filesystem::open(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (find_dir(ino)) return reply_error(req, -EISDIR);
  auto node = inodes_.get(ino);
  if (!node) return reply_error(req, -ENOENT);
  auto file = open_node(*node, fi->flags);
  if (!file) return reply_error(req, stale_if_gone(file.error(), true));
  set_open(req, node, std::move(*file), fi);
  if (fuse_reply_open(req, fi) != 0) drop_open(fi);
}

void Filesystem::look_up_again(const Node& node) {
  // The entry the kernel found the node by: its kind's directory, NAME[@OPTIONS] without any
  // alias mark (InodeTable::find_or_add_idle).
  std::string_view opts(node.options);
  opts = opts.substr(0, opts.find(InodeTable::kAliasMark));
  for (const Dir& d : kDirs)
    if (d.kind == node.kind && !d.by_key)
      notifier_.drop_entry(d.ino, opts.empty() ? node.name : node.name + "@" + std::string(opts));
}

void Filesystem::statfs(fuse_req_t req) {
  struct statvfs sv {};
  sv.f_bsize = sv.f_frsize = 4096;
  sv.f_namemax = 255;
  sv.f_files = inodes_.size();
  fuse_reply_statfs(req, &sv);
}

}  // namespace ipcfs::fs
