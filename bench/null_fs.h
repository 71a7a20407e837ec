// NullFs: the floor for every ipcfs benchmark. A minimal low-level FUSE filesystem with one
// file, "a/b/f" (as deep as ipcfs's object files), served by a child process with the same
// kernel-visible settings as ipcfs (default permissions, direct_io, extended attributes, the
// same timeouts and worker threads), whose handlers do no work.
#pragma once

#include <sys/types.h>
#include <string>

namespace ipcfs::bench {

class NullFs {
 public:
  // MAX_THREADS: libfuse worker threads, as ipcfs's -o max_threads; by default as many as
  // ipcfs has by default.
  explicit NullFs(int max_threads = 0);
  ~NullFs();
  NullFs(const NullFs&) = delete;
  NullFs& operator=(const NullFs&) = delete;

  // The one file: reads give "x\n", writes are accepted and dropped.
  std::string file() const { return root_ + "/a/b/f"; }

 private:
  std::string root_;
  pid_t pid_ = -1;  // the process serving it
};

}  // namespace ipcfs::bench
