// Reading and parsing /proc/sysvipc tables.
#include "ipc/sysv_list.h"

#include <fcntl.h>
#include <unistd.h>

#include <charconv>
#include <climits>
#include <cstdint>

#include "ipc/fd.h"

namespace ipcfs::ipc {

namespace {

std::vector<std::string_view> words(std::string_view line) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < line.size()) {
    while (i < line.size() && (line[i] == ' ' || line[i] == '\t')) ++i;
    size_t j = i;
    while (j < line.size() && line[j] != ' ' && line[j] != '\t') ++j;
    if (j > i) out.push_back(line.substr(i, j - i));
    i = j;
  }
  return out;
}

}  // namespace

Result<SysvTable> SysvTable::read(SysvKind kind) {
  const char* path = kind == SysvKind::kMsg   ? "/proc/sysvipc/msg"
                     : kind == SysvKind::kShm ? "/proc/sysvipc/shm"
                                              : "/proc/sysvipc/sem";
  UniqueFd fd(::open(path, O_RDONLY | O_CLOEXEC));
  if (!fd.valid()) return Result<SysvTable>::failure(neg_errno());
  std::string text;
  char buf[65536];
  for (;;) {
    ssize_t n = ::read(fd.get(), buf, sizeof buf);
    if (n < 0) return Result<SysvTable>::failure(neg_errno());
    if (n == 0) break;
    text.append(buf, size_t(n));
  }
  return parse(text);
}

Result<SysvTable> SysvTable::parse(std::string_view text) {
  SysvTable t;
  size_t nl = text.find('\n');
  if (nl == std::string_view::npos) return Result<SysvTable>::failure(-EIO);
  for (auto w : words(text.substr(0, nl))) t.columns_.emplace_back(w);
  for (const auto& c : t.columns_)
    if (c == "msqid" || c == "shmid" || c == "semid") t.id_column_ = c;
  if (t.id_column_.empty() || t.column("key") < 0) return Result<SysvTable>::failure(-EIO);
  int perms = t.column("perms");
  int id = t.column(t.id_column_);
  int key = t.column("key");
  text.remove_prefix(nl + 1);
  while (!text.empty()) {
    nl = text.find('\n');
    std::string_view line = text.substr(0, nl);
    text.remove_prefix(nl == std::string_view::npos ? text.size() : nl + 1);
    auto ws = words(line);
    if (ws.empty()) continue;
    if (ws.size() < t.columns_.size()) return Result<SysvTable>::failure(-EIO);
    std::vector<int64_t> row(t.columns_.size());
    for (size_t i = 0; i < t.columns_.size(); ++i) {
      int base = int(i) == perms ? 8 : 10;
      auto [p, ec] = std::from_chars(ws[i].data(), ws[i].data() + ws[i].size(), row[i], base);
      if (ec != std::errc() || p != ws[i].data() + ws[i].size())
        return Result<SysvTable>::failure(-EIO);
    }
    // The kernel prints ids and keys as ints: anything else is not its table, and id()/key()
    // would silently truncate it into another object's id.
    if (row[size_t(id)] < 0 || row[size_t(id)] > INT_MAX || row[size_t(key)] < INT32_MIN ||
        row[size_t(key)] > INT32_MAX)
      return Result<SysvTable>::failure(-EIO);
    t.rows_.push_back(std::move(row));
  }
  return t;
}

int SysvTable::column(std::string_view name) const {
  for (size_t i = 0; i < columns_.size(); ++i)
    if (columns_[i] == name) return int(i);
  return -1;
}

std::optional<int64_t> SysvTable::get(size_t row, std::string_view name) const {
  int c = column(name);
  if (c < 0 || row >= rows_.size()) return std::nullopt;
  return rows_[row][size_t(c)];
}

std::optional<size_t> SysvTable::find_id(int id) const {
  int c = column(id_column_);
  for (size_t r = 0; r < rows_.size(); ++r)
    if (rows_[r][size_t(c)] == id) return r;
  return std::nullopt;
}

}  // namespace ipcfs::ipc
