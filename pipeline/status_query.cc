#include "pipeline/status_query.h"

#include <fcntl.h>
#include <poll.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <tbb/global_control.h>
#include <tbb/parallel_for.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <csignal>
#include <cstring>

#include "pipeline/shutdown_signals.h"
#include "stages/core/atomic_file.h"
#include "stages/core/text_escape.h"
#include "stages/query/sql_parser.h"
#include "stages/sinks/row_text.h"

namespace logstream {

void print_diagnostic(const std::string& message) {
  // Messages quote file names and log text, which are untrusted: no terminal control reaches stderr.
  const std::string line = "logstream: " + escape_for_terminal(message) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

namespace {

// The plan the status table answers with its dense counts: GROUP BY status with count(*) (or count of a
// literal) as the only aggregate and nothing else, in complete mode.
bool answers_status_count(const LogicalPlan& plan, std::optional<OutputMode> mode) {
  if (mode && *mode != OutputMode::kComplete) return false;
  if (!plan.grouped || plan.keys.size() != 1 || plan.aggregates.size() != 1 || plan.filter || plan.having ||
      plan.distinct || !plan.order_by.empty() || plan.limit || plan.projections.size() != 2 ||
      plan.output.size() != 2)
    return false;
  const BoundExpr& key = *plan.keys[0];
  if (key.kind != BoundKind::kColumn || key.slot != Slot::kInput || key.type != DataType::kInt ||
      plan.input[key.column].name != "status")
    return false;
  const AggregateCall& count = plan.aggregates[0];
  if (count.function->kind() != AggregateKind::kCount || count.function->distinct()) return false;
  if (!count.arguments.empty() &&
      !(count.arguments[0]->kind == BoundKind::kLiteral && !count.arguments[0]->value.null))
    return false;
  const BoundExpr& first = *plan.projections[0];
  const BoundExpr& second = *plan.projections[1];
  return first.kind == BoundKind::kColumn && first.slot == Slot::kKey && first.column == 0 &&
         second.kind == BoundKind::kColumn && second.slot == Slot::kAggregate && second.column == 1;
}

// The query as the dashboard shows it: as given, or the shorthands, or the seed's.
std::string shown_query(const QueryText& query) {
  if (query.sql) return *query.sql;
  std::string text;
  if (query.shorthand.group_by) text = "--group-by " + *query.shorthand.group_by;
  if (query.shorthand.where) text += (text.empty() ? "" : " ") + ("--where " + *query.shorthand.where);
  return text.empty() ? "groupBy(\"status\").count()  (the seed's query)" : text;
}

// How errors name the format: "--format combined", or a custom one with its LogFormat.
std::string format_label(const FormatOptions& format) {
  if (format.format != "custom") return "--format " + format.format;
  return "--format custom ('" + escape_for_terminal(format.log_format) + "')";
}

Expected<LogicalPlan> compile_query(const QueryText& query, const Schema& logs, const TimeZone& zone) {
  AnalyzerOptions options;
  options.session_zone = zone;
  if (!query.sql) return analyze_group_by_shorthand(query.shorthand, logs, options);
  options.query_text = *query.sql;
  auto statement = sql::parse_sql(*query.sql);
  if (!statement) return Error{statement.error()};
  return analyze(statement.value(), logs, options);
}

}  // namespace

Expected<std::unique_ptr<StatusQuery>> StatusQuery::create(QueryOptions options, int& error_exit) {
  error_exit = kExitUsage;
  BatchOutputs::SetupError setup_error;
  auto outputs = BatchOutputs::create(options.outputs, print_diagnostic, setup_error);
  if (!outputs) return Error{setup_error.message};
  auto parser = ChunkParser::create(options.format);
  if (!parser) return Error{parser.error()};
  auto zone = options.timezone.empty() ? TimeZone::local() : TimeZone::load(options.timezone);
  if (!zone) return Error{"--timezone: " + zone.error()};
  auto plan = compile_query(options.query, parser.value().schema(), zone.value());
  if (!plan) return Error{plan.error()};
  if (!options.watermark.empty()) {
    if (auto applied = apply_watermark(plan.value(), options.watermark); !applied)
      return Error{applied.error()};
    const LogicalPlan& p = plan.value();
    if (!windowed_on_watermark(p)) {
      return Error{
          "--watermark needs a query grouped by an event-time window of its column, e.g. GROUP BY "
          "window(" +
          p.input[p.watermark->column].name + ", '10 minutes')"};
    }
  }
  // The alert rules that read more than the status run as a plan of their own beside the query's.
  std::optional<AlertPlan> alert_plan;
  if (AlertEngine* alerts = outputs->alerts()) {
    AlertPlanInput input;
    input.logs = &parser.value().schema();
    input.format_label = format_label(options.format);
    input.query_patterns = plan.value().patterns;
    auto compiled_rules = compile_alert_plan(alerts->rules(), input);
    if (!compiled_rules) return Error{"--alert: " + compiled_rules.error()};
    alert_plan = std::move(compiled_rules).value();
    // A window's rule without its own delay waits as long as the query's watermark, else a minute.
    const int64_t default_delay =
        plan.value().watermark ? plan.value().watermark->delay_us : int64_t{60'000'000};
    alerts->use_plan(alert_plan ? std::optional(alert_plan->layout) : std::nullopt, default_delay);
  }
  const bool status_count = answers_status_count(plan.value(), options.output_mode);
  if (options.kafka) {
    // The workers' partials are merged into one table: only what merges exactly, in complete mode.
    if (!status_count && !plan.value().grouped)
      return Error{
          "a Kafka query needs an aggregation (GROUP BY, or count(*) and the like): rows cannot be "
          "merged across workers"};
    if (options.output_mode && *options.output_mode != OutputMode::kComplete)
      return Error{
          "a Kafka query runs in complete mode only: the merger's table is every group each "
          "trigger"};
    if (!options.watermark.empty())
      return Error{"--watermark does not go with Kafka yet: each partition would need its own watermark"};
    if (outputs->alerts())
      return Error{"--alert does not go with Kafka yet: a worker sees only its partitions' lines"};
  }
  if (!status_count && options.order != RowOrder::kSpark)
    return Error{"--sort goes with the seed's query (or --group-by status); order any other with ORDER BY"};

  SinkSettings sink_settings{options.show, zone.value(), shown_query(options.query), {}};
  std::unique_ptr<StatusQuery> query(new StatusQuery(options, std::move(parser).value(), std::move(outputs)));
  StatusQuery* self = query.get();
  LogicalPlan compiled = std::move(plan).value();
  if (status_count) {
    self->status_schema_ = compiled.output;
    if (alert_plan) {
      // The status counts still answer the query; the engine runs only the rules' plan beside them.
      auto executor = QueryExecutor::create_for_tallies(self->parser_, std::move(alert_plan->plan));
      if (!executor) return Error{executor.error()};
      self->rules_executor_ = std::move(executor).value();
    }
  } else {
    const OutputMode mode =
        options.output_mode.value_or(compiled.grouped ? OutputMode::kComplete : OutputMode::kAppend);
    std::optional<LogicalPlan> tallies;
    if (alert_plan) tallies.emplace(std::move(alert_plan->plan));
    auto executor = QueryExecutor::create(std::move(compiled), self->parser_, mode, options.streaming,
                                          /*count_statuses=*/true, std::move(tallies));
    if (!executor) return Error{executor.error()};
    self->executor_ = std::move(executor).value();
    if (self->executor_->plan().grouped) self->groups_.emplace(self->executor_->functions());
  }
  sink_settings.csv_header = render_csv_rows(0, self->output_schema(), {}, zone.value(), true);
  if (!sink_settings.csv_header.empty() && sink_settings.csv_header.back() == '\n')
    sink_settings.csv_header.pop_back();
  // Only now, with every flag accepted, are files created and ports opened.
  if (!self->outputs_->open(options.outputs, sink_settings, setup_error)) {
    error_exit = setup_error.usage_error ? kExitUsage : kExitFailure;
    return Error{setup_error.message};
  }
  if (self->executor_) {
    self->executor_->set_row_output({self->outputs_->wants_jsonl(), self->outputs_->wants_csv(),
                                     self->outputs_->console_rows(), zone.value()});
    self->executor_->set_partial_groups(options.partial_groups);
  }
  auto pipeline = StreamPipeline::create(
      self->parser_, self->executor_ ? self->executor_.get() : self->rules_executor_.get(), options.pipeline,
      print_diagnostic,
      [self](uint64_t batch_id, const LineCounts& batch) { self->on_batch_closed(batch_id, batch); },
      [self](uint64_t, const RenderedRows& rows) {
        self->outputs_->stream_rows(self->output_schema(), rows);
      });
  if (!pipeline) return Error{pipeline.error()};
  self->pipeline_ = std::move(pipeline).value();
  return query;
}

StatusQuery::StatusQuery(QueryOptions options, ChunkParser parser, std::unique_ptr<BatchOutputs> outputs)
    : options_(std::move(options)), parser_(std::move(parser)), outputs_(std::move(outputs)) {}

const Schema& StatusQuery::output_schema() const {
  return executor_ ? executor_->plan().output : status_schema_;
}

std::string StatusQuery::grouping_keys() const {
  std::string keys;
  for (const auto& key : executor_->plan().keys) keys += (keys.empty() ? "" : ", ") + describe(*key);
  return keys;
}

bool StatusQuery::fold_batch(uint64_t batch_id, const LineCounts& batch, QueryExecutor::BatchState* state,
                             ResultRows& rows) {
  table_.add_batch(batch);
  rows_streamed_ = executor_ && executor_->streams_rows();
  if (!executor_) {
    rows = table_.result_rows(options_.order);
    rows_updated_ = rows.size();
    return true;
  }
  QueryExecutor::BatchState& batch_state = *state;
  if (!groups_) {
    rows = executor_->result_rows(batch_state.take_rows());
    rows_updated_ = 0;
    return true;
  }
  // The checkpoint's delta is this batch's partial, kept before it is merged (a snapshot due instead
  // takes the whole state at the commit).
  if (checkpoint_ && !checkpoint_->snapshot_due() && batch_state.groups().size() > 0) {
    groups_delta_.emplace();
    batch_state.groups().serialize(*groups_delta_);
  }
  groups_->absorb(batch_state.groups());
  // Sessions the batch opened that overlap each other or the state's become one.
  if (executor_->merges_sessions()) *groups_ = executor_->merge_sessions(std::move(*groups_));
  // Windows the watermark passed are final: out of the state now (append and update mode; complete
  // keeps everything), and in append mode they are the batch's rows.
  GroupTable finished(executor_->functions());
  rows_untrusted_time_ = batch_state.untrusted_time();
  if (executor_->plan().watermark) {
    rows_dropped_by_watermark_ = batch_state.dropped_by_watermark();
    if (batch_state.max_event_time() != INT64_MIN) {
      // Used from the next batch, and never going back (Spark's EventTimeWatermark).
      const int64_t candidate = batch_state.max_event_time() - executor_->plan().watermark->delay_us;
      next_watermark_ = std::max(next_watermark_, candidate);
    }
    if (executor_->mode() != OutputMode::kComplete) finished = split_finished_windows();
  }
  // Only update mode needs the changed groups themselves; the others count them (a list of a million
  // groups was 8 MB at the query's peak of memory).
  std::vector<size_t> updated;
  if (executor_->mode() == OutputMode::kUpdate) {
    updated = groups_->take_updated();
    rows_updated_ = updated.size();
  } else {
    rows_updated_ = groups_->take_updated_count();
  }
  if (options_.max_state_bytes > 0 && groups_->memory_bytes() > options_.max_state_bytes) {
    print_diagnostic(
        "the query's state holds " + std::to_string(groups_->size()) + " groups of (" + grouping_keys() +
        ") in " + std::to_string(groups_->memory_bytes()) + " bytes, over --max-state-bytes " +
        std::to_string(options_.max_state_bytes) +
        ": group by fewer or coarser columns, filter with WHERE, or raise the limit; the batch is "
        "not committed");
    return false;
  }
  // Append writes each window once, when final; update the groups the batch changed; complete all.
  const bool append = executor_->mode() == OutputMode::kAppend;
  const GroupTable& source = append ? finished : *groups_;
  const std::vector<size_t>* changed = executor_->mode() == OutputMode::kUpdate ? &updated : nullptr;
  rows_streamed_ = executor_->streams_groups() && (outputs_->wants_jsonl() || outputs_->wants_csv());
  if (!rows_streamed_) {
    rows = executor_->result_rows(source, changed, outputs_->rows_needed());
    return true;
  }
  // Every row goes to a text sink: made and written a wave of slices at a time, so a result of millions of
  // groups never stands whole in memory; the console keeps its first rows. The parser threads are idle
  // while a batch closes, so the partitions are sorted, and each wave's slices made and rendered, on all
  // of them; the texts are written in order.
  QueryExecutor::DealtGroups dealt = executor_->deal_groups(source, changed);
  tbb::parallel_for(size_t{0}, dealt.starts.size() - 1,
                    [&](size_t partition) { executor_->sort_partition(source, dealt, partition); });
  const std::vector<size_t>& ordered = dealt.groups;
  constexpr size_t kSlice = 4096;
  // Two slices per thread of --threads (the pipeline's global_control; the arena's own concurrency is the
  // machine's).
  const size_t slices_per_wave =
      2 * tbb::global_control::active_value(tbb::global_control::max_allowed_parallelism);
  std::vector<ResultRows> parts(slices_per_wave);
  std::vector<RenderedRows> texts(slices_per_wave);
  for (size_t wave = 0; wave < ordered.size(); wave += kSlice * slices_per_wave) {
    const size_t slices = std::min(slices_per_wave, (ordered.size() - wave + kSlice - 1) / kSlice);
    tbb::parallel_for(size_t{0}, slices, [&](size_t i) {
      const size_t at = wave + i * kSlice;
      const std::span<const size_t> slice(ordered.data() + at, std::min(kSlice, ordered.size() - at));
      parts[i] = executor_->result_rows(executor_->project_groups(source, slice));
      texts[i] = outputs_->render_result_rows(batch_id, output_schema(), parts[i]);
    });
    for (size_t i = 0; i < slices; ++i) {
      outputs_->stream_rows(output_schema(), texts[i]);
      for (auto& row : parts[i]) {
        if (rows.size() >= outputs_->console_rows()) break;
        rows.push_back(std::move(row));
      }
    }
  }
  return true;
}

GroupTable StatusQuery::split_finished_windows() {
  // A window is final when its end is at or before the watermark (Spark's eviction: window.end <= it).
  const size_t window_key = *executor_->plan().window_key;
  std::vector<ValueView> keys;
  std::vector<bool> final(groups_->size(), false);
  bool any = false;
  for (size_t g = 0; g < groups_->size(); ++g) {
    groups_->key_views(g, keys);
    final[g] = !keys[window_key].null && keys[window_key].end <= watermark_;
    any = any || final[g];
  }
  // Most batches finish no window: the table is rebuilt only when one leaves.
  if (!any) return GroupTable(executor_->functions());
  return groups_->split_off([&](size_t g) { return final[g]; });
}

bool StatusQuery::no_data_batch_due() const {
  // Spark runs a batch without new data when the watermark moved, so that finished windows are written
  // (append) and their state let go (append, update) without waiting for the next file.
  return executor_ && executor_->plan().watermark && executor_->mode() != OutputMode::kComplete &&
         next_watermark_ > watermark_;
}

StateReport StatusQuery::state_report() const {
  StateReport report;
  if (!executor_) {
    report.operator_name = "groupBy(status).count()";
    report.rows_total = table_.row_count();
    report.rows_updated = rows_updated_;
    report.memory_bytes = sizeof(LineCounts);
    return report;
  }
  if (!groups_) return report;  // no aggregation, no state (as Spark)
  report.operator_name = "groupBy(" + grouping_keys() + ")";
  report.rows_total = groups_->size();
  report.rows_updated = rows_updated_;
  report.memory_bytes = groups_->memory_bytes();
  if (executor_->plan().watermark) {
    report.rows_dropped_by_watermark = rows_dropped_by_watermark_;
    report.rows_untrusted_time = rows_untrusted_time_;
    report.watermark = format_iso_timestamp(watermark_, TimeZone());
  }
  return report;
}

// What the merge stage makes of a batch that just closed, before anything is printed.
StatusQuery::BatchEnd StatusQuery::judge_closed_batch(uint64_t batch_id, const LineCounts& batch) const {
  if (pipeline_->last_batch_cancelled()) return BatchEnd::kCancelled;
  if (const int scan_error = pipeline_->last_batch_scan_error(); scan_error != 0) {
    print_diagnostic("batch " + std::to_string(batch_id) +
                     ": a pattern scan failed, so its counts are incomplete; nothing of it is counted: " +
                     PatternSet::error_text(scan_error));
    return BatchEnd::kScanFailed;
  }
  // (A batch run for the watermark alone has no data by design.)
  if (batch.lines_read == 0 && skip_empty_batches_ && batch_files_ > 0) return BatchEnd::kNoData;
  // Every file of the batch failed to open (each warned about): nothing was read, so no batch.
  if (batch_files_ > 0 && pipeline_->last_batch_files_opened() == 0) return BatchEnd::kNoData;
  return BatchEnd::kPrinted;
}

// Runs on the merge stage, the moment the batch's last chunk is merged.
void StatusQuery::on_batch_closed(uint64_t batch_id, const LineCounts& batch) {
  batch_read_parse_ms_ =
      std::chrono::duration<double, std::milli>(SteadyClock::now() - batch_started_).count();
  progress_bar_.reset();  // the bar's line makes way for the batch's output
  last_batch_end_ = judge_closed_batch(batch_id, batch);
  if (last_batch_end_ != BatchEnd::kPrinted) return;
  // A file none of whose lines fit is almost always the wrong --format: say so even under --quiet.
  const auto& lines_by_file = pipeline_->last_batch_lines_by_file();
  const auto& paths = pipeline_->last_batch_paths();
  for (size_t i = 0; i < lines_by_file.size() && i < paths.size(); ++i) {
    if (lines_by_file[i].read > 0 && lines_by_file[i].accepted == 0)
      print_diagnostic(paths[i] + ": none of its " + std::to_string(lines_by_file[i].read) +
                       " lines fit the format (every one rejected; " +
                       (options_.quiet
                            ? std::string("without -q the reasons follow; or try another --format)")
                            : std::string("see the reasons below, or try another --format)")));
  }
  if (kafka_worker_) {
    // A Kafka worker publishes the batch's partial instead of folding it (the merger folds them all).
    PartitionDelta delta;
    delta.counts = batch;
    if (groups_) {
      delta.groups.emplace();
      pipeline_->last_batch_state().groups().serialize(*delta.groups);
      pipeline_->last_batch_state().groups().clear();
    }
    worker_delta_ = std::move(delta);
    return;
  }
  emit_batch(batch_id, batch, executor_ || rules_executor_ ? &pipeline_->last_batch_state() : nullptr);
}

void StatusQuery::emit_batch(uint64_t batch_id, const LineCounts& batch, QueryExecutor::BatchState* state) {
  ResultRows rows;
  if (!fold_batch(batch_id, batch, state, rows)) {
    last_batch_end_ = BatchEnd::kStateTooLarge;
    return;
  }
  const GroupTable* alert_tallies = state ? state->tallies() : nullptr;
  if (!outputs_->on_batch(batch_id, output_schema(), rows, table_.totals(), batch, rows_streamed_,
                          /*data=*/batch_files_ > 0, alert_tallies, latest_trusted_us_,
                          batch_read_parse_ms_)) {
    if (outputs_->last_sink_errno() == EPIPE) {
      last_batch_end_ = BatchEnd::kStdoutClosed;  // as a Unix filter: no message
      return;
    }
    print_diagnostic("batch " + std::to_string(batch_id) + ": cannot write it to its sink (" +
                     std::strerror(outputs_->last_sink_errno()) +
                     "); it is not committed, so a restart from the checkpoint prints it again");
    last_batch_end_ = BatchEnd::kSinkFailed;
    return;
  }
  if (!options_.quiet) print_batch_summary(batch_id, batch);
}

std::string reject_reasons_text(const LineCounts& batch) {
  if (batch.rejected() == 0) return "";
  std::string text = "; rejected:";
  for (size_t r = 0; r < kRejectReasonCount; ++r) {
    if (batch.rejects[r] == 0) continue;
    text.append(" ").append(std::to_string(batch.rejects[r])).append(" ");
    text.append(reject_reason_name(static_cast<RejectReason>(r))).append(",");
  }
  text.pop_back();
  return text;
}

void StatusQuery::print_batch_summary(uint64_t batch_id, const LineCounts& batch) const {
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - batch_started_).count();
  char summary[256];
  std::snprintf(summary, sizeof summary,
                "batch %llu: %zu %s%s, %llu lines read = %llu accepted + %llu rejected, %.1f MB in %.3f s",
                static_cast<unsigned long long>(batch_id), batch_files_, batch_noun_,
                batch_files_ == 1 ? "" : "s", static_cast<unsigned long long>(batch.lines_read),
                static_cast<unsigned long long>(batch.accepted()),
                static_cast<unsigned long long>(batch.rejected()),
                static_cast<double>(batch.bytes_read) / 1e6, seconds);
  std::string line = summary + reject_reasons_text(batch);
  if (batch.truncated > 0)
    line += "; " + std::to_string(batch.truncated) + " truncated (cut off inside a quoted field)";
  if (rows_dropped_by_watermark_ > 0)
    line += "; " + std::to_string(rows_dropped_by_watermark_) + " late (at or before the watermark), dropped";
  if (rows_untrusted_time_ > 0) {
    line += "; " + std::to_string(rows_untrusted_time_) +
            " dated before 1970 or past --max-future ahead of the clock, in no window";
  }
  print_diagnostic(line);
}

std::string StatusQuery::query_description() const {
  // The seed's query keeps the description its checkpoints have always had; any other is the normalized
  // plan, so that a respelling of the same query resumes and another query is refused.
  std::string description = executor_ ? describe(executor_->plan()) + "\noutput mode " +
                                            std::string(output_mode_name(executor_->mode())) + "\n--format " +
                                            options_.format.format
                                      : "groupBy(status).count() --format " + options_.format.format;
  if (!options_.format.log_format.empty()) description += " --log-format " + options_.format.log_format;
  return description;
}

std::string query_difference(const std::string& theirs, const std::string& ours) {
  // The descriptions are the normalized plans, a part per line: name the first part that differs.
  size_t at = 0;
  while (at < ours.size() && at < theirs.size() && ours[at] == theirs[at]) ++at;
  auto line_at = [at](const std::string& text) {
    const size_t from = text.rfind('\n', at == 0 ? 0 : at - 1);
    const size_t begin = from == std::string::npos || at == 0 ? 0 : from + 1;
    return escape_for_terminal(text.substr(begin, text.find('\n', begin) - begin));
  };
  if (theirs.find('\n') == std::string::npos || ours.find('\n') == std::string::npos ||
      at <= std::min(theirs.find('\n'), ours.find('\n'))) {
    // Queries of different kinds (the seed's count, a plan) differ in their first part: say both whole.
    auto whole = [](std::string text) {
      for (char& c : text) c = c == '\n' ? ';' : c;
      return escape_for_terminal(text);
    };
    return "it has '" + whole(theirs) + "' where this one has '" + whole(ours) + "'";
  }
  return "it has '" + line_at(theirs) + "' where this one has '" + line_at(ours) + "'";
}

Expected<bool> StatusQuery::restore_checkpoint() {
  if (options_.checkpoint_dir.empty()) return true;
  auto store = CheckpointStore::open(options_.checkpoint_dir);
  if (!store) return Error{store.error()};
  checkpoint_.emplace(std::move(store).value());
  auto loaded = checkpoint_->load();
  if (!loaded) return Error{loaded.error()};
  if (!loaded.value()) return true;  // a new checkpoint: starts at batch 0
  CheckpointState& state = *loaded.value();
  if (state.query != query_description()) {
    return Error{checkpoint_->path() + ": written by another query: " +
                 query_difference(state.query, query_description()) + "; use another --checkpoint directory"};
  }
  if (groups_) {
    // The chain: the groups at its snapshot, then each later batch's partial merged in, as the batches did.
    std::string why;
    for (size_t i = 0; i < state.groups.size(); ++i) {
      GroupTable delta(executor_->functions());
      GroupTable& into = i == 0 ? *groups_ : delta;
      if (!into.deserialize(state.groups[i], why)) {
        return Error{checkpoint_->path() + ": the query's groups cannot be restored (segment " +
                     std::to_string(i + 1) + " of " + std::to_string(state.groups.size()) + ": " + why +
                     "); use another --checkpoint directory"};
      }
      if (i > 0) groups_->absorb(delta);
    }
    if (executor_->merges_sessions()) *groups_ = executor_->merge_sessions(std::move(*groups_));
    groups_->take_updated_count();
  }
  if (state.watermark && executor_ && executor_->plan().watermark) {
    // The deltas merged above hold windows the last batches finished (and wrote): they go again.
    watermark_ = state.watermark->last;
    next_watermark_ = state.watermark->next;
    if (executor_->mode() != OutputMode::kComplete) split_finished_windows();
    groups_->take_updated_count();
  }
  next_batch_id_ = state.next_batch_id;
  if (state.files_forgotten_before_ns) files_forgotten_before_ns_ = *state.files_forgotten_before_ns;
  table_.restore(state.totals);
  restore_alerts(state);
  if (!state.query_id.empty()) outputs_->restore_query_id(state.query_id);
  restored_files_ = state.files;  // every entry: under --follow two files can share a last-known path
  for (CountedFile& file : state.files) {
    if (file.modified_ns) newest_modified_ns_ = std::max(newest_modified_ns_, *file.modified_ns);
    counted_files_[file.path] = std::move(file);
  }
  if (!options_.quiet) {
    print_diagnostic("resumed from " + checkpoint_->path() + ": next batch " +
                     std::to_string(next_batch_id_) + ", " + std::to_string(counted_files_.size()) +
                     (counted_files_.size() == 1 ? " file" : " files") + " remembered, " +
                     std::to_string(state.totals.lines_read) + " lines");
  }
  return true;
}

// Rules are matched to their memory by their whole text: a rule edited between runs starts afresh, the
// others go on (a `for 2 batches` streak spans two `run --checkpoint` invocations; a firing rule is not
// announced again; a window keeps the minutes it had). The panes hold one count per rule in the order
// the checkpoint lists its rules: each rule that goes on takes its own column.
void StatusQuery::restore_alerts(const CheckpointState& state) {
  AlertEngine* alerts = outputs_->alerts();
  if (!alerts) return;
  const std::vector<AlertRule>& rules = alerts->rules();
  std::vector<int> saved_column(rules.size(), -1);
  for (size_t i = 0; i < rules.size(); ++i) {
    for (size_t j = 0; j < state.alerts.size(); ++j) {
      const AlertRuleMemory& memory = state.alerts[j];
      if (memory.rule_text != rules[i].text) continue;
      alerts->restore(i, {static_cast<AlertState>(memory.state), memory.streak, memory.value,
                          memory.evaluated, memory.first_minute, memory.counts_from});
      saved_column[i] = static_cast<int>(j);
      break;
    }
  }
  if (!state.alert_latest_time) return;
  AlertEngine::WindowMemory windows;
  windows.latest_time = *state.alert_latest_time;
  for (const AlertPaneMemory& pane : state.alert_panes) {
    if (pane.counts.size() != state.alerts.size()) continue;  // not this checkpoint's layout
    AlertEngine::Pane ours{pane.minute, pane.lines, std::vector<uint64_t>(rules.size(), 0)};
    for (size_t i = 0; i < rules.size(); ++i) {
      if (saved_column[i] >= 0) ours.counts[i] = pane.counts[static_cast<size_t>(saved_column[i])];
    }
    windows.panes.push_back(std::move(ours));
  }
  alerts->restore_windows(windows);
}

// Spark's file source remembers files by path: a path counted before a restart is not new.
bool StatusQuery::already_counted(const std::string& path) const {
  return counted_files_.count(canonical_file_path(path)) > 0;
}

bool StatusQuery::commit_checkpoint(std::vector<CountedFile> counted, const DirectoryWatcher* watcher) {
  // --max-file-age measures from the newest file counted, with or without a checkpoint.
  for (const CountedFile& file : counted) {
    if (file.modified_ns) newest_modified_ns_ = std::max(newest_modified_ns_, *file.modified_ns);
  }
  if (!checkpoint_) return true;
  CheckpointState state;
  state.query = query_description();
  state.next_batch_id = next_batch_id_;
  state.query_id = outputs_->query_id();
  state.totals = table_.totals();
  if (executor_ && executor_->plan().watermark)
    state.watermark = CheckpointState::Watermark{next_watermark_, watermark_};
  // A delta (the files this batch counted, its partial aggregate) unless a snapshot is due.
  const bool snapshot = checkpoint_->snapshot_due();
  CheckpointChanges changes;
  changes.groups_whole = snapshot;
  if (groups_ && snapshot) {
    changes.groups.emplace();
    groups_->serialize(*changes.groups);
  } else if (groups_ && groups_delta_) {
    changes.groups = std::move(groups_delta_);
  }
  groups_delta_.reset();
  if (watcher && watcher->follows()) {
    // The followed files are those in the directory now, each with the offset it reached: few, and all of
    // them move on, so they are written whole.
    changes.files = watcher->followed_files();
    for (CountedFile& file : changes.files) file.path = canonical_file_path(file.path);
    changes.files_whole = true;
  } else {
    for (CountedFile& file : counted) {
      std::string key = canonical_file_path(file.path);
      file.path = key;
      counted_files_[key] = file;
    }
    changes.files_whole = snapshot;
    if (snapshot) {
      // Compaction forgets the files --max-file-age calls old: were one of them seen again, it would not
      // be new anyway (drop_old_files), so the record stays as large as the files of the last max age.
      // A file is judged by its time now: one written to since it was counted is not old, and forgetting
      // it would have it read again whole. (Entries of earlier versions, without a time, get it here.)
      const int64_t oldest = oldest_new_file_ns();
      for (auto it = counted_files_.begin(); it != counted_files_.end();) {
        CountedFile& file = it->second;
        if (oldest != INT64_MIN && (!file.modified_ns || *file.modified_ns < oldest)) {
          const std::optional<int64_t> now = modification_ns(file.path);
          if (now) file.modified_ns = std::max(file.modified_ns.value_or(INT64_MIN), *now);
        }
        if (file.modified_ns && *file.modified_ns < oldest) {
          it = counted_files_.erase(it);
          files_forgotten_before_ns_ = oldest;  // a later, larger --max-file-age must not bring them back
        } else {
          ++it;
        }
      }
      changes.files.reserve(counted_files_.size());
      for (const auto& [path, file] : counted_files_) changes.files.push_back(file);
    } else {
      changes.files = std::move(counted);
    }
  }
  if (const AlertEngine* alerts = outputs_->alerts()) {
    for (size_t i = 0; i < alerts->rules().size(); ++i) {
      const AlertEngine::RuleMemory memory = alerts->memory(i);
      state.alerts.push_back({alerts->rules()[i].text, static_cast<uint8_t>(memory.state), memory.streak,
                              memory.evaluated, memory.value, memory.first_minute, memory.counts_from});
    }
    const AlertEngine::WindowMemory windows = alerts->window_memory();
    if (windows.latest_time != INT64_MIN) state.alert_latest_time = windows.latest_time;
    for (const AlertEngine::Pane& pane : windows.panes)
      state.alert_panes.push_back({pane.minute, pane.lines, pane.counts});
  }
  if (files_forgotten_before_ns_ != INT64_MIN) state.files_forgotten_before_ns = files_forgotten_before_ns_;
  auto committed = checkpoint_->commit(state, changes);
  if (!committed) {
    // The committed state is still the previous batch's; going on would count lines no restart can
    // account for, so the query stops here.
    print_diagnostic("cannot commit batch " + std::to_string(next_batch_id_ - 1) +
                     " to the checkpoint: " + committed.error());
    return false;
  }
  return true;
}

int StatusQuery::run_batch(std::vector<FileTask> files, DirectoryWatcher* watcher) {
  batch_files_ = files.size();
  batch_started_ = SteadyClock::now();
  const uint64_t batch_id = next_batch_id_++;
  const int64_t previous_watermark = watermark_;
  watermark_ = next_watermark_;
  const int64_t now = std::chrono::duration_cast<std::chrono::microseconds>(
                          std::chrono::system_clock::now().time_since_epoch())
                          .count();
  latest_trusted_us_ = now > INT64_MAX - options_.max_future_us ? INT64_MAX : now + options_.max_future_us;
  if (rules_executor_) rules_executor_->set_latest_trusted_time(latest_trusted_us_);
  if (executor_) {
    executor_->set_watermark(watermark_);
    executor_->set_latest_trusted_time(latest_trusted_us_);
  }
  std::vector<CountedFile> counted = pipeline_->run_batch(batch_id, std::move(files), cancel_);
  switch (last_batch_end_) {
    case BatchEnd::kCancelled:
      // Nothing of the batch was printed, and nothing is committed: a restart reads it all again.
      --next_batch_id_;
      watermark_ = previous_watermark;
      print_diagnostic("interrupted: batch " + std::to_string(batch_id) +
                       " stopped part way; nothing committed");
      return 128 + ShutdownSignals::install().first_signal();
    case BatchEnd::kScanFailed:
    case BatchEnd::kSinkFailed:
    case BatchEnd::kStateTooLarge:
      // Spark writes its commit log only once the sink has the batch: this one stays uncommitted.
      return kExitFailure;
    case BatchEnd::kStdoutClosed:
      return kEndByBrokenPipe;
    case BatchEnd::kNoData:
      if (watcher) watcher->record_counted(counted, SteadyClock::now());
      --next_batch_id_;  // the id goes to the next batch that has data
      watermark_ = previous_watermark;
      return commit_checkpoint(std::move(counted), watcher) ? kExitOk : kExitFailure;
    case BatchEnd::kPrinted:
      break;
  }
  if (watcher) watcher->record_counted(counted, SteadyClock::now());
  const auto commit_started = SteadyClock::now();
  if (!commit_checkpoint(std::move(counted), watcher)) return kExitFailure;
  const auto done = SteadyClock::now();
  BatchTimings timings;
  timings.read_parse_ms = batch_read_parse_ms_;
  timings.sink_ms = outputs_->last_sink_ms();
  timings.commit_ms = std::chrono::duration<double, std::milli>(done - commit_started).count();
  timings.total_ms = std::chrono::duration<double, std::milli>(done - batch_started_).count();
  outputs_->after_batch(batch_id, pipeline_->last_batch_counts(), batch_files_, state_report(), timings,
                        pipeline_->pool_bytes());
  return kExitOk;
}

Expected<std::vector<FileTask>> StatusQuery::expand_paths(const std::vector<std::string>& paths,
                                                          const WarningHandler& warn) {
  std::vector<FileTask> tasks;
  // A file is counted once however often it is named (`run v v/a.log`, `run /abs/x ./x x`): files are
  // told apart by (device, inode), not by how the path is spelled.
  std::map<std::pair<uint64_t, uint64_t>, std::string> named;
  auto add = [&](std::string path, uint64_t device, uint64_t inode) {
    const auto [it, fresh] = named.emplace(std::make_pair(device, inode), path);
    if (!fresh) {
      warn(path + ": the same file as " + it->second + ", counted once");
      return;
    }
    tasks.push_back(whole_file_task(std::move(path), UINT64_MAX));
  };
  bool standard_input = false;
  for (const std::string& path : paths) {
    if (path == "-") {
      if (standard_input) return Error{"-: standard input is named twice"};
      standard_input = true;
      tasks.push_back(standard_input_task());
      continue;
    }
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Error{path + ": " + std::strerror(errno)};
    if (S_ISFIFO(st.st_mode)) {
      // A pipe named on the command line (`run <(zcat old.log.gz)`, a FIFO) is read to its end as standard
      // input is; a device or socket is left to the reader, which skips it (it may never end).
      const auto [it, fresh] = named.emplace(
          std::make_pair(static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino)), path);
      if (!fresh) {
        warn(path + ": the same pipe as " + it->second + ", read once");
        continue;
      }
      // Opened without waiting for a writer, then read blocking: a pipe with no writer (a FIFO nobody
      // writes to) reads as empty rather than hanging the run. Kept open until the process ends: `run`
      // reads each of its inputs once.
      const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NONBLOCK);
      if (fd < 0) return Error{path + ": cannot open: " + std::strerror(errno)};
      const int flags = ::fcntl(fd, F_GETFL);
      if (flags < 0 || ::fcntl(fd, F_SETFL, flags & ~O_NONBLOCK) < 0)
        return Error{path + ": cannot read: " + std::strerror(errno)};
      FileTask task = standard_input_task();
      task.path = path;
      task.descriptor = fd;
      tasks.push_back(std::move(task));
      continue;
    }
    if (!S_ISDIR(st.st_mode)) {
      // Named explicitly: taken whatever its name; the reader checks its type.
      add(path, static_cast<uint64_t>(st.st_dev), static_cast<uint64_t>(st.st_ino));
      continue;
    }
    auto listing = list_visible_files(
        path, [&](const std::string& special) { warn(special + ": not a regular file, ignored"); });
    if (!listing) return Error{listing.error()};
    for (ListedFile& file : listing.value()) add(std::move(file.path), file.device, file.inode);
  }
  return tasks;
}

