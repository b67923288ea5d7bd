// `logstream watch` end to end: a real directory, real copies, real signals.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <thread>

#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"
#include "tests/support/seed_reference.h"

namespace logstream::test_support {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

const std::string kRule = "-------------------------------------------\n";

std::string batch_block(int batch, const std::vector<std::pair<std::string, uint64_t>>& rows) {
  size_t width = 5;
  for (const auto& [key, n] : rows) width = std::max(width, std::to_string(n).size());
  std::string border = "+------+";
  border.append(width, '-').append("+\n");
  std::string out = kRule;
  out.append("Batch: ").append(std::to_string(batch)).append("\n").append(kRule).append(border);
  out.append("|status|").append(width - 5, ' ').append("count|\n").append(border);
  for (const auto& [key, n] : rows) {
    const std::string count = std::to_string(n);
    out.append("|").append(6 - key.size(), ' ').append(key).append("|");
    out.append(width - count.size(), ' ').append(count).append("|\n");
  }
  return out.append(border).append("\n");
}

// Plain `cp`, not an atomic move: the file appears and grows while logstream watches.
void copy_in(const std::string& from, const std::string& to) {
  ASSERT_EQ(std::system(("cp '" + from + "' '" + to + "'").c_str()), 0);
}

class WatchCliTest : public TempDirTest {
 protected:
  std::unique_ptr<RunningProcess> start_watch(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {kLogstream, "watch", logs()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    auto process = std::make_unique<RunningProcess>(argv);
    // Give it time to set up inotify before the test drops files (files already there count too).
    std::this_thread::sleep_for(milliseconds(200));
    return process;
  }
};

TEST_F(WatchCliTest, DroppingARealLogTwicePrintsBatchZeroThenEveryCountDoubled) {
  auto watch = start_watch({"--format", "spark-seed"});
  copy_in(kSharedData + "/elastic-apache.log", logs() + "/access_log.txt");
  ASSERT_TRUE(watch->wait_for_text("Batch: 0\n", 1, seconds(20))) << watch->err();
  ASSERT_TRUE(watch->wait_for_text("+------+-----+\n\n", 1, seconds(5)));
  const std::string batch0 = batch_block(0, {{"416", 2},
                                             {"206", 45},
                                             {"500", 3},
                                             {"301", 164},
                                             {"403", 2},
                                             {"404", 213},
                                             {"200", 9126},
                                             {"304", 445}});
  EXPECT_EQ(watch->out(), batch0);

  copy_in(kSharedData + "/elastic-apache.log", logs() + "/access_log_1.txt");
  ASSERT_TRUE(watch->wait_for_text("Batch: 1\n", 1, seconds(20))) << watch->err();
  ASSERT_TRUE(watch->wait_for_stdout(
      [](const std::string& out) {
        return out.size() > 2 && out.ends_with("+\n\n") && count_occurrences(out, "+\n\n") == 2;
      },
      seconds(5)));
  EXPECT_EQ(watch->out(), batch0 + batch_block(1, {{"416", 4},
                                                   {"206", 90},
                                                   {"500", 6},
                                                   {"301", 328},
                                                   {"403", 4},
                                                   {"404", 426},
                                                   {"200", 18252},
                                                   {"304", 890}}));
  watch->send_signal(SIGINT);
  EXPECT_EQ(watch->wait_exit(seconds(10)), 0) << watch->err();
}

TEST_F(WatchCliTest, CrlfLogWithACutLastLineGivesTheNullRowAndDoubles) {
  auto watch = start_watch({"--format", "spark-seed", "--quiet-ms", "100"});
  copy_in(kSharedData + "/twiki-2004.log", logs() + "/a.log");
  ASSERT_TRUE(watch->wait_for_text("+------+-----+\n\n", 1, seconds(20))) << watch->err();
  EXPECT_EQ(
      watch->out(),
      batch_block(
          0, {{"null", 1}, {"404", 5}, {"408", 1}, {"200", 1273}, {"304", 137}, {"302", 6}, {"401", 123}}));
  copy_in(kSharedData + "/twiki-2004.log", logs() + "/b.log");
  ASSERT_TRUE(watch->wait_for_text("Batch: 1\n", 1, seconds(20))) << watch->err();
  ASSERT_TRUE(watch->wait_for_text("+\n\n", 2, seconds(5)));
  EXPECT_EQ(parse_last_console_table(watch->out()),
            (StatusCountMap{
                {200, 2546}, {302, 12}, {304, 274}, {401, 246}, {404, 10}, {408, 2}, {std::nullopt, 2}}));
  watch->send_signal(SIGTERM);
  EXPECT_EQ(watch->wait_exit(seconds(10)), 0);
}

TEST_F(WatchCliTest, AFileStillBeingWrittenIsNeverCountedHalf) {
  auto watch = start_watch({"--format", "spark-seed", "--quiet-ms", "300"});
  const std::string all = read_file(kSharedData + "/elastic-apache.log");
  {
    // One writer, pieces cut mid-line, pauses shorter than the quiet period, and one long pause in the
    // middle of a line: the file must still be counted once, whole.
    std::ofstream writer(logs() + "/growing.log", std::ios::binary);
    size_t at = 0;
    int piece = 0;
    while (at < all.size()) {
      const size_t n = std::min(all.size() - at, size_t{300000} + 1234);
      writer.write(all.data() + at, static_cast<std::streamsize>(n));
      writer.flush();
      at += n;
      std::this_thread::sleep_for(milliseconds(++piece == 3 ? 700 : 50));
    }
  }
  ASSERT_TRUE(watch->wait_for_text("+\n\n", 1, seconds(20))) << watch->err();
  EXPECT_EQ(parse_last_console_table(watch->out()), reference_seed_status_counts(all));
  std::this_thread::sleep_for(milliseconds(800));
  EXPECT_EQ(count_occurrences(watch->out(), "Batch: "), 1u) << "no second batch for the same file";
  watch->send_signal(SIGINT);
  EXPECT_EQ(watch->wait_exit(seconds(10)), 0);
}

TEST_F(WatchCliTest, NoNewDataNoBatchAndHiddenFilesAreIgnored) {
  auto watch = start_watch({"--quiet-ms", "100", "--rescan-ms", "50"});
  write_file(logs() + "/.partial.log", "x 200 y\n");
  write_file(logs() + "/_COPYING_", "x 200 y\n");
  fs::create_directory(logs() + "/subdir");
  std::this_thread::sleep_for(milliseconds(700));
  EXPECT_EQ(watch->out(), "");
  // An atomic move in, the way Spark asks writers to deliver files.
  write_file(path("outside.log"), read_file(kSharedData + "/twiki-2004.log"));
  fs::rename(path("outside.log"), logs() + "/moved.log");
  ASSERT_TRUE(watch->wait_for_text("+\n\n", 1, seconds(20))) << watch->err();
  EXPECT_NE(watch->err().find("moved.log: format common"), std::string::npos) << watch->err();
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_EQ(count_occurrences(watch->out(), "Batch: "), 1u);
  watch->send_signal(SIGINT);
  EXPECT_EQ(watch->wait_exit(seconds(10)), 0);
  EXPECT_NE(watch->err().find("stopped after 1 batch\n"), std::string::npos) << watch->err();
}

TEST_F(WatchCliTest, FilesAlreadyThereAreTheFirstBatchAndRescanFindsFilesWithoutInotify) {
  copy_in(kSharedData + "/twiki-2004.log", logs() + "/old.log");
  auto watch = start_watch(
      {"-q", "--no-inotify", "--rescan-ms", "50", "--quiet-ms", "100", "--partial-line-wait-ms", "300"});
  ASSERT_TRUE(watch->wait_for_text("Batch: 0\n", 1, seconds(20))) << watch->err();
  copy_in(kSharedData + "/twiki-2004.log", logs() + "/new.log");
  ASSERT_TRUE(watch->wait_for_text("Batch: 1\n", 1, seconds(20))) << watch->err();
  ASSERT_TRUE(watch->wait_for_text("+\n\n", 2, seconds(5)));
  EXPECT_EQ(parse_last_console_table(watch->out()).at(401), 246u);
  watch->send_signal(SIGINT);
  EXPECT_EQ(watch->wait_exit(seconds(10)), 0);
}

TEST_F(WatchCliTest, StdoutIsFlushedPerBatchThroughAPipeAndDefaultDirIsLogs) {
  // RunningProcess reads through a pipe; a batch that sat in a buffer would time out here. The default
  // directory is ./logs relative to the working directory.
  const auto cwd = fs::current_path();
  fs::current_path(dir_);
  auto watch = std::make_unique<RunningProcess>(std::vector<std::string>{kLogstream, "watch", "-q"});
  fs::current_path(cwd);
  std::this_thread::sleep_for(milliseconds(200));
  copy_in(kSharedData + "/twiki-2004.log", logs() + "/a.log");
  EXPECT_TRUE(watch->wait_for_text("Batch: 0\n", 1, seconds(20))) << watch->err();
  watch->send_signal(SIGINT);
  EXPECT_EQ(watch->wait_exit(seconds(10)), 0);
}

}  // namespace
}  // namespace logstream::test_support
