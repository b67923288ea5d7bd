#include "pipeline/shutdown_signals.h"

#include <signal.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <thread>

namespace logstream {

ShutdownSignals& ShutdownSignals::install() {
  static ShutdownSignals* instance = [] {
    auto* signals = new ShutdownSignals();
    signals->wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
    // A closed stdout (logstream ... | head) must surface as a write error, not kill us mid-batch.
    ::signal(SIGPIPE, SIG_IGN);
    // Likewise a file-size limit hit by a checkpoint write: an EFBIG error with its path, not a core dump.
    ::signal(SIGXFSZ, SIG_IGN);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, SIGINT);
    sigaddset(&set, SIGTERM);
    pthread_sigmask(SIG_BLOCK, &set, nullptr);
    std::thread([signals, set] {
      int received = 0;
      for (int count = 0;; ++count) {
        const int grace = signals->stop_grace_seconds_.load(std::memory_order_acquire);
        if (count > 0 && grace > 0) {
          // After the stop: a second signal, or the grace period's end, ends the process.
          const struct timespec wait = {grace, 0};
          received = sigtimedwait(&set, nullptr, &wait);
          if (received < 0 && errno == EAGAIN) {
            std::fprintf(stderr, "logstream: stopped, but still waiting for Kafka after %d s; exiting now\n",
                         grace);
            std::_Exit(0);
          }
          if (received < 0) continue;
        } else if (sigwait(&set, &received) != 0) {
          continue;
        }
        if (count > 0) {
          std::fputs("logstream: second interrupt, exiting now\n", stderr);
          std::_Exit(128 + received);
        }
        signals->first_signal_.store(received, std::memory_order_release);
        signals->stop_requested_.store(true, std::memory_order_release);
        const uint64_t one = 1;
        [[maybe_unused]] const ssize_t n = ::write(signals->wake_fd_, &one, sizeof one);
      }
    }).detach();
    return signals;
  }();
  return *instance;
}

}  // namespace logstream
