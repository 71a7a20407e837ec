// System V message queue calls. Every call uses IPC_NOWAIT; waiting is the caller's business.
#include "ipc/sysv_msg.h"

#include <fcntl.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "ipc/fd.h"

namespace ipcfs::ipc {

namespace {

constexpr size_t kHeader = sizeof(long);  // struct msgbuf's mtype ahead of the text
constexpr size_t kFirstText = 8192;       // the usual msgmax: one try for most messages
constexpr size_t kMaxText = size_t(1) << 31;

// msgctl(IPC_STAT), or MSG_STAT_ANY (which needs no read permission) where IPC_STAT says
// EACCES. MSG_STAT_ANY takes an index; it returns the full id, which must be ours.
int raw_stat(int id, msqid_ds* ds) {
  if (::msgctl(id, IPC_STAT, ds) == 0) return 0;
  int e = errno;
  if (e == EACCES) {
    int got = ::msgctl(id, MSG_STAT_ANY, ds);
    if (got == id) return 0;
    if (got >= 0) return -ENOENT;  // the slot holds another queue now
    e = errno;
    if (e == EINVAL) return -EACCES;  // kernel older than 4.17: no MSG_STAT_ANY
  }
  return e == EINVAL || e == EIDRM ? -ENOENT : -e;
}

timespec at(time_t t) {
  return timespec{t, 0};
}

}  // namespace

namespace {

size_t read_limit(const char* path, size_t fallback) {
  UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
  char buf[32];
  ssize_t n = fd.valid() ? ::read(fd.get(), buf, sizeof buf - 1) : -1;
  if (n <= 0) return fallback;
  buf[n] = '\0';
  long v = std::strtol(buf, nullptr, 10);
  return v > 0 ? size_t(v) : fallback;
}

}  // namespace

size_t msgmax() {
  return read_limit("/proc/sys/kernel/msgmax", kFirstText);
}

size_t msgmnb() {
  return read_limit("/proc/sys/kernel/msgmnb", 16384);
}

Result<SysvMsgQueue> SysvMsgQueue::get(key_t key, int flags) {
  int id = ::msgget(key, flags);
  if (id < 0) return Result<SysvMsgQueue>::failure(neg_errno());
  return SysvMsgQueue(id);
}

namespace {

MsqInfo to_info(const msqid_ds& ds, int id) {
  MsqInfo m;
  m.key = ds.msg_perm.__key;
  m.qnum = ds.msg_qnum;
  m.qbytes = ds.msg_qbytes;
  m.lspid = ds.msg_lspid;
  m.lrpid = ds.msg_lrpid;
  m.stime = ds.msg_stime;
  m.rtime = ds.msg_rtime;
  m.ctime = ds.msg_ctime;
  ObjectStat& s = m.stat;
  set_perm(s, ds.msg_perm);
  s.size = ds.__msg_cbytes;
  s.ctime = at(m.ctime);
  s.mtime = at(m.stime ? m.stime : m.ctime);
  s.atime = at(m.rtime ? m.rtime : m.ctime);
  s.serial = uint64_t(id);
  return m;
}

}  // namespace

Result<MsqInfo> SysvMsgQueue::stat() const {
  msqid_ds ds{};
  if (int e = raw_stat(id_, &ds); e < 0) return Result<MsqInfo>::failure(e);
  return to_info(ds, id_);
}

Result<std::vector<SysvListed>> SysvMsgQueue::list_all() {
  static const char* const kCols[] = {"perms", "cbytes", "qnum", "lspid", "lrpid", "uid",
                                      "gid",   "cuid",   "cgid", "stime", "rtime", "ctime"};
  auto fill = [](msqid_ds& ds, auto v) {
    ds.msg_perm.mode = static_cast<unsigned short>(v(0));
    ds.__msg_cbytes = static_cast<decltype(ds.__msg_cbytes)>(v(1));
    ds.msg_qnum = msgqnum_t(v(2));
    ds.msg_lspid = pid_t(v(3));
    ds.msg_lrpid = pid_t(v(4));
    ds.msg_perm.uid = uid_t(v(5));
    ds.msg_perm.gid = gid_t(v(6));
    ds.msg_perm.cuid = uid_t(v(7));
    ds.msg_perm.cgid = gid_t(v(8));
    ds.msg_stime = time_t(v(9));
    ds.msg_rtime = time_t(v(10));
    ds.msg_ctime = time_t(v(11));
  };
  return list_table<msqid_ds>(SysvKind::kMsg, kCols, fill, raw_stat,
                              [](const msqid_ds& ds, int id) { return to_info(ds, id).stat; });
}

int SysvMsgQueue::change(const MsqChange& c) const {
  msqid_ds ds{};
  if (int e = raw_stat(id_, &ds); e < 0) return e;
  if (c.set_mode) ds.msg_perm.mode = (ds.msg_perm.mode & ~0777u) | (c.mode & 0777);
  if (c.uid != uid_t(-1)) ds.msg_perm.uid = c.uid;
  if (c.gid != gid_t(-1)) ds.msg_perm.gid = c.gid;
  if (c.qbytes) ds.msg_qbytes = c.qbytes;
  if (::msgctl(id_, IPC_SET, &ds) == 0) return 0;
  return errno == EIDRM ? -ENOENT : neg_errno();
}

int SysvMsgQueue::remove() const {
  if (::msgctl(id_, IPC_RMID, nullptr) == 0) return 0;
  return errno == EINVAL || errno == EIDRM ? -ENOENT : neg_errno();
}

int SysvMsgQueue::send(long type, const char* data, size_t len) const {
  if (type <= 0) return -EINVAL;
  if (len > kMaxText) return -EMSGSIZE;
  auto m = std::make_unique_for_overwrite<char[]>(kHeader + len);
  std::memcpy(m.get(), &type, kHeader);
  if (len) std::memcpy(m.get() + kHeader, data, len);
  if (::msgsnd(id_, m.get(), len, IPC_NOWAIT) == 0) return 0;
  int e = errno;
  // msgsnd says EINVAL both for a message over msgmax and for an id that is gone.
  if (e == EINVAL) return len > msgmax() ? -EMSGSIZE : -EIDRM;
  return -e;
}

namespace {

// msgrcv with IPC_NOWAIT|FLAGS into BUF, growing BUF on E2BIG (which leaves the message queued).
Result<size_t> receive_grown(int id, long msgtyp, int flags, std::vector<char>& buf, long* type) {
  using R = Result<size_t>;
  // A caller-sized buffer is tried as it is: growing it on E2BIG is the slow path, not a loss.
  if (buf.size() <= kHeader) buf.resize(kHeader + kFirstText);
  for (;;) {
    size_t cap = buf.size() - kHeader;
    ssize_t n = ::msgrcv(id, buf.data(), cap, msgtyp, IPC_NOWAIT | flags);
    if (n >= 0) {
      if (type) std::memcpy(type, buf.data(), kHeader);
      std::memmove(buf.data(), buf.data() + kHeader, size_t(n));
      return size_t(n);
    }
    int e = errno;
    if (e == E2BIG) {
      // No call tells a message's size; it is at most msgmax (unless msgmax was lowered since)
      // and at most the bytes queued.
      size_t want = std::max(cap * 2, msgmax());
      msqid_ds ds{};
      if (raw_stat(id, &ds) == 0) want = std::max<size_t>(want, ds.__msg_cbytes);
      if (cap >= kMaxText) return R::failure(-E2BIG);
      buf.resize(kHeader + std::min(want, kMaxText));
      continue;
    }
    if (e == ENOMSG) return R::failure(-EAGAIN);
    if (e == EINVAL) {
      if (!(flags & MSG_COPY)) return R::failure(-EIDRM);
      // MSG_COPY: EINVAL is either "no such id" or a kernel that does not know the flag.
      msqid_ds ds{};
      return R::failure(raw_stat(id, &ds) == 0 ? -ENOTSUP : -EIDRM);
    }
    if (e == ENOSYS) return R::failure(-ENOTSUP);  // no CONFIG_CHECKPOINT_RESTORE
    return R::failure(-e);
  }
}

}  // namespace

Result<size_t> SysvMsgQueue::receive(long msgtyp, std::vector<char>& buf, long* type) const {
  return receive_grown(id_, msgtyp, 0, buf, type);
}

Result<size_t> SysvMsgQueue::copy(size_t index, std::vector<char>& buf, long* type) const {
  if (index > size_t(__LONG_MAX__)) return Result<size_t>::failure(-EAGAIN);
  return receive_grown(id_, long(index), MSG_COPY, buf, type);
}

Result<std::vector<Message>> SysvMsgQueue::peek() const {
  std::vector<Message> out;
  std::vector<char> buf;
  for (size_t i = 0;; ++i) {
    long type = 0;
    auto n = copy(i, buf, &type);
    if (!n) {
      if (n.error() == -EAGAIN) break;
      return Result<std::vector<Message>>::failure(n.error());
    }
    out.push_back(Message{type, std::string(buf.data(), *n)});
  }
  return out;
}

}  // namespace ipcfs::ipc
