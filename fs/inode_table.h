// InodeTable: inode numbers for object files, with lookup counts as the kernel keeps them.
// Numbers are handed out once and never reused, so a new object under an old name can never
// be mistaken for the old one by the kernel's caches; an object keeps its number for its life.
#pragma once

#define FUSE_USE_VERSION 314
#include <fuse_lowlevel.h>

#include <array>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <tuple>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "fs/open_file.h"
#include "fs/open_options.h"
#include "ipc/object_stat.h"

namespace ipcfs::fs {

// Fixed inode numbers of the directory tree (SPEC §3).
enum : fuse_ino_t {
  kRootIno = FUSE_ROOT_ID,
  kPosixIno,
  kSysvIno,
  kPosixMqIno,
  kPosixShmIno,
  kPosixSemIno,
  kSysvMsgIno,
  kSysvShmIno,
  kSysvSemIno,
  kSysvMsgKeysIno,
  kSysvShmKeysIno,
  kSysvSemKeysIno,
  kFirstObjectIno = 64,
};

// One object file: an object of a kind, opened with a given option text.
struct Node {
  fuse_ino_t ino = 0;
  int kind = -1;        // index of the Kind
  std::string name;     // the object's name (POSIX name, or decimal System V id)
  std::string options;  // text after '@', "" for the plain file
  OpenOptions opts;     // parsed options
  uint64_t serial = 0;  // ObjectStat::serial when the node was made
  std::string link;     // by-key symlinks: the target "../ID[@options]"; empty otherwise
  // A by-key object whose creation waits for its size or nsems (Kind::open_pending). Its name
  // is "pending:KEY"; pending_stat is what stat shows until the object exists.
  bool pending = false;
  ipc::ObjectStat pending_stat;
  // Set before each reply that hands the kernel this node's attributes.
  mutable AttrCache attrs;
  // Open files that may park a write (see BusyCount).
  mutable BusyCount busy;
  // A pending node chmod'ed before its object exists.
  mutable PendingMode chmod;
  // An alias (find_or_add_idle) shows its first node's number as st_ino; 0: its own.
  fuse_ino_t shown_ino = 0;
};

class InodeTable {
 public:
  // The node for PROTO's (kind, name, options, serial), made if new. COUNT: the kernel now holds
  // one more reference (a lookup reply); readdir passes false.
  std::shared_ptr<const Node> find_or_add(const Node& proto, bool count);
  // As find_or_add(proto, true), but never a node with busy opens: then an alias of it, another
  // node of the same object (options PROTO.options + kAliasMark + N), so that the kernel gives
  // the new open an inode of its own.
  std::shared_ptr<const Node> find_or_add_idle(const Node& proto);
  static constexpr char kAliasMark = '#';  // in no option text that parses
  std::shared_ptr<const Node> get(fuse_ino_t ino) const;
  // The current node of (KIND, NAME, OPTIONS), nullptr if none.
  std::shared_ptr<const Node> find(int kind, const std::string& name,
                                   const std::string& options) const;
  // The node INO, now held once more by the kernel (a readdirplus entry); nullptr if gone.
  std::shared_ptr<const Node> ref(fuse_ino_t ino);
  // The kernel drops N references. Returns the node if it is now uncounted but kept (a plain
  // object file keeps its number while its object lives): the caller, who can tell whether the
  // object still lives, drops it with drop_uncounted() if not.
  std::shared_ptr<const Node> forget(fuse_ino_t ino, uint64_t n);
  // Forgets INO unless the kernel holds a reference to it.
  void drop_uncounted(fuse_ino_t ino);
  // Forgets the nodes of KIND that the kernel does not hold and IS_LIVE(node) says are gone.
  template <class Pred>
  void prune(int kind, Pred is_live);

  // The nodes of KIND that the kernel holds although IS_LIVE(node) says their object is gone (or
  // a newer object has taken their name): plain object files and their option files, or with
  // LINKS by-key links. Looked for only when the kernel holds more plain files (or links) of
  // KIND than the LIVE objects a listing just found, so that most listings cost nothing here.
  template <class Pred>
  std::vector<std::shared_ptr<const Node>> held_gone(int kind, bool links, size_t live,
                                                     Pred is_live) const;

  size_t size() const;

 private:
  struct Entry {
    std::shared_ptr<Node> node;
    uint64_t nlookup = 0;
  };
  using Key = std::tuple<int, std::string, std::string>;
  struct KeyHash {
    size_t operator()(const Key& k) const {
      std::hash<std::string> h;
      return h(std::get<1>(k)) * 31 + h(std::get<2>(k)) + size_t(std::get<0>(k)) * 0x9e3779b9u;
    }
  };

  // Lock order: mu_ is a leaf.
  mutable std::mutex mu_;
  std::unordered_map<fuse_ino_t, Entry> by_ino_;
  // Hashed: a listing looks up every object, and a tree of thousands of string keys made
  // those lookups the daemon's largest cost in `ls -l` of 10,000 queues.
  std::unordered_map<Key, fuse_ino_t, KeyHash> by_key_;
  // The nodes the kernel does not hold (nlookup 0): all that prune() has to look at, so that a
  // listing of thousands of objects the kernel holds (readdirplus) does not walk them all.
  std::unordered_set<fuse_ino_t> uncounted_;
  fuse_ino_t next_ = kFirstObjectIno;
  // Nodes with nlookup > 0, by kind: [kind][0] plain object files, [kind][1] by-key links.
  static constexpr int kKinds = 8;
  std::array<std::array<size_t, 2>, kKinds> held_{};
  // Counts NODE in held_ (DELTA +1 or -1) if it is a plain object file or a link.
  void count_held(const Node& node, int delta);
};

template <class Pred>
std::vector<std::shared_ptr<const Node>> InodeTable::held_gone(int kind, bool links, size_t live,
                                                               Pred is_live) const {
  std::vector<std::shared_ptr<const Node>> gone;
  std::lock_guard lock(mu_);
  if (kind < 0 || kind >= kKinds || held_[kind][links ? 1 : 0] <= live) return gone;
  for (const auto& [ino, e] : by_ino_) {
    const Node& node = *e.node;
    if (e.nlookup == 0 || node.kind != kind || node.pending || node.link.empty() == links) continue;
    auto k = by_key_.find(Key{node.kind, node.name, node.options});
    bool current = k != by_key_.end() && k->second == ino;
    if (!current || !is_live(node)) gone.push_back(e.node);
  }
  return gone;
}

template <class Pred>
void InodeTable::prune(int kind, Pred is_live) {
  std::lock_guard lock(mu_);
  for (auto u = uncounted_.begin(); u != uncounted_.end();) {
    auto e = by_ino_.find(*u);
    const Node& node = *e->second.node;
    if (node.kind != kind) {
      ++u;
      continue;
    }
    auto k = by_key_.find(Key{node.kind, node.name, node.options});
    bool current = k != by_key_.end() && k->second == *u;
    // A node superseded by a newer object under its name is gone once nobody holds it.
    if (current && is_live(std::as_const(node))) {
      ++u;
      continue;
    }
    if (current) by_key_.erase(k);
    by_ino_.erase(e);
    u = uncounted_.erase(u);
  }
}

}  // namespace ipcfs::fs
