#include "pipeline/status_query.h"

#include <poll.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "pipeline/shutdown_signals.h"
#include "stages/core/text_escape.h"

namespace logstream {

void print_diagnostic(const std::string& message) {
  // Messages quote file names and log text, which are untrusted: no terminal control reaches stderr.
  const std::string line = "logstream: " + escape_for_terminal(message) + "\n";
  std::fwrite(line.data(), 1, line.size(), stderr);
}

Expected<std::unique_ptr<StatusQuery>> StatusQuery::create(QueryOptions options, int& error_exit) {
  error_exit = kExitUsage;
  BatchOutputs::SetupError setup_error;
  auto outputs = BatchOutputs::create(options.outputs, print_diagnostic, setup_error);
  if (!outputs) return Error{setup_error.message};
  auto parser = ChunkParser::create(options.format, outputs->line_rules());
  if (!parser) return Error{parser.error()};
  // Only now, with every flag accepted, are files created and ports opened.
  if (!outputs->open(options.outputs, options.order, setup_error)) {
    error_exit = setup_error.usage_error ? kExitUsage : kExitFailure;
    return Error{setup_error.message};
  }
  std::unique_ptr<StatusQuery> query(new StatusQuery(options, std::move(parser).value(), std::move(outputs)));
  StatusQuery* self = query.get();
  auto pipeline = StreamPipeline::create(
      self->parser_, options.pipeline, print_diagnostic,
      [self](uint64_t batch_id, const LineCounts& batch) { self->on_batch_closed(batch_id, batch); });
  if (!pipeline) return Error{pipeline.error()};
  self->pipeline_ = std::move(pipeline).value();
  return query;
}

StatusQuery::StatusQuery(QueryOptions options, ChunkParser parser, std::unique_ptr<BatchOutputs> outputs)
    : options_(std::move(options)), parser_(std::move(parser)), outputs_(std::move(outputs)) {}

// Runs on the merge stage, the moment the batch's last chunk is merged.
void StatusQuery::on_batch_closed(uint64_t batch_id, const LineCounts& batch) {
  batch_read_parse_ms_ =
      std::chrono::duration<double, std::milli>(SteadyClock::now() - batch_started_).count();
  progress_bar_.reset();  // the bar's line makes way for the batch's output
  last_batch_empty_ = batch.lines_read == 0 && skip_empty_batches_;
  if (last_batch_empty_) return;  // as Spark: no new data, no batch
  table_.add_batch(batch);
  if (!outputs_->on_batch(batch_id, table_, batch)) {
    if (!sink_failed_)
      print_diagnostic(std::string("cannot write a batch to its sink: ") + std::strerror(errno));
    sink_failed_ = true;
  }
  if (options_.quiet) return;
  const double seconds = std::chrono::duration<double>(SteadyClock::now() - batch_started_).count();
  char summary[256];
  std::snprintf(summary, sizeof summary,
                "batch %llu: %zu file%s, %llu lines read = %llu accepted + %llu rejected, %.1f MB in %.3f s",
                static_cast<unsigned long long>(batch_id), batch_files_, batch_files_ == 1 ? "" : "s",
                static_cast<unsigned long long>(batch.lines_read),
                static_cast<unsigned long long>(batch.accepted()),
                static_cast<unsigned long long>(batch.rejected()),
                static_cast<double>(batch.bytes_read) / 1e6, seconds);
  std::string line = summary;
  if (batch.rejected() > 0) {
    line += "; rejected:";
    for (size_t r = 0; r < kRejectReasonCount; ++r) {
      if (batch.rejects[r] == 0) continue;
      line.append(" ").append(std::to_string(batch.rejects[r])).append(" ");
      line.append(reject_reason_name(static_cast<RejectReason>(r))).append(",");
    }
    line.pop_back();
  }
  if (batch.truncated > 0)
    line += "; " + std::to_string(batch.truncated) + " truncated (last quoted field cut off)";
  print_diagnostic(line);
}

std::string StatusQuery::query_description() const {
  std::string description = "groupBy(status).count() --format " + options_.format.format;
  if (!options_.format.log_format.empty()) description += " --log-format " + options_.format.log_format;
  return description;
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
    return Error{checkpoint_->path() + ": written by another query (" + state.query + "), not by " +
                 query_description() + "; use another --checkpoint directory"};
  }
  next_batch_id_ = state.next_batch_id;
  table_.restore(state.totals);
  restored_files_ = state.files;  // every entry: under --follow two files can share a last-known path
  for (CountedFile& file : state.files) counted_files_[file.path] = std::move(file);
  if (!options_.quiet) {
    print_diagnostic("resumed from " + checkpoint_->path() + ": next batch " +
                     std::to_string(next_batch_id_) + ", " + std::to_string(counted_files_.size()) +
                     " files counted, " + std::to_string(state.totals.lines_read) + " lines");
  }
  return true;
}

// Spark's file source remembers files by path: a path counted before a restart is not new.
bool StatusQuery::already_counted(const std::string& path) const {
  return counted_files_.count(canonical_file_path(path)) > 0;
}

