#pragma once
// Status and StatusOr: the result of every call that can fail, in every
// module from catalogue/ and sla/ up (the ground floor, beside the schema).
//
// Codes are the project's own failure kinds, one per problem type of the
// HTTP API, so the http layer maps them without guessing. Not-found is an
// ordinary value (kNotFound), never an exception. Plain values: copy freely,
// any thread.

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace helpdesk {

enum class Code {
  kOk,
  kMalformedJson,      // body is not the JSON object we expect
  kInvalidField,       // a field is missing, empty, too long, of wrong type
  kInvalidParameter,   // a query parameter or cursor is wrong
  kNotFound,           // no such ticket (or other record)
  kAlreadyExists,      // a create with an id that is in use
  kVersionConflict,    // optimistic concurrency: the record changed
  kVersionRequired,    // an update came without the version it was based on
  kIllegalTransition,  // the state machine does not allow this move
  kKeyReused,          // an Idempotency-Key sent before with another request
  kStorageFull,        // the database map reached its size limit
  kDiskFull,           // the disk (or quota) holding the database is full
  kUnauthenticated,  // no credential, or one that is wrong, expired or revoked
  kForbidden,        // the caller's roles do not allow it (a field names what)
  kTooManyRequests,  // a rate limit or a login throttle; retry after a while
  kUnavailable,      // overloaded or shutting down; retry later
  kInternal,         // a bug or an I/O failure we did not expect
};

// One problem of many in a request body: a JSON pointer and what to fix.
struct FieldError {
  std::string pointer;  // "/services/3/skills/0"; "" for the whole body
  std::string detail;
};

class [[nodiscard]] Status {
 public:
  Status() = default;  // ok

  static Status Ok() { return {}; }
  static Status MalformedJson(std::string detail) {
    return {Code::kMalformedJson, std::move(detail)};
  }
  static Status InvalidField(std::string field, std::string detail) {
    Status s{Code::kInvalidField, std::move(detail)};
    s.field_ = std::move(field);
    return s;
  }
  // At most this many problems are kept (and answered); the rest are only
  // counted, so an answer never grows with the size of a hostile body.
  static constexpr size_t kMaxErrors = 100;

  // Several problems at once (a catalogue import): `detail` sums them up.
  // `more_errors`: problems found beyond those in `errors` and not listed.
  static Status Invalid(std::string detail, std::vector<FieldError> errors,
                        size_t more_errors = 0) {
    Status s{Code::kInvalidField, std::move(detail)};
    if (!errors.empty()) s.field_ = errors.front().pointer;
    if (errors.size() > kMaxErrors) {
      more_errors += errors.size() - kMaxErrors;
      errors.resize(kMaxErrors);
    }
    s.errors_ = std::move(errors);
    s.more_errors_ = more_errors;
    return s;
  }
  // Problems stated in words rather than at a place in a body (a calendar,
  // a policy): ok when there are none, else one error each without a
  // pointer, and a detail naming them all: "2 problems in <what>: a; b".
  static Status Problems(const std::string& what,
                         const std::vector<std::string>& problems) {
    if (problems.empty()) return Ok();
    std::string detail = std::to_string(problems.size()) +
                         (problems.size() == 1 ? " problem" : " problems") +
                         " in " + what + ": ";
    std::vector<FieldError> errors;
    for (const auto& p : problems) {
      if (errors.size() == kMaxErrors) break;
      detail += (errors.empty() ? "" : "; ") + p;
      errors.push_back({"", p});
    }
    const size_t more = problems.size() - errors.size();
    if (more > 0) detail += "; and " + std::to_string(more) + " more";
    return Invalid(std::move(detail), std::move(errors), more);
  }
  static Status AlreadyExists(std::string detail) {
    return {Code::kAlreadyExists, std::move(detail)};
  }
  static Status InvalidParameter(std::string parameter, std::string detail) {
    Status s{Code::kInvalidParameter, std::move(detail)};
    s.field_ = std::move(parameter);
    return s;
  }
  static Status NotFound(std::string detail) {
    return {Code::kNotFound, std::move(detail)};
  }
  static Status VersionConflict(uint64_t current_version, std::string detail) {
    Status s{Code::kVersionConflict, std::move(detail)};
    s.current_version_ = current_version;
    return s;
  }
  static Status VersionRequired(std::string detail) {
    return {Code::kVersionRequired, std::move(detail)};
  }
  static Status IllegalTransition(std::vector<std::string> allowed,
                                  std::string detail) {
    Status s{Code::kIllegalTransition, std::move(detail)};
    s.allowed_ = std::move(allowed);
    return s;
  }
  // `parameter` names the header ("Idempotency-Key").
  static Status KeyReused(std::string parameter, std::string detail) {
    Status s{Code::kKeyReused, std::move(detail)};
    s.field_ = std::move(parameter);
    return s;
  }
  static Status StorageFull(std::string detail) {
    return {Code::kStorageFull, std::move(detail)};
  }
  static Status DiskFull(std::string detail) {
    return {Code::kDiskFull, std::move(detail)};
  }
  static Status Unauthenticated(std::string detail) {
    return {Code::kUnauthenticated, std::move(detail)};
  }
  // `field`: the body field, query parameter or header the caller may not
  // set; "" when the whole request is not theirs to make.
  static Status Forbidden(std::string field, std::string detail) {
    Status s{Code::kForbidden, std::move(detail)};
    s.field_ = std::move(field);
    return s;
  }
  static Status TooManyRequests(uint64_t retry_after_seconds,
                                std::string detail) {
    Status s{Code::kTooManyRequests, std::move(detail)};
    s.retry_after_ = retry_after_seconds;
    return s;
  }
  static Status Unavailable(std::string detail) {
    return {Code::kUnavailable, std::move(detail)};
  }
  static Status Internal(std::string detail) {
    return {Code::kInternal, std::move(detail)};
  }

  bool ok() const { return code_ == Code::kOk; }
  Code code() const { return code_; }
  const std::string& message() const { return message_; }
  // The field (or query parameter) the problem is in, if any.
  const std::string& field() const { return field_; }
  // For kIllegalTransition: the statuses that are allowed instead.
  const std::vector<std::string>& allowed() const { return allowed_; }
  // For kVersionConflict: the version the record has now.
  std::optional<uint64_t> current_version() const { return current_version_; }
  // For Invalid: the problems found, at most kMaxErrors of them.
  const std::vector<FieldError>& errors() const { return errors_; }
  // For Invalid: how many more problems were found than errors() lists.
  size_t more_errors() const { return more_errors_; }
  // For kTooManyRequests: the seconds to wait (Retry-After).
  uint64_t retry_after() const { return retry_after_; }

 private:
  Status(Code code, std::string message)
      : code_(code), message_(std::move(message)) {}

  Code code_ = Code::kOk;
  std::string message_;
  std::string field_;
  std::vector<std::string> allowed_;
  std::optional<uint64_t> current_version_;
  std::vector<FieldError> errors_;
  size_t more_errors_ = 0;
  uint64_t retry_after_ = 0;
};

// A value or the Status saying why there is none.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(T value) : v_(std::move(value)) {}  // NOLINT: implicit by design
  StatusOr(Status status) : v_(std::move(status)) {}  // NOLINT

  bool ok() const { return std::holds_alternative<T>(v_); }
  const Status& status() const {
    static const Status kOk;
    return ok() ? kOk : std::get<Status>(v_);
  }
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

}  // namespace helpdesk
