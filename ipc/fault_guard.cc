// The process-wide SIGBUS handler behind guard_faults.
#include "ipc/fault_guard.h"

#include <signal.h>

#include <mutex>

namespace ipcfs::ipc::detail {

thread_local sigjmp_buf* t_fault_jump = nullptr;

namespace {

struct sigaction g_previous {};  // what SIGBUS did before; set once, before the handler runs

void on_sigbus(int sig, siginfo_t* info, void* context) {
  if (sigjmp_buf* jump = t_fault_jump) {
    t_fault_jump = nullptr;
    siglongjmp(*jump, 1);
  }
  // A fault outside any guard: hand it on (a sanitizer's report), or die of it as before.
  if ((g_previous.sa_flags & SA_SIGINFO) && g_previous.sa_sigaction) {
    g_previous.sa_sigaction(sig, info, context);
    return;
  }
  if (g_previous.sa_handler != SIG_DFL && g_previous.sa_handler != SIG_IGN) {
    g_previous.sa_handler(sig);
    return;
  }
  ::signal(sig, SIG_DFL);
  ::raise(sig);  // not blocked (SA_NODEFER): ends the process here
}

}  // namespace

void install_fault_handler() {
  static std::once_flag once;
  std::call_once(once, [] {
    struct sigaction sa {};
    sa.sa_sigaction = on_sigbus;
    sa.sa_flags = SA_SIGINFO | SA_NODEFER;
    sigemptyset(&sa.sa_mask);
    ::sigaction(SIGBUS, &sa, &g_previous);
  });
}

}  // namespace ipcfs::ipc::detail
