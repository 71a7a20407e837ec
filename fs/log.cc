// spdlog sinks and the libfuse log bridge.
#include "fs/log.h"

#define FUSE_USE_VERSION 314
#include <fuse_log.h>
#include <spdlog/sinks/stdout_sinks.h>
#include <spdlog/sinks/syslog_sink.h>
#include <syslog.h>

#include <cstdarg>
#include <cstdio>
#include <string>

namespace ipcfs::fs {

namespace {

void fuse_to_spdlog(enum fuse_log_level level, const char* fmt, va_list ap) {
  char buf[1024];
  int n = std::vsnprintf(buf, sizeof buf, fmt, ap);
  if (n <= 0) return;
  // libfuse writes some lines in pieces ("unknown option(s): `", "-o ", "bogus'\n"): collect
  // them so that a line is logged once, whole.
  thread_local std::string pending;
  pending.append(buf, std::min<size_t>(size_t(n), sizeof buf - 1));
  if (pending.back() != '\n') return;
  std::string line = std::move(pending);
  pending.clear();
  std::string_view msg(line);
  while (!msg.empty() && msg.back() == '\n') msg.remove_suffix(1);
  if (msg.substr(0, 6) == "fuse: ") msg.remove_prefix(6);
  spdlog::level::level_enum l = spdlog::level::debug;
  if (level <= FUSE_LOG_ERR)
    l = spdlog::level::err;
  else if (level == FUSE_LOG_WARNING)
    l = spdlog::level::warn;
  else if (level <= FUSE_LOG_INFO)
    l = spdlog::level::info;
  spdlog::log(l, "fuse: {}", msg);
}

}  // namespace

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view s) {
  if (s == "trace") return spdlog::level::trace;
  if (s == "debug") return spdlog::level::debug;
  if (s == "info") return spdlog::level::info;
  if (s == "warn") return spdlog::level::warn;
  if (s == "error") return spdlog::level::err;
  return std::nullopt;
}

void setup_logging(bool syslog, spdlog::level::level_enum level) {
  std::shared_ptr<spdlog::logger> logger;
  if (syslog)
    logger = std::make_shared<spdlog::logger>(
        "ipcfs",
        std::make_shared<spdlog::sinks::syslog_sink_mt>("ipcfs", LOG_PID, LOG_DAEMON, true));
  else
    logger = std::make_shared<spdlog::logger>("ipcfs",
                                              std::make_shared<spdlog::sinks::stderr_sink_mt>());
  logger->set_level(level);
  logger->flush_on(spdlog::level::warn);
  spdlog::set_default_logger(logger);
  fuse_set_log_func(&fuse_to_spdlog);
}

}  // namespace ipcfs::fs
