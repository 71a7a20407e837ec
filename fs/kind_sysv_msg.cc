// sysv/msg: System V message queues (SPEC §5.1), named by msqid and reached by key through
// by-key/. Data moves through QueueFile; System V queues have no descriptor, so parked
// operations are retried on the Watcher's timer.
#include <fcntl.h>
#include <sys/ipc.h>

#include <climits>
#include <cstdio>
#include <mutex>

#include "fs/kind.h"
#include "fs/queue_file.h"
#include "fs/watcher.h"
#include "ipc/acting_as.h"
#include "ipc/names.h"
#include "ipc/sysv_list.h"
#include "ipc/sysv_msg.h"

namespace ipcfs::fs {

namespace {

using ipc::MsqChange;
using ipc::MsqInfo;
using ipc::ObjectStat;
using ipc::SysvMsgQueue;

// How many queued messages poll looks through (MSG_COPY) for one of the open's type before it
// just says "readable": a bound on the work of one readiness check.
constexpr uint64_t kTypeScanLimit = 256;

// An open System V queue file: QueueFile over msgsnd/msgrcv with the open's message types.
class SysvMsgFile final : public QueueFile {
 public:
  SysvMsgFile(SysvMsgQueue q, long send_type, long recv_type, View view, bool nonblock,
              Watcher& watcher)
      : QueueFile(view, nonblock, watcher), q_(q), send_type_(send_type), recv_type_(recv_type) {}

 private:
  Result<size_t> receive(std::vector<char>& buf) override {
    return receive_through_scratch(buf, [&](std::vector<char>& s) {
      return q_.receive(recv_type_, s);  // grows s on E2BIG
    });
  }
  int send(const char* data, size_t len) override { return q_.send(send_type_, data, len); }

  Readiness readiness() override {
    auto info = q_.stat();
    // A queue removed under an open file: wake pollers, whose next read or write says EIDRM.
    if (!info) return {true, true};
    bool readable = info->qnum > 0 && (recv_type_ == 0 || has_match(info->qnum));
    bool writable = info->stat.size < info->qbytes && info->qnum < info->qbytes;
    return {readable, writable};
  }

  bool matches(long type) const {
    return recv_type_ > 0 ? type == recv_type_ : type <= -recv_type_;
  }
  // Whether a message msgrcv(recv_type_) would take is queued, looked up without taking it.
  bool has_match(uint64_t qnum) {
    std::lock_guard lock(scan_mu_);
    for (size_t i = 0; i < std::min(qnum, kTypeScanLimit); ++i) {
      long type = 0;
      auto n = q_.copy(i, scan_, &type);
      if (!n) return n.error() != -EAGAIN;  // no MSG_COPY or other trouble: cannot tell
      if (matches(type)) return true;
    }
    return qnum > kTypeScanLimit;
  }

  const SysvMsgQueue q_;
  const long send_type_;
  const long recv_type_;
  std::mutex scan_mu_;  // readiness runs in libfuse workers and the watcher thread alike
  std::vector<char> scan_;
};

class SysvMsgKind : public Kind {
 public:
  explicit SysvMsgKind(Watcher& w) : watcher_(w) {}

  std::string_view name() const override { return "sysv-msg"; }
  bool reads_consume(const OpenOptions& o) const override { return !o.has(kOptPeek); }
  uint32_t allowed_options() const override {
    return kOptType | kOptStream | kOptDrain | kOptPeek | kOptInfo | kOptExcl;
  }

  Result<ObjectStat> stat(std::string_view name) override {
    auto info = info_of(name);
    if (!info) return Result<ObjectStat>::failure(info.error());
    return info->stat;
  }

  // Queues are made through by-key/KEY only (create_keyed).
  Result<ObjectStat> create(std::string_view, const OpenOptions&, mode_t, const Caller&) override {
    return Result<ObjectStat>::failure(-EPERM);
  }

  int remove(std::string_view name) override {
    auto id = ipc::parse_id(name);
    return id ? SysvMsgQueue(*id).remove() : -ENOENT;
  }
  int set_mode(ObjectRef ref, mode_t mode) override {
    MsqChange c;
    c.set_mode = true;
    c.mode = mode;
    return change(ref.name, c);
  }
  int set_owner(ObjectRef ref, uid_t uid, gid_t gid) override {
    MsqChange c;
    c.uid = uid;
    c.gid = gid;
    return change(ref.name, c);
  }
  // `>` on a queue removes nothing (SPEC §5.1); any other size makes no sense for a queue.
  int truncate(ObjectRef, uint64_t size) override { return size == 0 ? 0 : -EINVAL; }

