// The syntax tree of logstream's SQL: one Spark SQL SELECT over the table `logs`, as sql_parser.h builds
// it and the analyzer reads it. Syntax only: names are not resolved and types not checked here.
//
// Shape. An expression is one tagged node, `Expr`, whose `kind` says which fields mean something and
// what its `children` are (always in source order):
//
//   kind        fields                                   children
//   kLiteral    value, spelling                          -
//   kColumn     name_parts (`window.start` -> 2 parts)   -
//   kFunction   name (ASCII-lowercased), distinct, star  the arguments (none for count(*), star = true)
//   kUnary      op: kNegate, kPositive, kNot             [operand]
//   kBinary     op: arithmetic, comparison, AND, OR      [left, right]
//   kIsNull     negated (IS NOT NULL)                    [operand]
//   kIn         negated (NOT IN)                         [value, item, item, ...]
//   kBetween    negated (NOT BETWEEN)                    [value, lower, upper]
//   kLike       op: kLike or kRLike (RLIKE, REGEXP), negated   [value, pattern]
//   kCase       has_operand (CASE x WHEN ...), has_else  [operand?, when, then, when, then, ..., else?]
//   kCast       cast_type                                [operand]
//   kSubscript  -                                        [base, index]   (split(x, '/')[1])
//
// A recursive walk over `children` therefore visits every sub-expression. The tree keeps what was
// written and leaves Spark's rewrites to the consumer: `a <> b` is kBinary kNotEqual (Spark builds
// NOT(a = b)), BETWEEN and CASE x WHEN keep their operand once (Spark duplicates it), `IS [NOT] DISTINCT
// FROM` is already kNullSafeEqual (under a kNot for DISTINCT), `substr` is the function `substring`,
// `||` is kConcat. spark_name() prints each of them the way Spark names it.
//
// Literals follow Spark's lexer: an integer is int when it fits, else bigint (also with an L suffix);
// digits beyond bigint, and decimals such as 0.5, are doubles here where Spark makes a DECIMAL (we have no
// decimal type; the value is the nearest double, the name keeps Spark's decimal text); 1e3 and 1.5D are
// doubles as in Spark. A minus sign written before a number belongs to the literal (`-5`), as in Spark's
// grammar. Strings take Spark's backslash escapes, and `''` inside a literal is one quote (standard SQL;
// Spark 3.4 would read 'it''s' as the two literals 'it' 's' and concatenate them to "its").
//
// Positions: `pos` is the first character of the expression (for `a + b`, the `a`), `op_pos` the token
// that makes it what it is (the `+`, the function name, IN, CASE, CAST) - point a caret there for errors
// about the operator; sql_error_at() in sql_parser.h formats such an error. `end` is the offset just past
// the expression, so source_text() gives the expression as written (without enclosing parentheses).
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stages/core/value.h"

namespace logstream::sql {

struct SourcePos {
  uint32_t offset = 0;  // bytes from the start of the text
  uint32_t line = 1;    // 1-based; only '\n' starts a line
  uint32_t column = 1;  // 1-based, in UTF-8 code points (a byte that is not UTF-8 counts as one)
};

enum class ExprKind : uint8_t {
  kLiteral,
  kColumn,
  kFunction,
  kUnary,
  kBinary,
  kIsNull,
  kIn,
  kBetween,
  kLike,
  kCase,
  kCast,
  kSubscript,
};

enum class Op : uint8_t {
  kNone,
  // kUnary
  kNegate,    // -x
  kPositive,  // +x
  kNot,       // NOT x, !x
  // kBinary, arithmetic
  kAdd,
  kSubtract,
  kMultiply,
  kDivide,          // /   (always a double in Spark)
  kRemainder,       // %
  kIntegralDivide,  // DIV
  kConcat,          // ||
  // kBinary, comparison
  kEqual,           // = ==
  kNullSafeEqual,   // <=>
  kNotEqual,        // <> !=
  kLess,            // <
  kLessOrEqual,     // <= !>
  kGreater,         // >
  kGreaterOrEqual,  // >= !<
  // kBinary, logical
  kAnd,
  kOr,
  // kLike
  kLike,
  kRLike,
};

// What a literal was written as; decides its Spark name (see spark_name()).
enum class LiteralForm : uint8_t {
  kNull,     // NULL: value is a null of DataType::kNull
  kBoolean,  // TRUE, FALSE
  kInteger,  // 42, -7, 10L: value is int or bigint
  kDecimal,  // 0.5, 5., 12345678901234567890: value is the nearest double
  kDouble,   // 1e3, 1.5D
  kString,   // 'a', "a", r'\d': value.text holds the bytes
};

struct Expr;
using ExprPtr = std::unique_ptr<Expr>;

struct Expr {
  ExprKind kind = ExprKind::kLiteral;
  Op op = Op::kNone;
  SourcePos pos;
  SourcePos op_pos;
  uint32_t end = 0;
  uint32_t height = 1;  // 1 + the height of the tallest child (bounded by the parser)

