// The graph itself, without the CLI: files that vanish or cannot be read between planning and reading.
#include "pipeline/stream_pipeline.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <fstream>

namespace logstream {
namespace {

namespace fs = std::filesystem;

TEST(StreamPipeline, AFileThatVanishedAfterPlanningIsAWarningAndTheBatchStillCloses) {
  const fs::path dir = fs::temp_directory_path() / ("logstream-pipeline-" + std::to_string(getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "a.log") << "x 200 y\nx 404 y\n";
  std::ofstream(dir / "c.log") << "x 500 y\n";
  auto parser = ChunkParser::create(FormatOptions{"spark-seed", ""});
  ASSERT_TRUE(parser) << parser.error();
  std::vector<std::string> warnings;
  std::vector<LineCounts> batches;
  PipelineOptions options;
  options.threads = 2;
  options.chunk_size = 64;
  auto pipeline = StreamPipeline::create(
      parser.value(), nullptr, options, [&](const std::string& w) { warnings.push_back(w); },
      [&](uint64_t, const LineCounts& counts) { batches.push_back(counts); });
  ASSERT_TRUE(pipeline) << pipeline.error();
  const auto counted = pipeline.value()->run_batch(
      0, {whole_file_task((dir / "a.log").string(), UINT64_MAX), whole_file_task((dir / "b.log").string(), 9),
          whole_file_task((dir / "c.log").string(), UINT64_MAX)});
  ASSERT_EQ(batches.size(), 1u);
  EXPECT_EQ(batches[0].lines_read, 3u);
  EXPECT_EQ(batches[0].status[200] + batches[0].status[404] + batches[0].status[500], 3u);
  ASSERT_EQ(warnings.size(), 1u);
  EXPECT_EQ(warnings[0], (dir / "b.log").string() + ": cannot open: No such file or directory");
  ASSERT_EQ(counted.size(), 2u) << "only files actually read are recorded for a checkpoint";
  EXPECT_EQ(counted[0].offset, 16u);
  EXPECT_EQ(counted[1].offset, 8u);
  fs::remove_all(dir);
}

}  // namespace
}  // namespace logstream
