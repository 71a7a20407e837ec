// posix/sem: POSIX named semaphores (SPEC §5.3). Reading and writing go through SemFile; the
// object's metadata is that of its file /dev/shm/sem.NAME.
#include <fcntl.h>
#include <semaphore.h>

#include <algorithm>
#include <cstdio>
#include <map>
#include <mutex>

#include "fs/kind.h"
#include "fs/sem_file.h"
#include "ipc/posix_sem.h"

namespace ipcfs::fs {

namespace {

using ipc::NamedSemaphore;
using ipc::ObjectStat;

std::string value_text(unsigned v) {
  return std::to_string(v) + "\n";
}

class PosixSemBackend : public SemBackend {
 public:
  explicit PosixSemBackend(std::shared_ptr<const NamedSemaphore> sem) : sem_(std::move(sem)) {}

  Result<std::string> text() override {
    auto v = sem_->value();
    if (!v) return Result<std::string>::failure(v.error());
    return value_text(*v);
  }
  SemGrammar grammar() const override { return {false, 0, SEM_VALUE_MAX}; }

  int apply(const SemCommand& c) override {
    switch (c.type) {
      case SemCommand::Type::kAdd:
        return add(c.n);
      case SemCommand::Type::kSub:
      case SemCommand::Type::kTrySub:
        return take(c.n);
      case SemCommand::Type::kZero:
        return -ENOTSUP;  // POSIX has no wait-for-zero
      case SemCommand::Type::kSet:
        return set(c.n);
      default:
        return -EINVAL;
    }
  }

 private:
  // POSIX changes a value by one post or trywait per unit, in a worker thread that nothing can
  // interrupt: a change is at most this many units (about 15 ms), larger ones are ERANGE.
  static constexpr uint32_t kMaxUnits = 1u << 20;

  int add(uint32_t n) {
    if (n > kMaxUnits) return -ERANGE;
    auto v = sem_->value();
    if (!v) return v.error();
    if (uint64_t(*v) + n > SEM_VALUE_MAX) return -ERANGE;
    for (uint32_t i = 0; i < n; ++i)
      if (int e = sem_->post(); e < 0) return e == -EOVERFLOW ? -ERANGE : e;  // raced to the top
    return 0;
  }

  // All N or none: what was taken is given back when the next one is not there. Others can
  // see the value dip meanwhile; for N = 1 it is a plain sem_trywait.
  int take(uint32_t n) {
    if (n > kMaxUnits) return -ERANGE;
    // Not enough now: leave it untouched rather than take and give back (a parked wait for a
    // large N retries every tick).
    if (n > 1) {
      auto v = sem_->value();
      if (!v) return v.error();
      if (*v < n) return -EAGAIN;
    }
    for (uint32_t i = 0; i < n; ++i) {
      if (int e = sem_->trywait(); e < 0) {
        for (uint32_t j = 0; j < i; ++j) (void)sem_->post();
        return e;
      }
    }
    return 0;
  }

  // POSIX has no "set": post or take the difference. Not atomic against concurrent users.
  int set(uint32_t n) {
    auto v = sem_->value();
    if (!v) return v.error();
    if ((n > *v ? n - *v : *v - n) > kMaxUnits) return -ERANGE;
    for (uint32_t i = *v; i < n; ++i)
      if (int e = sem_->post(); e < 0) return e == -EOVERFLOW ? -ERANGE : e;
    for (uint32_t i = n; i < *v; ++i)
      if (sem_->trywait() < 0) break;  // someone else took it meanwhile: already lower
    return 0;
  }

  const std::shared_ptr<const NamedSemaphore> sem_;
};

class PosixSemKind : public Kind {
 public:
  explicit PosixSemKind(Watcher& w) : watcher_(w) {}

  std::string_view name() const override { return "posix-sem"; }
  uint32_t allowed_options() const override { return kOptValue | kOptInfo | kOptExcl; }
  bool writes_wait() const override { return true; }

  Result<std::vector<Listed>> list_stats() override { return stat_each(*this, names()); }

  Result<ObjectStat> stat(std::string_view name) override {
    auto st = ipc::stat_posix_sem(name);
    if (!st) return st;
    // Size is the length of what a read gives, so that ls -l and cat agree.
    if (auto s = semaphore(name, st->serial))
      if (auto v = (*s)->value()) st->size = value_text(*v).size();
    return st;
  }