int StatusQuery::finish(int exit_code) {
  outputs_->finish();
  if (exit_code == kEndByBrokenPipe) {
    // What `yes | head` does: end by the signal, quietly (a shell prints nothing for SIGPIPE).
    std::signal(SIGPIPE, SIG_DFL);
    std::raise(SIGPIPE);
    return kExitFailure;
  }
  if (exit_code == kExitOk && options_.fail_on_alert && outputs_->any_alert_fired()) {
    print_diagnostic("an alert fired (--fail-on-alert): exit 3");
    return kExitAlertFired;
  }
  return exit_code;
}

std::string StatusQuery::batch_count_text(uint64_t batches) {
  return std::to_string(batches) + (batches == 1 ? " batch" : " batches");
}

int64_t StatusQuery::oldest_new_file_ns() const {
  if (!options_.max_file_age_ns || newest_modified_ns_ == INT64_MIN) return files_forgotten_before_ns_;
  // Never later than now: one file stamped in the future must not make every other file old.
  const auto now = std::chrono::duration_cast<std::chrono::nanoseconds>(
                       std::chrono::system_clock::now().time_since_epoch())
                       .count();
  const int64_t newest = std::min<int64_t>(newest_modified_ns_, now);
  const int64_t by_age =
      newest < INT64_MIN + *options_.max_file_age_ns ? INT64_MIN : newest - *options_.max_file_age_ns;
  return std::max(by_age, files_forgotten_before_ns_);
}

