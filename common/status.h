// Status and Result<T>: brook's error values. Nothing in brook throws across a module
// boundary; every fallible call returns one of these, and both are [[nodiscard]].
//
// A Status may carry a SourceRange pointing into the SQL text that caused it, so the
// renderer (diagnostic.h) can print "line L:C" and a caret under the offending text.
#pragma once

#include <optional>
#include <string>
#include <utility>
#include <variant>

#include "common/source_range.h"

namespace brook {

enum class StatusCode {
  kOk = 0,
  kInvalidArgument,  // bad user input (SQL semantics, bad property value)
  kParseError,       // SQL syntax error ("line 1:8: ...")
  kAstError,         // an error ksqlDB finds while building the AST (also its
                     // ParseFailedException, but spelled "Line: 1, Col: 8: ...")
  kNotFound,
  kAlreadyExists,
  kUnsupported,  // valid ksqlDB, not implemented by brook (yet)
  kIOError,      // Kafka, RocksDB, files
  kTimeout,
  kResourceExhausted,  // a work, size or count limit was reached
  kInternal,           // a bug in brook
};

const char* StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;
  Status(StatusCode code, std::string message, std::optional<SourceRange> range = std::nullopt)
      : code_(code), message_(std::move(message)), range_(range) {}

  static Status Ok() { return Status(); }

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  const std::string& message() const { return message_; }
  const std::optional<SourceRange>& range() const { return range_; }

  // Attaches a position if the status has none yet (inner errors keep the most precise one).
  Status WithRange(const SourceRange& r) && {
    if (!range_ && r.valid()) range_ = r;
    return std::move(*this);
  }
  // Marks a deliberately ignored status; searchable.
  void PermitUnchecked() const {}

  std::string ToString() const;

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
  std::optional<SourceRange> range_;
};

inline Status InvalidArgument(std::string msg, std::optional<SourceRange> r = std::nullopt) {
  return Status(StatusCode::kInvalidArgument, std::move(msg), r);
}
inline Status Unsupported(std::string msg, std::optional<SourceRange> r = std::nullopt) {
  return Status(StatusCode::kUnsupported, std::move(msg), r);
}
inline Status NotFound(std::string msg) { return Status(StatusCode::kNotFound, std::move(msg)); }
inline Status Internal(std::string msg) { return Status(StatusCode::kInternal, std::move(msg)); }
inline Status IOError(std::string msg) { return Status(StatusCode::kIOError, std::move(msg)); }
inline Status ResourceExhausted(std::string msg) {
  return Status(StatusCode::kResourceExhausted, std::move(msg));
}

// Result<T>: either a value or a non-OK Status.
template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  Result(Status status) : v_(std::move(status)) {}  // NOLINT: must not be OK

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOkStatus;
    return ok() ? kOkStatus : std::get<Status>(v_);
  }
  Status TakeStatus() && { return ok() ? Status() : std::get<Status>(std::move(v_)); }
  T& value() & { return std::get<T>(v_); }
  const T& value() const& { return std::get<T>(v_); }
  T&& value() && { return std::get<T>(std::move(v_)); }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

 private:
  std::variant<T, Status> v_;
};

}  // namespace brook

#define BROOK_CONCAT_INNER(a, b) a##b
#define BROOK_CONCAT(a, b) BROOK_CONCAT_INNER(a, b)

#define RETURN_IF_ERROR(expr)                \
  do {                                       \
    ::brook::Status _st = (expr);            \
    if (!_st.ok()) return _st;               \
  } while (0)

#define ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                          \
  if (!tmp.ok()) return std::move(tmp).TakeStatus(); \
  lhs = std::move(tmp).value()

#define ASSIGN_OR_RETURN(lhs, expr) \
  ASSIGN_OR_RETURN_IMPL(BROOK_CONCAT(_res_, __LINE__), lhs, expr)
