// Test support for the metadata tests (SPEC §6): the facts of an object file as its
// user.ipcfs.* extended attributes and as its @info view, and the key=value words of
// `ipcs -i`, each read independently so that they can be compared with each other and with
// the kernel's own IPC_STAT / fstat.
#pragma once

#include <sys/stat.h>
#include <sys/xattr.h>

#include <cerrno>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include "tests/mount_fixture.h"

namespace ipcfs::test {

using FactMap = std::map<std::string, std::string>;

// Every user.ipcfs.* attribute of PATH (listxattr, then getxattr of each), without the prefix.
inline FactMap xattr_facts(const std::string& path) {
  FactMap out;
  std::vector<char> names(65536);
  ssize_t n = ::listxattr(path.c_str(), names.data(), names.size());
  if (n < 0) return out;
  for (size_t i = 0; i < size_t(n);) {
    std::string name(names.data() + i);
    i += name.size() + 1;
    std::vector<char> value(4096);
    ssize_t v = ::getxattr(path.c_str(), name.c_str(), value.data(), value.size());
    const std::string prefix = "user.ipcfs.";
    std::string key = name.rfind(prefix, 0) == 0 ? name.substr(prefix.size()) : "!" + name;
    out[key] = v < 0 ? "!errno " + std::to_string(errno) : std::string(value.data(), size_t(v));
  }
  return out;
}

// The "name: value" lines of PATH@info.
inline FactMap info_facts(const std::string& path) {
  FactMap out;
  std::ifstream f(path + "@info");
  std::string line;
  while (std::getline(f, line)) {
    size_t colon = line.find(": ");
    if (colon == std::string::npos) {
      out["!bad line"] = line;
      continue;
    }
    out[line.substr(0, colon)] = line.substr(colon + 2);
  }
  return out;
}

// The NAME=VALUE words of `ipcs FLAG -i ID` ("nsems = 3" too; commas and tabs separate words).
inline FactMap ipcs_facts(const std::string& flag, int id) {
  Shell s = sh("ipcs " + flag + " -i " + std::to_string(id) + " | sed 's/ = /=/; s/,/ /g'");
  FactMap out;
  std::istringstream in(s.out);
  std::string word;
  while (in >> word) {
    size_t eq = word.find('=');
    if (eq != std::string::npos && eq > 0) out[word.substr(0, eq)] = word.substr(eq + 1);
  }
  return out;
}

// stat(2) of PATH through the mount.
inline struct stat stat_of(const std::string& path) {
  struct stat st {};
  if (::stat(path.c_str(), &st) != 0) st.st_ino = 0;
  return st;
}

inline bool same_time(const timespec& a, const timespec& b) {
  return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

inline timespec secs(time_t t) {
  return timespec{t, 0};
}

}  // namespace ipcfs::test
