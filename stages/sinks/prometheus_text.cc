#include "stages/sinks/prometheus_text.h"

#include <cstdio>

namespace logstream {
namespace {

void family(std::string& out, const char* name, const char* type, const char* help) {
  out.append("# HELP ").append(name).append(" ").append(help).append("\n");
  out.append("# TYPE ").append(name).append(" ").append(type).append("\n");
}

void sample(std::string& out, const char* name, const std::string& labels, double value) {
  char number[64];
  std::snprintf(number, sizeof number, "%.17g", value);
  out.append(name);
  if (!labels.empty()) out.append("{").append(labels).append("}");
  out.append(" ").append(number).append("\n");
}

std::string label(const char* key, std::string_view value) {
  return std::string(key) + "=\"" + escape_prometheus_label(value) + "\"";
}

}  // namespace

std::string escape_prometheus_label(std::string_view value) {
  std::string out;
  for (const char c : value) {
    if (c == '\\')
      out += "\\\\";
    else if (c == '"')
      out += "\\\"";
    else if (c == '\n')
      out += "\\n";
    else
      out += c;
  }
  return out;
}

std::string render_prometheus(const LineCounts& totals, uint64_t batches,
                              const std::vector<AlertGauge>& alerts) {
  std::string out;
  family(out, "logstream_lines_read_total", "counter", "Lines read from the input files.");
  sample(out, "logstream_lines_read_total", "", static_cast<double>(totals.lines_read));
  family(out, "logstream_lines_accepted_total", "counter", "Lines that fit the format.");
  sample(out, "logstream_lines_accepted_total", "", static_cast<double>(totals.accepted()));
  family(out, "logstream_lines_rejected_total", "counter", "Lines rejected, by reason.");
  for (size_t r = 0; r < kRejectReasonCount; ++r) {
    sample(out, "logstream_lines_rejected_total",
           label("reason", reject_reason_name(static_cast<RejectReason>(r))),
           static_cast<double>(totals.rejects[r]));
  }
  family(out, "logstream_bytes_read_total", "counter", "Bytes read from the input files.");
  sample(out, "logstream_bytes_read_total", "", static_cast<double>(totals.bytes_read));
  family(out, "logstream_batches_total", "counter", "Batches closed.");
  sample(out, "logstream_batches_total", "", static_cast<double>(batches));
  family(out, "logstream_status_lines_total", "counter", "Accepted lines per HTTP status (null: no status).");
  if (totals.null_status > 0)
    sample(out, "logstream_status_lines_total", label("status", "null"),
           static_cast<double>(totals.null_status));
  for (size_t code = 0; code < totals.status.size(); ++code) {
    if (totals.status[code] == 0) continue;
    sample(out, "logstream_status_lines_total", label("status", std::to_string(code)),
           static_cast<double>(totals.status[code]));
  }
  if (!alerts.empty()) {
    family(out, "logstream_alert_state", "gauge", "Alert rule state: 0 inactive, 1 pending, 2 firing.");
    for (const AlertGauge& alert : alerts)
      sample(out, "logstream_alert_state", label("rule", alert.rule), static_cast<double>(alert.state));
    family(out, "logstream_alert_value", "gauge", "The rule's count or rate at its last evaluation.");
    for (const AlertGauge& alert : alerts) {
      if (alert.value) sample(out, "logstream_alert_value", label("rule", alert.rule), *alert.value);
    }
  }
  return out;
}

}  // namespace logstream
