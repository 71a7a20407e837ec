// The NAME@OPTIONS grammar of SPEC §4: one parser for every kind. Views and creation
// parameters never become part of an object's name.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "ipc/result.h"

namespace ipcfs::fs {

enum Opt : uint32_t {
  kOptPrio = 1u << 0,
  kOptType = 1u << 1,
  kOptStream = 1u << 2,
  kOptDrain = 1u << 3,
  kOptPeek = 1u << 4,
  kOptInfo = 1u << 5,
  kOptSem = 1u << 6,
  kOptMaxmsg = 1u << 7,
  kOptMsgsize = 1u << 8,
  kOptSize = 1u << 9,
  kOptNsems = 1u << 10,
  kOptValue = 1u << 11,
  kOptExcl = 1u << 12,
};

// How reading a file behaves for one open (§4 "views").
enum class View { kDefault, kStream, kDrain, kPeek, kInfo };

struct OpenOptions {
  uint32_t present = 0;  // bitmask of Opt
  unsigned prio = 0;
  long type = 0;
  unsigned sem = 0;
  long maxmsg = 0;
  long msgsize = 0;
  uint64_t size = 0;
  unsigned nsems = 0;
  unsigned value = 0;

  bool has(Opt o) const { return (present & o) != 0; }
  View view() const;
};

struct ParsedName {
  std::string_view object;   // the object's own name
  std::string_view options;  // the text after '@', empty if none
  OpenOptions opts;
};

// Splits FULL at its last '@' and parses the options. A name without '@' has no options.
// Malformed, unknown, repeated or conflicting options: -EINVAL.
Result<ParsedName> parse_name(std::string_view full);

// -EINVAL unless every option present is in ALLOWED (a mask of Opt).
int check_allowed(const OpenOptions& opts, uint32_t allowed);

// "4096", "64K", "1M", "2G" (powers of 1024). Zero and overflow are rejected.
Result<uint64_t> parse_size(std::string_view s);

}  // namespace ipcfs::fs
