// The fast path (FileChunker + ChunkParser + BatchAccumulator, no threads) against the slow reference, on
// every data file and on quirky generated logs, at chunk sizes from tiny to large: every chunk boundary
// lands somewhere different, inside lines, between '\r' and '\n', inside long lines.
#include <gtest/gtest.h>

#include <filesystem>

#include "stages/merger/batch_accumulator.h"
#include "stages/merger/status_table.h"
#include "stages/parser/chunk_parser.h"
#include "stages/watcher/file_chunker.h"
#include "tests/support/seed_reference.h"
#include "tools/loggen/generator.h"

namespace logstream {
namespace {

using test_support::StatusCountMap;

LineCounts count_file(const std::string& path, const ChunkParser& parser, size_t chunk_size) {
  auto context = parser.make_context().value();
  auto chunker =
      FileChunker::open(whole_file_task(path, UINT64_MAX), chunk_size, parser.piece_overlap()).value();
  BatchAccumulator accumulator;
  accumulator.start(7);
  Chunk chunk(chunk_size);
  uint64_t chunks = 0, long_line_id = 0;
  bool first = true;
  uint32_t parser_index = 0;
  for (;;) {
    chunk.reset();
    chunk.batch_id = 7;
    if (!chunker.fill(chunk, long_line_id)) break;
    EXPECT_LE(chunk.size, chunk_size);
    if (first) {
      std::string note;
      parser_index = parser.choose_for_file(std::string_view(chunk.data(), chunk.size), note);
      first = false;
    }
    chunk.parser_index = parser_index;
    parser.process(context, chunk);
    ++chunks;
    EXPECT_FALSE(accumulator.add(chunk));
  }
  chunk.reset();
  chunk.batch_id = 7;
  chunk.shape = ChunkShape::kBatchEnd;
  chunk.batch_chunk_count = chunks;
  EXPECT_TRUE(accumulator.add(chunk));
  return accumulator.counts();
}

StatusCountMap as_map(const LineCounts& counts) {
  StatusCountMap map;
  StatusTable table;
  table.add_batch(counts);
  for (const StatusRow& row : table.rows(RowOrder::kKey)) map[row.status] = row.count;
  return map;
}

std::string temp_path(const std::string& name) {
  return (std::filesystem::temp_directory_path() /
          ("logstream-unit-" + std::to_string(getpid()) + "-" + name))
      .string();
}

std::string generate(uint64_t seed, uint64_t lines, const std::string& format, const std::string& quirks) {
  loggen::Options options;
  options.seed = seed;
  options.max_lines = lines;
  options.format = format;
  std::string unknown;
  EXPECT_TRUE(loggen::parse_quirks(quirks, options.quirks, unknown));
  loggen::Generator generator(options);
  std::string out;
  while (generator.next_line(out)) {
  }
  return out;
}

const size_t kChunkSizes[] = {16, 17, 64, 100, 257, 4096, 65536, 1 << 20};

void expect_seed_matches_reference(const std::string& path) {
  const StatusCountMap expected = test_support::reference_seed_status_counts(test_support::read_file(path));
  const auto parser = ChunkParser::create({"spark-seed", ""}).value();
  uint64_t expected_lines = 0;
  for (const auto& [key, n] : expected) expected_lines += n;
  for (size_t chunk_size : kChunkSizes) {
    const LineCounts counts = count_file(path, parser, chunk_size);
    EXPECT_EQ(as_map(counts), expected) << path << " at chunk size " << chunk_size;
    EXPECT_EQ(counts.lines_read, expected_lines) << path << " at chunk size " << chunk_size;
    EXPECT_EQ(counts.bytes_read, std::filesystem::file_size(path)) << path << " at chunk size " << chunk_size;
  }
}

TEST(ChunkingReference, SeedFormatMatchesReferenceOnEveryDataFile) {
  for (const auto& entry : std::filesystem::directory_iterator(LOGSTREAM_SHARED_DATA)) {
    if (entry.path().extension() == ".log") expect_seed_matches_reference(entry.path().string());
  }
}

TEST(ChunkingReference, SeedFormatMatchesReferenceOnQuirkyGeneratedLogs) {
  for (uint64_t seed : {1, 2, 3}) {
    const std::string path = temp_path("quirks-" + std::to_string(seed) + ".log");
    test_support::write_file(path, generate(seed, 3000, seed == 2 ? "common" : "combined", "all"));
    expect_seed_matches_reference(path);
    std::filesystem::remove(path);
  }
}

TEST(ChunkingReference, MatchesStraddlingPieceBoundariesOfLongLinesAreFound) {
  // A line far longer than the chunk with its only status near the end, then one whose status straddles
  // every possible piece boundary position, then CR line ends.
  std::string bytes = std::string(5000, 'x') + " 404 tail\n";
  for (int shift = 0; shift < 20; ++shift)
    bytes += std::string(static_cast<size_t>(40 + shift), 'y') + " 301 z\r\n";
  bytes += std::string(300, 'q') + "\r" + std::string(70, 'w') + "\rlast 200 ";
  const std::string path = temp_path("long.log");
  test_support::write_file(path, bytes);
  expect_seed_matches_reference(path);
  std::filesystem::remove(path);
}

TEST(ChunkingReference, FixedFormatsCountTheSameAtEveryChunkSize) {
  const std::string path = temp_path("combined.log");
  test_support::write_file(path, generate(9, 4000, "combined", "all"));
  const auto parser = ChunkParser::create({"combined", ""}).value();
  const LineCounts whole = count_file(path, parser, 1 << 22);
  EXPECT_EQ(whole.lines_read, whole.accepted() + whole.rejected());
  EXPECT_GT(whole.rejected(), 0u);
  for (size_t chunk_size : {size_t{20000}, size_t{65536}, size_t{1} << 20}) {
    const LineCounts counts = count_file(path, parser, chunk_size);
    EXPECT_EQ(as_map(counts), as_map(whole)) << chunk_size;
    EXPECT_EQ(counts.rejects, whole.rejects) << chunk_size;
  }
  // Smaller than the longest request line: those lines become "too long" rejects, nothing is lost.
  const LineCounts small = count_file(path, parser, 1024);
  EXPECT_EQ(small.lines_read, whole.lines_read);
  EXPECT_GT(small.rejects[static_cast<size_t>(RejectReason::kTooLong)], 0u);
  std::filesystem::remove(path);
}

TEST(ChunkingReference, SizeLimitStopsAtTheJudgedCompleteBytes) {
  const std::string path = temp_path("limit.log");
  test_support::write_file(path, "a 200 b\nc 404 d\ne 500 f\n");
  const auto parser = ChunkParser::create({"spark-seed", ""}).value();
  auto chunker = FileChunker::open(whole_file_task(path, 16), 64, parser.piece_overlap()).value();
  Chunk chunk(64);
  uint64_t id = 0;
  ASSERT_TRUE(chunker.fill(chunk, id));
  EXPECT_EQ(std::string(chunk.data(), chunk.size), "a 200 b\nc 404 d\n");
  chunk.reset();
  EXPECT_FALSE(chunker.fill(chunk, id));
  std::filesystem::remove(path);
}

TEST(ChunkingReference, RefusesWhatIsNotARegularFile) {
  auto chunker = FileChunker::open(whole_file_task("/dev/null", UINT64_MAX), 64, 0);
  ASSERT_FALSE(chunker);
  EXPECT_NE(chunker.error().find("/dev/null"), std::string::npos);
  auto missing = FileChunker::open(whole_file_task("/nonexistent/file.log", UINT64_MAX), 64, 0);
  ASSERT_FALSE(missing);
  EXPECT_NE(missing.error().find("No such file"), std::string::npos) << missing.error();
}

}  // namespace
}  // namespace logstream
