// Bounded-time stress: many files at once into a watched directory, and a large input through a small
// pool of chunks. Exactness is checked against the reference; memory against the pool bound.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <thread>

#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"
#include "tests/support/seed_reference.h"
#include "tests/support/stress_seed.h"

namespace logstream::test_support {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

using StressTest = TempDirTest;

// The output up to the end of its last whole table: a process killed with SIGKILL while printing leaves a
// torn table, and one killed after printing but before committing has that batch printed again by the next.
std::string whole_tables(const std::string& out) {
  const size_t end = out.rfind("+\n\n");
  return end == std::string::npos ? std::string() : out.substr(0, end + 3);
}

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

TEST_F(StressTest, A200MegabyteLineWithoutANewlineIsOneLineInBoundedMemory) {
  const std::string big = path("one-line.log");
  {
    // Written in pieces: this process's own memory is inherited by the child's peak-RSS count at fork.
    const std::string piece(1u << 20, 'a');
    std::ofstream out(big, std::ios::binary);
    out << "x 200 y\n";
    for (int i = 0; i < 100; ++i) out << piece;
    out << " 404 ";
    for (int i = 0; i < 100; ++i) out << piece;  // and no final newline
  }
  const auto seed = run_process({kLogstream, "--format", "spark-seed", "run", big});
  ASSERT_EQ(seed.exit_code, 0) << seed.err;
  EXPECT_EQ(parse_last_console_table(seed.out), (StatusCountMap{{200, 1}, {404, 1}}));
  EXPECT_NE(seed.err.find("2 lines read = 2 accepted + 0 rejected"), std::string::npos) << seed.err;
  EXPECT_LT(seed.max_rss_kb, 100 * 1024) << "peak RSS " << seed.max_rss_kb << " KiB";
  const auto combined = run_process({kLogstream, "--format", "combined", "run", big});
  ASSERT_EQ(combined.exit_code, 0) << combined.err;
  EXPECT_NE(combined.err.find("2 lines read = 0 accepted + 2 rejected"), std::string::npos) << combined.err;
  EXPECT_NE(combined.err.find("1 too long"), std::string::npos) << combined.err;
  EXPECT_LT(combined.max_rss_kb, 100 * 1024) << "peak RSS " << combined.max_rss_kb << " KiB";
  fs::remove(big);
}

TEST_F(StressTest, TwentyThousandFilesDroppedAtOnceAreEachCountedOnce) {
  constexpr int kFiles = 20000;
  const std::string staging = path("staging");
  fs::create_directories(staging);
  for (int i = 0; i < kFiles; ++i) {
    write_file(
        staging + "/f" + std::to_string(i) + ".log",
        "h - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" " + std::to_string(200 + i % 3) + " 1\n");
  }
  RunningProcess watch({kLogstream, "-q", "--format", "common", "watch", logs(), "--quiet-ms", "100"});
  std::this_thread::sleep_for(milliseconds(200));
  // Renames, as fast as the file system takes them: far more events than inotify's queue holds.
  for (int i = 0; i < kFiles; ++i) {
    const std::string name = "/f" + std::to_string(i) + ".log";
    fs::rename(staging + name, logs() + name);
  }
  const StatusCountMap expected{{200, 6667}, {201, 6667}, {202, 6666}};
  const bool complete = watch.wait_for_stdout(
      [&](const std::string& out) {
        return out.ends_with("+\n\n") && parse_last_console_table(out) == expected;
      },
      seconds(60));
  EXPECT_TRUE(complete) << watch.err();
  std::this_thread::sleep_for(milliseconds(300));
  EXPECT_EQ(parse_last_console_table(watch.out()), expected);
  watch.send_signal(SIGINT);
  EXPECT_EQ(watch.wait_exit(seconds(20)), 0) << watch.err();
}

// A reader that stops reading: the pipeline stalls on the full pipe instead of queueing batches in
// memory, and once the reader drains it, every batch arrives and nothing is lost.
TEST_F(StressTest, ABlockedStdoutStallsThePipelineWithoutGrowingMemory) {
  RunningProcess watch({kLogstream, "-q", "--format", "common", "watch", logs(), "--quiet-ms", "20"});
  std::this_thread::sleep_for(milliseconds(200));
  constexpr int kFiles = 400;  // ~500 bytes of table per batch: several times what a pipe buffers
  for (int i = 0; i < kFiles; ++i) {
    std::string text;
    for (int status = 200; status < 208; ++status)
      text += "h - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" " + std::to_string(status) + " 1\n";
    write_file(path("tmp"), text);
    fs::rename(path("tmp"), logs() + "/f" + std::to_string(i) + ".log");
    std::this_thread::sleep_for(milliseconds(2));
  }
  // Nobody has read stdout yet: logstream is blocked writing. Its memory must still be small.
  std::this_thread::sleep_for(milliseconds(500));
  long rss_kb = 0;
  {
    std::ifstream status("/proc/" + std::to_string(watch.pid()) + "/status");
    for (std::string line; std::getline(status, line);) {
      if (line.rfind("VmRSS:", 0) == 0) rss_kb = std::stol(line.substr(6));
    }
  }
  EXPECT_GT(rss_kb, 0);
  EXPECT_LT(rss_kb, 100 * 1024);
  StatusCountMap expected;
  for (int status = 200; status < 208; ++status) expected[status] = kFiles;
  const bool complete = watch.wait_for_stdout(
      [&](const std::string& out) {
        return out.ends_with("+\n\n") && parse_last_console_table(out) == expected;
      },
      seconds(60));
  EXPECT_TRUE(complete) << watch.err();
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

// The exactly-once promise under the worst crash there is: files keep arriving while `watch --checkpoint`
// is killed with SIGKILL at random moments (mid-batch, mid-print, mid-commit) and restarted. The last
// table printed must equal both a clean run over the same files and the independent reference.
TEST_F(StressTest, KilledAtRandomMomentsAndRestartedTheTableEqualsOneCleanRun) {
  constexpr int kFiles = 120;
  const unsigned seed = stress_seed();
  SCOPED_TRACE("random seed " + std::to_string(seed) + " (LOGSTREAM_STRESS_SEED replays it)");
  std::mt19937 rng(seed);
  std::vector<std::string> sources;
  for (int i = 0; i < 6; ++i) {
    const std::string source = path("source-" + std::to_string(i) + ".log");
    ASSERT_EQ(run_process({kLoggen, "--lines", std::to_string(2000 + i * 4000), "--quirks", "all", "--seed",
                           std::to_string(300 + i), "-o", source})
                  .exit_code,
              0);
    sources.push_back(source);
  }
  StatusCountMap expected;
  std::vector<std::pair<std::string, milliseconds>> drops;
  for (int i = 0; i < kFiles; ++i) {
    const std::string& source = sources[rng() % sources.size()];
    for (const auto& [key, n] : reference_seed_status_counts(read_file(source))) expected[key] += n;
    drops.emplace_back(source, milliseconds(rng() % 25));
  }
  std::thread writer([&] {
    for (size_t i = 0; i < drops.size(); ++i) {
      const std::string name = logs() + "/f" + std::to_string(i) + ".log";
      if (i % 2 == 0) {
        fs::copy_file(drops[i].first, name);  // appears, then grows: the watcher must wait for it
      } else {
        const std::string tmp = path("tmp-" + std::to_string(i));
        fs::copy_file(drops[i].first, tmp);
        fs::rename(tmp, name);
      }
      std::this_thread::sleep_for(drops[i].second);
    }
  });
  const std::vector<std::string> watch_argv = {kLogstream,
                                               "-q",
                                               "--format",
                                               "spark-seed",
                                               "--checkpoint",
                                               path("state"),
                                               "--chunk-size",
                                               "64K",
                                               "watch",
                                               logs(),
                                               "--quiet-ms",
                                               "50",
                                               "--partial-line-wait-ms",
                                               "300"};
  std::string printed;  // whole tables of every process, in order
  int kills = 0;
  const auto writer_started = std::chrono::steady_clock::now();
  while (kills < 40 && std::chrono::steady_clock::now() - writer_started < seconds(20)) {
    RunningProcess watch(watch_argv);
    std::this_thread::sleep_for(milliseconds(20 + rng() % 200));
    watch.send_signal(SIGKILL);
    watch.wait_exit(seconds(10));
    printed += whole_tables(watch.out());
    ++kills;
    if (kills >= 12 && drops.size() > 0 && fs::exists(logs() + "/f" + std::to_string(kFiles - 1) + ".log"))
      break;
  }
  writer.join();
  {
    RunningProcess watch(watch_argv);
    std::this_thread::sleep_for(milliseconds(1500));
    watch.send_signal(SIGTERM);
    EXPECT_EQ(watch.wait_exit(seconds(20)), 0) << watch.err();
    printed += whole_tables(watch.out());
  }
  // Anything the last watcher had not taken yet is counted by a run on the same checkpoint.
  const auto rest =
      run_process({kLogstream, "-q", "--format", "spark-seed", "--checkpoint", path("state"), "run", logs()});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  printed += whole_tables(rest.out);

  const auto clean = run_process({kLogstream, "-q", "--format", "spark-seed", "run", logs()});
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_EQ(parse_last_console_table(clean.out), expected);
  EXPECT_EQ(parse_last_console_table(printed), expected) << kills << " kills";
  EXPECT_GE(kills, 12);
}

// The same promise under --follow: writers append whole lines to hundreds of files and rotate some by
// rename, while `watch --follow --checkpoint` is killed with SIGKILL at random moments and restarted. Once
// the writers stop, the table must reach exactly the reference count of every byte in the directory.
TEST_F(StressTest, FollowingAppendsAndRotationsThroughRandomKillsCountsEveryLineOnce) {
  constexpr int kFiles = 200;
  const unsigned seed = stress_seed();
  SCOPED_TRACE("random seed " + std::to_string(seed) + " (LOGSTREAM_STRESS_SEED replays it)");
  std::mt19937 rng(seed);
  const std::string source = path("lines.log");
  ASSERT_EQ(run_process({kLoggen, "--lines", "20000", "--seed", "77", "--quirks",
                         "ipv6,escaped-quotes,dash-size,junk,nul,invalid-utf8,spaces-in-uri,empty-lines",
                         "-o", source})
                .exit_code,
            0);
  std::vector<std::string> lines;
  {
    const std::string bytes = read_file(source);
    for (size_t at = 0; at < bytes.size();) {
      const size_t end = bytes.find('\n', at);
      lines.push_back(bytes.substr(at, end - at + 1));
      at = end + 1;
    }
  }
  std::atomic<bool> writing{true};
  std::thread writer([&, writer_rng = std::mt19937(seed + 1)]() mutable {
    int rotations = 0;
    const auto until = std::chrono::steady_clock::now() + seconds(4);
    while (std::chrono::steady_clock::now() < until) {
      const std::string name = logs() + "/f" + std::to_string(writer_rng() % kFiles) + ".log";
      if (writer_rng() % 60 == 0 && fs::exists(name)) {
        fs::rename(name, name + "." + std::to_string(rotations++));  // rename rotation
        continue;
      }
      std::string batch;
      for (unsigned n = 1 + writer_rng() % 20; n > 0; --n) batch += lines[writer_rng() % lines.size()];
      // One write() of whole lines, as a logging server does (O_APPEND).
      const int fd = ::open(name.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
      ASSERT_GE(fd, 0);
      ASSERT_EQ(::write(fd, batch.data(), batch.size()), static_cast<ssize_t>(batch.size()));
      ::close(fd);
      std::this_thread::sleep_for(std::chrono::microseconds(writer_rng() % 2000));
    }
    writing = false;
  });
  const std::vector<std::string> argv = {
      kLogstream, "-q",    "--format", "spark-seed", "--checkpoint", path("state"), "--chunk-size",
      "16K",      "watch", logs(),     "--follow",   "--quiet-ms",   "50",          "--partial-line-wait-ms",
      "2000"};
  std::string printed;  // whole tables of every process, in order
  int kills = 0;
  while (writing) {
    RunningProcess watch(argv);
    std::this_thread::sleep_for(milliseconds(20 + rng() % 250));
    watch.send_signal(SIGKILL);
    watch.wait_exit(seconds(10));
    printed += whole_tables(watch.out());
    ++kills;
  }
  writer.join();
  StatusCountMap expected;
  for (const auto& entry : fs::directory_iterator(logs())) {
    for (const auto& [key, n] : reference_seed_status_counts(read_file(entry.path().string())))
      expected[key] += n;
  }
  RunningProcess watch(argv);
  auto last_table = [&](const std::string& out) {
    const std::string all = printed + whole_tables(out);
    return all.empty() ? StatusCountMap{} : parse_last_console_table(all);
  };
  const bool reached =
      watch.wait_for_stdout([&](const std::string& out) { return last_table(out) == expected; }, seconds(30));
  EXPECT_TRUE(reached) << kills << " kills; last output:\n"
                       << watch.out().substr(watch.out().size() > 2000 ? watch.out().size() - 2000 : 0)
                       << watch.err();
  // Nothing more may arrive: a doubled line would show as a later, larger table.
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_EQ(last_table(watch.out()), expected);
  watch.send_signal(SIGTERM);
  EXPECT_EQ(watch.wait_exit(seconds(20)), 0) << watch.err();
  EXPECT_GE(kills, 8);
}

}  // namespace
}  // namespace logstream::test_support
