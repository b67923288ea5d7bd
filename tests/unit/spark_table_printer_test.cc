#include "stages/sinks/spark_table_printer.h"

#include <gtest/gtest.h>

#include <algorithm>

namespace logstream {
namespace {

TEST(SparkTablePrinter, PrintsTheSeedsFirstBatchByteForByte) {
  TextTable table{{"status", "count"}, {{"500", "10714"}, {"200", "64971"}}};
  EXPECT_EQ(render_spark_console_batch(0, table),
            "-------------------------------------------\n"
            "Batch: 0\n"
            "-------------------------------------------\n"
            "+------+-----+\n"
            "|status|count|\n"
            "+------+-----+\n"
            "|   500|10714|\n"
            "|   200|64971|\n"
            "+------+-----+\n"
            "\n");
}

TEST(SparkTablePrinter, WidensColumnsToTheWidestCell) {
  TextTable table{{"status", "count"}, {{"200", "129942"}}};
  EXPECT_EQ(render_spark_show(table),
            "+------+------+\n"
            "|status| count|\n"
            "+------+------+\n"
            "|   200|129942|\n"
            "+------+------+\n");
}

TEST(SparkTablePrinter, ColumnsAreAtLeastThreeWide) {
  TextTable table{{"a"}, {{"1"}}};
  EXPECT_EQ(render_spark_show(table), "+---+\n|  a|\n+---+\n|  1|\n+---+\n");
}

TEST(SparkTablePrinter, TruncatesCellsLongerThanTwentyCharacters) {
  TextTable table{{"k"}, {{"abcdefghijklmnopqrstu"}, {"abcdefghijklmnopqrst"}}};
  EXPECT_EQ(render_spark_show(table),
            "+--------------------+\n"
            "|                   k|\n"
            "+--------------------+\n"
            "|abcdefghijklmnopq...|\n"
            "|abcdefghijklmnopqrst|\n"
            "+--------------------+\n");
}

TEST(SparkTablePrinter, ShowsTwentyRowsAndSaysSo) {
  TextTable table{{"n"}, {}};
  for (int i = 0; i < 25; ++i) table.rows.push_back({std::to_string(i)});
  const std::string out = render_spark_show(table);
  EXPECT_NE(out.find("| 19|\n+---+\nonly showing top 20 rows\n"), std::string::npos) << out;
  EXPECT_EQ(out.find("| 20|"), std::string::npos);
}

TEST(SparkTablePrinter, EmptyTableHasHeaderAndBorders) {
  TextTable table{{"status", "count"}, {}};
  EXPECT_EQ(render_spark_show(table), "+------+-----+\n|status|count|\n+------+-----+\n+------+-----+\n");
}

TEST(SparkTablePrinter, WidthCountsCharactersNotBytes) {
  TextTable table{{"city"}, {{"Zürich"}}};
  EXPECT_EQ(render_spark_show(table), "+------+\n|  city|\n+------+\n|Zürich|\n+------+\n");
}

}  // namespace
}  // namespace logstream

