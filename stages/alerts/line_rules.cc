#include "stages/alerts/line_rules.h"

#include <algorithm>

namespace logstream {
namespace {

// MULTILINE: ^ and $ match at each endpoint (they are scanned joined by '\n'); SOM_LEFTMOST: the start
// offset tells a match inside one endpoint from one that spans two.
constexpr unsigned kEndpointPatternFlags = HS_FLAG_MULTILINE | HS_FLAG_SOM_LEFTMOST;

// "rules.txt: line 3: " for a rule from a rules file, else nothing.
std::string where(const AlertRule& rule) { return rule.origin.empty() ? "" : rule.origin + ": "; }

}  // namespace

Expected<std::shared_ptr<const LineRules>> LineRules::create(const std::vector<AlertRule>& rules) {
  auto result = std::make_shared<LineRules>();
  std::vector<PatternSpec> specs;
  for (const AlertRule& rule : rules) {
    const bool per_line = rule.needs_fields() || rule.window_seconds > 0;
    result->slot_of_rule_.push_back(per_line ? static_cast<int>(result->rules_.size()) : -1);
    if (!per_line) continue;
    if (result->rules_.size() == kMaxLineRules) {
      return Error{where(rule) + "at most " + std::to_string(kMaxLineRules) +
                   " rules may look at method, host, endpoint or use a window; '" + rule.name +
                   "' is one too many"};
    }
    result->rules_.push_back(rule);
    result->needs_fields_ = result->needs_fields_ || rule.needs_fields();
    result->needs_time_ = result->needs_time_ || rule.window_seconds > 0;
  }
  uint32_t next_bit = 0;
  std::vector<uint32_t> bases;
  for (const AlertRule& rule : result->rules_) {
    bases.push_back(next_bit);
    for (const std::string& pattern : rule.patterns) {
      if (next_bit == 64) return Error{"at most 64 endpoint patterns in all rules together"};
      specs.push_back({pattern, kEndpointPatternFlags, next_bit++});
    }
  }
  for (size_t i = 0; i < result->rules_.size(); ++i) result->slots_.push_back({&result->rules_[i], bases[i]});
  if (!specs.empty()) {
    auto set = PatternSet::create(specs);
    if (!set) {
      // Point at the pattern that failed, in its rule's text: compile them one at a time until one does.
      for (const AlertRule& rule : result->rules_) {
        for (size_t i = 0; i < rule.patterns.size(); ++i) {
          const std::string& pattern = rule.patterns[i];
          auto alone = PatternSet::create({{pattern, kEndpointPatternFlags, 0}});
          if (alone) continue;
          // PatternSet names the pattern; here the caret does, so only Hyperscan's reason remains.
          std::string_view reason = alone.error();
          const std::string named = "cannot compile pattern '" + pattern + "': ";
          if (reason.substr(0, named.size()) == named) reason.remove_prefix(named.size());
          return Error{where(rule) + rule_error_at(rule.text, rule.pattern_offsets[i],
                                                   "rule '" + rule.name + "': endpoint pattern \"" +
                                                       rule_text_for_terminal(pattern) +
                                                       "\" does not compile: " + std::string(reason))};
        }
      }
      return Error{set.error()};
    }
    result->patterns_.emplace(std::move(set).value());
    result->needs_endpoint_scan_ = true;
  }
  return std::shared_ptr<const LineRules>(std::move(result));
}

std::optional<std::string> LineRules::unanswerable(const LogFormat* format,
                                                   std::string_view format_name) const {
  if (slots_.empty()) return std::nullopt;
  if (!format) {
    return "--format " + std::string(format_name) +
           " gives only the status of a line: alert rules on method, host or endpoint, or with an 'over' "
           "window, need a format with fields (e.g. --format combined)";
  }
  // What each rule reads, and the LogFormat fields that carry it.
  struct Need {
    bool (*needed)(const AlertRule&);
    FieldKind kinds[2];
    const char* what;
  };
  static constexpr Need kNeeds[] = {
      {[](const AlertRule& r) { return r.uses_field(LineField::kEndpoint); },
       {FieldKind::kRequest, FieldKind::kRequest},
       "the endpoint (from the request line, %r)"},
      {[](const AlertRule& r) { return r.uses_field(LineField::kMethod); },
       {FieldKind::kRequest, FieldKind::kRequest},
       "the method (from the request line, %r)"},
      {[](const AlertRule& r) { return r.uses_field(LineField::kHost); },
       {FieldKind::kHost, FieldKind::kHost},
       "the client host (%h)"},
      {[](const AlertRule& r) { return r.window_seconds > 0; },
       {FieldKind::kTimeBracketed, FieldKind::kTimeBare},
       "the time of each line (%t) for its 'over' window"},
  };
  for (const AlertRule& rule : rules_) {
    for (const Need& need : kNeeds) {
      if (!need.needed(rule) || format->has_field(need.kinds[0]) || format->has_field(need.kinds[1]))
        continue;
      return where(rule) + "alert rule '" + rule.name + "' reads " + need.what + ", but --format " +
             std::string(format_name) + " ('" + rule_text_for_terminal(format->description()) +
             "') has no such field: use a format that has it, or drop the rule";
    }
  }
  return std::nullopt;
}

int LineRules::slot_of(size_t rule_index) const noexcept {
  return rule_index < slot_of_rule_.size() ? slot_of_rule_[rule_index] : -1;
}

Expected<std::unique_ptr<LineObserver::Context>> LineRules::make_context() const {
  auto context = std::make_unique<Context>();
  if (patterns_) {
    auto scratch = patterns_->make_scratch();
    if (!scratch) return Error{scratch.error()};
    context->scratch.emplace(std::move(scratch).value());
  }
  return std::unique_ptr<LineObserver::Context>(std::move(context));
}

void LineRules::observe(LineObserver::Context& observer_context, const ParsedLine& line) const {
  // Only this class makes the contexts it is given (make_context).
  auto& context = static_cast<Context&>(observer_context);
  Context::Pending pending;
  if (line.status >= 0) pending.facts.status = line.status;  // none: cut off before it (the null row)
  if (needs_fields_) {
    ParsedLine request;
    split_request(line.request, request);
    pending.facts.method = request.method;
    pending.facts.endpoint = request.target;
    pending.facts.host = line.host;
  }
  pending.has_time = line.has_time;
  pending.minute = line.epoch_seconds >= 0 ? line.epoch_seconds / 60 : (line.epoch_seconds - 59) / 60;
  if (needs_endpoint_scan_) {
    pending.endpoint_start = static_cast<uint32_t>(context.endpoints.size());
    context.endpoints.append(pending.facts.endpoint);
    context.endpoints.push_back('\n');
    context.line_ends.push_back(static_cast<uint32_t>(context.endpoints.size() - 1));
  }
  context.lines.push_back(pending);
}

int LineRules::finish_chunk(LineObserver::Context& observer_context, LineCounts& counts) const {
  auto& context = static_cast<Context&>(observer_context);
  int scan_error = 0;
  auto note = [&scan_error](hs_error_t result) {
    if (PatternSet::failed(result) && scan_error == 0) scan_error = result;
  };
  if (needs_endpoint_scan_ && !context.lines.empty()) {
    // One scan for the whole chunk. Matches come in order of their end, so the line is found by walking.
    size_t line = 0;
    std::vector<std::pair<size_t, unsigned>> spanning;  // (line, pattern) matches that crossed a '\n'
    auto on_match = [&](unsigned id, size_t from, size_t to) {
      while (line < context.line_ends.size() && context.line_ends[line] < to) ++line;
      if (line == context.lines.size()) return true;
      const size_t start = context.lines[line].endpoint_start;
      if (from >= start) {
        context.lines[line].facts.pattern_matches |= uint64_t{1} << id;
      } else if (!((context.lines[line].facts.pattern_matches >> id) & 1)) {
        spanning.emplace_back(line, id);
      }
      return true;
    };
    note(patterns_->scan_with_start(context.endpoints.data(), context.endpoints.size(), *context.scratch,
                                    on_match));
    // A match that starts in an earlier endpoint (a negated class can match '\n') says nothing about this
    // one; these rare lines are scanned again on their own.
    for (const auto& [index, id] : spanning) {
      Context::Pending& pending = context.lines[index];
      if ((pending.facts.pattern_matches >> id) & 1) continue;
      const std::string_view endpoint = pending.facts.endpoint;
      auto single = [&](unsigned match_id, size_t, size_t) {
        pending.facts.pattern_matches |= uint64_t{1} << match_id;
        return true;
      };
      note(patterns_->scan_with_start(endpoint.data(), endpoint.size(), *context.scratch, single));
    }
  }
  for (const Context::Pending& pending : context.lines) {
    MinuteTally* tally = nullptr;
    if (needs_time_ && pending.has_time) {
      tally = &counts.minute_tally(pending.minute);
      ++tally->accepted;
    }
    for (size_t slot = 0; slot < slots_.size(); ++slot) {
      if (!slots_[slot].rule->matches(pending.facts, slots_[slot].pattern_base)) continue;
      ++counts.rule_matches[slot];
      if (tally) ++tally->matches[slot];
    }
  }
  context.lines.clear();
  context.endpoints.clear();
  context.line_ends.clear();
  return scan_error;
}

}  // namespace logstream
