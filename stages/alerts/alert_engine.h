// Turns each closed batch into rule values and alert state changes. States: inactive -> pending (the
// comparison holds, but not yet for `for N batches`) -> firing -> resolved (back to inactive). Each
// change is reported once, when it happens; a rule that stays firing is not reported again.
//
// Where the values come from: a rule on the status alone from the batch's status counts; any other from
// the batch's groups of the rules' AlertPlan (run by the query engine). A rule with `over D` judges
// sliding event-time windows [start, start + D) whose start is a whole minute: the engine keeps the
// plan's counts per minute (panes), and once the rule's watermark (the latest trusted event time seen,
// less the rule's delay) reaches a window's end, the window is final and judged, once. A batch's value is
// its worst final window (the largest for > and >=, the smallest for < and <=); a batch that finishes no
// window leaves the rule as it was. A line in a minute no window still open can take is late: dropped,
// and counted. Only windows from the rule's first minute on are judged (a window reaching back before
// the data would be judged on part of it): the earliest minute it has seen that was not late, or, for a
// rule new after a restart, the minute after the latest time seen before it.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "stages/alerts/alert_plan.h"
#include "stages/alerts/alert_rule.h"
#include "stages/core/line_counts.h"
#include "stages/state/group_table.h"

namespace logstream {

enum class AlertState : uint8_t { kInactive, kPending, kFiring };
std::string_view alert_state_name(AlertState state) noexcept;

// An event-time window [start, end), microseconds since the epoch.
struct AlertWindow {
  int64_t start = 0;
  int64_t end = 0;
};

struct AlertEvent {
  const AlertRule* rule = nullptr;
  std::string state;  // "pending", "firing" or "resolved"
  double value = 0;
  uint64_t batch_id = 0;
  std::optional<AlertWindow> window;  // the window the value is of (a rule with `over`)
};

struct AlertStatus {
  const AlertRule* rule = nullptr;
  AlertState state = AlertState::kInactive;
  double value = 0;
  bool evaluated = false;  // a value exists (a rate needs accepted lines)
};

class AlertEngine {
 public:
  explicit AlertEngine(std::vector<AlertRule> rules);
  AlertEngine(const AlertEngine&) = delete;  // statuses point into rules_
  AlertEngine& operator=(const AlertEngine&) = delete;

  // Before the first batch: the layout of the rules' plan (compile_alert_plan; none when every rule reads
  // the status only), and the delay of a window whose rule gives none.
  void use_plan(std::optional<AlertPlanLayout> plan, int64_t default_delay_us);

  // Evaluates every rule on the batch just closed; returns the state changes, in rule order. `tallies`:
  // the batch's groups of the plan (null without a plan). Event times after `latest_trusted_us` (the
  // wall clock plus --max-future) or before 1970 open no pane and move no watermark.
  std::vector<AlertEvent> on_batch(uint64_t batch_id, const LineCounts& batch, const GroupTable* tallies,
                                   int64_t latest_trusted_us);

  const std::vector<AlertStatus>& statuses() const noexcept { return statuses_; }
  // A rule fired during this process, or one restored as firing still is (a CI gate on a log counted over
  // several `run --checkpoint` invocations).
  bool any_fired() const noexcept;
  // In the last batch: lines too late for every window of the rules, and lines whose time is not trusted.
  uint64_t late_lines() const noexcept { return late_lines_; }
  uint64_t untrusted_lines() const noexcept { return untrusted_lines_; }

  // What a restart needs to go on as if it had never stopped: per rule, its state and streak; and the
  // event-time panes the windows still need, with the first and latest event time seen.
  struct RuleMemory {
    AlertState state = AlertState::kInactive;
    uint32_t streak = 0;
    double value = 0;
    bool evaluated = false;
    int64_t first_minute = INT64_MIN;  // with a window: where its windows may start; INT64_MIN: none yet
    // The panes before this minute lack the rule's counts (it is new since a restart), so its windows
    // never start before it.
    int64_t counts_from = INT64_MIN;
  };
  RuleMemory memory(size_t rule) const;
  void restore(size_t rule, const RuleMemory& memory);
  struct Pane {
    int64_t minute = 0;  // its start, microseconds
    uint64_t lines = 0;
    std::vector<uint64_t> counts;  // per rule (0 for a rule without a window)
  };
  struct WindowMemory {
    int64_t latest_time = INT64_MIN;  // the latest trusted event time seen; INT64_MIN: none yet
    std::vector<Pane> panes;          // ascending by minute
  };
  WindowMemory window_memory() const;
  // After restore() of the rules that go on: the panes, their counts in this engine's rule order (0 for
  // a rule without memory); a pane of another width is ignored. A rule with a window that restore() did
  // not give a first minute starts afresh, after the latest time seen.
  void restore_windows(const WindowMemory& memory);
  const std::vector<AlertRule>& rules() const noexcept { return rules_; }
  bool empty() const noexcept { return rules_.empty(); }
  bool windowed() const noexcept { return windowed_; }

 private:
  struct Judgement {
    double value = 0;
    bool defined = false;
    std::optional<AlertWindow> window;
  };
  // `tally_rows`: the batch's groups of the plan as result rows (null without a plan's groups).
  Judgement batch_value(size_t rule, const LineCounts& batch,
                        const std::vector<std::vector<Value>>* tally_rows) const;
  // The rule's worst window among those that end in (after, through], on whole minutes.
  Judgement worst_window(size_t rule, int64_t after, int64_t through) const;
  int64_t delay_us(size_t rule) const;
  // The end of the last window of `rule` the watermark has finished, for the latest time `latest`.
  int64_t finished_through(size_t rule, int64_t latest) const;
  // The first minute of the windows of `rule` still to be judged; panes before it are late for the rule.
  int64_t horizon(size_t rule) const;
  // Panes before this minute are needed by no window still to be judged.
  int64_t oldest_needed_minute() const;
  void absorb_panes(const std::vector<std::vector<Value>>& tally_rows, int64_t latest_trusted_us);

  std::vector<AlertRule> rules_;
  std::optional<AlertPlanLayout> plan_;
  int64_t default_delay_us_ = 60'000'000;
  std::vector<AlertStatus> statuses_;
  std::vector<uint32_t> streaks_;
  bool windowed_ = false;  // some rule has `over`
  std::map<int64_t, Pane> panes_;
  std::vector<int64_t> first_minute_;  // per rule (see RuleMemory)
  std::vector<int64_t> counts_from_;   // per rule (see RuleMemory)
  int64_t latest_time_ = INT64_MIN;
  uint64_t late_lines_ = 0;
  uint64_t untrusted_lines_ = 0;
  bool any_fired_ = false;
};

}  // namespace logstream
