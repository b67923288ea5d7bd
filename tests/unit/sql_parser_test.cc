// The SQL front end's syntax layer: every construct of the grammar, Spark's precedence, the names Spark
// gives unaliased expressions, errors that point at the offending character, the limits that keep
// hostile input cheap, and to_sql() reading back as the same tree.
#include "stages/query/sql_parser.h"

#include <gtest/gtest.h>

#include <cctype>
#include <cmath>
#include <string>
#include <string_view>

namespace logstream::sql {
namespace {

SelectStatement parse(std::string_view text) {
  auto statement = parse_sql(text);
  EXPECT_TRUE(statement) << text << "\n" << (statement ? "" : statement.error());
  return statement ? std::move(statement).value() : SelectStatement{};
}

ExprPtr expr(std::string_view text) {
  auto e = parse_expression(text);
  EXPECT_TRUE(e) << text << "\n" << (e ? "" : e.error());
  return e ? std::move(e).value() : nullptr;
}

// Spark's name of an unaliased expression.
std::string name(std::string_view text) {
  ExprPtr e = expr(text);
  return e ? spark_name(*e) : "<error>";
}

// The canonical SQL, which shows how the text was grouped.
std::string grouped(std::string_view text) {
  ExprPtr e = expr(text);
  return e ? to_sql(*e) : "<error>";
}

std::string sql_error(std::string_view text) {
  auto statement = parse_sql(text);
  EXPECT_FALSE(statement) << text;
  return statement ? "<parsed>" : statement.error();
}

std::string expression_error(std::string_view text) {
  auto e = parse_expression(text);
  EXPECT_FALSE(e) << text;
  return e ? "<parsed>" : e.error();
}

// --- statements ---------------------------------------------------------------------------------------

TEST(SqlParser, EveryClause) {
  const SelectStatement s = parse(
      "SELECT DISTINCT status, count(*) AS hits, avg(content_size) mean FROM logs WHERE status >= 400 "
      "GROUP BY status, method HAVING count(*) > 10 ORDER BY hits DESC, status LIMIT 20");
  EXPECT_TRUE(s.distinct);
  ASSERT_EQ(s.items.size(), 3u);
  EXPECT_FALSE(s.items[0].alias);
  EXPECT_EQ(s.items[1].alias, "hits");
  EXPECT_EQ(s.items[2].alias, "mean");
  EXPECT_EQ(s.table, "logs");
  ASSERT_TRUE(s.where);
  EXPECT_EQ(to_sql(*s.where), "(`status` >= 400)");
  ASSERT_EQ(s.group_by.size(), 2u);
  EXPECT_EQ(to_sql(*s.group_by[1]), "`method`");
  ASSERT_TRUE(s.having);
  EXPECT_EQ(to_sql(*s.having), "(`count`(*) > 10)");
  ASSERT_EQ(s.order_by.size(), 2u);
  EXPECT_TRUE(s.order_by[0].descending);
  EXPECT_FALSE(s.order_by[0].nulls_first);  // DESC: NULLS LAST by default
  EXPECT_FALSE(s.order_by[1].descending);
  EXPECT_TRUE(s.order_by[1].nulls_first);  // ASC: NULLS FIRST by default
  EXPECT_EQ(s.limit, 20);
}

TEST(SqlParser, OptionalClausesAreAbsent) {
  const SelectStatement s = parse("select host from LOGS");
  EXPECT_FALSE(s.distinct);
  EXPECT_EQ(s.table, "LOGS");
  EXPECT_FALSE(s.where);
  EXPECT_TRUE(s.group_by.empty());
  EXPECT_FALSE(s.having);
  EXPECT_TRUE(s.order_by.empty());
  EXPECT_FALSE(s.limit);
}

TEST(SqlParser, KeywordsInAnyCaseCommentsAndSemicolons) {
  const SelectStatement s = parse(
      "-- the statuses\nSeLeCt /* all of them /* nested */ still a comment */ status\n"
      "fRoM `logs` -- trailing\nWhErE status iS nOt NuLl;;");
  ASSERT_EQ(s.items.size(), 1u);
  ASSERT_TRUE(s.where);
  EXPECT_EQ(to_sql(*s.where), "(`status` IS NOT NULL)");
  // A backslash right before the newline continues a -- comment, as in Spark's lexer.
  EXPECT_EQ(parse("SELECT a -- x \\\nFROM nothing\nFROM logs").items.size(), 1u);
}

TEST(SqlParser, NullsOrderAndLimitForms) {
  const SelectStatement s =
      parse("SELECT a FROM logs ORDER BY a ASC NULLS LAST, b DESC NULLS FIRST LIMIT ALL");
  EXPECT_FALSE(s.order_by[0].nulls_first);
  EXPECT_TRUE(s.order_by[1].nulls_first);
  EXPECT_FALSE(s.limit);
  EXPECT_EQ(parse("SELECT a FROM logs LIMIT 0").limit, 0);
  EXPECT_EQ(parse("SELECT a FROM logs LIMIT 2147483647").limit, 2147483647);
  EXPECT_TRUE(parse("SELECT ALL a FROM logs").items.size() == 1);
}

TEST(SqlParser, AliasesWithAndWithoutAs) {
  const SelectStatement s = parse("SELECT a AS `x y`, b z, c AS `select`, d FROM logs");
  EXPECT_EQ(s.items[0].alias, "x y");
  EXPECT_EQ(s.items[1].alias, "z");
  EXPECT_EQ(s.items[2].alias, "select");
  EXPECT_FALSE(s.items[3].alias);
  EXPECT_EQ(s.items[1].alias_pos.column, 22u);
}

TEST(SqlParser, ClausePositions) {
  const std::string text = "SELECT a\nFROM logs\n  WHERE b\nGROUP BY a\nHAVING c\nORDER BY a\nLIMIT 1";
  const SelectStatement s = parse(text);
  EXPECT_EQ(s.select_pos.offset, 0u);
  EXPECT_EQ(s.table_pos.line, 2u);
  EXPECT_EQ(s.table_pos.column, 6u);
  EXPECT_EQ(s.where_pos.line, 3u);
  EXPECT_EQ(s.where_pos.column, 3u);
  EXPECT_EQ(text.substr(s.where_pos.offset, 5), "WHERE");
  EXPECT_EQ(s.group_by_pos.line, 4u);
  EXPECT_EQ(s.having_pos.line, 5u);
  EXPECT_EQ(s.order_by_pos.line, 6u);
  EXPECT_EQ(s.limit_pos.line, 7u);
}

// --- literals -----------------------------------------------------------------------------------------

TEST(SqlParser, IntegersAreIntOrBigintBySize) {
  const auto type_of = [](std::string_view text) {
    ExprPtr e = expr(text);
    return e ? e->value.type : DataType::kNull;
  };
  EXPECT_EQ(type_of("2147483647"), DataType::kInt);
  EXPECT_EQ(type_of("-2147483648"), DataType::kInt);
  EXPECT_EQ(type_of("2147483648"), DataType::kBigint);
  EXPECT_EQ(type_of("-2147483649"), DataType::kBigint);
  EXPECT_EQ(type_of("10L"), DataType::kBigint);
  EXPECT_EQ(type_of("007"), DataType::kInt);
  ExprPtr max = expr("9223372036854775807");
  EXPECT_EQ(max->value.integer, INT64_MAX);
  ExprPtr min = expr("-9223372036854775808L");
  EXPECT_EQ(min->value.integer, INT64_MIN);
  EXPECT_EQ(min->value.type, DataType::kBigint);
  // Beyond bigint Spark makes a DECIMAL; here the nearest double, named like the decimal.
  ExprPtr big = expr("9223372036854775808");
  EXPECT_EQ(big->literal_form, LiteralForm::kDecimal);
  EXPECT_EQ(big->value.type, DataType::kDouble);
  EXPECT_DOUBLE_EQ(big->value.real, 9223372036854775808.0);
  EXPECT_EQ(spark_name(*big), "9223372036854775808");
  ExprPtr seven = expr("007");
  EXPECT_EQ(seven->value.integer, 7);
  EXPECT_EQ(seven->spelling, "7");
}

TEST(SqlParser, DecimalsAndExponentsAreDoubles) {
  ExprPtr half = expr("0.5");
  EXPECT_EQ(half->literal_form, LiteralForm::kDecimal);
  EXPECT_EQ(half->value.type, DataType::kDouble);
  EXPECT_DOUBLE_EQ(half->value.real, 0.5);
  EXPECT_DOUBLE_EQ(expr(".25")->value.real, 0.25);
  EXPECT_DOUBLE_EQ(expr("5.")->value.real, 5.0);
  EXPECT_DOUBLE_EQ(expr("-1.5")->value.real, -1.5);
  ExprPtr exponent = expr("1.5e3");
  EXPECT_EQ(exponent->literal_form, LiteralForm::kDouble);
  EXPECT_DOUBLE_EQ(exponent->value.real, 1500.0);
  EXPECT_DOUBLE_EQ(expr("2E-2")->value.real, 0.02);
  EXPECT_DOUBLE_EQ(expr("7D")->value.real, 7.0);
  EXPECT_EQ(expr("7D")->value.type, DataType::kDouble);
  EXPECT_EQ(expr("1e-400")->value.real, 0.0);            // below the smallest double, as BigDecimal.toDouble
  EXPECT_FALSE(std::signbit(expr("-0.0")->value.real));  // a DECIMAL has no negative zero
}

TEST(SqlParser, StringsTakeSparksEscapes) {
  const auto value = [](std::string_view text) {
    ExprPtr e = expr(text);
    return e ? e->value.text : "<error>";
  };
  EXPECT_EQ(value(R"('plain')"), "plain");
  EXPECT_EQ(value(R"("double quoted")"), "double quoted");
  EXPECT_EQ(value(R"('it''s')"), "it's");  // '' is one quote
  EXPECT_EQ(value(R"("say ""hi""")"), "say \"hi\"");
  EXPECT_EQ(value(R"('a' 'b'  "c")"), "abc");  // adjacent literals join
  EXPECT_EQ(value(R"('\n\t\r\b\Z\0\\\'\"')"), std::string("\n\t\r\b\x1a") + '\0' + "\\'\"");
  EXPECT_EQ(value(R"('\%\_')"), "\\%\\_");     // kept for LIKE
  EXPECT_EQ(value(R"('\d\.\q')"), "d.q");      // any other escaped character is itself
  EXPECT_EQ(value(R"('\101\0123')"), "A\n3");  // octal \[01][0-7][0-7]
  EXPECT_EQ(value(R"('\u00e9\U0001F600')"), "\xc3\xa9\xf0\x9f\x98\x80");
  EXPECT_EQ(value(R"('\uD83D\uDE00')"), "\xf0\x9f\x98\x80");  // a surrogate pair joins
  EXPECT_EQ(value(R"('\uD83Dx')"), "?x");                     // a lone surrogate is '?', as Java encodes it
  EXPECT_EQ(value(R"('\u12')"), "u12");                       // not four hex digits: just 'u'
  EXPECT_EQ(value(R"(r'^\d+\.css$')"), "^\\d+\\.css$");       // raw: no escapes
  EXPECT_EQ(value(R"(R"\n")"), "\\n");
  EXPECT_EQ(value("'caf\xc3\xa9 \\\xc3\xa9'"), "caf\xc3\xa9 \xc3\xa9");
  EXPECT_EQ(value("'line\nbreak'"), "line\nbreak");
}

TEST(SqlParser, KeywordLiterals) {
  ExprPtr t = expr("TRUE");
  EXPECT_EQ(t->literal_form, LiteralForm::kBoolean);
  EXPECT_EQ(t->value.integer, 1);
  EXPECT_EQ(expr("false")->value.integer, 0);
  ExprPtr n = expr("Null");
  EXPECT_EQ(n->literal_form, LiteralForm::kNull);
  EXPECT_TRUE(n->value.null);
}

// --- names, functions, constructs ---------------------------------------------------------------------

TEST(SqlParser, ColumnReferences) {
  ExprPtr dotted = expr("window.start");
  ASSERT_EQ(dotted->kind, ExprKind::kColumn);
  EXPECT_EQ(dotted->name_parts, (std::vector<std::string>{"window", "start"}));
  EXPECT_EQ(expr("`odd``name`.`x y`")->name_parts, (std::vector<std::string>{"odd`name", "x y"}));
  EXPECT_EQ(expr("Status")->name_parts, (std::vector<std::string>{"Status"}));  // case kept
  // A name may start with a digit, as in Spark's lexer; a number followed by letters is a name.
  EXPECT_EQ(expr("5xx")->name_parts, (std::vector<std::string>{"5xx"}));
  EXPECT_EQ(expr("1e3x")->kind, ExprKind::kColumn);
  EXPECT_EQ(expr("window.end")->name_parts,
            (std::vector<std::string>{"window", "end"}));  // keywords after '.'
}

TEST(SqlParser, FunctionCalls) {
  ExprPtr count = expr("COUNT(*)");
  ASSERT_EQ(count->kind, ExprKind::kFunction);
  EXPECT_EQ(count->name, "count");
  EXPECT_TRUE(count->star);
  EXPECT_TRUE(count->children.empty());
  ExprPtr distinct = expr("count(DISTINCT host, method)");
  EXPECT_TRUE(distinct->distinct);
  EXPECT_EQ(distinct->children.size(), 2u);
  EXPECT_FALSE(expr("sum(ALL content_size)")->distinct);
  EXPECT_TRUE(expr("input_file_name()")->children.empty());
  EXPECT_EQ(expr("SubStr(endpoint, 2)")->name, "substring");
  ExprPtr from_for = expr("substring(endpoint FROM 2 FOR 3)");
  EXPECT_EQ(from_for->children.size(), 3u);
  EXPECT_EQ(to_sql(*from_for), "`substring`(`endpoint`, 2, 3)");
  EXPECT_EQ(expr("substring(endpoint FROM 2)")->children.size(), 2u);
  EXPECT_EQ(grouped("`count`(*)"), "`count`(*)");
}

TEST(SqlParser, Predicates) {
  ExprPtr in = expr("status NOT IN (200, 304, 1 + 1)");
  ASSERT_EQ(in->kind, ExprKind::kIn);
  EXPECT_TRUE(in->negated);
  EXPECT_EQ(in->children.size(), 4u);
  ExprPtr between = expr("status BETWEEN 200 AND 299");
  ASSERT_EQ(between->kind, ExprKind::kBetween);
  EXPECT_FALSE(between->negated);
  EXPECT_TRUE(expr("status NOT BETWEEN 200 AND 299")->negated);
  ExprPtr like = expr("endpoint NOT LIKE '/a%'");
  ASSERT_EQ(like->kind, ExprKind::kLike);
  EXPECT_EQ(like->op, Op::kLike);
  EXPECT_TRUE(like->negated);
  EXPECT_EQ(expr("endpoint RLIKE '^/a'")->op, Op::kRLike);
  EXPECT_EQ(expr("endpoint REGEXP '^/a'")->op, Op::kRLike);
  EXPECT_EQ(expr("endpoint ! RLIKE 'x'")->negated, true);  // ! is NOT in Spark's lexer
  ExprPtr null = expr("host IS NOT NULL");
  ASSERT_EQ(null->kind, ExprKind::kIsNull);
  EXPECT_TRUE(null->negated);
  EXPECT_EQ(grouped("a IS NOT DISTINCT FROM b"), "(`a` <=> `b`)");
  EXPECT_EQ(grouped("a IS DISTINCT FROM b"), "(NOT (`a` <=> `b`))");
}

TEST(SqlParser, CaseAndCast) {
  ExprPtr searched = expr("CASE WHEN status >= 500 THEN 'error' WHEN status >= 400 THEN 'client' END");
  ASSERT_EQ(searched->kind, ExprKind::kCase);
  EXPECT_FALSE(searched->has_operand);
  EXPECT_FALSE(searched->has_else);
  EXPECT_EQ(searched->children.size(), 4u);
  ExprPtr simple = expr("case status when 200 then 'ok' else 'other' end");
  EXPECT_TRUE(simple->has_operand);
  EXPECT_TRUE(simple->has_else);
  EXPECT_EQ(simple->children.size(), 4u);  // operand, when, then, else
  const std::pair<std::string_view, DataType> types[] = {{"int", DataType::kInt},
                                                         {"INTEGER", DataType::kInt},
                                                         {"bigint", DataType::kBigint},
                                                         {"long", DataType::kBigint},
                                                         {"double", DataType::kDouble},
                                                         {"string", DataType::kString},
                                                         {"timestamp", DataType::kTimestamp},
                                                         {"timestamp_ltz", DataType::kTimestamp},
                                                         {"Boolean", DataType::kBoolean}};
  for (const auto& [written, type] : types) {
    ExprPtr cast = expr("CAST(x AS " + std::string(written) + ")");
    ASSERT_TRUE(cast) << written;
    EXPECT_EQ(cast->kind, ExprKind::kCast);
    EXPECT_EQ(cast->cast_type, type) << written;
  }
}

TEST(SqlParser, Subscripts) {
  ExprPtr part = expr("split(endpoint, '/')[1]");
  ASSERT_EQ(part->kind, ExprKind::kSubscript);
  EXPECT_EQ(part->child(0).kind, ExprKind::kFunction);
  EXPECT_EQ(grouped("a[1][b + 1]"), "((`a`)[1])[(`b` + 1)]");
}

// --- precedence (Spark's SqlBaseParser.g4) --------------------------------------------------------------

TEST(SqlParser, PrecedenceFollowsSpark) {
  EXPECT_EQ(grouped("1 + 2 * 3"), "(1 + (2 * 3))");
  EXPECT_EQ(grouped("1 - 2 - 3"), "((1 - 2) - 3)");
  EXPECT_EQ(grouped("8 DIV 3 * 2 % 5 / 4"), "((((8 DIV 3) * 2) % 5) / 4)");
  EXPECT_EQ(grouped("a || b + c"), "((`a` || `b`) + `c`)");  // || and + share a level
  EXPECT_EQ(grouped("-a * b"), "((-`a`) * `b`)");
  EXPECT_EQ(grouped("- - a"), "(-(-`a`))");
  EXPECT_EQ(grouped("+a - -b"), "((+`a`) - (-`b`))");
  EXPECT_EQ(grouped("a + b = c * d"), "((`a` + `b`) = (`c` * `d`))");
  EXPECT_EQ(grouped("a < b = c"), "((`a` < `b`) = `c`)");  // comparisons chain, left first
  EXPECT_EQ(grouped("a = 1 OR b = 2 AND c = 3"), "((`a` = 1) OR ((`b` = 2) AND (`c` = 3)))");
  EXPECT_EQ(grouped("a OR b OR c"), "((`a` OR `b`) OR `c`)");
  EXPECT_EQ(grouped("NOT a = 1 AND b"), "((NOT (`a` = 1)) AND `b`)");  // NOT over the comparison
  EXPECT_EQ(grouped("NOT NOT a OR b"), "((NOT (NOT `a`)) OR `b`)");
  EXPECT_EQ(grouped("!a AND b"), "((NOT `a`) AND `b`)");
  EXPECT_EQ(grouped("a = b IS NULL"), "((`a` = `b`) IS NULL)");  // the predicate takes the comparison
  EXPECT_EQ(grouped("NOT a IS NULL"), "(NOT (`a` IS NULL))");
  EXPECT_EQ(grouped("x BETWEEN 1 AND 2 AND y"), "((`x` BETWEEN 1 AND 2) AND `y`)");
  EXPECT_EQ(grouped("x BETWEEN a + 1 AND b * 2"), "(`x` BETWEEN (`a` + 1) AND (`b` * 2))");
  EXPECT_EQ(grouped("x + 1 IN (1, 2) OR y"), "(((`x` + 1) IN (1, 2)) OR `y`)");
  EXPECT_EQ(grouped("x LIKE 'a' OR y NOT LIKE 'b'"), "((`x` LIKE 'a') OR (`y` NOT LIKE 'b'))");
  EXPECT_EQ(grouped("a <=> b AND c <> d"), "((`a` <=> `b`) AND (`c` <> `d`))");
  EXPECT_EQ(grouped("a == b"), "(`a` = `b`)");
  EXPECT_EQ(grouped("a != b"), "(`a` <> `b`)");
  EXPECT_EQ(grouped("a !> b AND a !< b"), "((`a` <= `b`) AND (`a` >= `b`))");  // Spark's !> and !<
  EXPECT_EQ(grouped("(a OR b) AND c"), "((`a` OR `b`) AND `c`)");
}

TEST(SqlParser, AMinusBeforeANumberIsItsSign) {
  ExprPtr negative = expr("-5");
  EXPECT_EQ(negative->kind, ExprKind::kLiteral);
  EXPECT_EQ(negative->value.integer, -5);
  EXPECT_EQ(expr("- 5")->kind, ExprKind::kLiteral);
  EXPECT_EQ(expr("-(5)")->kind, ExprKind::kUnary);
  EXPECT_EQ(grouped("2 - -5"), "(2 - -5)");
  EXPECT_EQ(grouped("2-5"), "(2 - 5)");
  EXPECT_EQ(grouped("-5 * 2"), "(-5 * 2)");
}

// --- Spark's names ----------------------------------------------------------------------------------------

TEST(SqlNames, AggregatesAsSparkNamesThem) {
  EXPECT_EQ(name("count(*)"), "count(1)");
  EXPECT_EQ(name("COUNT(*)"), "count(1)");
  EXPECT_EQ(name("count(1)"), "count(1)");
  EXPECT_EQ(name("count(content_size)"), "count(content_size)");
  EXPECT_EQ(name("Count(DISTINCT host)"), "count(DISTINCT host)");
  EXPECT_EQ(name("sum(content_size)"), "sum(content_size)");
  EXPECT_EQ(name("AVG(content_size)"), "avg(content_size)");
  EXPECT_EQ(name("min(status)"), "min(status)");
  EXPECT_EQ(name("max(status)"), "max(status)");
  EXPECT_EQ(name("approx_count_distinct(host)"), "approx_count_distinct(host)");
  EXPECT_EQ(name("percentile_approx(content_size, 0.5)"), "percentile_approx(content_size, 0.5, 10000)");
  EXPECT_EQ(name("sum(content_size) / count(*)"), "(sum(content_size) / count(1))");
}

TEST(SqlNames, OperatorsAsSparkNamesThem) {
  EXPECT_EQ(name("status >= 500"), "(status >= 500)");
  EXPECT_EQ(name("status == 404"), "(status = 404)");
  EXPECT_EQ(name("status <> 200"), "(NOT (status = 200))");
  EXPECT_EQ(name("status != 200"), "(NOT (status = 200))");
  EXPECT_EQ(name("a <=> b"), "(a <=> b)");
  EXPECT_EQ(name("a + b * c"), "(a + (b * c))");
  EXPECT_EQ(name("content_size / 1024"), "(content_size / 1024)");
  EXPECT_EQ(name("content_size DIV 1024"), "(content_size div 1024)");
  EXPECT_EQ(name("status % 100"), "(status % 100)");
  EXPECT_EQ(name("-content_size"), "(- content_size)");
  EXPECT_EQ(name("+content_size"), "(+ content_size)");
  EXPECT_EQ(name("-(5)"), "(- 5)");
  EXPECT_EQ(name("NOT a"), "(NOT a)");
  EXPECT_EQ(name("a AND b OR c"), "((a AND b) OR c)");
  EXPECT_EQ(name("method || endpoint"), "concat(method, endpoint)");
  EXPECT_EQ(name("status IN (200, 304)"), "(status IN (200, 304))");
  EXPECT_EQ(name("status NOT IN (200)"), "(NOT (status IN (200)))");
  EXPECT_EQ(name("status BETWEEN 200 AND 299"), "((status >= 200) AND (status <= 299))");
  EXPECT_EQ(name("status NOT BETWEEN 200 AND 299"), "(NOT ((status >= 200) AND (status <= 299)))");
  EXPECT_EQ(name("endpoint LIKE '/a%'"), "endpoint LIKE /a%");
  EXPECT_EQ(name("endpoint NOT LIKE '/a%'"), "(NOT endpoint LIKE /a%)");
  EXPECT_EQ(name("endpoint RLIKE '^/x'"), "endpoint RLIKE ^/x");
  EXPECT_EQ(name("endpoint REGEXP '^/x'"), "endpoint RLIKE ^/x");
  EXPECT_EQ(name("host IS NULL"), "(host IS NULL)");
  EXPECT_EQ(name("host IS NOT NULL"), "(host IS NOT NULL)");
  EXPECT_EQ(name("a IS DISTINCT FROM b"), "(NOT (a <=> b))");
  EXPECT_EQ(name("a IS NOT DISTINCT FROM b"), "(a <=> b)");
}

TEST(SqlNames, CaseCastAndFunctions) {
  EXPECT_EQ(name("CASE WHEN status >= 500 THEN 'error' ELSE 'ok' END"),
            "CASE WHEN (status >= 500) THEN error ELSE ok END");
  EXPECT_EQ(name("CASE status WHEN 200 THEN 1 WHEN 304 THEN 2 END"),
            "CASE WHEN (status = 200) THEN 1 WHEN (status = 304) THEN 2 END");
  EXPECT_EQ(name("CAST(status AS string)"), "CAST(status AS STRING)");
  EXPECT_EQ(name("cast(x as integer)"), "CAST(x AS INT)");
  EXPECT_EQ(name("cast(x as long)"), "CAST(x AS BIGINT)");
  EXPECT_EQ(name("CAST(x AS timestamp)"), "CAST(x AS TIMESTAMP)");
  EXPECT_EQ(name("LOWER(method)"), "lower(method)");
  EXPECT_EQ(name("upper(method)"), "upper(method)");
  EXPECT_EQ(name("length(endpoint)"), "length(endpoint)");
  EXPECT_EQ(name("substring(endpoint, 1, 5)"), "substring(endpoint, 1, 5)");
  EXPECT_EQ(name("substr(endpoint, 2)"), "substring(endpoint, 2, 2147483647)");
  EXPECT_EQ(name("regexp_extract(endpoint, '^/(\\\\w+)')"), "regexp_extract(endpoint, ^/(\\w+), 1)");
  EXPECT_EQ(name("regexp_extract(value, '(\\\\d+)', 2)"), "regexp_extract(value, (\\d+), 2)");
  EXPECT_EQ(name("split(endpoint, '/')"), "split(endpoint, /, -1)");
  EXPECT_EQ(name("coalesce(content_size, 0)"), "coalesce(content_size, 0)");
  EXPECT_EQ(name("concat(method, ' ', endpoint)"), "concat(method,  , endpoint)");
  EXPECT_EQ(name("date_trunc('hour', timestamp)"), "date_trunc(hour, timestamp)");
  EXPECT_EQ(name("hour(timestamp)"), "hour(timestamp)");
  EXPECT_EQ(name("window.start"), "window.start");
  EXPECT_EQ(name("logs.status"), "status");  // the table qualifier is not part of the name
}

TEST(SqlNames, LiteralsAsSparkNamesThem) {
  EXPECT_EQ(name("42"), "42");
  EXPECT_EQ(name("-5"), "-5");
  EXPECT_EQ(name("10L"), "10");
  EXPECT_EQ(name("2147483648"), "2147483648");
  EXPECT_EQ(name("0.5"), "0.5");    // Spark's decimal literal prints as written ...
  EXPECT_EQ(name("1.50"), "1.50");  // ... keeping its scale
  EXPECT_EQ(name(".5"), "0.5");
  EXPECT_EQ(name("5."), "5");
  EXPECT_EQ(name("-0.0"), "0.0");
  EXPECT_EQ(name("0.000001"), "0.000001");
  EXPECT_EQ(name("0.0000001"), "1E-7");  // BigDecimal.toString below 1e-6
  EXPECT_EQ(name("0.00000012"), "1.2E-7");
  EXPECT_EQ(name("1e3"), "1000.0");  // a double: Java's Double.toString
  EXPECT_EQ(name("1.5D"), "1.5");
  EXPECT_EQ(name("1e7"), "1.0E7");
  EXPECT_EQ(name("1e-4"), "1.0E-4");
  EXPECT_EQ(name("123.456e1"), "1234.56");
  EXPECT_EQ(name("'a b'"), "a b");  // strings bare
  EXPECT_EQ(name("true"), "true");
  EXPECT_EQ(name("NULL"), "NULL");
}

TEST(SqlNames, OutputNamesOfSelectItems) {
  const SelectStatement s = parse(
      "SELECT status, count(*), count(*) AS hits, window.start, CAST(status AS STRING), "
      "CAST(status + 1 AS STRING), window(timestamp, '10 minutes'), logs.host, `x y` FROM logs");
  std::vector<std::string> names;
  for (const SelectItem& item : s.items) names.push_back(output_name(item));
  EXPECT_EQ(names, (std::vector<std::string>{"status", "count(1)", "hits", "start", "status",
                                             "CAST((status + 1) AS STRING)", "window", "host", "x y"}));
}

TEST(SqlNames, AColumnNamerGivesResolvedNames) {
  // The analyzer passes the schema's spelling (Spark names a column after the attribute it resolved to).
  const ColumnNamer schema_case = [](const Expr& column, bool top_level) {
    std::string out;
    for (const std::string& part : column.name_parts) {
      std::string lower;
      for (char c : part) lower += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
      out = top_level ? lower : out.empty() ? lower : out + "." + lower;
    }
    return out;
  };
  EXPECT_EQ(spark_name(*expr("AVG(Content_Size)"), schema_case), "avg(content_size)");
  const SelectStatement s = parse("SELECT STATUS, CAST(Window.Start AS STRING) FROM logs");
  EXPECT_EQ(output_name(s.items[0], schema_case), "status");
  EXPECT_EQ(output_name(s.items[1], schema_case), "start");
}

// --- positions --------------------------------------------------------------------------------------------

TEST(SqlParser, NodesKeepTheirPositionAndText) {
  const std::string text = "status >= 500 AND\n  avg( content_size ) > 1.5";
  ExprPtr e = expr(text);
  ASSERT_EQ(e->kind, ExprKind::kBinary);
  EXPECT_EQ(e->op, Op::kAnd);
  EXPECT_EQ(e->pos.offset, 0u);
  EXPECT_EQ(e->op_pos.offset, 14u);  // the AND
  EXPECT_EQ(e->op_pos.column, 15u);
  EXPECT_EQ(source_text(text, *e), text);
  const Expr& right = e->child(1);
  EXPECT_EQ(right.pos.line, 2u);
  EXPECT_EQ(right.pos.column, 3u);
  EXPECT_EQ(right.op_pos.column, 23u);  // the >
  EXPECT_EQ(source_text(text, right), "avg( content_size ) > 1.5");
  EXPECT_EQ(source_text(text, right.child(0)), "avg( content_size )");
  EXPECT_EQ(source_text(text, right.child(0).child(0)), "content_size");
  EXPECT_EQ(source_text("-5", *expr("-5")), "-5");
  // Parentheses are not part of the expression's text.
  const std::string paren = "((a + b)) * 2";
  ExprPtr p = expr(paren);
  EXPECT_EQ(source_text(paren, p->child(0)), "a + b");
  // Columns count code points: é is one column, and so is a byte that is not UTF-8.
  const std::string wide = "'\xc3\xa9t\xc3\xa9' = x";
  ExprPtr w = expr(wide);
  EXPECT_EQ(w->child(1).pos.column, 9u);
}

TEST(SqlParser, HeightIsKept) {
  EXPECT_EQ(expr("a")->height, 1u);
  EXPECT_EQ(expr("a + b * c")->height, 3u);
  EXPECT_EQ(expr("f(g(x))")->height, 3u);
}

// --- errors: what was expected, what was found, and a caret under it ------------------------------------

TEST(SqlErrors, ExactMessages) {
  EXPECT_EQ(sql_error("SELECT FROM logs"),
            "line 1, column 8: expected an expression, found 'FROM'\n"
            "  SELECT FROM logs\n"
            "         ^");
  EXPECT_EQ(sql_error(""),
            "line 1, column 1: expected SELECT, found the end of the query\n"
            "  \n"
            "  ^");
  EXPECT_EQ(sql_error("SELECT a FROM access"),
            "line 1, column 15: unknown table 'access': the table is logs\n"
            "  SELECT a FROM access\n"
            "                ^");
  EXPECT_EQ(
      sql_error("SELECT a FROM logs WHERE status 500"),
      "line 1, column 33: expected an operator, GROUP BY, HAVING, ORDER BY, LIMIT or the end of the query, "
      "found '500'\n"
      "  SELECT a FROM logs WHERE status 500\n"
      "                                  ^");
  EXPECT_EQ(sql_error("SELECT (a + 1 FROM logs"),
            "line 1, column 15: expected ')' to close the '(' at line 1, column 8, found 'FROM'\n"
            "  SELECT (a + 1 FROM logs\n"
            "                ^");
  EXPECT_EQ(sql_error("SELECT 'abc FROM logs"),
            "line 1, column 8: unterminated string: no closing ' for this '\n"
            "  SELECT 'abc FROM logs\n"
            "         ^");
  EXPECT_EQ(expression_error("status >= 500 500"),
            "line 1, column 15: expected an operator or the end of the expression, found '500'\n"
            "  status >= 500 500\n"
            "                ^");
}

// Where the caret of an error points: its line and column, and how far it is indented.
struct Caret {
  std::string location;  // "line L, column C"
  std::string shown;     // the echoed line
  std::string padding;   // what precedes the ^
};

Caret caret_of(const std::string& error) {
  Caret c;
  c.location = error.substr(0, error.find(':'));
  const size_t first = error.find('\n');
  const size_t second = error.find('\n', first + 1);
  c.shown = error.substr(first + 3, second - first - 3);
  c.padding = error.substr(second + 3, error.size() - second - 4);
  EXPECT_EQ(error.back(), '^') << error;
  return c;
}

TEST(SqlErrors, EachKindPointsAtItsCharacter) {
  const struct {
    std::string_view text;
    std::string_view location;
    std::string_view reason;  // a part of the message
  } cases[] = {
      {"SELECT a FROM logs GROUP status", "line 1, column 26", "expected BY after GROUP, found 'status'"},
      {"SELECT a FROM logs ORDER a", "line 1, column 26", "expected BY after ORDER"},
      {"SELECT a FROM logs LIMIT 5 WHERE b", "line 1, column 28",
       "expected the end of the query, found 'WHERE'"},
      {"SELECT a FROM logs LIMIT -1", "line 1, column 26", "the number of rows after LIMIT"},
      {"SELECT a FROM logs LIMIT 2147483648", "line 1, column 26", "the number of rows after LIMIT"},
      {"SELECT a FROM logs ORDER BY a NULLS middle", "line 1, column 37", "FIRST or LAST after NULLS"},
      {"SELECT a b c FROM logs", "line 1, column 12", "expected ',' or FROM, found 'c'"},
      {"SELECT a AS FROM logs", "line 1, column 13", "expected a name after AS, found 'FROM'"},
      {"SELECT a FROM", "line 1, column 14", "the table name logs after FROM, found the end of the query"},
      {"SELECT `abc FROM logs", "line 1, column 8", "unterminated name"},
      {"SELECT `` FROM logs", "line 1, column 8", "empty name"},
      {"SELECT a /* x FROM logs", "line 1, column 10", "unclosed comment"},
      {"SELECT a & b FROM logs", "line 1, column 10", "bitwise operators"},
      {"SELECT a | b FROM logs", "line 1, column 10", "bitwise operators"},
      {"SELECT ~a FROM logs", "line 1, column 8", "bitwise operators"},
      {"SELECT a ? b FROM logs", "line 1, column 10", "unexpected character '?'"},
      {"SELECT 10S FROM logs", "line 1, column 8", "(SMALLINT)"},
      {"SELECT 2.5F FROM logs", "line 1, column 8", "(FLOAT)"},
      {"SELECT 1.5BD FROM logs", "line 1, column 8", "(DECIMAL)"},
      {"SELECT 1.5x FROM logs", "line 1, column 8", "malformed number '1.5x'"},
      {"SELECT 1e999 FROM logs", "line 1, column 8", "out of range for DOUBLE"},
      {"SELECT -99999999999999999999L FROM logs", "line 1, column 8", "out of range for BIGINT"},
      {"SELECT '\\U00110000' FROM logs", "line 1, column 9", "beyond U+10FFFF"},
      {"SELECT CAST(a AS date) FROM logs", "line 1, column 18", "no DATE type"},
      {"SELECT CAST(a AS varchar(3)) FROM logs", "line 1, column 18", "CAST to VARCHAR is not supported"},
      {"SELECT CAST(a AS money) FROM logs", "line 1, column 18", "unknown type 'money'"},
      {"SELECT CAST(a, int) FROM logs", "line 1, column 14", "expected AS"},
      {"SELECT CAST a FROM logs", "line 1, column 13", "expected '(' after CAST"},
      {"SELECT CAST(a AS int FROM logs", "line 1, column 22", "')' to close the CAST at line 1, column 8"},
      {"SELECT * FROM logs", "line 1, column 8", "'*' is only allowed in count(*)"},
      {"SELECT logs.* FROM logs", "line 1, column 13", "'*' is only allowed in count(*)"},
      {"SELECT sum(*) FROM logs", "line 1, column 12", "'*' is only allowed in count(*)"},
      {"SELECT count(DISTINCT *) FROM logs", "line 1, column 23", "count(DISTINCT *)"},
      {"SELECT a IN (SELECT 1) FROM logs", "line 1, column 14", "subqueries are not supported"},
      {"SELECT (SELECT 1) FROM logs", "line 1, column 9", "subqueries are not supported"},
      {"SELECT EXISTS (x) FROM logs", "line 1, column 8", "subqueries (EXISTS)"},
      {"SELECT (a, b) FROM logs", "line 1, column 10", "row values"},
      {"SELECT timestamp '2015-11-29' FROM logs", "line 1, column 8", "typed literals such as TIMESTAMP"},
      {"SELECT INTERVAL 5 MINUTES FROM logs", "line 1, column 8", "INTERVAL literals are not supported"},
      {"SELECT desc FROM logs", "line 1, column 8", "'desc' (DESC is reserved: write `desc` for a name)"},
      {"SELECT a IS TRUE FROM logs", "line 1, column 13", "IS TRUE, IS FALSE and IS UNKNOWN"},
      {"SELECT a IS 5 FROM logs", "line 1, column 13", "NULL, NOT NULL or DISTINCT FROM after IS"},
      {"SELECT a ILIKE 'x' FROM logs", "line 1, column 10", "ILIKE is not supported"},
      {"SELECT a LIKE ANY ('x') FROM logs", "line 1, column 15", "LIKE ANY, SOME and ALL"},
      {"SELECT a LIKE 'x' ESCAPE '!' FROM logs", "line 1, column 19", "ESCAPE is not supported"},
      {"SELECT a BETWEEN 1 OR 2 FROM logs", "line 1, column 20", "expected AND (BETWEEN lower AND upper)"},
      {"SELECT a IN 1 FROM logs", "line 1, column 13", "expected '(' after IN"},
      {"SELECT a IN (1 2) FROM logs", "line 1, column 16",
       "',' or ')' in the IN list opened at line 1, column 13"},
      {"SELECT f(a b) FROM logs", "line 1, column 12",
       "',' or ')' in the arguments of f( at line 1, column 8"},
      {"SELECT count(*) OVER (PARTITION BY a) FROM logs", "line 1, column 17", "window functions"},
      {"SELECT count(*) FILTER (WHERE a) FROM logs", "line 1, column 17", "FILTER (WHERE ...)"},
      {"SELECT a.f(x) FROM logs", "line 1, column 8", "qualified function names"},
      {"SELECT a.(b) FROM logs", "line 1, column 10", "a field name after '.'"},
      {"SELECT CASE a END FROM logs", "line 1, column 15", "expected WHEN, found 'END'"},
      {"SELECT CASE WHEN a b END FROM logs", "line 1, column 20", "expected THEN"},
      {"SELECT CASE WHEN a THEN b ELSE c FROM logs", "line 1, column 34",
       "END to close the CASE at line 1, column 8"},
      {"SELECT a[1 FROM logs", "line 1, column 12", "']' to close the '[' at line 1, column 9"},
      {"SELECT a FROM logs WHERE", "line 1, column 25", "expected an expression, found the end of the query"},
      {"SELECT a FROM logs WHERE x = 1 GROUP BY a, ORDER BY a", "line 1, column 44",
       "expected an expression"},
      {"SELECT a FROM logs GROUP BY a HAVING", "line 1, column 37", "expected an expression"},
      {"SELECT a FROM logs GROUP BY a b", "line 1, column 31",
       "an operator, ',', HAVING, ORDER BY, LIMIT or"},
      {"SELECT a FROM logs, logs", "line 1, column 19",
       "expected WHERE, GROUP BY, HAVING, ORDER BY, LIMIT or the end"},
      {"WITH x AS (SELECT 1) SELECT a FROM logs", "line 1, column 1", "expected SELECT, found 'WITH'"},
  };
  for (const auto& c : cases) {
    const std::string error = sql_error(c.text);
    EXPECT_NE(error.find(c.reason), std::string::npos) << c.text << "\n" << error;
    const Caret caret = caret_of(error);
    EXPECT_EQ(caret.location, c.location) << c.text << "\n" << error;
    EXPECT_EQ(caret.shown, c.text);
    // On a one-line query of plain ASCII the caret is indented by column - 1 spaces.
    const size_t column = std::stoul(std::string(c.location.substr(c.location.rfind(' ') + 1)));
    EXPECT_EQ(caret.padding, std::string(column - 1, ' ')) << c.text << "\n" << error;
  }
}

TEST(SqlErrors, CaretsOnOtherLinesTabsAndUnicode) {
  // The offending line only, with its own line number.
  Caret c = caret_of(sql_error("SELECT a,\n       b\nFROM logs\nWHERE a = = 1"));
  EXPECT_EQ(c.location, "line 4, column 11");
  EXPECT_EQ(c.shown, "WHERE a = = 1");
  EXPECT_EQ(c.padding, std::string(10, ' '));
  // Tabs stay tabs, so the caret reaches the same tab stop.
  c = caret_of(sql_error("SELECT\ta\tb\tc FROM logs"));
  EXPECT_EQ(c.location, "line 1, column 12");
  EXPECT_EQ(c.shown, "SELECT\ta\tb\tc FROM logs");
  EXPECT_EQ(c.padding, "      \t \t \t");
  // Columns count code points: 'é' is one column and one cell.
  c = caret_of(sql_error("SELECT '\xc3\xa9\xc3\xa9' + FROM logs"));
  EXPECT_EQ(c.location, "line 1, column 15");
  EXPECT_EQ(c.padding, std::string(14, ' '));
  // A non-ASCII character outside quotes is named with its code point.
  const std::string unicode = sql_error("SELECT caf\xc3\xa9 FROM logs");
  EXPECT_NE(unicode.find("unexpected character '\xc3\xa9' (U+00E9); a name with it needs backquotes"),
            std::string::npos)
      << unicode;
  EXPECT_EQ(caret_of(unicode).location, "line 1, column 11");
  // Control bytes and bytes that are not UTF-8 are shown as \xHH, and the caret moves past all four
  // characters of each; the column still counts one.
  const std::string control = sql_error("SELECT '\x1b[31m' \x01 FROM logs");
  c = caret_of(control);
  EXPECT_EQ(c.location, "line 1, column 16");
  EXPECT_EQ(c.shown, "SELECT '\\x1b[31m' \\x01 FROM logs");
  EXPECT_EQ(c.padding, std::string(18, ' '));
  EXPECT_NE(control.find("unexpected character \\x01 (a control character)"), std::string::npos) << control;
  const std::string invalid = sql_error("SELECT a\xff FROM logs");
  EXPECT_NE(invalid.find("unexpected character \\xff (not UTF-8)"), std::string::npos) << invalid;
  EXPECT_EQ(caret_of(invalid).location, "line 1, column 9");
  // A "found" token with control characters is escaped in the message too.
  const std::string found = sql_error(
      "SELECT a FROM logs WHERE x `a\x07"
      "b`");
  EXPECT_NE(found.find("found '`a\\x07b`'"), std::string::npos) << found;
  // A line break inside a string counts lines: the error after it is on line 2.
  EXPECT_EQ(caret_of(sql_error("SELECT 'a\nb' c d FROM logs")).location, "line 2, column 6");
  // CRLF line ends: the \r is not shown.
  c = caret_of(sql_error("SELECT a\r\nFROM logs\r\nWHERE\r\n"));
  EXPECT_EQ(c.location, "line 4, column 1");
}

TEST(SqlErrors, LongLinesShowAWindowAroundTheCaret) {
  std::string text = "SELECT " + std::string(5000, 'a') + " + FROM logs";
  const std::string error = sql_error(text);
  const Caret c = caret_of(error);
  EXPECT_EQ(c.location, "line 1, column 5011");
  EXPECT_LT(c.shown.size(), 200u);
  EXPECT_EQ(c.shown.substr(0, 3), "...");
  EXPECT_EQ(c.shown.substr(c.padding.size(), 4), "FROM");  // the caret is under FROM
}

TEST(SqlErrors, AnalyzerErrorsUseTheSameFormat) {
  const std::string text = "SELECT a\nFROM logs WHERE nope = 1";
  const SelectStatement s = parse(text);
  EXPECT_EQ(sql_error_at(text, s.where->child(0).pos.offset, "unknown column 'nope'"),
            "line 2, column 17: unknown column 'nope'\n"
            "  FROM logs WHERE nope = 1\n"
            "                  ^");
  EXPECT_EQ(sql_error_at("abc", 99, "past the end").substr(0, 18), "line 1, column 4: ");
}

TEST(SqlErrors, ShorthandLists) {
  auto list = parse_expression_list("status, method, lower(endpoint)");
  ASSERT_TRUE(list) << list.error();
  EXPECT_EQ(list.value().size(), 3u);
  EXPECT_EQ(spark_name(*list.value()[2]), "lower(endpoint)");
  auto empty = parse_expression_list("");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error(),
            "line 1, column 1: expected an expression, found the end of the list\n"
            "  \n"
            "  ^");
  auto trailing = parse_expression_list("status,");
  ASSERT_FALSE(trailing);
  EXPECT_EQ(caret_of(trailing.error()).location, "line 1, column 8");
  auto junk = parse_expression_list("status method");
  ASSERT_FALSE(junk);
  EXPECT_NE(junk.error().find("expected an operator, ',' or the end of the list, found 'method'"),
            std::string::npos)
      << junk.error();
  EXPECT_FALSE(parse_expression("status >= 500;"));
  EXPECT_FALSE(parse_expression(""));
}

// --- limits ---------------------------------------------------------------------------------------------

TEST(SqlErrors, DeepNestingIsAnErrorNotAStackOverflow) {
  for (const std::string& opener : {std::string("("), std::string("f("), std::string("CASE WHEN "),
                                    std::string("x IN ("), std::string("a["), std::string("CAST(")}) {
    std::string text;
    for (int i = 0; i < 100000; ++i) text += opener;
    const std::string error = expression_error(text);
    EXPECT_NE(error.find("nested too deeply"), std::string::npos) << opener << ": " << error.substr(0, 200);
  }
  // Chains built without recursion are bounded by height instead.
  std::string sum = "1";
  for (int i = 0; i < 5000; ++i) sum += "+1";
  EXPECT_NE(expression_error(sum).find("expression too large: nested more than 1000 levels"),
            std::string::npos);
  std::string negations;  // not "--", which starts a comment
  for (int i = 0; i < 100000; ++i) negations += "- ";
  EXPECT_NE(expression_error(negations + "x").find("expression too large"), std::string::npos);
  std::string nots;
  for (int i = 0; i < 100000; ++i) nots += "NOT ";
  EXPECT_NE(expression_error(nots + "x").find("expression too large"), std::string::npos);
  // Just inside the limits: parses.
  EXPECT_TRUE(parse_expression(std::string(kMaxHeight - 1, '(') + "x" + std::string(kMaxHeight - 1, ')')));
  std::string long_sum = "1";
  for (uint32_t i = 1; i < kMaxHeight; ++i) long_sum += "+1";
  EXPECT_TRUE(parse_expression(long_sum));
}

TEST(SqlErrors, QueryLengthIsLimited) {
  const std::string huge = "SELECT a FROM logs WHERE a IN (" + std::string(kMaxQueryBytes, ' ') + "1)";
  auto result = parse_sql(huge);
  ASSERT_FALSE(result);
  EXPECT_EQ(result.error().rfind("the query is ", 0), 0u) << result.error();
  // A long IN list well inside the limit is fine.
  std::string in = "x IN (0";
  for (int i = 1; i < 50000; ++i) in += "," + std::to_string(i);
  auto list = parse_expression(in + ")");
  ASSERT_TRUE(list);
  EXPECT_EQ(list.value()->children.size(), 50001u);
}

// --- canonical SQL reads back as the same tree --------------------------------------------------------

TEST(SqlRoundTrip, ToSqlParsesToTheSameTree) {
  const std::string_view queries[] = {
      "SELECT status, count(*) FROM logs GROUP BY status",
      "SELECT DISTINCT host AS h, `odd``name` FROM logs WHERE status BETWEEN 200 AND 299 OR status IS NULL",
      "SELECT endpoint, count(*) AS hits FROM logs WHERE endpoint NOT LIKE '%.css' AND method IN ('GET', "
      "'HEAD') "
      "GROUP BY endpoint HAVING count(*) > 10 ORDER BY hits DESC NULLS FIRST, endpoint LIMIT 5",
      "SELECT CASE status WHEN 200 THEN 'ok' ELSE 'x' END, CASE WHEN a THEN b END FROM logs",
      "SELECT CAST(status AS STRING), -5, - 5, -(5), - -x, +1.50, 1e3, 7D, 10L, 2147483648, "
      "99999999999999999999 "
      "FROM logs",
      "SELECT 'it''s', '\\n\\t\\\\ \\0', 'a' 'b', r'\\d', '\\u00e9', TRUE, NULL FROM logs",
      "SELECT a || b, a DIV b, a % b, a <=> b, a != b, !a, a IS DISTINCT FROM b FROM logs",
      "SELECT split(endpoint, '/')[1], substring(x FROM 1 FOR 2), count(DISTINCT a, b) FROM logs",
      "SELECT window.start, logs.`status` FROM logs WHERE NOT a = 1 AND NOT b RLIKE '^x' LIMIT ALL",
      "SELECT 0.0000001, -0.0, 4.9E-324D, 1.7976931348623157E308D FROM logs",
  };
  for (std::string_view text : queries) {
    const SelectStatement first = parse(text);
    const std::string canonical = to_sql(first);
    const SelectStatement again = parse(canonical);
    EXPECT_TRUE(same_statement(first, again)) << text << "\n" << canonical;
    EXPECT_EQ(to_sql(again), canonical);
    for (size_t i = 0; i < first.items.size(); ++i) {
      EXPECT_EQ(output_name(first.items[i]), output_name(again.items[i])) << canonical;
    }
  }
}

TEST(SqlRoundTrip, TreesAtTheLimitsReadBack) {
  std::string chain = "a";
  for (uint32_t i = 1; i < kMaxHeight; ++i) chain += i % 3 == 0 ? " OR a" : i % 3 == 1 ? " + a" : " AND a";
  std::string nested;
  for (uint32_t i = 1; i < kMaxHeight; ++i) nested += "- ";
  nested += "x";
  std::string calls;
  for (uint32_t i = 1; i < kMaxHeight; ++i) calls += "f(";
  calls += "x" + std::string(kMaxHeight - 1, ')');
  for (const std::string& text : {chain, nested, calls}) {
    ExprPtr e = expr(text);
    ASSERT_TRUE(e);
    auto again = parse_expression(to_sql(*e));
    ASSERT_TRUE(again) << again.error().substr(0, 300);
    EXPECT_TRUE(same_tree(*e, *again.value()));
  }
}

TEST(SqlRoundTrip, SameTreeSeesDifferences) {
  EXPECT_TRUE(same_tree(*expr("a + 1"), *expr("(a)+1")));
  EXPECT_FALSE(same_tree(*expr("a + 1"), *expr("a + 2")));
  EXPECT_FALSE(same_tree(*expr("1"), *expr("1L")));      // int vs bigint
  EXPECT_FALSE(same_tree(*expr("0.5"), *expr("0.50")));  // different Spark names
  EXPECT_FALSE(same_tree(*expr("-5"), *expr("-(5)")));
  EXPECT_FALSE(same_tree(*expr("a IN (1)"), *expr("a NOT IN (1)")));
  EXPECT_FALSE(same_tree(*expr("count(a)"), *expr("count(DISTINCT a)")));
  EXPECT_TRUE(same_tree(*expr("substr(a, 1)"), *expr("SUBSTRING(a, 1)")));
}

}  // namespace
}  // namespace logstream::sql
