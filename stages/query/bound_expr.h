// The typed expressions of a logical plan: what the analyzer makes of the syntax tree once names are
// resolved to column slots, Spark's implicit casts are written out as Cast nodes and every node knows its
// result type. Plain data, no threads, no I/O; evaluate.h interprets it, the engine compiles it.
//
// Shape. One tagged node, `BoundExpr`; `kind` says which fields mean something and what `children` are:
//
//   kind          fields                            children
//   kColumn       slot, column, name                -
//   kLiteral      value                             -
//   kNegate       -                                 [x]                       (- x; int and bigint wrap)
//   kArithmetic   op: add subtract multiply divide remainder integral_divide   [l, r]
//   kCompare      op: equal null_safe_equal less less_or_equal greater greater_or_equal   [l, r]
//   kAnd kOr      -                                 [l, r]                    (three-valued)
//   kNot          -                                 [x]
//   kIsNull       negated (IS NOT NULL)             [x]
//   kIn           -                                 [value, item, ...]
//   kLike         value (the pattern), like         [x]
//   kRLike        pattern                           [x]
//   kCase         has_else                          [when, then, ..., else?]
//   kCoalesce     -                                 [x, ...]
//   kCast         type (the target)                 [x]
//   kFunction     function (, pattern, group)       the arguments (see BoundFunction)
//
// Typing is done: both operands of kArithmetic and kCompare have one type (the analyzer inserted the
// casts), kIn's children share one type, kCase's values and kCoalesce's children have the node's type,
// kAnd/kOr/kNot/kCase conditions are boolean. A child of type kNull (a bare NULL) stays kNull only where
// Spark keeps NullType (comparison of two NULLs, IS NULL, COALESCE of NULLs); elsewhere it is a typed null.
//
// Rows. A column reference names a slot of the row the expression is evaluated on. Which row that is
// depends on where the expression sits in a LogicalPlan (analyzer.h): WHERE, GROUP BY keys and aggregate
// arguments read the input row (slot kInput: the columns of the table `logs`); HAVING and the SELECT list
// of a grouped query read the group row [key 0, ..., key K-1, aggregate 0, ...] (slots kKey, kAggregate,
// whose `column` is the index in that row: a key's index, or K + the aggregate's index).
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "stages/core/expected.h"
#include "stages/core/value.h"

