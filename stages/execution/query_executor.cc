#include "stages/execution/query_executor.h"

#include <algorithm>
#include <array>
#include <numeric>
#include <set>
#include <utility>

#include "stages/core/invariant.h"
#include "stages/core/spark_partitioning.h"
#include "stages/query/sql_parser.h"
#include "stages/query/time_window.h"
#include "stages/sinks/spark_value_text.h"

namespace logstream {
namespace {

bool holds_true(const Value& v) noexcept { return !v.null && v.integer != 0; }

// ORDER BY's comparison of two result rows (its keys in order; nulls where the key puts them).
bool ordered_before(const std::vector<SortKey>& order, const std::vector<Value>& a,
                    const std::vector<Value>& b) {
  for (const SortKey& key : order) {
    const Value& x = a[key.column];
    const Value& y = b[key.column];
    if (x.null != y.null) return x.null == key.nulls_first;
    if (x.null) continue;
    const auto c = compare_for_sort(x, y);
    if (c != 0) return key.descending ? c > 0 : c < 0;
  }
  return false;
}

bool keys_less(const std::vector<Value>& a, const std::vector<Value>& b) {
  for (size_t i = 0; i < a.size(); ++i) {
    const auto c = compare_for_sort(a[i], b[i]);
    if (c != 0) return c < 0;
  }
  return false;
}

}  // namespace

std::optional<OutputMode> parse_output_mode(std::string_view name) noexcept {
  if (name == "complete") return OutputMode::kComplete;
  if (name == "update") return OutputMode::kUpdate;
  if (name == "append") return OutputMode::kAppend;
  return std::nullopt;
}

std::string_view output_mode_name(OutputMode mode) noexcept {
  switch (mode) {
    case OutputMode::kComplete:
      return "complete";
    case OutputMode::kUpdate:
      return "update";
    case OutputMode::kAppend:
      return "append";
  }
  return "complete";
}

bool QueryExecutor::PatternFinder::find(uint32_t pattern, std::string_view text) const {
  if (pattern_count_ <= 64) {
    // One scan answers every pattern for this text; the next RLIKE on the same value asks the cache.
    if (!scanned_ || text != scanned_text_) {
      uint64_t matches = 0;
      auto on_every_match = [&](unsigned id, size_t /*end*/) {
        matches |= uint64_t{1} << id;
        return true;
      };
      const hs_error_t result = patterns_->scan(text.data(), text.size(), scratch_, on_every_match);
      if (PatternSet::failed(result)) {
        if (scan_error_ == 0) scan_error_ = result;
        scanned_ = false;
        return false;
      }
      scanned_text_.assign(text);
      scanned_matches_ = matches;
      scanned_ = true;
    }
    return (scanned_matches_ >> pattern) & 1;
  }
  bool found = false;
  auto on_match = [&](unsigned id, size_t /*end*/) {
    if (id != pattern) return true;
    found = true;
    return false;
  };
  const hs_error_t result = patterns_->scan(text.data(), text.size(), scratch_, on_match);
  if (PatternSet::failed(result) && scan_error_ == 0) scan_error_ = result;
  return found;
}

std::string QueryExecutor::PatternFinder::extract(uint32_t pattern, std::string_view text, int group) const {
  if (!find(pattern, text)) return "";  // Hyperscan says no match: most lines of most queries
  const int found =
      pcre2_match_8((*programs_)[pattern].code.get(), reinterpret_cast<PCRE2_SPTR8>(text.data()), text.size(),
                    0, 0, match_.get(), nullptr);
  if (found <= group) return "";  // no match, or the group took no part in it (as Java's Matcher.group)
  const PCRE2_SIZE* ovector = pcre2_get_ovector_pointer_8(match_.get());
  const PCRE2_SIZE begin = ovector[2 * group], end = ovector[2 * group + 1];
  if (begin == PCRE2_UNSET || end < begin) return "";
  return std::string(text.substr(begin, end - begin));
}

Expected<bool> QueryExecutor::make_finder(PatternFinder& finder) const {
  if (!patterns_) return true;
  auto scratch = patterns_->make_scratch();
  if (!scratch) return Error{scratch.error()};
  finder.patterns_ = &*patterns_;
  finder.scratch_ = std::move(scratch).value();
  finder.programs_ = &programs_;
  finder.pattern_count_ = programs_.size();
  uint32_t groups = 0;
  for (const GroupProgram& program : programs_) {
    if (!program.code) continue;  // RLIKE only
    uint32_t count = 0;
    pcre2_pattern_info_8(program.code.get(), PCRE2_INFO_CAPTURECOUNT, &count);
    groups = std::max(groups, count);
  }
  finder.match_.reset(pcre2_match_data_create_8(groups + 1, nullptr));
  if (!finder.match_) return Error{"out of memory for a regular expression's match data"};
  return true;
}

const CastText& QueryExecutor::cast_text() const noexcept { return spark_cast_text(); }

Expected<std::unique_ptr<QueryExecutor>> QueryExecutor::create(LogicalPlan plan, const ChunkParser& parser,
                                                               OutputMode mode, bool streaming,
                                                               bool count_statuses,
                                                               std::optional<LogicalPlan> line_tallies) {
  // Spark's rules for which query allows which output mode (spark-semantics.md).
  if (plan.grouped && mode == OutputMode::kAppend) {
    // A group is final, so can be appended once, only when the watermark has passed its window's end.
    if (!windowed_on_watermark(plan)) {
      return Error{
          "append output mode is not supported for an aggregation without a watermark on its event-time "
          "window: group by window(timestamp, 'DURATION') with --watermark 'timestamp, DELAY', or use "
          "--output-mode complete or update"};
    }
  }
  if (plan.window_key && plan.keys[*plan.window_key]->function == BoundFunction::kSessionWindow) {
    // Spark's UnsupportedOperationChecker: a session is merged, not updated in place.
    if (mode == OutputMode::kUpdate) {
      return Error{
          "update output mode is not supported for session_window(): use --output-mode append (with "
          "--watermark) or complete"};
    }
    if (streaming && plan.keys.size() == 1) {
      return Error{
          "global aggregation with session_window() in a streaming query is not supported: group by "
          "session_window(...) and another column (e.g. host), or use `logstream run`"};
    }
  }
  if (!plan.grouped && mode == OutputMode::kComplete) {
    return Error{
        "complete output mode is not supported when there are no aggregations: use --output-mode append "
        "or update"};
  }
  if (streaming) {
    if (!plan.order_by.empty() && !(plan.grouped && mode == OutputMode::kComplete)) {
      return Error{
          "sorting is not supported on streaming data except after an aggregation in complete output "
          "mode (watch); `logstream run` sorts anything"};
    }
    if (plan.limit)
      return Error{"LIMIT is not supported on streaming data (watch); `logstream run` allows it"};
    if (plan.distinct)
      return Error{"SELECT DISTINCT is not supported on streaming data (watch); `logstream run` allows it"};
    for (const AggregateCall& call : plan.aggregates) {
      if (call.function->distinct()) {
        return Error{
            "distinct aggregations are not supported on streaming data (watch); consider using "
            "approx_count_distinct(), or `logstream run`"};
      }
    }
  }

  std::unique_ptr<QueryExecutor> executor(new QueryExecutor());
  executor->mode_ = mode;
  executor->parser_ = &parser;

  // The line tallies were analyzed with the query's patterns first: their list holds both.
  const std::vector<LogicalPlan::Pattern>& all_patterns =
      line_tallies ? line_tallies->patterns : plan.patterns;
  if (!all_patterns.empty()) {
    std::vector<PatternSpec> specs;
    for (size_t i = 0; i < all_patterns.size(); ++i)
      specs.push_back({all_patterns[i].regex, kRlikePatternFlags, static_cast<unsigned>(i)});
    auto set = PatternSet::create(specs);
    if (!set) return Error{"the query's patterns: " + set.error()};
    executor->patterns_.emplace(std::move(set).value());
    // The patterns regexp_extract cuts groups out with, for PCRE2 too (UTF-8 as Java reads the string;
    // bytes that are not UTF-8 never match inside a character, they do not fail the match).
    for (const LogicalPlan::Pattern& pattern : all_patterns) {
      if (!pattern.extracted) {
        executor->programs_.emplace_back();
        continue;
      }
      int code = 0;
      PCRE2_SIZE offset = 0;
      pcre2_code_8* compiled =
          pcre2_compile_8(reinterpret_cast<PCRE2_SPTR8>(pattern.regex.data()), pattern.regex.size(),
                          PCRE2_UTF | PCRE2_MATCH_INVALID_UTF, &code, &offset, nullptr);
      if (!compiled) {
        PCRE2_UCHAR8 message[256];
        pcre2_get_error_message_8(code, message, sizeof message);
        return Error{"regexp_extract: pattern '" + pattern.regex + "' at offset " + std::to_string(offset) +
                     ": " + reinterpret_cast<const char*>(message)};
      }
      GroupProgram program;
      program.code.reset(compiled);
      pcre2_jit_compile_8(compiled, PCRE2_JIT_COMPLETE);  // when JIT is not there, matching runs without it
      uint32_t groups = 0;
      pcre2_pattern_info_8(compiled, PCRE2_INFO_CAPTURECOUNT, &groups);
      if (static_cast<int>(groups) < pattern.highest_group) {
        // Spark's message: "Regex group count is 1, but the specified group index is 2".
        return Error{"regexp_extract: pattern '" + pattern.regex + "' has " + std::to_string(groups) +
                     " group" + (groups == 1 ? "" : "s") + ", but group " +
                     std::to_string(pattern.highest_group) + " is asked for"};
      }
      executor->programs_.push_back(std::move(program));
    }
  }

  const Schema& input = plan.input;
  // A column is read when the query or the line tallies use it; the tallies' columns with WHERE's, as
  // the tallies look at every accepted line.
  std::vector<bool> used = plan.columns_used;
  std::vector<bool> in_filter(input.size(), false);
  if (line_tallies) {
    for (size_t c = 0; c < input.size(); ++c) {
      if (!line_tallies->columns_used[c]) continue;
      used[c] = true;
      in_filter[c] = true;
    }
  }
  if (parser.is_spark_seed()) {
    const Schema seed_schema = LogColumns::spark_seed().schema();
    std::vector<ColumnSource> sources;
    SeedColumnSet wanted;
    for (uint32_t c = 0; c < input.size(); ++c) {
      if (!used[c]) continue;
      const int at = find_column(seed_schema, input[c].name);
      if (at < 0) fail_invariant("spark-seed has no column " + input[c].name);
      sources.push_back({c, at});
      if (static_cast<size_t>(at) < kSeedColumnCount) wanted = wanted.with(static_cast<SeedColumn>(at));
    }
    if (count_statuses) wanted = wanted.with(SeedColumn::kStatus);
    executor->count_seed_statuses_ = wanted.has(SeedColumn::kStatus);
    auto scanner = SeedColumnScanner::create(wanted);
    if (!scanner) return Error{scanner.error()};
    executor->seed_.emplace(std::move(scanner).value());
    executor->sources_.push_back(std::move(sources));
  } else {
    // The WHERE clause's columns come first: a line it drops costs only those.
    auto mark = [&](const BoundExpr& e, auto& self) -> void {
      if (e.kind == BoundKind::kColumn && e.slot == Slot::kInput) in_filter[e.column] = true;
      for (const auto& child : e.children) self(*child, self);
    };
    if (plan.filter) mark(*plan.filter, mark);
    // The event time moves the watermark whatever WHERE says, so it is read with WHERE's columns.
    if (plan.grouped && plan.watermark) in_filter[plan.watermark->column] = true;
    for (size_t f = 0; f < parser.format_count(); ++f) {
      LogColumns columns = LogColumns::of(parser.format(static_cast<uint32_t>(f)));
      std::vector<ColumnSource> sources;
      for (const bool filter_pass : {true, false}) {
        for (uint32_t c = 0; c < input.size(); ++c) {
          if (used[c] && in_filter[c] == filter_pass)
            sources.push_back({c, find_column(columns.schema(), input[c].name)});
        }
        if (filter_pass) executor->filter_sources_.push_back(sources.size());
      }
      executor->format_columns_.push_back(std::move(columns));
      executor->sources_.push_back(std::move(sources));
    }
  }
  executor->plan_ = std::move(plan);
  executor->tallies_ = std::move(line_tallies);
  const auto& aggregates = executor->plan_.aggregates;
  // count(*) is count(1): an argument that is a literal other than null adds the same to every row.
  auto counts_rows = [](const AggregateCall& call) {
    if (call.arguments.empty()) return true;
    const BoundExpr& argument = *call.arguments[0];
    return call.function->kind() == AggregateKind::kCount && !call.function->distinct() &&
           call.arguments.size() == 1 && argument.kind == BoundKind::kLiteral && !argument.value.null;
  };
  executor->counts_only_ = executor->plan_.grouped && !aggregates.empty() &&
                           std::all_of(aggregates.begin(), aggregates.end(), counts_rows);
  return executor;
}

Expected<std::unique_ptr<QueryExecutor>> QueryExecutor::create_for_tallies(const ChunkParser& parser,
                                                                           LogicalPlan line_tallies) {
  // Its own plan is the global count over the same table: grouped, reading no column, never run.
  auto statement = sql::parse_sql("SELECT count(*) FROM logs");
  if (!statement) return Error{statement.error()};
  auto plan = analyze(statement.value(), line_tallies.input, AnalyzerOptions{});
  if (!plan) return Error{plan.error()};
  auto executor = create(std::move(plan).value(), parser, OutputMode::kComplete, /*streaming=*/false,
                         /*count_statuses=*/true, std::move(line_tallies));
  if (executor) executor.value()->tallies_only_ = true;
  return executor;
}

std::vector<const AggregateFunction*> QueryExecutor::functions() const {
  std::vector<const AggregateFunction*> out;
  for (const AggregateCall& call : plan_.aggregates) out.push_back(call.function.get());
  return out;
}

std::vector<const AggregateFunction*> QueryExecutor::tally_functions() const {
  std::vector<const AggregateFunction*> out;
  if (tallies_) {
    for (const AggregateCall& call : tallies_->aggregates) out.push_back(call.function.get());
  }
  return out;
}

Expected<std::unique_ptr<QueryExecutor::Context>> QueryExecutor::make_context() const {
  auto context = std::make_unique<Context>();
  if (seed_) {
    auto seed = seed_->make_context();
    if (!seed) return Error{seed.error()};
    context->seed_.emplace(std::move(seed).value());
  }
  if (!seed_ || tallies_only_) {  // tallies_only_: the parser's seed scanner counts long lines
    auto parse = parser_->make_context();
    if (!parse) return Error{parse.error()};
    context->parse_.emplace(std::move(parse).value());
  }
  if (auto made = make_finder(context->finder_); !made) return Error{made.error()};
  if (plan_.grouped && !tallies_only_) context->partial_.emplace(functions());
  if (tallies_) context->tally_partial_.emplace(tally_functions());
  context->row_.resize(plan_.input.size());
  for (size_t c = 0; c < plan_.input.size(); ++c) context->row_[c] = Value::null_of(plan_.input[c].type);
  context->eval_.zone = plan_.session_zone;
  context->eval_.patterns = &context->finder_;
  context->eval_.text = &spark_cast_text();
  if (tallies_) {
    context->tally_eval_ = context->eval_;
    context->tally_eval_.zone = tallies_->session_zone;
  }
  return context;
}

// The fixed formats' accepted lines, as rows of the plan's input.
class QueryExecutor::LineVisitor final : public AcceptedLineSink {
 public:
  LineVisitor(const QueryExecutor& executor, Context& context, ChunkResult& out)
      : executor_(executor), context_(context), out_(out) {}
  void on_line(uint32_t parser_index, const ParsedLine& line, std::string_view text) override {
    const LogColumns& columns = executor_.format_columns_[parser_index];
    const std::vector<ColumnSource>& sources = executor_.sources_[parser_index];
    const size_t filter_columns = executor_.filter_sources_[parser_index];
    auto fill = [&](size_t from, size_t to) {
      for (size_t i = from; i < to; ++i) {
        const ColumnSource& source = sources[i];
        Value& cell = context_.row_[source.column];
        if (source.from < 0) {
          cell = Value::null_of(executor_.plan_.input[source.column].type);
        } else {
          columns.assign_value(static_cast<size_t>(source.from), line, text, cell);
        }
      }
    };
    fill(0, filter_columns);
    if (executor_.tallies_) executor_.add_tallies(context_);
    if (executor_.tallies_only_ || !executor_.passes_filter(context_)) return;
    fill(filter_columns, sources.size());
    executor_.add_row(context_, out_);
  }