std::vector<FileTask> StatusQuery::drop_old_files(std::vector<FileTask> tasks) const {
  // --follow keeps every file it follows, so no age applies (watch refuses a checkpoint that forgot any).
  const int64_t oldest = oldest_new_file_ns();
  if (oldest == INT64_MIN || watch_follows_) return tasks;
  std::vector<FileTask> kept;
  std::vector<std::string> old, before_horizon;
  for (FileTask& task : tasks) {
    const std::optional<int64_t> modified = modification_ns(task.path);
    if (!modified || *modified >= oldest) {
      kept.push_back(std::move(task));
    } else {
      (*modified >= files_forgotten_before_ns_ ? old : before_horizon).push_back(task.path);
    }
  }
  auto some = [](const std::vector<std::string>& paths) {
    return std::to_string(paths.size()) + (paths.size() == 1 ? " file" : " files");
  };
  auto named = [](const std::vector<std::string>& paths) {
    std::string names;
    for (size_t i = 0; i < paths.size() && i < 3; ++i) names += (i ? ", " : "") + paths[i];
    if (paths.size() > 3) names += ", and " + std::to_string(paths.size() - 3) + " more";
    return names;
  };
  if (!old.empty()) {
    print_diagnostic(some(old) +
                     " not read as old (Spark's maxFileAge: last modified more than --max-file-age before "
                     "the newest file counted): " +
                     named(old));
  }
  if (!before_horizon.empty()) {
    // The checkpoint cannot tell these apart: it keeps no names that old.
    print_diagnostic(some(before_horizon) +
                     " not read: older than the files the checkpoint has forgotten (counted before and "
                     "forgotten, or too old to count): " +
                     named(before_horizon));
  }
  return kept;
}