namespace logstream {

enum class BoundKind : uint8_t {
  kColumn,
  kLiteral,
  kNegate,
  kArithmetic,
  kCompare,
  kAnd,
  kOr,
  kNot,
  kIsNull,
  kIn,
  kLike,
  kRLike,
  kCase,
  kCoalesce,
  kCast,
  kFunction,
};

enum class BoundOp : uint8_t {
  kNone,
  // kArithmetic: operands and result of one type, except kDivide (double) and kIntegralDivide (bigint
  // operands and result). Division and remainder by zero give null (Spark without ANSI mode).
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,
  kRemainder,
  kIntegralDivide,
  // kCompare: boolean; null when an operand is null, except kNullSafeEqual (never null). Doubles compare
  // with NaN equal to NaN and above everything, -0.0 equal to 0.0; strings by their bytes.
  kEqual,
  kNullSafeEqual,
  kLess,
  kLessOrEqual,
  kGreater,
  kGreaterOrEqual,
};

// Scalar functions, with Spark 3.4's argument types after implicit casts and its null rules: null when any
// argument is null, unless said otherwise.
enum class BoundFunction : uint8_t {
  kNone,
  kLower,           // [string] -> string (ASCII letters only: see evaluate.h)
  kUpper,           // [string] -> string
  kLength,          // [string] -> int, in characters (UTF8String.numChars)
  kSubstring,       // [string, int pos, int len] -> string; 1-based, pos <= 0 as Spark's substringSQL
  kSubstringIndex,  // [string, string delim, int count] -> string
  kConcat,          // [string, ...] -> string; null if any argument is null
  kRegexpExtract,   // [string] with pattern and group -> string; "" when the pattern does not match
  kDateTrunc,       // [string unit, timestamp] -> timestamp in the session zone; null for an unknown unit
  kHour,            // [timestamp] -> int, in the session zone
  kToDate,          // [timestamp or string] -> string 'yyyy-MM-dd': a timestamp's date in the session zone, a
                    // string's date as Spark's stringToDate reads it (there is no DATE type: analyzer.h)
  kInputFileName,   // [] -> string: the file the row was read from, as Spark's file:///path URI
  kSplitPart,       // [string, separator, int limit, int index] -> string: split(s, sep, limit)[index], the
                    // element of Java's String.split (a leading empty string kept, trailing ones too unless
                    // limit > 0 cuts them into the last element); null when index is out of range. The
                    // separator is literal text (the analyzer accepts only regexes that are one)
  kWindow,          // [timestamp, bigint size, bigint slide, bigint start] (the three literals, in
                    // microseconds) -> window: only as a grouping key, where the plan puts a row into every
                    // window that holds its time (LogicalPlan::window_key); evaluated alone it gives the
                    // latest of them
  kSessionWindow,   // [timestamp, bigint gap] (microseconds) -> window [t, t + gap): only as a grouping key,
                    // where the plan merges the windows of one group's other keys that overlap into one
                    // session (Spark's session_window with a static gap)
  kWindowStart,     // [window] -> timestamp: window.start
  kWindowEnd,       // [window] -> timestamp: window.end
};

// Where a column reference reads from (see "Rows" above).
enum class Slot : uint8_t { kInput, kKey, kAggregate };

// One element of a LIKE pattern after Spark's escape rules (\ before _, % or \ makes it literal).
struct LikeAtom {
  enum Kind : uint8_t {
    kLiteral,    // `text`, byte for byte
    kOneChar,    // _ : exactly one character (a UTF-8 sequence as Spark's UTF8String counts it)
    kAnyString,  // % : any run of characters, also none
  };
  Kind kind = kLiteral;
  std::string text;
  bool operator==(const LikeAtom&) const = default;
};

// The atoms of a LIKE pattern, adjacent literals merged, or Spark's error for a misplaced escape: "the
// escape character is not allowed to precede 'x'" or "it is not allowed to end with the escape character".
Expected<std::vector<LikeAtom>> parse_like_pattern(std::string_view pattern);

struct BoundExpr;
using BoundExprPtr = std::unique_ptr<BoundExpr>;

struct BoundExpr {
  BoundKind kind = BoundKind::kLiteral;
  DataType type = DataType::kNull;  // the result type (kCast: the target type)
  BoundOp op = BoundOp::kNone;
  BoundFunction function = BoundFunction::kNone;
  bool negated = false;   // kIsNull
  bool has_else = false;  // kCase

  Slot slot = Slot::kInput;  // kColumn
  uint32_t column = 0;       // kColumn: the index in the row
  std::string name;          // kColumn: the schema's name, or key#i / agg#i (for describe())

  Value value;                 // kLiteral; kLike: the pattern as written (a string)
  std::vector<LikeAtom> like;  // kLike
  uint32_t pattern = 0;        // kRLike, kRegexpExtract: the index in LogicalPlan::patterns
  int32_t group = 0;           // kRegexpExtract: the group to return (0 = the whole match)

  std::vector<BoundExprPtr> children;

  // Where in the query text the expression came from (offsets of the syntax node), for error messages.
  uint32_t source_offset = 0;
  uint32_t source_end = 0;

  // A hash of the structure (kind, type, fields, children; not the source positions), set by
  // finish(): equal trees have equal fingerprints, so a match against GROUP BY keys is cheap.
  uint64_t fingerprint = 0;

  const BoundExpr& child(size_t i) const { return *children[i]; }
  // Computes the fingerprint from the fields and the children's fingerprints; call after the children
  // are final.
  void finish() noexcept;
};

// Structural equality (fingerprints first, then the fields and children; positions ignored).
bool same_bound(const BoundExpr& a, const BoundExpr& b) noexcept;

BoundExprPtr clone(const BoundExpr& e);

// Normalized text of an expression: explicit casts, typed literals ('a', 5, 5L, 1.5D, CAST(NULL AS INT)),
// columns by name, fully parenthesized. Two expressions have the same text exactly when same_bound says
// they are equal; it is what describe(LogicalPlan) is built from.
std::string describe(const BoundExpr& e);

// Spark's names of the functions and operators, for messages and describe().
std::string_view function_name(BoundFunction function) noexcept;
std::string_view op_text(BoundOp op) noexcept;

}  // namespace logstream
