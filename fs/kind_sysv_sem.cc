// sysv/sem: System V semaphore sets (SPEC §5.3). A set reads as all its values, ID@sem=I as one
// of them; writes go through SemFile. Sets are made through by-key/KEY: with @nsems at once,
// otherwise by the first SETALL written to the new file (its count is the size), or with one
// semaphore when the file is closed unwritten. Operations never use SEM_UNDO.
#include <fcntl.h>

#include <cstdio>
#include <cstring>
#include <mutex>

#include <spdlog/spdlog.h>

#include "fs/kind.h"
#include "fs/reply.h"
#include "fs/sem_file.h"
#include "ipc/acting_as.h"
#include "ipc/names.h"
#include "ipc/sysv_list.h"
#include "ipc/sysv_sem.h"

namespace ipcfs::fs {

namespace {

using ipc::ObjectStat;
using ipc::SemSet;
using ipc::SemSetInfo;

// A set that is gone reads as EINVAL or EIDRM from the kernel; as a file it is simply absent.
int gone_as_enoent(int e) {
  return e == -EINVAL || e == -EIDRM ? -ENOENT : e;
}

Result<SemSet> by_name(std::string_view name) {
  auto id = ipc::parse_id(name);
  if (!id) return Result<SemSet>::failure(-ENOENT);
  return SemSet(*id);
}

class SysvSemBackend : public SemBackend {
 public:
  // INDEX < 0: the whole set; otherwise its semaphore INDEX.
  SysvSemBackend(SemSet set, unsigned nsems, int index) : set_(set), nsems_(nsems), index_(index) {}

  Result<std::string> text() override {
    using R = Result<std::string>;
    if (index_ >= 0) {
      auto v = set_.value(unsigned(index_));
      if (!v) return R::failure(v.error());
      return std::to_string(*v) + "\n";
    }
    auto v = set_.values(nsems_);
    if (!v) return R::failure(v.error());
    return ipc::format_values(*v);
  }

  SemGrammar grammar() const override { return {index_ < 0, nsems_, ipc::kSemVmx}; }

  int apply(const SemCommand& c) override {
    // The command was checked against the set's size, so EINVAL means the id no longer names
    // a set: a wait ended by removal gets the same EIDRM the kernel gives its own sleepers.
    int r = apply_once(c);
    return r == -EINVAL ? -EIDRM : r;
  }

 private:
  int apply_once(const SemCommand& c) {
    using T = SemCommand::Type;
    auto one = [&](int delta) { return set_.op({sembuf{uint16_t(index_), int16_t(delta), 0}}); };
    switch (c.type) {
      case T::kAdd:
        return one(int(c.n));
      case T::kSub:
      case T::kTrySub:
        return one(-int(c.n));
      case T::kZero:
        return one(0);
      case T::kSet:
        return set_.set_value(unsigned(index_), uint16_t(c.n));
      case T::kSetAll:
        return set_.set_values(std::vector<uint16_t>(c.values.begin(), c.values.end()));
      case T::kOps: {
        std::vector<sembuf> ops;
        for (const SemOp& o : c.ops) ops.push_back(sembuf{o.index, int16_t(o.delta), 0});
        return set_.op(std::move(ops));
      }
    }
    return -EINVAL;
  }

  const SemSet set_;
  const unsigned nsems_;  // fixed for the set's life
  const int index_;
};

class SysvSemKind;

// The file of a by-key set not made yet: the first write makes it (nsems from a SETALL, else
// 1; a semop list makes one) and is then applied to it; a close without a successful write
// makes it with one semaphore.
class PendingSemFile : public OpenFile {
 public:
  PendingSemFile(SysvSemKind& kind, key_t key, mode_t mode, Caller caller, bool excl, int flags)
      : kind_(kind), key_(key), mode_(mode), caller_(caller), excl_(excl), flags_(flags) {}
  void read(fuse_req_t req, size_t size, off_t off) override;
  void write(fuse_req_t req, const char* buf, size_t size, off_t off) override;
  void release() override;
  int make_now() override;

