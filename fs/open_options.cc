// NAME@OPTIONS parsing (SPEC §4).
#include "fs/open_options.h"

#include <semaphore.h>

#include <climits>

#include "ipc/names.h"

namespace ipcfs::fs {

namespace {

using ipc::parse_decimal;

struct Spec {
  std::string_view word;
  Opt bit;
  bool takes_value;
};

constexpr Spec kSpecs[] = {
    {"prio", kOptPrio, true},    {"type", kOptType, true},     {"stream", kOptStream, false},
    {"drain", kOptDrain, false}, {"peek", kOptPeek, false},    {"info", kOptInfo, false},
    {"sem", kOptSem, true},      {"maxmsg", kOptMaxmsg, true}, {"msgsize", kOptMsgsize, true},
    {"size", kOptSize, true},    {"nsems", kOptNsems, true},   {"value", kOptValue, true},
    {"excl", kOptExcl, false},
};

// Stores VALUE for BIT into OPTS; false if it does not parse.
bool set_value(OpenOptions& o, Opt bit, std::string_view v) {
  switch (bit) {
    case kOptPrio: {
      auto n = parse_decimal(v, 32767);  // MQ_PRIO_MAX - 1 on Linux
      if (!n) return false;
      o.prio = unsigned(*n);
      return true;
    }
    case kOptType: {
      // msgrcv takes LONG_MIN too (as the lowest type up to LONG_MAX).
      auto n = ipc::parse_signed(v, LONG_MIN, LONG_MAX);
      if (!n) return false;
      o.type = long(*n);
      return true;
    }
    case kOptSem: {
      auto n = parse_decimal(v, 65535);
      if (!n) return false;
      o.sem = unsigned(*n);
      return true;
    }
    case kOptMaxmsg:
    case kOptMsgsize: {
      auto n = parse_decimal(v, INT_MAX);
      if (!n || *n == 0) return false;
      (bit == kOptMaxmsg ? o.maxmsg : o.msgsize) = long(*n);
      return true;
    }
    case kOptSize: {
      auto n = parse_size(v);
      if (!n) return false;
      o.size = *n;
      return true;
    }
    case kOptNsems: {
      auto n = parse_decimal(v, 65535);
      if (!n || *n == 0) return false;
      o.nsems = unsigned(*n);
      return true;
    }
    case kOptValue: {
      auto n = parse_decimal(v, SEM_VALUE_MAX);
      if (!n) return false;
      o.value = unsigned(*n);
      return true;
    }
    default:
      return false;
  }
}

}  // namespace

View OpenOptions::view() const {
  if (has(kOptStream)) return View::kStream;
  if (has(kOptDrain)) return View::kDrain;
  if (has(kOptPeek)) return View::kPeek;
  if (has(kOptInfo)) return View::kInfo;
  return View::kDefault;
}

Result<uint64_t> parse_size(std::string_view s) {
  uint64_t mult = 1;
  if (!s.empty()) {
    switch (s.back()) {
      case 'K':
      case 'k':
        mult = 1ull << 10;
        break;
      case 'M':
      case 'm':
        mult = 1ull << 20;
        break;
      case 'G':
      case 'g':
        mult = 1ull << 30;
        break;
      default:
        break;
    }
    if (mult != 1) s.remove_suffix(1);
  }
  auto n = parse_decimal(s, UINT64_MAX);
  if (!n || *n == 0 || *n > UINT64_MAX / mult) return Result<uint64_t>::failure(-EINVAL);
  return *n * mult;
}

Result<ParsedName> parse_name(std::string_view full) {
  using R = Result<ParsedName>;
  ParsedName p;
  size_t at = full.rfind('@');
  if (at == std::string_view::npos) {
    p.object = full;
    return p;
  }
  p.object = full.substr(0, at);
  p.options = full.substr(at + 1);
  if (p.object.empty() || p.options.empty()) return R::failure(-EINVAL);

  std::string_view rest = p.options;
  while (true) {
    size_t comma = rest.find(',');
    std::string_view item = rest.substr(0, comma);
    size_t eq = item.find('=');
    std::string_view word = item.substr(0, eq);
    const Spec* spec = nullptr;
    for (const Spec& s : kSpecs)
      if (s.word == word) spec = &s;
    if (!spec || (p.opts.present & spec->bit)) return R::failure(-EINVAL);
    if (spec->takes_value != (eq != std::string_view::npos)) return R::failure(-EINVAL);
    if (spec->takes_value && !set_value(p.opts, spec->bit, item.substr(eq + 1)))
      return R::failure(-EINVAL);
    p.opts.present |= spec->bit;
    if (comma == std::string_view::npos) break;
    rest.remove_prefix(comma + 1);
  }
  // At most one view per open.
  uint32_t views = p.opts.present & (kOptStream | kOptDrain | kOptPeek | kOptInfo);
  if (views & (views - 1)) return R::failure(-EINVAL);
  return p;
}

int check_allowed(const OpenOptions& opts, uint32_t allowed) {
  return (opts.present & ~allowed) ? -EINVAL : 0;
}

}  // namespace ipcfs::fs
