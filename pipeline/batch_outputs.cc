#include "pipeline/batch_outputs.h"

#include <sys/resource.h>

#include <cerrno>
#include <chrono>
#include <cmath>
#include <cstring>
#include <fstream>
#include <nlohmann/json.hpp>
#include <random>
#include <sstream>

#include "stages/core/atomic_file.h"
#include "stages/core/wall_clock.h"
#include "stages/sinks/prometheus_text.h"

namespace logstream {
namespace {

std::string random_run_id() {
  std::random_device device;
  std::mt19937_64 rng((static_cast<uint64_t>(device()) << 32) ^ device());
  char buffer[40];
  const uint64_t a = rng(), b = rng();
  std::snprintf(buffer, sizeof buffer, "%08x-%04x-4%03x-%04x-%012llx", static_cast<unsigned>(a >> 32),
                static_cast<unsigned>((a >> 16) & 0xffff), static_cast<unsigned>(a & 0xfff),
                static_cast<unsigned>(0x8000 | ((b >> 48) & 0x3fff)),
                static_cast<unsigned long long>(b & 0xffffffffffffULL));
  return buffer;
}

Expected<std::string> read_whole_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return Error{path + ": cannot read: " + std::strerror(errno)};
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

}  // namespace

std::unique_ptr<BatchOutputs> BatchOutputs::create(const OutputOptions& options, WarningHandler warn,
                                                   SetupError& error) {
  std::unique_ptr<BatchOutputs> outputs(new BatchOutputs());
  outputs->warn_ = warn;
  outputs->progress_ = options.progress;
  outputs->run_id_ = random_run_id();
  outputs->query_id_ = random_run_id();

  // Rules first: they are pure usage errors.
  std::vector<AlertRule> rules;
  for (const std::string& text : options.alert_rules) {
    auto rule = parse_alert_rule(text);
    if (!rule) {
      error = {"--alert: " + rule.error(), true};
      return nullptr;
    }
    rules.push_back(std::move(rule).value());
  }
  if (!options.alert_rules_file.empty()) {
    auto content = read_whole_file(options.alert_rules_file);
    if (!content) {
      error = {"--alert-rules " + content.error(), true};
      return nullptr;
    }
    auto parsed = parse_alert_rules_file(content.value(), options.alert_rules_file);
    if (!parsed) {
      error = {"--alert-rules " + parsed.error(), true};
      return nullptr;
    }
    for (AlertRule& rule : parsed.value()) rules.push_back(std::move(rule));
  }
  for (size_t i = 0; i < rules.size(); ++i) {
    for (size_t j = 0; j < i; ++j) {
      if (rules[i].name == rules[j].name) {
        // Two in the rules file are its parser's error, naming both lines.
        error = {rules[i].origin.empty() ? "--alert: two alert rules are named '" + rules[i].name + "'"
                                         : "--alert-rules " + rules[i].origin + ": a rule named '" +
                                               rules[i].name + "' is already given with --alert",
                 true};
        return nullptr;
      }
    }
  }
  if ((!options.alert_log.empty() || !options.on_alert.empty()) && rules.empty()) {
    error = {"--alert-log and --on-alert need at least one --alert or --alert-rules", true};
    return nullptr;
  }
  if (!options.on_alert.empty()) {
    if (auto problem = AlertActions::program_problem(options.on_alert)) {
      error = {"--on-alert " + *problem, true};
      return nullptr;
    }
  }
  if (!rules.empty()) outputs->alerts_ = std::make_unique<AlertEngine>(std::move(rules));

  int on_stdout = options.sinks.empty() ? 1 : 0;  // the default console sink
  for (const std::string& spec : options.sinks) {
    const size_t equals = spec.find('=');
    if (equals == std::string::npos || spec.substr(equals + 1) == "-") ++on_stdout;
  }
  if (on_stdout > 1) {
    error = {"only one --sink can write to standard output; give the others a file (e.g. --sink csv=out.csv)",
             true};
    return nullptr;
  }
  return outputs;
}

bool BatchOutputs::open(const OutputOptions& options, const SinkSettings& settings, SetupError& error) {
  const std::vector<std::string> specs =
      options.sinks.empty() ? std::vector<std::string>{"console"} : options.sinks;
  zone_ = settings.zone;
  bool console_only = true;
  for (const std::string& spec : specs) {
    console_only = console_only && spec.rfind("console", 0) == 0;
    auto sink = make_sink(spec, settings);
    if (!sink) {
      const bool usage = sink.error().rfind("--sink must be", 0) == 0;
      error = {sink.error(), usage};
      return false;
    }
    sinks_.push_back(std::move(sink).value());
  }
  // Alerts and metrics read the line counts, not the rows.
  if (console_only && settings.show.num_rows < SIZE_MAX) rows_needed_ = settings.show.num_rows + 1;
  bool every_row = options.ui_port >= 0;
  for (const auto& sink : sinks_) {
    wants_jsonl_ = wants_jsonl_ || sink->wants_jsonl();
    wants_csv_ = wants_csv_ || sink->wants_csv();
    if (!sink->wants_jsonl() && !sink->wants_csv()) console_rows_ = settings.show.num_rows + 1;
    every_row = every_row || sink->wants_every_row();
  }
  // The dashboard and the html report show every row of a result.
  if (every_row) {
    console_rows_ = SIZE_MAX;
    rows_needed_ = SIZE_MAX;
  }
  if (alerts_) {
    auto actions = AlertActions::create(options.alert_log, options.on_alert, warn_);
    if (!actions) {
      error = {actions.error(), false};
      return false;
    }
    actions_ = std::move(actions).value();
  }
  prometheus_file_ = options.prometheus_file;
  if (!prometheus_file_.empty()) {
    // Written once now, so that a path that cannot be written stops the query before it reads anything.
    auto written =
        replace_file_atomically(prometheus_file_, render_prometheus(LineCounts{}, 0, alert_gauges()),
                                /*durable=*/false);
    if (!written) {
      error = {"--prometheus-file " + written.error(), false};
      return false;
    }
  }
  if (options.ui_port >= 0) {
    auto server = DashboardServer::start(options.ui_bind, options.ui_port);
    if (!server) {
      error = {server.error(), false};
      return false;
    }
    dashboard_ = std::move(server).value();
    live_state_ = std::make_unique<DashboardState>(settings.query, settings.zone);
    dashboard_->publish(live_state_->to_json());
    warn_("dashboard at http://" + dashboard_->host_for_url() + ":" + std::to_string(dashboard_->port()) +
          "/" +
          (options.ui_bind == "0.0.0.0" || options.ui_bind == "::" ? " (listening on every interface)" : ""));
  }
  if (options.metrics_port >= 0) {
    auto server = MetricsServer::start(options.metrics_port);
    if (!server) {
      error = {server.error(), false};
      return false;
    }
    metrics_ = std::move(server).value();
    warn_("serving metrics on http://127.0.0.1:" + std::to_string(metrics_->port()) + "/metrics");
    metrics_->publish(render_prometheus(LineCounts{}, 0, alert_gauges()));
  }
  return true;
}

std::vector<AlertGauge> BatchOutputs::alert_gauges() const {
  std::vector<AlertGauge> gauges;
  if (!alerts_) return gauges;
  for (const AlertStatus& status : alerts_->statuses()) {
    gauges.push_back({status.rule->name, static_cast<int>(status.state),
                      status.evaluated ? std::optional<double>(status.value) : std::nullopt});
  }
  return gauges;
}

void BatchOutputs::stream_rows(const Schema& schema, const RenderedRows& rows) {
  for (auto& sink : sinks_) {
    // After a failed write a sink gets nothing more of the batch; on_batch then reports the failure.
    if (streamed_errno_ != 0 || sink->write_streamed(schema, rows)) continue;
    streamed_errno_ = errno;
  }
}

RenderedRows BatchOutputs::render_result_rows(uint64_t batch_id, const Schema& schema,
                                              const ResultRows& rows) const {
  RenderedRows text;
  if (wants_jsonl_) text.jsonl = render_jsonl_rows(batch_id, schema, rows, zone_);
  if (wants_csv_) text.csv = render_csv_rows(batch_id, schema, rows, zone_, false);
  return text;
}

bool BatchOutputs::on_batch(uint64_t batch_id, const Schema& schema, const ResultRows& rows,
                            const LineCounts& totals, const LineCounts& batch, bool rows_streamed, bool data,
                            const GroupTable* alert_tallies, int64_t latest_trusted_us, double latency_ms) {
  const auto started = std::chrono::steady_clock::now();
  ++batches_;
  bool ok = streamed_errno_ == 0;
  // The rules first, so that the sinks that show alert states (the html report) show this batch's.
  alerts_saw_batch_ = alerts_ && data;
  std::vector<AlertEvent> events;
  if (alerts_saw_batch_) events = alerts_->on_batch(batch_id, batch, alert_tallies, latest_trusted_us);
  const std::vector<AlertGauge> gauges = alert_gauges();
  BatchReport report{batch_id, &schema, &rows, &batch};
  report.rows_streamed = rows_streamed;
  report.latency_ms = latency_ms;
  report.alerts = alerts_ ? &gauges : nullptr;
  // The dashboard before the sinks: once a batch shows on stdout, a page that asks has it already.
  if (dashboard_) {
    live_state_->add_batch({batch_id, &schema, &rows, &batch, latency_ms, report.alerts});
    dashboard_->publish(live_state_->to_json());
  }
  last_sink_errno_ = streamed_errno_;
  streamed_errno_ = 0;
  for (auto& sink : sinks_) {
    if (sink->write(report)) continue;
    if (ok) last_sink_errno_ = errno;
    ok = false;
  }
  if (actions_) actions_->handle(events);
  if (!prometheus_file_.empty() || metrics_) {
    const std::string text = render_prometheus(totals, batches_, alert_gauges());
    if (!prometheus_file_.empty()) {
      // Rewritten whole and renamed into place: a scraper never reads half a file.
      auto written = replace_file_atomically(prometheus_file_, text, /*durable=*/false);
      if (!written && !prometheus_failed_) {
        warn_(written.error());
        prometheus_failed_ = true;
      }
    }
    if (metrics_) metrics_->publish(text);
  }
  last_sink_ms_ =
      std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - started).count();
  return ok;
}

