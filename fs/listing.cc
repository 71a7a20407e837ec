// Filesystem's directories: opening, listing (readdir, readdirplus) and the entries the kernel
// is told to drop when a listing finds their objects gone.
#include <algorithm>
#include <cstdint>
#include <string>
#include <vector>

#include "fs/filesystem.h"
#include "fs/handles.h"
#include "fs/reply.h"
#include "ipc/names.h"

namespace ipcfs::fs {

void Filesystem::opendir(fuse_req_t req, fuse_ino_t ino, fuse_file_info* fi) {
  if (!find_dir(ino)) return reply_error(req, -ENOTDIR);
  fi->fh = dirs_.add(DirHandle{});
  fuse_reply_open(req, fi);
}

void Filesystem::drop_entries(const Dir& dir,
                              const std::vector<std::shared_ptr<const Node>>& gone) {
  // Objects removed elsewhere (ipcrm, another mount) leave the kernel holding their entries,
  // and so the daemon their nodes, until memory runs short: thousands, after a big cleanup.
  for (const auto& n : gone)
    notifier_.drop_entry(dir.ino, n->options.empty() ? n->name : n->name + "@" + n->options);
}

int Filesystem::take_listing(const Dir& dir, std::vector<DirItem>& items) {
  items.clear();
  items.push_back({".", dir.ino, S_IFDIR, {}});
  items.push_back({"..", dir.parent, S_IFDIR, {}});
  for (const Dir& d : kDirs)
    if (d.parent == dir.ino && d.ino != dir.ino) items.push_back({d.name, d.ino, S_IFDIR, {}});
  Kind* kind = dir.kind >= 0 ? kinds_[dir.kind].get() : nullptr;
  if (!kind) return 0;
  auto listed = kind->list_stats();
  if (!listed) return listed.error();
  std::vector<Listed>& objs = *listed;
  // by-key holds a link KEY -> ../ID for each object that has a key.
  if (dir.by_key) std::erase_if(objs, [](const Listed& o) { return o.key == IPC_PRIVATE; });
  // Sorted by the names the entries get ("0x%08x" sorts as the unsigned key).
  if (dir.by_key)
    std::sort(objs.begin(), objs.end(),
              [](const Listed& a, const Listed& b) { return uint32_t(a.key) < uint32_t(b.key); });
  else
    std::sort(objs.begin(), objs.end(),
              [](const Listed& a, const Listed& b) { return a.name < b.name; });
  std::vector<std::string> names;
  names.reserve(objs.size());
  for (const Listed& o : objs) names.push_back(dir.by_key ? ipc::format_key(o.key) : o.name);
  // This directory's nodes are plain object files (with their option files) or by-key links;
  // the other directory of the kind sees to its own.
  auto is_live = [&](const Node& n) {
    return n.link.empty() == dir.by_key || std::binary_search(names.begin(), names.end(), n.name);
  };
  inodes_.prune(dir.kind, is_live);
  drop_entries(dir, inodes_.held_gone(dir.kind, dir.by_key, names.size(), is_live));
  items.reserve(items.size() + objs.size());
  for (size_t i = 0; i < objs.size(); ++i) {
    Node proto;
    proto.kind = dir.kind;
    proto.name = names[i];
    proto.serial = objs[i].st.serial;
    if (dir.by_key) proto.link = "../" + objs[i].name;
    fuse_ino_t ino = inodes_.find_or_add(proto, false)->ino;
    items.push_back({std::move(names[i]), ino, mode_t(dir.by_key ? S_IFLNK : S_IFREG), objs[i].st});
  }
  return 0;
}

void Filesystem::readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                         fuse_file_info* fi) {
  list_dir(req, ino, size, off, fi, false);
}

void Filesystem::readdirplus(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                             fuse_file_info* fi) {
  list_dir(req, ino, size, off, fi, true);
}

void Filesystem::list_dir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
                          fuse_file_info* fi, bool plus) {
  DirHandle* h = &Handles<DirHandle>::get(fi->fh);
  if (off == 0)
    if (int e = take_listing(*find_dir(ino), h->items); e < 0) return reply_error(req, e);
  // One buffer per worker thread: a fresh (zeroed, page-faulted) one per request was a fifth of
  // the daemon's time for `ls -l` of 10,000 queues. Not the handle's: once the reply is written,
  // RELEASEDIR may free the handle in another worker while writev(2) is still returning.
  thread_local std::vector<char> buf;
  if (buf.size() < size) buf.resize(size);
  size_t used = 0;
  for (size_t i = size_t(off); i < h->items.size(); ++i) {
    const DirItem& item = h->items[i];
    const char* name = item.name.c_str();
    size_t n = 0;
    if (!plus) {
      struct stat st {};
      st.st_ino = item.ino;
      st.st_mode = item.type;
      n = fuse_add_direntry(req, buf.data() + used, size - used, name, &st, off_t(i + 1));
      if (n > size - used) break;
      used += n;
      continue;
    }
    // Only an entry that fits may count as a lookup: measure it first.
    if (fuse_add_direntry_plus(req, nullptr, 0, name, nullptr, 0) > size - used) break;
    fuse_entry_param e{};
    e.attr.st_ino = item.ino;
    e.attr.st_mode = item.type;  // e.ino 0: a plain entry, no attributes, no lookup counted
    if (item.type == S_IFDIR) {
      if (item.name != "." && item.name != "..") {
        e.ino = item.ino;
        fill_dir_attr(*find_dir(item.ino), &e.attr);
        e.entry_timeout = e.attr_timeout = timeouts_.dir;
      }
    } else if (auto node = inodes_.ref(item.ino)) {
      // Listed a moment ago; an object removed since just stays a plain entry.
      fill_entry(*node, item.st, &e);
    }
    used += fuse_add_direntry_plus(req, buf.data() + used, size - used, name, &e, off_t(i + 1));
  }
  fuse_reply_buf(req, buf.data(), used);
}

void Filesystem::releasedir(fuse_req_t req, fuse_file_info* fi) {
  dirs_.take(fi->fh);
  fuse_reply_err(req, 0);
}

}  // namespace ipcfs::fs
