// The §5.3 write grammar. Three passes over the tokens: syntax, then ranges, then the checks
// that need the set's size, so the error a user sees does not depend on the set.
#include "fs/sem_command.h"

#include <cerrno>
#include <string>

namespace ipcfs::fs {

namespace {

bool blank(char c) {
  return c == ' ' || c == '\t';
}

// A number token: "0" or digits without a leading zero. TOO_BIG is set when it exceeds MAX
// (however many digits it has), so "+99999999999999999999" is a range error, not a syntax one.
struct Number {
  bool ok = false;
  bool too_big = false;
  uint32_t value = 0;
};

Number number(std::string_view s, uint32_t max) {
  Number n;
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return n;
  uint64_t v = 0;
  for (char c : s) {
    if (c < '0' || c > '9') return n;
    if (v <= max) v = v * 10 + uint64_t(c - '0');  // stops growing once past MAX
  }
  n.ok = true;
  n.too_big = v > max;
  n.value = n.too_big ? 0 : uint32_t(v);
  return n;
}

std::vector<std::string_view> split(std::string_view s) {
  std::vector<std::string_view> out;
  size_t i = 0;
  while (i < s.size()) {
    while (i < s.size() && blank(s[i])) ++i;
    size_t j = i;
    while (j < s.size() && !blank(s[j])) ++j;
    if (j > i) out.push_back(s.substr(i, j - i));
    i = j;
  }
  return out;
}

Result<SemCommand> fail(int e) {
  return Result<SemCommand>::failure(e);
}

Result<SemCommand> parse_single(std::string_view t, uint32_t max) {
  SemCommand c;
  if (t == "post" || t == "wait" || t == "trywait") {
    c.type = t == "post"   ? SemCommand::Type::kAdd
             : t == "wait" ? SemCommand::Type::kSub
                           : SemCommand::Type::kTrySub;
    c.n = 1;
    return c;
  }
  if (t == "zero") {
    c.type = SemCommand::Type::kZero;
    return c;
  }
  bool sign = !t.empty() && (t[0] == '+' || t[0] == '-');
  Number n = number(sign ? t.substr(1) : t, max);
  if (!n.ok) return fail(-EINVAL);
  if (sign && !n.too_big && n.value == 0) return fail(-EINVAL);  // a post or wait of nothing
  if (n.too_big) return fail(-ERANGE);
  c.type = !sign         ? SemCommand::Type::kSet
           : t[0] == '+' ? SemCommand::Type::kAdd
                         : SemCommand::Type::kSub;
  c.n = n.value;
  return c;
}

Result<SemCommand> parse_setall(const std::vector<std::string_view>& words, const SemGrammar& g) {
  SemCommand c;
  c.type = SemCommand::Type::kSetAll;
  bool too_big = false;
  for (std::string_view w : words) {
    Number n = number(w, g.max);
    if (!n.ok) return fail(-EINVAL);
    too_big |= n.too_big;
    c.values.push_back(n.value);
  }
  if (too_big) return fail(-ERANGE);
  if (g.nsems != 0 && c.values.size() != g.nsems) return fail(-EINVAL);
  return c;
}

Result<SemCommand> parse_ops(const std::vector<std::string_view>& words, const SemGrammar& g) {
  SemCommand c;
  c.type = SemCommand::Type::kOps;
  bool too_big = false;
  bool bad_index = false;
  std::vector<bool> seen(g.nsems, false);
  for (std::string_view w : words) {
    size_t colon = w.find(':');
    if (colon == std::string_view::npos) return fail(-EINVAL);
    Number idx = number(w.substr(0, colon), UINT16_MAX);
    std::string_view op = w.substr(colon + 1);
    if (!idx.ok) return fail(-EINVAL);
    SemOp o;
    if (op == "0") {
      o.delta = 0;
    } else {
      if (op.empty() || (op[0] != '+' && op[0] != '-')) return fail(-EINVAL);
      Number n = number(op.substr(1), g.max);
      if (!n.ok || (!n.too_big && n.value == 0)) return fail(-EINVAL);
      too_big |= n.too_big;
      o.delta = op[0] == '+' ? int32_t(n.value) : -int32_t(n.value);
    }
    if (idx.too_big || idx.value >= g.nsems) {
      bad_index = true;
    } else {
      o.index = uint16_t(idx.value);
      bad_index |= seen[o.index];
      seen[o.index] = true;
    }
    c.ops.push_back(o);
  }
  if (too_big) return fail(-ERANGE);
  if (bad_index) return fail(-EINVAL);
  return c;
}

}  // namespace

Result<SemCommand> parse_sem_command(std::string_view text, const SemGrammar& g) {
  if (!text.empty() && text.back() == '\n') text.remove_suffix(1);
  if (text.find('\0') != std::string_view::npos) return fail(-EINVAL);
  while (!text.empty() && blank(text.front())) text.remove_prefix(1);
  while (!text.empty() && blank(text.back())) text.remove_suffix(1);
  if (text.empty()) return fail(-EINVAL);
  // Only blanks separate words: any other control character (a second line, CR) is junk.
  for (char c : text)
    if (static_cast<unsigned char>(c) < 0x20 && c != '\t') return fail(-EINVAL);
  if (!g.whole_set) {
    if (split(text).size() != 1) return fail(-EINVAL);
    return parse_single(text, g.max);
  }
  std::vector<std::string_view> words = split(text);
  if (words[0].find(':') != std::string_view::npos) return parse_ops(words, g);
  return parse_setall(words, g);
}

}  // namespace ipcfs::fs
