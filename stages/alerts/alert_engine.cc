#include "stages/alerts/alert_engine.h"

#include <algorithm>

namespace logstream {

std::string_view alert_state_name(AlertState state) noexcept {
  switch (state) {
    case AlertState::kInactive:
      return "inactive";
    case AlertState::kPending:
      return "pending";
    case AlertState::kFiring:
      return "firing";
  }
  return "inactive";
}

AlertEngine::AlertEngine(std::vector<AlertRule> rules, std::shared_ptr<const LineRules> line_rules)
    : rules_(std::move(rules)), line_rules_(std::move(line_rules)) {
  for (const AlertRule& rule : rules_) {
    statuses_.push_back({&rule, AlertState::kInactive, 0, false});
    longest_window_minutes_ = std::max(longest_window_minutes_, rule.window_seconds / 60);
  }
  streaks_.assign(rules_.size(), 0);
}

bool AlertEngine::any_fired() const noexcept {
  if (any_fired_) return true;
  return std::any_of(statuses_.begin(), statuses_.end(),
                     [](const AlertStatus& s) { return s.state == AlertState::kFiring; });
}

AlertEngine::RuleMemory AlertEngine::memory(size_t rule) const {
  const AlertStatus& status = statuses_[rule];
  return {status.state, streaks_[rule], status.value, status.evaluated};
}

void AlertEngine::restore(size_t rule, const RuleMemory& memory) {
  AlertStatus& status = statuses_[rule];
  status.state = memory.state;
  status.value = memory.value;
  status.evaluated = memory.evaluated;
  streaks_[rule] = memory.streak;
}

std::vector<MinuteTally> AlertEngine::window_minutes() const {
  std::vector<MinuteTally> minutes;
  minutes.reserve(window_.size());
  for (const auto& [minute, tally] : window_) minutes.push_back(tally);
  return minutes;
}

void AlertEngine::restore_window(const std::vector<MinuteTally>& minutes) {
  window_.clear();
  newest_minute_ = INT64_MIN;
  if (longest_window_minutes_ == 0) return;
  for (const MinuteTally& tally : minutes) {
    window_[tally.minute] = tally;
    newest_minute_ = std::max(newest_minute_, tally.minute);
  }
}

AlertEngine::Value AlertEngine::value_of(size_t index, const LineCounts& batch) const {
  const AlertRule& rule = rules_[index];
  const int slot = line_rules_ ? line_rules_->slot_of(index) : -1;
  uint64_t count = 0, accepted = 0;
  if (rule.window_seconds > 0) {
    if (newest_minute_ == INT64_MIN || slot < 0) return {};
    const int64_t first = newest_minute_ - rule.window_seconds / 60 + 1;
    for (auto it = window_.lower_bound(first); it != window_.end(); ++it) {
      count += it->second.matches[static_cast<size_t>(slot)];
      accepted += it->second.accepted;
    }
  } else if (slot >= 0) {
    count = batch.rule_matches[static_cast<size_t>(slot)];
    accepted = batch.accepted();
  } else {
    // Status only: the batch's status table answers it without looking at a line again.
    LineFacts facts;
    for (int code = 0; code < kStatusSlots; ++code) {
      const uint64_t n = batch.status[static_cast<size_t>(code)];
      if (n == 0) continue;
      facts.status = code;
      if (rule.matches(facts)) count += n;
    }
    if (batch.null_status > 0) {
      facts.status.reset();
      if (rule.matches(facts)) count += batch.null_status;
    }
    accepted = batch.accepted();
  }
  if (rule.aggregate == Aggregate::kCount) return {static_cast<double>(count), true};
  if (accepted == 0) return {};  // no rate without lines
  return {static_cast<double>(count) / static_cast<double>(accepted), true};
}

std::vector<AlertEvent> AlertEngine::on_batch(uint64_t batch_id, const LineCounts& batch) {
  if (longest_window_minutes_ > 0) {
    for (const MinuteTally& tally : batch.minutes) {
      MinuteTally& ours = window_[tally.minute];
      ours.minute = tally.minute;
      ours.accepted += tally.accepted;
      for (size_t i = 0; i < kMaxLineRules; ++i) ours.matches[i] += tally.matches[i];
      newest_minute_ = std::max(newest_minute_, tally.minute);
    }
    // Minutes older than the longest window can never count again.
    if (newest_minute_ != INT64_MIN)
      window_.erase(window_.begin(), window_.lower_bound(newest_minute_ - longest_window_minutes_ + 1));
  }
  std::vector<AlertEvent> events;
  for (size_t i = 0; i < rules_.size(); ++i) {
    AlertStatus& status = statuses_[i];
    const Value value = value_of(i, batch);
    if (!value.defined) continue;  // nothing to judge this batch on: the state stands
    status.value = value.value;
    status.evaluated = true;
    const bool holds = rules_[i].holds(value.value);
    streaks_[i] = holds ? streaks_[i] + 1 : 0;
    AlertState next = status.state;
    if (holds) {
      next = streaks_[i] >= rules_[i].for_batches ? AlertState::kFiring : AlertState::kPending;
    } else {
      next = AlertState::kInactive;
    }
    if (next == status.state) continue;
    const char* reported = next == AlertState::kFiring    ? "firing"
                           : next == AlertState::kPending ? "pending"
                                                          : "resolved";
    status.state = next;
    if (next == AlertState::kFiring) any_fired_ = true;
    events.push_back({&rules_[i], reported, value.value, batch_id});
  }
  return events;
}

}  // namespace logstream
