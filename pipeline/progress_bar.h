// `run` on a terminal: a one-line progress bar on stderr (bytes, bytes/s, ETA), redrawn every 100 ms by
// its own thread from a byte counter, and erased when the run ends. Silent when stderr is not a
// terminal, so logs and pipes get no control characters.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>

namespace logstream {

class ProgressBar {
 public:
  // `bytes_done` is polled from the bar's thread and counts in the unit of `total_bytes`, the files' sizes
  // on disk (for a .gz, compressed bytes read: see FileTask::bytes_consumed); `total_bytes` 0 means
  // unknown (no percentage or ETA).
  ProgressBar(uint64_t total_bytes, std::function<uint64_t()> bytes_done);
  ~ProgressBar();  // stops the thread and erases the line

  static bool wanted();  // stderr is a terminal

 private:
  void draw(double seconds);

  uint64_t total_;
  std::function<uint64_t()> done_;
  std::mutex mutex_;
  std::condition_variable wake_;
  bool stop_ = false;
  std::thread thread_;
};

// The bar's text for `done` of `total` bytes after `seconds` (no control characters): tested directly.
std::string render_progress_bar(uint64_t done, uint64_t total, double seconds);

}  // namespace logstream
