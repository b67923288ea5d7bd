// The physical side of a query: what a parser thread does with one chunk for a LogicalPlan (parse its
// lines, build only the columns the plan reads, filter, then group into a partial aggregate or project the
// rows), and what the merge stage does with the partials (fold them into the batch, the batch into the
// state since the start) and how a batch's result rows are made (HAVING, the SELECT list, Spark's row
// order or ORDER BY, LIMIT). No threads of its own: the pipeline calls it from its nodes.
#pragma once

#include <algorithm>
#include <atomic>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#define PCRE2_CODE_UNIT_WIDTH 8
#include <pcre2.h>

#include "stages/core/chunk.h"
#include "stages/core/expected.h"
#include "stages/parser/chunk_parser.h"
#include "stages/parser/seed_columns.h"
#include "stages/query/analyzer.h"
#include "stages/query/evaluate.h"
#include "stages/sinks/row_text.h"
#include "stages/state/group_table.h"

namespace logstream {

// Spark's output modes (spark-semantics.md): complete writes every group each batch, update the groups
// the batch changed, append each row once (queries without aggregation).
enum class OutputMode : uint8_t { kComplete, kUpdate, kAppend };

std::optional<OutputMode> parse_output_mode(std::string_view name) noexcept;
std::string_view output_mode_name(OutputMode mode) noexcept;

// What one chunk of a query without aggregation gives the merge stage: its result rows in line order
// (only the first ones when the rows stream, see QueryExecutor::streams_rows) and, when they stream, their
// text for the jsonl and csv sinks. An aggregation's rows go into the parser thread's own partial
// aggregate instead (see Context).
struct ChunkResult {
  ResultRows rows;
  RenderedRows text;
  // A parser thread's partial aggregate that reached QueryExecutor::partial_groups() with this chunk: the
  // merge stage folds it into the batch (BatchState::take_spilled), and the thread starts a new one.
  std::optional<GroupTable> spilled_partial;
  void clear() {
    rows.clear();
    text.clear();
    spilled_partial.reset();
  }
};

// How the rows of a streaming query leave the parser threads: the texts the sinks need, and how many rows
// the console needs to keep.
struct RowOutput {
  bool jsonl = false;
  bool csv = false;
  size_t first_rows = SIZE_MAX;
  TimeZone zone;
};

class QueryExecutor {
 public:
  // Usage errors, found before any input is read: the mode the query does not allow (`streaming`: watch,
  // where Spark refuses sorting outside complete-mode aggregation, LIMIT, DISTINCT and count(DISTINCT)),
  // and what the engine does not run yet (regexp_extract) or a pattern Hyperscan cannot compile.
  // `count_statuses`: also tally each line's status into Chunk::counts (the alerts and Prometheus read
  // it); the fixed formats always do, spark-seed then scans for the status too.
  // `line_tallies`: a second grouped plan over the same table, run on every accepted line before the
  // query's WHERE and watermark (the alert rules' AlertPlan), analyzed with the query's patterns as its
  // first ones: its pattern list is the one Hyperscan database of both.
  static Expected<std::unique_ptr<QueryExecutor>> create(LogicalPlan plan, const ChunkParser& parser,
                                                         OutputMode mode, bool streaming, bool count_statuses,
                                                         std::optional<LogicalPlan> line_tallies = {});
  // An executor that runs only the line tallies and counts each line's status: the seed's query is
  // answered by the status counts (as without alert rules), beside rules that read more than the status.
  // A spark-seed line longer than a chunk is counted by its status, as the seed's own scanner counts it.
  static Expected<std::unique_ptr<QueryExecutor>> create_for_tallies(const ChunkParser& parser,
                                                                     LogicalPlan line_tallies);

