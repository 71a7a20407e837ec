// sysv/msg: not built yet; the directory lists empty until it is.
#include "fs/kind.h"

namespace ipcfs::fs {

std::unique_ptr<Kind> make_sysv_msg_kind(Watcher&) {
  return nullptr;
}

}  // namespace ipcfs::fs
