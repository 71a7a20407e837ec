// SemFile: reads as a snapshot, writes as commands, waits parked on the Watcher.
#include "fs/sem_file.h"

#include "fs/reply.h"
#include "fs/watcher.h"

namespace ipcfs::fs {

namespace {

// A command that could not complete at once, retried on the Watcher's timer (semaphores have
// no descriptor to poll). Every try is all-or-nothing, so an interrupt leaves nothing applied.
class WaitWaiter : public Waiter {
 public:
  WaitWaiter(SemBackend& backend, fuse_req_t req, SemCommand cmd, size_t size)
      : Waiter(-1, 0, req), backend_(backend), req_(req), cmd_(std::move(cmd)), size_(size) {}
  int attempt() override { return backend_.apply(cmd_); }
  void finish(int outcome) override {
    if (outcome < 0) return reply_error(req_, outcome);
    fuse_reply_write(req_, size_);
  }

 private:
  SemBackend& backend_;
  const fuse_req_t req_;
  const SemCommand cmd_;
  const size_t size_;
};

}  // namespace

void sem_write(SemBackend& backend, bool nonblock, Watcher& watcher, fuse_req_t req,
               const SemCommand& cmd, size_t size) {
  int r = backend.apply(cmd);
  if (r == 0) return (void)fuse_reply_write(req, size);
  if (r != -EAGAIN || nonblock || cmd.type == SemCommand::Type::kTrySub) return reply_error(req, r);
  watcher.park(std::make_unique<WaitWaiter>(backend, req, cmd, size));
}

SemFile::SemFile(std::unique_ptr<SemBackend> backend, bool nonblock, Watcher& watcher)
    : backend_(std::move(backend)), watcher_(watcher) {
  this->nonblock = nonblock;
}

void SemFile::read(fuse_req_t req, size_t size, off_t off) {
  std::unique_lock lock(mu_);
  if (!snapshot_) {
    auto t = backend_->text();
    if (!t) {
      lock.unlock();
      return reply_error(req, t.error());
    }
    snapshot_ = std::move(*t);
  }
  // The snapshot never changes once taken, and this handler holds the file: the lock is let go
  // before the reply, which may wake the reader to read again at once (see QueueFile::read).
  lock.unlock();
  reply_slice(req, snapshot_->data(), snapshot_->size(), size, off);
}

void SemFile::write(fuse_req_t req, const char* buf, size_t size, off_t) {
  auto cmd = parse_sem_command(std::string_view(buf, size), backend_->grammar());
  if (!cmd) return reply_error(req, cmd.error());
  sem_write(*backend_, nonblock, watcher_, req, *cmd, size);
}

}  // namespace ipcfs::fs