  const LogicalPlan& plan() const noexcept { return plan_; }
  OutputMode mode() const noexcept { return mode_; }
  // A query without aggregation whose rows need no step over the whole batch (ORDER BY, DISTINCT,
  // LIMIT): its rows are rendered by the parser threads and written chunk by chunk, in input order, so
  // memory does not grow with the batch.
  bool streams_rows() const noexcept {
    return !plan_.grouped && plan_.order_by.empty() && !plan_.distinct && !plan_.limit;
  }
  // Set once the sinks are known, before the pipeline starts.
  void set_row_output(RowOutput output) { row_output_ = std::move(output); }
  // How many of a batch's rows the merge stage keeps: the console's first ones when the rows stream,
  // else all (ORDER BY, DISTINCT and LIMIT need them).
  size_t rows_kept() const noexcept { return streams_rows() ? row_output_.first_rows : SIZE_MAX; }
  std::vector<const AggregateFunction*> functions() const;
  // The line tallies' aggregates; empty without them.
  std::vector<const AggregateFunction*> tally_functions() const;
  bool has_tallies() const noexcept { return tallies_.has_value(); }

  // A pattern's PCRE2 program, for the groups regexp_extract cuts out of a line Hyperscan found a match
  // in (Hyperscan reports where a match ends, not its groups).
  struct GroupProgram {
    struct Free {
      void operator()(pcre2_code_8* program) const noexcept { pcre2_code_free_8(program); }
    };
    std::unique_ptr<pcre2_code_8, Free> code;
  };

  // RLIKE answered from the query's one Hyperscan database, with the thread's scratch; regexp_extract
  // from it too when nothing matches, else from the pattern's PCRE2 program.
  class PatternFinder final : public PatternMatcher {
   public:
    bool find(uint32_t pattern, std::string_view text) const override;
    std::string extract(uint32_t pattern, std::string_view text, int group) const override;

   private:
    friend class QueryExecutor;
    struct FreeMatch {
      void operator()(pcre2_match_data_8* data) const noexcept { pcre2_match_data_free_8(data); }
    };
    const PatternSet* patterns_ = nullptr;
    const std::vector<GroupProgram>* programs_ = nullptr;
    size_t pattern_count_ = 0;
    mutable PatternSet::Scratch scratch_;
    // The last text scanned and the patterns it matched (bit i: pattern i): several RLIKEs on one value
    // of a row (the query's and the alert rules') cost one scan. Kept by content, so it is never stale.
    mutable std::string scanned_text_;
    mutable uint64_t scanned_matches_ = 0;
    mutable bool scanned_ = false;
    std::unique_ptr<pcre2_match_data_8, FreeMatch> match_;
    mutable int scan_error_ = 0;  // the first failed scan of the chunk
  };

  // Per parser thread: the parser's context, the seed scanner's, the row being built, the matcher's
  // scratch. Only make_context() can fail (memory for a Hyperscan scratch).
  class Context {
   private:
    friend class QueryExecutor;
    std::optional<ChunkParser::Context> parse_;
    std::optional<SeedColumnScanner::Context> seed_;
    SeedColumnBatch seed_rows_;
    std::vector<Value> row_;
    std::string encoded_keys_;
    std::string keys_after_window_;  // the keys after a window key, encoded once per row
    // Rows of a query that only counts, waiting to be added to their groups a probe batch at a time
    // (GroupTable::find_or_insert_batch): their encoded keys, back to back, and where each ends.
    std::string pending_keys_;
    std::vector<size_t> pending_ends_;
    // The thread's partial aggregate: every chunk this thread parses adds to it. It goes to the merge
    // stage when it reaches partial_groups() groups (with the chunk that filled it), or when the batch
    // closes.
    std::optional<GroupTable> partial_;
    std::optional<GroupTable> tally_partial_;  // the line tallies' (few groups: taken when the batch closes)
    uint64_t dropped_by_watermark_ = 0;        // late rows of the batch so far
    uint64_t untrusted_time_ = 0;              // rows whose time no window takes (before 1970, far ahead)
    int64_t max_event_time_ = INT64_MIN;       // of the batch's rows so far (with a watermark)
    PatternFinder finder_;
    EvalContext eval_;
    EvalContext tally_eval_;  // the line tallies' own session zone
  };
  Expected<std::unique_ptr<Context>> make_context() const;

  // One chunk into `out` (cleared first) and chunk.counts; a failed scan sets chunk.scan_error. The
  // caller hands every `out` to BatchState::take_spilled (it may carry a partial), and the contexts to
  // take_partial when the batch closes.
  void process(Context& context, Chunk& chunk, ChunkResult& out) const noexcept;

