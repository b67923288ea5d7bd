// The analyzer: Spark's names of result columns, the shape of the plan (keys, aggregates, HAVING and
// ORDER BY over the group row, hidden sort columns), Spark's resolution rules (positions, aliases,
// select names first), implicit casts written out, each kind of error with its exact caret, the
// shorthands (the seed's --group-by status plan exactly), and describe() as the normalized query.
#include "stages/query/analyzer.h"

#include <gtest/gtest.h>

#include <string>

#include "stages/core/pattern_set.h"
#include "stages/parser/log_columns.h"
#include "stages/query/sql_parser.h"

namespace logstream {
namespace {

const Schema& combined() {
  static const Schema schema = {
      {"host", DataType::kString},         {"ident", DataType::kString},
      {"user", DataType::kString},         {"timestamp", DataType::kTimestamp},
      {"method", DataType::kString},       {"endpoint", DataType::kString},
      {"protocol", DataType::kString},     {"status", DataType::kInt},
      {"content_size", DataType::kBigint}, {"referer", DataType::kString},
      {"user_agent", DataType::kString},   {"value", DataType::kString},
  };
  return schema;
}

Expected<LogicalPlan> analyzed(const std::string& sql, const Schema& schema = combined()) {
  auto statement = sql::parse_sql(sql);
  if (!statement) return Error{"(parse) " + statement.error()};
  AnalyzerOptions options;
  options.query_text = sql;
  return analyze(statement.value(), schema, options);
}

LogicalPlan plan(const std::string& sql) {
  auto p = analyzed(sql);
  EXPECT_TRUE(p) << sql << "\n" << (p ? "" : p.error());
  return p ? std::move(p).value() : LogicalPlan{};
}

std::string error(const std::string& sql) {
  auto p = analyzed(sql);
  EXPECT_FALSE(p) << sql;
  return p ? "(accepted)" : p.error();
}

// "name:type, ..." of the result.
std::string columns(const std::string& sql) {
  const LogicalPlan p = plan(sql);
  std::string out;
  for (const Column& c : p.output)
    out += (out.empty() ? "" : ", ") + c.name + ":" + std::string(data_type_name(c.type));
  return out;
}

// --- names and types ----------------------------------------------------------------------------------

TEST(Analyzer, ResultColumnsAreNamedAsSparkNamesThem) {
  EXPECT_EQ(columns("SELECT status, count(*) FROM logs GROUP BY status"), "status:int, count(1):bigint");
  EXPECT_EQ(columns("SELECT count(1), count(content_size) FROM logs"),
            "count(1):bigint, count(content_size):bigint");
  EXPECT_EQ(columns("SELECT avg(content_size), sum(status), min(host), max(timestamp) FROM logs"),
            "avg(content_size):double, sum(status):bigint, min(host):string, max(timestamp):timestamp");
  EXPECT_EQ(columns("SELECT avg(CONTENT_SIZE) FROM logs"),
            "avg(content_size):double");  // the schema's spelling
  EXPECT_EQ(columns("SELECT STATUS, logs.Host FROM logs"), "status:int, host:string");
  EXPECT_EQ(columns("SELECT count(*) AS hits, status AS code FROM logs GROUP BY status"),
            "hits:bigint, code:int");
  EXPECT_EQ(columns("SELECT status >= 500, status / 100, status DIV 100 FROM logs"),
            "(status >= 500):boolean, (status / 100):double, (status div 100):bigint");
  EXPECT_EQ(columns("SELECT CAST(status AS STRING), upper(host), substring(host, 1) FROM logs"),
            "status:string, upper(host):string, substring(host, 1, 2147483647):string");
  EXPECT_EQ(columns("SELECT count(DISTINCT host), approx_count_distinct(host) FROM logs"),
            "count(DISTINCT host):bigint, approx_count_distinct(host):bigint");
  EXPECT_EQ(columns("SELECT percentile_approx(content_size, 0.5) FROM logs"),
            "percentile_approx(content_size, 0.5, 10000):bigint");
  EXPECT_EQ(columns("SELECT hour(timestamp), date_trunc('hour', timestamp), to_date(timestamp) FROM logs"),
            "hour(timestamp):int, date_trunc(hour, timestamp):timestamp, to_date(timestamp):string");
  EXPECT_EQ(columns("SELECT sum(content_size) FROM logs"), "sum(content_size):bigint");
  EXPECT_EQ(columns("SELECT avg(host) FROM logs"), "avg(host):double");  // a string is averaged as a double
  EXPECT_EQ(columns("SELECT 1, 'a', NULL FROM logs"), "1:int, a:string, NULL:void");
}

TEST(Analyzer, ImplicitCastsAreWrittenOut) {
  const LogicalPlan p = plan(
      "SELECT status = '200', status IN ('200', 404), status + content_size, 'x' || status, "
      "hour('2015-01-01') "
      "FROM logs WHERE content_size > 1.5");
  EXPECT_EQ(describe(*p.projections[0]), "(status = 200)");  // a literal is cast once, here
  EXPECT_EQ(describe(*p.projections[1]), "(CAST(status AS STRING) IN ('200', '404'))");
  EXPECT_EQ(describe(*p.projections[2]), "(CAST(status AS BIGINT) + content_size)");
  EXPECT_EQ(describe(*p.projections[3]), "concat('x', CAST(status AS STRING))");
  EXPECT_EQ(describe(*p.projections[4]), "hour(CAST('2015-01-01' AS TIMESTAMP))");
  EXPECT_EQ(describe(*p.filter), "(CAST(content_size AS DOUBLE) > 1.5D)");
  EXPECT_TRUE(p.uses_session_zone);
  const LogicalPlan q =
      plan("SELECT status <> 1, status NOT BETWEEN 1 AND 2, host NOT LIKE 'a\\\\_%' FROM logs");
  EXPECT_EQ(describe(*q.projections[0]), "(NOT (status = 1))");
  EXPECT_EQ(describe(*q.projections[1]), "(NOT ((status >= 1) AND (status <= 2)))");
  EXPECT_EQ(describe(*q.projections[2]), "(NOT (host LIKE 'a\\\\_%'))");
  ASSERT_EQ(q.projections[2]->child(0).like.size(), 2u);
  EXPECT_EQ(q.projections[2]->child(0).like[0].text, "a_");  // the escaped _ is a literal
  EXPECT_EQ(q.projections[2]->child(0).like[1].kind, LikeAtom::kAnyString);
  EXPECT_FALSE(q.uses_session_zone);
}

// --- the plan -------------------------------------------------------------------------------------------

TEST(Analyzer, GroupedQueryReadsTheGroupRow) {
  const LogicalPlan p = plan(
      "SELECT method, lower(host), count(*) AS hits, sum(content_size) FROM logs WHERE status >= 400 "
      "GROUP BY lower(host), method HAVING count(*) > 10 AND max(status) < 500 ORDER BY hits DESC, 2");
  EXPECT_TRUE(p.grouped);
  ASSERT_EQ(p.keys.size(), 2u);
  EXPECT_EQ(describe(*p.keys[0]), "lower(host)");
  EXPECT_EQ(describe(*p.keys[1]), "method");
  ASSERT_EQ(p.aggregates.size(), 3u);  // count(*) once, for SELECT and HAVING
  EXPECT_EQ(p.aggregates[0].function->kind(), AggregateKind::kCount);
  EXPECT_EQ(describe(*p.aggregates[0].arguments[0]), "1");  // count(*) is count(1)
  EXPECT_EQ(p.aggregates[2].function->kind(), AggregateKind::kMax);
  EXPECT_EQ(describe(*p.having), "((agg#0 > 10L) AND (agg#2 < 500))");
  ASSERT_EQ(p.projections.size(), 4u);
  EXPECT_EQ(describe(*p.projections[0]), "key#1");
  EXPECT_EQ(p.projections[0]->column, 1u);
  EXPECT_EQ(describe(*p.projections[1]), "key#0");
  EXPECT_EQ(describe(*p.projections[2]), "agg#0");
  EXPECT_EQ(p.projections[2]->slot, Slot::kAggregate);
  EXPECT_EQ(p.projections[2]->column, 2u);  // after the two keys
  EXPECT_EQ(p.projections[3]->column, 3u);
  ASSERT_EQ(p.order_by.size(), 2u);
  EXPECT_EQ(p.order_by[0].column, 2u);
  EXPECT_TRUE(p.order_by[0].descending);
  EXPECT_FALSE(p.order_by[0].nulls_first);
  EXPECT_EQ(p.order_by[1].column, 1u);
  EXPECT_TRUE(p.order_by[1].nulls_first);
  EXPECT_EQ(p.columns_used, std::vector<bool>({true, false, false, false, true, false, false, true, true,
                                               false, false, false}));
}

TEST(Analyzer, GlobalAggregatesAndHiddenSortColumns) {
  const LogicalPlan global = plan("SELECT count(*), avg(content_size) FROM logs");
  EXPECT_TRUE(global.grouped);
  EXPECT_TRUE(global.keys.empty());
  const LogicalPlan having_only = plan("SELECT 1 FROM logs HAVING true");
  EXPECT_TRUE(having_only.grouped);

  const LogicalPlan hidden = plan("SELECT host FROM logs GROUP BY host ORDER BY count(*) DESC, max(status)");
  ASSERT_EQ(hidden.output.size(), 1u);
  ASSERT_EQ(hidden.projections.size(), 3u);
  EXPECT_EQ(describe(*hidden.projections[1]), "agg#0");
  EXPECT_EQ(describe(*hidden.projections[2]), "agg#1");
  EXPECT_EQ(hidden.order_by[0].column, 1u);
  EXPECT_EQ(hidden.order_by[1].column, 2u);

  const LogicalPlan rows = plan("SELECT host FROM logs WHERE status = 200 ORDER BY status, host LIMIT 5");
  EXPECT_FALSE(rows.grouped);
  ASSERT_EQ(rows.projections.size(), 2u);  // host, then status for the sort
  EXPECT_EQ(describe(*rows.projections[1]), "status");
  EXPECT_EQ(rows.order_by[0].column, 1u);
  EXPECT_EQ(rows.order_by[1].column, 0u);
  EXPECT_EQ(rows.limit, 5);
  EXPECT_EQ(rows.columns_used[0], true);
  EXPECT_EQ(rows.columns_used[7], true);
  EXPECT_EQ(rows.columns_used[5], false);
}

TEST(Analyzer, ResolutionByPositionAliasAndSelectNames) {
  // GROUP BY a position and an alias that is not a column.
  const LogicalPlan p = plan("SELECT lower(method) AS m, status, count(*) FROM logs GROUP BY m, 2");
  EXPECT_EQ(describe(*p.keys[0]), "lower(method)");
  EXPECT_EQ(describe(*p.keys[1]), "status");
  // An alias that is also a column name: GROUP BY takes the column (Spark resolves columns first) ...
  const LogicalPlan column = plan("SELECT lower(host) AS host FROM logs GROUP BY host");
  EXPECT_EQ(describe(*column.keys[0]), "host");
  EXPECT_EQ(describe(*column.projections[0]), "lower(key#0)");
  // ... while HAVING and ORDER BY see the select list's names first.
  const LogicalPlan h = plan(
      "SELECT lower(host) AS host, count(*) AS c FROM logs GROUP BY lower(host) HAVING host <> 'x' AND c > 1 "
      "ORDER BY host");
  EXPECT_EQ(describe(*h.having), "((NOT (key#0 = 'x')) AND (agg#0 > 1L))");
  EXPECT_EQ(h.order_by[0].column, 0u);
  EXPECT_EQ(h.projections.size(), 2u);
  // Expressions over keys and aggregates, matched to the select list when they are one of its columns.
  const LogicalPlan e =
      plan("SELECT status, count(*) FROM logs GROUP BY status ORDER BY status + 1, count(1)");
  EXPECT_EQ(describe(*e.projections[2]), "(key#0 + 1)");
  EXPECT_EQ(e.order_by[1].column, 1u);
  EXPECT_EQ(e.projections.size(), 3u);
  // A select item that is a key inside a larger expression.
  EXPECT_EQ(describe(*plan("SELECT upper(lower(host)) FROM logs GROUP BY lower(host)").projections[0]),
            "upper(key#0)");
}

TEST(Analyzer, RegexPatternsGetIdsOncePerText) {
  const LogicalPlan p = plan(
      "SELECT regexp_extract(endpoint, '^/(\\\\w+)/(\\\\w+)', 2), endpoint RLIKE '^/api', host RLIKE '^/api' "
      "FROM logs WHERE endpoint REGEXP '\\\\.css$'");
  ASSERT_EQ(p.patterns.size(), 3u);
  EXPECT_EQ(p.patterns[0].regex, "\\.css$");  // WHERE is bound first
  EXPECT_EQ(p.patterns[1].regex, "^/(\\w+)/(\\w+)");
  EXPECT_EQ(p.patterns[1].highest_group, 2);
  EXPECT_EQ(p.patterns[2].regex, "^/api");
  EXPECT_EQ(p.patterns[2].highest_group, 0);
  EXPECT_EQ(p.projections[1]->pattern, 2u);
  EXPECT_EQ(p.projections[2]->pattern, 2u);
}

// --- errors ---------------------------------------------------------------------------------------------

TEST(AnalyzerErrors, UnknownColumnListsTheFormatsColumns) {
  EXPECT_EQ(error("SELECT hots FROM logs"),
            "line 1, column 8: unknown column 'hots'; the columns of logs are host, ident, user, timestamp, "
            "method, "
            "endpoint, protocol, status, content_size, referer, user_agent, value\n"
            "  SELECT hots FROM logs\n"
            "         ^");
  EXPECT_EQ(error("SELECT host\nFROM logs\nWHERE stauts = 200"),
            "line 3, column 7: unknown column 'stauts'; the columns of logs are host, ident, user, "
            "timestamp, method, "
            "endpoint, protocol, status, content_size, referer, user_agent, value\n"
            "  WHERE stauts = 200\n"
            "        ^");
  const Schema seed = LogColumns::spark_seed().schema();
  EXPECT_EQ(analyzed("SELECT referer FROM logs", seed).error(),
            "line 1, column 8: unknown column 'referer'; the columns of logs are host, timestamp, method, "
            "endpoint, "
            "protocol, status, content_size, value\n"
            "  SELECT referer FROM logs\n"
            "         ^");
  EXPECT_EQ(error("SELECT window.start FROM logs"),
            "line 1, column 8: 'window.start' names the window of a query grouped by window(timestamp, "
            "'DURATION'); this query has none. The columns of logs are host, ident, user, timestamp, method, "
            "endpoint, protocol, status, content_size, referer, user_agent, value\n"
            "  SELECT window.start FROM logs\n"
            "         ^");
  EXPECT_EQ(error("SELECT host.name FROM logs").substr(0, 68),
            "line 1, column 8: unknown column 'host.name' (struct fields are not ");
}

TEST(AnalyzerErrors, GroupingAndAggregates) {
  EXPECT_EQ(error("SELECT host, count(*) FROM logs GROUP BY status"),
            "line 1, column 8: expression 'host' is neither in GROUP BY nor inside an aggregate; add it to "
            "GROUP BY "
            "or wrap it in an aggregate such as min(host)\n"
            "  SELECT host, count(*) FROM logs GROUP BY status\n"
            "         ^");
  EXPECT_EQ(
      error("SELECT status, count(*) FROM logs HAVING host = 'a'"),  // a global group has no keys
      "line 1, column 8: expression 'status' is neither in GROUP BY nor inside an aggregate; add it to GROUP "
      "BY or wrap it in an aggregate such as min(status)\n"
      "  SELECT status, count(*) FROM logs HAVING host = 'a'\n"
      "         ^");
  EXPECT_EQ(error("SELECT count(*) FROM logs GROUP BY status HAVING host = 'a'"),
            "line 1, column 50: expression 'host' is neither in GROUP BY nor inside an aggregate; add it to "
            "GROUP BY "
            "or wrap it in an aggregate such as min(host)\n"
            "  SELECT count(*) FROM logs GROUP BY status HAVING host = 'a'\n"
            "                                                   ^");
  EXPECT_EQ(
      error("SELECT sum(count(*)) FROM logs"),
      "line 1, column 12: aggregate function count(1) cannot be nested inside sum(...); compute it in a "
      "separate query\n"
      "  SELECT sum(count(*)) FROM logs\n"
      "             ^");
  EXPECT_EQ(error("SELECT host FROM logs WHERE count(*) > 1"),
            "line 1, column 29: aggregate functions are not allowed in WHERE: count(1)\n"
            "  SELECT host FROM logs WHERE count(*) > 1\n"
            "                              ^");
  EXPECT_EQ(error("SELECT count(*) FROM logs GROUP BY max(status)"),
            "line 1, column 36: aggregate functions are not allowed in GROUP BY: max(status)\n"
            "  SELECT count(*) FROM logs GROUP BY max(status)\n"
            "                                     ^");
  EXPECT_EQ(
      error("SELECT host FROM logs ORDER BY count(*)"),
      "line 1, column 32: aggregate functions are not allowed in ORDER BY of a query without GROUP BY or "
      "aggregates: count(1)\n"
      "  SELECT host FROM logs ORDER BY count(*)\n"
      "                                 ^");
  EXPECT_EQ(
      error("SELECT percentile_approx(status, 2.0) FROM logs"),
      "line 1, column 8: percentile_approx: argument 2 (the percentage) must be between 0.0 and 1.0, got 2\n"
      "  SELECT percentile_approx(status, 2.0) FROM logs\n"
      "         ^");
  EXPECT_EQ(error("SELECT percentile_approx(status, status) FROM logs"),
            "line 1, column 34: percentile_approx: argument 2 must be a literal, not 'status'\n"
            "  SELECT percentile_approx(status, status) FROM logs\n"
            "                                   ^");
  EXPECT_EQ(
      error("SELECT sum(timestamp) FROM logs"),
      "line 1, column 8: sum(timestamp): argument 1 is timestamp, but sum takes a numeric argument (int, "
      "bigint, double, or a string cast to double)\n"
      "  SELECT sum(timestamp) FROM logs\n"
      "         ^");
  EXPECT_EQ(describe(*plan("SELECT status = 'abc', 1.5 = '1.5' FROM logs").projections[0]),
            "(status = CAST(NULL AS INT))");
}

TEST(AnalyzerErrors, PositionsAndDistinct) {
  EXPECT_EQ(error("SELECT host FROM logs GROUP BY 2"),
            "line 1, column 32: GROUP BY position 2 is not in select list (valid range is [1, 1])\n"
            "  SELECT host FROM logs GROUP BY 2\n"
            "                                 ^");
  EXPECT_EQ(error("SELECT host, count(*) FROM logs GROUP BY 2"),
            "line 1, column 42: GROUP BY position 2 is an aggregate (count(1)); aggregate functions are not "
            "allowed "
            "in GROUP BY\n"
            "  SELECT host, count(*) FROM logs GROUP BY 2\n"
            "                                           ^");
  EXPECT_EQ(error("SELECT host FROM logs ORDER BY 0"),
            "line 1, column 32: ORDER BY position 0 is not in select list (valid range is [1, 1])\n"
            "  SELECT host FROM logs ORDER BY 0\n"
            "                                 ^");
  EXPECT_EQ(
      error("SELECT DISTINCT host FROM logs ORDER BY status"),
      "line 1, column 41: with SELECT DISTINCT, ORDER BY may only use the selected columns; 'status' is not "
      "one of them\n"
      "  SELECT DISTINCT host FROM logs ORDER BY status\n"
      "                                          ^");
}

TEST(AnalyzerErrors, APatternHyperscanCannotCompileIsPointedAt) {
  // Named by the function that holds it, with a caret under it, before any database is built.
  const std::string rlike = error("SELECT count(*) FROM logs WHERE endpoint RLIKE 'a(?=b)'");
  EXPECT_EQ(rlike.substr(0, rlike.find('\n')),
            "line 1, column 48: RLIKE: the pattern 'a(?=b)' does not compile: " +
                PatternSet::compile_error("a(?=b)", kRlikePatternFlags).value_or("?") +
                " (patterns are Hyperscan's: no back-references or lookaround)");
  EXPECT_NE(rlike.find("\n                                                 ^"), std::string::npos) << rlike;
  const std::string extract = error("SELECT regexp_extract(endpoint, '(?<=/)blog', 0) FROM logs");
  EXPECT_EQ(
      extract.rfind("line 1, column 33: regexp_extract: the pattern '(?<=/)blog' does not compile: ", 0), 0u)
      << extract;
  plan("SELECT count(*) FROM logs WHERE endpoint RLIKE '[[:digit:]]{4}'");  // POSIX classes compile
}

TEST(AnalyzerErrors, TypeErrorsSayWhichOperand) {
  EXPECT_EQ(error("SELECT status AND true FROM logs"),
            "line 1, column 15: AND needs boolean operands; its left operand 'status' is int\n"
            "  SELECT status AND true FROM logs\n"
            "                ^");
  EXPECT_EQ(error("SELECT true OR host FROM logs"),
            "line 1, column 13: OR needs boolean operands; its right operand 'host' is string\n"
            "  SELECT true OR host FROM logs\n"
            "              ^");
  EXPECT_EQ(error("SELECT NOT status FROM logs"),
            "line 1, column 12: NOT needs a boolean operand; 'status' is int, not boolean\n"
            "  SELECT NOT status FROM logs\n"
            "             ^");
  EXPECT_EQ(error("SELECT timestamp + 1 FROM logs"),
            "line 1, column 18: '+' needs numeric operands; its left operand 'timestamp' is timestamp\n"
            "  SELECT timestamp + 1 FROM logs\n"
            "                   ^");
  EXPECT_EQ(error("SELECT status * true FROM logs"),
            "line 1, column 15: '*' needs numeric operands; its right operand 'true' is boolean\n"
            "  SELECT status * true FROM logs\n"
            "                ^");
  EXPECT_EQ(error("SELECT 1.5 DIV 2 FROM logs"),
            "line 1, column 12: DIV needs integer operands; its left operand '1.5' is double (a string "
            "operand is a "
            "double too); use CAST(... AS BIGINT)\n"
            "  SELECT 1.5 DIV 2 FROM logs\n"
            "             ^");
  EXPECT_EQ(error("SELECT -timestamp FROM logs"),
            "line 1, column 8: unary '-' needs a numeric operand; 'timestamp' is timestamp\n"
            "  SELECT -timestamp FROM logs\n"
            "         ^");
  EXPECT_EQ(
      error("SELECT timestamp > 5 FROM logs"),
      "line 1, column 18: cannot compare timestamp with int: the left operand 'timestamp' is timestamp, the "
      "right operand '5' is int\n"
      "  SELECT timestamp > 5 FROM logs\n"
      "                   ^");
  EXPECT_EQ(
      error("SELECT true < 1 FROM logs"),  // booleans meet numbers only in = and <=>
      "line 1, column 13: cannot compare boolean with int: the left operand 'true' is boolean, the right "
      "operand '1' is int\n"
      "  SELECT true < 1 FROM logs\n"
      "              ^");
  EXPECT_EQ(error("SELECT hour(status) FROM logs"),
            "line 1, column 13: hour: argument 1 'status' is int; it must be a timestamp (or a string cast "
            "to one)\n"
            "  SELECT hour(status) FROM logs\n"
            "              ^");
  EXPECT_EQ(error("SELECT substring(host, true) FROM logs"),
            "line 1, column 24: substring: argument 2 'true' is boolean; it must be an integer (or a number "
            "or string "
            "cast to one)\n"
            "  SELECT substring(host, true) FROM logs\n"
            "                         ^");
  EXPECT_EQ(error("SELECT host FROM logs WHERE status"),
            "line 1, column 29: WHERE needs a boolean condition; 'status' is int, not boolean\n"
            "  SELECT host FROM logs WHERE status\n"
            "                              ^");
  EXPECT_EQ(error("SELECT CASE WHEN status THEN 1 END FROM logs"),
            "line 1, column 18: a WHEN condition must be boolean; 'status' is int, not boolean\n"
            "  SELECT CASE WHEN status THEN 1 END FROM logs\n"
            "                   ^");
  EXPECT_EQ(error("SELECT CASE WHEN true THEN true ELSE 1 END FROM logs"),
            "line 1, column 38: CASE needs values of a common type: 'true' is boolean, '1' is int\n"
            "  SELECT CASE WHEN true THEN true ELSE 1 END FROM logs\n"
            "                                       ^");
  EXPECT_EQ(
      error("SELECT coalesce(timestamp, 1) FROM logs"),
      "line 1, column 28: coalesce needs values of a common type: 'timestamp' is timestamp, '1' is int\n"
      "  SELECT coalesce(timestamp, 1) FROM logs\n"
      "                             ^");
  EXPECT_EQ(error("SELECT status IN (true, 1) FROM logs"),
            "line 1, column 19: IN needs values of one type: 'status' is int, 'true' is boolean\n"
            "  SELECT status IN (true, 1) FROM logs\n"
            "                    ^");
  EXPECT_EQ(error("SELECT to_date(status) FROM logs"),
            "line 1, column 16: to_date: argument 1 'status' is int; it must be a timestamp or a string\n"
            "  SELECT to_date(status) FROM logs\n"
            "                 ^");
}

TEST(AnalyzerErrors, QueryTextInMessagesIsEscapedAndCut) {
  EXPECT_EQ(error("SELECT CASE WHEN 'yes' THEN 1 END FROM logs"),  // a string literal brings its own quotes
            "line 1, column 18: a WHEN condition must be boolean; 'yes' is string, not boolean\n"
            "  SELECT CASE WHEN 'yes' THEN 1 END FROM logs\n"
            "                   ^");
  const std::string escape = error("SELECT `a\x1b[31mb` FROM logs");
  EXPECT_EQ(escape.substr(0, escape.find(';')), "line 1, column 8: unknown column 'a\\x1b[31mb'");
  EXPECT_EQ(escape.substr(escape.find('\n')), "\n  SELECT `a\\x1b[31mb` FROM logs\n         ^");
  std::string sum = "status";
  for (int i = 0; i < 30; ++i) sum += " + 1";
  const std::string cut = error("SELECT (" + sum + ") AND true FROM logs");
  EXPECT_EQ(cut.substr(0, cut.find('\n')),
            // 60 characters: "status" and 13 times " + 1", then " +".
            "line 1, column 137: AND needs boolean operands; its left operand 'status + 1 + 1 + 1 + 1 + 1 + "
            "1 + 1 + "
            "1 + 1 + 1 + 1 + 1 + 1 +...' is int");
}

TEST(AnalyzerErrors, FunctionsAndPatterns) {
  EXPECT_EQ(
      error("SELECT foo(host) FROM logs"),
      "line 1, column 8: unknown function foo(); the functions are lower (lcase), upper (ucase), length "
      "(char_length), substring (substr), substring_index, concat, coalesce, regexp_extract, date_trunc, "
      "hour, "
      "to_date, and the aggregates count, sum, avg (mean), min, max, approx_count_distinct, "
      "percentile_approx "
      "(approx_percentile)\n"
      "  SELECT foo(host) FROM logs\n"
      "         ^");
  EXPECT_EQ(error("SELECT lower(host, 1) FROM logs"),
            "line 1, column 8: lower takes 1 argument, not 2\n"
            "  SELECT lower(host, 1) FROM logs\n"
            "         ^");
  EXPECT_EQ(error("SELECT lower(DISTINCT host) FROM logs"),
            "line 1, column 8: DISTINCT is only allowed in aggregate functions, not in lower()\n"
            "  SELECT lower(DISTINCT host) FROM logs\n"
            "         ^");
  EXPECT_EQ(error("SELECT split(endpoint, '/') FROM logs"),
            "line 1, column 8: split() gives an array, and logstream has no array columns yet: take one "
            "element, as in split(endpoint, '/')[1]\n"
            "  SELECT split(endpoint, '/') FROM logs\n"
            "         ^");
  EXPECT_EQ(error("SELECT split(endpoint, '[/]')[1] FROM logs").substr(0, 72),
            "line 1, column 24: split: the separator '[/]' is a regular expression; l");
  EXPECT_EQ(error("SELECT lower(host)[1] FROM logs").substr(0, 73),
            "line 1, column 19: only the array of split(...) can be subscripted, as in");
  EXPECT_EQ(error("SELECT window(timestamp, '10 minutes', '5 minutes') FROM logs").substr(0, 79),
            "line 1, column 8: a sliding window() puts a row into several windows: use it in");
  EXPECT_EQ(error("SELECT count(*) FROM logs GROUP BY window(timestamp, '1 month')").substr(0, 87),
            "line 1, column 54: window: the window duration '1 month': months and years are not supp");
  EXPECT_EQ(
      error("SELECT count(*) FROM logs GROUP BY window(timestamp, '1 hour'), window(timestamp, '1 day')")
          .substr(0, 79),
      "line 1, column 65: a query can group by one window() or session_window() only\n ");
  EXPECT_EQ(error("SELECT count(*) FROM logs GROUP BY session_window(timestamp, '5 minutes'), "
                  "window(timestamp, '1 day')")
                .substr(0, 79),
            "line 1, column 76: a query can group by one window() or session_window() only\n ");
  EXPECT_EQ(error("SELECT session_window(timestamp, '5 minutes') FROM logs").substr(0, 81),
            "line 1, column 8: session_window() merges rows into sessions: use it in GROUP BY\n");
  EXPECT_EQ(
      error("SELECT count(*) FROM logs WHERE session_window(timestamp, '5 minutes') IS NULL").substr(0, 86),
      "line 1, column 33: session_window() groups rows into sessions: use it in GROUP BY (and");
  EXPECT_EQ(error("SELECT count(*) FROM logs GROUP BY session_window(timestamp, '-5 minutes')").substr(0, 60),
            "line 1, column 62: session_window: the gap must be positive\n");
  EXPECT_EQ(
      error("SELECT session_window.start FROM logs GROUP BY window(timestamp, '5 minutes')").substr(0, 96),
      "line 1, column 8: 'session_window.start' names the session of a query grouped by session_window(");
  EXPECT_EQ(
      error("SELECT count(*) FROM logs GROUP BY window(timestamp, 10)").substr(0, 98),
      "line 1, column 54: window: argument 2 (the window duration) must be a string literal such as '10 m");
  EXPECT_EQ(error("SELECT count(*) FROM logs GROUP BY window(status, '1 hour')").substr(0, 78),
            "line 1, column 43: window: argument 1 'status' is int; it must be a timestamp ");
  EXPECT_EQ(
      error("SELECT window.middle, count(*) FROM logs GROUP BY window(timestamp, '1 hour')").substr(0, 75),
      "line 1, column 8: a window has the fields start and end, not 'middle'\n  SEL");
  EXPECT_EQ(
      error("SELECT host FROM logs WHERE host LIKE 'a\\\\b'"),
      "line 1, column 39: the pattern 'a\\b' is invalid: the escape character is not allowed to precede 'b'\n"
      "  SELECT host FROM logs WHERE host LIKE 'a\\\\b'\n"
      "                                        ^");
  EXPECT_EQ(
      error("SELECT host LIKE 'ab\\\\' FROM logs"),
      "line 1, column 18: the pattern 'ab\\' is invalid: it is not allowed to end with the escape character\n"
      "  SELECT host LIKE 'ab\\\\' FROM logs\n"
      "                   ^");
  EXPECT_EQ(error("SELECT host LIKE method FROM logs"),
            "line 1, column 18: LIKE with a pattern that is not a literal is not supported yet; write the "
            "pattern as "
            "a string\n"
            "  SELECT host LIKE method FROM logs\n"
            "                   ^");
  EXPECT_EQ(error("SELECT regexp_extract(host, '(a)', status) FROM logs"),
            "line 1, column 36: regexp_extract: argument 3 (the group) must be an integer literal such as 1\n"
            "  SELECT regexp_extract(host, '(a)', status) FROM logs\n"
            "                                     ^");
}

TEST(AnalyzerErrors, CaretsOnLaterLines) {
  EXPECT_EQ(error("SELECT host,\n       count(*)\nFROM logs\nGROUP BY status"),
            "line 1, column 8: expression 'host' is neither in GROUP BY nor inside an aggregate; add it to "
            "GROUP BY "
            "or wrap it in an aggregate such as min(host)\n"
            "  SELECT host,\n"
            "         ^");
  EXPECT_EQ(error("SELECT status\nFROM logs\nGROUP BY status\nHAVING sum(status AND true) > 1"),
            "line 4, column 19: AND needs boolean operands; its left operand 'status' is int\n"
            "  HAVING sum(status AND true) > 1\n"
            "                    ^");
}

// --- the shorthands and describe() ----------------------------------------------------------------------

TEST(Analyzer, SeedShorthandIsExactlyTheSeedsPlan) {
  const Schema seed = LogColumns::spark_seed().schema();
  AnalyzerOptions options;
  ShorthandQuery query;
  query.group_by = "status";
  auto p = analyze_group_by_shorthand(query, seed, options);
  ASSERT_TRUE(p) << p.error();
  const LogicalPlan& plan = p.value();
  EXPECT_FALSE(plan.filter);
  EXPECT_TRUE(plan.grouped);
  ASSERT_EQ(plan.keys.size(), 1u);
  EXPECT_EQ(plan.keys[0]->kind, BoundKind::kColumn);
  EXPECT_EQ(plan.keys[0]->slot, Slot::kInput);
  EXPECT_EQ(plan.keys[0]->column, 5u);  // status in the seed's logsDF
  EXPECT_EQ(plan.keys[0]->type, DataType::kInt);
  ASSERT_EQ(plan.aggregates.size(), 1u);
  EXPECT_EQ(plan.aggregates[0].function->kind(), AggregateKind::kCount);
  EXPECT_FALSE(plan.aggregates[0].function->distinct());
  EXPECT_EQ(plan.aggregates[0].function->result_type(), DataType::kBigint);
  EXPECT_FALSE(plan.having);
  ASSERT_EQ(plan.projections.size(), 2u);
  EXPECT_EQ(plan.projections[0]->slot, Slot::kKey);
  EXPECT_EQ(plan.projections[0]->column, 0u);
  EXPECT_EQ(plan.projections[1]->slot, Slot::kAggregate);
  EXPECT_EQ(plan.projections[1]->column, 1u);
  ASSERT_EQ(plan.output.size(), 2u);
  EXPECT_EQ(plan.output[0].name, "status");
  EXPECT_EQ(plan.output[0].type, DataType::kInt);
  EXPECT_EQ(plan.output[1].name, "count");
  EXPECT_EQ(plan.output[1].type, DataType::kBigint);
  EXPECT_FALSE(plan.distinct);
  EXPECT_TRUE(plan.order_by.empty());
  EXPECT_FALSE(plan.limit);
  EXPECT_TRUE(plan.patterns.empty());
  EXPECT_EQ(plan.columns_used, std::vector<bool>({false, false, false, false, false, true, false, false}));
  const std::string seed_plan =
      "group by: status\n"
      "aggregates: count(1)\n"
      "select: key#0 AS `status`:int, agg#0 AS `count`:bigint\n";
  EXPECT_EQ(describe(plan), seed_plan);

  // No --group-by is the seed's query too, and so is the SQL that spells it out.
  auto by_default = analyze_group_by_shorthand({}, seed, options);
  ASSERT_TRUE(by_default) << by_default.error();
  EXPECT_EQ(describe(by_default.value()), seed_plan);
  auto sql = analyzed("select STATUS, COUNT(*) as `count` from LOGS group by Status", seed);
  ASSERT_TRUE(sql) << sql.error();
  EXPECT_EQ(describe(sql.value()), seed_plan);
}

TEST(Analyzer, ShorthandWhereAndErrorsNameTheirOption) {
  AnalyzerOptions options;
  ShorthandQuery query;
  query.group_by = "method, status >= 500";
  query.where = "content_size > 1000 AND endpoint LIKE '/api/%'";
  auto p = analyze_group_by_shorthand(query, combined(), options);
  ASSERT_TRUE(p) << p.error();
  EXPECT_EQ(
      describe(p.value()),
      "filter: ((content_size > 1000L) AND (endpoint LIKE '/api/%'))\n"
      "group by: method, (status >= 500)\n"
      "aggregates: count(1)\n"
      "select: key#0 AS `method`:string, key#1 AS `(status >= 500)`:boolean, agg#0 AS `count`:bigint\n");

  query.where = "stauts = 200";
  EXPECT_EQ(analyze_group_by_shorthand(query, combined(), options).error(),
            "--where: line 1, column 1: unknown column 'stauts'; the columns of logs are host, ident, user, "
            "timestamp, method, endpoint, protocol, status, content_size, referer, user_agent, value\n"
            "  stauts = 200\n"
            "  ^");
  query.where = "status";
  EXPECT_EQ(analyze_group_by_shorthand(query, combined(), options).error(),
            "--where: line 1, column 1: --where needs a boolean condition; 'status' is int, not boolean\n"
            "  status\n"
            "  ^");
  query.where.reset();
  query.group_by = "host, count(*)";
  EXPECT_EQ(analyze_group_by_shorthand(query, combined(), options).error(),
            "--group-by: line 1, column 7: aggregate functions are not allowed in --group-by: count(1)\n"
            "  host, count(*)\n"
            "        ^");
  query.group_by = "host,";
  EXPECT_EQ(analyze_group_by_shorthand(query, combined(), options).error().substr(0, 37),
            "--group-by: line 1, column 6: expecte");
}

TEST(Analyzer, DescribeIsTheNormalizedQuery) {
  const std::string a =
      describe(plan("SELECT status, count(*) AS hits FROM logs WHERE method = 'GET' GROUP BY status "
                    "HAVING count(*) > 1 ORDER BY hits DESC LIMIT 10"));
  const std::string b =
      describe(plan("select STATUS , COUNT(1) hits\nfrom logs -- a comment\nwhere METHOD='GET' "
                    "group by 1 having COUNT(*)>1 order by 2 desc nulls last limit 10"));
  EXPECT_EQ(a, b);
  EXPECT_EQ(a,
            "filter: (method = 'GET')\n"
            "group by: status\n"
            "aggregates: count(1)\n"
            "having: (agg#0 > 1L)\n"
            "select: key#0 AS `status`:int, agg#0 AS `hits`:bigint\n"
            "order by: #2 DESC NULLS LAST\n"
            "limit: 10\n");
  EXPECT_NE(a, describe(plan("SELECT status, count(*) AS hits FROM logs WHERE method = 'GET' GROUP BY status "
                             "HAVING count(*) > 1 ORDER BY hits DESC LIMIT 11")));
  EXPECT_NE(a,
            describe(plan("SELECT status, count(*) AS hits FROM logs WHERE method = 'POST' GROUP BY status "
                          "HAVING count(*) > 1 ORDER BY hits DESC LIMIT 10")));
  EXPECT_EQ(describe(plan("SELECT DISTINCT host, endpoint RLIKE 'a' FROM logs ORDER BY host")),
            "select: host AS `host`:string, (endpoint RLIKE pattern#0) AS `endpoint RLIKE a`:boolean\n"
            "distinct\n"
            "order by: #1 ASC NULLS FIRST\n"
            "pattern#0: 'a'\n");
  // The session zone is part of the query only when a time function or cast reads it.
  auto statement = sql::parse_sql("SELECT hour(timestamp) FROM logs");
  ASSERT_TRUE(statement);
  AnalyzerOptions options;
  auto la = TimeZone::load("America/Los_Angeles");
  ASSERT_TRUE(la) << la.error();
  options.session_zone = la.value();
  EXPECT_EQ(describe(analyze(statement.value(), combined(), options).value()),
            "select: hour(timestamp) AS `hour(timestamp)`:int\n"
            "zone: America/Los_Angeles\n");
}

}  // namespace
}  // namespace logstream
