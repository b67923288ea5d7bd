// Turns each closed batch into rule values and alert state changes. States: inactive -> pending (the
// comparison holds, but not yet for `for N batches`) -> firing -> resolved (back to inactive). Each
// change is reported once, when it happens; a rule that stays firing is not reported again.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "stages/alerts/alert_rule.h"
#include "stages/alerts/line_rules.h"
#include "stages/core/line_counts.h"

namespace logstream {

enum class AlertState : uint8_t { kInactive, kPending, kFiring };
std::string_view alert_state_name(AlertState state) noexcept;

struct AlertEvent {
  const AlertRule* rule = nullptr;
  std::string state;  // "pending", "firing" or "resolved"
  double value = 0;
  uint64_t batch_id = 0;
};

struct AlertStatus {
  const AlertRule* rule = nullptr;
  AlertState state = AlertState::kInactive;
  double value = 0;
  bool evaluated = false;  // a value exists (a rate needs accepted lines)
};

class AlertEngine {
 public:
  AlertEngine(std::vector<AlertRule> rules, std::shared_ptr<const LineRules> line_rules);
  AlertEngine(const AlertEngine&) = delete;  // statuses point into rules_
  AlertEngine& operator=(const AlertEngine&) = delete;

  // Evaluates every rule on the batch just closed; returns the state changes, in rule order.
  std::vector<AlertEvent> on_batch(uint64_t batch_id, const LineCounts& batch);

  const std::vector<AlertStatus>& statuses() const noexcept { return statuses_; }
  // A rule fired during this process, or one restored as firing still is (a CI gate on a log counted over
  // several `run --checkpoint` invocations).
  bool any_fired() const noexcept;

  // What a restart needs to go on as if it had never stopped: per rule, its state and streak; and the
  // event-time minutes the `over` windows still cover.
  struct RuleMemory {
    AlertState state = AlertState::kInactive;
    uint32_t streak = 0;
    double value = 0;
    bool evaluated = false;
  };
  RuleMemory memory(size_t rule) const;
  void restore(size_t rule, const RuleMemory& memory);
  std::vector<MinuteTally> window_minutes() const;
  // Only valid with the same rules in the same order (the minutes' match slots are the rules' slots).
  void restore_window(const std::vector<MinuteTally>& minutes);
  const std::vector<AlertRule>& rules() const noexcept { return rules_; }
  bool empty() const noexcept { return rules_.empty(); }

 private:
  struct Value {
    double value = 0;
    bool defined = false;
  };
  Value value_of(size_t index, const LineCounts& batch) const;

  std::vector<AlertRule> rules_;
  std::shared_ptr<const LineRules> line_rules_;
  std::vector<AlertStatus> statuses_;
  std::vector<uint32_t> streaks_;
  std::map<int64_t, MinuteTally> window_;  // event-time minutes still inside the longest window
  int64_t newest_minute_ = INT64_MIN;
  int64_t longest_window_minutes_ = 0;
  bool any_fired_ = false;
};

}  // namespace logstream
