// posix/mq: POSIX message queues (SPEC §5.1). Data moves through QueueFile.
#include <fcntl.h>
#include <sys/epoll.h>

#include <cstdio>
#include <cstring>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>
#include <vector>

#include <spdlog/spdlog.h>

#include "fs/kind.h"
#include "fs/queue_file.h"
#include "fs/watcher.h"
#include "ipc/posix_mq.h"

namespace ipcfs::fs {

namespace {

using ipc::MessageQueue;
using ipc::ObjectStat;

// One queue's descriptor and the facts a reader needs, shared by the opens of the queue.
struct QueueHandle {
  MessageQueue q;
  size_t msgsize = 0;  // fixed when the queue is made
  uint64_t serial = 0;
};

// OBJ's name opened with access ACC, with its message size and serial; -ESTALE if the name
// now names another queue.
Result<std::shared_ptr<const QueueHandle>> open_handle(ObjectRef obj, int acc) {
  using R = Result<std::shared_ptr<const QueueHandle>>;
  auto q = MessageQueue::open(obj.name, acc);
  if (!q) return R::failure(q.error());
  auto a = q->attr();
  if (!a) return R::failure(a.error());
  auto serial = q->serial();
  if (!serial) return R::failure(serial.error());
  if (!obj.is(*serial)) return R::failure(-ESTALE);
  return std::make_shared<const QueueHandle>(
      QueueHandle{std::move(*q), size_t(a->msgsize), *serial});
}

// NAME opened with access ACC, if it is still the queue OBJ means.
Result<MessageQueue> open_checked(ObjectRef obj, int acc) {
  auto q = MessageQueue::open(obj.name, acc);
  if (!q) return q;
  auto serial = q->serial();
  if (!serial) return Result<MessageQueue>::failure(serial.error());
  if (!obj.is(*serial)) return Result<MessageQueue>::failure(-ESTALE);
  return q;
}

// An open POSIX queue file: QueueFile over the queue's (usually kept) descriptor.
class PosixMqFile final : public QueueFile {
 public:
  PosixMqFile(std::shared_ptr<const QueueHandle> h, unsigned prio, View view, bool nonblock,
              Watcher& watcher)
      : QueueFile(view, nonblock, watcher), h_(std::move(h)), prio_(prio) {}

 private:
  Result<size_t> receive(std::vector<char>& buf) override {
    return receive_through_scratch(buf, [&](std::vector<char>& s) {
      if (s.size() < h_->msgsize) s.resize(h_->msgsize);
      return h_->q.receive(s.data(), s.size());
    });
  }
  int send(const char* data, size_t len) override { return h_->q.send(data, len, prio_); }
  Readiness readiness() override {
    auto a = h_->q.attr();
    if (!a) return {};
    return {a->curmsgs > 0, a->curmsgs < a->maxmsg};
  }
  int fd() const override { return h_->q.fd(); }

  const std::shared_ptr<const QueueHandle> h_;
  const unsigned prio_;
};

// Descriptors kept open between the opens of a queue. Without them, each open of a queue file
// costs an mq_open, an mq_getattr and, at release, a close: system calls on the critical path
// of an echo-then-cat loop (about 1 µs each there, measured). A kept descriptor is checked at
// each use (QueueHandle::q.serial(), one fstat): a queue removed, and perhaps made again under
// its name, is never taken for the new one. Removals seen by the watcher (QueueRemovals) close
// kept descriptors at once, so that ipcfs does not hold a removed queue's memory.
class KeptQueues {
 public:
  explicit KeptQueues(bool enabled) : enabled_(enabled) {}

  // A handle of OBJ that can both send and receive, kept for later opens if possible. -ESTALE
  // if OBJ's name now names another queue.
  Result<std::shared_ptr<const QueueHandle>> get(ObjectRef obj) {
    using R = Result<std::shared_ptr<const QueueHandle>>;
    auto h = find(obj.name);
    if (h && h->q.serial()) return obj.is(h->serial) ? R(h) : R::failure(-ESTALE);
    if (h) forget(std::string(obj.name), h.get());
    auto made = open_handle(obj, O_RDWR);
    if (made && enabled_) {
      std::lock_guard lock(mu_);
      if (kept_.size() < kMaxKept) kept_.insert_or_assign(std::string(obj.name), *made);
    }
    return made;
  }

