// Parsers for IPC object names, keys, ids and numbers.
#include "ipc/names.h"

#include <cctype>
#include <cerrno>
#include <charconv>
#include <climits>
#include <cstdio>

namespace ipcfs::ipc {

int check_posix_name(std::string_view name, size_t max_len) {
  if (name.empty() || name == "." || name == "..") return -EINVAL;
  if (name.size() > max_len) return -ENAMETOOLONG;
  for (char c : name)
    if (c == '/' || c == '\0') return -EINVAL;
  return 0;
}

std::string posix_path(std::string_view name) {
  std::string s;
  s.reserve(name.size() + 1);
  s.push_back('/');
  s.append(name);
  return s;
}

std::optional<uint64_t> parse_decimal(std::string_view s, uint64_t max) {
  if (s.empty() || s.size() > 20) return std::nullopt;
  if (s.size() > 1 && s[0] == '0') return std::nullopt;
  for (char c : s)
    if (c < '0' || c > '9') return std::nullopt;
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || v > max) return std::nullopt;
  return v;
}

std::optional<int64_t> parse_signed(std::string_view s, int64_t min, int64_t max) {
  bool neg = false;
  if (!s.empty() && (s[0] == '-' || s[0] == '+')) {
    neg = s[0] == '-';
    s.remove_prefix(1);
  }
  // INT64_MIN's magnitude is one more than INT64_MAX's.
  auto mag = parse_decimal(s, uint64_t(INT64_MAX) + (neg ? 1 : 0));
  if (!mag) return std::nullopt;
  int64_t v = neg ? int64_t(0 - *mag) : int64_t(*mag);  // modular, defined since C++20
  if (v < min || v > max) return std::nullopt;
  return v;
}

std::optional<key_t> parse_key(std::string_view s) {
  uint64_t v = 0;
  if (s.size() > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X')) {
    std::string_view hex = s.substr(2);
    if (hex.size() > 16) return std::nullopt;
    for (char c : hex)
      if (!std::isxdigit(static_cast<unsigned char>(c))) return std::nullopt;
    auto [p, ec] = std::from_chars(hex.data(), hex.data() + hex.size(), v, 16);
    if (ec != std::errc() || p != hex.data() + hex.size()) return std::nullopt;
  } else {
    // Decimal, leading zeros tolerated ("04660" is still 4660).
    if (s.empty() || s.size() > 20) return std::nullopt;
    for (char c : s)
      if (c < '0' || c > '9') return std::nullopt;
    auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
    if (ec != std::errc() || p != s.data() + s.size()) return std::nullopt;
  }
  if (v == 0 || v > UINT32_MAX) return std::nullopt;
  return static_cast<key_t>(static_cast<uint32_t>(v));
}

std::optional<int> parse_id(std::string_view s) {
  auto v = parse_decimal(s, INT_MAX);
  if (!v) return std::nullopt;
  return static_cast<int>(*v);
}

std::string format_key(key_t key) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "0x%08x", static_cast<unsigned>(key));
  return buf;
}

}  // namespace ipcfs::ipc
