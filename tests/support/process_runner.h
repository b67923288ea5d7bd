// Runs the built binaries the way a user does: argv, pipes for stdout and stderr, signals, exit codes.
#pragma once

#include <sys/types.h>

#include <chrono>
#include <functional>
#include <string>
#include <vector>

namespace logstream::test_support {

struct ProcessResult {
  int exit_code = -1;  // -1 when killed by a signal or timed out
  std::string out;
  std::string err;
  bool timed_out = false;
  long max_rss_kb = 0;  // peak resident memory of the process
};

// Runs to completion (or kills it after `timeout`).
ProcessResult run_process(const std::vector<std::string>& argv,
                          std::chrono::milliseconds timeout = std::chrono::seconds(120));

// A process that keeps running (logstream watch): read its output as it comes, signal it, wait for it.
class RunningProcess {
 public:
  explicit RunningProcess(const std::vector<std::string>& argv);
  ~RunningProcess();
  RunningProcess(const RunningProcess&) = delete;
  RunningProcess& operator=(const RunningProcess&) = delete;

  // Reads stdout until `done(stdout so far)` holds; false on timeout or end of output.
  bool wait_for_stdout(const std::function<bool(const std::string&)>& done,
                       std::chrono::milliseconds timeout);
  // Waits until stdout contains `needle` `times` times.
  bool wait_for_text(const std::string& needle, size_t times, std::chrono::milliseconds timeout);
  void send_signal(int signal);
  // Waits for exit and drains both pipes; -1 on timeout (the process is then killed).
  int wait_exit(std::chrono::milliseconds timeout);

  long max_rss_kb() const { return max_rss_kb_; }
  const std::string& out() const { return out_; }
  const std::string& err() const { return err_; }
  pid_t pid() const { return pid_; }

 private:
  void pump(int timeout_ms);
  pid_t pid_ = -1;
  int out_fd_ = -1;
  int err_fd_ = -1;
  std::string out_;
  std::string err_;
  bool exited_ = false;
  int exit_code_ = -1;
  long max_rss_kb_ = 0;
};

size_t count_occurrences(const std::string& haystack, const std::string& needle);

}  // namespace logstream::test_support
