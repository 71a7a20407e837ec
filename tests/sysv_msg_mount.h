// Shared fixture of the System V message queue mount tests: queues made directly with
// msgget under keys unique to this process, removed in TearDown even when a test fails.
#pragma once

#include <gtest/gtest.h>
#include <sys/ipc.h>
#include <sys/msg.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>
#include <vector>

#include "tests/mount_fixture.h"

namespace ipcfs::test {

class SysvMsgMount : public ::testing::Test {
 protected:
  void SetUp() override { dir_ = m_.path("sysv/msg"); }
  void TearDown() override {
    for (key_t k : keys_)
      if (int id = ::msgget(k, 0); id >= 0) ids_.push_back(id);
    for (int id : ids_) ::msgctl(id, IPC_RMID, nullptr);
  }

  // A key no other test or program uses, removed at the end whatever made it.
  key_t new_key() {
    static int n = 0;
    key_t k = key_t(0x53000000u ^ (uint32_t(::getpid()) << 8) ^ uint32_t(++n));
    keys_.push_back(k);
    return k;
  }
  static std::string hex(key_t k) {
    char b[16];
    std::snprintf(b, sizeof b, "0x%08x", unsigned(k));
    return b;
  }
  // A queue made directly (IPC_PRIVATE unless KEY), removed at the end.
  int direct(key_t key = IPC_PRIVATE, int mode = 0644) {
    int id = ::msgget(key, IPC_CREAT | IPC_EXCL | mode);
    EXPECT_GE(id, 0) << std::strerror(errno);
    ids_.push_back(id);
    return id;
  }
  void track(int id) { ids_.push_back(id); }

  static int send(int id, long type, const std::string& text) {
    std::vector<char> m(sizeof(long) + text.size());
    std::memcpy(m.data(), &type, sizeof type);
    std::memcpy(m.data() + sizeof type, text.data(), text.size());
    return ::msgsnd(id, m.data(), text.size(), IPC_NOWAIT);
  }
  // One message by MSGTYP without waiting; "<errno>" if none.
  static std::string recv(int id, long msgtyp, long* type = nullptr) {
    std::vector<char> m(sizeof(long) + 65536);
    ssize_t n = ::msgrcv(id, m.data(), 65536, msgtyp, IPC_NOWAIT);
    if (n < 0) return "<" + std::to_string(errno) + ">";
    if (type) std::memcpy(type, m.data(), sizeof(long));
    return std::string(m.data() + sizeof(long), size_t(n));
  }
  static msqid_ds stat(int id) {
    msqid_ds ds{};
    EXPECT_EQ(::msgctl(id, IPC_STAT, &ds), 0);
    return ds;
  }
  static uint64_t qnum(int id) { return stat(id).msg_qnum; }

  Shell run(const std::string& cmd) { return sh(cmd, dir_); }
  std::string path(const std::string& rel) const { return dir_ + "/" + rel; }
  std::string path(int id) const { return dir_ + "/" + std::to_string(id); }

  Mount& m_ = shared_mount();
  std::string dir_;
  std::vector<key_t> keys_;
  std::vector<int> ids_;
};

}  // namespace ipcfs::test
