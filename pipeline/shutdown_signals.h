// SIGINT and SIGTERM as a stop request. `watch` lets the batch in progress finish and exits 0; `run` stops
// its one batch within a chunk, commits nothing and exits 128 + the signal (130, 143), as a Unix filter
// does. A second signal exits at once with 128 + that signal. Install before any other thread starts, so that
// all of them inherit the blocked mask and only the signal thread ever receives these signals.
#pragma once

#include <atomic>

namespace logstream {

class ShutdownSignals {
 public:
  static ShutdownSignals& install();

  bool stop_requested() const noexcept { return stop_requested_.load(std::memory_order_acquire); }
  // The flag itself, for a reader that checks it once per chunk.
  const std::atomic<bool>& stop_flag() const noexcept { return stop_requested_; }
  // The first signal received (SIGINT or SIGTERM), 0 before any.
  int first_signal() const noexcept { return first_signal_.load(std::memory_order_acquire); }
  // Readable once a stop has been requested; poll it beside other descriptors.
  int wake_fd() const noexcept { return wake_fd_; }
  // Once a stop has been requested, the process exits 0 after this many more seconds even if it is
  // still busy: for a query whose every step can wait on a network (Kafka) and has nothing of its own to
  // lose (the state topic decides what was counted). 0: never.
  void exit_after_stop(int seconds) noexcept {
    stop_grace_seconds_.store(seconds, std::memory_order_release);
  }

 private:
  ShutdownSignals() = default;
  std::atomic<bool> stop_requested_{false};
  std::atomic<int> first_signal_{0};
  std::atomic<int> stop_grace_seconds_{0};
  int wake_fd_ = -1;
};

}  // namespace logstream
