// posix/mq: POSIX message queues (SPEC §5.1). Data moves through QueueFile.
#include <fcntl.h>
#include <sys/epoll.h>

#include <cstdio>

#include "fs/kind.h"
#include "fs/queue_file.h"
#include "fs/watcher.h"
#include "ipc/posix_mq.h"

namespace ipcfs::fs {

namespace {

using ipc::MessageQueue;
using ipc::ObjectStat;

class PosixMqBackend : public QueueBackend {
 public:
  PosixMqBackend(MessageQueue q, unsigned prio) : q_(std::move(q)), prio_(prio) {}
  Result<size_t> receive(std::vector<char>& buf) override {
    if (msgsize_ == 0) {
      // Asked only by readers, and only once: writers never pay for it.
      auto a = q_.attr();
      if (!a) return Result<size_t>::failure(a.error());
      msgsize_ = size_t(a->msgsize);
    }
    if (buf.size() < msgsize_) buf.resize(msgsize_);
    return q_.receive(buf.data(), buf.size());
  }
  int send(const char* data, size_t len) override { return q_.send(data, len, prio_); }
  Readiness readiness() override {
    auto a = q_.attr();
    if (!a) return {};
    return {a->curmsgs > 0, a->curmsgs < a->maxmsg};
  }
  int fd() const override { return q_.fd(); }

 private:
  const MessageQueue q_;
  const unsigned prio_;
  size_t msgsize_ = 0;  // the queue's message size, once a receive needed it
};

class PosixMqKind : public Kind {
 public:
  explicit PosixMqKind(Watcher& w) : watcher_(w), dir_(ipc::MqueueDir::attach()) {}

  std::string_view name() const override { return "posix-mq"; }
  uint32_t allowed_options() const override {
    return kOptPrio | kOptStream | kOptDrain | kOptInfo | kOptMaxmsg | kOptMsgsize | kOptExcl;
  }

  Result<std::vector<Listed>> list_stats() override { return stat_each(*this, dir_.list()); }

  Result<ObjectStat> stat(std::string_view name) override {
    auto q = MessageQueue::open(name, O_RDONLY);
    if (!q) return Result<ObjectStat>::failure(q.error());
    return q->stat();
  }

  Result<ObjectStat> create(std::string_view name, const OpenOptions& o, mode_t mode,
                            const Caller& caller, bool excl) override {
    ipc::MqAttr attr{o.maxmsg, o.msgsize, 0};
    auto q = MessageQueue::open(name, O_RDONLY | O_CREAT | O_EXCL, mode & 07777, &attr);
    if (q) {
      // The caller owns what it creates, never the daemon (SPEC §7).
      if (int e = q->chown(caller.uid, caller.gid); e < 0) {
        (void)MessageQueue::unlink(name);
        return Result<ObjectStat>::failure(e);
      }
    } else if (q.error() == -EEXIST && !excl) {
      q = MessageQueue::open(name, O_RDONLY);
    }
    if (!q) return Result<ObjectStat>::failure(q.error());
    return q->stat();
  }

  int remove(std::string_view name) override { return MessageQueue::unlink(name); }

  int set_mode(std::string_view name, mode_t mode) override {
    auto q = MessageQueue::open(name, O_RDONLY);
    return q ? q->chmod(mode) : q.error();
  }
  int set_owner(std::string_view name, uid_t uid, gid_t gid) override {
    auto q = MessageQueue::open(name, O_RDONLY);
    return q ? q->chown(uid, gid) : q.error();
  }
  // `>` on a queue removes nothing (SPEC §5.1); any other size makes no sense for a queue.
  int truncate(std::string_view, uint64_t size) override { return size == 0 ? 0 : -EINVAL; }

  Result<Facts> describe(std::string_view name) override {
    auto q = MessageQueue::open(name, O_RDONLY);
    if (!q) return Result<Facts>::failure(q.error());
    auto st = q->stat();
    auto a = q->attr();
    if (!st || !a) return Result<Facts>::failure(!st ? st.error() : a.error());
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

  Result<std::unique_ptr<OpenFile>> open(std::string_view name, const OpenOptions& o,
                                         int flags) override {
    using R = Result<std::unique_ptr<OpenFile>>;
    auto q = MessageQueue::open(name, flags & O_ACCMODE);
    if (!q) return R::failure(q.error());
    auto backend = std::make_unique<PosixMqBackend>(std::move(*q), o.prio);
    return std::unique_ptr<OpenFile>(std::make_unique<QueueFile>(
        std::move(backend), o.view(), (flags & O_NONBLOCK) != 0, watcher_));
  }

 private:
  Watcher& watcher_;
  const ipc::MqueueDir dir_;
};

}  // namespace

std::unique_ptr<Kind> make_posix_mq_kind(Watcher& w) {
  return std::make_unique<PosixMqKind>(w);
}

}  // namespace ipcfs::fs
