// The mount fixture: fork/exec of the real daemon, mount detection, forced cleanup.
#include "tests/mount_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <thread>

namespace ipcfs::test {

namespace {

bool is_mounted(const std::string& dir) {
  std::ifstream f("/proc/self/mountinfo");
  std::string line;
  while (std::getline(f, line))
    if (line.find(" " + dir + " ") != std::string::npos &&
        line.find("fuse.ipcfs") != std::string::npos)
      return true;
  return false;
}

std::string read_fd(int fd) {
  std::string s;
  char buf[4096];
  ssize_t n;
  while ((n = ::read(fd, buf, sizeof buf)) > 0) s.append(buf, size_t(n));
  return s;
}

}  // namespace

Mount::Mount(std::vector<std::string> extra_args) {
  char tmpl[] = "/tmp/ipcfs-test.XXXXXX";
  if (!::mkdtemp(tmpl)) throw std::runtime_error("mkdtemp failed");
  root_ = tmpl;
  std::vector<std::string> args = {IPCFS_BINARY, "-f"};
  args.insert(args.end(), extra_args.begin(), extra_args.end());
  args.push_back(root_);
  pid_ = ::fork();
  if (pid_ == 0) {
    std::vector<char*> argv;
    for (auto& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    ::execv(argv[0], argv.data());
    ::_exit(127);
  }
  for (int i = 0; i < 500; ++i) {
    if (is_mounted(root_)) {
      mounted_ = true;
      return;
    }
    int st;
    if (::waitpid(pid_, &st, WNOHANG) == pid_) {
      pid_ = -1;
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  unmount();
  throw std::runtime_error("ipcfs did not mount on " + root_);
}

int Mount::unmount() {
  if (mounted_ || is_mounted(root_)) {
    if (::umount2(root_.c_str(), 0) != 0) ::umount2(root_.c_str(), MNT_DETACH);
    mounted_ = false;
  }
  if (pid_ > 0) {
    int st = 0;
    for (int i = 0; i < 500; ++i) {
      if (::waitpid(pid_, &st, WNOHANG) == pid_) {
        status_ = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
        pid_ = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
      pid_ = -1;
    }
  }
  if (!root_.empty()) ::rmdir(root_.c_str());
  return status_;
}

Mount::~Mount() {
  unmount();
}

Mount& shared_mount() {
  static std::unique_ptr<Mount> m;
  if (!m) {
    m = std::make_unique<Mount>();
    // Unmounted at exit even when a test fails.
    std::atexit([] { m.reset(); });
  }
  return *m;
}

Shell sh(const std::string& cmd, const std::string& cwd) {
  int out[2], err[2];
  if (::pipe2(out, O_CLOEXEC) != 0 || ::pipe2(err, O_CLOEXEC) != 0) return {};
  pid_t pid = ::fork();
  if (pid == 0) {
    ::dup2(out[1], 1);
    ::dup2(err[1], 2);
    if (::chdir(cwd.c_str()) != 0) ::_exit(126);
    ::execl("/bin/bash", "bash", "-c", cmd.c_str(), nullptr);
    ::_exit(127);
  }
  ::close(out[1]);
  ::close(err[1]);
  Shell r;
  std::thread t([&] { r.err = read_fd(err[0]); });
  r.out = read_fd(out[0]);
  t.join();
  ::close(out[0]);
  ::close(err[0]);
  int st = 0;
  ::waitpid(pid, &st, 0);
  r.status = WIFEXITED(st) ? WEXITSTATUS(st) : 128 + WTERMSIG(st);
  return r;
}

std::string unique_name(std::string_view tag) {
  static std::atomic<int> n{0};
  return "t" + std::to_string(::getpid()) + "x" + std::to_string(n++) + std::string(tag);
}

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

}  // namespace ipcfs::test
