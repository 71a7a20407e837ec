// Unit tests of the semaphore write grammar (fs/sem_command), with hostile input.
#include "fs/sem_command.h"

#include <gtest/gtest.h>
#include <semaphore.h>

#include <string>

namespace ipcfs::fs {
namespace {

using T = SemCommand::Type;

constexpr SemGrammar kPosix{false, 0, SEM_VALUE_MAX};
constexpr SemGrammar kOne{false, 0, 32767};  // sysv/sem/ID@sem=I
constexpr SemGrammar kSet3{true, 3, 32767};
constexpr SemGrammar kUnmade{true, 0, 32767};

int err(std::string_view text, const SemGrammar& g) {
  auto c = parse_sem_command(text, g);
  return c ? 0 : c.error();
}

TEST(SemCommand, SingleCommands) {
  auto c = parse_sem_command("3\n", kPosix);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, T::kSet);
  EXPECT_EQ(c->n, 3u);
  c = parse_sem_command("0", kOne);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, T::kSet);
  EXPECT_EQ(c->n, 0u);
  c = parse_sem_command("+2\n", kPosix);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, T::kAdd);
  EXPECT_EQ(c->n, 2u);
  c = parse_sem_command(" \t-7 \t\n", kOne);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, T::kSub);
  EXPECT_EQ(c->n, 7u);
}

TEST(SemCommand, Words) {
  struct {
    const char* text;
    T type;
    uint32_t n;
  } cases[] = {{"post\n", T::kAdd, 1},
               {"wait", T::kSub, 1},
               {"trywait\n", T::kTrySub, 1},
               {"zero", T::kZero, 0}};
  for (auto& k : cases) {
    auto c = parse_sem_command(k.text, kOne);
    ASSERT_TRUE(c) << k.text;
    EXPECT_EQ(c->type, k.type) << k.text;
    EXPECT_EQ(c->n, k.n) << k.text;
  }
}

TEST(SemCommand, Limits) {
  EXPECT_EQ(err("32767", kOne), 0);
  EXPECT_EQ(err("+32767", kOne), 0);
  EXPECT_EQ(err("-32767", kOne), 0);
  EXPECT_EQ(err("32768", kOne), -ERANGE);
  EXPECT_EQ(err("+32768", kOne), -ERANGE);
  EXPECT_EQ(err("-32768", kOne), -ERANGE);
  EXPECT_EQ(err("2147483647", kPosix), 0);
  EXPECT_EQ(err("2147483648", kPosix), -ERANGE);
  EXPECT_EQ(err("4294967296", kPosix), -ERANGE);
  EXPECT_EQ(err("+99999999999999999999", kPosix), -ERANGE);
  EXPECT_EQ(err("-" + std::string(200, '9'), kOne), -ERANGE);
}

TEST(SemCommand, HostileSingle) {
  const std::string bad[] = {"",
                             "\n",
                             "\n\n",
                             " \t ",
                             "+",
                             "-",
                             "--1",
                             "++1",
                             "+-1",
                             "-+1",
                             "+0",
                             "-0",
                             "007",
                             "+01",
                             "1 2",
                             "post x",
                             "+1 junk",
                             "+1junk",
                             "1\n2",
                             "1\n\n",
                             "1\r\n",
                             "\n1",
                             std::string("1\0", 2),
                             std::string("\0", 1),
                             std::string("+\0"
                                         "1",
                                         3),
                             "0x10",
                             "1e3",
                             "3.0",
                             "abc",
                             "Post",
                             "POST",
                             "post1",
                             "+ 1",
                             "- 1",
                             "1:+1",
                             "-1:+1",
                             "zero 0",
                             "\xff",
                             "\xd9\xa3"};  // ARABIC-INDIC DIGIT THREE
  for (const std::string& b : bad) {
    EXPECT_EQ(err(b, kPosix), -EINVAL) << "[" << b << "]";
    EXPECT_EQ(err(b, kOne), -EINVAL) << "[" << b << "]";
  }
}

TEST(SemCommand, SetAll) {
  auto c = parse_sem_command("1 0 3\n", kSet3);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, T::kSetAll);
  EXPECT_EQ(c->values, (std::vector<uint32_t>{1, 0, 3}));
  c = parse_sem_command("\t1  0\t 32767 \n", kSet3);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->values, (std::vector<uint32_t>{1, 0, 32767}));
}

TEST(SemCommand, SetAllWrongCountOrRange) {
  EXPECT_EQ(err("1 0", kSet3), -EINVAL);
  EXPECT_EQ(err("1 0 3 4", kSet3), -EINVAL);
  EXPECT_EQ(err("1", kSet3), -EINVAL);
  EXPECT_EQ(err("1 0 32768", kSet3), -ERANGE);
  EXPECT_EQ(err("1 0 99999999999999999999", kSet3), -ERANGE);
  // Range before count, syntax before range: the answer does not depend on the set.
  EXPECT_EQ(err("1 0 99999 7", kSet3), -ERANGE);
  EXPECT_EQ(err("99999 x 1", kSet3), -EINVAL);
}

TEST(SemCommand, Ops) {
  auto c = parse_sem_command("0:-1 2:+1\n", kSet3);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, T::kOps);
  ASSERT_EQ(c->ops.size(), 2u);
  EXPECT_EQ(c->ops[0].index, 0);
  EXPECT_EQ(c->ops[0].delta, -1);
  EXPECT_EQ(c->ops[1].index, 2);
  EXPECT_EQ(c->ops[1].delta, 1);
  c = parse_sem_command("1:0", kSet3);
  ASSERT_TRUE(c);
  ASSERT_EQ(c->ops.size(), 1u);
  EXPECT_EQ(c->ops[0].index, 1);
  EXPECT_EQ(c->ops[0].delta, 0);
  c = parse_sem_command("2:-32767 0:+32767 1:0", kSet3);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->ops[0].delta, -32767);
  EXPECT_EQ(c->ops[1].delta, 32767);
}

TEST(SemCommand, HostileOps) {
  const std::string bad[] = {"0:+1 0:-1",  // duplicate index
                             "1:0 1:0",
                             "3:+1",  // out of range
                             "65536:+1",  "99999999999999999999:+1",
                             "-1:+1",     "0:+1 junk",
                             "0:+1 1",    "1 0:+1 2",
                             "0:+0",      "0:-0",
                             "0:1",       "0:00",
                             "00:+1",     "0:",
                             ":+1",       ":",
                             "0::+1",     "0:+1:",
                             "0:--1",     "0:+",
                             "0 :+1",     "0: +1",
                             "0:+1,1:+1", std::string("0:+1\0", 5),
                             "+1",        "-1",
                             "post",      "zero",
                             "",          "\n"};
  for (const std::string& b : bad) EXPECT_EQ(err(b, kSet3), -EINVAL) << "[" << b << "]";
  EXPECT_EQ(err("0:+32768", kSet3), -ERANGE);
  EXPECT_EQ(err("0:-99999999999999999999 1:+1", kSet3), -ERANGE);
}

TEST(SemCommand, SetNotMadeYet) {
  auto c = parse_sem_command("2 4\n", kUnmade);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->type, T::kSetAll);
  EXPECT_EQ(c->values, (std::vector<uint32_t>{2, 4}));
  c = parse_sem_command(std::string(2000, ' ') + "5", kUnmade);
  ASSERT_TRUE(c);
  EXPECT_EQ(c->values.size(), 1u);
  EXPECT_EQ(err("0:+1", kUnmade), -EINVAL);  // no index exists yet
  EXPECT_EQ(err("2 40000", kUnmade), -ERANGE);
}

}  // namespace
}  // namespace ipcfs::fs
