// The Prometheus text exposition format (version 0.0.4) of the query's counters: lines read, accepted and
// rejected by reason, bytes, batches, lines per status, and each alert rule's state and value.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stages/core/line_counts.h"

namespace logstream {

// One alert rule as the exposition shows it (the alert engine's state, told in the sink's own terms so
// that the sinks need nothing from the alerts).
struct AlertGauge {
  std::string_view rule;        // the rule's name
  int state = 0;                // 0 inactive, 1 pending, 2 firing
  std::optional<double> value;  // the last evaluation's count or rate; none before the first
};

std::string render_prometheus(const LineCounts& totals, uint64_t batches,
                              const std::vector<AlertGauge>& alerts);

// A label value with '\', '"' and newline escaped as the exposition format requires.
std::string escape_prometheus_label(std::string_view value);

}  // namespace logstream
