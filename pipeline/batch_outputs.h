// Everything a closed batch is handed to, in order: the sinks (--sink, console by default), the alert
// rules and their actions, the Prometheus file and endpoint, and the --progress line. Set up (and every
// user mistake found) before the graph starts.
#pragma once

#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/alert_actions.h"
#include "pipeline/dashboard_server.h"
#include "pipeline/metrics_server.h"
#include "stages/alerts/alert_engine.h"
#include "stages/sinks/batch_sink.h"
#include "stages/sinks/dashboard.h"
#include "stages/sinks/prometheus_text.h"

namespace logstream {

struct OutputOptions {
  std::vector<std::string> sinks;        // --sink specs; empty: console on stdout
  std::vector<std::string> alert_rules;  // --alert
  std::string alert_rules_file;          // --alert-rules
  std::string alert_log;                 // --alert-log
  std::string on_alert;                  // --on-alert
  std::string prometheus_file;           // --prometheus-file
  int metrics_port = -1;                 // --metrics-port; -1: none
  int ui_port = -1;                      // --ui-port; -1: none, 0: any free port
  std::string ui_bind = "127.0.0.1";     // --ui-bind
  bool progress = false;                 // --progress
};

// The state operator of the query after a batch, for --progress (Spark's stateOperators).
struct StateReport {
  std::string operator_name;  // the aggregation, e.g. "groupBy(status).count()"
  size_t rows_total = 0;      // groups held
  size_t rows_updated = 0;    // groups the batch created or changed
  size_t memory_bytes = 0;    // bytes the groups hold
  // With a watermark: late rows dropped by this batch, and the watermark it ran with (text, in UTC).
  std::optional<uint64_t> rows_dropped_by_watermark;
  uint64_t rows_untrusted_time = 0;  // in no window: dated before 1970 or past --max-future
  std::string watermark;
  // With alert rules on windows: the batch's lines too late for every window, and those whose time the
  // windows do not trust.
  struct AlertWindowLines {
    uint64_t late = 0;
    uint64_t untrusted = 0;
  };
  std::optional<AlertWindowLines> alert_windows;
};

// Durations of one batch, for --progress.
struct BatchTimings {
  double read_parse_ms = 0;  // trigger start to the last chunk merged
  double sink_ms = 0;        // sinks, alerts and metrics
  double commit_ms = 0;      // checkpoint
  double total_ms = 0;
};

class BatchOutputs {
 public:
  // Usage errors: a bad rule (with its column), an unknown sink, two sinks on stdout. Runtime errors
  // (a file that cannot be opened, a port in use) come back the same way; the caller tells them apart
  // by `usage_error`.
  struct SetupError {
    std::string message;
    bool usage_error = true;
  };
  // Parses and checks the rules and sink flags; touches nothing outside the process.
  static std::unique_ptr<BatchOutputs> create(const OutputOptions& options, WarningHandler warn,
                                              SetupError& error);
  // Opens the sinks and the alert log, and starts the metrics endpoint: call once every other flag
  // (the format, with these rules) has been accepted, so a query that cannot run leaves nothing behind.
  bool open(const OutputOptions& options, const SinkSettings& settings, SetupError& error);

  // How many result rows the sinks look at: every one, unless the only sink is the console, which shows
  // the first --num-rows and says whether there were more.
  size_t rows_needed() const noexcept { return rows_needed_; }
  // For a query whose rows stream (QueryExecutor::streams_rows): which texts the sinks write, and how
  // many rows the console keeps (0 without a console).
  bool wants_jsonl() const noexcept { return wants_jsonl_; }
  bool wants_csv() const noexcept { return wants_csv_; }
  size_t console_rows() const noexcept { return console_rows_; }
  // Called on the merge stage with each chunk's rows of a streaming query, in input order; a failed write
  // is reported by the batch's on_batch.
  void stream_rows(const Schema& schema, const RenderedRows& rows);
  // Rows not yet rendered (an aggregation's result, slice by slice) as the texts the sinks want, for
  // stream_rows. Safe to call on several threads at once.
  RenderedRows render_result_rows(uint64_t batch_id, const Schema& schema, const ResultRows& rows) const;

  // Called on the merge stage when a batch closes, with the query's result rows for the batch and the
  // line accounting since the start (`totals`) and of the batch. False when a sink could not be written.
  // `rows_streamed`: the text sinks already have the rows (stream_rows), `rows` are the console's.
  // `data`: false for a batch run for the watermark alone, which the alert rules do not see (a count of 0
  // in it says nothing about the stream). `alert_tallies`: the batch's groups of the alert rules' plan
  // (null without one); `latest_trusted_us`: the latest event time their windows trust.
  bool on_batch(uint64_t batch_id, const Schema& schema, const ResultRows& rows, const LineCounts& totals,
                const LineCounts& batch, bool rows_streamed = false, bool data = true,
                const GroupTable* alert_tallies = nullptr, int64_t latest_trusted_us = INT64_MAX,
                double latency_ms = 0);
  // Called once the batch is committed, with what it took (prints the --progress line).
  void after_batch(uint64_t batch_id, const LineCounts& batch, size_t files, const StateReport& state,
                   const BatchTimings& timings, size_t pool_bytes);
  // At the end of the query: waits briefly for --on-alert programs still running.
  void finish();

  bool any_alert_fired() const { return alerts_ && alerts_->any_fired(); }
  // The alert rules' engine, null without rules: its memory is part of the checkpoint.
  AlertEngine* alerts() { return alerts_.get(); }
  // The query's id (--progress `id`): random for a new query, restored from its checkpoint otherwise.
  const std::string& query_id() const { return query_id_; }
  void restore_query_id(std::string id) { query_id_ = std::move(id); }
  const AlertEngine* alerts() const { return alerts_.get(); }
  double last_sink_ms() const { return last_sink_ms_; }
  // errno of the first sink write that failed in the last on_batch (EPIPE: stdout's reader went away).
  int last_sink_errno() const { return last_sink_errno_; }

 private:
  BatchOutputs() = default;

  std::vector<std::unique_ptr<BatchSink>> sinks_;
  std::unique_ptr<DashboardServer> dashboard_;  // --ui-port
  std::unique_ptr<DashboardState> live_state_;  // what the dashboard shows
  size_t rows_needed_ = SIZE_MAX;
  bool wants_jsonl_ = false;
  bool wants_csv_ = false;
  size_t console_rows_ = 0;
  int streamed_errno_ = 0;
  TimeZone zone_;                                // the session time zone the sinks render in
  std::vector<AlertGauge> alert_gauges() const;  // the alert states as the Prometheus sink shows them

  std::unique_ptr<AlertEngine> alerts_;
  bool alerts_saw_batch_ = false;  // the last batch was shown to the alert rules
  std::unique_ptr<AlertActions> actions_;
  std::unique_ptr<MetricsServer> metrics_;
  std::string prometheus_file_;
  bool progress_ = false;
  WarningHandler warn_;
  uint64_t batches_ = 0;
  double last_sink_ms_ = 0;
  int last_sink_errno_ = 0;
  std::string run_id_;
  std::string query_id_;
  bool prometheus_failed_ = false;
};

// One --progress line, modelled on Spark's StreamingQueryProgress.
// `query_id`: Spark's `id`, the same across restarts from one checkpoint; `run_id`: new at every start.
std::string render_progress_json(const std::string& query_id, const std::string& run_id, uint64_t batch_id,
                                 const LineCounts& batch, size_t files, const StateReport& state,
                                 const BatchTimings& timings, long peak_rss_kb, size_t pool_bytes);

}  // namespace logstream