  Result<ObjectStat> create(std::string_view name, const OpenOptions& o, mode_t mode,
                            const Caller& caller) override {
    auto s =
        NamedSemaphore::create(name, mode, o.has(kOptValue) ? o.value : 0, caller.uid, caller.gid);
    if (!s) return Result<ObjectStat>::failure(s.error());
    return stat(name);
  }

  int remove(std::string_view name) override {
    {
      std::lock_guard lock(mu_);
      if (auto it = cache_.find(name); it != cache_.end()) cache_.erase(it);
    }
    return NamedSemaphore::unlink(name);
  }
  int set_mode(ObjectRef obj, mode_t mode) override {
    return ipc::chmod_posix_sem(obj.name, mode, obj.serial);
  }
  int set_owner(ObjectRef obj, uid_t uid, gid_t gid) override {
    return ipc::chown_posix_sem(obj.name, uid, gid, obj.serial);
  }
  // `>` (O_TRUNC) sets nothing; a semaphore has no other size to take.
  int truncate(ObjectRef, uint64_t size) override { return size == 0 ? 0 : -EINVAL; }

  Result<Facts> describe(ObjectRef obj) override {
    std::string_view name = obj.name;
    auto st = ipc::stat_posix_sem(name);
    if (!st) return Result<Facts>::failure(st.error());
    if (!obj.is(st->serial)) return Result<Facts>::failure(-ESTALE);
    auto s = semaphore(name, st->serial);
    if (!s) return Result<Facts>::failure(s.error());
    auto v = (*s)->value();
    if (!v) return Result<Facts>::failure(v.error());
    return Facts{{"kind", "posix-sem"},
                 {"name", "/" + std::string(name)},
                 {"mode", octal_mode(st->mode)},
                 {"uid", std::to_string(st->uid)},
                 {"gid", std::to_string(st->gid)},
                 {"value", std::to_string(*v)}};
  }

  Result<FileRef> open(ObjectRef obj, const OpenOptions&, int flags) override {
    using R = Result<FileRef>;
    auto st = ipc::stat_posix_sem(obj.name);
    if (!st) return R::failure(st.error());
    if (!obj.is(st->serial)) return R::failure(-ESTALE);
    auto s = semaphore(obj.name, st->serial);
    if (!s) return R::failure(s.error());
    return FileRef(std::make_shared<SemFile>(std::make_unique<PosixSemBackend>(std::move(*s)),
                                             (flags & O_NONBLOCK) != 0, watcher_));
  }

 private:
  // The semaphores' names; drops the cached descriptors of those gone.
  Result<std::vector<std::string>> names() {
    auto all = ipc::list_posix_sems();
    if (all) {
      // Sorted, so that dropping the gone ones is O(n log n), not cache size times n.
      std::sort(all->begin(), all->end());
      std::lock_guard lock(mu_);
      std::erase_if(cache_, [&](const auto& e) {
        return !std::binary_search(all->begin(), all->end(), e.first);
      });
    }
    return all;
  }

  // glibc maps a semaphore once per process and unmaps it when its last user closes it, so
  // every open, stat or read would map and unmap it (a TLB shootdown across the daemon's
  // threads). The kind keeps each semaphore it used open instead, checked against the inode
  // of its file (SERIAL) on every use; dropped on rm, when gone from a listing, or en masse
  // past kCacheMax.
  Result<std::shared_ptr<const NamedSemaphore>> semaphore(std::string_view name, uint64_t serial) {
    using R = Result<std::shared_ptr<const NamedSemaphore>>;
    std::lock_guard lock(mu_);
    auto it = cache_.find(name);
    if (it != cache_.end() && it->second.serial == serial) return it->second.sem;
    auto s = NamedSemaphore::open(name);
    if (!s) return R::failure(s.error());
    if (cache_.size() >= kCacheMax) cache_.clear();
    auto shared = std::make_shared<const NamedSemaphore>(std::move(*s));
    cache_[std::string(name)] = Cached{serial, shared};
    return shared;
  }

  static constexpr size_t kCacheMax = 1024;
  struct Cached {
    uint64_t serial = 0;
    std::shared_ptr<const NamedSemaphore> sem;
  };

  Watcher& watcher_;
  std::mutex mu_;  // guards cache_; a leaf
  std::map<std::string, Cached, std::less<>> cache_;
};

}  // namespace

std::unique_ptr<Kind> make_posix_sem_kind(Watcher& w) {
  return std::make_unique<PosixSemKind>(w);
}

}  // namespace ipcfs::fs
