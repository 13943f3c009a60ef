// The one error type logship returns across module boundaries.
//
//   Result<int> r = parse_port("80");
//   if (!r) log_error("bad port", {{"error", r.error().message}});
//
// Exceptions thrown by libraries (yaml-cpp, std::filesystem) are caught at the edge and turned
// into an Error; inner loops use plain codes and never allocate.
#pragma once

#include <string>
#include <utility>
#include <variant>

namespace logship {

enum class ErrorCode {
  kInvalidArgument,  // bad input from the user (config, CLI)
  kIo,               // a system call failed
  kNotFound,
  kInternal,
};

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;

  static Error io(std::string what, int err);  // "what: strerror(err)"
  static Error invalid(std::string what) { return {ErrorCode::kInvalidArgument, std::move(what)}; }
};

template <class T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Error error) : v_(std::move(error)) {}  // NOLINT
  explicit operator bool() const { return v_.index() == 0; }
  T& value() { return std::get<0>(v_); }
  const T& value() const { return std::get<0>(v_); }
  T& operator*() { return value(); }
  T* operator->() { return &value(); }
  const Error& error() const { return std::get<1>(v_); }

 private:
  std::variant<T, Error> v_;
};

// Result<void>: success, or an Error.
class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT
  static Status ok() { return {}; }
  explicit operator bool() const { return ok_; }
  const Error& error() const { return error_; }

 private:
  Error error_;
  bool ok_ = true;
};

}  // namespace logship
