// What happens when an alert changes state: a line on stderr, a JSON line in --alert-log, and for each
// firing and each resolution, --on-alert PROGRAM started without a shell (posix_spawnp) with the details,
// the state among them, in its environment.
// Nothing here waits for the program: children are reaped without blocking after each batch, and a
// program that piles up (more than kMaxRunning at once) is skipped with a warning rather than stall the
// pipeline.
#pragma once

#include <sys/types.h>

#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "stages/alerts/alert_engine.h"
#include "stages/core/warning.h"
#include "stages/sinks/batch_sink.h"

namespace logstream {

class AlertActions {
 public:
  static constexpr size_t kMaxRunning = 16;

  // `alert_log`: a file for JSON lines, or empty; `program`: for --on-alert, or empty.
  // Why `program` could not be started as --on-alert (not found on PATH, not a regular file, not
  // executable), or nullopt: found before any input is read rather than at the first alert.
  static std::optional<std::string> program_problem(const std::string& program);

  static Expected<std::unique_ptr<AlertActions>> create(const std::string& alert_log, std::string program,
                                                        WarningHandler warn);
  ~AlertActions();

  void handle(const std::vector<AlertEvent>& events);
  // Reaps finished programs; with `wait_ms` > 0, waits up to that long for the rest (at exit).
  void reap(int wait_ms = 0);

 private:
  AlertActions() = default;
  void spawn(const AlertEvent& event);

  std::unique_ptr<SinkStream> log_;
  std::string program_;
  WarningHandler warn_;
  std::vector<pid_t> running_;
};

// The JSON line written to --alert-log for one event.
std::string render_alert_json(const AlertEvent& event);

}  // namespace logstream