namespace logstream {
namespace {

// Expectations below follow Spark 3.4's Dataset.getRows/showString line by line; the JVM-specific parts
// (String.length in UTF-16 units, decoding and encoding) were checked against a JVM.

TEST(SparkShow, StringKeysAndSeveralColumns) {
  TextTable table{{"method", "endpoint", "count"}, {{"GET", "/index.html", "12"}, {"POST", "/login", "3"}}};
  EXPECT_EQ(render_spark_show(table),
            "+------+-----------+-----+\n"
            "|method|   endpoint|count|\n"
            "+------+-----------+-----+\n"
            "|   GET|/index.html|   12|\n"
            "|  POST|     /login|    3|\n"
            "+------+-----------+-----+\n");
}

TEST(SparkShow, TypedRowsWithNulls) {
  const Schema schema = {{"host", DataType::kString}, {"content_size", DataType::kBigint}};
  const std::vector<std::vector<Value>> rows = {{Value::null_of(DataType::kString), Value::bigint(5)},
                                                {Value::string("a.b"), Value::null_of(DataType::kBigint)}};
  EXPECT_EQ(render_spark_show(schema, rows, TimeZone()),
            "+----+------------+\n"
            "|host|content_size|\n"
            "+----+------------+\n"
            "|null|           5|\n"
            "| a.b|        null|\n"
            "+----+------------+\n");
}

TEST(SparkShow, HeadersAreNeverCut) {
  TextTable table{{"approx_count_distinct(host)"}, {{"5"}}};
  EXPECT_EQ(render_spark_show(table),
            "+---------------------------+\n"
            "|approx_count_distinct(host)|\n"
            "+---------------------------+\n"
            "|                          5|\n"
            "+---------------------------+\n");
}

TEST(SparkShow, LongCellsAreCutToTruncateMinusThreeAndAnEllipsis) {
  TextTable table{{"endpoint"}, {{"/wp-login.php?redirect_to=/admin"}}};
  EXPECT_EQ(render_spark_show(table),
            "+--------------------+\n"
            "|            endpoint|\n"
            "+--------------------+\n"
            "|/wp-login.php?red...|\n"
            "+--------------------+\n");
  EXPECT_EQ(render_spark_show(table, {20, 10}),
            "+----------+\n"
            "|  endpoint|\n"
            "+----------+\n"
            "|/wp-log...|\n"
            "+----------+\n");
}

TEST(SparkShow, TruncateBelowFourCutsWithoutAnEllipsis) {
  TextTable table{{"k"}, {{"abcdef"}, {"ab"}}};
  EXPECT_EQ(render_spark_show(table, {20, 3}), "+---+\n|  k|\n+---+\n|abc|\n| ab|\n+---+\n");
  EXPECT_EQ(render_spark_show(table, {20, 1}), "+---+\n|  k|\n+---+\n|  a|\n|  a|\n+---+\n");
  EXPECT_EQ(render_spark_show(table, {20, 4}), "+----+\n|   k|\n+----+\n|a...|\n|  ab|\n+----+\n");
}

TEST(SparkShow, TruncateFalseLeftAlignsAndNeverCuts) {
  TextTable table{{"endpoint", "n"}, {{"/wp-login.php?redirect_to=/admin", "1"}, {"/", "22"}}};
  EXPECT_EQ(render_spark_show(table, {20, 0}),
            "+--------------------------------+---+\n"
            "|endpoint                        |n  |\n"
            "+--------------------------------+---+\n"
            "|/wp-login.php?redirect_to=/admin|1  |\n"
            "|/                               |22 |\n"
            "+--------------------------------+---+\n");
}

TEST(SparkShow, FullWidthCharactersCountTwice) {
  TextTable table{{"k"}, {{"日本語"}, {"ab"}}};
  EXPECT_EQ(render_spark_show(table),
            "+------+\n"
            "|     k|\n"
            "+------+\n"
            "|日本語|\n"
            "|    ab|\n"
            "+------+\n");
  EXPECT_EQ(spark_display_width("ｱＡ가"), 5u);  // half-width katakana 1, full-width A 2, Hangul 2
}

// Truncation counts UTF-16 units (String.length), not display width: 21 CJK characters keep 17.
TEST(SparkShow, WideCellsAreCutByCharactersNotWidth) {
  const std::string cjk = "一二三四五六七八九十一二三四五六七八九十一";
  TextTable table{{"k"}, {{cjk}}};
  EXPECT_EQ(render_spark_show(table),
            "+-------------------------------------+\n"
            "|                                    k|\n"
            "+-------------------------------------+\n"
            "|一二三四五六七八九十一二三四五六七...|\n"
            "+-------------------------------------+\n");
}

// An emoji is two UTF-16 units; cutting between them leaves half a pair, which the JVM prints as '?'.
TEST(SparkShow, ACutSurrogatePairPrintsAsAQuestionMark) {
  TextTable table{{"k"}, {{std::string(16, 'x') + "\xF0\x9F\x98\x81yyy"}, {"\xF0\x9F\x98\x81"}}};
  EXPECT_EQ(render_spark_show(table),
            "+--------------------+\n"
            "|                   k|\n"
            "+--------------------+\n"
            "|xxxxxxxxxxxxxxxx?...|\n"
            "|                  \xF0\x9F\x98\x81|\n"
            "+--------------------+\n");
}

TEST(SparkShow, ControlCharactersAreEscapedInCellsAndHeaders) {
  TextTable table{{"a\tb"}, {{"GET /\r\nx"}, {"\x07\x0B\x08\x0C"}, {"\x1B[31m"}, {"\x7F\xC2\x9B"}}};
  EXPECT_EQ(render_spark_show(table),
            "+------------+\n"
            "|        a\\tb|\n"
            "+------------+\n"
            "|  GET /\\r\\nx|\n"
            "|    \\a\\v\\b\\f|\n"
            // Spark escapes only those seven and would pass ESC, DEL and C1 raw to the terminal: a log
            // line could then move the cursor. Those are written as the \xHH of their UTF-8 bytes.
            "|    \\x1b[31m|\n"
            "|\\x7f\\xc2\\x9b|\n"
            "+------------+\n");
}

// UTF8String.toString decodes like new String(bytes, UTF_8): malformed bytes become U+FFFD, with the
// JDK's grouping (an encoded surrogate is one, a sequence cut off at the end is one).
TEST(SparkShow, InvalidUtf8IsShownAsTheJvmDecodesIt) {
  const std::string fffd = "\xEF\xBF\xBD";
  struct Case {
    std::string bytes, shown;
    size_t width;
  };
  const Case cases[] = {
      {"\xFF", fffd, 1},
      {"a\xE2\x82", "a" + fffd, 2},
      {"\xED\xA0\x80", fffd, 1},
      {"\xF4\x90\x80\x80", fffd + fffd + fffd + fffd, 4},
      {"\xC0\xAF", fffd + fffd, 2},
      {"\xE2\x82"
       "A",
       fffd + "A", 2},
      {"\xF0\x9F\x80"
       "A",
       fffd + "A", 2},
      {"\xE0\x80", fffd + fffd, 2},
      {"\xED\x9F\x80", "\xED\x9F\x80", 1},  // U+D7C0, just below the surrogates: valid
  };
  for (const Case& c : cases) {
    const size_t w = std::max<size_t>(3, c.width);
    const std::string border = "+" + std::string(w, '-') + "+\n";
    TextTable table{{"v"}, {{c.bytes}}};
    EXPECT_EQ(render_spark_show(table, {20, 0}), border + "|v" + std::string(w - 1, ' ') + "|\n" + border +
                                                     "|" + c.shown + std::string(w - c.width, ' ') + "|\n" +
                                                     border)
        << c.shown;
  }
}

TEST(SparkShow, MoreThanTwentyRowsAreCut) {
  const Schema schema = {{"endpoint", DataType::kString}, {"count(1)", DataType::kBigint}};
  std::vector<std::vector<Value>> rows;
  for (int i = 0; i < 25; ++i) rows.push_back({Value::string("/p" + std::to_string(i)), Value::bigint(i)});
  const std::string out = render_spark_show(schema, rows, TimeZone());
  EXPECT_NE(out.find("|    /p19|      19|\n+--------+--------+\nonly showing top 20 rows\n"),
            std::string::npos)
      << out;
  EXPECT_EQ(out.find("/p20"), std::string::npos);
  // Widths come from the rows shown only: "/p19" and "/p2x" are both four characters, so nothing moves.
  EXPECT_EQ(out.substr(0, 24), "+--------+--------+\n|end");
}

TEST(SparkShow, OneRowSaysRow) {
  TextTable table{{"n"}, {{"1"}, {"2"}}};
  EXPECT_EQ(render_spark_show(table, {1, 20}), "+---+\n|  n|\n+---+\n|  1|\n+---+\nonly showing top 1 row\n");
  TextTable one{{"n"}, {{"1"}}};
  EXPECT_EQ(render_spark_show(one, {1, 20}), "+---+\n|  n|\n+---+\n|  1|\n+---+\n");
  EXPECT_EQ(render_spark_show(table, {0, 20}), "+---+\n|  n|\n+---+\n+---+\nonly showing top 0 rows\n");
}

TEST(SparkShow, DoublesAndTimestampsInANonUtcZone) {
  const Schema schema = {{"window", DataType::kTimestamp}, {"avg(content_size)", DataType::kDouble}};
  const TimeZone la = TimeZone::load("America/Los_Angeles").value();
  const std::vector<std::vector<Value>> rows = {
      {Value::timestamp_micros(1448769000000000), Value::float64(2326.5)},
      {Value::timestamp_micros(1448769000500000), Value::float64(1e7)},
      {Value::null_of(DataType::kTimestamp), Value::float64(0.1 + 0.2)},
  };
  EXPECT_EQ(render_spark_show(schema, rows, la),
            "+--------------------+-------------------+\n"
            "|              window|  avg(content_size)|\n"
            "+--------------------+-------------------+\n"
            "| 2015-11-28 19:50:00|             2326.5|\n"
            "|2015-11-28 19:50:...|              1.0E7|\n"
            "|                null|0.30000000000000004|\n"
            "+--------------------+-------------------+\n");
}

// A window column arrives as text from format_struct: 42 characters, so by default cut to 17 + "...".
TEST(SparkShow, AWindowStructIsCutByDefault) {
  TextTable table{{"window", "count"}, {{"{2015-11-29 03:50:00, 2015-11-29 03:55:00}", "7"}}};
  EXPECT_EQ(render_spark_show(table),
            "+--------------------+-----+\n"
            "|              window|count|\n"
            "+--------------------+-----+\n"
            "|{2015-11-29 03:50...|    7|\n"
            "+--------------------+-----+\n");
}

TEST(SparkShow, TypedConsoleBatchIsTheSeedsLayout) {
  const Schema schema = {{"status", DataType::kInt}, {"count", DataType::kBigint}};
  const std::vector<std::vector<Value>> rows = {{Value::int32(500), Value::bigint(10714)},
                                                {Value::int32(200), Value::bigint(64971)}};
  TextTable text{{"status", "count"}, {{"500", "10714"}, {"200", "64971"}}};
  EXPECT_EQ(render_spark_console_batch(0, schema, rows, TimeZone()), render_spark_console_batch(0, text));
}

}  // namespace
}  // namespace logstream
