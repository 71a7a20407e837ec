// SysvTable: the kernel's own table of System V objects, /proc/sysvipc/{msg,shm,sem}. Listing is
// one read of that file: O(number of objects), whatever the highest id.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/object_stat.h"
#include "ipc/result.h"

namespace ipcfs::ipc {

enum class SysvKind { kMsg, kShm, kSem };

class SysvTable {
 public:
  // Reads /proc/sysvipc/msg, shm or sem of the caller's IPC namespace.
  static Result<SysvTable> read(SysvKind kind);
  // Parses the text of such a file (a header line naming the columns, then one row per object).
  static Result<SysvTable> parse(std::string_view text);

  size_t size() const { return width_ ? cells_.size() / width_ : 0; }
  // Index of the column NAME, -1 if the table has none.
  int column(std::string_view name) const;
  // Value in row ROW of column COL (an index from column(); "perms" is read as octal).
  int64_t at(size_t row, int col) const { return cells_[row * width_ + size_t(col)]; }
  // Indexes of the columns NAMES, or nullopt if one is missing.
  template <size_t N>
  std::optional<std::array<int, N>> columns(const char* const (&names)[N]) const {
    std::array<int, N> out{};
    for (size_t i = 0; i < N; ++i)
      if ((out[i] = column(names[i])) < 0) return std::nullopt;
    return out;
  }
  // Value of COLUMN in row ROW; nullopt if there is no such column.
  std::optional<int64_t> get(size_t row, std::string_view column) const;
  // Index of the row whose id column ("msqid", "shmid", "semid") is ID.
  std::optional<size_t> find_id(int id) const;

  // Shorthands for the columns every kind has.
  int id(size_t row) const { return int(at(row, id_col_)); }
  int32_t key(size_t row) const { return int32_t(at(row, key_col_)); }

 private:
  std::vector<std::string> columns_;
  size_t width_ = 0;            // columns_.size()
  std::vector<int64_t> cells_;  // row after row, width_ values each
  int id_col_ = -1;
  int key_col_ = -1;
};

// One object of a table, with its facts as IPC_STAT gives them (see SysvShm::list_all).
struct SysvListed {
  int id = -1;
  int32_t key = 0;
  ObjectStat stat;
};

// Every object of KIND's table as a SysvListed, for a kind whose IPC_STAT structure is DS.
// FILL(ds, v) sets DS from one row, v(i) being the row's value in column COLS[i], and TO_STAT(ds,
// id) converts it exactly as after IPC_STAT. Where the table lacks one of COLS (another kernel),
// STAT(id, &ds) (0 or -errno) asks the kernel for each object instead.
template <class Ds, size_t N, class Fill, class Stat, class ToStat>
Result<std::vector<SysvListed>> list_table(SysvKind kind, const char* const (&cols)[N], Fill fill,
                                           Stat stat, ToStat to_stat) {
  auto t = SysvTable::read(kind);
  if (!t) return Result<std::vector<SysvListed>>::failure(t.error());
  auto c = t->columns(cols);
  std::vector<SysvListed> out;
  out.reserve(t->size());
  for (size_t r = 0; r < t->size(); ++r) {
    int id = t->id(r);
    Ds ds{};
    if (c)
      fill(ds, [&](size_t i) { return t->at(r, (*c)[i]); });
    else if (stat(id, &ds) < 0)
      continue;  // gone since the read
    out.push_back({id, t->key(r), to_stat(ds, id)});
  }
  return out;
}

}  // namespace ipcfs::ipc
