// Kind: everything that differs between the six kinds of IPC object, behind one interface, so
// that the FUSE operations (fs/ops.cc) are written once. One implementation file per kind.
#pragma once

#include <sys/types.h>

#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "fs/open_file.h"
#include "fs/open_options.h"
#include "ipc/object_stat.h"
#include "ipc/result.h"
#include "ipc/sysv_list.h"

namespace ipcfs::fs {

class Watcher;

// Who asked, from fuse_req_ctx().
struct Caller {
  uid_t uid = 0;
  gid_t gid = 0;
  pid_t pid = 0;
};

using Facts = std::vector<std::pair<std::string, std::string>>;

// The object a request is about: its NAME, and the SERIAL of the object the kernel's inode was
// made for. The kernel checked the caller's permission against that object's attributes, so a
// POSIX kind acts only if NAME still names that object, and says -ESTALE otherwise: the kernel
// then looks the name up again and checks the new object (its retry of open, chmod, unlink).
// SERIAL 0 asks for whatever NAME names now. System V names are ids, each naming one object, so
// the System V kinds have nothing to check.
struct ObjectRef {
  ObjectRef(std::string_view n, uint64_t s) : name(n), serial(s) {}
  // Unchecked, for callers that have no inode (tests, objects made a moment ago).
  ObjectRef(std::string_view n) : name(n) {}    // NOLINT(google-explicit-constructor)
  ObjectRef(const std::string& n) : name(n) {}  // NOLINT(google-explicit-constructor)
  ObjectRef(const char* n) : name(n) {}         // NOLINT(google-explicit-constructor)
  // Whether an object with serial S is the one meant.
  bool is(uint64_t s) const { return serial == 0 || serial == s; }

  std::string_view name;
  uint64_t serial = 0;
};

// One live object as a listing shows it.
struct Listed {
  std::string name;
  key_t key = 0;  // System V: its key, IPC_PRIVATE (0) for none; POSIX objects: 0
  ipc::ObjectStat st;
};

// "0640": how every kind shows a mode in its facts.
std::string octal_mode(mode_t mode);

class Kind {
 public:
  virtual ~Kind() = default;

  // The "kind:" fact and log name, e.g. "posix-mq".
  virtual std::string_view name() const = 0;
  // Which NAME@OPTIONS options apply to this kind (mask of Opt).
  virtual uint32_t allowed_options() const = 0;

  // The live objects with their stats (and System V keys), as a listing shows them.
  virtual Result<std::vector<Listed>> list_stats() = 0;
  virtual Result<ipc::ObjectStat> stat(std::string_view name) = 0;
  // Creates NAME as CALLER with MODE (already umasked by the kernel); -EEXIST if it exists.
  // Never finds an existing object: the daemon would open it without the kernel's permission
  // check (Filesystem::make).
  virtual Result<ipc::ObjectStat> create(std::string_view name, const OpenOptions& opts,
                                         mode_t mode, const Caller& caller) = 0;
  virtual int remove(std::string_view name) = 0;
  virtual int set_mode(ObjectRef obj, mode_t mode) = 0;
  // (uid_t)-1 / (gid_t)-1 leave that part unchanged.
  virtual int set_owner(ObjectRef obj, uid_t uid, gid_t gid) = 0;
  virtual int truncate(ObjectRef obj, uint64_t size) = 0;
  // The facts of @info and user.ipcfs.* xattrs, in display order.
  virtual Result<Facts> describe(ObjectRef obj) = 0;
  // Writes the fact FACT (the xattr user.ipcfs.FACT) of NAME as CALLER, for the few facts that
  // are writable (SPEC §6). -EPERM for any other fact, -EINVAL for a value that does not parse.
  virtual int set_fact(std::string_view, std::string_view, std::string_view, const Caller&) {
    return -EPERM;
  }
  // Its open files carry a backing_fd: the `mmap:` fact then tells how mmap behaves.
  // How long the kernel may cache attributes. Queues, semaphores and System V segments (whose
  // size is fixed) say 1 s (others' changes show within a second; ipcfs invalidates after its
  // own); POSIX shm 0, because its size is what cmp/cat/dd go by, exactly as on /dev/shm.
  virtual double attr_timeout() const { return 1.0; }
  // Whether a write may wait (a semaphore wait). The kernel holds an inode's lock for the whole
  // of a write, so each open of such a file gets an inode of its own whenever another open that
  // may write holds the first (BusyCount): the kernel then looks its files up at every open
  // (entry timeout 0), one LOOKUP more per open.
  virtual bool writes_wait() const { return false; }
  // The mode bits an object of this kind can have (chmod of others is EINVAL).
  virtual mode_t mode_bits() const { return 07777; }
  // Whether reading a file opened with O (the queues' receive) changes the object: refused with
  // EROFS on a read-only mount, which the kernel only enforces for writes.
  virtual bool reads_consume(const OpenOptions&) const { return false; }
  virtual bool mappable() const { return false; }
  // Opens NAME for reading/writing per FLAGS (O_ACCMODE, O_NONBLOCK) with OPTS' view.
  // The @info view is handled by the caller.
  virtual Result<FileRef> open(ObjectRef obj, const OpenOptions& opts, int flags) = 0;

  // System V kinds: objects with a key also appear as by-key/KEY -> ../ID (SPEC §3).
  virtual bool keyed() const { return false; }
  // The name (decimal id) of the object with KEY; -ENOENT if none.
  virtual Result<std::string> find_key(key_t) { return Result<std::string>::failure(-ENOENT); }
  // Creates the object for KEY as CALLER and returns its name; -EEXIST if KEY has one. An empty
  // name means the object cannot be made yet (a System V segment without a size, a set without
  // nsems): open_pending() then gives a file that makes it once a truncate or write says how.
  virtual Result<std::string> create_keyed(key_t, const OpenOptions&, mode_t, const Caller&) {
    return Result<std::string>::failure(-ENOTSUP);
  }
  virtual Result<FileRef> open_pending(key_t, const OpenOptions&, mode_t, const Caller&, int) {
    return Result<FileRef>::failure(-ENOTSUP);
  }
};

// The objects NAMES with a stat() of each (those gone since the names were read are left out).
Result<std::vector<Listed>> stat_each(Kind& kind, Result<std::vector<std::string>> names);
// A System V table's objects as listing entries, named by their decimal ids.
Result<std::vector<Listed>> listed(Result<std::vector<ipc::SysvListed>> all);

// The kinds, each made in its own file.
std::unique_ptr<Kind> make_posix_mq_kind(Watcher& watcher);
std::unique_ptr<Kind> make_posix_shm_kind(Watcher& watcher);
std::unique_ptr<Kind> make_posix_sem_kind(Watcher& watcher);
std::unique_ptr<Kind> make_sysv_msg_kind(Watcher& watcher);
std::unique_ptr<Kind> make_sysv_shm_kind(Watcher& watcher);
std::unique_ptr<Kind> make_sysv_sem_kind(Watcher& watcher);

}  // namespace ipcfs::fs