 private:
  // The set's file, made with NSEMS if it does not exist yet. Needs mu_.
  Result<OpenFile*> made_locked(unsigned nsems);

  SysvSemKind& kind_;
  const key_t key_;
  const mode_t mode_;
  const Caller caller_;
  const bool excl_;
  const int flags_;
  std::mutex mu_;
  FileRef set_file_;  // once made; never replaced
};

class SysvSemKind : public Kind {
 public:
  explicit SysvSemKind(Watcher& w) : watcher_(w) {}

  std::string_view name() const override { return "sysv-sem"; }
  uint32_t allowed_options() const override { return kOptNsems | kOptSem | kOptInfo | kOptExcl; }
  bool writes_wait() const override { return true; }
  mode_t mode_bits() const override { return 0777; }  // no setuid, setgid or sticky bit

  Result<ObjectStat> stat(std::string_view name) override {
    using R = Result<ObjectStat>;
    auto set = by_name(name);
    if (!set) return R::failure(set.error());
    auto info = set->info();
    if (!info) return R::failure(gone_as_enoent(info.error()));
    // Size is the length of what a read gives, so that ls -l and cat agree.
    auto v = set->values(info->nsems);
    return ipc::to_object_stat(*info, set->id(), v ? ipc::format_values(*v).size() : 0);
  }

  Result<ObjectStat> create(std::string_view, const OpenOptions&, mode_t, const Caller&) override {
    return Result<ObjectStat>::failure(-EPERM);  // sets are made through by-key/KEY
  }

  int remove(std::string_view name) override {
    auto set = by_name(name);
    return set ? gone_as_enoent(set->remove()) : set.error();
  }

  int set_mode(ObjectRef ref, mode_t mode) override {
    auto set = by_name(ref.name);
    if (!set) return set.error();
    auto info = set->info();
    if (!info) return gone_as_enoent(info.error());
    if (mode & ~mode_bits()) return -EINVAL;
    return set->set_perm(info->uid, info->gid, mode);
  }

  int set_owner(ObjectRef ref, uid_t uid, gid_t gid) override {
    auto set = by_name(ref.name);
    if (!set) return set.error();
    auto info = set->info();
    if (!info) return gone_as_enoent(info.error());
    return set->set_perm(uid == uid_t(-1) ? info->uid : uid, gid == gid_t(-1) ? info->gid : gid,
                         info->mode);
  }

  // `>` (O_TRUNC) sets nothing; a set has no other size to take.
  int truncate(ObjectRef, uint64_t size) override { return size == 0 ? 0 : -EINVAL; }

  Result<Facts> describe(ObjectRef obj) override;

  Result<FileRef> open(ObjectRef ref, const OpenOptions& o, int flags) override {
    using R = Result<FileRef>;
    auto set = by_name(ref.name);
    if (!set) return R::failure(set.error());
    auto info = set->info();
    if (!info) return R::failure(gone_as_enoent(info.error()));
    return file_of(*set, info->nsems, o, flags);
  }

  bool keyed() const override { return true; }

  // The size of a set's file needs its values (GETALL), which the table does not show: a
  // stat() each.
  Result<std::vector<Listed>> list_stats() override {
    using R = Result<std::vector<Listed>>;
    auto t = ipc::SysvTable::read(ipc::SysvKind::kSem);
    if (!t) return R::failure(t.error());
    std::vector<Listed> out;
    out.reserve(t->size());
    for (size_t i = 0; i < t->size(); ++i) {
      std::string name = std::to_string(t->id(i));
      auto st = stat(name);
      if (st) out.push_back({std::move(name), t->key(i), *st});  // else gone since the read
    }
    return out;
  }

  Result<std::string> find_key(key_t key) override {
    auto set = SemSet::find(key);
    if (!set) return Result<std::string>::failure(-ENOENT);
    return std::to_string(set->id());
  }

