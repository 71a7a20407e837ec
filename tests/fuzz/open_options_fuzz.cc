// Fuzz target of the NAME@OPTIONS grammar (fs/open_options.h): parse_name and check_allowed.
// Every accepted name splits at its last '@', every value is within its documented range, and
// the options, written back in canonical form, parse to the same options. The only error is
// -EINVAL.
#include <semaphore.h>

#include <cerrno>
#include <climits>
#include <cstdint>
#include <string>
#include <string_view>

#include "fs/open_options.h"
#include "tests/fuzz/fuzz_check.h"

namespace {

using namespace ipcfs::fs;

constexpr uint32_t kAllOpts = (kOptExcl << 1) - 1;
constexpr uint32_t kViews = kOptStream | kOptDrain | kOptPeek | kOptInfo;

// The options in canonical form: "word" or "word=value", in bit order.
std::string canonical(const OpenOptions& o) {
  std::string out;
  auto add = [&](Opt bit, const char* word, std::string value) {
    if (!o.has(bit)) return;
    if (!out.empty()) out += ',';
    out += word;
    if (!value.empty()) out += "=" + value;
  };
  add(kOptPrio, "prio", std::to_string(o.prio));
  add(kOptType, "type", std::to_string(o.type));
  add(kOptStream, "stream", "");
  add(kOptDrain, "drain", "");
  add(kOptPeek, "peek", "");
  add(kOptInfo, "info", "");
  add(kOptSem, "sem", std::to_string(o.sem));
  add(kOptMaxmsg, "maxmsg", std::to_string(o.maxmsg));
  add(kOptMsgsize, "msgsize", std::to_string(o.msgsize));
  add(kOptSize, "size", std::to_string(o.size));
  add(kOptNsems, "nsems", std::to_string(o.nsems));
  add(kOptValue, "value", std::to_string(o.value));
  add(kOptExcl, "excl", "");
  return out;
}

// The values an option not given keeps, and the ranges of those given.
void check_values(const OpenOptions& o) {
  FUZZ_CHECK((o.present & ~kAllOpts) == 0);
  uint32_t views = o.present & kViews;
  FUZZ_CHECK((views & (views - 1)) == 0);
  FUZZ_CHECK(o.has(kOptPrio) ? o.prio <= 32767 : o.prio == 0);
  FUZZ_CHECK(o.has(kOptType) || o.type == 0);
  FUZZ_CHECK(o.has(kOptSem) ? o.sem <= 65535 : o.sem == 0);
  FUZZ_CHECK(o.has(kOptMaxmsg) ? o.maxmsg >= 1 && o.maxmsg <= INT_MAX : o.maxmsg == 0);
  FUZZ_CHECK(o.has(kOptMsgsize) ? o.msgsize >= 1 && o.msgsize <= INT_MAX : o.msgsize == 0);
  FUZZ_CHECK(o.has(kOptSize) ? o.size >= 1 : o.size == 0);
  FUZZ_CHECK(o.has(kOptNsems) ? o.nsems >= 1 && o.nsems <= 65535 : o.nsems == 0);
  FUZZ_CHECK(o.has(kOptValue) ? o.value <= SEM_VALUE_MAX : o.value == 0);
}

bool same(const OpenOptions& a, const OpenOptions& b) {
  return a.present == b.present && a.prio == b.prio && a.type == b.type && a.sem == b.sem &&
         a.maxmsg == b.maxmsg && a.msgsize == b.msgsize && a.size == b.size && a.nsems == b.nsems &&
         a.value == b.value && a.view() == b.view();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  std::string_view full(reinterpret_cast<const char*>(data), size);
  auto p = parse_name(full);
  size_t at = full.rfind('@');
  if (!p) {
    FUZZ_CHECK(p.error() == -EINVAL);
    FUZZ_CHECK(at != std::string_view::npos);  // a name without options always parses
    return 0;
  }
  check_values(p->opts);
  // The parts are views into FULL, split at its last '@'.
  if (at == std::string_view::npos) {
    FUZZ_CHECK(p->object.data() == full.data() && p->object.size() == full.size());
    FUZZ_CHECK(p->options.empty() && p->opts.present == 0);
  } else {
    FUZZ_CHECK(p->object.data() == full.data() && p->object.size() == at);
    FUZZ_CHECK(p->options.data() == full.data() + at + 1 && p->options.size() == size - at - 1);
    FUZZ_CHECK(!p->object.empty() && !p->options.empty() && p->opts.present != 0);
    FUZZ_CHECK(p->options.find('@') == std::string_view::npos);
    // Written back canonically, the options mean the same.
    std::string again = "x@" + canonical(p->opts);
    auto q = parse_name(again);
    FUZZ_CHECK(q && same(q->opts, p->opts) && q->object == "x");
  }
  // check_allowed: every mask, through a few derived from the input.
  uint32_t masks[] = {0, kAllOpts, p->opts.present, uint32_t(size * 2654435761u) & kAllOpts};
  for (uint32_t m : masks) {
    int r = check_allowed(p->opts, m);
    FUZZ_CHECK(r == ((p->opts.present & ~m) ? -EINVAL : 0));
  }
  return 0;
}
