// Test support: what a process holds open, from /proc/PID/fd.
#pragma once

#include <dirent.h>
#include <sys/types.h>
#include <unistd.h>

#include <string>
#include <string_view>

namespace ipcfs::test {

// How many of PID's descriptors link to TARGET: for a queue, "/NAME", or "/NAME (deleted)" once
// it is removed (the queue then lives on for as long as a descriptor holds it).
inline int open_files_linked_to(pid_t pid, std::string_view target) {
  std::string dir = "/proc/" + std::to_string(pid) + "/fd";
  DIR* d = ::opendir(dir.c_str());
  if (!d) return -1;
  int n = 0;
  while (dirent* e = ::readdir(d)) {
    char link[512];
    ssize_t len = ::readlink((dir + "/" + e->d_name).c_str(), link, sizeof link);
    if (len > 0 && std::string_view(link, size_t(len)) == target) ++n;
  }
  ::closedir(d);
  return n;
}

}  // namespace ipcfs::test