namespace {

// Where the complete lines of `bytes` end: after the last '\n', or after a last lone '\r' (one that is
// not the buffer's last byte, which may be the first half of "\r\n"). 0: no complete line yet.
size_t complete_lines_end(std::string_view bytes) {
  const size_t newline = bytes.rfind('\n');
  size_t end = newline == std::string_view::npos ? 0 : newline + 1;
  const size_t cr = bytes.rfind('\r');
  if (cr != std::string_view::npos && cr + 1 < bytes.size() && cr + 1 > end) end = cr + 1;
  return end;
}

}  // namespace

int StatusQuery::memory_file(std::string_view bytes, const char* name) {
  const int memory = ::memfd_create(name, MFD_CLOEXEC);
  if (memory < 0) return -1;
  if (!write_all(memory, bytes) || ::lseek(memory, 0, SEEK_SET) != 0) {
    const int saved = errno;
    ::close(memory);
    errno = saved;
    return -1;
  }
  return memory;
}

int StatusQuery::watch_input(int fd) {
  ShutdownSignals& signals = ShutdownSignals::install();
  const uint64_t first_batch_id = next_batch_id_;
  const auto interval = options_.trigger_interval.value_or(std::chrono::seconds(1));
  std::string pending;             // bytes read since the last batch took its lines
  std::optional<uint32_t> parser;  // picked by --format auto on the first batch
  bool ended = false;
  std::vector<char> buffer(size_t{1} << 20);
  SteadyClock::time_point next_trigger = SteadyClock::now() + interval;
  while (true) {
    const auto now = SteadyClock::now();
    // Ctrl-C or SIGTERM: the lines already read make a last batch, as the end of input would.
    if (signals.stop_requested()) ended = true;
    if (!ended && now < next_trigger) {
      const int wait_ms = static_cast<int>(std::max<int64_t>(
          1, std::chrono::duration_cast<std::chrono::milliseconds>(next_trigger - now).count()));
      struct pollfd fds[2] = {{signals.wake_fd(), POLLIN, 0}, {fd, POLLIN, 0}};
      if (::poll(fds, 2, wait_ms) > 0 && (fds[1].revents & (POLLIN | POLLHUP | POLLERR))) {
        // Readable: one read returns what is there without waiting for more.
        const ssize_t n = ::read(fd, buffer.data(), buffer.size());
        if (n > 0) {
          pending.append(buffer.data(), static_cast<size_t>(n));
        } else if (n == 0 || (errno != EINTR && errno != EAGAIN && errno != EWOULDBLOCK)) {
          if (n < 0) print_diagnostic(std::string("standard input: read failed: ") + std::strerror(errno));
          ended = true;  // the end of input: what is pending goes into a last batch
        }
      }
      continue;
    }
    while (next_trigger <= now) next_trigger += interval;
    // The trigger: the complete lines that arrived (at the end of input, the unfinished last one too;
    // when stopped, only complete lines: the rest of one may still have been on its way).
    const bool stopped = signals.stop_requested();
    const size_t take = ended && !stopped ? pending.size() : complete_lines_end(pending);
    if (stopped && take < pending.size()) {
      print_diagnostic("stopped: an unfinished last line of standard input (" +
                       std::to_string(pending.size() - take) + " bytes) is not counted");
      pending.resize(take);
    }
    if (take > 0) {
      const int memory = memory_file(std::string_view(pending).substr(0, take), "logstream-stdin");
      if (memory < 0) {
        print_diagnostic(std::string("standard input: cannot hold a batch's lines: ") + std::strerror(errno));
        return finish(kExitFailure);
      }
      pending.erase(0, take);
      FileTask task;
      task.path = "-";
      task.descriptor = memory;
      task.size_limit = take;
      task.parser_index = parser;  // the first batch's pick, for all that follow (one stream, one format)
      const int code = run_batch({std::move(task)}, nullptr);
      ::close(memory);
      if (code != kExitOk) return finish(code);
      if (!parser && !pipeline_->last_batch_parsers().empty())
        parser = pipeline_->last_batch_parsers().front();
    } else if (no_data_batch_due()) {
      if (const int code = run_batch({}, nullptr); code != kExitOk) return finish(code);
    }
    if (ended && pending.empty()) {
      // Spark's availableNow at the end: a last batch for what the final watermark finished.
      if (no_data_batch_due()) {
        if (const int code = run_batch({}, nullptr); code != kExitOk) return finish(code);
      }
      if (!options_.quiet) {
        print_diagnostic(std::string(stopped ? "stopped" : "end of input") + " after " +
                         batch_count_text(next_batch_id_ - first_batch_id));
      }
      return finish(kExitOk);
    }
  }
}

