// Fuzz target of ipc/names: parse_decimal, parse_signed, parse_key, parse_id, check_posix_name
// and format_key, each checked against a straightforward model of its documented grammar, and
// round-tripped where the grammar has a canonical spelling.
#include <cerrno>
#include <climits>
#include <cstdint>
#include <string>
#include <string_view>

#include "ipc/names.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace ipcfs::ipc;

bool all_digits(std::string_view s) {
  for (char c : s)
    if (c < '0' || c > '9') return false;
  return true;
}

// Canonical decimal (no sign, no leading zero but "0") that is at most MAX: compared as text,
// so that the model cannot overflow the way the parser might.
bool decimal_ok(std::string_view s, uint64_t max) {
  if (s.empty() || !all_digits(s) || (s.size() > 1 && s[0] == '0')) return false;
  std::string m = std::to_string(max);
  return s.size() < m.size() || (s.size() == m.size() && s <= std::string_view(m));
}

void check_decimal(std::string_view s, uint64_t max) {
  auto v = parse_decimal(s, max);
  FUZZ_CHECK(v.has_value() == decimal_ok(s, max));
  if (v) {
    FUZZ_CHECK(*v <= max);
    FUZZ_CHECK(std::to_string(*v) == s);
  }
}

void check_signed(std::string_view s, int64_t min, int64_t max) {
  auto v = parse_signed(s, min, max);
  std::string_view mag = s;
  bool neg = false;
  if (!mag.empty() && (mag[0] == '-' || mag[0] == '+')) {
    neg = mag[0] == '-';
    mag.remove_prefix(1);
  }
  bool ok = decimal_ok(mag, uint64_t(INT64_MAX));
  if (ok) {
    auto m = parse_decimal(mag, uint64_t(INT64_MAX));
    int64_t x = neg ? -int64_t(*m) : int64_t(*m);
    ok = x >= min && x <= max;
  }
  FUZZ_CHECK(v.has_value() == ok);
  if (v) {
    FUZZ_CHECK(*v >= min && *v <= max);
    // Canonical spelling: no '+', and "-0" is 0.
    FUZZ_CHECK(std::to_string(*v) == (neg && *v != 0 ? "-" : "") + std::string(mag));
  }
}

// The key model: "0x"/"0X" and 1..16 hex digits, or 1..20 decimal digits (leading zeros
// allowed in both), naming 1..UINT32_MAX.
bool key_ok(std::string_view s, uint32_t* out) {
  uint64_t v = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    std::string_view hex = s.substr(2);
    if (hex.size() > 16) return false;
    for (char c : hex) {
      int d = c >= '0' && c <= '9'   ? c - '0'
              : c >= 'a' && c <= 'f' ? c - 'a' + 10
              : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                     : -1;
      if (d < 0) return false;
      v = v * 16 + uint64_t(d);
    }
  } else {
    if (s.empty() || s.size() > 20 || !all_digits(s)) return false;
    unsigned __int128 w = 0;
    for (char c : s) w = w * 10 + unsigned(c - '0');
    if (w > UINT32_MAX) return false;
    v = uint64_t(w);
  }
  if (v == 0 || v > UINT32_MAX) return false;
  *out = uint32_t(v);
  return true;
}

void check_key(std::string_view s) {
  auto k = parse_key(s);
  uint32_t want = 0;
  FUZZ_CHECK(k.has_value() == key_ok(s, &want));
  if (!k) return;
  FUZZ_CHECK(uint32_t(*k) == want);
  std::string f = format_key(*k);
  FUZZ_CHECK(f.size() == 10 && f.compare(0, 2, "0x") == 0);
  FUZZ_CHECK(parse_key(f) == k);
  FUZZ_CHECK(parse_key(std::to_string(uint32_t(*k))) == k);
}

void check_posix(std::string_view s, size_t max_len) {
  int r = check_posix_name(s, max_len);
  // In this order: not a name at all, too long, a character no name may hold.
  if (s.empty() || s == "." || s == "..")
    FUZZ_CHECK(r == -EINVAL);
  else if (s.size() > max_len)
    FUZZ_CHECK(r == -ENAMETOOLONG);
  else if (s.find_first_of(std::string_view("/\0", 2)) != std::string_view::npos)
    FUZZ_CHECK(r == -EINVAL);
  else
    FUZZ_CHECK(r == 0);
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view s(reinterpret_cast<const char*>(data), size);
  for (uint64_t max : {uint64_t(0), uint64_t(10), uint64_t(65535), uint64_t(INT_MAX), UINT64_MAX})
    check_decimal(s, max);
  check_signed(s, -LONG_MAX, LONG_MAX);
  check_signed(s, -10, 10);
  check_key(s);
  auto id = parse_id(s);
  FUZZ_CHECK(id.has_value() == decimal_ok(s, INT_MAX));
  if (id) FUZZ_CHECK(std::to_string(*id) == s);
  check_posix(s, 255);
  check_posix(s, 251);
  return 0;
}
