// POSIX message queue calls. Every call is non-blocking; waiting is the caller's business.
#include "ipc/posix_mq.h"

#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <sys/inotify.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include <charconv>
#include <cstring>
#include <string_view>

#include "ipc/names.h"

namespace ipcfs::ipc {

namespace {

constexpr long kMqueueMagic = 0x19800202;  // not in linux/magic.h

}  // namespace

Result<MessageQueue> MessageQueue::open(std::string_view name, int oflag, mode_t mode,
                                        const MqAttr* create_attr) {
  if (int e = check_posix_name(name); e < 0) return Result<MessageQueue>::failure(e);
  mq_attr a{};
  mq_attr* ap = nullptr;
  if (create_attr && (oflag & O_CREAT)) {
    a.mq_maxmsg = create_attr->maxmsg;
    a.mq_msgsize = create_attr->msgsize;
    // mq_open needs both or neither: fill the one not given from the system default.
    if (a.mq_maxmsg == 0 || a.mq_msgsize == 0) {
      long def_max = 10, def_size = 8192;
      if (FILE* f = std::fopen("/proc/sys/fs/mqueue/msg_default", "re")) {
        if (std::fscanf(f, "%ld", &def_max) != 1) def_max = 10;
        std::fclose(f);
      }
      if (FILE* f = std::fopen("/proc/sys/fs/mqueue/msgsize_default", "re")) {
        if (std::fscanf(f, "%ld", &def_size) != 1) def_size = 8192;
        std::fclose(f);
      }
      if (a.mq_maxmsg == 0) a.mq_maxmsg = def_max;
      if (a.mq_msgsize == 0) a.mq_msgsize = def_size;
    }
    ap = &a;
  }
  mqd_t q = ::mq_open(posix_path(name).c_str(), oflag | O_NONBLOCK | O_CLOEXEC, mode, ap);
  if (q == mqd_t(-1)) return Result<MessageQueue>::failure(neg_errno());
  return MessageQueue(q);
}

int MessageQueue::unlink(std::string_view name) {
  if (int e = check_posix_name(name); e < 0) return e;
  return check(::mq_unlink(posix_path(name).c_str()));
}

Result<size_t> MessageQueue::receive(char* buf, size_t len, unsigned* prio) const {
  ssize_t n = ::mq_receive(fd_.get(), buf, len, prio);
  if (n < 0) return Result<size_t>::failure(neg_errno());
  return size_t(n);
}

int MessageQueue::send(const char* buf, size_t len, unsigned prio) const {
  return check(::mq_send(fd_.get(), buf, len, prio));
}

Result<MqAttr> MessageQueue::attr() const {
  mq_attr a{};
  if (::mq_getattr(fd_.get(), &a) < 0) return Result<MqAttr>::failure(neg_errno());
  return MqAttr{a.mq_maxmsg, a.mq_msgsize, a.mq_curmsgs};
}

Result<ObjectStat> MessageQueue::stat() const {
  struct stat st {};
  if (::fstat(fd_.get(), &st) < 0) return Result<ObjectStat>::failure(neg_errno());
  if (st.st_nlink == 0) return Result<ObjectStat>::failure(-ENOENT);
  ObjectStat s = from_file_stat(st);
  // Every send and receive sets a queue's atime, mtime and ctime alike. The one other thing that
  // moves its atime is a read of its status line (ipc/mqueue.c sets atime and ctime then), such
  // as the one below: atime is therefore mtime, and a stat never shows in the next one's atime.
  s.atime = s.mtime;
  s.size = 0;  // the mqueue inode says 0; the status line below says what is queued
  // Reading a queue descriptor gives its status line: "QSIZE:123 NOTIFY:0 ...". Parsed with
  // from_chars: this is on the path of every GETATTR of a queue, where sscanf cost ten times more.
  char line[160];
  ssize_t n = ::pread(fd_.get(), line, sizeof line, 0);
  constexpr std::string_view kTag = "QSIZE:";
  if (n > ssize_t(kTag.size()) && std::string_view(line, kTag.size()) == kTag) {
    uint64_t q = 0;
    auto [end, ec] = std::from_chars(line + kTag.size(), line + n, q);
    if (ec == std::errc()) s.size = q;
  }
  return s;
}

int MessageQueue::chmod(mode_t mode) const {
  return check(::fchmod(fd_.get(), mode));
}

int MessageQueue::chown(uid_t uid, gid_t gid) const {
  return check(::fchown(fd_.get(), uid, gid));
}

Result<uint64_t> MessageQueue::serial() const {
  struct stat st {};
  if (::fstat(fd_.get(), &st) < 0) return Result<uint64_t>::failure(neg_errno());
  if (st.st_nlink == 0) return Result<uint64_t>::failure(-ENOENT);
  return uint64_t(st.st_ino);
}

MqueueDir MqueueDir::attach() {
  MqueueDir d;
  char tmpl[] = "/tmp/ipcfs-mqueue.XXXXXX";
  if (::mkdtemp(tmpl)) {
    if (::mount("mqueue", tmpl, "mqueue", MS_NOSUID | MS_NODEV | MS_NOEXEC, nullptr) == 0) {
      d.dir_.reset(::open(tmpl, O_RDONLY | O_DIRECTORY | O_CLOEXEC));
      // Detach at once: the open directory keeps the instance reachable for us alone.
      ::umount2(tmpl, MNT_DETACH);
    }
    ::rmdir(tmpl);
  }
  if (!d.dir_.valid()) {
    UniqueFd fd(::open("/dev/mqueue", O_RDONLY | O_DIRECTORY | O_CLOEXEC));
    struct statfs sf {};
    if (fd.valid() && ::fstatfs(fd.get(), &sf) == 0 && sf.f_type == kMqueueMagic)
      d.dir_ = std::move(fd);
  }
  return d;
}

Result<std::vector<std::string>> MqueueDir::list() const {
  using R = Result<std::vector<std::string>>;
  std::vector<std::string> names;
  if (!dir_.valid()) return names;
  int fd = ::openat(dir_.get(), ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (fd < 0) return R::failure(neg_errno());
  DIR* d = ::fdopendir(fd);
  if (!d) {
    int e = neg_errno();
    ::close(fd);
    return R::failure(e);
  }
  while (dirent* e = ::readdir(d)) {
    if (e->d_name[0] == '.' && (e->d_name[1] == '\0' || std::strcmp(e->d_name, "..") == 0))
      continue;
    names.emplace_back(e->d_name);
  }
  ::closedir(d);
  return names;
}

Result<QueueRemovals> QueueRemovals::watch(const MqueueDir& dir) {
  using R = Result<QueueRemovals>;
  if (!dir.available()) return R::failure(-ENOENT);
  QueueRemovals r(::inotify_init1(IN_NONBLOCK | IN_CLOEXEC));
  if (!r.fd_.valid()) return R::failure(neg_errno());
  // The private mount has no path of its own: watch it through its open descriptor.
  std::string path = "/proc/self/fd/" + std::to_string(dir.dir_.get());
  if (::inotify_add_watch(r.fd_.get(), path.c_str(), IN_DELETE | IN_ONLYDIR) < 0)
    return R::failure(neg_errno());
  return r;
}

std::vector<std::string> QueueRemovals::take(bool* lost) {
  std::vector<std::string> names;
  *lost = false;
  alignas(inotify_event) char buf[4096];
  for (;;) {
    ssize_t n = ::read(fd_.get(), buf, sizeof buf);
    if (n <= 0) break;  // EAGAIN: all taken
    for (ssize_t at = 0; at + ssize_t(sizeof(inotify_event)) <= n;) {
      inotify_event e;
      std::memcpy(&e, buf + at, sizeof e);
      if (e.mask & IN_Q_OVERFLOW) *lost = true;
      if ((e.mask & IN_DELETE) && e.len > 0) names.emplace_back(buf + at + sizeof e);
      at += ssize_t(sizeof e + e.len);
    }
  }
  return names;
}

}  // namespace ipcfs::ipc