  // A partial aggregate that holds this many groups (--partial-groups) after a chunk leaves its thread
  // for the merge stage (Spark's hash aggregate, too, bounds its map and spills it). Keys of many groups
  // (endpoints, minutes) mostly appear in one thread's chunks and in the other's too, so partials that
  // grew over the whole batch were each nearly as large as the result: two of them, and the merge, held
  // the groups about twice (167 MB for GROUP BY endpoint's 953k groups on 2 threads). Bounded, the groups
  // stand once in the batch's table, and a partial stays small enough for the cache; the merge probes
  // about as many groups as before (1.85M for that query), but while the parser threads go on.
  static constexpr size_t kDefaultPartialGroups = 16384;
  void set_partial_groups(size_t groups) noexcept { partial_groups_ = std::max<size_t>(1, groups); }
  size_t partial_groups() const noexcept { return partial_groups_; }

  // The groups (or rows) of the batch being merged.
  class BatchState {
   public:
    BatchState(std::vector<const AggregateFunction*> functions,
               std::optional<std::vector<const AggregateFunction*>> tally_functions)
        : groups_(std::move(functions)) {
      if (tally_functions) tallies_.emplace(std::move(*tally_functions));
    }
    // A chunk's rows, in input order (the merge stage orders the chunks); at most `keep` rows are kept.
    void append_rows(ChunkResult& chunk, size_t keep);
    // Takes a parser thread's partial aggregate (leaving it empty), once every chunk of the batch is in.
    void take_partial(Context& context);
    // Takes the partial a chunk brought (ChunkResult::spilled_partial), if any.
    void take_spilled(ChunkResult& chunk);
    void clear();
    GroupTable& groups() noexcept { return groups_; }
    // The line tallies of the batch (null without them).
    const GroupTable* tallies() const noexcept { return tallies_ ? &*tallies_ : nullptr; }
    // The rows of a query without aggregation, in input order.
    ResultRows take_rows() { return std::move(rows_); }
    // With a watermark: the rows dropped as late, and the latest event time of the batch (INT64_MIN:
    // no row had one).
    uint64_t dropped_by_watermark() const noexcept { return dropped_by_watermark_; }
    // With a window: the rows whose time was not trusted (set_latest_trusted_time), in no window.
    uint64_t untrusted_time() const noexcept { return untrusted_time_; }
    int64_t max_event_time() const noexcept { return max_event_time_; }

   private:
    GroupTable groups_;
    std::optional<GroupTable> tallies_;
    ResultRows rows_;
    uint64_t dropped_by_watermark_ = 0;
    uint64_t untrusted_time_ = 0;
    int64_t max_event_time_ = INT64_MIN;
  };

  // The watermark of the batch about to run (rows at or before it are late); set between batches.
  void set_watermark(int64_t micros) noexcept { watermark_.store(micros, std::memory_order_relaxed); }
  // Event times a window takes, and the watermark follows: from 1970 to `latest` (the wall clock plus
  // --max-future). A row dated outside goes into no window and moves no watermark; it is counted.
  void set_latest_trusted_time(int64_t micros) noexcept {
    latest_trusted_.store(micros, std::memory_order_relaxed);
  }

  // The result of a batch: for an aggregation, the groups of `state` (complete) or those the batch
  // changed (`updated`, update mode); without aggregation, the batch's rows. HAVING, the SELECT list,
  // DISTINCT, order (ORDER BY, else Spark's hash-partition order of the grouping keys) and LIMIT applied;
  // hidden ORDER BY columns dropped.
  // `rows_needed`: the sinks look at no more than this many rows (the console alone shows --num-rows and
  // must know whether there are more), so only those are ordered and built.
  ResultRows result_rows(const GroupTable& state, const std::vector<size_t>* updated,
                         size_t rows_needed = SIZE_MAX) const;
  ResultRows result_rows(ResultRows batch_rows) const;

