#include "pipeline/alert_actions.h"

#include <spawn.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <nlohmann/json.hpp>
#include <thread>

#include "stages/core/wall_clock.h"

extern char** environ;

namespace logstream {
namespace {

std::string number_text(double value) {
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%.6g", value);
  return buffer;
}

}  // namespace

std::string render_alert_json(const AlertEvent& event) {
  nlohmann::ordered_json object;
  object["time"] = utc_now_iso8601();
  object["rule"] = event.rule->name;
  object["state"] = event.state;
  object["value"] = event.value;
  object["comparison"] = event.rule->comparison_text();
  object["threshold"] = event.rule->threshold;
  object["batch"] = event.batch_id;
  object["expression"] = std::string(event.rule->expression());
  if (event.window) {
    object["window"] = {{"start", utc_iso8601_seconds(event.window->start)},
                        {"end", utc_iso8601_seconds(event.window->end)}};
  }
  // Replace, not throw, on invalid UTF-8: the rule text is user input.
  return object.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

Expected<std::unique_ptr<AlertActions>> AlertActions::create(const std::string& alert_log,
                                                             std::string program, WarningHandler warn) {
  std::unique_ptr<AlertActions> actions(new AlertActions());
  if (!alert_log.empty()) {
    auto stream = SinkStream::open(alert_log);
    if (!stream) return Error{"--alert-log " + stream.error()};
    actions->log_ = std::move(stream).value();
  }
  actions->program_ = std::move(program);
  actions->warn_ = std::move(warn);
  return actions;
}

std::optional<std::string> AlertActions::program_problem(const std::string& program) {
  if (program.empty()) return "--on-alert needs a program";
  auto check = [](const std::string& candidate) -> std::optional<std::string> {
    struct stat st {};
    if (::stat(candidate.c_str(), &st) != 0) return candidate + ": " + std::strerror(errno);
    if (!S_ISREG(st.st_mode)) return candidate + ": not a regular file";
    if (::access(candidate.c_str(), X_OK) != 0)
      return candidate + ": not executable (" + std::strerror(errno) + ")";
    return std::nullopt;
  };
  // As posix_spawnp looks it up: a name with a '/' is a path, any other is searched on PATH.
  if (program.find('/') != std::string::npos) return check(program);
  const char* path = std::getenv("PATH");
  const std::string directories = path ? path : "/usr/local/bin:/usr/bin:/bin";
  for (size_t at = 0; at <= directories.size();) {
    size_t colon = directories.find(':', at);
    if (colon == std::string::npos) colon = directories.size();
    const std::string directory = colon == at ? "." : directories.substr(at, colon - at);
    if (!check(directory + "/" + program)) return std::nullopt;
    at = colon + 1;
  }
  return program + ": not found on PATH";
}

AlertActions::~AlertActions() { reap(); }

void AlertActions::handle(const std::vector<AlertEvent>& events) {
  reap();
  for (const AlertEvent& event : events) {
    const std::string window = event.window ? ", window " + utc_iso8601_seconds(event.window->start) +
                                                  " to " + utc_iso8601_seconds(event.window->end)
                                            : "";
    warn_("alert " + event.rule->name + " " + event.state + ": " + std::string(event.rule->expression()) +
          " (value " + number_text(event.value) + window + ", batch " + std::to_string(event.batch_id) + ")");
    if (log_ && !log_->write(render_alert_json(event)))
      warn_(log_->destination() + ": cannot write the alert log: " + std::strerror(errno));
    // Incident tools open an alert on firing and need the resolution to close it.
    if (!program_.empty() && (event.state == "firing" || event.state == "resolved")) spawn(event);
  }
}

void AlertActions::spawn(const AlertEvent& event) {
  if (running_.size() >= kMaxRunning) {
    warn_("--on-alert " + program_ + ": " + std::to_string(running_.size()) +
          " runs still going; not started for " + event.rule->name);
    return;
  }
  std::vector<std::string> variables = {
      "LOGSTREAM_ALERT_RULE=" + event.rule->name,
      "LOGSTREAM_ALERT_STATE=" + event.state,
      "LOGSTREAM_ALERT_VALUE=" + number_text(event.value),
      "LOGSTREAM_ALERT_THRESHOLD=" + number_text(event.rule->threshold),
      "LOGSTREAM_ALERT_COMPARISON=" + event.rule->comparison_text(),
      "LOGSTREAM_ALERT_BATCH=" + std::to_string(event.batch_id),
      "LOGSTREAM_ALERT_EXPRESSION=" + std::string(event.rule->expression()),
  };
  if (event.window) {
    variables.push_back("LOGSTREAM_ALERT_WINDOW_START=" + utc_iso8601_seconds(event.window->start));
    variables.push_back("LOGSTREAM_ALERT_WINDOW_END=" + utc_iso8601_seconds(event.window->end));
  }
  std::vector<char*> envp;
  for (char** e = environ; e && *e; ++e) {
    if (std::strncmp(*e, "LOGSTREAM_ALERT_", 16) != 0) envp.push_back(*e);
  }
  for (std::string& variable : variables) envp.push_back(variable.data());
  envp.push_back(nullptr);
  std::string program = program_;
  char* argv[] = {program.data(), nullptr};
  // The child must not inherit our blocked SIGINT/SIGTERM mask or ignored SIGPIPE.
  posix_spawnattr_t attributes;
  posix_spawnattr_init(&attributes);
  sigset_t empty, defaults;
  sigemptyset(&empty);
  sigemptyset(&defaults);
  sigaddset(&defaults, SIGPIPE);
  sigaddset(&defaults, SIGXFSZ);
  posix_spawnattr_setsigmask(&attributes, &empty);
  posix_spawnattr_setsigdefault(&attributes, &defaults);
  posix_spawnattr_setflags(&attributes, POSIX_SPAWN_SETSIGMASK | POSIX_SPAWN_SETSIGDEF);
  pid_t pid = -1;
  const int error = posix_spawnp(&pid, program.c_str(), nullptr, &attributes, argv, envp.data());
  posix_spawnattr_destroy(&attributes);
  if (error != 0) {
    warn_("--on-alert " + program_ + ": cannot start: " + std::strerror(error));
    return;
  }
  running_.push_back(pid);
}

void AlertActions::reap(int wait_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(wait_ms);
  for (;;) {
    for (auto it = running_.begin(); it != running_.end();) {
      int status = 0;
      const pid_t done = ::waitpid(*it, &status, WNOHANG);
      if (done == 0) {
        ++it;
        continue;
      }
      if (done > 0 && WIFEXITED(status) && WEXITSTATUS(status) == 127)
        warn_("--on-alert " + program_ + ": exited with 127 (not found or not executable?)");
      it = running_.erase(it);
    }
    if (running_.empty() || std::chrono::steady_clock::now() >= deadline) return;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
}

}  // namespace logstream
