// A query over a directory being watched (watch) or files that exist now (run): the seed's
// `groupBy(status).count()` in complete mode by default, or any SQL (--sql) or shorthand (--group-by,
// --where). Both subcommands drive the same StreamPipeline; they differ only in where batches come from.
// The seed's query (and any plan that means it) is answered by the status table's dense counts; every
// other plan by the query engine (stages/execution).
#pragma once

#include <cstdio>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "pipeline/batch_outputs.h"
#include "pipeline/kafka_link.h"
#include "pipeline/progress_bar.h"
#include "pipeline/stream_pipeline.h"
#include "stages/checkpoint/checkpoint.h"
#include "stages/checkpoint/partition_delta.h"
#include "stages/execution/query_executor.h"
#include "stages/merger/status_table.h"
#include "stages/watcher/directory_watcher.h"

namespace logstream {

// The query the user asked for: SQL, or the shorthands (neither: the seed's query).
struct QueryText {
  std::optional<std::string> sql;
  ShorthandQuery shorthand;
};

struct QueryOptions {
  QueryText query;
  std::optional<OutputMode> output_mode;  // unset: complete for an aggregation, append otherwise
  bool streaming = false;                 // watch: Spark's streaming rules apply to the query
  std::string timezone;                   // --timezone; empty: the local zone
  ShowOptions show;                       // --num-rows, --truncate
  uint64_t max_state_bytes = 0;           // --max-state-bytes; 0: no limit
  size_t partial_groups = QueryExecutor::kDefaultPartialGroups;  // --partial-groups
  std::string watermark;                                         // --watermark 'COLUMN, DELAY'; empty: none
  // --max-future: a window takes no time further than this past the wall clock (nor before 1970).
  int64_t max_future_us = int64_t{86400} * 1'000'000;
  // --max-file-age (Spark's maxFileAge, default 7 days): after the first batch, a file last modified
  // longer than this before the newest file counted is not new, and the record of counted files forgets
  // such files at each snapshot. nullopt: every file is new, and none is forgotten.
  std::optional<int64_t> max_file_age_ns = int64_t{7} * 24 * 3600 * 1'000'000'000;
  FormatOptions format;
  PipelineOptions pipeline;
  WatchOptions watch;
  RowOrder order = RowOrder::kSpark;
  bool quiet = false;          // no per-batch summary and format notes on stderr (warnings still appear)
  std::string checkpoint_dir;  // empty: no checkpoint
  OutputOptions outputs;
  bool fail_on_alert = false;  // exit 3 when any alert rule fired
  // --trigger-interval (Spark's processingTime trigger): a batch starts at most once per interval. Unset:
  // for a directory, the next batch starts as soon as the last one ended; for standard input, 1 s.
  std::optional<std::chrono::nanoseconds> trigger_interval;
  // watch kafka://... and merge: the cluster, the topic, the workers' group, the state topic.
  std::optional<KafkaSettings> kafka;
};

// Exit codes shared by the CLI.
inline constexpr int kExitOk = 0;
inline constexpr int kExitFailure = 1;
inline constexpr int kExitUsage = 2;
inline constexpr int kExitAlertFired = 3;  // --fail-on-alert
// Not an exit status: stdout's reader went away (logstream ... | head). The query ends the way a Unix
// filter does, by SIGPIPE, with no message.
inline constexpr int kEndByBrokenPipe = -1;

class StatusQuery {
 public:
  // Usage errors (a bad format, a bad alert rule) are found here, before any thread starts work; on an
  // error, `error_exit` says whether it was a usage error (2) or a runtime one (1: a port in use).
  static Expected<std::unique_ptr<StatusQuery>> create(QueryOptions options, int& error_exit);

  // With --checkpoint: locks the directory and restores the table, the next batch id and the files
  // already counted. An error (another process holds it, a corrupt file, another query's checkpoint) is a
  // runtime failure: the user's state is never silently reset.
  Expected<bool> restore_checkpoint();

