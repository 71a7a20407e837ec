// Unit tests of ipc/names: POSIX names, keys, ids and strict numbers, with hostile input.
#include "ipc/names.h"

#include <gtest/gtest.h>

#include <climits>
#include <string>

namespace ipcfs::ipc {
namespace {

TEST(PosixName, AcceptsPlainNames) {
  EXPECT_EQ(check_posix_name("jobs"), 0);
  EXPECT_EQ(check_posix_name("a@b"), 0);
  EXPECT_EQ(check_posix_name(std::string(255, 'x')), 0);
}

TEST(PosixName, RejectsBadNames) {
  EXPECT_EQ(check_posix_name(""), -EINVAL);
  EXPECT_EQ(check_posix_name("."), -EINVAL);
  EXPECT_EQ(check_posix_name(".."), -EINVAL);
  EXPECT_EQ(check_posix_name("a/b"), -EINVAL);
  EXPECT_EQ(check_posix_name(std::string("a\0b", 3)), -EINVAL);
  EXPECT_EQ(check_posix_name(std::string(256, 'x')), -ENAMETOOLONG);
  EXPECT_EQ(check_posix_name(std::string(252, 'x'), 251), -ENAMETOOLONG);
}

TEST(Decimal, Strict) {
  EXPECT_EQ(parse_decimal("0", 10), 0u);
  EXPECT_EQ(parse_decimal("10", 10), 10u);
  EXPECT_EQ(parse_decimal("18446744073709551615", UINT64_MAX), UINT64_MAX);
  for (const char* bad : {"", "11", "-1", "+1", " 1", "1 ", "01", "1x", "0x1", "1e3",
                          "18446744073709551616", "99999999999999999999999"})
    EXPECT_FALSE(parse_decimal(bad, 10)) << bad;
  EXPECT_FALSE(parse_decimal("18446744073709551616", UINT64_MAX));
}

TEST(Signed, Range) {
  EXPECT_EQ(parse_signed("-5", -10, 10), -5);
  EXPECT_EQ(parse_signed("+5", -10, 10), 5);
  EXPECT_EQ(parse_signed("5", -10, 10), 5);
  EXPECT_FALSE(parse_signed("-11", -10, 10));
  EXPECT_FALSE(parse_signed("--1", -10, 10));
  EXPECT_FALSE(parse_signed("-", -10, 10));
  EXPECT_FALSE(parse_signed("", -10, 10));
  EXPECT_EQ(parse_signed("-9223372036854775808", INT64_MIN, INT64_MAX), INT64_MIN);
  EXPECT_EQ(parse_signed("9223372036854775807", INT64_MIN, INT64_MAX), INT64_MAX);
  EXPECT_FALSE(parse_signed("9223372036854775808", INT64_MIN, INT64_MAX));
  EXPECT_FALSE(parse_signed("-9223372036854775809", INT64_MIN, INT64_MAX));
  EXPECT_FALSE(parse_signed("-9223372036854775808", -10, 10));
}

TEST(Key, AnySpellingOfTheSameKey) {
  EXPECT_EQ(parse_key("0x1234"), 0x1234);
  EXPECT_EQ(parse_key("0x00001234"), 0x1234);
  EXPECT_EQ(parse_key("0X1234"), 0x1234);
  EXPECT_EQ(parse_key("4660"), 0x1234);
  EXPECT_EQ(parse_key("0xffffffff"), key_t(-1));
  EXPECT_EQ(parse_key("4294967295"), key_t(-1));
}

TEST(Key, RejectsHostile) {
  for (const char* bad : {"", "0", "0x0", "0x", "x12", "0x1g", "-1", "+1", "0x100000000",
                          "4294967296", "12 ", " 12", "0x 12", "1.5", "0x00000000000000000001"})
    EXPECT_FALSE(parse_key(bad)) << bad;
}

TEST(Key, Format) {
  EXPECT_EQ(format_key(0x1234), "0x00001234");
  EXPECT_EQ(format_key(key_t(-1)), "0xffffffff");
}

TEST(Id, Canonical) {
  EXPECT_EQ(parse_id("0"), 0);
  EXPECT_EQ(parse_id("32768"), 32768);
  EXPECT_EQ(parse_id("2147483647"), INT_MAX);
  for (const char* bad : {"", "-1", "01", "2147483648", "0x10", "1a"})
    EXPECT_FALSE(parse_id(bad)) << bad;
}

}  // namespace
}  // namespace ipcfs::ipc
