// Bounded-time stress: many files at once into a watched directory, and a large input through a small
// pool of chunks. Exactness is checked against the reference; memory against the pool bound.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <thread>

#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"
#include "tests/support/seed_reference.h"

namespace logstream::testing {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

using StressTest = TempDirTest;

TEST_F(StressTest, HundredsOfFilesDroppedWhileWatchingAreEachCountedOnce) {
  constexpr int kFiles = 400;
  std::vector<std::string> sources;
  StatusCountMap expected;
  for (int i = 0; i < 8; ++i) {
    const std::string source = path("source-" + std::to_string(i) + ".log");
    ASSERT_EQ(run_process({kLoggen, "--lines", std::to_string(200 + i * 37), "--quirks", "all", "--seed",
                           std::to_string(100 + i), "-o", source})
                  .exit_code,
              0);
    sources.push_back(source);
  }
  RunningProcess watch({kLogstream, "watch", logs(), "-q", "--format", "spark-seed", "--quiet-ms", "100",
                        "--partial-line-wait-ms", "300", "--chunk-size", "4K", "--threads", "2"});
  std::this_thread::sleep_for(milliseconds(200));
  for (int i = 0; i < kFiles; ++i) {
    const std::string& source = sources[static_cast<size_t>(i) % sources.size()];
    for (const auto& [key, n] : reference_seed_status_counts(read_file(source))) expected[key] += n;
    const std::string tmp = path("tmp-" + std::to_string(i));
    fs::copy_file(source, tmp);
    fs::rename(tmp, logs() + "/f" + std::to_string(i) + ".log");
  }
  uint64_t expected_total = 0;
  for (const auto& [key, n] : expected) expected_total += n;
  // Batches split the files however the triggers fall; the last table must hold every line exactly once.
  const bool complete = watch.wait_for_stdout(
      [&](const std::string& out) {
        if (!out.ends_with("+\n\n")) return false;
        uint64_t total = 0;
        for (const auto& [key, n] : parse_last_console_table(out)) total += n;
        return total >= expected_total;
      },
      seconds(60));
  ASSERT_TRUE(complete) << watch.err();
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_EQ(parse_last_console_table(watch.out()), expected);
  watch.send_signal(SIGINT);
  EXPECT_EQ(watch.wait_exit(seconds(20)), 0) << watch.err();
}

TEST_F(StressTest, MemoryStaysBoundedByThePoolWhateverTheInputSize) {
  const std::string big = path("big.log");
  ASSERT_EQ(run_process({kLoggen, "--size", "400M", "--quirks", "all", "--seed", "5", "-o", big}).exit_code,
            0);
  ASSERT_GE(fs::file_size(big), 400u * 1000 * 1000);
  const auto seed = run_process({kLogstream, "run", "-q", "--format", "spark-seed", big});
  ASSERT_EQ(seed.exit_code, 0) << seed.err;
  EXPECT_LT(seed.max_rss_kb, 100 * 1024) << "peak RSS " << seed.max_rss_kb << " KiB";
  const auto combined = run_process({kLogstream, "run", "-q", "--format", "combined", big});
  ASSERT_EQ(combined.exit_code, 0) << combined.err;
  EXPECT_LT(combined.max_rss_kb, 100 * 1024) << "peak RSS " << combined.max_rss_kb << " KiB";
  fs::remove(big);
}

}  // namespace
}  // namespace logstream::testing