  bool negated = false;                  // kIsNull, kIn, kBetween, kLike
  bool distinct = false;                 // kFunction: f(DISTINCT ...)
  bool star = false;                     // kFunction: count(*)
  bool has_operand = false;              // kCase
  bool has_else = false;                 // kCase
  DataType cast_type = DataType::kNull;  // kCast

  LiteralForm literal_form = LiteralForm::kNull;  // kLiteral
  Value value;                                    // kLiteral
  // kLiteral kInteger and kDecimal: the number in canonical form, sign included: integers as digits
  // ("-7"), decimals as digits with the written scale ("0.50", "5.", "12345678901234567890."). kDouble:
  // Java's Double.toString of the value ("1000.0"). Empty for the other forms.
  std::string spelling;

  std::string name;                     // kFunction
  std::vector<std::string> name_parts;  // kColumn, each part unquoted

  std::vector<ExprPtr> children;

  const Expr& child(size_t i) const { return *children[i]; }
};

struct SelectItem {
  ExprPtr expr;
  std::optional<std::string> alias;  // AS name
  SourcePos alias_pos;
};

struct OrderItem {
  ExprPtr expr;
  bool descending = false;
  bool nulls_first = true;  // resolved: Spark's default is NULLS FIRST for ASC, NULLS LAST for DESC
};

// SELECT [DISTINCT] items FROM logs [WHERE] [GROUP BY] [HAVING] [ORDER BY] [LIMIT]. Absent clauses are
// null or empty; their positions (the clause's first keyword) are meaningful only when present.
struct SelectStatement {
  SourcePos select_pos;
  bool distinct = false;
  std::vector<SelectItem> items;
  std::string table;  // as written; the parser accepts only `logs` (any case)
  SourcePos table_pos;
  ExprPtr where;
  SourcePos where_pos;
  std::vector<ExprPtr> group_by;
  SourcePos group_by_pos;
  ExprPtr having;
  SourcePos having_pos;
  std::vector<OrderItem> order_by;
  SourcePos order_by_pos;
  std::optional<int64_t> limit;  // 0 ..= INT32_MAX; absent also for LIMIT ALL
  SourcePos limit_pos;
};

// How a column reference is named inside a Spark name. The analyzer passes one that gives the resolved
// column's name as the schema spells it (Spark prints the attribute's own name: `avg(content_size)` for
// `avg(CONTENT_SIZE)`, and drops a table qualifier). `top_level` is true for a select item that is the
// column itself (or a CAST of it), where Spark names the result after the last part (`window.start` ->
// `start`). Without a namer: top level, the last part as written; inside an expression, the parts
// joined by '.', without a leading `logs` qualifier.
using ColumnNamer = std::function<std::string(const Expr& column, bool top_level)>;

// The name Spark 3.4 gives an unaliased expression (toPrettySQL: usePrettyExpression(e).sql after
// analysis): `count(1)` for count(*), `avg(content_size)`, `(status >= 500)`, `(NOT (a = b))` for
// a <> b, `((x >= 1) AND (x <= 5))` for BETWEEN, `endpoint LIKE /a%` (strings bare), `CAST(x AS INT)`,
// `CASE WHEN (x = 1) THEN a END` for CASE x WHEN 1, function names lowercased, and the default
// arguments Spark fills in (`substring(x, 1, 2147483647)`, `regexp_extract(x, p, 1)`).
std::string spark_name(const Expr& expr, const ColumnNamer& namer = {});

// The column name of a select item: its alias, else Spark's name for the unaliased expression, where a
// column (or CAST of a column) is named after the column and an unaliased window(...) is `window`.
std::string output_name(const SelectItem& item, const ColumnNamer& namer = {});

// Spark's SQL text of a binary operator as its names use it ("+", "div", "=", "AND", ...).
std::string_view operator_sql(Op op);
// Appends a SQL string literal that reads back as `text` ('it\'s', with \n, \t, \u0000 escapes).
void append_sql_string_literal(std::string_view text, std::string& out);

// Canonical SQL for a tree: fully parenthesized, names backquoted, literals in a form that reads back
// the same, so parse(to_sql(tree)) gives the same tree (same_tree) - the normalized query text.
std::string to_sql(const Expr& expr);
std::string to_sql(const SelectStatement& statement);

// Structural equality, positions ignored.
bool same_tree(const Expr& a, const Expr& b);
bool same_statement(const SelectStatement& a, const SelectStatement& b);

// The expression as written in `text` (the text it was parsed from).
std::string_view source_text(std::string_view text, const Expr& expr);

}  // namespace logstream::sql
