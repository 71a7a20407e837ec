// Result<T>: a value or a negative errno. The one error convention of ipcfs: every failing call
// returns -errno (like the kernel), and EINTR is passed up, never retried here.
#pragma once

#include <cassert>
#include <cerrno>
#include <optional>
#include <utility>

namespace ipcfs {

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : value_(std::move(value)) {}  // NOLINT: implicit by design
  static Result failure(int neg_errno) {
    assert(neg_errno < 0);
    return Result(neg_errno, 0);
  }

  bool ok() const { return value_.has_value(); }
  explicit operator bool() const { return ok(); }
  // The negative errno; 0 when ok().
  int error() const { return err_; }

  T& operator*() { return *value_; }
  const T& operator*() const { return *value_; }
  T* operator->() { return &*value_; }
  const T* operator->() const { return &*value_; }

 private:
  Result(int e, int) : err_(e) {}
  std::optional<T> value_;
  int err_ = 0;
};

// -errno of the last failed libc call.
inline int neg_errno() {
  return errno > 0 ? -errno : -EIO;
}

// Wraps a libc return value: -1 becomes -errno, anything else 0.
inline int check(int rc) {
  return rc < 0 ? neg_errno() : 0;
}

}  // namespace ipcfs
