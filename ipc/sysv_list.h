// SysvTable: the kernel's own table of System V objects, /proc/sysvipc/{msg,shm,sem}. Listing is
// one read of that file: O(number of objects), whatever the highest id.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "ipc/result.h"

namespace ipcfs::ipc {

enum class SysvKind { kMsg, kShm, kSem };

class SysvTable {
 public:
  // Reads /proc/sysvipc/msg, shm or sem of the caller's IPC namespace.
  static Result<SysvTable> read(SysvKind kind);
  // Parses the text of such a file (a header line naming the columns, then one row per object).
  static Result<SysvTable> parse(std::string_view text);

  size_t size() const { return rows_.size(); }
  // Value of COLUMN in row ROW ("perms" is read as octal); nullopt if there is no such column.
  std::optional<int64_t> get(size_t row, std::string_view column) const;
  // Index of the row whose id column ("msqid", "shmid", "semid") is ID.
  std::optional<size_t> find_id(int id) const;

  // Shorthands for the columns every kind has.
  int id(size_t row) const { return int(*get(row, id_column_)); }
  int32_t key(size_t row) const { return int32_t(*get(row, "key")); }

 private:
  int column(std::string_view name) const;
  std::vector<std::string> columns_;
  std::vector<std::vector<int64_t>> rows_;
  std::string id_column_;
};

}  // namespace ipcfs::ipc