  // run PATH...: every file now in PATHs (directories listed, hidden names skipped) as Batch 0.
  int run(const std::vector<FileTask>& files);
  // watch DIR: a batch per trigger that finds new complete files, until SIGINT/SIGTERM.
  int watch(DirectoryWatcher& watcher);
  // watch -: the lines arriving on `fd` (standard input, a pipe), a batch per trigger interval of the
  // complete lines that came; the end of input ends the query after its last batch (exit 0).
  int watch_input(int fd);
  // watch kafka://BROKERS/TOPIC: a worker of the consumer group; per trigger, each owned partition's new
  // lines become a batch whose partial aggregate and offset range go to the state topic as one delta.
  // It prints no table: the merger does.
  int watch_kafka();
  // merge kafka://BROKERS/TOPIC: reads the state topic from its start, keeps the deltas DeltaChain
  // accepts, folds their partials and prints the global table per trigger.
  int merge_kafka();

  // Turns run's PATH arguments into file tasks; an error names the path that does not exist.
  static Expected<std::vector<FileTask>> expand_paths(const std::vector<std::string>& paths,
                                                      const WarningHandler& warn);

 private:
  StatusQuery(QueryOptions options, ChunkParser parser, std::unique_ptr<BatchOutputs> outputs);
  // The batch's result rows (status table or engine state, folded in first); false when the state
  // outgrew --max-state-bytes (said on stderr).
  // Rows that go to the text sinks as they are made are written here and rows_streamed_ set; `rows` then
  // holds the console's.
  bool fold_batch(uint64_t batch_id, const LineCounts& batch, QueryExecutor::BatchState* state,
                  ResultRows& rows);
  // The batch folded into the state and handed to every sink; `state`: the batch's groups or rows (null
  // for the status table alone).
  void emit_batch(uint64_t batch_id, const LineCounts& batch, QueryExecutor::BatchState* state);
  // The state topic's records up to its end, checked (the same query) and judged by `chain`.
  // `on_delta` gets every delta with the chain's verdict and its groups, read and checked (null for the
  // status count, or a delta without lines).
  Expected<bool> read_state_topic(
      StateTopic& topic, DeltaChain& chain,
      const std::function<Expected<bool>(const PartitionDelta&, bool, GroupTable*)>& on_delta);
  // Whether every group has the plan's keys, of the plan's types (a delta from the network may not).
  bool groups_match_plan(const GroupTable& groups, std::string& why) const;
  StateReport state_report() const;
  const Schema& output_schema() const;
  std::string grouping_keys() const;  // the engine's GROUP BY, as describe() writes each key
  // How the batch run last ended, as the merge stage saw it.
  enum class BatchEnd : uint8_t {
    kPrinted,        // handed to every sink
    kNoData,         // nothing new (as Spark: no new data, no batch)
    kCancelled,      // run stopped by a signal part way
    kScanFailed,     // a Hyperscan scan failed: the counts are incomplete
    kSinkFailed,     // a sink could not be written
    kStdoutClosed,   // the reader of stdout went away
    kStateTooLarge,  // the groups outgrew --max-state-bytes
  };
  int finish(int exit_code);
  // A memfd holding `bytes`, at offset 0 (a batch of lines that came from a pipe or Kafka, read as a
  // file); -1 with errno set on failure.
  static int memory_file(std::string_view bytes, const char* name);
  // "1 batch", "3 batches": how many this run made, for the message it ends with.
  static std::string batch_count_text(uint64_t batches);
  void on_batch_closed(uint64_t batch_id, const LineCounts& batch);
  BatchEnd judge_closed_batch(uint64_t batch_id, const LineCounts& batch) const;
  void print_batch_summary(uint64_t batch_id, const LineCounts& batch) const;
  // `watcher`: the watch loop's, told what was counted (--follow needs it); nullptr for run.
  int run_batch(std::vector<FileTask> files, DirectoryWatcher* watcher);
  bool commit_checkpoint(std::vector<CountedFile> counted, const DirectoryWatcher* watcher);
  bool already_counted(const std::string& path) const;
  // The tasks whose file is not too old for --max-file-age; the others are named in one warning.
  std::vector<FileTask> drop_old_files(std::vector<FileTask> tasks) const;
  // Files last modified before this are old (INT64_MIN: none is, as in the first batch): more than
  // --max-file-age before the newest file counted, or before what the checkpoint has forgotten.
  int64_t oldest_new_file_ns() const;
  void restore_alerts(const CheckpointState& state);
  std::string query_description() const;

