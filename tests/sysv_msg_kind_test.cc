// Unit tests of the sysv-msg Kind (fs/kind_sysv_msg.cc) without a mount: names, options,
// keyed creation and facts, on real queues.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include <algorithm>
#include <string>

#include "fs/kind.h"
#include "fs/open_options.h"
#include "fs/watcher.h"
#include "ipc/sysv_msg.h"

namespace ipcfs::fs {
namespace {

key_t unique_key() {
  static int n = 0;
  return key_t(0x52000000u ^ (uint32_t(::getpid()) << 8) ^ uint32_t(++n));
}

class SysvMsgKindTest : public ::testing::Test {
 protected:
  void TearDown() override {
    for (int id : made_) (void)ipc::SysvMsgQueue(id).remove();
  }
  // A new private queue; its decimal id is its name.
  std::string make_queue() {
    int id = ::msgget(IPC_PRIVATE, IPC_CREAT | 0600);
    EXPECT_GE(id, 0);
    made_.push_back(id);
    return std::to_string(id);
  }
  static OpenOptions opts(const std::string& text) {
    auto p = parse_name("x@" + text);
    EXPECT_TRUE(p) << text;
    return p ? p->opts : OpenOptions{};
  }

  Watcher watcher_;  // never started: nothing here parks
  std::unique_ptr<Kind> kind_ = make_sysv_msg_kind(watcher_);
  std::vector<int> made_;
};

TEST_F(SysvMsgKindTest, OptionsThatApply) {
  uint32_t allowed = kind_->allowed_options();
  for (const char* good :
       {"type=5", "type=-5", "type=0", "stream", "drain", "peek", "info", "excl", "type=3,drain"}) {
    auto p = parse_name(std::string("1@") + good);
    ASSERT_TRUE(p) << good;
    EXPECT_EQ(check_allowed(p->opts, allowed), 0) << good;
  }
  for (const char* bad :
       {"prio=1", "sem=0", "maxmsg=4", "msgsize=8", "size=4K", "nsems=2", "value=1"}) {
    auto p = parse_name(std::string("1@") + bad);
    ASSERT_TRUE(p) << bad;
    EXPECT_EQ(check_allowed(p->opts, allowed), -EINVAL) << bad;
  }
  // Malformed types never parse.
  for (const char* bad : {"type=abc", "type=", "type", "type=5x", "type=--5", "type=0x10",
                          "type=99999999999999999999", "type=1,type=2", "type= 5"}) {
    EXPECT_EQ(parse_name(std::string("1@") + bad).error(), -EINVAL) << bad;
  }
}

TEST_F(SysvMsgKindTest, NamesAreCanonicalIds) {
  std::string id = make_queue();
  EXPECT_TRUE(kind_->stat(id));
  for (const std::string& bad : std::vector<std::string>{
           "0" + id, "+" + id, id + " ", "0x" + id, "-1", "", "abc", id + "@type=1", "99999999999"})
    EXPECT_EQ(kind_->stat(bad).error(), -ENOENT) << bad;
  auto all = kind_->list_stats();
  ASSERT_TRUE(all);
  EXPECT_NE(std::find_if(all->begin(), all->end(), [&](auto& o) { return o.name == id; }),
            all->end());
  EXPECT_EQ(kind_->remove(id), 0);
  EXPECT_EQ(kind_->stat(id).error(), -ENOENT);
  EXPECT_EQ(kind_->remove(id), -ENOENT);
  EXPECT_EQ(kind_->open(id, OpenOptions{}, O_RDONLY).error(), -ENOENT);
}

TEST_F(SysvMsgKindTest, TypeOnWriteMustBePositive) {
  std::string id = make_queue();
  EXPECT_EQ(kind_->open(id, opts("type=0"), O_WRONLY).error(), -EINVAL);
  EXPECT_EQ(kind_->open(id, opts("type=-3"), O_WRONLY).error(), -EINVAL);
  EXPECT_EQ(kind_->open(id, opts("type=-3"), O_RDWR).error(), -EINVAL);
  EXPECT_TRUE(kind_->open(id, opts("type=-3"), O_RDONLY));
  EXPECT_TRUE(kind_->open(id, opts("type=0"), O_RDONLY));
  EXPECT_TRUE(kind_->open(id, opts("type=4"), O_RDWR));
  EXPECT_EQ(kind_->open(id, opts("peek"), O_WRONLY).error(), -EINVAL);
  EXPECT_EQ(kind_->open(id, opts("peek"), O_RDWR).error(), -EINVAL);
  EXPECT_EQ(kind_->truncate(id, 0), 0);
  EXPECT_EQ(kind_->truncate(id, 5), -EINVAL);
}

TEST_F(SysvMsgKindTest, QueuesAreMadeOnlyByKey) {
  Caller c{0, 0, 0};
  EXPECT_EQ(kind_->create("123", OpenOptions{}, 0644, c).error(), -EPERM);
}

TEST_F(SysvMsgKindTest, CreateKeyedBelongsToTheCallerWithItsMode) {
  key_t key = unique_key();
  EXPECT_EQ(kind_->find_key(key).error(), -ENOENT);
  Caller c{4321, 8765, 1};
  for (const char* bad : {"type=0", "type=-1", "peek", "info"})
    EXPECT_EQ(kind_->create_keyed(key, opts(bad), 0604, c).error(), -EINVAL) << bad;
  EXPECT_EQ(kind_->find_key(key).error(), -ENOENT);  // nothing made
  auto id = kind_->create_keyed(key, OpenOptions{}, 0604, c);
  ASSERT_TRUE(id) << id.error();
  made_.push_back(std::stoi(*id));
  EXPECT_EQ(*kind_->find_key(key), *id);
  auto st = kind_->stat(*id);
  ASSERT_TRUE(st);
  EXPECT_EQ(st->mode, 0604u);
  EXPECT_EQ(st->uid, 4321u);
  EXPECT_EQ(st->gid, 8765u);
  // Never found again (that would skip the permission check), and left as it is.
  Caller other{1, 1, 1};
  EXPECT_EQ(kind_->create_keyed(key, OpenOptions{}, 0666, other).error(), -EEXIST);
  EXPECT_EQ(kind_->stat(*id)->uid, 4321u);
  EXPECT_EQ(kind_->stat(*id)->mode, 0604u);
  auto all = kind_->list_stats();
  ASSERT_TRUE(all);
  auto it = std::find_if(all->begin(), all->end(), [&](auto& o) { return o.key == key; });
  ASSERT_NE(it, all->end());
  EXPECT_EQ(it->name, *id);
  // The table's facts are IPC_STAT's.
  auto now = kind_->stat(*id);
  EXPECT_EQ(it->st.mode, now->mode);
  EXPECT_EQ(it->st.uid, now->uid);
  EXPECT_EQ(it->st.cuid, now->cuid);
  EXPECT_EQ(it->st.size, now->size);
  EXPECT_EQ(it->st.ctime.tv_sec, now->ctime.tv_sec);
  EXPECT_EQ(it->st.serial, now->serial);
}

TEST_F(SysvMsgKindTest, PrivateQueuesHaveNoKeyEntry) {
  std::string id = make_queue();
  auto all = kind_->list_stats();
  ASSERT_TRUE(all);
  auto it = std::find_if(all->begin(), all->end(), [&](auto& o) { return o.name == id; });
  ASSERT_NE(it, all->end());
  EXPECT_EQ(it->key, IPC_PRIVATE);
}

TEST_F(SysvMsgKindTest, Facts) {
  key_t key = unique_key();
  auto id = kind_->create_keyed(key, OpenOptions{}, 0640, Caller{0, 0, 0});
  ASSERT_TRUE(id);
  made_.push_back(std::stoi(*id));
  ASSERT_EQ(ipc::SysvMsgQueue(std::stoi(*id)).send(2, "abcd", 4), 0);
  auto f = kind_->describe(*id);
  ASSERT_TRUE(f);
  std::vector<std::string> names;
  for (auto& [k, v] : *f) names.push_back(k);
  EXPECT_EQ(names, (std::vector<std::string>{"kind", "key", "id", "mode", "uid", "gid", "cuid",
                                             "cgid", "bytes", "qnum", "qbytes", "lspid", "lrpid",
                                             "stime", "rtime", "ctime"}));
  auto get = [&](const std::string& k) {
    for (auto& [n, v] : *f)
      if (n == k) return v;
    return std::string("?");
  };
  char keytext[16];
  std::snprintf(keytext, sizeof keytext, "0x%08x", unsigned(key));
  EXPECT_EQ(get("kind"), "sysv-msg");
  EXPECT_EQ(get("key"), keytext);
  EXPECT_EQ(get("id"), *id);
  EXPECT_EQ(get("mode"), "0640");
  EXPECT_EQ(get("bytes"), "4");
  EXPECT_EQ(get("qnum"), "1");
  EXPECT_EQ(get("lspid"), std::to_string(::getpid()));
  EXPECT_EQ(get("rtime"), "0");
  EXPECT_GT(std::stol(get("stime")), 0);
}

}  // namespace
}  // namespace ipcfs::fs
