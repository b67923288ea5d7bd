// The reference interpreter: every operator and function of the plan with nulls and types against
// Spark 3.4's documented results (and values worked out by hand from its source where the docs say
// nothing), casts with Spark's non-ANSI rules, time functions in several zones, and whole queries run
// naively over a small table whose results were computed by hand.
#include "stages/query/evaluate.h"

#include <gtest/gtest.h>

#include <regex>
#include <string>
#include <vector>

#include "stages/query/analyzer.h"
#include "stages/query/sql_parser.h"
#include "stages/sinks/spark_value_text.h"
#include "tests/support/regex_matcher.h"

namespace logstream {
namespace {

// The columns of --format combined.
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

// 2015-11-29 03:50:00 UTC.
constexpr int64_t kTs = 1448769000LL * 1'000'000;

std::vector<Value> sample_row() {
  return {Value::string("10.0.0.1"),
          Value::null_of(DataType::kString),
          Value::null_of(DataType::kString),
          Value::timestamp_micros(kTs),
          Value::string("GET"),
          Value::string("/index.html"),
          Value::string("HTTP/1.1"),
          Value::int32(200),
          Value::null_of(DataType::kBigint),
          Value::string("-"),
          Value::string("curl/8.0"),
          Value::string("10.0.0.1 - - [29/Nov/2015:03:50:00 +0000] \"GET /index.html HTTP/1.1\" 200 -")};
}

TimeZone zone(std::string_view name) {
  auto z = TimeZone::load(name);
  EXPECT_TRUE(z) << (z ? "" : z.error());
  return z ? std::move(z).value() : TimeZone();
}

Expected<LogicalPlan> plan_of(const std::string& sql, const Schema& schema = combined(),
                              TimeZone tz = TimeZone()) {
  auto statement = sql::parse_sql(sql);
  if (!statement) return Error{statement.error()};
  AnalyzerOptions options;
  options.query_text = sql;
  options.session_zone = std::move(tz);
  return analyze(statement.value(), schema, options);
}

std::vector<std::vector<Value>> run(const LogicalPlan& plan, const std::vector<std::vector<Value>>& rows) {
  test_support::RegexMatcher matcher(plan);
  return run_plan_naively(plan, rows, {&matcher, &spark_cast_text(), {}});
}

std::string shown(const Value& v) {
  return std::string(data_type_name(v.type)) + ":" + (v.null ? "null" : format_value(v, TimeZone()));
}

// "type:text" of SELECT expr FROM logs over the sample row, or the analyzer's error.
std::string eval(const std::string& expr, TimeZone tz = TimeZone(), std::vector<Value> row = sample_row()) {
  const std::string sql = "SELECT " + expr + " FROM logs";
  auto plan = plan_of(sql, combined(), std::move(tz));
  if (!plan) return "error: " + plan.error();
  const auto rows = run(plan.value(), {row});
  if (rows.size() != 1 || rows[0].size() != 1) return "<wrong shape>";
  if (rows[0][0].type != plan.value().output[0].type && rows[0][0].type != DataType::kNull) {
    return "<value of another type than the plan's>";
  }
  return shown(rows[0][0]);
}

// --- arithmetic ---------------------------------------------------------------------------------------

TEST(Evaluate, ArithmeticTypesAndWrapping) {
  EXPECT_EQ(eval("1 + 2"), "int:3");
  EXPECT_EQ(eval("2147483647 + 1"), "int:-2147483648");  // int + int is int, wrapping as Java
  EXPECT_EQ(eval("2147483647 + 1L"), "bigint:2147483648");
  EXPECT_EQ(eval("9223372036854775807L * 2"), "bigint:-2");
  EXPECT_EQ(eval("1 + 1.5"), "double:2.5");
  EXPECT_EQ(eval("status + content_size"), "bigint:null");
  EXPECT_EQ(eval("status * 2"), "int:400");
  EXPECT_EQ(eval("status - 0.5"), "double:199.5");
  EXPECT_EQ(eval("'3' + 1"), "double:4.0");  // strings in arithmetic are doubles
  EXPECT_EQ(eval("'x' + 1"), "double:null");
  EXPECT_EQ(eval("NULL + 1"), "int:null");
  EXPECT_EQ(eval("NULL + NULL"), "double:null");
  EXPECT_EQ(eval("-status"), "int:-200");
  EXPECT_EQ(eval("-(-2147483648)"), "int:-2147483648");
  EXPECT_EQ(eval("+status"), "int:200");
  EXPECT_EQ(eval("-'2'"), "double:-2.0");
}

TEST(Evaluate, DivisionRemainderAndDiv) {
  EXPECT_EQ(eval("7 / 2"), "double:3.5");   // / is always a double
  EXPECT_EQ(eval("7 / 0"), "double:null");  // by zero: null without ANSI mode
  EXPECT_EQ(eval("7.0 / 0.0"), "double:null");
  EXPECT_EQ(eval("7 DIV 2"), "bigint:3");
  EXPECT_EQ(eval("-7 DIV 2"), "bigint:-3");
  EXPECT_EQ(eval("7 DIV 0"), "bigint:null");
  EXPECT_EQ(eval("NULL DIV NULL"), "bigint:null");  // DIV's default type for NULLs is bigint, not double
  EXPECT_EQ(eval("NULL DIV 2"), "bigint:null");
  EXPECT_EQ(eval("7 % 3"), "int:1");
  EXPECT_EQ(eval("-7 % 3"), "int:-1");  // the sign of the dividend, as Java's %
  EXPECT_EQ(eval("7 % -3"), "int:1");
  EXPECT_EQ(eval("-2147483648 % -1"), "int:0");
  EXPECT_EQ(eval("7 % 0"), "int:null");
  EXPECT_EQ(eval("7.5 % 2"), "double:1.5");
  EXPECT_EQ(eval("-7.5 % 2"), "double:-1.5");
  EXPECT_EQ(eval("7.5 % 0"), "double:null");
  EXPECT_EQ(eval("status % 7L"), "bigint:4");
}

// --- comparisons and logic --------------------------------------------------------------------------

TEST(Evaluate, ComparisonsPromoteAndCompareStringsByBytes) {
  EXPECT_EQ(eval("1 = 1.0"), "boolean:true");
  EXPECT_EQ(eval("status = '200'"), "boolean:true");    // the string is cast to int
  EXPECT_EQ(eval("status = '200.7'"), "boolean:true");  // ... and Spark's int cast drops a fraction
  EXPECT_EQ(eval("status = 'abc'"), "boolean:null");
  EXPECT_EQ(eval("status <> 404"), "boolean:true");
  EXPECT_EQ(eval("status != 200"), "boolean:false");
  EXPECT_EQ(eval("status >= 200L"), "boolean:true");
  EXPECT_EQ(eval("status < 200.5"), "boolean:true");
  EXPECT_EQ(eval("'abc' < 'abd'"), "boolean:true");
  EXPECT_EQ(eval("'Z' < 'a'"), "boolean:true");
  EXPECT_EQ(eval("'é' > 'z'"), "boolean:true");  // UTF-8 bytes, unsigned
  EXPECT_EQ(eval("'ab' < 'abc'"), "boolean:true");
  EXPECT_EQ(eval("content_size = 1"), "boolean:null");
  EXPECT_EQ(eval("NULL = NULL"), "boolean:null");
  EXPECT_EQ(eval("NULL <=> NULL"), "boolean:true");
  EXPECT_EQ(eval("content_size <=> NULL"), "boolean:true");
  EXPECT_EQ(eval("status <=> NULL"), "boolean:false");
  EXPECT_EQ(eval("CAST('NaN' AS DOUBLE) = CAST('NaN' AS DOUBLE)"), "boolean:true");  // Spark: NaN = NaN
  EXPECT_EQ(eval("CAST('NaN' AS DOUBLE) > 1e308"), "boolean:true");
  EXPECT_EQ(eval("-0.0 = 0.0"), "boolean:true");
  EXPECT_EQ(eval("true = 1"), "boolean:true");  // BooleanEquality
  EXPECT_EQ(eval("false <=> 0"), "boolean:true");
  EXPECT_EQ(eval("true > false"), "boolean:true");
  EXPECT_EQ(eval("timestamp = '2015-11-29 03:50:00'"), "boolean:true");  // the string is cast to timestamp
  EXPECT_EQ(eval("timestamp < '2015-11-29 03:50:01'"), "boolean:true");
}

TEST(Evaluate, ThreeValuedLogic) {
  EXPECT_EQ(eval("NULL AND false"), "boolean:false");
  EXPECT_EQ(eval("false AND NULL"), "boolean:false");
  EXPECT_EQ(eval("NULL AND true"), "boolean:null");
  EXPECT_EQ(eval("true AND true"), "boolean:true");
  EXPECT_EQ(eval("NULL OR true"), "boolean:true");
  EXPECT_EQ(eval("true OR NULL"), "boolean:true");
  EXPECT_EQ(eval("NULL OR false"), "boolean:null");
  EXPECT_EQ(eval("false OR false"), "boolean:false");
  EXPECT_EQ(eval("NOT NULL"), "boolean:null");
  EXPECT_EQ(eval("NOT (status = 200)"), "boolean:false");
  EXPECT_EQ(eval("content_size > 0 OR status = 200"), "boolean:true");
  EXPECT_EQ(eval("content_size > 0 AND status = 200"), "boolean:null");
}

TEST(Evaluate, IsNullInAndBetween) {
  EXPECT_EQ(eval("NULL IS NULL"), "boolean:true");
  EXPECT_EQ(eval("content_size IS NULL"), "boolean:true");
  EXPECT_EQ(eval("content_size IS NOT NULL"), "boolean:false");
  EXPECT_EQ(eval("host IS NOT NULL"), "boolean:true");
  EXPECT_EQ(eval("status IN (200, 404)"), "boolean:true");
  EXPECT_EQ(eval("status IN (500, 404)"), "boolean:false");
  EXPECT_EQ(eval("status IN (500, NULL)"), "boolean:null");  // no match, but a null item
  EXPECT_EQ(eval("status IN (200, NULL)"), "boolean:true");
  EXPECT_EQ(eval("NULL IN (1, 2)"), "boolean:null");
  EXPECT_EQ(eval("status IN ('200', '404')"), "boolean:true");  // compared as strings (findWiderCommonType)
  EXPECT_EQ(eval("status IN (200.0, 1)"), "boolean:true");
  EXPECT_EQ(eval("5 NOT IN (1, 2)"), "boolean:true");
  EXPECT_EQ(eval("5 NOT IN (1, NULL)"), "boolean:null");
  EXPECT_EQ(eval("status BETWEEN 200 AND 299"), "boolean:true");
  EXPECT_EQ(eval("status BETWEEN 201 AND 299"), "boolean:false");
  EXPECT_EQ(eval("status NOT BETWEEN 200 AND 299"), "boolean:false");
  EXPECT_EQ(eval("status BETWEEN NULL AND 100"), "boolean:false");  // NULL AND false
  EXPECT_EQ(eval("status BETWEEN 100 AND NULL"), "boolean:null");
  EXPECT_EQ(eval("'b' BETWEEN 'a' AND 'c'"), "boolean:true");
}

TEST(Evaluate, LikeWithSparksEscapes) {
  EXPECT_EQ(eval("'abc' LIKE 'a%'"), "boolean:true");
  EXPECT_EQ(eval("'abc' LIKE 'a_c'"), "boolean:true");
  EXPECT_EQ(eval("'abc' LIKE '_'"), "boolean:false");
  EXPECT_EQ(eval("'abc' LIKE 'abc'"), "boolean:true");
  EXPECT_EQ(eval("'abc' LIKE 'ab'"), "boolean:false");
  EXPECT_EQ(eval("'abc' LIKE 'ABC'"), "boolean:false");  // case-sensitive
  EXPECT_EQ(eval("'' LIKE '%'"), "boolean:true");
  EXPECT_EQ(eval("'' LIKE ''"), "boolean:true");
  EXPECT_EQ(eval("'abc' LIKE ''"), "boolean:false");
  EXPECT_EQ(eval("'aaa' LIKE '%a%a%a%'"), "boolean:true");
  EXPECT_EQ(eval("'aa' LIKE '%a%a%a%'"), "boolean:false");
  EXPECT_EQ(eval("'mississippi' LIKE '%iss%ppi'"), "boolean:true");
  EXPECT_EQ(eval("'mississippi' LIKE 'm%iss%s_ppi'"), "boolean:true");
  EXPECT_EQ(eval("'mississippi' LIKE '%iss'"), "boolean:false");
  EXPECT_EQ(eval("'abcabc' LIKE '%bc'"), "boolean:true");  // the last run anchored at the end
  EXPECT_EQ(eval("'é' LIKE '_'"), "boolean:true");         // _ is one character, not one byte
  EXPECT_EQ(eval("'aé' LIKE 'a_'"), "boolean:true");
  EXPECT_EQ(eval("'a\nb' LIKE 'a_b'"), "boolean:true");      // _ takes a newline too ((?s) in Spark)
  EXPECT_EQ(eval(R"('a%c' LIKE 'a\\%c')"), "boolean:true");  // the SQL literal 'a\\%c' is the pattern a\%c
  EXPECT_EQ(eval(R"('axc' LIKE 'a\\%c')"), "boolean:false");
  EXPECT_EQ(eval(R"('a_c' LIKE r'a\_c')"), "boolean:true");
  EXPECT_EQ(eval(R"(r'a\c' LIKE r'a\\c')"), "boolean:true");
  EXPECT_EQ(eval("status LIKE '2%'"), "boolean:true");  // the int is cast to a string
  EXPECT_EQ(eval("endpoint NOT LIKE '%.css'"), "boolean:true");
  EXPECT_EQ(eval("content_size LIKE '1%'"), "boolean:null");
  EXPECT_EQ(eval("host LIKE NULL"), "boolean:null");
}

TEST(Evaluate, RlikeAndRegexpExtractThroughTheMatcher) {
  EXPECT_EQ(eval("endpoint RLIKE '^/index'"), "boolean:true");
  EXPECT_EQ(eval("endpoint REGEXP 'html$'"), "boolean:true");
  EXPECT_EQ(eval("endpoint RLIKE 'css'"), "boolean:false");
  EXPECT_EQ(eval("endpoint RLIKE 'dex'"), "boolean:true");  // find(): anywhere, not a whole match
  EXPECT_EQ(eval("endpoint NOT RLIKE 'dex'"), "boolean:false");
  EXPECT_EQ(eval("content_size RLIKE '1'"), "boolean:null");
  EXPECT_EQ(eval(R"(regexp_extract('100-200', r'(\d+)-(\d+)', 1))"), "string:100");
  EXPECT_EQ(eval(R"(regexp_extract('100-200', r'(\d+)-(\d+)', 2))"), "string:200");
  EXPECT_EQ(eval(R"(regexp_extract('100-200', r'(\d+)-(\d+)'))"), "string:100");  // group 1 by default
  EXPECT_EQ(eval(R"(regexp_extract('100-200', r'(\d+)-(\d+)', 0))"), "string:100-200");
  EXPECT_EQ(eval(R"(regexp_extract('abc', r'(\d+)', 1))"), "string:");  // no match: ""
  EXPECT_EQ(eval(R"(regexp_extract(ident, r'(\d+)', 1))"), "string:null");
  EXPECT_EQ(eval(R"(regexp_extract(status, r'(\d)', 1))"), "string:2");
}

TEST(Evaluate, CaseAndCoalesce) {
  EXPECT_EQ(eval("CASE WHEN status = 200 THEN 'ok' ELSE 'bad' END"), "string:ok");
  EXPECT_EQ(eval("CASE WHEN status = 404 THEN 'missing' END"), "string:null");
  EXPECT_EQ(eval("CASE status WHEN 404 THEN 1 WHEN 200 THEN 2 END"), "int:2");
  EXPECT_EQ(eval("CASE status WHEN 404 THEN 1 WHEN 500 THEN 2 END"), "int:null");
  EXPECT_EQ(eval("CASE WHEN NULL THEN 1 ELSE 2 END"), "int:2");  // a null condition is false
  EXPECT_EQ(eval("CASE WHEN content_size > 0 THEN 1 ELSE 2 END"), "int:2");
  EXPECT_EQ(eval("CASE WHEN true THEN 1 ELSE 2.5 END"), "double:1.0");  // the wider type
  EXPECT_EQ(eval("CASE WHEN true THEN 1 ELSE 'a' END"), "string:1");    // string promotion
  EXPECT_EQ(eval("CASE WHEN true THEN NULL ELSE 5L END"), "bigint:null");
  EXPECT_EQ(eval("CASE content_size WHEN NULL THEN 1 ELSE 0 END"), "int:0");  // null = null is not true
  EXPECT_EQ(eval("coalesce(NULL, 2, 3)"), "int:2");
  EXPECT_EQ(eval("coalesce(content_size, 0)"), "bigint:0");
  EXPECT_EQ(eval("coalesce(ident, user, host)"), "string:10.0.0.1");
  EXPECT_EQ(eval("coalesce(ident, 1)"), "string:1");
  EXPECT_EQ(eval("coalesce(NULL, NULL)"), "void:null");
}

// --- casts ------------------------------------------------------------------------------------------

TEST(Evaluate, CastStringToNumbers) {
  EXPECT_EQ(eval("CAST(' 42 ' AS INT)"), "int:42");
  EXPECT_EQ(eval("CAST('+42' AS INT)"), "int:42");
  EXPECT_EQ(eval("CAST('4.7' AS INT)"), "int:4");  // UTF8String.toInt drops a fraction
  EXPECT_EQ(eval("CAST('-4.7' AS INT)"), "int:-4");
  EXPECT_EQ(eval("CAST('4.x' AS INT)"), "int:null");
  EXPECT_EQ(eval("CAST('1e3' AS INT)"), "int:null");
  EXPECT_EQ(eval("CAST('2147483647' AS INT)"), "int:2147483647");
  EXPECT_EQ(eval("CAST('-2147483648' AS INT)"), "int:-2147483648");
  EXPECT_EQ(eval("CAST('2147483648' AS INT)"), "int:null");  // overflow: null, not wrapped
  EXPECT_EQ(eval("CAST('2147483648' AS BIGINT)"), "bigint:2147483648");
  EXPECT_EQ(eval("CAST('9223372036854775808' AS BIGINT)"), "bigint:null");
  EXPECT_EQ(eval("CAST('-9223372036854775808' AS BIGINT)"), "bigint:-9223372036854775808");
  EXPECT_EQ(eval("CAST('' AS INT)"), "int:null");
  EXPECT_EQ(eval("CAST('-' AS INT)"), "int:null");
  EXPECT_EQ(eval("CAST('\t7\n' AS INT)"), "int:7");
  EXPECT_EQ(eval("CAST('1 2' AS INT)"), "int:null");
  EXPECT_EQ(eval("CAST('1.5' AS DOUBLE)"), "double:1.5");
  EXPECT_EQ(eval("CAST(' 1e3 ' AS DOUBLE)"), "double:1000.0");
  EXPECT_EQ(eval("CAST('.5' AS DOUBLE)"), "double:0.5");
  EXPECT_EQ(eval("CAST('5.' AS DOUBLE)"), "double:5.0");
  EXPECT_EQ(eval("CAST('1.5d' AS DOUBLE)"), "double:1.5");
  EXPECT_EQ(eval("CAST('-2F' AS DOUBLE)"), "double:-2.0");
  EXPECT_EQ(eval("CAST('1e400' AS DOUBLE)"), "double:Infinity");  // Java's parseDouble overflows to infinity
  EXPECT_EQ(eval("CAST('-1e-400' AS DOUBLE)"), "double:-0.0");
  EXPECT_EQ(eval("CAST('Infinity' AS DOUBLE)"), "double:Infinity");
  EXPECT_EQ(eval("CAST('-inf' AS DOUBLE)"), "double:-Infinity");
  EXPECT_EQ(eval("CAST(' NaN' AS DOUBLE)"), "double:NaN");
  EXPECT_EQ(eval("CAST('nan' AS DOUBLE)"), "double:NaN");
  EXPECT_EQ(eval("CAST('abc' AS DOUBLE)"), "double:null");
  EXPECT_EQ(eval("CAST('.' AS DOUBLE)"), "double:null");
  EXPECT_EQ(eval("CAST('1e' AS DOUBLE)"), "double:null");
  EXPECT_EQ(eval("CAST('0x10' AS DOUBLE)"), "double:null");  // hexadecimal floats: not supported here
}

TEST(Evaluate, CastBetweenNumbersBooleansAndStrings) {
  EXPECT_EQ(eval("CAST(3.9 AS INT)"), "int:3");
  EXPECT_EQ(eval("CAST(-3.9 AS BIGINT)"), "bigint:-3");
  EXPECT_EQ(eval("CAST(1e20 AS INT)"), "int:2147483647");  // Java's (int) saturates
  EXPECT_EQ(eval("CAST(CAST('NaN' AS DOUBLE) AS INT)"), "int:0");
  EXPECT_EQ(eval("CAST(3000000000L AS INT)"), "int:-1294967296");  // bigint to int wraps
  EXPECT_EQ(eval("CAST(status AS DOUBLE)"), "double:200.0");
  EXPECT_EQ(eval("CAST('yes' AS BOOLEAN)"), "boolean:true");
  EXPECT_EQ(eval("CAST(' F ' AS BOOLEAN)"), "boolean:false");
  EXPECT_EQ(eval("CAST('1' AS BOOLEAN)"), "boolean:true");
  EXPECT_EQ(eval("CAST('maybe' AS BOOLEAN)"), "boolean:null");
  EXPECT_EQ(eval("CAST(0 AS BOOLEAN)"), "boolean:false");
  EXPECT_EQ(eval("CAST(2 AS BOOLEAN)"), "boolean:true");
  EXPECT_EQ(eval("CAST(0.0 AS BOOLEAN)"), "boolean:false");
  EXPECT_EQ(eval("CAST(true AS INT)"), "int:1");
  EXPECT_EQ(eval("CAST(false AS DOUBLE)"), "double:0.0");
  EXPECT_EQ(eval("CAST(42 AS STRING)"), "string:42");
  EXPECT_EQ(eval("CAST(-7L AS STRING)"), "string:-7");
  EXPECT_EQ(eval("CAST(true AS STRING)"), "string:true");
  EXPECT_EQ(eval("CAST(1.5 AS STRING)"), "string:1.5");
  EXPECT_EQ(eval("CAST(1e7 AS STRING)"), "string:1.0E7");  // Java's Double.toString
  EXPECT_EQ(eval("CAST(100 / 4 AS STRING)"), "string:25.0");
  EXPECT_EQ(eval("CAST(NULL AS INT)"), "int:null");
  EXPECT_EQ(eval("CAST(content_size AS STRING)"), "string:null");
}

TEST(Evaluate, CastStringsToTimestamps) {
  EXPECT_EQ(eval("CAST('2015-11-29 03:50:00' AS TIMESTAMP)"), "timestamp:2015-11-29 03:50:00");
  EXPECT_EQ(eval("CAST(' 2015-11-29T03:50:00.5 ' AS TIMESTAMP)"), "timestamp:2015-11-29 03:50:00.5");
  EXPECT_EQ(eval("CAST('2015-11-29 03:50:00.1234567' AS TIMESTAMP)"), "timestamp:2015-11-29 03:50:00.123456");
  EXPECT_EQ(eval("CAST('2015-11-29T03:50:00Z' AS TIMESTAMP)"), "timestamp:2015-11-29 03:50:00");
  EXPECT_EQ(eval("CAST('2015-11-29 03:50:00+01:00' AS TIMESTAMP)"), "timestamp:2015-11-29 02:50:00");
  EXPECT_EQ(eval("CAST('2015-11-29 03:50:00-0530' AS TIMESTAMP)"), "timestamp:2015-11-29 09:20:00");
  EXPECT_EQ(eval("CAST('2015-11-29 03:50:00 UTC' AS TIMESTAMP)"), "timestamp:2015-11-29 03:50:00");
  EXPECT_EQ(eval("CAST('2015-11-29 03:50:00 GMT+2' AS TIMESTAMP)"), "timestamp:2015-11-29 01:50:00");
  EXPECT_EQ(eval("CAST('2015-11-29 3:5:0' AS TIMESTAMP)"), "timestamp:2015-11-29 03:05:00");
  EXPECT_EQ(eval("CAST('2015-11-29 03' AS TIMESTAMP)"), "timestamp:2015-11-29 03:00:00");
  EXPECT_EQ(eval("CAST('2015-11-29' AS TIMESTAMP)"), "timestamp:2015-11-29 00:00:00");
  EXPECT_EQ(eval("CAST('2015-1-2' AS TIMESTAMP)"), "timestamp:2015-01-02 00:00:00");
  EXPECT_EQ(eval("CAST('2015-11' AS TIMESTAMP)"), "timestamp:2015-11-01 00:00:00");
  EXPECT_EQ(eval("CAST('2015' AS TIMESTAMP)"), "timestamp:2015-01-01 00:00:00");
  EXPECT_EQ(eval("CAST('2016-02-29' AS TIMESTAMP)"), "timestamp:2016-02-29 00:00:00");
  EXPECT_EQ(eval("CAST('2015-02-29' AS TIMESTAMP)"), "timestamp:null");
  EXPECT_EQ(eval("CAST('15-11-29' AS TIMESTAMP)"), "timestamp:null");  // the year needs 4 to 6 digits
  EXPECT_EQ(eval("CAST('2015-11-29 24:00:00' AS TIMESTAMP)"), "timestamp:null");
  EXPECT_EQ(eval("CAST('2015-11-29 03:50:60' AS TIMESTAMP)"), "timestamp:null");
  EXPECT_EQ(eval("CAST('2015-11-29T' AS TIMESTAMP)"), "timestamp:null");
  EXPECT_EQ(eval("CAST('2015/11/29' AS TIMESTAMP)"), "timestamp:null");
  EXPECT_EQ(eval("CAST('29/Nov/2015:03:50:00 +0000' AS TIMESTAMP)"), "timestamp:null");  // the CLF form
  EXPECT_EQ(eval("CAST('' AS TIMESTAMP)"), "timestamp:null");
  EXPECT_EQ(eval("CAST('+10000-01-01' AS TIMESTAMP)"), "timestamp:+10000-01-01 00:00:00");
  EXPECT_EQ(eval("CAST('-0044-03-15 12:00:00' AS TIMESTAMP)"), "timestamp:-0044-03-15 12:00:00");
  EXPECT_EQ(eval("CAST('999999-01-01' AS TIMESTAMP)"), "timestamp:null");   // beyond a long of microseconds
  EXPECT_EQ(eval("CAST('1234567-01-01' AS TIMESTAMP)"), "timestamp:null");  // a 7-digit year
  // Documented limits of the reference: Spark would take today's date, or read the zone file.
  EXPECT_EQ(eval("CAST('03:50:00' AS TIMESTAMP)"), "timestamp:null");
  EXPECT_EQ(eval("CAST('2015-11-29 03:50:00 Europe/Paris' AS TIMESTAMP)"), "timestamp:null");
  // Numbers are seconds since the epoch, and back.
  EXPECT_EQ(eval("CAST(1448769000 AS TIMESTAMP)"), "timestamp:2015-11-29 03:50:00");
  EXPECT_EQ(eval("CAST(1.5 AS TIMESTAMP)"), "timestamp:1970-01-01 00:00:01.5");
  EXPECT_EQ(eval("CAST(timestamp AS BIGINT)"), "bigint:1448769000");
  EXPECT_EQ(eval("CAST(timestamp AS DOUBLE)"), "double:1.448769E9");
  EXPECT_EQ(eval("CAST(CAST('1969-12-31 23:59:59.5' AS TIMESTAMP) AS BIGINT)"), "bigint:-1");  // floor
  EXPECT_EQ(eval("CAST(timestamp AS STRING)"), "string:2015-11-29 03:50:00");
  EXPECT_EQ(eval("CAST(true AS TIMESTAMP)"), "timestamp:1970-01-01 00:00:00.000001");
}

TEST(Evaluate, LocalTimesResolveLikeJavaTime) {
  const TimeZone la = zone("America/Los_Angeles");
  EXPECT_EQ(eval("CAST(CAST('2015-11-29 03:50:00' AS TIMESTAMP) AS BIGINT)", la),
            "bigint:1448797800");  // 11:50 UTC
  // 2015-03-08 02:30 does not exist in Los Angeles: java.time moves it forward by the gap, to 03:30 PDT.
  EXPECT_EQ(eval("CAST(CAST('2015-03-08 02:30:00' AS TIMESTAMP) AS BIGINT)", la), "bigint:1425810600");
  // 2015-11-01 01:30 happens twice: the earlier offset (PDT, -7) wins.
  EXPECT_EQ(eval("CAST(CAST('2015-11-01 01:30:00' AS TIMESTAMP) AS BIGINT)", la), "bigint:1446366600");
  EXPECT_EQ(eval("CAST(timestamp AS STRING)", la), "string:2015-11-28 19:50:00");
}

// --- functions ----------------------------------------------------------------------------------------

TEST(Evaluate, StringFunctions) {
  EXPECT_EQ(eval("lower('AbC')"), "string:abc");
  EXPECT_EQ(eval("lcase('AbC')"), "string:abc");
  EXPECT_EQ(eval("upper(method || 'x')"), "string:GETX");
  EXPECT_EQ(eval("upper('straße')"), "string:STRAßE");  // ASCII letters only (evaluate.h)
  EXPECT_EQ(eval("lower(200)"), "string:200");
  EXPECT_EQ(eval("lower(ident)"), "string:null");
  EXPECT_EQ(eval("length('héllo')"), "int:5");  // characters, not bytes
  EXPECT_EQ(eval("length('')"), "int:0");
  EXPECT_EQ(eval("char_length(status)"), "int:3");
  EXPECT_EQ(eval("length(ident)"), "int:null");
  std::vector<Value> row = sample_row();
  row[11] = Value::string(
      "\xC3"
      "A\x80");  // a lead byte takes the next byte along; a stray continuation counts one
  EXPECT_EQ(eval("length(value)", TimeZone(), row), "int:2");
  EXPECT_EQ(eval("concat('a', 'b', 'c')"), "string:abc");
  EXPECT_EQ(eval("concat('a', ident)"), "string:null");
  EXPECT_EQ(eval("'a' || status"), "string:a200");
  EXPECT_EQ(eval("concat(1.5, '/', true)"), "string:1.5/true");
  EXPECT_EQ(eval("concat()"), "string:");
}

TEST(Evaluate, SubstringFollowsSparksPositions) {
  // The examples of Spark's documentation of substring.
  EXPECT_EQ(eval("substring('Spark SQL', 5)"), "string:k SQL");
  EXPECT_EQ(eval("substring('Spark SQL', -3)"), "string:SQL");
  EXPECT_EQ(eval("substring('Spark SQL', 5, 1)"), "string:k");
  EXPECT_EQ(eval("substr('Spark SQL', 1, 5)"), "string:Spark");
  EXPECT_EQ(eval("substring('Spark SQL' FROM 7)"), "string:SQL");
  EXPECT_EQ(eval("substring('Spark SQL' FROM 1 FOR 2)"), "string:Sp");
  // Worked out from UTF8String.substringSQL.
  EXPECT_EQ(eval("substring('Spark SQL', 0, 2)"), "string:Sp");  // 0 is the first character
  EXPECT_EQ(eval("substring('Spark SQL', -3, 2)"), "string:SQ");
  EXPECT_EQ(eval("substring('abc', -5, 3)"), "string:a");  // starts 2 before the string: 1 character left
  EXPECT_EQ(eval("substring('abc', 2, -1)"), "string:");
  EXPECT_EQ(eval("substring('abc', 4)"), "string:");
  EXPECT_EQ(eval("substring('abc', 2, 2147483647)"), "string:bc");
  EXPECT_EQ(eval("substring('héllo', 2, 2)"), "string:él");
  EXPECT_EQ(eval("substring(status, 1, 1)"), "string:2");
  EXPECT_EQ(eval("substring('abc', '2')"), "string:bc");  // the position cast from a string
  EXPECT_EQ(eval("substring('abc', 2L, 1)"), "string:b");
  EXPECT_EQ(eval("substring(ident, 1)"), "string:null");
  EXPECT_EQ(eval("substring('abc', NULL)"), "string:null");
  EXPECT_EQ(eval("substring('abc', 1, NULL)"), "string:null");
}

TEST(Evaluate, SubstringIndex) {
  EXPECT_EQ(eval("substring_index('www.apache.org', '.', 2)"), "string:www.apache");  // Spark's docs
  EXPECT_EQ(eval("substring_index('www.apache.org', '.', -2)"), "string:apache.org");
  EXPECT_EQ(eval("substring_index('www.apache.org', '.', 1)"), "string:www");
  EXPECT_EQ(eval("substring_index('www.apache.org', '.', -1)"), "string:org");
  EXPECT_EQ(eval("substring_index('www.apache.org', '.', 5)"), "string:www.apache.org");  // too few
  EXPECT_EQ(eval("substring_index('www.apache.org', '.', -5)"), "string:www.apache.org");
  EXPECT_EQ(eval("substring_index('www.apache.org', '.', 0)"), "string:");
  EXPECT_EQ(eval("substring_index('www.apache.org', '', 1)"), "string:");
  EXPECT_EQ(eval("substring_index('.a.', '.', 1)"), "string:");
  EXPECT_EQ(eval("substring_index('.a.', '.', -1)"), "string:");
  EXPECT_EQ(eval("substring_index('aaa', 'aa', 2)"), "string:a");  // overlapping, as Spark searches
  EXPECT_EQ(eval("substring_index('aaa', 'aa', -2)"), "string:a");
  EXPECT_EQ(eval("substring_index('a', 'abc', -1)"), "string:a");
  EXPECT_EQ(eval("substring_index(endpoint, '/', -1)"), "string:index.html");
  EXPECT_EQ(eval("substring_index(ident, '/', 1)"), "string:null");
}

// Java's String.split as Spark's split(str, regex, limit) gives it, element by element.
TEST(Evaluate, SplitPartFollowsJavasStringSplit) {
  EXPECT_EQ(eval("split('/a/b', '/')[0]"), "string:");  // a leading empty string is kept
  EXPECT_EQ(eval("split('/a/b', '/')[1]"), "string:a");
  EXPECT_EQ(eval("split('/a/b', '/')[2]"), "string:b");
  EXPECT_EQ(eval("split('/a/b', '/')[3]"), "string:null");  // out of range: null (ANSI off)
  EXPECT_EQ(eval("split('/a/b', '/')[-1]"), "string:null");
  EXPECT_EQ(eval("split('a/b/', '/')[2]"), "string:");  // trailing empty strings kept (limit -1)
  EXPECT_EQ(eval("split('a.b.c', '\\\\.')[1]"), "string:b");
  EXPECT_EQ(eval("split('a, b, c', ', ')[2]"), "string:c");
  EXPECT_EQ(eval("split('a/b/c', '/', 2)[1]"), "string:b/c");  // the last element holds the rest
  EXPECT_EQ(eval("split('a/b/c', '/', 2)[2]"), "string:null");
  EXPECT_EQ(eval("split('a/b/c', '/', 0)[2]"), "string:c");
  EXPECT_EQ(eval("split('', '/')[0]"), "string:");
  EXPECT_EQ(eval("split('abc', '/')[0]"), "string:abc");
  EXPECT_EQ(eval("split(CAST(NULL AS STRING), '/')[0]"), "string:null");
  EXPECT_EQ(eval("split('a/b', '/')[CAST(NULL AS INT)]"), "string:null");
}

TEST(Evaluate, TimeFunctionsInTheSessionZone) {
  EXPECT_EQ(eval("hour(timestamp)"), "int:3");
  EXPECT_EQ(eval("hour(timestamp)", zone("America/Los_Angeles")), "int:19");
  EXPECT_EQ(eval("hour(timestamp)", zone("Asia/Kolkata")), "int:9");
  EXPECT_EQ(eval("hour('2015-11-29 17:05:00')"), "int:17");
  EXPECT_EQ(eval("hour('not a time')"), "int:null");
  EXPECT_EQ(eval("hour(CAST(-1 AS TIMESTAMP))"), "int:23");
  EXPECT_EQ(eval("date_trunc('HOUR', timestamp)"), "timestamp:2015-11-29 03:00:00");
  EXPECT_EQ(eval("date_trunc('hour', timestamp)"), "timestamp:2015-11-29 03:00:00");
  EXPECT_EQ(eval("date_trunc('MINUTE', '2015-11-29 03:50:42.25')"), "timestamp:2015-11-29 03:50:00");
  EXPECT_EQ(eval("date_trunc('SECOND', '2015-11-29 03:50:42.25')"), "timestamp:2015-11-29 03:50:42");
  EXPECT_EQ(eval("date_trunc('MILLISECOND', '2015-11-29 03:50:42.2567')"),
            "timestamp:2015-11-29 03:50:42.256");
  EXPECT_EQ(eval("date_trunc('MICROSECOND', '2015-11-29 03:50:42.2567')"),
            "timestamp:2015-11-29 03:50:42.2567");
  EXPECT_EQ(eval("date_trunc('DAY', timestamp)"), "timestamp:2015-11-29 00:00:00");
  EXPECT_EQ(eval("date_trunc('DD', timestamp)"), "timestamp:2015-11-29 00:00:00");
  EXPECT_EQ(eval("date_trunc('WEEK', timestamp)"), "timestamp:2015-11-23 00:00:00");  // a Monday
  EXPECT_EQ(eval("date_trunc('MONTH', timestamp)"), "timestamp:2015-11-01 00:00:00");
  EXPECT_EQ(eval("date_trunc('MM', timestamp)"), "timestamp:2015-11-01 00:00:00");
  EXPECT_EQ(eval("date_trunc('QUARTER', timestamp)"), "timestamp:2015-10-01 00:00:00");
  EXPECT_EQ(eval("date_trunc('YEAR', timestamp)"), "timestamp:2015-01-01 00:00:00");
  EXPECT_EQ(eval("date_trunc('yy', timestamp)"), "timestamp:2015-01-01 00:00:00");
  EXPECT_EQ(eval("date_trunc('fortnight', timestamp)"), "timestamp:null");
  EXPECT_EQ(eval("date_trunc(ident, timestamp)"), "timestamp:null");
  EXPECT_EQ(eval("date_trunc('HOUR', CAST(-1 AS TIMESTAMP))"), "timestamp:1969-12-31 23:00:00");
  // At the smallest timestamp Java's long arithmetic wraps around (and ours must not overflow on the way).
  EXPECT_EQ(eval("CAST(date_trunc('SECOND', CAST(-9223372036854775808L AS TIMESTAMP)) AS BIGINT)"),
            "bigint:9223372036854");
  EXPECT_EQ(eval("CAST(date_trunc('MILLISECOND', CAST(-9223372036854775808L AS TIMESTAMP)) AS BIGINT)"),
            "bigint:9223372036854");
  EXPECT_EQ(eval("date_trunc('DAY', CAST(-9223372036854775808L AS TIMESTAMP))"), "timestamp:null");
  EXPECT_EQ(eval("date_trunc('YEAR', CAST('+10000-06-01' AS TIMESTAMP))"), "timestamp:+10000-01-01 00:00:00");
  EXPECT_EQ(eval("to_date(CAST('+10000-06-01' AS TIMESTAMP))"), "string:+10000-06-01");
  // In Kolkata (+05:30) 03:50 UTC is 09:20, whose hour began at 03:30 UTC; its day at 18:30 UTC before.
  EXPECT_EQ(eval("date_trunc('HOUR', timestamp)", zone("Asia/Kolkata")), "timestamp:2015-11-29 03:30:00");
  EXPECT_EQ(eval("date_trunc('DAY', timestamp)", zone("Asia/Kolkata")), "timestamp:2015-11-28 18:30:00");
  // Los Angeles on the day clocks went forward: midnight was still PST (-8).
  EXPECT_EQ(eval("date_trunc('DAY', CAST('2015-03-08 20:00:00' AS TIMESTAMP))", zone("America/Los_Angeles")),
            "timestamp:2015-03-08 08:00:00");
  EXPECT_EQ(eval("to_date(timestamp)"), "string:2015-11-29");
  EXPECT_EQ(eval("to_date(timestamp)", zone("America/Los_Angeles")), "string:2015-11-28");
  EXPECT_EQ(eval("to_date('2015-11-29 23:59:59')", zone("America/Los_Angeles")),
            "string:2015-11-29");  // as written
  EXPECT_EQ(eval("to_date('2015-1-2')"), "string:2015-01-02");
  EXPECT_EQ(eval("to_date('2015-01-02T10:00')"), "string:2015-01-02");
  EXPECT_EQ(eval("to_date('2015-13-02')"), "string:null");
  EXPECT_EQ(eval("to_date('nonsense')"), "string:null");
  EXPECT_EQ(eval("to_date(CAST(-1 AS TIMESTAMP))"), "string:1969-12-31");
  EXPECT_EQ(eval("hour(to_date(timestamp))"), "int:0");  // read back as midnight
}

TEST(Evaluate, CastValueDirectly) {
  EvalContext context;
  EXPECT_EQ(shown(cast_value(Value::string("12"), DataType::kBigint, context)), "bigint:12");
  EXPECT_EQ(shown(cast_value(Value::null_of(DataType::kString), DataType::kInt, context)), "int:null");
  EXPECT_EQ(shown(cast_value(Value::int32(5), DataType::kInt, context)), "int:5");
}

// --- whole queries --------------------------------------------------------------------------------------

const Schema& small_schema() {
  static const Schema schema = {{"host", DataType::kString},
                                {"method", DataType::kString},
                                {"status", DataType::kInt},
                                {"content_size", DataType::kBigint}};
  return schema;
}

std::vector<Value> row(const char* host, const char* method, int32_t status, std::optional<int64_t> size) {
  return {host ? Value::string(host) : Value::null_of(DataType::kString), Value::string(method),
          Value::int32(status), size ? Value::bigint(*size) : Value::null_of(DataType::kBigint)};
}

const std::vector<std::vector<Value>>& small_table() {
  static const std::vector<std::vector<Value>> rows = {
      row("a", "GET", 200, 100),   row("a", "GET", 200, 300),          row("a", "POST", 404, std::nullopt),
      row("b", "GET", 200, 50),    row("b", "GET", 500, std::nullopt), row(nullptr, "GET", 200, 10),
      row("c", "POST", 500, 1000), row("a", "POST", 404, 20),          row("d", "PUT", 500, std::nullopt),
  };
  return rows;
}

std::string table_text(const std::vector<std::vector<Value>>& rows) {
  std::string out;
  for (const auto& r : rows) {
    for (size_t i = 0; i < r.size(); ++i) {
      out += i ? "|" : "";
      out += r[i].null ? "null" : format_value(r[i], TimeZone());
    }
    out += "\n";
  }
  return out;
}

std::string query(const std::string& sql, const std::vector<std::vector<Value>>& rows = small_table()) {
  auto plan = plan_of(sql, small_schema());
  if (!plan) return "error: " + plan.error();
  return table_text(run(plan.value(), rows));
}

TEST(RunPlanNaively, GroupByTwoKeysOrderedByAnAggregateDescendingNullsLast) {
  // Groups by hand: (null,GET) 1 row 10 | (a,GET) 2 400 | (a,POST) 2 20 | (b,GET) 2 50 | (c,POST) 1 1000 |
  // (d,PUT) 1 null.
  const std::string sql =
      "SELECT host, method, count(*) AS hits, sum(content_size) AS bytes FROM logs GROUP BY host, method "
      "ORDER BY bytes DESC NULLS LAST, host";
  EXPECT_EQ(query(sql),
            "c|POST|1|1000\n"
            "a|GET|2|400\n"
            "b|GET|2|50\n"
            "a|POST|2|20\n"
            "null|GET|1|10\n"
            "d|PUT|1|null\n");
  EXPECT_EQ(query(sql + " LIMIT 3"),
            "c|POST|1|1000\n"
            "a|GET|2|400\n"
            "b|GET|2|50\n");
  EXPECT_EQ(query("SELECT host, method, sum(content_size) AS bytes FROM logs GROUP BY host, method "
                  "ORDER BY bytes DESC LIMIT 2"),  // DESC puts nulls last by default
            "c|POST|1000\n"
            "a|GET|400\n");
  EXPECT_EQ(query("SELECT host, method, sum(content_size) AS bytes FROM logs GROUP BY host, method "
                  "ORDER BY bytes DESC NULLS FIRST LIMIT 2"),
            "d|PUT|null\n"
            "c|POST|1000\n");
}

TEST(RunPlanNaively, HavingAndKeyOrder) {
  // status 200: 4 rows, 404: 2, 500: 3.
  EXPECT_EQ(query("SELECT status, count(*) FROM logs GROUP BY status HAVING count(*) > 2"),
            "200|4\n"
            "500|3\n");
  EXPECT_EQ(query("SELECT status, count(*) AS c FROM logs GROUP BY status HAVING c = 2"), "404|2\n");
  EXPECT_EQ(query("SELECT status FROM logs GROUP BY status HAVING max(content_size) > 500"), "500\n");
  // Without ORDER BY, groups come in key order, null first.
  EXPECT_EQ(query("SELECT host, count(*) FROM logs GROUP BY host"),
            "null|1\n"
            "a|4\n"
            "b|2\n"
            "c|1\n"
            "d|1\n");
  // ORDER BY an aggregate that is not selected: a hidden column, dropped from the result.
  EXPECT_EQ(query("SELECT host FROM logs GROUP BY host ORDER BY count(*) DESC, host"),
            "a\n"
            "b\n"
            "null\n"
            "c\n"
            "d\n");
}

TEST(RunPlanNaively, AggregatesWithNulls) {
  // GET: 100 300 50 null 10 -> sum 460 over 4 values; POST: null 1000 20; PUT: null.
  EXPECT_EQ(
      query("SELECT method, count(content_size), sum(content_size), avg(content_size), min(content_size), "
            "max(host), count(DISTINCT host) FROM logs GROUP BY method ORDER BY method"),
      "GET|4|460|115.0|10|b|2\n"
      "POST|2|1020|510.0|20|c|2\n"
      "PUT|0|null|null|null|d|1\n");
}

TEST(RunPlanNaively, GlobalAggregateOverNoRowsIsOneRow) {
  const std::string sql = "SELECT count(*), sum(content_size), avg(status), min(host), count(host) FROM logs";
  EXPECT_EQ(query(sql, {}), "0|null|null|null|0\n");
  EXPECT_EQ(query(sql + " WHERE status > 999"), "0|null|null|null|0\n");
  EXPECT_EQ(query(sql), "9|1480|345.3333333333333|a|8\n");
  // Grouped over no rows: no rows at all.
  EXPECT_EQ(query("SELECT status, count(*) FROM logs GROUP BY status", {}), "");
  EXPECT_EQ(query("SELECT host FROM logs", {}), "");
  // HAVING can drop the one global row.
  EXPECT_EQ(query("SELECT count(*) FROM logs HAVING count(*) > 100"), "");
}

TEST(RunPlanNaively, RowsWithoutAggregation) {
  EXPECT_EQ(query("SELECT host, status FROM logs WHERE status >= 500"),
            "b|500\n"
            "c|500\n"
            "d|500\n");  // input order
  EXPECT_EQ(
      query(
          "SELECT host, status FROM logs WHERE content_size IS NULL ORDER BY host DESC NULLS FIRST, status"),
      "d|500\n"
      "b|500\n"
      "a|404\n");
  EXPECT_EQ(query("SELECT upper(host) AS h FROM logs WHERE method = 'POST' ORDER BY content_size"),
            "A\n"  // the null size first (ASC: NULLS FIRST), sorted by a column that is not selected
            "A\n"
            "C\n");
  EXPECT_EQ(query("SELECT DISTINCT method FROM logs ORDER BY method DESC"),
            "PUT\n"
            "POST\n"
            "GET\n");
  EXPECT_EQ(query("SELECT DISTINCT host, method FROM logs WHERE status = 200"),
            "a|GET\n"
            "b|GET\n"
            "null|GET\n");
  EXPECT_EQ(query("SELECT host FROM logs LIMIT 2"),
            "a\n"
            "a\n");
  EXPECT_EQ(query("SELECT host FROM logs LIMIT 0"), "");
  EXPECT_EQ(query("SELECT status, host FROM logs ORDER BY 1 DESC, 2 LIMIT 4"),
            "500|b\n"
            "500|c\n"
            "500|d\n"
            "404|a\n");
}

TEST(RunPlanNaively, TheShorthandCountsLikeTheSeed) {
  AnalyzerOptions options;
  auto plan = analyze_group_by_shorthand({}, small_schema(), options);
  ASSERT_TRUE(plan) << plan.error();
  EXPECT_EQ(table_text(run(plan.value(), small_table())),
            "200|4\n"
            "404|2\n"
            "500|3\n");
  ShorthandQuery filtered;
  filtered.group_by = "host, status >= 500";
  filtered.where = "method <> 'PUT'";
  plan = analyze_group_by_shorthand(filtered, small_schema(), options);
  ASSERT_TRUE(plan) << plan.error();
  EXPECT_EQ(plan.value().output[1].name, "(status >= 500)");
  EXPECT_EQ(table_text(run(plan.value(), small_table())),
            "null|false|1\n"
            "a|false|4\n"
            "b|false|1\n"
            "b|true|1\n"
            "c|true|1\n");
}

}  // namespace
}  // namespace logstream
