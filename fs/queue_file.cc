// QueueFile: reads, writes and poll on a queue, parking what would block.
#include "fs/queue_file.h"

#include <poll.h>
#include <sys/epoll.h>

#include <cstring>
#include <string>

#include "fs/reply.h"
#include "fs/watcher.h"

namespace ipcfs::fs {

namespace {

// A copy of S in this thread's buffer, valid until its next call.
std::string_view copy_to_scratch(std::string_view s) {
  thread_local std::vector<char> out;
  if (out.capacity() > kKeptScratch && s.size() <= kKeptScratch) std::vector<char>().swap(out);
  out.assign(s.begin(), s.end());
  return {out.data(), out.size()};
}

}  // namespace

class QueueFile::ReadWaiter : public Waiter {
 public:
  ReadWaiter(QueueFile& f, fuse_req_t req, size_t size, off_t off)
      : Waiter(f.fd(), EPOLLIN, req), f_(f), req_(req), size_(size), off_(off) {}
  // The bytes are taken in the same hold of the lock as the message: another reader of a
  // stream could otherwise take them in between, and this read would reply empty (EOF). They
  // are copied out because the reply may end the open and destroy the file at once (no handler
  // holds it here). A successful attempt is always finished with its outcome, never EINTR.
  int attempt() override {
    bool received = false;
    int r;
    {
      std::lock_guard lock(f_.mu_);
      r = f_.fill_locked(&received);
      if (r == 0) {
        std::string_view s = f_.take_locked(size_, off_);
        out_.assign(s.begin(), s.end());
      }
    }
    if (received) f_.changed();
    return r;
  }
  void finish(int outcome) override {
    if (outcome < 0) return reply_error(req_, outcome);
    fuse_reply_buf(req_, out_.data(), out_.size());
  }

 private:
  QueueFile& f_;
  const fuse_req_t req_;
  const size_t size_;
  const off_t off_;
  std::string out_;
};

class QueueFile::WriteWaiter : public Waiter {
 public:
  WriteWaiter(QueueFile& f, fuse_req_t req, const char* buf, size_t size)
      : Waiter(f.fd(), EPOLLOUT, req), f_(f), req_(req), data_(buf, size) {
    if (!f.busy_count) return;
    busy_ = BusyMark(f.busy_count);
    if (busy_.first() && f.look_up_again) f.look_up_again();
  }
  int attempt() override { return f_.send(data_.data(), data_.size()); }
  void finish(int outcome) override {
    if (outcome < 0) return reply_error(req_, outcome);
    f_.changed.written();
    fuse_reply_write(req_, data_.size());
  }

 private:
  QueueFile& f_;
  const fuse_req_t req_;
  const std::string data_;  // the request buffer is gone once the handler returns
  // While parked, the kernel holds the inode's lock (BusyCount): new opens get another inode.
  BusyMark busy_;
};

// Tells the kernel when a poll()er's wanted events become ready.
class QueueFile::PollWaiter : public Waiter {
 public:
  PollWaiter(QueueFile& f, fuse_pollhandle* ph, bool want_in, bool want_out)
      : Waiter(f.fd(), (want_in ? uint32_t(EPOLLIN) : 0u) | (want_out ? uint32_t(EPOLLOUT) : 0u),
               nullptr),
        f_(f),
        ph_(ph),
        want_in_(want_in),
        want_out_(want_out) {}
  ~PollWaiter() override { fuse_pollhandle_destroy(ph_); }
  int attempt() override {
    Readiness r = f_.readiness();
    return (want_in_ && r.readable) || (want_out_ && r.writable) ? 0 : -EAGAIN;
  }
  void finish(int outcome) override {
    if (outcome == 0) fuse_lowlevel_notify_poll(ph_);
  }

 private:
  QueueFile& f_;
  fuse_pollhandle* const ph_;
  const bool want_in_;
  const bool want_out_;
};

QueueFile::QueueFile(View view, bool nonblock, Watcher& watcher) : view_(view), watcher_(watcher) {
  this->nonblock = nonblock;
  // A stream has no positions; the default view is seekable within its one message.
  nonseekable = stream = view != View::kDefault;
}

int QueueFile::fill_locked(bool* received) {
  if (view_ == View::kDefault) {
    if (received_) return 0;
  } else if (pos_ < len_) {
    return 0;
  }
  Result<size_t> n = receive(msg_);
  if (!n) return n.error();
  *received = true;
  len_ = *n;
  pos_ = 0;
  received_ = true;
  return 0;
}

std::string_view QueueFile::take_locked(size_t size, off_t off) {
  if (view_ == View::kDefault) {
    if (off < 0 || size_t(off) >= len_) return {};
    return {msg_.data() + off, std::min(size, len_ - size_t(off))};
  }
  size_t n = std::min(size, len_ - pos_);
  std::string_view s(msg_.data() + pos_, n);
  pos_ += n;
  return s;
}

void QueueFile::read(fuse_req_t req, size_t size, off_t off) {
  std::unique_lock lock(mu_);
  bool received = false;
  int r = fill_locked(&received);
  if (r == 0) {
    std::string_view s = take_locked(size, off);
    // The reply wakes the reader, which often runs at once on this CPU and reads again before
    // this thread gets back: were mu_ still held, that next READ would block on it and cost two
    // more context switches. The default view's one message never changes once received (and
    // this handler holds the file); a stream's bytes are copied out, as the next read replaces
    // them.
    if (view_ != View::kDefault) s = copy_to_scratch(s);
    lock.unlock();
    if (received) changed();
    return (void)fuse_reply_buf(req, s.data(), s.size());
  }
  lock.unlock();
  if (r != -EAGAIN) return reply_error(req, r);
  if (view_ == View::kDrain) return (void)fuse_reply_buf(req, nullptr, 0);  // EOF when empty
  if (nonblock) return reply_error(req, -EAGAIN);
  watcher_.park(std::make_unique<ReadWaiter>(*this, req, size, off));
}

void QueueFile::write(fuse_req_t req, const char* buf, size_t size, off_t) {
  int r = send(buf, size);
  if (r == 0) {
    changed.written();
    return (void)fuse_reply_write(req, size);
  }
  if (r != -EAGAIN || nonblock) return reply_error(req, r);
  watcher_.park(std::make_unique<WriteWaiter>(*this, req, buf, size));
}

void QueueFile::poll(fuse_req_t req, fuse_pollhandle* ph, uint32_t events) {
  Readiness r = readiness();
  unsigned revents =
      (r.readable ? POLLIN | POLLRDNORM : 0) | (r.writable ? POLLOUT | POLLWRNORM : 0);
  if (ph) {
    if (events == 0) events = POLLIN | POLLOUT;  // kernel too old to say what is wanted
    bool want_in = (events & (POLLIN | POLLRDNORM)) && !r.readable;
    bool want_out = (events & (POLLOUT | POLLWRNORM)) && !r.writable;
    if (want_in || want_out) {
      watched_.store(true);
      watcher_.watch(this, std::make_unique<PollWaiter>(*this, ph, want_in, want_out));
    } else {
      fuse_pollhandle_destroy(ph);
    }
  }
  fuse_reply_poll(req, revents);
}

void QueueFile::release() {
  if (watched_.load()) watcher_.cancel(this);
}

}  // namespace ipcfs::fs
