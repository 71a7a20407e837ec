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
  using R = Result<SysvTable>;
  SysvTable t;
  size_t nl = text.find('\n');
  if (nl == std::string_view::npos) return R::failure(-EIO);
  for (auto w : words(text.substr(0, nl))) t.columns_.emplace_back(w);
  t.width_ = t.columns_.size();
  for (const auto& c : t.columns_)
    if (c == "msqid" || c == "shmid" || c == "semid") t.id_col_ = t.column(c);
  t.key_col_ = t.column("key");
  if (t.id_col_ < 0 || t.key_col_ < 0) return R::failure(-EIO);
  int perms = t.column("perms");
  text.remove_prefix(nl + 1);
  // One pass over the text, no allocation per row: a listing of 10,000 queues parses this.
  const char* p = text.data();
  const char* const end = p + text.size();
  auto blank = [](char c) { return c == ' ' || c == '\t'; };
  while (p < end) {
    size_t col = 0;
    size_t row_start = t.cells_.size();
    for (;;) {
      while (p < end && blank(*p)) ++p;
      if (p == end || *p == '\n') break;
      const char* w = p;
      while (p < end && !blank(*p) && *p != '\n') ++p;
      if (col++ >= t.width_) continue;  // columns past the header's are not ours to read
      int64_t v = 0;
      auto [q, ec] = std::from_chars(w, p, v, int(col - 1) == perms ? 8 : 10);
      if (ec != std::errc() || q != p) return R::failure(-EIO);
      t.cells_.push_back(v);
    }
    if (p < end) ++p;        // the newline
    if (col == 0) continue;  // an empty line
    if (col < t.width_) return R::failure(-EIO);
    // The kernel prints ids and keys as ints: anything else is not its table, and id()/key()
    // would silently truncate it into another object's id.
    int64_t id = t.cells_[row_start + size_t(t.id_col_)];
    int64_t key = t.cells_[row_start + size_t(t.key_col_)];
    if (id < 0 || id > INT_MAX || key < INT32_MIN || key > INT32_MAX) return R::failure(-EIO);
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
  if (c < 0 || row >= size()) return std::nullopt;
  return at(row, c);
}

std::optional<size_t> SysvTable::find_id(int id) const {
  for (size_t r = 0; r < size(); ++r)
    if (this->id(r) == id) return r;
  return std::nullopt;
}

}  // namespace ipcfs::ipc
