// Each sink's own syntax: JSON lines, CSV, Prometheus text, and the progress bar's text.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "pipeline/batch_outputs.h"
#include "pipeline/progress_bar.h"
#include "stages/merger/status_table.h"
#include "stages/sinks/batch_sink.h"
#include "stages/sinks/prometheus_text.h"

namespace logstream {
namespace {

StatusTable table_with_null() {
  LineCounts batch;
  batch.lines_read = 6;
  batch.status[200] = 3;
  batch.status[404] = 2;
  batch.null_status = 1;
  StatusTable table;
  table.add_batch(batch);
  return table;
}

TEST(Sinks, JsonLinesAreOneObjectPerRowWithTheBatchIdAndNullAsNull) {
  const StatusTable table = table_with_null();
  const std::string text = render_jsonl_rows(7, StatusTable::schema(), table.result_rows(RowOrder::kKey), {});
  EXPECT_EQ(text,
            "{\"batch\":7,\"status\":null,\"count\":1}\n{\"batch\":7,\"status\":200,\"count\":3}\n"
            "{\"batch\":7,\"status\":404,\"count\":2}\n");
  for (size_t at = 0; at < text.size();) {
    const size_t end = text.find('\n', at);
    EXPECT_TRUE(nlohmann::json::accept(text.substr(at, end - at)));
    at = end + 1;
  }
}

TEST(Sinks, CsvHasOneHeaderAndAnEmptyFieldForNull) {
  const StatusTable table = table_with_null();
  const auto rows = table.result_rows(RowOrder::kKey);
  EXPECT_EQ(render_csv_rows(0, StatusTable::schema(), rows, {}, true),
            "batch,status,count\n0,,1\n0,200,3\n0,404,2\n");
  EXPECT_EQ(render_csv_rows(1, StatusTable::schema(), rows, {}, false), "1,,1\n1,200,3\n1,404,2\n");
}

TEST(Sinks, PrometheusTextHasEveryFamilyAndEscapesLabels) {
  const StatusTable table = table_with_null();
  const std::string text = render_prometheus(table.totals(), 3, {});
  EXPECT_NE(text.find("# TYPE logstream_lines_read_total counter\nlogstream_lines_read_total 6\n"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("logstream_status_lines_total{status=\"null\"} 1\n"), std::string::npos) << text;
  EXPECT_NE(text.find("logstream_status_lines_total{status=\"404\"} 2\n"), std::string::npos) << text;
  EXPECT_NE(text.find("logstream_lines_rejected_total{reason=\"bad timestamp\"} 0\n"), std::string::npos);
  EXPECT_NE(text.find("logstream_batches_total 3\n"), std::string::npos);
  EXPECT_EQ(escape_prometheus_label("a\"b\\c\nd"), "a\\\"b\\\\c\\nd");
}

TEST(Sinks, ProgressJsonIsOneParsableLineWithSparksFieldNames) {
  LineCounts batch;
  batch.lines_read = 10;
  batch.bytes_read = 1000;
  batch.rejects[static_cast<size_t>(RejectReason::kBadStatus)] = 2;
  BatchTimings timings{100, 5, 1, 106};
  const StateReport state{"groupBy(status).count()", 3, 1, 640, std::nullopt, 0, "", std::nullopt};
  const std::string line = render_progress_json("query", "run", 4, batch, 2, state, timings, 2048, 4096);
  ASSERT_EQ(line.back(), '\n');
  EXPECT_EQ(line.find('\n'), line.size() - 1);
  const auto json = nlohmann::json::parse(line);
  EXPECT_EQ(json["batchId"], 4);
  EXPECT_EQ(json["numInputRows"], 10);
  EXPECT_DOUBLE_EQ(json["processedRowsPerSecond"].get<double>(), 100.0);
  EXPECT_EQ(json["rejectedRows"]["bad status"], 2);
  EXPECT_EQ(json["stateOperators"][0]["numRowsTotal"], 3);
  EXPECT_EQ(json["stateOperators"][0]["numRowsUpdated"], 1);
  EXPECT_EQ(json["stateOperators"][0]["memoryUsedBytes"], 640);
  EXPECT_EQ(json["id"], "query");
  EXPECT_EQ(json["runId"], "run");
  EXPECT_TRUE(json["durationMs"]["triggerExecution"].is_number_integer()) << "Spark's durationMs are Longs";
  EXPECT_EQ(json["durationMs"]["triggerExecution"], 106);
  EXPECT_EQ(json["memory"]["peakRssBytes"], 2048 * 1024);
}

TEST(Sinks, ProgressBarTextShowsShareRateAndEta) {
  EXPECT_EQ(render_progress_bar(500'000'000, 1'000'000'000, 1.0),
            "[===============>              ]  50% 500.0 MB / 1.0 GB  500.0 MB/s  ETA 1 s");
  EXPECT_EQ(render_progress_bar(1'000'000'000, 1'000'000'000, 2.0),
            "[==============================] 100% 1.0 GB / 1.0 GB  500.0 MB/s");
  EXPECT_EQ(render_progress_bar(10, 0, 0).find("????"), 1u);
}

}  // namespace
}  // namespace logstream
