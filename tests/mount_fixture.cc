// The mount fixture: fork/exec of the real daemon, mount detection, forced cleanup, and the
// collection of sanitizer reports of the daemons the tests start.
#include "tests/mount_fixture.h"

#include <fcntl.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <cerrno>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <thread>

namespace ipcfs::test {

namespace {

// Where sanitized daemons write "report.PID". Made before the first test (or mount), and the
// *SAN_OPTIONS of every child pointed at it (this process's own runtime read its options at
// start: its reports still go to stderr, which ctest shows).
class SanitizerLogs {
 public:
  SanitizerLogs() {
    char tmpl[] = "/tmp/ipcfs-san.XXXXXX";
    if (!::mkdtemp(tmpl)) return;
    dir_ = tmpl;
    ::chmod(tmpl, 01777);  // some daemons run as an ordinary user
    for (const char* var : {"ASAN_OPTIONS", "UBSAN_OPTIONS", "LSAN_OPTIONS", "TSAN_OPTIONS"}) {
      const char* old = ::getenv(var);
      std::string v = old && *old ? std::string(old) + ":" : "";
      ::setenv(var, (v + "log_path=" + dir_ + "/report").c_str(), 1);
    }
  }
  ~SanitizerLogs() {
    std::error_code ec;
    if (!dir_.empty()) std::filesystem::remove_all(dir_, ec);
  }
  const std::string& dir() const { return dir_; }

  // Fails the current test with each report (of PID only, if PID > 0), and removes it.
  void collect(pid_t pid) const {
    if (dir_.empty()) return;
    std::error_code ec;
    for (const auto& entry : std::filesystem::directory_iterator(dir_, ec)) {
      std::string name = entry.path().filename().string();
      if (pid > 0 && name != "report." + std::to_string(pid)) continue;
      std::ifstream f(entry.path());
      std::stringstream text;
      text << f.rdbuf();
      ADD_FAILURE() << "sanitizer report of a daemon (" << name << "):\n" << text.str();
      std::filesystem::remove(entry.path(), ec);
    }
  }

 private:
  std::string dir_;
};

// Made at first use rather than before main: a benchmark that links this fixture and execs
// itself before mounting (list_bench) would leave the directory behind.
const SanitizerLogs& sanitizer_logs() {
  static const SanitizerLogs logs;
  return logs;
}

std::unique_ptr<Mount> shared;

// After the last test: the shared mount's daemon reports leaks only when it exits, and daemons
// started through sh() are checked by nobody else.
class SanitizerCheck : public ::testing::Environment {
 public:
  // Before any test, so that daemons the tests start without a Mount report there too.
  void SetUp() override { (void)sanitizer_logs(); }
  void TearDown() override {
    shared.reset();
    sanitizer_logs().collect(0);
  }
};

[[maybe_unused]] ::testing::Environment* const kSanitizerCheck =
    ::testing::AddGlobalTestEnvironment(new SanitizerCheck);

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
  (void)sanitizer_logs();  // the daemon inherits where to report
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
  pid_t daemon = pid_;
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
  if (daemon > 0) sanitizer_logs().collect(daemon);
  return status_;
}

Mount::~Mount() {
  unmount();
}

Mount& shared_mount() {
  if (!shared) {
    shared = std::make_unique<Mount>();
    // Unmounted at exit even when the tests do not end normally.
    std::atexit([] { shared.reset(); });
  }
  return *shared;
}

std::string sanitizer_log_dir() {
  return sanitizer_logs().dir();
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

int write_cmd(const std::string& path, std::string_view text, int flags) {
  int fd = ::open(path.c_str(), O_WRONLY | flags);
  if (fd < 0) return errno;
  ssize_t n = ::write(fd, text.data(), text.size());
  int e = n < 0 ? errno : (size_t(n) == text.size() ? 0 : -1);
  ::close(fd);
  return e;
}

std::string unique_name(std::string_view tag) {
  static std::atomic<int> n{0};
  return "t" + std::to_string(::getpid()) + "x" + std::to_string(n++) + std::string(tag);
}

double now_ms() {
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

std::string wait_then_post(const std::string& file, const std::string& wait_cmd,
                           const std::string& post_cmd) {
  return "exec 3>>'" + file + "' 4>>'" + file + "'; W=$(mktemp); P=$(mktemp); " +
         "( timeout 3 bash -c \"" + wait_cmd + "\"; echo waiter $? > $W ) & sleep 0.3; " +
         "s=$(date +%s%N); timeout 2 bash -c \"" + post_cmd + "\"; r=$?; " +
         "echo poster $r $(( ($(date +%s%N) - s) < 1000000000 )) > $P; wait; cat $P $W; rm $W $P";
}

bool eventually(const std::function<bool()>& done, int ms) {
  for (double end = now_ms() + ms; !done();) {
    if (now_ms() > end) return false;
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  return true;
}

}  // namespace ipcfs::test
