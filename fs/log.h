// Logging setup: spdlog to stderr in the foreground, to syslog when daemonized, with libfuse's
// own messages routed into the same logger. Message contents are never logged (SPEC §2).
#pragma once

#include <spdlog/spdlog.h>

#include <optional>
#include <string_view>

namespace ipcfs::fs {

std::optional<spdlog::level::level_enum> parse_log_level(std::string_view s);

// Installs the default spdlog logger and routes fuse_log() into it.
void setup_logging(bool syslog, spdlog::level::level_enum level);

}  // namespace ipcfs::fs
