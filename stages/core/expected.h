// A value or an error message, for fallible set-up (create() functions). C++20 has no std::expected yet.
#pragma once

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace logstream {

struct Error {
  std::string message;
};

template <typename T>
class Expected {
 public:
  Expected(T value) : state_(std::move(value)) {}      // NOLINT: implicit by design, like std::expected
  Expected(Error error) : state_(std::move(error)) {}  // NOLINT

  bool ok() const noexcept { return std::holds_alternative<T>(state_); }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<T>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<T>(std::move(state_));
  }
  const std::string& error() const {
    assert(!ok());
    return std::get<Error>(state_).message;
  }

 private:
  std::variant<T, Error> state_;
};

}  // namespace logstream
