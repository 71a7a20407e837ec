// Filesystem: extended attributes. user.ipcfs.<fact> reads the facts @info shows; the writable
// ones (user.ipcfs.qbytes) go to the kind. Other namespaces are not ipcfs's: EOPNOTSUPP, which
// also makes ls(1) stop asking for ACLs and security labels of every file.
#include <sys/xattr.h>

#include "fs/filesystem.h"
#include "fs/reply.h"

namespace ipcfs::fs {

Result<Facts> Filesystem::facts(const Node& node) {
  Kind* kind = kind_of(node);
  std::string object = object_of(node);
  if (object.empty()) return Result<Facts>::failure(-ENOENT);  // not made yet, or gone
  // Only the object the kernel checked the caller against (-ESTALE: it looks the name up again).
  bool named = !node.pending && node.link.empty();
  auto facts = kind->describe(ObjectRef(object, named ? node.serial : 0));
  if (facts && kind->mappable()) facts->emplace_back("mmap", passthrough_.mode_name());
  return facts;
}

void Filesystem::getxattr(fuse_req_t req, fuse_ino_t ino, const char* name, size_t size) {
  std::string_view want(name);
  // Only the user namespace exists here. Saying so for security.* and system.* (rather than
  // "no such attribute") lets `ls -l` stop asking for labels per file on this filesystem.
  if (want.substr(0, 5) != "user.") return reply_error(req, -EOPNOTSUPP);
  auto node = inodes_.get(ino);
  if (!node) return reply_error(req, find_dir(ino) ? -ENODATA : -ENOENT);
  constexpr std::string_view kPrefix = "user.ipcfs.";
  if (want.substr(0, kPrefix.size()) != kPrefix) return reply_error(req, -ENODATA);
  auto facts = this->facts(*node);
  if (!facts) return reply_error(req, facts.error());
  for (auto& [k, v] : *facts) {
    if (k != want.substr(kPrefix.size())) continue;
    if (size == 0) return (void)fuse_reply_xattr(req, v.size());
    if (size < v.size()) return reply_error(req, -ERANGE);
    return (void)fuse_reply_buf(req, v.data(), v.size());
  }
  reply_error(req, -ENODATA);
}

void Filesystem::setxattr(fuse_req_t req, fuse_ino_t ino, const char* name, const char* value,
                          size_t size, int flags) {
  auto node = inodes_.get(ino);
  if (!node) return reply_error(req, find_dir(ino) ? -ENOTSUP : -ENOENT);
  constexpr std::string_view kPrefix = "user.ipcfs.";
  std::string_view want(name);
  if (want.substr(0, kPrefix.size()) != kPrefix) return reply_error(req, -ENOTSUP);
  std::string object = object_of(*node);
  if (object.empty()) return reply_error(req, -ENOENT);
  // Every fact exists already: there is nothing to create.
  if (flags & XATTR_CREATE) return reply_error(req, -EEXIST);
  int r = kind_of(*node)->set_fact(object, want.substr(kPrefix.size()),
                                   std::string_view(value, size), caller_of(req));
  if (r < 0) return reply_error(req, r);
  fuse_reply_err(req, 0);
}

void Filesystem::listxattr(fuse_req_t req, fuse_ino_t ino, size_t size) {
  std::string names;
  // The kernel allows no user.* attribute on a symlink: by-key links list none (follow them).
  if (auto node = inodes_.get(ino); node && node->link.empty()) {
    auto facts = this->facts(*node);
    if (!facts) return reply_error(req, facts.error());
    for (auto& [k, v] : *facts) names += "user.ipcfs." + k + '\0';
  }
  if (size == 0) return (void)fuse_reply_xattr(req, names.size());
  if (size < names.size()) return reply_error(req, -ERANGE);
  fuse_reply_buf(req, names.data(), names.size());
}

}  // namespace ipcfs::fs
