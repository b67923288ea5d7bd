#include "pipeline/progress_bar.h"

#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <string>

namespace logstream {
namespace {

std::string human_bytes(double bytes) {
  static constexpr const char* kUnits[] = {"B", "KB", "MB", "GB", "TB"};
  int unit = 0;
  while (bytes >= 1000 && unit < 4) {
    bytes /= 1000;
    ++unit;
  }
  char buffer[32];
  std::snprintf(buffer, sizeof buffer, unit == 0 ? "%.0f %s" : "%.1f %s", bytes, kUnits[unit]);
  return buffer;
}

}  // namespace

std::string render_progress_bar(uint64_t done, uint64_t total, double seconds) {
  constexpr int kWidth = 30;
  const double rate = seconds > 0 ? static_cast<double>(done) / seconds : 0;
  std::string text = "[";
  if (total > 0) {
    const double share = std::min(1.0, static_cast<double>(done) / static_cast<double>(total));
    const int filled = static_cast<int>(share * kWidth);
    text.append(static_cast<size_t>(filled), '=');
    if (filled < kWidth) text += '>';
    text.append(static_cast<size_t>(std::max(0, kWidth - filled - 1)), ' ');
    char percent[16];
    std::snprintf(percent, sizeof percent, "] %3d%% ", static_cast<int>(share * 100));
    text += percent;
    text += human_bytes(static_cast<double>(done)) + " / " + human_bytes(static_cast<double>(total));
  } else {
    text.append(kWidth, '?');
    text += "] " + human_bytes(static_cast<double>(done));
  }
  text += "  " + human_bytes(rate) + "/s";
  if (total > 0 && rate > 0 && done < total) {
    char eta[32];
    std::snprintf(eta, sizeof eta, "  ETA %.0f s", static_cast<double>(total - done) / rate);
    text += eta;
  }
  return text;
}

bool ProgressBar::wanted() { return ::isatty(STDERR_FILENO) == 1; }

ProgressBar::ProgressBar(uint64_t total_bytes, std::function<uint64_t()> bytes_done)
    : total_(total_bytes), done_(std::move(bytes_done)) {
  thread_ = std::thread([this] {
    const auto started = std::chrono::steady_clock::now();
    std::unique_lock<std::mutex> lock(mutex_);
    while (!wake_.wait_for(lock, std::chrono::milliseconds(100), [this] { return stop_; })) {
      draw(std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count());
    }
  });
}

ProgressBar::~ProgressBar() {
  {
    std::lock_guard<std::mutex> lock(mutex_);
    stop_ = true;
  }
  wake_.notify_all();
  thread_.join();
  std::fputs("\r\033[K", stderr);  // erase the bar: the batch summary takes its place
}

void ProgressBar::draw(double seconds) {
  const std::string line = "\r" + render_progress_bar(done_(), total_, seconds) + "\033[K";
  std::fwrite(line.data(), 1, line.size(), stderr);
  std::fflush(stderr);
}

}  // namespace logstream
