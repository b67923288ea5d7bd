// SIGINT and SIGTERM as a stop request: the first lets the batch in progress finish and the query exit 0,
// a second one exits at once. Install before any other thread starts, so that all of them inherit the
// blocked mask and only the signal thread ever receives these signals.
#pragma once

#include <atomic>

namespace logstream {

class ShutdownSignals {
 public:
  static ShutdownSignals& install();

  bool stop_requested() const noexcept { return stop_requested_.load(std::memory_order_acquire); }
  // Readable once a stop has been requested; poll it beside other descriptors.
  int wake_fd() const noexcept { return wake_fd_; }

 private:
  ShutdownSignals() = default;
  std::atomic<bool> stop_requested_{false};
  int wake_fd_ = -1;
};

}  // namespace logstream
