// Fuzz target of ipc::SysvTable::parse, the /proc/sysvipc/{msg,shm,sem} reader. The only error
// is -EIO; an accepted table answers every accessor without crashing, finds each row by its id,
// and, printed back as the kernel prints it (perms in octal), parses to the same values.
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/sysv_list.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using ipcfs::ipc::SysvTable;

std::vector<std::string> header_words(std::string_view text) {
  std::vector<std::string> out;
  std::string_view line = text.substr(0, text.find('\n'));
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) out.emplace_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

std::string format(int64_t v, bool octal) {
  char buf[32];
  if (octal && v < 0)
    std::snprintf(buf, sizeof buf, "-%llo", static_cast<unsigned long long>(-(v + 1)) + 1);
  else
    std::snprintf(buf, sizeof buf, octal ? "%llo" : "%lld", static_cast<long long>(v));
  return buf;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view text(reinterpret_cast<const char*>(data), size);
  auto t = SysvTable::parse(text);
  if (!t) {
    FUZZ_CHECK(t.error() == -EIO);
    return 0;
  }
  std::vector<std::string> cols = header_words(text);
  std::string id_col;
  for (const auto& c : cols)
    if (c == "msqid" || c == "shmid" || c == "semid") id_col = c;
  FUZZ_CHECK(!id_col.empty());
  for (size_t r = 0; r < t->size(); ++r) {
    for (const auto& c : cols) FUZZ_CHECK(t->get(r, c).has_value());
    FUZZ_CHECK(!t->get(r, "no such column"));
    (void)t->key(r);
    int id = t->id(r);
    auto found = t->find_id(id);
    FUZZ_CHECK(found && *found <= r && t->id(*found) == id);
  }
  FUZZ_CHECK(!t->get(t->size(), "key"));
  // Printed back (only when the header names each column once, so every value is reachable).
  if (std::set<std::string>(cols.begin(), cols.end()).size() != cols.size()) return 0;
  std::string again;
  for (const auto& c : cols) again += c + " ";
  again += "\n";
  for (size_t r = 0; r < t->size(); ++r) {
    for (const auto& c : cols) again += format(*t->get(r, c), c == "perms") + " ";
    again += "\n";
  }
  auto u = SysvTable::parse(again);
  FUZZ_CHECK(u && u->size() == t->size());
  for (size_t r = 0; r < t->size(); ++r)
    for (const auto& c : cols) FUZZ_CHECK(u->get(r, c) == t->get(r, c));
  return 0;
}
