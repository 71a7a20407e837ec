// Unit tests of the NAME@OPTIONS parser (SPEC §4), with hostile and random input.
#include "fs/open_options.h"

#include <gtest/gtest.h>

#include <climits>
#include <random>
#include <string>

namespace ipcfs::fs {
namespace {

TEST(ParseName, PlainNameHasNoOptions) {
  auto p = parse_name("jobs");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->object, "jobs");
  EXPECT_EQ(p->options, "");
  EXPECT_EQ(p->opts.present, 0u);
}

TEST(ParseName, EveryOption) {
  auto p = parse_name("q@prio=9,maxmsg=4,msgsize=64,excl");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->object, "q");
  EXPECT_EQ(p->options, "prio=9,maxmsg=4,msgsize=64,excl");
  EXPECT_EQ(p->opts.prio, 9u);
  EXPECT_EQ(p->opts.maxmsg, 4);
  EXPECT_EQ(p->opts.msgsize, 64);
  EXPECT_TRUE(p->opts.has(kOptExcl));
  EXPECT_EQ(p->opts.view(), View::kDefault);

  p = parse_name("1@type=-5");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->opts.type, -5);
  p = parse_name("1@type=-9223372036854775808");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->opts.type, LONG_MIN);
  p = parse_name("1@sem=2");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->opts.sem, 2u);
  p = parse_name("s@size=64K");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->opts.size, 65536u);
  p = parse_name("s@nsems=3");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->opts.nsems, 3u);
  p = parse_name("s@value=7");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->opts.value, 7u);
  EXPECT_EQ(parse_name("q@stream")->opts.view(), View::kStream);
  EXPECT_EQ(parse_name("q@drain")->opts.view(), View::kDrain);
  EXPECT_EQ(parse_name("q@peek")->opts.view(), View::kPeek);
  EXPECT_EQ(parse_name("q@info")->opts.view(), View::kInfo);
}

TEST(ParseName, SplitsAtTheLastAt) {
  auto p = parse_name("a@b@prio=1");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->object, "a@b");
  EXPECT_EQ(p->opts.prio, 1u);
}

TEST(ParseName, RejectsHostileOptions) {
  for (const char* bad : {"@",
                          "q@",
                          "@info",
                          "q@bogus",
                          "q@prio",
                          "q@prio=",
                          "q@prio=-1",
                          "q@prio=32768",
                          "q@prio=1,prio=2",
                          "q@stream,drain",
                          "q@info,peek",
                          "q@excl=1",
                          "q@info,",
                          "q@,info",
                          "q@prio=abc",
                          "q@prio= 1",
                          "q@maxmsg=0",
                          "q@maxmsg=abc",
                          "q@msgsize=-1",
                          "q@size=0",
                          "q@size=-1",
                          "q@size=1T",
                          "q@size=K",
                          "q@size=99999999999999999999",
                          "q@size=17179869184G",
                          "q@nsems=0",
                          "q@value=2147483648",
                          "q@type=abc",
                          "q@type=",
                          "q@type=--1",
                          "q@sem=-1",
                          "q@PRIO=1",
                          "q@prio=1,",
                          "q@prio=1,,excl"})
    EXPECT_EQ(parse_name(bad).error(), -EINVAL) << bad;
  EXPECT_EQ(parse_name(std::string("q@pr\0io=1", 10)).error(), -EINVAL);
}

TEST(ParseSize, Suffixes) {
  EXPECT_EQ(*parse_size("4096"), 4096u);
  EXPECT_EQ(*parse_size("64K"), 65536u);
  EXPECT_EQ(*parse_size("1M"), 1u << 20);
  EXPECT_EQ(*parse_size("2G"), 2ull << 30);
  EXPECT_EQ(*parse_size("1k"), 1024u);
}

TEST(CheckAllowed, RejectsOptionsOfOtherKinds) {
  auto p = parse_name("q@type=5");
  ASSERT_TRUE(p);
  EXPECT_EQ(check_allowed(p->opts, kOptPrio | kOptStream), -EINVAL);
  EXPECT_EQ(check_allowed(p->opts, kOptType), 0);
}

// Random bytes must never crash the parser, and whatever it accepts must round-trip its split.
TEST(ParseName, RandomInputNeverCrashes) {
  std::mt19937 rng(12345);
  const std::string alphabet = "@,=-+0123456789xKMGabcdefghijklmnopqrstuvwxyz\0 ";
  for (int i = 0; i < 200000; ++i) {
    std::string s;
    size_t len = rng() % 24;
    for (size_t j = 0; j < len; ++j) s.push_back(alphabet[rng() % alphabet.size()]);
    auto p = parse_name(s);
    if (p) {
      if (p->options.empty())
        EXPECT_EQ(p->object, s);
      else
        EXPECT_EQ(std::string(p->object) + "@" + std::string(p->options), s);
    } else {
      EXPECT_EQ(p.error(), -EINVAL);
    }
  }
}

}  // namespace
}  // namespace ipcfs::fs
