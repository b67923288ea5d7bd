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

namespace {

constexpr int64_t kMinuteUs = 60'000'000;

int64_t floor_to_minute(int64_t micros) noexcept {
  const int64_t r = micros % kMinuteUs;
  return micros - (r < 0 ? r + kMinuteUs : r);
}

// A window's value is worse than another's when it is further on the firing side of the threshold.
bool worse(const AlertRule& rule, double a, double b) {
  return rule.comparison == Comparison::kGreater || rule.comparison == Comparison::kGreaterEqual ? a > b
                                                                                                 : a < b;
}

}  // namespace

AlertEngine::AlertEngine(std::vector<AlertRule> rules) : rules_(std::move(rules)) {
  for (const AlertRule& rule : rules_) {
    statuses_.push_back({&rule, AlertState::kInactive, 0, false});
    windowed_ = windowed_ || rule.window_seconds > 0;
  }
  streaks_.assign(rules_.size(), 0);
  first_minute_.assign(rules_.size(), INT64_MIN);
  counts_from_.assign(rules_.size(), INT64_MIN);
}

void AlertEngine::use_plan(std::optional<AlertPlanLayout> plan, int64_t default_delay_us) {
  plan_ = std::move(plan);
  default_delay_us_ = default_delay_us;
}

bool AlertEngine::any_fired() const noexcept {
  if (any_fired_) return true;
  return std::any_of(statuses_.begin(), statuses_.end(),
                     [](const AlertStatus& s) { return s.state == AlertState::kFiring; });
}

AlertEngine::RuleMemory AlertEngine::memory(size_t rule) const {
  const AlertStatus& status = statuses_[rule];
  return {status.state,     streaks_[rule],      status.value,
          status.evaluated, first_minute_[rule], counts_from_[rule]};
}

void AlertEngine::restore(size_t rule, const RuleMemory& memory) {
  AlertStatus& status = statuses_[rule];
  status.state = memory.state;
  status.value = memory.value;
  status.evaluated = memory.evaluated;
  streaks_[rule] = memory.streak;
  first_minute_[rule] = memory.first_minute;
  counts_from_[rule] = memory.counts_from;
}

AlertEngine::WindowMemory AlertEngine::window_memory() const {
  WindowMemory memory;
  memory.latest_time = latest_time_;
  memory.panes.reserve(panes_.size());
  for (const auto& [minute, pane] : panes_) memory.panes.push_back(pane);
  return memory;
}

void AlertEngine::restore_windows(const WindowMemory& memory) {
  panes_.clear();
  latest_time_ = memory.latest_time;
  for (const Pane& pane : memory.panes) {
    if (pane.counts.size() == rules_.size()) panes_[pane.minute] = pane;
  }
  if (latest_time_ == INT64_MIN) return;
  for (size_t r = 0; r < rules_.size(); ++r) {
    if (rules_[r].window_seconds > 0 && first_minute_[r] == INT64_MIN) {
      first_minute_[r] = floor_to_minute(latest_time_) + kMinuteUs;
      counts_from_[r] = first_minute_[r];
    }
  }
}

int64_t AlertEngine::delay_us(size_t rule) const {
  const AlertRule& r = rules_[rule];
  return r.delay_seconds >= 0 ? r.delay_seconds * 1'000'000 : default_delay_us_;
}

int64_t AlertEngine::finished_through(size_t rule, int64_t latest) const {
  if (latest == INT64_MIN) return INT64_MIN;
  return floor_to_minute(latest - delay_us(rule));
}

int64_t AlertEngine::horizon(size_t rule) const {
  if (latest_time_ == INT64_MIN) return INT64_MIN;
  // The next window to judge ends a minute after the last one judged.
  const int64_t next_end = finished_through(rule, latest_time_) + kMinuteUs;
  return next_end - rules_[rule].window_seconds * 1'000'000;
}

int64_t AlertEngine::oldest_needed_minute() const {
  int64_t oldest = INT64_MAX;
  for (size_t r = 0; r < rules_.size(); ++r) {
    if (rules_[r].window_seconds > 0) oldest = std::min(oldest, horizon(r));
  }
  return oldest;
}

void AlertEngine::absorb_panes(const std::vector<std::vector<Value>>& tally_rows, int64_t latest_trusted_us) {
  const AlertPlanLayout& plan = *plan_;
  std::vector<const std::vector<Value>*> rows;
  rows.reserve(tally_rows.size());
  for (const std::vector<Value>& row : tally_rows) {
    const Value& minute = row[0];
    if (minute.null) continue;  // a line without a time is in no window
    const uint64_t lines = static_cast<uint64_t>(row[plan.lines_column].integer);
    if (minute.integer < 0 || minute.integer > latest_trusted_us) {
      untrusted_lines_ += lines;
      continue;
    }
    rows.push_back(&row);
  }
  // Judged on the windows as they stood before the batch.
  std::vector<int64_t> horizons(rules_.size(), INT64_MIN);
  for (size_t r = 0; r < rules_.size(); ++r) {
    if (rules_[r].window_seconds > 0) horizons[r] = horizon(r);
  }
  const int64_t oldest = oldest_needed_minute();
  for (const std::vector<Value>* trusted : rows) {
    const std::vector<Value>& row = *trusted;
    const int64_t minute = row[0].integer;
    const uint64_t lines = static_cast<uint64_t>(row[plan.lines_column].integer);
    if (minute < oldest) {
      late_lines_ += lines;  // every window that could take it has been judged
      continue;
    }
    for (size_t r = 0; r < rules_.size(); ++r) {
      if (rules_[r].window_seconds == 0 || minute < horizons[r] || minute < counts_from_[r]) continue;
      if (first_minute_[r] == INT64_MIN || minute < first_minute_[r]) first_minute_[r] = minute;
    }
    Pane& pane = panes_[minute];
    if (pane.counts.empty()) {
      pane.minute = minute;
      pane.counts.assign(rules_.size(), 0);
    }
    pane.lines += lines;
    for (size_t r = 0; r < rules_.size(); ++r) {
      if (rules_[r].window_seconds > 0 && plan.rule_column[r] >= 0)
        pane.counts[r] += static_cast<uint64_t>(row[static_cast<size_t>(plan.rule_column[r])].integer);
    }
    const Value& time = row[*plan.time_column];
    const int64_t latest = time.null ? minute : std::min(time.integer, latest_trusted_us);
    latest_time_ = latest_time_ == INT64_MIN ? latest : std::max(latest_time_, latest);
  }
}