 private:
  const QueryExecutor& executor_;
  Context& context_;
  ChunkResult& out_;
};

bool QueryExecutor::passes_filter(Context& context) const {
  if (plan_.grouped && plan_.watermark) {
    // withWatermark sits on the table, before WHERE: every row with a time moves it.
    const Value& time = context.row_[plan_.watermark->column];
    if (!time.null && trusted_time(time.integer))
      context.max_event_time_ = std::max(context.max_event_time_, time.integer);
  }
  return !plan_.filter || holds_true(evaluate(*plan_.filter, context.row_, context.eval_));
}

namespace {

// A key or argument that is a column is read in place; anything else is evaluated.
bool is_input_column(const BoundExpr& e) { return e.kind == BoundKind::kColumn && e.slot == Slot::kInput; }

}  // namespace

void QueryExecutor::add_to_group(const std::vector<AggregateCall>& aggregates, GroupTable& groups,
                                 size_t group, Context& context, const EvalContext& eval) {
  const std::span<const Value> row(context.row_);
  for (size_t a = 0; a < aggregates.size(); ++a) {
    const AggregateCall& call = aggregates[a];
    char* state = groups.state(group, a);
    if (call.arguments.empty()) {
      call.function->add_null(state);  // count(*): no argument, every row counts
    } else if (is_input_column(*call.arguments[0])) {
      call.function->add(state, context.row_[call.arguments[0]->column]);
    } else {
      call.function->add(state, evaluate(*call.arguments[0], row, eval));
    }
  }
}

namespace {

void encode_key_of(const BoundExpr& key, std::span<const Value> row, const EvalContext& eval,
                   std::string& into) {
  if (is_input_column(key)) {
    GroupTable::encode_key(row[key.column], into);
  } else {
    GroupTable::encode_key(evaluate(key, row, eval), into);
  }
}

}  // namespace

void QueryExecutor::add_to_groups(const LogicalPlan& plan, GroupTable& groups, Context& context,
                                  const EvalContext& eval) {
  std::string& encoded = context.encoded_keys_;
  encoded.clear();
  for (const auto& k : plan.keys) encode_key_of(*k, context.row_, eval, encoded);
  add_to_group(plan.aggregates, groups, groups.find_or_insert_encoded(encoded), context, eval);
}

void QueryExecutor::add_pending_row(Context& context) const {
  context.pending_ends_.push_back(context.pending_keys_.size());
  // A batch is also added when its keys grow large (a key may be a whole line, copied into every
  // window of a sliding one): the pending bytes stay within one key of the budget.
  constexpr size_t kPendingBytes = 64 * 1024;
  if (context.pending_ends_.size() == GroupTable::kProbeBatch ||
      context.pending_keys_.size() >= kPendingBytes)
    add_pending_rows(context);
}

void QueryExecutor::add_pending_rows(Context& context) const {
  const size_t n = context.pending_ends_.size();
  if (n == 0) return;
  std::array<std::string_view, GroupTable::kProbeBatch> keys;
  std::array<size_t, GroupTable::kProbeBatch> found;
  const std::string_view all(context.pending_keys_);
  for (size_t i = 0, begin = 0; i < n; begin = context.pending_ends_[i++])
    keys[i] = all.substr(begin, context.pending_ends_[i] - begin);
  GroupTable& groups = *context.partial_;
  groups.find_or_insert_batch(std::span<const std::string_view>(keys.data(), n), found.data());
  for (size_t i = 0; i < n; ++i) {
    for (size_t a = 0; a < plan_.aggregates.size(); ++a) {
      const AggregateCall& call = plan_.aggregates[a];
      if (call.arguments.empty())
        call.function->add_null(groups.state(found[i], a));
      else
        call.function->add(groups.state(found[i], a), call.arguments[0]->value);
    }
  }
  context.pending_keys_.clear();
  context.pending_ends_.clear();
}

void QueryExecutor::add_tallies(Context& context) const {
  add_to_groups(*tallies_, *context.tally_partial_, context, context.tally_eval_);
}

void QueryExecutor::add_row(Context& context, ChunkResult& out) const {
  const std::span<const Value> row(context.row_);
  if (!plan_.grouped) {
    std::vector<Value> projected;
    projected.reserve(plan_.projections.size());
    for (const auto& p : plan_.projections) projected.push_back(evaluate(*p, row, context.eval_));
    out.rows.push_back(std::move(projected));
    return;
  }
  GroupTable& groups = *context.partial_;
  if (!plan_.window_key && counts_only_) {
    for (const auto& k : plan_.keys) encode_key_of(*k, row, context.eval_, context.pending_keys_);
    add_pending_row(context);
    return;
  }
  if (!plan_.window_key) {
    add_to_groups(plan_, groups, context, context.eval_);
    return;
  }
  auto encode = [&](const BoundExpr& k, std::string& into) { encode_key_of(k, row, context.eval_, into); };
  auto add_to = [&](size_t group) { add_to_group(plan_.aggregates, groups, group, context, context.eval_); };
  std::string& encoded = context.encoded_keys_;
  encoded.clear();
  // An event-time window: the row goes into every window that holds its time (one when they tumble),
  // and nowhere without a time. The other keys are encoded once, around the window's place.
  const size_t window_key = *plan_.window_key;
  const BoundExpr& window = *plan_.keys[window_key];
  const Value time = is_input_column(window.child(0)) ? context.row_[window.child(0).column]
                                                      : evaluate(window.child(0), row, context.eval_);
  if (time.null) return;
  if (plan_.watermark && !trusted_time(time.integer)) {
    // Before 1970, or further ahead of the wall clock than --max-future: one such line must not open a
    // window of its own, nor (passes_filter) blind the watermark for good.
    ++context.untrusted_time_;
    return;
  }
  std::string& after = context.keys_after_window_;
  after.clear();
  for (size_t k = 0; k < plan_.keys.size(); ++k) {
    if (k != window_key) encode(*plan_.keys[k], k < window_key ? encoded : after);
  }
  const size_t before = encoded.size();
  if (window.function == BoundFunction::kSessionWindow) {
    // The row's own session [t, t + gap); the merge stage merges the overlapping ones (merge_sessions).
    // Late as Spark judges a session row: its session ends at or before the watermark.
    const int64_t gap = window.child(1).value.integer;
    if (time.integer > INT64_MAX - gap) {
      ++context.untrusted_time_;
      return;
    }
    const int64_t end = time.integer + gap;
    if (plan_.watermark && mode_ != OutputMode::kComplete &&
        end <= watermark_.load(std::memory_order_relaxed)) {
      ++context.dropped_by_watermark_;
      return;
    }
    GroupTable::encode_key(Value::window(time.integer, end), encoded);
    encoded += after;
    add_to(groups.find_or_insert_encoded(encoded));
    return;
  }
  const TimeWindowSpec spec{window.child(1).value.integer, window.child(2).value.integer,
                            window.child(3).value.integer};
  // Late, as Spark judges it on the window: a window that ends at or before the batch's watermark is
  // final, so the row is dropped from it (and counted, per window, as numRowsDroppedByWatermark).
  // Complete mode keeps every window open.
  const bool drops_late = plan_.watermark && mode_ != OutputMode::kComplete;
  const int64_t watermark = watermark_.load(std::memory_order_relaxed);
  for_each_window(time.integer, spec, [&](int64_t start) {
    if (drops_late && start + spec.size_us <= watermark) {
      ++context.dropped_by_watermark_;
      return;
    }
    if (counts_only_) {
      // Encoded straight into the pending keys (add_pending_row).
      std::string& pending = context.pending_keys_;
      pending.append(encoded, 0, before);
      GroupTable::encode_key(Value::window(start, start + spec.size_us), pending);
      pending += after;
      add_pending_row(context);
      return;
    }
    encoded.resize(before);
    GroupTable::encode_key(Value::window(start, start + spec.size_us), encoded);
    encoded += after;
    add_to(groups.find_or_insert_encoded(encoded));
  });
}

void QueryExecutor::process(Context& context, Chunk& chunk, ChunkResult& out) const noexcept {
  out.clear();
  if (chunk.shape == ChunkShape::kBatchEnd) return;
  context.finder_.scan_error_ = 0;
  context.eval_.input_file = chunk.file_uri ? std::string_view(*chunk.file_uri) : std::string_view();
  context.tally_eval_.input_file = context.eval_.input_file;
  if (chunk.shape == ChunkShape::kLinePiece) {
    if (tallies_only_ && seed_) {
      // The seed's status count finds the status of a line of any length; the rules do not see it.
      parser_->process(*context.parse_, chunk);
      return;
    }
    // A line longer than a chunk cannot become a row: rejected as too long, as the fixed formats do.
    chunk.piece.too_long = true;
    return;
  }
  if (!seed_) {
    LineVisitor visitor(*this, context, out);
    parser_->process(*context.parse_, chunk, &visitor);
  } else {
    SeedColumnBatch& rows = context.seed_rows_;
    const hs_error_t result =
        seed_->process(*context.seed_, std::string_view(chunk.data(), chunk.size), rows);
    if (result != HS_SUCCESS) {
      chunk.scan_error = result;
      return;
    }
    LineCounts& counts = chunk.counts;
    counts.lines_read += rows.rows();
    const auto number = [](const std::optional<int32_t>& v) {
      return v ? Value::int32(*v) : Value::null_of(DataType::kInt);
    };
    for (size_t i = 0; i < rows.rows(); ++i) {
      if (count_seed_statuses_) {
        if (rows.status[i])
          counts.count_status(*rows.status[i]);
        else
          ++counts.null_status;
      }
      for (const ColumnSource& source : sources_.front()) {
        Value& cell = context.row_[source.column];
        if (source.from >= static_cast<int32_t>(kSeedColumnCount)) {
          cell.set_string(rows.lines[i]);  // value: the raw line
          continue;
        }
        switch (static_cast<SeedColumn>(source.from)) {
          case SeedColumn::kHost:
            cell.set_string(rows.host[i]);
            break;
          case SeedColumn::kTimestamp:
            cell.set_string(rows.timestamp[i]);
            break;
          case SeedColumn::kMethod:
            cell.set_string(rows.method[i]);
            break;
          case SeedColumn::kEndpoint:
            cell.set_string(rows.endpoint[i]);
            break;
          case SeedColumn::kProtocol:
            cell.set_string(rows.protocol[i]);
            break;
          case SeedColumn::kStatus:
            cell.set_scalar(number(rows.status[i]));
            break;
          case SeedColumn::kContentSize:
            cell.set_scalar(number(rows.content_size[i]));
            break;
        }
      }
      if (tallies_) add_tallies(context);
      if (!tallies_only_ && passes_filter(context)) add_row(context, out);
    }
  }
  add_pending_rows(context);
  if (context.partial_ && context.partial_->size() >= partial_groups_) {
    out.spilled_partial = std::move(*context.partial_);
    context.partial_.emplace(functions());
    context.partial_->reserve(std::min(partial_groups_, kDefaultPartialGroups));
  }
  if (context.finder_.scan_error_ != 0 && chunk.scan_error == 0)
    chunk.scan_error = context.finder_.scan_error_;
  if (streams_rows() && !out.rows.empty()) {
    // Rendered here, on the parser threads, for every text sink; the console keeps the first rows only.
    if (row_output_.jsonl)
      out.text.jsonl = render_jsonl_rows(chunk.batch_id, plan_.output, out.rows, row_output_.zone);
    if (row_output_.csv)
      out.text.csv = render_csv_rows(chunk.batch_id, plan_.output, out.rows, row_output_.zone, false);
    if (out.rows.size() > row_output_.first_rows) out.rows.resize(row_output_.first_rows);
  }
}

void QueryExecutor::BatchState::append_rows(ChunkResult& chunk, size_t keep) {
  for (auto& row : chunk.rows) {
    if (rows_.size() >= keep) break;
    rows_.push_back(std::move(row));
  }
}

void QueryExecutor::BatchState::take_partial(Context& context) {
  if (context.partial_) groups_.absorb(*context.partial_);
  if (context.tally_partial_ && tallies_) tallies_->absorb(*context.tally_partial_);
  dropped_by_watermark_ += std::exchange(context.dropped_by_watermark_, 0);
  untrusted_time_ += std::exchange(context.untrusted_time_, 0);
  max_event_time_ = std::max(max_event_time_, std::exchange(context.max_event_time_, INT64_MIN));
}

void QueryExecutor::BatchState::take_spilled(ChunkResult& chunk) {
  if (!chunk.spilled_partial) return;
  groups_.absorb(std::move(*chunk.spilled_partial));
  chunk.spilled_partial.reset();
}

void QueryExecutor::BatchState::clear() {
  groups_.clear();
  if (tallies_) tallies_->clear();
  rows_.clear();
  dropped_by_watermark_ = 0;
  untrusted_time_ = 0;
  max_event_time_ = INT64_MIN;
}

GroupTable QueryExecutor::merge_sessions(GroupTable sessions) const {
  if (!merges_sessions()) return sessions;
  const size_t window_key = *plan_.window_key;
  struct Piece {
    std::string others;  // the other keys, encoded
    int64_t start = 0, end = 0;
    size_t group = 0;
  };
  std::vector<Piece> pieces;
  pieces.reserve(sessions.size());
  for (size_t g = 0; g < sessions.size(); ++g) {
    const std::vector<Value> keys = sessions.keys(g);
    Piece piece;
    for (size_t k = 0; k < keys.size(); ++k) {
      if (k != window_key) GroupTable::encode_key(keys[k], piece.others);
    }
    piece.start = keys[window_key].integer;
    piece.end = keys[window_key].end;
    piece.group = g;
    pieces.push_back(std::move(piece));
  }
  std::sort(pieces.begin(), pieces.end(), [](const Piece& a, const Piece& b) {
    if (a.others != b.others) return a.others < b.others;
    return a.start != b.start ? a.start < b.start : a.end < b.end;
  });
  const std::vector<const AggregateFunction*> aggregates = functions();
  GroupTable merged(aggregates);
  for (size_t first = 0; first < pieces.size();) {
    size_t last = first + 1;
    int64_t end = pieces[first].end;
    while (last < pieces.size() && pieces[last].others == pieces[first].others && pieces[last].start <= end) {
      end = std::max(end, pieces[last].end);
      ++last;
    }
    std::vector<Value> keys = sessions.keys(pieces[first].group);
    keys[window_key] = Value::window(pieces[first].start, end);
    const size_t into = merged.find_or_insert(keys);
    for (size_t p = first; p < last; ++p) {
      for (size_t a = 0; a < aggregates.size(); ++a)
        aggregates[a]->merge(merged.state(into, a), sessions.state(pieces[p].group, a));
    }
    first = last;
  }
  return merged;
}

QueryExecutor::DealtGroups QueryExecutor::deal_groups(const GroupTable& state,
                                                      const std::vector<size_t>* updated) const {
  // Each group's partition is found in one pass in the table's order, then a counting sort deals the
  // groups into their partitions.
  const size_t count = updated ? updated->size() : state.size();
  auto group_at = [&](size_t i) { return updated ? (*updated)[i] : i; };
  std::vector<uint8_t> partition_of(count);
  DealtGroups dealt;
  dealt.starts.assign(static_cast<size_t>(kSparkShufflePartitions) + 1, 0);
  std::vector<ValueView> views;
  static_assert(kSparkShufflePartitions <= 256, "a partition must fit a byte");
  for (size_t i = 0; i < count; ++i) {
    if (updated && i + 2 * kPrefetchAhead < count) state.prefetch_offset(group_at(i + 2 * kPrefetchAhead));
    if (updated && i + kPrefetchAhead < count) state.prefetch(group_at(i + kPrefetchAhead));
    state.key_views(group_at(i), views);
    partition_of[i] = static_cast<uint8_t>(spark_partition(views));
    ++dealt.starts[partition_of[i] + 1];
  }
  for (size_t p = 1; p < dealt.starts.size(); ++p) dealt.starts[p] += dealt.starts[p - 1];
  dealt.groups.resize(count);
  std::vector<size_t> next(dealt.starts.begin(), dealt.starts.end() - 1);
  for (size_t i = 0; i < count; ++i) dealt.groups[next[partition_of[i]]++] = group_at(i);
  return dealt;
}

void QueryExecutor::sort_partition(const GroupTable& state, DealtGroups& dealt, size_t partition) const {
  // On its keys read once as views into the table: no string is copied.
  const std::span<size_t> groups(dealt.groups.data() + dealt.starts[partition],
                                 dealt.starts[partition + 1] - dealt.starts[partition]);
  const size_t width = plan_.keys.size();
  std::vector<ValueView> keys;  // the partition's keys, `width` per group
  keys.reserve(groups.size() * width);
  std::vector<ValueView> views;
  for (size_t i = 0; i < groups.size(); ++i) {
    if (i + 2 * kPrefetchAhead < groups.size()) state.prefetch_offset(groups[i + 2 * kPrefetchAhead]);
    if (i + kPrefetchAhead < groups.size()) state.prefetch(groups[i + kPrefetchAhead]);
    state.key_views(groups[i], views);
    keys.insert(keys.end(), views.begin(), views.end());
  }
  std::vector<uint32_t> order(groups.size());
  std::iota(order.begin(), order.end(), uint32_t{0});
  const bool one_string_key = width == 1 && std::all_of(keys.begin(), keys.end(), [](const ValueView& key) {
                                return key.type == DataType::kString && !key.null;
                              });
  if (one_string_key) {
    std::vector<std::string_view> texts(groups.size());
    for (size_t i = 0; i < texts.size(); ++i) texts[i] = keys[i].text;
    order_strings_for_sort(texts, order);
  } else {
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      for (size_t k = 0; k < width; ++k) {
        const auto c = compare_for_sort(keys[a * width + k], keys[b * width + k]);
        if (c != 0) return c < 0;
      }
      return false;
    });
  }
  std::vector<size_t> sorted(groups.size());
  for (size_t i = 0; i < order.size(); ++i) sorted[i] = groups[order[i]];
  std::copy(sorted.begin(), sorted.end(), groups.begin());
}

