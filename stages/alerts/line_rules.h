// The part of the alert rules that runs on the parse threads: rules that need a line's method, host or
// endpoint, or its event time (windows), are counted per line into LineCounts::rule_matches and
// LineCounts::minutes. Every endpoint regex of every rule is compiled into one Hyperscan database; a
// chunk's endpoints are scanned in one call, never one call per line.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stages/alerts/alert_rule.h"
#include "stages/core/chunk.h"
#include "stages/core/pattern_set.h"
#include "stages/parser/line_observer.h"
#include "stages/parser/log_format.h"

namespace logstream {

class LineRules final : public LineObserver {
 public:
  // `rules` are all the query's rules; the ones that need per-line counting get slots in rule order.
  // Errors: too many such rules, or an endpoint regex Hyperscan cannot compile (named with its rule, and
  // with the rule's column and a caret under the pattern's string).
  static Expected<std::shared_ptr<const LineRules>> create(const std::vector<AlertRule>& rules);

  bool empty() const noexcept { return slots_.empty(); }
  bool needs_fields() const noexcept { return needs_fields_; }
  bool needs_time() const noexcept { return needs_time_; }
  // Why a file in `format` could not answer one of the per-line rules: the format lacks a field the rule
  // reads (the request line, the host or the time), or it is spark-seed (null), which has only the status.
  std::optional<std::string> unanswerable(const LogFormat* format,
                                          std::string_view format_name) const override;
  // The slot of rule `rule_index` in LineCounts::rule_matches, or -1 when it is counted from the table.
  int slot_of(size_t rule_index) const noexcept;

  // Per-thread state: the accepted lines of the chunk being parsed, and the Hyperscan scratch.
  class Context final : public LineObserver::Context {
   private:
    friend class LineRules;
    struct Pending {
      LineFacts facts;
      int64_t minute = 0;
      bool has_time = false;
      uint32_t endpoint_start = 0;  // in `endpoints`
    };
    std::vector<Pending> lines;
    std::string endpoints;  // every pending endpoint, each followed by '\n'
    std::vector<uint32_t> line_ends;
    std::optional<PatternSet::Scratch> scratch;
  };
  Expected<std::unique_ptr<LineObserver::Context>> make_context() const override;

  // Each accepted line of a chunk is kept; finish_chunk evaluates them all after one endpoint scan.
  void observe(LineObserver::Context& context, const ParsedLine& line) const override;
  [[nodiscard]] int finish_chunk(LineObserver::Context& context, LineCounts& counts) const override;

 private:
  struct Slot {
    const AlertRule* rule;
    uint32_t pattern_base;  // bit of the rule's first endpoint pattern
  };
  std::vector<AlertRule> rules_;  // copies of the per-line rules, in slot order
  std::vector<Slot> slots_;
  std::vector<int> slot_of_rule_;
  std::optional<PatternSet> patterns_;
  bool needs_fields_ = false;
  bool needs_time_ = false;
  bool needs_endpoint_scan_ = false;
};

}  // namespace logstream
