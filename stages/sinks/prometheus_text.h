// The Prometheus text exposition format (version 0.0.4) of the query's counters: lines read, accepted and
// rejected by reason, bytes, batches, lines per status, and each alert rule's state and value.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "stages/alerts/alert_engine.h"
#include "stages/core/line_counts.h"

namespace logstream {

std::string render_prometheus(const LineCounts& totals, uint64_t batches,
                              const std::vector<AlertStatus>& alerts);

// A label value with '\', '"' and newline escaped as the exposition format requires.
std::string escape_prometheus_label(std::string_view value);

}  // namespace logstream
