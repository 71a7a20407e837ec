// Fuzz target of fs::parse_size ("4096", "64K", "1M", "2G"; powers of 1024), checked against an
// overflow-free model: canonical decimal, an optional K/M/G suffix in either case, a result in
// 1..UINT64_MAX. The only error is -EINVAL; an accepted size reads back from its decimal form.
#include <cerrno>
#include <cstdint>
#include <string>
#include <string_view>

#include "fs/open_options.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

bool model(std::string_view s, uint64_t* out) {
  unsigned shift = 0;
  if (!s.empty()) {
    char c = s.back();
    shift = (c == 'K' || c == 'k')   ? 10
            : (c == 'M' || c == 'm') ? 20
            : (c == 'G' || c == 'g') ? 30
                                     : 0;
    if (shift) s.remove_suffix(1);
  }
  if (s.empty() || s.size() > 20 || (s.size() > 1 && s[0] == '0')) return false;
  unsigned __int128 v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return false;
    v = v * 10 + unsigned(c - '0');
  }
  v <<= shift;
  if (v == 0 || v > UINT64_MAX) return false;
  *out = uint64_t(v);
  return true;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  auto r = ipcfs::fs::parse_size(s);
  uint64_t want = 0;
  bool ok = model(s, &want);
  FUZZ_CHECK(r.ok() == ok);
  if (!r) {
    FUZZ_CHECK(r.error() == -EINVAL);
    return 0;
  }
  FUZZ_CHECK(*r == want && *r > 0);
  auto again = ipcfs::fs::parse_size(std::to_string(*r));
  FUZZ_CHECK(again && *again == *r);
  return 0;
}
