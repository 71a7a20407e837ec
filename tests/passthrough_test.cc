// Unit tests of the FUSE passthrough reply patching (fs/passthrough.h) on crafted buffers laid
// out as the kernel's UAPI says, with the protocol values written out here independently.
#include "fs/passthrough.h"

#include <gtest/gtest.h>
#include <linux/fuse.h>

#include <cstring>
#include <vector>

namespace ipcfs::fs::wire {
namespace {

// Kernel protocol 7.40 values (include/uapi/linux/fuse.h), not taken from the code under test.
constexpr uint32_t kPassthroughFlags2Bit = 1u << 5;  // FUSE_PASSTHROUGH = 1ULL << 37
constexpr uint32_t kFopenPassthrough = 1u << 7;
constexpr size_t kInitOutSize = 64;
constexpr size_t kFlags2Offset = 32;
constexpr size_t kMaxStackDepthOffset = 36;
constexpr size_t kBackingIdOffset = 12;
constexpr uint32_t kHandleKillprivV2 = 1u << 28;

template <class T>
T get(const std::vector<char>& b, size_t off) {
  T v;
  std::memcpy(&v, b.data() + off, sizeof v);
  return v;
}

std::vector<char> request(uint32_t opcode, uint64_t unique, uint32_t flags = 0,
                          uint32_t flags2 = 0) {
  fuse_in_header h{};
  h.opcode = opcode;
  h.unique = unique;
  fuse_init_in in{};
  in.major = 7;
  in.minor = 40;
  in.flags = flags;
  in.flags2 = flags2;
  std::vector<char> b(sizeof h + sizeof in);
  h.len = uint32_t(b.size());
  std::memcpy(b.data(), &h, sizeof h);
  std::memcpy(b.data() + sizeof h, &in, sizeof in);
  return b;
}

std::vector<char> init_reply(uint32_t flags) {
  fuse_init_out o{};
  o.major = 7;
  o.minor = 38;
  o.flags = flags;
  o.max_write = 1 << 20;
  o.flags2 = 0x3;
  std::vector<char> b(sizeof o);
  std::memcpy(b.data(), &o, sizeof o);
  return b;
}

TEST(PassthroughWire, LayoutsAreTheKernels) {
  EXPECT_EQ(sizeof(fuse_init_out), kInitOutSize);
  EXPECT_EQ(offsetof(fuse_init_out, flags2), kFlags2Offset);
  EXPECT_EQ(sizeof(fuse_open_out), 16u);
}

TEST(PassthroughWire, ParsesRequests) {
  auto init = request(FUSE_INIT, 7, FUSE_INIT_EXT, kPassthroughFlags2Bit);
  auto r = parse_request(init.data(), init.size());
  ASSERT_TRUE(r);
  EXPECT_EQ(r->unique, 7u);
  EXPECT_EQ(r->op, Op::kInit);
  EXPECT_TRUE(r->offers_passthrough);

  // flags2 means nothing without FUSE_INIT_EXT.
  auto old = request(FUSE_INIT, 8, 0, kPassthroughFlags2Bit);
  EXPECT_FALSE(parse_request(old.data(), old.size())->offers_passthrough);
  auto none = request(FUSE_INIT, 9, FUSE_INIT_EXT, 0);
  EXPECT_FALSE(parse_request(none.data(), none.size())->offers_passthrough);

  auto open = request(FUSE_OPEN, 10);
  EXPECT_EQ(parse_request(open.data(), open.size())->op, Op::kOpen);
  auto create = request(FUSE_CREATE, 11);
  EXPECT_EQ(parse_request(create.data(), create.size())->op, Op::kCreate);
  auto read = request(FUSE_READ, 12);
  EXPECT_EQ(parse_request(read.data(), read.size())->op, Op::kOther);

  EXPECT_FALSE(parse_request(init.data(), sizeof(fuse_in_header) - 1));
  // A truncated INIT body is read as far as it goes, never past it.
  auto shortinit = parse_request(init.data(), sizeof(fuse_in_header) + 8);
  ASSERT_TRUE(shortinit);
  EXPECT_FALSE(shortinit->offers_passthrough);
}

TEST(PassthroughWire, ParsesReplyHeader) {
  fuse_out_header h{};
  h.len = 32;
  h.error = -ENOENT;
  h.unique = 42;
  uint64_t unique = 0;
  int32_t error = 0;
  ASSERT_TRUE(parse_reply(&h, sizeof h, &unique, &error));
  EXPECT_EQ(unique, 42u);
  EXPECT_EQ(error, -ENOENT);
  EXPECT_FALSE(parse_reply(&h, sizeof h - 1, &unique, &error));
}

TEST(PassthroughWire, InitReplyAsksForPassthroughAndChangesNothingElse) {
  auto b = init_reply(FUSE_INIT_EXT | FUSE_ATOMIC_O_TRUNC);
  auto before = b;
  ASSERT_TRUE(request_passthrough(b.data(), b.size()));
  EXPECT_EQ(get<uint32_t>(b, kFlags2Offset), 0x3u | kPassthroughFlags2Bit);
  EXPECT_EQ(get<uint32_t>(b, kMaxStackDepthOffset), 1u);
  EXPECT_EQ(get<uint32_t>(b, 12), FUSE_INIT_EXT | FUSE_ATOMIC_O_TRUNC | kHandleKillprivV2);
  for (size_t i = 0; i < b.size(); ++i) {
    bool patched = (i >= 12 && i < 16) || (i >= kFlags2Offset && i < kMaxStackDepthOffset + 4);
    EXPECT_TRUE(patched || b[i] == before[i]) << i;
  }
}

TEST(PassthroughWire, InitReplyLeftAloneWhenPassthroughCannotApply) {
  auto noext = init_reply(FUSE_ATOMIC_O_TRUNC);
  auto before = noext;
  EXPECT_FALSE(request_passthrough(noext.data(), noext.size()));
  EXPECT_EQ(noext, before);
  // The kernel refuses passthrough with writeback caching: do not ask.
  auto wb = init_reply(FUSE_INIT_EXT | FUSE_WRITEBACK_CACHE);
  before = wb;
  EXPECT_FALSE(request_passthrough(wb.data(), wb.size()));
  EXPECT_EQ(wb, before);
  // A compat-sized reply (FUSE_COMPAT_22_INIT_OUT_SIZE) has no flags2.
  EXPECT_FALSE(request_passthrough(wb.data(), 24));
}

TEST(PassthroughWire, OpenReplyGetsBackingAndOnlyAllowedFlags) {
  fuse_open_out o{};
  o.fh = 0x1234567890abcdefull;
  o.open_flags = FOPEN_DIRECT_IO | FOPEN_KEEP_CACHE | FOPEN_NONSEEKABLE | FOPEN_NOFLUSH;
  std::vector<char> b(sizeof o);
  std::memcpy(b.data(), &o, sizeof o);
  ASSERT_EQ(open_fh(b.data(), b.size()), o.fh);
  ASSERT_TRUE(set_backing(b.data(), b.size(), 5));
  EXPECT_EQ(get<uint64_t>(b, 0), o.fh);
  EXPECT_EQ(get<uint32_t>(b, 8), FOPEN_DIRECT_IO | FOPEN_NOFLUSH | kFopenPassthrough);
  EXPECT_EQ(get<int32_t>(b, kBackingIdOffset), 5);
}

TEST(PassthroughWire, CreateReplyPatchesOnlyItsOpenPart) {
  fuse_entry_out e{};
  e.nodeid = 99;
  e.attr.size = 4096;
  fuse_open_out o{};
  o.fh = 77;
  std::vector<char> b(sizeof e + sizeof o);
  std::memcpy(b.data(), &e, sizeof e);
  std::memcpy(b.data() + sizeof e, &o, sizeof o);
  auto before = b;
  ASSERT_EQ(open_fh(b.data(), b.size()), 77u);
  ASSERT_TRUE(set_backing(b.data(), b.size(), 3));
  EXPECT_EQ(std::memcmp(b.data(), before.data(), sizeof e), 0);
  EXPECT_EQ(get<uint32_t>(b, sizeof e + 8), kFopenPassthrough);
  EXPECT_EQ(get<int32_t>(b, sizeof e + kBackingIdOffset), 3);
}

TEST(PassthroughWire, StreamFlagIsAddedToTheOpenPart) {
  fuse_open_out o{};
  o.fh = 5;
  o.open_flags = FOPEN_DIRECT_IO | FOPEN_NONSEEKABLE;
  std::vector<char> b(sizeof o);
  std::memcpy(b.data(), &o, sizeof o);
  ASSERT_TRUE(add_open_flags(b.data(), b.size(), 1u << 4));  // FOPEN_STREAM
  EXPECT_EQ(get<uint64_t>(b, 0), 5u);
  EXPECT_EQ(get<uint32_t>(b, 8), FOPEN_DIRECT_IO | FOPEN_NONSEEKABLE | (1u << 4));
  EXPECT_FALSE(add_open_flags(b.data(), b.size() - 1, 1u << 4));
}

TEST(PassthroughWire, BadOpenRepliesAreRefused) {
  std::vector<char> b(sizeof(fuse_open_out));
  EXPECT_FALSE(open_fh(b.data(), b.size() - 1));
  EXPECT_FALSE(set_backing(b.data(), b.size() - 1, 1));
  auto before = b;
  EXPECT_FALSE(set_backing(b.data(), b.size(), 0));  // ids start at 1
  EXPECT_FALSE(set_backing(b.data(), b.size(), -EPERM));
  EXPECT_EQ(b, before);
}

TEST(Passthrough, UndecidedOrDirectModeAttachesNothing) {
  Passthrough p;
  EXPECT_EQ(p.mode(), Passthrough::Mode::kUndecided);
  EXPECT_EQ(p.mode_name(), "direct");
  fuse_file_info fi{};
  fi.fh = 1;
  EXPECT_FALSE(p.attach(nullptr, 100, 0, &fi));
  p.detach(1);  // nothing to drop: harmless
}

}  // namespace
}  // namespace ipcfs::fs::wire
