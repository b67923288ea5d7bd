#include "stages/sinks/spark_table_printer.h"

#include <gtest/gtest.h>

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