bool StatusQuery::commit_checkpoint(std::vector<CountedFile> counted, const DirectoryWatcher* watcher) {
  if (!checkpoint_) return true;
  CheckpointState state;
  state.query = query_description();
  state.next_batch_id = next_batch_id_;
  state.totals = table_.totals();
  if (watcher && watcher->follows()) {
    state.files = watcher->followed_files();
    for (CountedFile& file : state.files) file.path = canonical_file_path(file.path);
  } else {
    for (CountedFile& file : counted) {
      std::string key = canonical_file_path(file.path);
      file.path = key;
      counted_files_[key] = std::move(file);
    }
    state.files.reserve(counted_files_.size());
    for (const auto& [path, file] : counted_files_) state.files.push_back(file);
  }
  auto committed = checkpoint_->commit(state);
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
  std::vector<CountedFile> counted = pipeline_->run_batch(batch_id, std::move(files));
  if (watcher) watcher->record_counted(counted, SteadyClock::now());
  if (last_batch_empty_) {
    --next_batch_id_;  // the id goes to the next batch that has data
    return commit_checkpoint(std::move(counted), watcher) ? kExitOk : kExitFailure;
  }
  const auto commit_started = SteadyClock::now();
  if (!commit_checkpoint(std::move(counted), watcher)) return kExitFailure;
  const auto done = SteadyClock::now();
  BatchTimings timings;
  timings.read_parse_ms = batch_read_parse_ms_;
  timings.sink_ms = outputs_->last_sink_ms();
  timings.commit_ms = std::chrono::duration<double, std::milli>(done - commit_started).count();
  timings.total_ms = std::chrono::duration<double, std::milli>(done - batch_started_).count();
  outputs_->after_batch(batch_id, pipeline_->last_batch_counts(), batch_files_, table_.row_count(), timings,
                        pipeline_->pool_bytes());
  return sink_failed_ ? kExitFailure : kExitOk;
}

Expected<std::vector<FileTask>> StatusQuery::expand_paths(const std::vector<std::string>& paths,
                                                          const WarningHandler& warn) {
  std::vector<FileTask> tasks;
  for (const std::string& path : paths) {
    struct stat st {};
    if (::stat(path.c_str(), &st) != 0) return Error{path + ": " + std::strerror(errno)};
    if (!S_ISDIR(st.st_mode)) {
      // Named explicitly: taken whatever its name; the reader checks its type.
      tasks.push_back(whole_file_task(path, UINT64_MAX));
      continue;
    }
    auto listing = list_visible_files(
        path, [&](const std::string& special) { warn(special + ": not a regular file, ignored"); });
    if (!listing) return Error{listing.error()};
    for (ListedFile& file : listing.value())
      tasks.push_back(whole_file_task(std::move(file.path), UINT64_MAX));
  }
  return tasks;
}

int StatusQuery::finish(int exit_code) {
  outputs_->finish();
  if (exit_code == kExitOk && options_.fail_on_alert && outputs_->any_alert_fired()) {
    print_diagnostic("an alert fired (--fail-on-alert): exit 3");
    return kExitAlertFired;
  }
  return exit_code;
}

int StatusQuery::run(const std::vector<FileTask>& files) {
  std::vector<FileTask> fresh;
  for (const FileTask& task : files) {
    if (!already_counted(task.path)) fresh.push_back(task);
  }
  if (checkpoint_ && fresh.empty()) {
    // As Spark: no new data, no batch.
    if (!options_.quiet) print_diagnostic("no new files since the checkpoint; nothing to do");
    return finish(kExitOk);
  }
  if (!options_.quiet && ProgressBar::wanted()) {
    uint64_t total = 0;
    for (const FileTask& task : fresh) {
      struct stat st {};
      if (::stat(task.path.c_str(), &st) == 0 && S_ISREG(st.st_mode))
        total += static_cast<uint64_t>(st.st_size);
    }
    const uint64_t before = pipeline_->bytes_read();
    progress_bar_ =
        std::make_unique<ProgressBar>(total, [this, before] { return pipeline_->bytes_read() - before; });
  }
  return finish(run_batch(std::move(fresh), nullptr));
}

int StatusQuery::watch(DirectoryWatcher& watcher) {
  ShutdownSignals& signals = ShutdownSignals::install();
  const uint64_t first_batch_id = next_batch_id_;
  skip_empty_batches_ = watcher.follows();
  if (watcher.follows()) {
    watcher.restore_followed(restored_files_);
  }
  for (const auto& [path, file] : counted_files_) {
    const size_t slash = path.rfind('/');
    if (canonical_file_path(watcher.directory() + path.substr(slash)) == path)
      watcher.mark_taken(path.substr(slash + 1));
  }
  while (!signals.stop_requested()) {
    const auto now = SteadyClock::now();
    watcher.drain_events(now);
    std::vector<FileTask> ready = watcher.take_ready(now);
    if (!ready.empty()) {
      // Spark's default trigger: the next micro-batch starts as soon as this one has ended.
      if (run_batch(std::move(ready), &watcher) != kExitOk) return finish(kExitFailure);
      continue;
    }
    const auto wait = watcher.next_deadline(now) - now;
    const int timeout_ms = static_cast<int>(
        std::max<int64_t>(1, std::chrono::duration_cast<std::chrono::milliseconds>(wait).count()));
    struct pollfd fds[2] = {{signals.wake_fd(), POLLIN, 0}, {watcher.event_fd(), POLLIN, 0}};
    ::poll(fds, watcher.event_fd() >= 0 ? 2 : 1, timeout_ms);
  }
  if (!options_.quiet)
    print_diagnostic("stopped after " + std::to_string(next_batch_id_ - first_batch_id) + " batches");
  return finish(kExitOk);
}

}  // namespace logstream
