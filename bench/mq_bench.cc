// Message-queue benchmark: one small message sent and received per iteration, directly with
// mq_send/mq_receive, through ipcfs (open/write/close + open/read/close, as echo and cat do),
// and the same system calls on a null FUSE file — all in one run, ratios printed.
#include <fcntl.h>
#include <mqueue.h>
#include <unistd.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "bench/bench.h"
#include "bench/null_fs.h"
#include "ipc/posix_mq.h"
#include "tests/mount_fixture.h"

using namespace ipcfs;
using namespace ipcfs::bench;

namespace {

// One message written through its own open, then received through its own open.
bool file_roundtrip(const std::string& path) {
  int w = ::open(path.c_str(), O_WRONLY);
  if (w < 0 || ::write(w, "x\n", 2) != 2) return false;
  ::close(w);
  int r = ::open(path.c_str(), O_RDONLY);
  char buf[64];
  if (r < 0 || ::read(r, buf, sizeof buf) != 2) return false;
  ::close(r);
  return true;
}

// The same with the writer's descriptor kept open (a script's exec 3> redirection).
bool file_roundtrip_kept(int w, const std::string& path) {
  if (::write(w, "x\n", 2) != 2) return false;
  int r = ::open(path.c_str(), O_RDONLY);
  char buf[64];
  if (r < 0 || ::read(r, buf, sizeof buf) != 2) return false;
  ::close(r);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  double secs = argc > 1 ? std::atof(argv[1]) : 1.0;
  test::Mount mount({"-o", "log_level=warn"});
  NullFs null;
  std::string name = test::unique_name("bench");
  ipc::MqAttr attr{10, 64, 0};
  auto q = ipc::MessageQueue::open(name, O_RDWR | O_CREAT, 0600, &attr);
  if (!q) {
    std::fprintf(stderr, "mq_open: %s\n", std::strerror(-q.error()));
    return 1;
  }
  std::string path = mount.path("posix/mq/" + name);

  char buf[64];
  double direct = rate([&] { return q->send("x\n", 2, 0) == 0 && q->receive(buf, 64).ok(); }, secs);
  Paired fresh = paired([&] { return file_roundtrip(path); },
                        [&] { return file_roundtrip(null.file()); }, 2 * secs);
  int wn = ::open(null.file().c_str(), O_WRONLY);
  int wq = ::open(path.c_str(), O_WRONLY);
  Paired kept = paired([&] { return file_roundtrip_kept(wq, path); },
                       [&] { return file_roundtrip_kept(wn, null.file()); }, 2 * secs);
  ::close(wn);
  ::close(wq);
  (void)ipc::MessageQueue::unlink(name);

  std::printf("POSIX message queue, one 2-byte message per iteration (medians of 7 rounds)\n");
  row("direct mq_send + mq_receive", direct);
  row("null FUSE: open/write/close + open/read/close", fresh.b);
  row("ipcfs posix/mq: open/write/close + open/read/close", fresh.a);
  row("null FUSE: write on kept fd + open/read/close", kept.b);
  row("ipcfs posix/mq: write on kept fd + open/read/close", kept.a);
  ratio("ipcfs / null FUSE floor (fresh opens)", fresh.ratio, 0.9);
  ratio("ipcfs / null FUSE floor (kept writer)", kept.ratio, 0.9);
  ratio("ipcfs / direct system calls", fresh.a / direct, 0.0);
  return 0;
}