AlertEngine::Judgement AlertEngine::worst_window(size_t rule_index, int64_t after, int64_t through) const {
  const AlertRule& rule = rules_[rule_index];
  const int64_t size = rule.window_seconds * 1'000'000;
  const int64_t first = first_minute_[rule_index];
  if (first == INT64_MIN) return {};
  // Only windows that start at or after the rule's first minute: the data covers them whole.
  int64_t end = std::max(after == INT64_MIN ? INT64_MIN : after + kMinuteUs, first + size);
  Judgement worst;
  auto consider = [&](uint64_t count, uint64_t lines, int64_t window_end) {
    double value = static_cast<double>(count);
    if (rule.aggregate == Aggregate::kRate) {
      if (lines == 0) return;  // no rate without lines
      value /= static_cast<double>(lines);
    }
    if (worst.defined && !worse(rule, value, worst.value)) return;
    worst = {value, true, AlertWindow{window_end - size, window_end}};
  };
  // A sliding sum over the panes: `low` is the window's first pane, `high` the first pane after it.
  auto low = panes_.lower_bound(end - size);
  auto high = low;
  uint64_t count = 0, lines = 0;
  while (end <= through) {
    for (; high != panes_.end() && high->first < end; ++high) {
      count += high->second.counts[rule_index];
      lines += high->second.lines;
    }
    for (; low != high && low->first < end - size; ++low) {
      count -= low->second.counts[rule_index];
      lines -= low->second.lines;
    }
    consider(count, lines, end);
    if (low == high) {
      // An empty window: every window until the next pane is empty too, and has the same value.
      const int64_t next = high == panes_.end() ? INT64_MAX : high->first + kMinuteUs;
      if (next > end + kMinuteUs) {
        end = next;
        continue;
      }
    }
    end += kMinuteUs;
  }
  return worst;
}

AlertEngine::Judgement AlertEngine::batch_value(size_t index, const LineCounts& batch,
                                                const std::vector<std::vector<Value>>* tally_rows) const {
  const AlertRule& rule = rules_[index];
  uint64_t count = 0, accepted = 0;
  const int column = plan_ ? plan_->rule_column[index] : -1;
  if (column >= 0) {
    if (!tally_rows) return {};
    for (const std::vector<Value>& row : *tally_rows) {
      count += static_cast<uint64_t>(row[static_cast<size_t>(column)].integer);
      accepted += static_cast<uint64_t>(row[plan_->lines_column].integer);
    }
  } else {
    // Status only: the batch's status counts answer it without looking at a line again.
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
  if (rule.aggregate == Aggregate::kCount) return {static_cast<double>(count), true, std::nullopt};
  if (accepted == 0) return {};  // no rate without lines
  return {static_cast<double>(count) / static_cast<double>(accepted), true, std::nullopt};
}

std::vector<AlertEvent> AlertEngine::on_batch(uint64_t batch_id, const LineCounts& batch,
                                              const GroupTable* tallies, int64_t latest_trusted_us) {
  const int64_t previous_latest = latest_time_;
  late_lines_ = 0;
  untrusted_lines_ = 0;
  // The plan's groups as rows, once for every rule.
  std::vector<std::vector<Value>> tally_rows;
  if (tallies) {
    tally_rows.reserve(tallies->size());
    for (size_t g = 0; g < tallies->size(); ++g) tally_rows.push_back(tallies->result_row(g));
  }
  if (windowed_ && plan_ && plan_->by_minute && tallies) absorb_panes(tally_rows, latest_trusted_us);
  std::vector<AlertEvent> events;
  for (size_t i = 0; i < rules_.size(); ++i) {
    AlertStatus& status = statuses_[i];
    Judgement value;
    if (rules_[i].window_seconds > 0) {
      const int64_t after = finished_through(i, previous_latest);
      const int64_t through = finished_through(i, latest_time_);
      if (through != INT64_MIN && (after == INT64_MIN || through > after))
        value = worst_window(i, after, through);
    } else {
      value = batch_value(i, batch, tallies ? &tally_rows : nullptr);
    }
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
    events.push_back({&rules_[i], reported, value.value, batch_id, value.window});
  }
  // Panes no window still to be judged needs.
  if (windowed_) panes_.erase(panes_.begin(), panes_.lower_bound(oldest_needed_minute()));
  return events;
}

}  // namespace logstream