  // An aggregation whose result needs no step over all its rows (DISTINCT, ORDER BY, LIMIT) and has
  // grouping keys: its rows can go to the sinks slice by slice (project_groups of ordered_groups).
  bool streams_groups() const noexcept {
    return plan_.grouped && !plan_.keys.empty() && plan_.order_by.empty() && !plan_.distinct && !plan_.limit;
  }
  // The groups of `state` (or the `updated` ones) in Spark's order; the first `limit` of them.
  std::vector<size_t> ordered_groups(const GroupTable& state, const std::vector<size_t>* updated,
                                     size_t limit = SIZE_MAX) const;
  // The same in two steps, so that a caller with threads sorts the partitions in parallel: deal_groups
  // puts the groups in partition order, sort_partition sorts one partition by its keys.
  struct DealtGroups {
    std::vector<size_t> groups;  // by partition
    std::vector<size_t> starts;  // partition p is groups[starts[p], starts[p + 1])
  };
  DealtGroups deal_groups(const GroupTable& state, const std::vector<size_t>* updated) const;
  void sort_partition(const GroupTable& state, DealtGroups& dealt, size_t partition) const;
  // Those groups' result rows: HAVING applied, the SELECT list evaluated (hidden columns kept).
  ResultRows project_groups(const GroupTable& state, std::span<const size_t> groups) const;

  // A plan grouped by session_window(): its groups hold sessions that may overlap (each row's own, and
  // the state's); merges every run of overlapping ones with the same other keys into one, as Spark's
  // MergingSessionsIterator does (sorted by start; a session that starts at or before the current one's
  // end joins it). Any other plan: the table as it is.
  bool merges_sessions() const noexcept {
    return plan_.window_key && plan_.keys[*plan_.window_key]->function == BoundFunction::kSessionWindow;
  }
  GroupTable merge_sessions(GroupTable sessions) const;

  // Spark's text of doubles and timestamps for casts to string.
  const CastText& cast_text() const noexcept;

 private:
  struct ColumnSource {
    uint32_t column = 0;  // in the plan's input
    int32_t from = -1;    // in the format's LogColumns (fixed formats) or a SeedColumn; -1: always null
  };
  QueryExecutor() = default;
  // Groups prefetched ahead of the one read when groups are read out of the table's order
  // (GroupTable::prefetch).
  static constexpr size_t kPrefetchAhead = 8;
  class LineVisitor;
  bool passes_filter(Context& context) const;
  void add_row(Context& context, ChunkResult& out) const;  // a row that passed the filter
  void add_tallies(Context& context) const;                // every accepted row, before the filter
  // The row into `groups` under `plan`'s keys (no window key), its aggregates updated.
  static void add_to_groups(const LogicalPlan& plan, GroupTable& groups, Context& context,
                            const EvalContext& eval);
  static void add_to_group(const std::vector<AggregateCall>& aggregates, GroupTable& groups, size_t group,
                           Context& context, const EvalContext& eval);
  // A row whose key was just appended to the context's pending keys (counts_only_); a full batch is added.
  void add_pending_row(Context& context) const;
  // The rows pending in the context, added to their groups (a chunk ends with it).
  void add_pending_rows(Context& context) const;
  ResultRows finish_rows(ResultRows rows) const;

  LogicalPlan plan_;
  std::optional<LogicalPlan> tallies_;
  bool tallies_only_ = false;  // create_for_tallies: plan_ is not run
  // Every aggregate is count(*) (or another count of a literal): a row adds nothing but its key, so its group
  // can be found later, in a batch with others (Context::pending_keys_).
  bool counts_only_ = false;
  OutputMode mode_ = OutputMode::kComplete;
  const ChunkParser* parser_ = nullptr;
  std::vector<LogColumns> format_columns_;          // per parser index (fixed formats)
  std::vector<std::vector<ColumnSource>> sources_;  // per parser index: the used columns, WHERE's first
  std::vector<size_t> filter_sources_;              // per parser index: how many of them WHERE reads
  std::optional<SeedColumnScanner> seed_;           // spark-seed
  std::optional<PatternSet> patterns_;              // RLIKE, one database for the query
  std::vector<GroupProgram> programs_;              // per pattern, for regexp_extract's groups
  Expected<bool> make_finder(PatternFinder& finder) const;
  bool count_seed_statuses_ = false;
  RowOutput row_output_;
  size_t partial_groups_ = kDefaultPartialGroups;
  std::atomic<int64_t> watermark_{0};  // Spark's watermark starts at 0
  std::atomic<int64_t> latest_trusted_{INT64_MAX};
  bool trusted_time(int64_t micros) const noexcept {
    return micros >= 0 && micros <= latest_trusted_.load(std::memory_order_relaxed);
  }
};

}  // namespace logstream
