// The write grammar of semaphore files (SPEC §5.3), one parser for posix/sem, sysv/sem/ID@sem=I
// and whole System V sets. It only parses and range-checks: nothing here touches a semaphore,
// so a rejected write can change nothing.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

#include "ipc/result.h"

namespace ipcfs::fs {

// One operation of an atomic semop list: "I:+N", "I:-N" or "I:0" (delta 0: wait for zero).
struct SemOp {
  uint16_t index = 0;
  int32_t delta = 0;
};

struct SemCommand {
  enum class Type {
    kAdd,     // "+N", "post": add N
    kSub,     // "-N", "wait": subtract N, waiting while the value is below N
    kTrySub,  // "trywait": subtract 1 or fail with EAGAIN
    kZero,    // "zero": wait until the value is 0
    kSet,     // "N": set the value to N
    kSetAll,  // "V0 V1 ...": set every value of a set
    kOps,     // "I:+N I:-N I:0 ...": one atomic semop
  };
  Type type = Type::kAdd;
  uint32_t n = 0;                // kAdd, kSub, kTrySub, kSet
  std::vector<uint32_t> values;  // kSetAll
  std::vector<SemOp> ops;        // kOps, in the order written
};

// What a file accepts.
struct SemGrammar {
  // true: a whole System V set (SETALL and semop lists); false: one semaphore.
  bool whole_set = false;
  // whole_set: the set's size. 0: the set is not made yet, so a SETALL of any count is taken
  // and every semop index is out of range.
  size_t nsems = 0;
  // The largest value and the largest N of +N/-N: SEMVMX or SEM_VALUE_MAX.
  uint32_t max = 0;
};

// Parses one write. Surrounding blanks (space, tab) and one trailing newline are ignored;
// numbers are plain decimal without leading zeros. Errors, checked in this order: bad syntax
// (anything else, including NUL bytes, +0/-0, junk after a command) -EINVAL; a number above MAX
// -ERANGE; a SETALL count other than nsems, a semop index >= nsems or given twice -EINVAL.
Result<SemCommand> parse_sem_command(std::string_view text, const SemGrammar& grammar);

}  // namespace ipcfs::fs