void BatchOutputs::after_batch(uint64_t batch_id, const LineCounts& batch, size_t files,
                               const StateReport& state, const BatchTimings& timings, size_t pool_bytes) {
  if (!progress_) return;
  struct rusage usage {};
  ::getrusage(RUSAGE_SELF, &usage);
  StateReport report = state;
  // A batch the rules did not see (one for the watermark alone) has no lines of theirs.
  if (alerts_ && alerts_->windowed()) {
    report.alert_windows =
        alerts_saw_batch_ ? StateReport::AlertWindowLines{alerts_->late_lines(), alerts_->untrusted_lines()}
                          : StateReport::AlertWindowLines{};
  }
  const std::string line = render_progress_json(query_id_, run_id_, batch_id, batch, files, report, timings,
                                                usage.ru_maxrss, pool_bytes);
  std::fwrite(line.data(), 1, line.size(), stderr);
}

void BatchOutputs::finish() {
  if (actions_) actions_->reap(2000);
}

std::string render_progress_json(const std::string& query_id, const std::string& run_id, uint64_t batch_id,
                                 const LineCounts& batch, size_t files, const StateReport& state,
                                 const BatchTimings& timings, long peak_rss_kb, size_t pool_bytes) {
  const double seconds = timings.total_ms / 1000.0;
  const double read_seconds = timings.read_parse_ms / 1000.0;
  nlohmann::ordered_json progress;
  progress["id"] = query_id;
  progress["runId"] = run_id;
  progress["batchId"] = batch_id;
  progress["timestamp"] = utc_now_iso8601();
  progress["numInputRows"] = batch.lines_read;
  progress["inputRowsPerSecond"] = seconds > 0 ? static_cast<double>(batch.lines_read) / seconds : 0.0;
  progress["processedRowsPerSecond"] =
      read_seconds > 0 ? static_cast<double>(batch.lines_read) / read_seconds : 0.0;
  progress["inputBytes"] = batch.bytes_read;
  progress["inputBytesPerSecond"] =
      read_seconds > 0 ? static_cast<double>(batch.bytes_read) / read_seconds : 0.0;
  // Whole milliseconds, as Spark's durationMs (a map of Long).
  auto ms = [](double value) { return static_cast<int64_t>(std::llround(value)); };
  progress["durationMs"] = {{"readAndParse", ms(timings.read_parse_ms)},
                            {"sink", ms(timings.sink_ms)},
                            {"commit", ms(timings.commit_ms)},
                            {"triggerExecution", ms(timings.total_ms)}};
  nlohmann::ordered_json rejected = nlohmann::ordered_json::object();
  for (size_t r = 0; r < kRejectReasonCount; ++r) {
    if (batch.rejects[r] > 0)
      rejected[std::string(reject_reason_name(static_cast<RejectReason>(r)))] = batch.rejects[r];
  }
  progress["numRejectedRows"] = batch.rejected();
  progress["rejectedRows"] = rejected;
  progress["numTruncatedRows"] = batch.truncated;
  nlohmann::ordered_json operators = nlohmann::ordered_json::array();
  if (!state.operator_name.empty()) {
    nlohmann::ordered_json op = {{"operatorName", state.operator_name},
                                 {"numRowsTotal", state.rows_total},
                                 {"numRowsUpdated", state.rows_updated},
                                 {"memoryUsedBytes", state.memory_bytes}};
    if (state.rows_dropped_by_watermark) op["numRowsDroppedByWatermark"] = *state.rows_dropped_by_watermark;
    if (state.rows_dropped_by_watermark) op["numRowsWithUntrustedTime"] = state.rows_untrusted_time;
    operators.push_back(std::move(op));
  }
  progress["stateOperators"] = operators;
  if (!state.watermark.empty()) progress["eventTime"] = {{"watermark", state.watermark}};
  if (state.alert_windows) {
    progress["alertWindows"] = {{"numRowsDroppedByWatermark", state.alert_windows->late},
                                {"numRowsWithUntrustedTime", state.alert_windows->untrusted}};
  }
  progress["sources"] = nlohmann::ordered_json::array({{{"numInputFiles", files}}});
  progress["memory"] = {{"peakRssBytes", static_cast<uint64_t>(peak_rss_kb) * 1024},
                        {"chunkPoolBytes", pool_bytes}};
  return progress.dump() + "\n";
}

}  // namespace logstream
