// InodeTable: number allocation and lookup counting.
#include "fs/inode_table.h"

namespace ipcfs::fs {

std::shared_ptr<const Node> InodeTable::find_or_add(const Node& proto, bool count) {
  std::lock_guard lock(mu_);
  Key key{proto.kind, proto.name, proto.options};
  auto k = by_key_.find(key);
  if (k != by_key_.end()) {
    Entry& e = by_ino_.at(k->second);
    if (e.node->serial == proto.serial) {
      if (count && e.nlookup++ == 0) {
        uncounted_.erase(k->second);
        count_held(*e.node, +1);
      }
      return e.node;
    }
    // Same name, new object: the old number stays with the old object until forgotten, or goes
    // at once if the kernel holds no reference (nothing would ever forget it).
    fuse_ino_t old = k->second;
    by_key_.erase(k);
    if (e.nlookup == 0) {
      by_ino_.erase(old);
      uncounted_.erase(old);
    }
  }
  auto node = std::make_shared<Node>(proto);
  node->ino = next_++;
  by_ino_[node->ino] = Entry{node, count ? 1u : 0u};
  by_key_[key] = node->ino;
  if (!count) uncounted_.insert(node->ino);
  if (count) count_held(*node, +1);
  return node;
}

std::shared_ptr<const Node> InodeTable::find_or_add_idle(const Node& proto) {
  Node alias = proto;
  for (unsigned n = 0;; ++n) {
    if (n > 0) alias.options = proto.options + kAliasMark + std::to_string(n);
    {
      std::lock_guard lock(mu_);
      auto k = by_key_.find(Key{alias.kind, alias.name, alias.options});
      if (k != by_key_.end()) {
        const Node& found = *by_ino_.at(k->second).node;
        if (found.serial == proto.serial && found.busy.n.load() > 0) {
          if (n == 0) alias.shown_ino = found.ino;
          continue;
        }
      }
    }
    return find_or_add(alias, true);
  }
}

void InodeTable::count_held(const Node& node, int delta) {
  if (node.pending || node.kind < 0 || node.kind >= kKinds) return;
  if (!node.link.empty()) {
    held_[node.kind][1] += size_t(delta);
  } else if (node.options.empty()) {
    held_[node.kind][0] += size_t(delta);
  }
}

std::shared_ptr<const Node> InodeTable::find(int kind, const std::string& name,
                                             const std::string& options) const {
  std::lock_guard lock(mu_);
  auto k = by_key_.find(Key{kind, name, options});
  return k == by_key_.end() ? nullptr : by_ino_.at(k->second).node;
}

std::shared_ptr<const Node> InodeTable::get(fuse_ino_t ino) const {
  std::lock_guard lock(mu_);
  auto it = by_ino_.find(ino);
  return it == by_ino_.end() ? nullptr : it->second.node;
}

std::shared_ptr<const Node> InodeTable::ref(fuse_ino_t ino) {
  std::lock_guard lock(mu_);
  auto it = by_ino_.find(ino);
  if (it == by_ino_.end()) return nullptr;
  if (it->second.nlookup++ == 0) {
    uncounted_.erase(ino);
    count_held(*it->second.node, +1);
  }
  return it->second.node;
}

std::shared_ptr<const Node> InodeTable::forget(fuse_ino_t ino, uint64_t n) {
  std::lock_guard lock(mu_);
  auto it = by_ino_.find(ino);
  if (it == by_ino_.end()) return nullptr;
  Entry& e = it->second;
  if (e.nlookup == 0) return nullptr;  // not the kernel's to forget
  e.nlookup = n >= e.nlookup ? 0 : e.nlookup - n;
  if (e.nlookup > 0) return nullptr;
  const Node& node = *e.node;
  count_held(node, -1);
  auto k = by_key_.find(Key{node.kind, node.name, node.options});
  bool current = k != by_key_.end() && k->second == ino;
  // A plain object file keeps its number for the object's life; option files need not.
  if (current && node.options.empty()) {
    uncounted_.insert(ino);
    return e.node;
  }
  if (current) by_key_.erase(k);
  by_ino_.erase(it);
  return nullptr;
}

void InodeTable::drop_uncounted(fuse_ino_t ino) {
  std::lock_guard lock(mu_);
  auto it = by_ino_.find(ino);
  if (it == by_ino_.end() || it->second.nlookup > 0) return;
  const Node& node = *it->second.node;
  auto k = by_key_.find(Key{node.kind, node.name, node.options});
  if (k != by_key_.end() && k->second == ino) by_key_.erase(k);
  by_ino_.erase(it);
  uncounted_.erase(ino);
}

size_t InodeTable::size() const {
  std::lock_guard lock(mu_);
  return by_ino_.size();
}

}  // namespace ipcfs::fs