  QueryOptions options_;
  ChunkParser parser_;
  Schema status_schema_;                     // the result's columns when the status table answers
  std::unique_ptr<QueryExecutor> executor_;  // every other plan
  // Beside the status table, when alert rules read more than the status: runs only their plan.
  std::unique_ptr<QueryExecutor> rules_executor_;
  std::optional<GroupTable> groups_;  // the engine's groups since the start
  size_t rows_updated_ = 0;
  bool rows_streamed_ = false;  // the batch's rows already went to the text sinks
  StatusTable table_;           // the line accounting since the start (and, for the seed's query, the result)
  std::unique_ptr<BatchOutputs> outputs_;
  std::unique_ptr<StreamPipeline> pipeline_;
  bool skip_empty_batches_ = false;  // --follow: a read that found no complete line is not a batch
  BatchEnd last_batch_end_ = BatchEnd::kPrinted;
  const std::atomic<bool>* cancel_ = nullptr;  // run: the stop flag, checked once per chunk
  uint64_t next_batch_id_ = 0;
  // The event-time watermark (microseconds): the one the last batch ran with, and the one the next will.
  // A batch drops rows at or before its watermark and finishes windows that end at or before it.
  int64_t watermark_ = 0;
  int64_t next_watermark_ = 0;
  uint64_t rows_dropped_by_watermark_ = 0;         // by the last batch
  uint64_t rows_untrusted_time_ = 0;               // by the last batch: in no window (--max-future, 1970)
  int64_t latest_trusted_us_ = INT64_MAX;          // the batch's: the wall clock plus --max-future
  bool no_data_batch_due() const;                  // the watermark moved: finished windows wait for a batch
  GroupTable split_finished_windows();             // out of the state: the windows the watermark passed
  int64_t newest_modified_ns_ = INT64_MIN;         // of the files counted (and remembered)
  int64_t files_forgotten_before_ns_ = INT64_MIN;  // CheckpointState::files_forgotten_before_ns
  bool watch_follows_ = false;                     // --follow tracks its files itself: no age applies
  std::optional<CheckpointStore> checkpoint_;
  std::optional<std::string> groups_delta_;  // the batch's partial aggregate, for the checkpoint's delta
  // By canonical path: the files a checkpoint records (under --follow the watcher's followed files instead).
  std::map<std::string, CountedFile> counted_files_;
  std::vector<CountedFile> restored_files_;  // the checkpoint's list as it was, for --follow
  size_t batch_files_ = 0;
  const char* batch_noun_ = "file";             // what batch_files_ counts, for the batch summary
  bool kafka_worker_ = false;                   // watch kafka://: batches become deltas, not tables
  std::optional<PartitionDelta> worker_delta_;  // the partial of the batch run last (a worker's)
  SteadyClock::time_point batch_started_;
  double batch_read_parse_ms_ = 0;
  std::unique_ptr<ProgressBar> progress_bar_;  // run on a terminal only
};

// Where two queries' descriptions (StatusQuery's, one part per line) first differ, as "it has 'X' where
// this one has 'Y'", for errors that refuse another query's state.
std::string query_difference(const std::string& theirs, const std::string& ours);

// "; rejected: 3 missing field, 1 bad status" for a batch's summary; empty when nothing was rejected.
std::string reject_reasons_text(const LineCounts& batch);

// Prints "logstream: MESSAGE" on stderr; the one voice for diagnostics.
void print_diagnostic(const std::string& message);

}  // namespace logstream
