// SemFile: the file behaviour of SPEC §5.3 for every semaphore kind (posix/sem, a System V set,
// one semaphore of a set). Reads give the value(s) as text, a snapshot per open; each write is
// one command. A command that would wait is parked on the Watcher and retried, never holding a
// libfuse worker.
#pragma once

#include <memory>
#include <mutex>
#include <optional>
#include <string>

#include "fs/open_file.h"
#include "fs/sem_command.h"
#include "ipc/result.h"

namespace ipcfs::fs {

class Watcher;

// One semaphore or set, as seen by SemFile. Every call is non-blocking.
class SemBackend {
 public:
  virtual ~SemBackend() = default;
  // "3\n" or "1 0 3\n".
  virtual Result<std::string> text() = 0;
  virtual SemGrammar grammar() const = 0;
  // Applies CMD at once: 0 when done; -EAGAIN when it would have to wait, with nothing applied;
  // any other error, with nothing applied (except where a kind documents otherwise).
  virtual int apply(const SemCommand& cmd) = 0;
};

class SemFile : public OpenFile {
 public:
  // NONBLOCK: O_NONBLOCK was given at open (waits give EAGAIN).
  SemFile(std::unique_ptr<SemBackend> backend, bool nonblock, Watcher& watcher);
  void read(fuse_req_t req, size_t size, off_t off) override;
  void write(fuse_req_t req, const char* buf, size_t size, off_t off) override;

 private:
  const std::unique_ptr<SemBackend> backend_;
  Watcher& watcher_;

  std::mutex mu_;                        // guards snapshot_; a leaf
  std::optional<std::string> snapshot_;  // the text of this open, taken at its first read
};

// Runs one command on BACKEND as a write to a semaphore file does: parses, applies, and parks
// the request on WATCHER if it must wait. Replies to REQ exactly once.
void sem_write(SemBackend& backend, bool nonblock, Watcher& watcher, fuse_req_t req,
               const SemCommand& cmd, size_t size);

}  // namespace ipcfs::fs
