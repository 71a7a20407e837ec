// Spelling of IPC object names: POSIX object names, System V keys and ids, strict numbers.
// Every parser here rejects anything it does not fully consume.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ipcfs::ipc {

// 0 if NAME (without the leading '/') can name a POSIX mq/shm/sem object, else -EINVAL or
// -ENAMETOOLONG. POSIX semaphores live in /dev/shm as "sem.NAME", so they allow 4 bytes less.
int check_posix_name(std::string_view name, size_t max_len = 255);

// "/NAME": how the POSIX calls (mq_open, shm_open, sem_open, ...) spell object NAME.
std::string posix_path(std::string_view name);

// Strict unsigned decimal, no sign, no spaces, no leading zeros except "0", value <= max.
std::optional<uint64_t> parse_decimal(std::string_view s, uint64_t max);

// A signed decimal ("-5", "+5", "5") within [min, max].
std::optional<int64_t> parse_signed(std::string_view s, int64_t min, int64_t max);

// A System V key in any hex ("0x1234", "0X00001234") or decimal ("4660") spelling that fits in
// 32 bits; IPC_PRIVATE (0) cannot be named, so it is rejected too.
std::optional<key_t> parse_key(std::string_view s);

// A System V id: canonical non-negative decimal, as the kernel hands it out.
std::optional<int> parse_id(std::string_view s);

// "0x%08x", as ipcs prints keys.
std::string format_key(key_t key);

}  // namespace ipcfs::ipc
