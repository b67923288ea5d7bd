// The dashboard of a query: what the live page (--ui-port) and the static report (--sink html=FILE) show
// — the query, the current result table (every row, up to kMaxDashboardRows), a chart of the result
// (bars for a grouped result, lines over an event-time window), the input rows, rejects and latency of
// each batch, and the alert states — as one JSON state, and the page that draws it with Chart.js (Debian's
// libjs-chart.js, built into the binary: nothing is fetched from the network).
//
// Log-derived text is untrusted: the state is JSON whose '<', '>' and '&' are written as \u escapes, so
// it cannot close the <script> element that carries it, and the page's script puts every string into the
// DOM as text (textContent), never as markup.
#pragma once

#include <cstdint>
#include <deque>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stages/core/line_counts.h"
#include "stages/core/time_zone.h"
#include "stages/core/value.h"
#include "stages/sinks/prometheus_text.h"
#include "stages/sinks/row_text.h"

namespace logstream {

// More rows than a browser table stays usable with; the state says how many there were.
inline constexpr size_t kMaxDashboardRows = 100000;
// Batches kept for the per-batch chart.
inline constexpr size_t kDashboardBatchHistory = 500;

struct DashboardBatch {
  uint64_t batch_id = 0;
  const Schema* schema = nullptr;
  const ResultRows* rows = nullptr;
  const LineCounts* counts = nullptr;  // the batch alone
  double latency_ms = 0;               // trigger to result
  const std::vector<AlertGauge>* alerts = nullptr;
};

class DashboardState {
 public:
  DashboardState(std::string query, TimeZone zone) : query_(std::move(query)), zone_(std::move(zone)) {}

  // The batch's result becomes the table (in update and append mode, the batch's rows), and the batch
  // joins the history.
  void add_batch(const DashboardBatch& batch);
  // The whole state as JSON, safe inside an HTML <script> element.
  std::string to_json() const;

 private:
  struct History {
    uint64_t batch_id;
    uint64_t input_rows, rejected;
    double latency_ms;
  };
  std::string query_;
  TimeZone zone_;
  std::string columns_json_ = "[]";
  std::string rows_json_ = "[]";
  std::string chart_json_ = "null";
  size_t total_rows_ = 0;
  std::optional<uint64_t> last_batch_;
  std::deque<History> history_;
  std::string alerts_json_ = "[]";
};

// The live page: its script and styles come from the server (/app.js, /chart.js, /style.css); it carries
// the state of the moment it was served (empty before the first batch) and then follows /events.
std::string dashboard_live_page(std::string_view state_json);
// The static report: one self-contained file, the state inside it.
std::string dashboard_report_page(std::string_view state_json);

std::string_view dashboard_script();  // /app.js
std::string_view dashboard_styles();  // /style.css
std::string_view chart_js_library();  // /chart.js: Chart.js from libjs-chart.js

// The Content-Security-Policy of the live page (sent as a header) and of the report (a <meta>).
std::string_view dashboard_live_csp();
std::string_view dashboard_report_csp();

}  // namespace logstream
