// Fuzz target of the semaphore write grammar (fs/sem_command.h). The first input byte picks the
// grammar (one semaphore or a whole set, its size, SEMVMX or SEM_VALUE_MAX); the rest is the
// write. Checked: errors are only -EINVAL or -ERANGE; an accepted command fits the grammar (kind
// of file, ranges, set size, distinct indexes) and, written back canonically, with blanks or a
// trailing newline around it, parses to the same command; and a range error does not depend on
// the set's size (syntax, then ranges, then the checks that need the set).
#include <cerrno>
#include <climits>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "fs/sem_command.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace ipcfs::fs;
using Type = SemCommand::Type;

std::string canonical(const SemCommand& c) {
  switch (c.type) {
    case Type::kAdd:
      return "+" + std::to_string(c.n);
    case Type::kSub:
      return "-" + std::to_string(c.n);
    case Type::kTrySub:
      return "trywait";
    case Type::kZero:
      return "zero";
    case Type::kSet:
      return std::to_string(c.n);
    case Type::kSetAll: {
      std::string s;
      for (uint32_t v : c.values) s += (s.empty() ? "" : " ") + std::to_string(v);
      return s;
    }
    case Type::kOps: {
      std::string s;
      for (const SemOp& o : c.ops) {
        if (!s.empty()) s += ' ';
        s += std::to_string(o.index) + ":";
        s += o.delta == 0 ? "0"
                          : (o.delta > 0 ? "+" : "-") + std::to_string(std::abs(int64_t(o.delta)));
      }
      return s;
    }
  }
  return "";
}

bool same(const SemCommand& a, const SemCommand& b) {
  if (a.type != b.type || a.values != b.values || a.ops.size() != b.ops.size()) return false;
  // n is meaningful for the single-semaphore commands that carry a number.
  if ((a.type == Type::kAdd || a.type == Type::kSub || a.type == Type::kSet) && a.n != b.n)
    return false;
  for (size_t i = 0; i < a.ops.size(); ++i)
    if (a.ops[i].index != b.ops[i].index || a.ops[i].delta != b.ops[i].delta) return false;
  return true;
}

void check_fits(const SemCommand& c, const SemGrammar& g) {
  if (!g.whole_set) {
    FUZZ_CHECK(c.type != Type::kSetAll && c.type != Type::kOps);
    FUZZ_CHECK(c.n <= g.max);
    if (c.type == Type::kAdd || c.type == Type::kSub) FUZZ_CHECK(c.n >= 1);
    if (c.type == Type::kTrySub) FUZZ_CHECK(c.n == 1);
    return;
  }
  FUZZ_CHECK(c.type == Type::kSetAll || c.type == Type::kOps);
  if (c.type == Type::kSetAll) {
    FUZZ_CHECK(!c.values.empty());
    if (g.nsems != 0) FUZZ_CHECK(c.values.size() == g.nsems);
    for (uint32_t v : c.values) FUZZ_CHECK(v <= g.max);
    return;
  }
  FUZZ_CHECK(!c.ops.empty() && c.ops.size() <= g.nsems);
  std::vector<bool> seen(g.nsems, false);
  for (const SemOp& o : c.ops) {
    FUZZ_CHECK(o.index < g.nsems && !seen[o.index]);
    seen[o.index] = true;
    FUZZ_CHECK(std::abs(int64_t(o.delta)) <= int64_t(g.max));
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  uint8_t pick = data[0];
  SemGrammar g;
  g.whole_set = pick & 1;
  g.nsems = g.whole_set ? (pick >> 1) & 7 : 0;         // 0: a set not made yet
  g.max = (pick & 0x80) ? uint32_t(INT_MAX) : 32767u;  // SEM_VALUE_MAX or SEMVMX
  std::string_view text(reinterpret_cast<const char*>(data + 1), size - 1);

  auto r = parse_sem_command(text, g);
  if (!r) {
    FUZZ_CHECK(r.error() == -EINVAL || r.error() == -ERANGE);
  } else {
    check_fits(*r, g);
    std::string c = canonical(*r);
    for (std::string again : {c, c + "\n", " \t" + c + "\t \n"}) {
      auto q = parse_sem_command(again, g);
      FUZZ_CHECK(q && same(*q, *r));
    }
  }
  if (text.find('\0') != std::string_view::npos) FUZZ_CHECK(!r && r.error() == -EINVAL);
  if (g.whole_set) {
    // Whatever the set's size, a range error stays a range error, and a command that is fine
    // for one size is never a range error for another.
    for (size_t n : {size_t(0), size_t(1), size_t(8)}) {
      SemGrammar h = g;
      h.nsems = n;
      auto s = parse_sem_command(text, h);
      if (!r && r.error() == -ERANGE) FUZZ_CHECK(!s && s.error() == -ERANGE);
      if (r) FUZZ_CHECK(s || s.error() == -EINVAL);
    }
  }
  return 0;
}