std::vector<size_t> QueryExecutor::ordered_groups(const GroupTable& state, const std::vector<size_t>* updated,
                                                  size_t limit) const {
  // Spark's complete-mode order: by hash partition of the grouping keys, then (our choice) by key. A
  // console that shows 20 rows sorts one or two partitions, not all of them.
  DealtGroups dealt = deal_groups(state, updated);
  size_t sorted = 0;
  for (size_t p = 0; p + 1 < dealt.starts.size() && sorted < limit; ++p) {
    sort_partition(state, dealt, p);
    sorted = dealt.starts[p + 1];
  }
  dealt.groups.resize(std::min(sorted, limit));
  return std::move(dealt.groups);
}

ResultRows QueryExecutor::project_groups(const GroupTable& state, std::span<const size_t> groups) const {
  // HAVING and the SELECT list run here, on the merge stage, with a scratch of their own when a pattern
  // applies to a key.
  EvalContext eval{plan_.session_zone, nullptr, &spark_cast_text(), {}};
  PatternFinder finder;
  if (auto made = make_finder(finder); !made)
    fail_at_runtime("cannot set up a pattern matcher: " + made.error());
  eval.patterns = &finder;
  auto project = [&](const std::vector<Value>& group_row, ResultRows& rows) {
    const std::span<const Value> source(group_row);
    if (plan_.having && !holds_true(evaluate(*plan_.having, source, eval))) return;
    std::vector<Value> out;
    out.reserve(plan_.projections.size());
    for (const auto& p : plan_.projections) out.push_back(evaluate(*p, source, eval));
    rows.push_back(std::move(out));
  };
  ResultRows rows;
  rows.reserve(groups.size());
  std::vector<Value> group_row;  // reused: its strings keep their buffers from one group to the next
  for (size_t i = 0; i < groups.size(); ++i) {
    if (i + 2 * kPrefetchAhead < groups.size()) state.prefetch_offset(groups[i + 2 * kPrefetchAhead]);
    if (i + kPrefetchAhead < groups.size()) state.prefetch(groups[i + kPrefetchAhead]);
    state.result_row(groups[i], group_row);
    project(group_row, rows);
  }
  return rows;
}

