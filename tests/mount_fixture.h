// Test support: a real ipcfs daemon mounted on a temporary directory, shell commands run
// against it, and names that no other test (or program) uses.
#pragma once

#include <sys/types.h>

#include <functional>
#include <string>
#include <string_view>
#include <vector>

namespace ipcfs::test {

// Starts `ipcfs -f EXTRA... DIR` on a fresh temporary directory and waits until it is mounted.
// The destructor unmounts and reaps the daemon, whatever state the test left. A daemon that
// wrote a sanitizer report fails the current test.
class Mount {
 public:
  explicit Mount(std::vector<std::string> extra_args = {});
  ~Mount();
  Mount(const Mount&) = delete;
  Mount& operator=(const Mount&) = delete;

  const std::string& root() const { return root_; }
  std::string path(std::string_view rel) const { return root_ + "/" + std::string(rel); }
  pid_t pid() const { return pid_; }
  // Unmounts and waits for the daemon; returns its exit status (or -1).
  int unmount();

 private:
  std::string root_;
  pid_t pid_ = -1;
  bool mounted_ = false;
  int status_ = -1;
};

// The mount shared by every test of a binary (made on first use, unmounted when the tests end).
Mount& shared_mount();

// Sanitized builds: daemons started by the tests (through Mount or sh) write their sanitizer
// reports into a private directory instead of a stderr nobody reads. Each Mount checks for its
// daemon's report when it reaps it, and a global check after the last test catches the rest
// (the shared mount's daemon reports leaks only when it exits); a report fails the test run
// and is printed whole. Harmless in an ordinary build: the variables are simply not read.
std::string sanitizer_log_dir();

struct Shell {
  int status = -1;  // exit status, or 128+signal
  std::string out;  // standard output
  std::string err;  // standard error
};

// Runs CMD with bash in directory CWD.
Shell sh(const std::string& cmd, const std::string& cwd = "/");

// One write(2) of TEXT through its own open(PATH, O_WRONLY | FLAGS): 0, the errno, or -1 for a
// short write.
int write_cmd(const std::string& path, std::string_view text, int flags = 0);

// A name unique to this process and call: "t<pid>x<n><tag>".
std::string unique_name(std::string_view tag = "");

// Milliseconds since an arbitrary start, for timing checks.
double now_ms();

// Whether DONE() becomes true within MS milliseconds (asked every millisecond): for what the
// daemon does after close(2) has returned, at the RELEASE the kernel sends later.
bool eventually(const std::function<bool()>& done, int ms = 2000);

// A bash script that opens FILE twice as fds 3 and 4, runs WAIT_CMD in the background (given up
// after 3 s), then POST_CMD (given up after 2 s), and prints "poster RC FAST" (FAST: 1 if the
// post took under a second) and "waiter RC". The kernel holds an inode's lock for the whole of a
// write, so a post to the inode a wait is parked on could never get through to end it.
std::string wait_then_post(const std::string& file, const std::string& wait_cmd,
                           const std::string& post_cmd);

}  // namespace ipcfs::test
