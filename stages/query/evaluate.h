// The slow, obviously correct interpreter of the query engine: evaluates a BoundExpr on one row of Values,
// and runs a whole LogicalPlan over a table of rows with std::map grouping. run_plan_naively is the
// reference the engine (stages/execution) is tested against: the engine groups, merges, orders and limits
// with code of its own, but evaluates each expression with evaluate() below until it has a compiled
// evaluator, so expression semantics are checked here by evaluate_test, not by comparing the two.
//
// Semantics are Spark 3.4's with ANSI mode off (its default), as bound_expr.h lists them per node: integer
// arithmetic wraps, division and remainder by zero are null, casts of malformed strings are null,
// AND/OR/NOT are three-valued, CASE takes a null condition as false. Casts follow Spark's Cast:
//   string -> int/bigint   UTF8String.toInt/toLong: trimmed of bytes <= 0x20 (and DEL), an optional sign,
//                          digits, optionally '.' and more digits (truncated); null on anything else or
//                          overflow
//   string -> double       Java's Double.parseDouble (decimal forms, 'd'/'f' suffixes, NaN, Infinity) and
//                          Spark's 'inf'/'-inf'/'nan' in any case; hexadecimal floats are null here
//   string -> boolean      t, true, y, yes, 1 / f, false, n, no, 0 (any case, trimmed), else null
//   string -> timestamp    Spark's stringToTimestamp: [+-]yyyy[-[m]m[-[d]d[( |T)[h]h[:[m]m[:[s]s[.f]]]]]]
//                          [zone], local times in the session zone; a zone written as Z, an offset or
//                          UTC/GMT/UT[+-offset]. Region names (Europe/Paris, PST) and time-only strings
//                          (Spark takes today's date) give null here: evaluation reads no zone files and
//                          no clock.
//   timestamp -> int/bigint  seconds (floor), int wrapping; -> double seconds; numbers -> timestamp as
//                          seconds since the epoch; boolean -> timestamp 1 or 0 microseconds
//   double -> int/bigint   Java's (int)/(long): truncation, saturating, NaN -> 0
//   any -> string          integers in decimal, booleans true/false; doubles and timestamps through the
//                          caller's CastText (Java's Double.toString and Spark's timestamp text live in
//                          sinks/spark_value_text.h, which query may not include)
// Strings: lower/upper change ASCII letters only (Spark maps every Unicode letter; logs are ASCII in
// practice, and a full case table is not worth it in the reference); length and substring count
// characters as Spark's UTF8String does (a lead byte says how many bytes follow; stray continuation
// bytes count one each); LIKE's _ takes one such character.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "stages/core/time_zone.h"
#include "stages/core/value.h"
#include "stages/query/analyzer.h"
#include "stages/query/bound_expr.h"

namespace logstream {

// RLIKE and regexp_extract, by the id the analyzer gave each pattern (LogicalPlan::patterns). The engine
// answers these from one Hyperscan database; the reference tests use std::regex.
class PatternMatcher {
 public:
  virtual ~PatternMatcher() = default;
  // Whether the pattern matches anywhere in `text` (Java's Matcher.find, as RLIKE does).
  virtual bool find(uint32_t pattern, std::string_view text) const = 0;
  // regexp_extract: the text of `group` in the leftmost match, "" when there is no match or the group
  // took no part in it.
  virtual std::string extract(uint32_t pattern, std::string_view text, int group) const = 0;
};

// Spark's text of a double and of a timestamp, for CAST(... AS STRING) and the implicit casts of concat,
// IN and the string functions.
class CastText {
 public:
  virtual ~CastText() = default;
  virtual std::string double_text(double v) const = 0;  // Double.toString
  virtual std::string timestamp_text(int64_t micros,
                                     const TimeZone& zone) const = 0;  // yyyy-MM-dd HH:mm:ss[.f]
};

struct EvalContext {
  TimeZone zone;                             // the session time zone (LogicalPlan::session_zone)
  const PatternMatcher* patterns = nullptr;  // needed when the expression has RLIKE or regexp_extract
  const CastText* text = nullptr;            // needed when it casts a double or timestamp to string
  std::string_view input_file;               // input_file_name(): the row's file as a file:// URI
};

// The value of `e` on `row` (the row its column slots index; see bound_expr.h). A missing matcher or
// CastText that the expression needs, or a slot beyond the row, is a broken invariant (abort).
Value evaluate(const BoundExpr& e, std::span<const Value> row, const EvalContext& context);

// Casts one value as CAST(v AS to) does (the rules above).
Value cast_value(const Value& v, DataType to, const EvalContext& context);

// The whole plan over `rows` (each a row of the plan's input schema): WHERE, then grouping with std::map
// and the aggregate functions of aggregates.h (one group for a global aggregate, also over no rows),
// HAVING, the SELECT list, DISTINCT, ORDER BY (a stable sort), LIMIT. Without ORDER BY, a grouped result
// comes in ascending key order (null first) and an ungrouped one in input order; Spark's hash-partition
// order is the console's business (core/spark_partitioning.h).
struct NaiveServices {
  const PatternMatcher* patterns = nullptr;
  const CastText* text = nullptr;
  std::string_view input_file;  // every row's input_file_name()
};
std::vector<std::vector<Value>> run_plan_naively(const LogicalPlan& plan,
                                                 const std::vector<std::vector<Value>>& rows,
                                                 const NaiveServices& services = {});

}  // namespace logstream
