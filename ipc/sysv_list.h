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

}  // namespace ipcfs::ipc
