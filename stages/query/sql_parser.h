// The SQL front end's parser: query text (untrusted, from --sql, --sql-file, --group-by, --where) to the
// syntax tree of sql_ast.h, or an error that points at the offending character. No I/O, no analysis.
//
// Grammar (Spark SQL 3.4's, SqlBaseParser.g4, for the subset below; keywords in any case):
//   statement   SELECT [DISTINCT | ALL] item [[AS] alias], ... FROM logs [WHERE e] [GROUP BY e, ...]
//               [HAVING e] [ORDER BY e [ASC | DESC] [NULLS FIRST | LAST], ...] [LIMIT n | LIMIT ALL] ;*
//   precedence, loosest first (all binary operators left-associative):
//     OR;  AND;  NOT (also !);  one predicate after a value: [NOT] BETWEEN a AND b, [NOT] IN (e, ...),
//     [NOT] LIKE p, [NOT] RLIKE | REGEXP p, IS [NOT] NULL, IS [NOT] DISTINCT FROM v;
//     comparisons = == <> != < <= > >= <=> (!> and !< as Spark's lexer has them);  + - ||;  * / % DIV;
//     unary - +;  then primaries: literals, columns (a, `a b`, window.start), f([DISTINCT] args),
//     count(*), CASE, CAST(e AS type), (e), e[i], substring(s FROM p [FOR n]).
//   So `NOT a = b AND c` is `(NOT (a = b)) AND c`, and `a = b IS NULL` is `(a = b) IS NULL`, as in Spark.
// Comments: -- to the end of the line, /* ... */ (nested). Names: letters, digits and _ (a name may start
// with a digit, as in Spark: `5xx`), or anything between backquotes (`` for a backquote). The words with a
// role in this grammar are reserved (ALL AND AS ASC BETWEEN BY CASE CAST DESC DISTINCT DIV ELSE END EXISTS
// FALSE FROM GROUP HAVING ILIKE IN INTERVAL IS LIKE LIMIT NOT NULL NULLS OR ORDER REGEXP RLIKE SELECT
// THEN TRUE WHEN WHERE): backquote them to use them as names.
//
// Errors read "line L, column C: expected X, found Y" followed by the offending line and a caret under
// the character (columns in code points, tabs kept so the caret lines up, control bytes and bytes that
// are not UTF-8 shown as \xHH). Limits keep hostile input cheap: kMaxQueryBytes of text, kMaxNesting
// levels of parentheses, calls, CASE and lists, and no expression taller than kMaxHeight nodes.
#pragma once

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

#include "stages/core/expected.h"
#include "stages/query/sql_ast.h"

namespace logstream::sql {

inline constexpr size_t kMaxQueryBytes = size_t{1} << 20;
inline constexpr uint32_t kMaxHeight = 1000;
// At least kMaxHeight, so that to_sql() of any tree the parser accepts parses again.
inline constexpr uint32_t kMaxNesting = kMaxHeight + 8;

Expected<SelectStatement> parse_sql(std::string_view text);

// The CLI shorthands: --where COND is one expression, --group-by "EXPR, ..." a non-empty list.
Expected<ExprPtr> parse_expression(std::string_view text);
Expected<std::vector<ExprPtr>> parse_expression_list(std::string_view text);

// "line L, column C: <reason>", the line of `text` holding `offset` and a caret under that character;
// for errors found after parsing (an unknown column: pass the node's pos.offset or op_pos.offset).
std::string sql_error_at(std::string_view text, size_t offset, std::string_view reason);

}  // namespace logstream::sql