ResultRows QueryExecutor::result_rows(const GroupTable& state, const std::vector<size_t>* updated,
                                      size_t rows_needed) const {
  if (plan_.keys.empty() && state.size() == 0 && !updated) {
    // A global aggregate has its one row also before any line: count 0, the others null.
    GroupTable empty(functions());
    const size_t group = empty.find_or_insert({});
    return finish_rows(project_groups(empty, std::span<const size_t>(&group, 1)));
  }
  // Without HAVING, DISTINCT or ORDER BY every group is a row, so the first rows_needed groups in order
  // are all a sink will see.
  const bool prefix_is_enough = !plan_.having && !plan_.distinct && plan_.order_by.empty();
  const std::vector<size_t> groups =
      ordered_groups(state, updated, prefix_is_enough ? rows_needed : SIZE_MAX);
  return finish_rows(project_groups(state, groups));
}

ResultRows QueryExecutor::result_rows(ResultRows batch_rows) const {
  return finish_rows(std::move(batch_rows));
}

ResultRows QueryExecutor::finish_rows(ResultRows rows) const {
  const size_t visible = plan_.output.size();
  if (plan_.distinct) {
    std::set<std::vector<Value>, decltype(&keys_less)> seen(&keys_less);
    ResultRows unique;
    for (auto& row : rows) {
      std::vector<Value> shown(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(visible));
      if (seen.insert(std::move(shown)).second) unique.push_back(std::move(row));
    }
    rows = std::move(unique);
  }
  if (!plan_.order_by.empty()) {
    std::stable_sort(rows.begin(), rows.end(), [&](const std::vector<Value>& a, const std::vector<Value>& b) {
      return ordered_before(plan_.order_by, a, b);
    });
  }
  if (plan_.limit && rows.size() > static_cast<size_t>(*plan_.limit))
    rows.resize(static_cast<size_t>(*plan_.limit));
  for (auto& row : rows) row.resize(visible);
  return rows;
}

}  // namespace logstream