  Result<std::string> create_keyed(key_t key, const OpenOptions& o, mode_t mode,
                                   const Caller& caller) override {
    using R = Result<std::string>;
    // Without @nsems the size is not known yet: the file makes the set (PendingSemFile). With
    // @sem=I the file is one semaphore, so the set is made at once, one semaphore by default.
    unsigned nsems = o.has(kOptNsems) ? o.nsems : o.has(kOptSem) ? 1 : 0;
    if (nsems == 0) {
      auto found = SemSet::find(key);
      if (found) return R::failure(-EEXIST);
      return found.error() == -ENOENT ? R(std::string()) : R::failure(found.error());
    }
    if (o.has(kOptSem) && o.sem >= nsems && !SemSet::find(key)) return R::failure(-EINVAL);
    auto set = make(key, nsems, mode, caller, true);
    if (!set) return R::failure(set.error());
    return std::to_string(set->id());
  }

  Result<FileRef> open_pending(key_t key, const OpenOptions& o, mode_t mode, const Caller& caller,
                               int flags) override {
    bool excl = o.has(kOptExcl) || (flags & O_EXCL);
    return FileRef(std::make_shared<PendingSemFile>(*this, key, mode, caller, excl, flags));
  }

  // The set KEY with NSEMS, owned by CALLER with exactly MODE. Without EXCL an existing set is
  // found instead (semget's EINVAL if it is smaller than NSEMS), if it has that owner and mode:
  // made by another open of the same pending file, against whose owner and mode the kernel
  // checked this caller. Any other set is EEXIST: the daemon must not use it unchecked.
  Result<SemSet> make(key_t key, unsigned nsems, mode_t mode, const Caller& caller, bool excl) {
    auto set = [&] {
      // Made as the caller, so that the kernel records it as the creator (cuid/cgid).
      ipc::ActingAs as(caller.uid, caller.gid);
      return SemSet::create(key, nsems, mode);
    }();
    if (set) {
      // The caller owns what it creates, never the daemon (SPEC §7): said again in case the
      // daemon could not act as the caller (it does not run as root).
      if (int e = set->set_perm(caller.uid, caller.gid, mode); e < 0) {
        (void)set->remove();
        return Result<SemSet>::failure(e);
      }
      return set;
    }
    if (set.error() != -EEXIST || excl) return set;
    auto found = SemSet::find(key, nsems);
    if (!found) return found;
    auto info = found->info();
    if (!info) return Result<SemSet>::failure(gone_as_enoent(info.error()));
    if (info->uid != caller.uid || info->gid != caller.gid || (info->mode & 0777) != (mode & 0777))
      return Result<SemSet>::failure(-EEXIST);
    return found;
  }

  Result<FileRef> file_of(SemSet set, unsigned nsems, const OpenOptions& o, int flags) {
    using R = Result<FileRef>;
    int index = -1;
    if (o.has(kOptSem)) {
      if (o.sem >= nsems) return R::failure(-EINVAL);
      index = int(o.sem);
    }
    return FileRef(std::make_shared<SemFile>(std::make_unique<SysvSemBackend>(set, nsems, index),
                                             (flags & O_NONBLOCK) != 0, watcher_));
  }

