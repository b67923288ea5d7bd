// `watch --follow` end to end: appends, unfinished lines, rename rotation, compressed rotation and
// copytruncate (with its copy), each checked against the exact table it must produce; and .gz input for
// `run`, with its progress bar.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <regex>
#include <thread>

#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"
#include "tests/support/seed_reference.h"

namespace logstream::test_support {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::string common_line(int status) {
  return "10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET /a HTTP/1.0\" " + std::to_string(status) +
         " 2326\n";
}

void append(const std::string& path, const std::string& text) {
  std::ofstream(path, std::ios::binary | std::ios::app) << text;
}

class FollowCliTest : public TempDirTest {
 protected:
  std::unique_ptr<RunningProcess> start(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {kLogstream, "--format", "common"};
    argv.insert(argv.end(), extra.begin(), extra.end());
    for (const char* arg : {"watch", "--follow", "--quiet-ms", "100", "--partial-line-wait-ms", "400"})
      argv.push_back(arg);
    argv.insert(argv.end() - 5, logs());
    auto process = std::make_unique<RunningProcess>(argv);
    std::this_thread::sleep_for(milliseconds(200));
    return process;
  }
  // Waits until the last whole table printed is `expected`.
  static void expect_table(RunningProcess& watch, const StatusCountMap& expected) {
    const bool reached = watch.wait_for_stdout(
        [&](const std::string& out) {
          return out.ends_with("+\n\n") && parse_last_console_table(out) == expected;
        },
        seconds(10));
    EXPECT_TRUE(reached) << "last table:\n"
                         << watch.out().substr(watch.out().rfind("Batch:") == std::string::npos
                                                   ? 0
                                                   : watch.out().rfind("Batch:"))
                         << watch.err();
  }
};

TEST_F(FollowCliTest, AppendsRotationsAndTruncationAreEachCountedExactlyOnce) {
  const std::string log = logs() + "/access.log";
  append(log, common_line(200) + common_line(200));
  auto watch = start();
  expect_table(*watch, {{200, 2}});

  append(log, common_line(404));
  expect_table(*watch, {{200, 2}, {404, 1}});

  // An unfinished line waits; finished, it counts once.
  std::string half = common_line(500);
  half.pop_back();
  append(log, half);
  std::this_thread::sleep_for(milliseconds(200));
  append(log, "\n");
  expect_table(*watch, {{200, 2}, {404, 1}, {500, 1}});

  // Rename rotation: the old file is read to its end, the new one from 0.
  fs::rename(log, log + ".1");
  append(log + ".1", common_line(301));
  append(log, common_line(302));
  expect_table(*watch, {{200, 2}, {404, 1}, {500, 1}, {301, 1}, {302, 1}});

  // logrotate's compress: the .gz holds lines already counted plus one written just before rotation.
  append(log + ".1", common_line(503));
  ASSERT_EQ(std::system(("gzip -c '" + log + ".1' > '" + log + ".2.gz' && rm '" + log + ".1'").c_str()), 0);
  expect_table(*watch, {{200, 2}, {404, 1}, {500, 1}, {301, 1}, {302, 1}, {503, 1}});

  // copytruncate: the file shrinks; what is in it now counts from 0.
  ASSERT_EQ(::truncate(log.c_str(), 0), 0);
  append(log, common_line(201));
  expect_table(*watch, {{200, 2}, {404, 1}, {500, 1}, {301, 1}, {302, 1}, {503, 1}, {201, 1}});

  // An unfinished line that never gets its terminator counts after the partial-line wait.
  std::string cut = common_line(418);
  cut.pop_back();
  append(log, cut);
  expect_table(*watch, {{200, 2}, {404, 1}, {500, 1}, {301, 1}, {302, 1}, {503, 1}, {201, 1}, {418, 1}});

  watch->send_signal(SIGINT);
  EXPECT_EQ(watch->wait_exit(seconds(10)), 0) << watch->err();
  EXPECT_NE(watch->err().find("the compressed copy of"), std::string::npos) << watch->err();
  EXPECT_NE(watch->err().find("from the start"), std::string::npos) << watch->err();
}

TEST_F(FollowCliTest, ARestartAfterARotationWhileDownContinuesEachFileFromItsOffset) {
  const std::string log = logs() + "/access.log";
  append(log, common_line(200));
  const std::vector<std::string> extra = {"--checkpoint", path("state")};
  {
    auto watch = start(extra);
    expect_table(*watch, {{200, 1}});
    watch->send_signal(SIGTERM);
    ASSERT_EQ(watch->wait_exit(seconds(10)), 0) << watch->err();
  }
  // While logstream is down: more lines, a rotation, and a new file.
  append(log, common_line(404));
  fs::rename(log, log + ".1");
  append(log, common_line(500));
  auto watch = start(extra);
  expect_table(*watch, {{200, 1}, {404, 1}, {500, 1}});
  watch->send_signal(SIGTERM);
  EXPECT_EQ(watch->wait_exit(seconds(10)), 0) << watch->err();
  EXPECT_EQ(watch->out().find("Batch: 0\n"), std::string::npos) << "batch ids continue after a restart";
}

TEST_F(FollowCliTest, RunReadsCompressedFilesDecompressed) {
  const std::string log = kSharedData + "/elastic-apache.log";
  ASSERT_EQ(std::system(("gzip -c '" + log + "' > '" + logs() + "/elastic.log.gz'").c_str()), 0);
  const auto result = run_process({kLogstream, "--format", "spark-seed", "run", logs()});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(parse_last_console_table(result.out), reference_seed_status_counts(read_file(log)));

  // A damaged stream: what came before the damage counts, and the damage is reported with the path.
  std::string bytes = read_file(logs() + "/elastic.log.gz");
  write_file(logs() + "/elastic.log.gz", bytes.substr(0, bytes.size() / 2));
  const auto cut = run_process({kLogstream, "--format", "spark-seed", "run", logs()});
  EXPECT_EQ(cut.exit_code, 0) << cut.err;
  EXPECT_NE(cut.err.find("elastic.log.gz: decompression failed"), std::string::npos) << cut.err;
}

// logrotate's copytruncate, exactly: copy, then truncate in place.
void copytruncate(const std::string& log) {
  ASSERT_EQ(std::system(("cp '" + log + "' '" + log + ".1' && truncate -s 0 '" + log + "'").c_str()), 0);
}

// Two live logs that merely start alike are not copies of each other: a short common start (one line)
// is weak evidence, so a live original must also have the copy's size (found by the follow stress test,
// which lost a line to this).
TEST_F(FollowCliTest, ANewFileThatStartsLikeAShortLiveOneIsNotItsCopy) {
  append(logs() + "/a.log", common_line(200));
  auto watch = start();
  expect_table(*watch, {{200, 1}});
  append(logs() + "/b.log", common_line(200) + common_line(404));
  expect_table(*watch, {{200, 2}, {404, 1}});
  watch->send_signal(SIGINT);
  EXPECT_EQ(watch->wait_exit(seconds(10)), 0) << watch->err();
  EXPECT_EQ(watch->err().find("a copy of"), std::string::npos) << watch->err();
}

TEST_F(FollowCliTest, ACopytruncateCopyIsCountedOnlyPastWhatItsOriginalHadCounted) {
  const std::string log = logs() + "/access.log";
  append(log, common_line(200) + common_line(200) + common_line(200));
  auto watch = start();
  expect_table(*watch, {{200, 3}});
  copytruncate(log);
  append(log, common_line(404));
  expect_table(*watch, {{200, 3}, {404, 1}});

  // The next rotation with delaycompress: access.log.1 is compressed to .2.gz, access.log copied again.
  append(log, common_line(500));
  expect_table(*watch, {{200, 3}, {404, 1}, {500, 1}});
  ASSERT_EQ(std::system(("gzip -c '" + log + ".1' > '" + log + ".2.gz' && rm '" + log + ".1'").c_str()), 0);
  copytruncate(log);
  append(log, common_line(301));
  expect_table(*watch, {{200, 3}, {404, 1}, {500, 1}, {301, 1}});
  // Longer than the quiet period and the partial-line wait: no copy is counted late either.
  std::this_thread::sleep_for(milliseconds(900));
  EXPECT_EQ(parse_last_console_table(watch->out()), (StatusCountMap{{200, 3}, {404, 1}, {500, 1}, {301, 1}}));
  watch->send_signal(SIGINT);
  EXPECT_EQ(watch->wait_exit(seconds(10)), 0) << watch->err();
  EXPECT_NE(watch->err().find("access.log.1: a copy of " + logs() + "/access.log, whose first"),
            std::string::npos)
      << watch->err();
  EXPECT_NE(watch->err().find("access.log.2.gz: the compressed copy of"), std::string::npos) << watch->err();
}

TEST_F(FollowCliTest, ACopyTakenAfterMoreLinesWereWrittenCountsThoseLinesOnce) {
  const std::string log = logs() + "/access.log";
  append(log, common_line(200) + common_line(200));
  auto watch = start();
  expect_table(*watch, {{200, 2}});
  // Lines written just before the rotation, not waited for: the copy holds them past the counted offset,
  // and the watcher may see them first in access.log, in the copy, or in both at once.
  const int pauses_ms[] = {0, 3, 30, 150};
  uint64_t rounds = 0;
  for (const int pause : pauses_ms) {
    append(log, common_line(404) + common_line(404));
    std::this_thread::sleep_for(milliseconds(pause));
    if (fs::exists(log + ".1")) fs::rename(log + ".1", log + ".2");  // logrotate shifts the old copy first
    copytruncate(log);
    append(log, common_line(500));
    ++rounds;
    expect_table(*watch, {{200, 2}, {404, 2 * rounds}, {500, rounds}});
  }
  std::this_thread::sleep_for(milliseconds(900));
  EXPECT_EQ(parse_last_console_table(watch->out()),
            (StatusCountMap{{200, 2}, {404, 2 * rounds}, {500, rounds}}));
  watch->send_signal(SIGINT);
  EXPECT_EQ(watch->wait_exit(seconds(10)), 0) << watch->err();
}

// "12.3 MB" -> bytes, as render_progress_bar prints them (1000-based, one decimal).
double shown_bytes(const std::string& number, const std::string& unit) {
  const double scale = unit == "KB" ? 1e3 : unit == "MB" ? 1e6 : unit == "GB" ? 1e9 : 1;
  return std::stod(number) * scale;
}

TEST_F(FollowCliTest, OnATerminalTheBarOfACompressedFileCountsItsCompressedBytes) {
  const std::string plain = path("big.log");
  ASSERT_EQ(run_process({kLoggen, "--size", "100M", "--seed", "9", "-o", plain}).exit_code, 0);
  ASSERT_EQ(std::system(("gzip -1 -c '" + plain + "' > '" + plain + ".gz'").c_str()), 0);
  const uint64_t compressed = fs::file_size(plain + ".gz");
  // script(1) gives the child a pseudo-terminal; --threads 1 keeps the run long enough for a redraw.
  const auto r = run_process(
      {"/usr/bin/script", "-qfec",
       kLogstream + " --threads 1 --format spark-seed run " + plain + ".gz > /dev/null", "/dev/null"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  static const std::regex frame(R"(\] +\d+% ([0-9.]+) (B|KB|MB|GB) / ([0-9.]+) (B|KB|MB|GB))");
  size_t frames = 0;
  for (auto it = std::sregex_iterator(r.out.begin(), r.out.end(), frame); it != std::sregex_iterator();
       ++it) {
    const std::smatch& m = *it;
    const double done = shown_bytes(m[1], m[2]), total = shown_bytes(m[3], m[4]);
    EXPECT_NEAR(total, static_cast<double>(compressed), 0.05e6) << m[0] << ": the total is the .gz's size";
    EXPECT_LE(done, total) << m[0] << ": progress in the total's unit";
    ++frames;
  }
  EXPECT_GT(frames, 0u) << r.out;
}

}  // namespace
}  // namespace logstream::test_support