  Result<Facts> describe(ObjectRef obj) override {
    std::string_view name = obj.name;
    auto m = info_of(name);
    if (!m) return Result<Facts>::failure(m.error());
    const ObjectStat& s = m->stat;
    return Facts{{"kind", "sysv-msg"},
                 {"key", ipc::format_key(m->key)},
                 {"id", std::string(name)},
                 {"mode", octal_mode(s.mode)},
                 {"uid", std::to_string(s.uid)},
                 {"gid", std::to_string(s.gid)},
                 {"cuid", std::to_string(s.cuid)},
                 {"cgid", std::to_string(s.cgid)},
                 {"bytes", std::to_string(s.size)},
                 {"qnum", std::to_string(m->qnum)},
                 {"qbytes", std::to_string(m->qbytes)},
                 {"lspid", std::to_string(m->lspid)},
                 {"lrpid", std::to_string(m->lrpid)},
                 {"stime", std::to_string(m->stime)},
                 {"rtime", std::to_string(m->rtime)},
                 {"ctime", std::to_string(m->ctime)}};
  }

  // user.ipcfs.qbytes: the queue's byte limit. The daemon may be privileged, so IPC_SET's own
  // rules are applied to the caller: only the owner or creator (or root) may change it, and
  // only root may raise it over msgmnb.
  int set_fact(std::string_view name, std::string_view fact, std::string_view value,
               const Caller& caller) override {
    if (fact != "qbytes") return -EPERM;
    auto qbytes = ipc::parse_decimal(value, INT_MAX);
    if (!qbytes || *qbytes == 0) return -EINVAL;
    auto m = info_of(name);
    if (!m) return m.error();
    if (caller.uid != 0 && caller.uid != m->stat.uid && caller.uid != m->stat.cuid) return -EPERM;
    if (caller.uid != 0 && *qbytes > ipc::msgmnb()) return -EPERM;
    MsqChange c;
    c.qbytes = *qbytes;
    return change(name, c);
  }

  Result<FileRef> open(ObjectRef ref, const OpenOptions& o, int flags) override {
    using R = Result<FileRef>;
    auto id = ipc::parse_id(ref.name);
    if (!id) return R::failure(-ENOENT);
    SysvMsgQueue q(*id);
    if (auto info = q.stat(); !info) return R::failure(info.error());
    bool writes = (flags & O_ACCMODE) != O_RDONLY;
    if (o.view() == View::kPeek) {
      if (writes) return R::failure(-EINVAL);
      auto msgs = q.peek();
      if (!msgs) return R::failure(msgs.error());
      std::string text;
      for (const auto& m : *msgs) text += m.data;
      return FileRef(std::make_shared<TextFile>(std::move(text)));
    }
    // msgsnd needs mtype > 0; a read selector of 0 or below means "any" / "lowest".
    if (writes && o.has(kOptType) && o.type <= 0) return R::failure(-EINVAL);
    long send_type = o.has(kOptType) ? o.type : 1;
    long recv_type = o.has(kOptType) ? o.type : 0;
    return FileRef(std::make_shared<SysvMsgFile>(q, send_type, recv_type, o.view(),
                                                 (flags & O_NONBLOCK) != 0, watcher_));
  }

  bool keyed() const override { return true; }

  Result<std::vector<Listed>> list_stats() override {
    return listed(ipc::SysvMsgQueue::list_all());
  }

  // msgget without IPC_CREAT asks for no permission: it only maps the key to the id.
  Result<std::string> find_key(key_t key) override {
    auto q = SysvMsgQueue::get(key, 0);
    if (!q) return Result<std::string>::failure(q.error());
    return std::to_string(q->id());
  }

  Result<std::string> create_keyed(key_t key, const OpenOptions& o, mode_t mode,
                                   const Caller& caller) override {
    using R = Result<std::string>;
    // Options the creating open (a write) would refuse must not leave a queue made behind.
    if (o.has(kOptPeek) || o.has(kOptInfo) || (o.has(kOptType) && o.type <= 0))
      return R::failure(-EINVAL);
    auto q = [&] {
      // Made as the caller, so that the kernel records it as the creator (cuid/cgid).
      ipc::ActingAs as(caller.uid, caller.gid);
      return SysvMsgQueue::get(key, IPC_CREAT | IPC_EXCL | int(mode & 0777));
    }();
    if (q) {
      // The caller owns what it creates, never the daemon (SPEC §7): said again in case the
      // daemon could not act as the caller (it does not run as root).
      MsqChange c;
      c.set_mode = true;
      c.mode = mode & 0777;
      c.uid = caller.uid;
      c.gid = caller.gid;
      if (int e = q->change(c); e < 0) {
        (void)q->remove();
        return R::failure(e);
      }
    }
    if (!q) return R::failure(q.error());
    return std::to_string(q->id());
  }

 private:
  static Result<MsqInfo> info_of(std::string_view name) {
    auto id = ipc::parse_id(name);
    if (!id) return Result<MsqInfo>::failure(-ENOENT);
    return SysvMsgQueue(*id).stat();
  }
  static int change(std::string_view name, const MsqChange& c) {
    auto id = ipc::parse_id(name);
    return id ? SysvMsgQueue(*id).change(c) : -ENOENT;
  }

  Watcher& watcher_;
};

}  // namespace

std::unique_ptr<Kind> make_sysv_msg_kind(Watcher& w) {
  return std::make_unique<SysvMsgKind>(w);
}

}  // namespace ipcfs::fs