 private:
  Watcher& watcher_;
};

Result<Facts> SysvSemKind::describe(ObjectRef obj) {
  std::string_view name = obj.name;
  using R = Result<Facts>;
  auto set = by_name(name);
  if (!set) return R::failure(set.error());
  auto info = set->info();
  if (!info) return R::failure(gone_as_enoent(info.error()));
  auto values = set->values(info->nsems);
  if (!values) return R::failure(values.error());
  std::string ncnt, zcnt, pids;
  for (unsigned i = 0; i < info->nsems; ++i) {
    auto n = set->ncnt(i);
    auto z = set->zcnt(i);
    auto p = set->last_pid(i);
    if (!n || !z || !p) return R::failure(!n ? n.error() : !z ? z.error() : p.error());
    const char* sep = i ? " " : "";
    ncnt += sep + std::to_string(*n);
    zcnt += sep + std::to_string(*z);
    pids += sep + std::to_string(*p);
  }
  std::string text = ipc::format_values(*values);
  text.pop_back();
  return Facts{{"kind", "sysv-sem"},
               {"key", ipc::format_key(info->key)},
               {"id", std::to_string(set->id())},
               {"mode", octal_mode(info->mode)},
               {"uid", std::to_string(info->uid)},
               {"gid", std::to_string(info->gid)},
               {"cuid", std::to_string(info->cuid)},
               {"cgid", std::to_string(info->cgid)},
               {"nsems", std::to_string(info->nsems)},
               {"values", text},
               {"otime", std::to_string(info->otime)},
               {"ctime", std::to_string(info->ctime)},
               {"semncnt", ncnt},
               {"semzcnt", zcnt},
               {"sempid", pids}};
}

Result<OpenFile*> PendingSemFile::made_locked(unsigned nsems) {
  using R = Result<OpenFile*>;
  if (set_file_) return set_file_.get();
  auto set = kind_.make(key_, nsems, made_mode(mode_), caller_, excl_);
  if (!set) return R::failure(set.error());
  auto info = set->info();
  if (!info) return R::failure(gone_as_enoent(info.error()));
  auto file = kind_.file_of(*set, info->nsems, OpenOptions{}, flags_);
  if (!file) return R::failure(file.error());
  set_file_ = std::move(*file);
  set_file_->changed = changed;
  return set_file_.get();
}

void PendingSemFile::read(fuse_req_t req, size_t size, off_t off) {
  OpenFile* f = nullptr;
  {
    std::lock_guard lock(mu_);
    f = set_file_.get();
  }
  if (!f) return (void)fuse_reply_buf(req, nullptr, 0);  // nothing made, nothing to read
  f->nonblock = nonblock.load();
  f->read(req, size, off);
}

void PendingSemFile::write(fuse_req_t req, const char* buf, size_t size, off_t off) {
  Result<OpenFile*> f = Result<OpenFile*>::failure(-EIO);
  {
    std::lock_guard lock(mu_);
    std::string_view text(buf, size);
    unsigned nsems = 1;
    if (!set_file_) {
      // The size comes from a SETALL; any other command is checked against the default set
      // before anything is made, so that a rejected write makes nothing.
      auto c = parse_sem_command(text, {true, 0, ipc::kSemVmx});
      if (c && c->type == SemCommand::Type::kSetAll) {
        nsems = unsigned(c->values.size());
      } else if (auto d = parse_sem_command(text, {true, 1, ipc::kSemVmx}); !d) {
        return reply_error(req, d.error());
      }
    }
    f = made_locked(nsems);
  }
  if (!f) return reply_error(req, f.error());
  (*f)->nonblock = nonblock.load();
  (*f)->write(req, buf, size, off);
}

int PendingSemFile::make_now() {
  std::lock_guard lock(mu_);
  auto f = made_locked(1);
  return f ? 0 : f.error();
}

void PendingSemFile::release() {
  std::lock_guard lock(mu_);
  // Made at the last close, not at a FLUSH: bash closes its first descriptor of a redirection
  // before the write that says how many semaphores. close(2) has returned by now, so a failure
  // can only be logged. A read-only open that did not create the file (`cat` of a key another
  // open is making) makes nothing.
  if ((flags_ & O_ACCMODE) == O_RDONLY && !(flags_ & O_CREAT)) return;
  if (auto f = made_locked(1); !f)
    spdlog::warn("sysv-sem: set for key {} not made at close: {}", ipc::format_key(key_),
                 std::strerror(-f.error()));
  if (set_file_) set_file_->release();
}

}  // namespace

std::unique_ptr<Kind> make_sysv_sem_kind(Watcher& w) {
  return std::make_unique<SysvSemKind>(w);
}

}  // namespace ipcfs::fs
