// The analyzer: a parsed SELECT over `logs` (or the --group-by/--where shorthands) to the typed logical
// plan that every later stage runs - names resolved against the format's schema, Spark 3.4's implicit
// casts written out, aggregates made by aggregates.h, result columns named as Spark names them. No I/O.
//
// The plan, in the order it runs:
//   filter        WHERE, over the input row (null counts as false)
//   keys          GROUP BY expressions, over the input row          } when `grouped`: one group per
//   aggregates    the aggregate calls of SELECT, HAVING and ORDER BY } distinct key, one state per call;
//                 (identical calls share one; count(*) is count(1))  } no GROUP BY: one global group
//   having        HAVING over the group row [keys..., aggregate results...]
//   projections   the SELECT list over the group row (grouped) or the input row; the first
//                 output.size() are the result's columns, the rest are hidden columns that ORDER BY needs
//   distinct      SELECT DISTINCT: duplicate result rows dropped (the first one kept)
//   order_by      over projections (ascending/descending, nulls first/last); Spark's defaults resolved
//   limit
// Resolution follows Spark: GROUP BY takes a column, an expression, a select-list position (GROUP BY 1)
// or a select alias that is not a column; HAVING and ORDER BY see the select list's names first, then
// the table; ORDER BY also takes positions, and any expression of keys and aggregates.
//
// Errors are usage errors formatted by sql_error_at (line, column, caret), e.g.
//   unknown column 'hots'; the columns of logs are host, ident, ..., value
//   expression 'host' is neither in GROUP BY nor inside an aggregate
//   aggregate function count(1) cannot be nested inside sum(...)
//   AND needs boolean operands; its left operand 'status' is int
// Not supported yet (each refused with a message saying so): window() and session_window() durations,
// LIKE/RLIKE patterns and regexp_extract patterns that are not literals; split() other than one element of
// it, split(s, sep[, limit])[i], with a separator that stands for literal text.
//
// to_date(ts) returns a string 'yyyy-MM-dd' (the session zone's date), not a timestamp at midnight: there
// is no DATE type, and the string is what Spark shows, writes to JSON and CSV and compares with date
// literals; it sorts and groups in date order for years 0-9999, and hour()/date_trunc() of it read it
// back as midnight. What differs from Spark is the hash-partition row order (Spark hashes a date as
// the int of its days) and printSchema's type name.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stages/core/expected.h"
#include "stages/core/time_zone.h"
#include "stages/core/value.h"
#include "stages/query/aggregates.h"
#include "stages/query/bound_expr.h"
#include "stages/query/sql_ast.h"

namespace logstream {

struct AggregateCall {
  std::shared_ptr<const AggregateFunction> function;
  // Over the input row, of function->argument_types() (implicit casts inserted): none, or one.
  std::vector<BoundExprPtr> arguments;
  std::vector<Value> constants;  // the literal parameters after the argument (rsd, percentage, accuracy)
};

struct SortKey {
  uint32_t column = 0;  // index in LogicalPlan::projections
  bool descending = false;
  bool nulls_first = true;
};

struct LogicalPlan {
  Schema input;                    // the table logs of the format
  std::vector<bool> columns_used;  // per input column: read by some expression of the plan

  BoundExprPtr filter;  // or null
  bool grouped = false;
  std::vector<BoundExprPtr> keys;
  // The key that is an event-time window (window(ts, ...), a kWindow function over the time and its
  // size, slide and start as literals): a row is grouped under every window that holds its time, and a
  // row without a time under none. Or a session window (kSessionWindow over the time and its gap): a row
  // is grouped under its own session, and QueryExecutor::merge_sessions merges the overlapping ones.
  std::optional<size_t> window_key;
  std::vector<AggregateCall> aggregates;
  // withWatermark(column, delay): the event-time column of the input and how late a row may come. In a
  // grouped query, a row at or before the watermark is dropped before aggregation, and a window whose
  // end is at or before it is final (emitted in append mode, evicted in append and update mode).
  struct Watermark {
    uint32_t column = 0;  // in `input`, a timestamp
    int64_t delay_us = 0;
  };
  std::optional<Watermark> watermark;
  BoundExprPtr having;  // or null
  std::vector<BoundExprPtr> projections;
  Schema output;  // the result's columns: Spark's names and the projections' types
  bool distinct = false;
  std::vector<SortKey> order_by;
  std::optional<int64_t> limit;

  // The regular expressions of RLIKE/REGEXP and regexp_extract, by id (BoundExpr::pattern), as written
  // (Java regex syntax); one entry per distinct pattern text. highest_group is the largest group index
  // regexp_extract asks of it (0 when only RLIKE uses it): a matcher must refuse a pattern with fewer.
  struct Pattern {
    std::string regex;
    int highest_group = 0;
    bool extracted = false;  // regexp_extract reads its groups (RLIKE only asks whether it matches)
  };
  std::vector<Pattern> patterns;

  TimeZone session_zone;
  bool uses_session_zone = false;  // hour, date_trunc, to_date or a string <-> timestamp cast
};

struct AnalyzerOptions {
  // The text the statement was parsed from: error carets point into it. Must outlive the call.
  std::string_view query_text;
  TimeZone session_zone;  // UTC unless the caller loads another (--timezone)
  // The patterns another plan over the same lines already uses (the query's, for the alert rules' plan):
  // they keep their ids and new ones follow, so one Hyperscan database serves both plans.
  std::vector<LogicalPlan::Pattern> shared_patterns;
};

Expected<LogicalPlan> analyze(const sql::SelectStatement& statement, const Schema& logs,
                              const AnalyzerOptions& options);

// The shorthands: --group-by "EXPR, ..." is groupBy(EXPR, ...).count() (the count column is named
// `count`, as the DataFrame API names it) and --where COND a filter before it. Without --group-by the key
// is `status`: the seed's query. Each text is parsed here; an error names its option
// ("--where: line 1, column 8: ...").
struct ShorthandQuery {
  std::optional<std::string> group_by;
  std::optional<std::string> where;
};
Expected<LogicalPlan> analyze_group_by_shorthand(const ShorthandQuery& query, const Schema& logs,
                                                 const AnalyzerOptions& options);

// --watermark 'COLUMN, DELAY' (withWatermark): sets plan.watermark, or says what is wrong: an unknown or
// non-timestamp column, a delay that is not an interval ('10 minutes').
Expected<bool> apply_watermark(LogicalPlan& plan, std::string_view spec);

// The plan has a watermark and groups by a window of its column: what append mode needs, and what lets
// the watermark finish windows.
bool windowed_on_watermark(const LogicalPlan& plan) noexcept;

// The normalized text of a plan: one line per part that is present (filter, group by, aggregates,
// having, select, distinct, order by, limit, patterns, zone), expressions as describe(BoundExpr). Two
// queries that mean the same plan give the same text whatever their spelling, case or whitespace; the
// checkpoint keeps it to refuse another query.
std::string describe(const LogicalPlan& plan);

}  // namespace logstream