int StatusQuery::run(const std::vector<FileTask>& files) {
  std::vector<FileTask> fresh;
  for (const FileTask& task : files) {
    if (!already_counted(task.path)) fresh.push_back(task);
  }
  fresh = drop_old_files(std::move(fresh));
  if (checkpoint_ && fresh.empty() && !no_data_batch_due()) {
    // As Spark: no new data, no batch.
    if (!options_.quiet) print_diagnostic("no new files since the checkpoint; nothing to do");
    return finish(kExitOk);
  }
  if (!options_.quiet && ProgressBar::wanted()) {
    // Total and progress both in bytes on disk: a .gz's decompressed size is not known before it is read
    // (its ISIZE trailer holds only the last member's, modulo 4 GiB), its compressed bytes read are.
    uint64_t total = 0;
    auto consumed = std::make_shared<std::atomic<uint64_t>>(0);
    for (FileTask& task : fresh) {
      struct stat st {};
      if (::stat(task.path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
        total += static_cast<uint64_t>(st.st_size);
      task.bytes_consumed = consumed;
    }
    progress_bar_ = std::make_unique<ProgressBar>(
        total, [consumed] { return consumed->load(std::memory_order_relaxed); });
  }
  // Ctrl-C, SIGTERM (timeout, systemd): the batch stops within a chunk and nothing of it is committed.
  cancel_ = &ShutdownSignals::install().stop_flag();
  // (With a checkpoint and nothing new, only a batch the watermark still owes runs.)
  int exit_code = fresh.empty() && checkpoint_ ? kExitOk : run_batch(std::move(fresh), nullptr);
  const std::vector<std::string> unreadable = pipeline_->last_batch_unreadable_files();
  // Spark's availableNow ends with a batch without data that writes what the final watermark finished.
  if (exit_code == kExitOk && no_data_batch_due()) exit_code = run_batch({}, nullptr);
  if (exit_code == kExitOk && !unreadable.empty()) {
    // A gate such as --fail-on-alert must not pass on input it never saw.
    print_diagnostic(std::to_string(unreadable.size()) + " file" + (unreadable.size() == 1 ? "" : "s") +
                     " could not be read (" + unreadable.front() + (unreadable.size() > 1 ? ", ..." : "") +
                     "): exit 1");
    exit_code = kExitFailure;
  }
  return finish(exit_code);
}

int StatusQuery::watch(DirectoryWatcher& watcher) {
  ShutdownSignals& signals = ShutdownSignals::install();
  const uint64_t first_batch_id = next_batch_id_;
  skip_empty_batches_ = watcher.follows();
  watch_follows_ = watcher.follows();
  if (watch_follows_ && files_forgotten_before_ns_ != INT64_MIN) {
    // The follower takes every file it does not know from its start: the forgotten ones would count twice.
    print_diagnostic(checkpoint_->path() +
                     ": written without --follow, it has forgotten files as old (--max-file-age), which "
                     "--follow would read again; use another --checkpoint directory");
    return finish(kExitFailure);
  }
  if (watcher.follows()) {
    watcher.restore_followed(restored_files_);
  }
  for (const auto& [path, file] : counted_files_) {
    const size_t slash = path.rfind('/');
    if (canonical_file_path(watcher.directory() + path.substr(slash)) == path)
      watcher.mark_taken(path.substr(slash + 1));
  }
  SteadyClock::time_point next_trigger = SteadyClock::now();
  while (!signals.stop_requested()) {
    const auto now = SteadyClock::now();
    if (options_.trigger_interval && now < next_trigger) {
      // --trigger-interval: no batch before the next trigger; files arriving meanwhile wait for it, their
      // events followed all along so that a file finished before the trigger is ready at it.
      watcher.drain_events(now);
      const int wait_ms = static_cast<int>(std::max<int64_t>(
          1, std::chrono::duration_cast<std::chrono::milliseconds>(next_trigger - now).count()));
      struct pollfd fds[2] = {{signals.wake_fd(), POLLIN, 0}, {watcher.event_fd(), POLLIN, 0}};
      ::poll(fds, watcher.event_fd() >= 0 ? 2 : 1, wait_ms);
      continue;
    }
    watcher.drain_events(now);
    std::vector<FileTask> ready = watcher.take_ready(now);
    if (!ready.empty()) ready = drop_old_files(std::move(ready));
    if (ready.empty() && no_data_batch_due()) {
      // As Spark: a batch without data only when no data is waiting (the next batch moves it anyway).
      if (const int code = run_batch({}, &watcher); code != kExitOk) return finish(code);
      continue;
    }
    if (!ready.empty()) {
      // Spark's default trigger: the next micro-batch starts as soon as this one has ended; with an
      // interval, at the next multiple of it (a batch that ran long is followed at once).
      if (options_.trigger_interval) {
        while (next_trigger <= now) next_trigger += *options_.trigger_interval;
      }
      if (const int code = run_batch(std::move(ready), &watcher); code != kExitOk) return finish(code);
      continue;
    }
    const auto wait = watcher.next_deadline(now) - now;
    const int timeout_ms = static_cast<int>(
        std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()));
    struct pollfd fds[2] = {{signals.wake_fd(), POLLIN, 0}, {watcher.event_fd(), POLLIN, 0}};
    ::poll(fds, watcher.event_fd() >= 0 ? 2 : 1, timeout_ms);
  }
  if (!options_.quiet) print_diagnostic("stopped after " + batch_count_text(next_batch_id_ - first_batch_id));
  return finish(kExitOk);
}

}  // namespace logstream