  // The kept handle of NAME, if there is one (nothing is opened). Unchecked: it may be of a
  // removed queue.
  std::shared_ptr<const QueueHandle> find(std::string_view name) {
    if (!enabled_) return nullptr;
    std::lock_guard lock(mu_);
    auto it = kept_.find(name);
    return it == kept_.end() ? nullptr : it->second;
  }

  // NAME was removed: drop its kept descriptor unless it is of a newer queue. Open files keep
  // theirs until they are released. With NAME empty, checks them all.
  void removed(const std::string& name) {
    std::vector<std::shared_ptr<const QueueHandle>> check;
    {
      std::lock_guard lock(mu_);
      for (auto& [n, h] : kept_)
        if (name.empty() || n == name) check.push_back(h);
    }
    for (auto& h : check)
      if (!h->q.serial()) forget(name, h.get());
  }

 private:
  // Drops NAME's kept handle if it is still H (another thread may have replaced it). With NAME
  // empty: wherever H is kept.
  void forget(const std::string& name, const QueueHandle* h) {
    std::lock_guard lock(mu_);
    std::erase_if(kept_, [&](const auto& e) {
      return (name.empty() || e.first == name) && e.second.get() == h;
    });
  }

  // Each kept descriptor is an open file of the daemon: bounded well below RLIMIT_NOFILE.
  static constexpr size_t kMaxKept = 256;
  const bool enabled_;
  // Lock order: a leaf; no system call is made while it is held.
  std::mutex mu_;
  // Looked up by string_view: no string is made for the lookup of each open.
  struct NameHash {
    using is_transparent = void;
    size_t operator()(std::string_view s) const { return std::hash<std::string_view>{}(s); }
  };
  std::unordered_map<std::string, std::shared_ptr<const QueueHandle>, NameHash, std::equal_to<>>
      kept_;
};

// Tells KeptQueues of removals, from the watcher thread whenever QueueRemovals is readable.
// It is never done: it stays parked until the kind cancels it.
class RemovalWaiter : public Waiter {
 public:
  RemovalWaiter(ipc::QueueRemovals& r, KeptQueues& kept)
      : Waiter(r.fd(), EPOLLIN, nullptr), removals_(r), kept_(kept) {}
  int attempt() override {
    bool lost = false;
    for (const std::string& name : removals_.take(&lost)) kept_.removed(name);
    if (lost) kept_.removed("");
    return -EAGAIN;
  }
  void finish(int) override {}

 private:
  ipc::QueueRemovals& removals_;
  KeptQueues& kept_;
};

class PosixMqKind : public Kind {
 public:
  explicit PosixMqKind(Watcher& w)
      : watcher_(w),
        dir_(ipc::MqueueDir::attach()),
        removals_(ipc::QueueRemovals::watch(dir_)),
        kept_(removals_.ok()) {
    // Without word of removals, kept descriptors could hold removed queues: none are kept.
    if (removals_)
      watcher_.watch(this, std::make_unique<RemovalWaiter>(*removals_, kept_));
    else
      spdlog::info("posix/mq: every open opens its queue anew (no removal watch: {})",
                   std::strerror(-removals_.error()));
  }
  ~PosixMqKind() override { watcher_.cancel(this); }

  std::string_view name() const override { return "posix-mq"; }
  bool reads_consume(const OpenOptions&) const override { return true; }
  uint32_t allowed_options() const override {
    return kOptPrio | kOptStream | kOptDrain | kOptInfo | kOptMaxmsg | kOptMsgsize | kOptExcl;
  }

  Result<std::vector<Listed>> list_stats() override { return stat_each(*this, dir_.list()); }

