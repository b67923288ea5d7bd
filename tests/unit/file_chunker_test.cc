// FileChunker on its own: which bytes of a file it hands out when the file is a copy of one counted
// before, what a damaged .gz yields (against the byte-by-byte reference), and the progress it reports in
// bytes on disk.
#include "stages/watcher/file_chunker.h"

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <regex>

#include "tests/support/gzip_reference.h"
#include "tests/support/seed_reference.h"
#include "tools/loggen/generator.h"

namespace logstream {
namespace {

namespace fs = std::filesystem;

class FileChunkerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    dir_ = fs::temp_directory_path() / ("logstream-chunker-" + std::to_string(getpid()) + "-" +
                                        ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(dir_);
    fs::create_directories(dir_);
  }
  void TearDown() override { fs::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  fs::path dir_;
};

std::string generated_log(uint64_t bytes) {
  loggen::Options options;
  options.seed = 5;
  options.max_bytes = bytes;
  loggen::Generator generator(options);
  std::string out;
  while (generator.next_line(out)) {
  }
  return out;
}

struct ReadResult {
  std::string bytes;  // every byte handed out, in order
  std::string read_error;
  std::string note;
  bool deferred = false;
  CountedFile counted;
};

ReadResult read_all(const FileTask& task, size_t chunk_size = 64 * 1024) {
  auto chunker = FileChunker::open(task, chunk_size, 0);
  EXPECT_TRUE(chunker) << chunker.error();
  ReadResult result;
  if (!chunker) return result;
  Chunk chunk(chunk_size);
  uint64_t long_line_id = 0;
  for (;;) {
    chunk.reset();
    if (!chunker.value().fill(chunk, long_line_id)) break;
    // The bytes it hands out: a piece of a long line leaves its terminator out of `size`, not out of
    // bytes_read, and starts with the overlap already handed out.
    result.bytes.append(chunk.data() + chunk.piece_overlap, chunk.counts.bytes_read);
  }
  result.read_error = chunker.value().read_error();
  result.note = chunker.value().note();
  result.deferred = chunker.value().deferred();
  result.counted = chunker.value().counted();
  return result;
}

std::shared_ptr<const std::vector<PossibleOriginal>> originals(std::vector<PossibleOriginal> list) {
  return std::make_shared<const std::vector<PossibleOriginal>>(std::move(list));
}

// What a follower knows of a file counted up to `offset`: its fingerprint, taken as a read takes it.
CountedFile counted_part(const std::string& file, uint64_t offset) {
  FILE* f = std::fopen(file.c_str(), "rb");
  EXPECT_NE(f, nullptr);
  const FileIdentity identity = identify_open_file(fileno(f), offset).value();
  std::fclose(f);
  return {file, identity, offset, std::nullopt};
}

TEST_F(FileChunkerTest, APlainCopyIsCountedOnlyPastWhatItsOriginalHadCounted) {
  const std::string counted = generated_log(20'000);
  const std::string more = generated_log(23'000).substr(counted.size());
  test_support::write_file(path("access.log"), counted);
  const CountedFile original = counted_part(path("access.log"), counted.size());
  test_support::write_file(path("access.log.1"), counted + more);  // cp after more lines were written

  FileTask task = whole_file_task(path("access.log.1"), counted.size() + more.size());
  task.count_unfinished_tail = false;
  task.possible_originals = originals({{original, false}});
  const ReadResult copy = read_all(task);
  EXPECT_EQ(copy.bytes, more);
  EXPECT_EQ(copy.counted.offset, counted.size() + more.size());
  EXPECT_NE(copy.note.find("access.log.1: a copy of " + path("access.log") + ", whose first " +
                           std::to_string(counted.size()) + " bytes are already counted"),
            std::string::npos)
      << copy.note;

  // A file with other first bytes is no copy: counted from 0.
  test_support::write_file(path("other.log"), more + counted);
  task.path = path("other.log");
  EXPECT_EQ(read_all(task).bytes, more + counted);
  // Nor is a file its own copy (access.log read again from 0 after a truncation, refilled alike).
  task.path = path("access.log");
  task.size_limit = counted.size();
  EXPECT_EQ(read_all(task).bytes, counted);
}

TEST_F(FileChunkerTest, ACopyNotHoldingTheCountedPartOrWhoseOriginalIsStillReadIsDeferred) {
  const std::string counted = generated_log(20'000);
  test_support::write_file(path("access.log"), counted);
  const CountedFile original = counted_part(path("access.log"), counted.size());
  test_support::write_file(path("access.log.1"), counted.substr(0, 8192));  // cp half done

  FileTask task = whole_file_task(path("access.log.1"), 8192);
  task.count_unfinished_tail = false;
  task.possible_originals = originals({{original, false}});
  ReadResult copy = read_all(task);
  EXPECT_TRUE(copy.deferred);
  EXPECT_TRUE(copy.bytes.empty()) << "never counted from 0 while it is being written";

  test_support::write_file(path("access.log.1"), counted);
  task.size_limit = counted.size();
  task.possible_originals = originals({{original, true}});
  copy = read_all(task);
  EXPECT_TRUE(copy.deferred) << "the original's offset may still move in this batch";
  EXPECT_TRUE(copy.bytes.empty());
}

TEST_F(FileChunkerTest, ACompressedCopyIsMatchedByTheSameRule) {
  const std::string counted = generated_log(30'000);
  const std::string more = generated_log(31'000).substr(counted.size());
  test_support::write_file(path("access.log.1"), counted);
  const CountedFile original = counted_part(path("access.log.1"), counted.size());
  test_support::write_file(path("access.log.1.gz"), test_support::gzip_bytes(counted + more));
  FileTask task = whole_file_task(path("access.log.1.gz"), UINT64_MAX);
  task.possible_originals = originals({{original, false}});
  const ReadResult copy = read_all(task, 4096);
  EXPECT_EQ(copy.bytes, more);
  EXPECT_NE(copy.note.find("the compressed copy of"), std::string::npos) << copy.note;
}

TEST_F(FileChunkerTest, ADamagedGzipYieldsEveryCompleteLineDecodedBeforeTheDamage) {
  const std::string log = generated_log(3'000'000);
  const std::string clean = test_support::gzip_bytes(log);
  // Two members (cat a.gz b.gz): the second's damage keeps the whole first.
  const std::string two_members = test_support::gzip_bytes(log.substr(0, 100'000)) + clean;
  int early_failures = 0;
  for (const auto& [name, gz] : {std::pair{"one", clean}, std::pair{"two", two_members}}) {
    for (const size_t offset : {size_t{20}, size_t{5000}, size_t{70'000}, size_t{200'000}, gz.size() - 6}) {
      for (const std::string& damage : {std::string("\xff\xff\xff\xff"), std::string(4, '\0')}) {
        std::string bytes = gz;
        bytes.replace(offset, damage.size(), damage);
        test_support::write_file(path("damaged.gz"), bytes);
        const test_support::DecodedPrefix reference = test_support::decode_until_error(bytes);
        ASSERT_TRUE(reference.failed) << name << " " << offset;
        const std::string& decoded = reference.bytes;
        const std::string complete_lines = decoded.substr(0, reference.complete);
        if (complete_lines.size() + 100'000 < log.size()) ++early_failures;
        const size_t cut_line = decoded.size() - complete_lines.size();
        for (const size_t chunk_size : {size_t{4096}, size_t{1} << 20, size_t{4} << 20}) {
          if (cut_line == chunk_size) continue;  // whether it is a long line depends on where reads end
          const ReadResult read = read_all(whole_file_task(path("damaged.gz"), UINT64_MAX), chunk_size);
          // The line the damage cuts is no line; unless longer than a chunk: its first pieces were out.
          const std::string& expected = cut_line > chunk_size ? decoded : complete_lines;
          EXPECT_EQ(read.bytes.size(), expected.size()) << name << " " << offset << " " << chunk_size;
          EXPECT_TRUE(read.bytes == expected) << name << " " << offset << " " << chunk_size;
          std::smatch m;
          ASSERT_TRUE(std::regex_search(
              read.read_error, m,
              std::regex(path("damaged.gz") + ": decompression failed at compressed byte ([0-9]+): ")))
              << read.read_error;
          EXPECT_GE(std::stoull(m[1]), offset) << "found at or after the damage";
          EXPECT_LE(std::stoull(m[1]), bytes.size());
        }
      }
    }
  }
  EXPECT_GT(early_failures, 4) << "the cases must include damage found long before the end";
}

TEST_F(FileChunkerTest, ACutGzipIsAWarningAndItsCompleteLinesCount) {
  const std::string log = generated_log(500'000);
  const std::string gz = test_support::gzip_bytes(log);
  test_support::write_file(path("cut.gz"), gz.substr(0, gz.size() / 2));
  const test_support::DecodedPrefix reference = test_support::decode_until_error(gz.substr(0, gz.size() / 2));
  EXPECT_TRUE(reference.failed);
  const ReadResult read = read_all(whole_file_task(path("cut.gz"), UINT64_MAX));
  EXPECT_EQ(read.bytes, reference.bytes.substr(0, reference.complete));
  EXPECT_NE(read.read_error.find("cut short"), std::string::npos) << read.read_error;
}

TEST_F(FileChunkerTest, ProgressCountsBytesOnDiskCompressedOnesForAGzip) {
  const std::string log = generated_log(2'000'000);
  const std::string gz = test_support::gzip_bytes(log);
  test_support::write_file(path("a.log.gz"), gz);
  test_support::write_file(path("b.log"), log);
  auto consumed = std::make_shared<std::atomic<uint64_t>>(0);
  FileTask task = whole_file_task(path("a.log.gz"), UINT64_MAX);
  task.bytes_consumed = consumed;
  EXPECT_EQ(read_all(task).bytes.size(), log.size());
  EXPECT_EQ(consumed->load(), gz.size()) << "the unit of the total: the file's size";
  task = whole_file_task(path("b.log"), UINT64_MAX);
  task.bytes_consumed = consumed;
  EXPECT_EQ(read_all(task).bytes.size(), log.size());
  EXPECT_EQ(consumed->load(), gz.size() + log.size());
}

}  // namespace
}  // namespace logstream