  Result<ObjectStat> stat(std::string_view name) override {
    // Through a kept descriptor if there is one: no mq_open and close. This is the GETATTR of
    // `cat` after each `echo` (a write makes the kernel drop the size it holds). A removed queue
    // says ENOENT there, and its name is then looked up anew.
    if (auto h = kept_.find(name)) {
      auto st = h->q.stat();
      if (st || st.error() != -ENOENT) return st;
    }
    auto q = MessageQueue::open(name, O_RDONLY);
    if (!q) return Result<ObjectStat>::failure(q.error());
    return q->stat();
  }

  Result<ObjectStat> create(std::string_view name, const OpenOptions& o, mode_t mode,
                            const Caller& caller) override {
    ipc::MqAttr attr{o.maxmsg, o.msgsize, 0};
    auto q = MessageQueue::open(name, O_RDONLY | O_CREAT | O_EXCL, mode & 07777, &attr);
    if (q) {
      // The caller owns what it creates, never the daemon (SPEC §7).
      if (int e = q->chown(caller.uid, caller.gid); e < 0) {
        (void)MessageQueue::unlink(name);
        return Result<ObjectStat>::failure(e);
      }
    }
    if (!q) return Result<ObjectStat>::failure(q.error());
    return q->stat();
  }

  int remove(std::string_view name) override {
    int r = MessageQueue::unlink(name);
    if (r == 0) kept_.removed(std::string(name));
    return r;
  }

  int set_mode(ObjectRef obj, mode_t mode) override {
    auto q = open_checked(obj, O_RDONLY);
    return q ? q->chmod(mode) : q.error();
  }
  int set_owner(ObjectRef obj, uid_t uid, gid_t gid) override {
    auto q = open_checked(obj, O_RDONLY);
    return q ? q->chown(uid, gid) : q.error();
  }
  // `>` on a queue removes nothing (SPEC §5.1); any other size makes no sense for a queue.
  int truncate(ObjectRef, uint64_t size) override { return size == 0 ? 0 : -EINVAL; }

  Result<Facts> describe(ObjectRef obj) override {
    std::string_view name = obj.name;
    auto q = MessageQueue::open(name, O_RDONLY);
    if (!q) return Result<Facts>::failure(q.error());
    auto st = q->stat();
    auto a = q->attr();
    if (!st || !a) return Result<Facts>::failure(!st ? st.error() : a.error());
    if (!obj.is(st->serial)) return Result<Facts>::failure(-ESTALE);
    return Facts{{"kind", "posix-mq"},
                 {"name", "/" + std::string(name)},
                 {"mode", octal_mode(st->mode)},
                 {"uid", std::to_string(st->uid)},
                 {"gid", std::to_string(st->gid)},
                 {"bytes", std::to_string(st->size)},
                 {"curmsgs", std::to_string(a->curmsgs)},
                 {"maxmsg", std::to_string(a->maxmsg)},
                 {"msgsize", std::to_string(a->msgsize)}};
  }

  Result<FileRef> open(ObjectRef obj, const OpenOptions& o, int flags) override {
    using R = Result<FileRef>;
    auto h = kept_.get(obj);
    // A daemon that may not both read and write the queue (not root) opens it as the caller
    // asks, for this open alone.
    if (!h && h.error() == -EACCES) h = open_handle(obj, flags & O_ACCMODE);
    if (!h) return R::failure(h.error());
    return FileRef(std::make_shared<PosixMqFile>(std::move(*h), o.prio, o.view(),
                                                 (flags & O_NONBLOCK) != 0, watcher_));
  }

 private:
  Watcher& watcher_;
  const ipc::MqueueDir dir_;
  Result<ipc::QueueRemovals> removals_;
  KeptQueues kept_;
};

}  // namespace

std::unique_ptr<Kind> make_posix_mq_kind(Watcher& w) {
  return std::make_unique<PosixMqKind>(w);
}

}  // namespace ipcfs::fs
