// Exactly once for the query engine's state: `watch --checkpoint` is killed with SIGKILL at random moments
// while files arrive and restarted each time; the committed groups of GROUP BY endpoint must end equal to
// one clean run over the same files (every count, sum and max), and so must the event-time windows an
// append-mode query with a watermark writes, whatever the moments.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <random>
#include <sstream>
#include <thread>

#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"
#include "tests/support/seed_reference.h"
#include "tests/support/stress_seed.h"
#include "tests/support/utc_text.h"

namespace logstream::test_support {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

using SqlKillTest = TempDirTest;

// The rows of the last batch of a jsonl output, without the batch field, sorted.
std::vector<std::string> last_batch_rows(const std::string& jsonl) {
  std::vector<std::string> lines;
  std::istringstream in(jsonl);
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  if (lines.empty()) return {};
  const std::string last_prefix = lines.back().substr(0, lines.back().find(',') + 1);
  std::vector<std::string> rows;
  for (const std::string& l : lines) {
    if (l.rfind(last_prefix, 0) == 0) rows.push_back(l.substr(last_prefix.size()));
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

// Starts `argv` and kills it with SIGKILL after a random moment, again and again: for 20 s at most, and
// at least 10 times and until `last_file` exists. Returns the number of kills.
int kill_repeatedly(const std::vector<std::string>& argv, std::mt19937& rng, const std::string& last_file) {
  int kills = 0;
  const auto started = std::chrono::steady_clock::now();
  while (std::chrono::steady_clock::now() - started < seconds(20)) {
    RunningProcess watch(argv);
    std::this_thread::sleep_for(milliseconds(30 + rng() % 250));
    watch.send_signal(SIGKILL);
    watch.wait_exit(seconds(10));
    ++kills;
    if (kills >= 10 && fs::exists(last_file)) break;
  }
  return kills;
}

TEST_F(SqlKillTest, KilledAtRandomMomentsTheGroupByEndpointStateEqualsOneCleanRun) {
  const unsigned seed = stress_seed();
  SCOPED_TRACE("random seed " + std::to_string(seed) + " (LOGSTREAM_STRESS_SEED replays it)");
  std::mt19937 rng(seed);
  std::vector<std::string> sources;
  for (int i = 0; i < 4; ++i) {
    const std::string source = path("source-" + std::to_string(i) + ".log");
    ASSERT_EQ(run_process({kLoggen, "--lines", std::to_string(3000 + i * 3000), "--quirks", "all", "--seed",
                           std::to_string(500 + i), "-o", source})
                  .exit_code,
              0);
    sources.push_back(source);
  }
  const std::string sql =
      "SELECT endpoint, count(*) AS hits, sum(content_size) AS bytes, max(status) FROM logs GROUP BY "
      "endpoint";
  constexpr int kFiles = 60;
  std::thread writer([&] {
    for (int i = 0; i < kFiles; ++i) {
      const std::string tmp = path("tmp-" + std::to_string(i));
      fs::copy_file(sources[static_cast<size_t>(i) % sources.size()], tmp);
      fs::rename(tmp, logs() + "/f" + std::to_string(i) + ".log");
      std::this_thread::sleep_for(milliseconds(rng() % 40));
    }
  });
  // Partials of 50 groups go to the merge stage all through a batch, so kills also land while they do;
  // the clean run below keeps the default size.
  const std::vector<std::string> watch_argv = {
      kLogstream,         "-q",  "--format", "combined", "--checkpoint", path("state"),
      "--chunk-size",     "64K", "--sql",    sql,        "--sink",       "jsonl=" + path("watch.jsonl"),
      "--partial-groups", "50",  "watch",    logs(),     "--quiet-ms",   "50"};
  const int kills = kill_repeatedly(watch_argv, rng, logs() + "/f" + std::to_string(kFiles - 1) + ".log");
  writer.join();
  // One more file, so that the run on the checkpoint has a batch to print: the complete state.
  fs::copy_file(sources[0], logs() + "/last.log");
  const ProcessResult rest = run_process({kLogstream, "-q", "--format", "combined", "--checkpoint",
                                          path("state"), "run", logs(), "--sql", sql, "--sink", "jsonl"});
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  const ProcessResult clean =
      run_process({kLogstream, "-q", "--format", "combined", "run", logs(), "--sql", sql, "--sink", "jsonl"});
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  const std::vector<std::string> expected = last_batch_rows(clean.out);
  ASSERT_GT(expected.size(), 100u);
  EXPECT_EQ(last_batch_rows(rest.out), expected) << kills << " kills";
  EXPECT_GE(kills, 10);
}

// The same for event time: `watch --output-mode append --watermark` killed at random moments while files
// arrive in event-time order. Output is at least once (a batch printed and then killed before its commit
// is printed again), so every (window, status) written must carry the count of one clean run, and the
// windows written must be those one clean run writes: none lost, none counted twice.
TEST_F(SqlKillTest, KilledAtRandomMomentsAppendedWindowsEqualOneCleanRun) {
  const unsigned seed = stress_seed();
  SCOPED_TRACE("random seed " + std::to_string(seed) + " (LOGSTREAM_STRESS_SEED replays it)");
  std::mt19937 rng(seed);
  constexpr int64_t kStart = 971182800;  // 2000-10-10T13:00:00Z
  auto file_text = [](int index) {
    static constexpr int kStatuses[] = {200, 200, 404, 200, 500, 304, 200};
    std::string text;
    for (int64_t t = kStart + 600 * index, i = 0; t < kStart + 600 * (index + 1); t += 5, ++i) {
      text += "10.0.0." + std::to_string(i % 9) + " - - [" + clf_time(t) + "] \"GET /p HTTP/1.1\" " +
              std::to_string(kStatuses[(i + index) % 7]) + " 7\n";
    }
    return text;
  };
  const std::string sql =
      "SELECT window, status, count(*) AS n FROM logs GROUP BY window(timestamp, '10 minutes'), status";
  const std::vector<std::string> query = {"--timezone",    "UTC",    "--format",    "common",
                                          "--output-mode", "append", "--watermark", "timestamp, 5 minutes",
                                          "--sql",         sql};
  constexpr int kFiles = 40;
  std::thread writer([&] {
    for (int i = 0; i < kFiles; ++i) {
      const std::string tmp = path("tmp-" + std::to_string(i));
      write_file(tmp, file_text(i));
      fs::rename(tmp, logs() + "/f" + std::to_string(100 + i) + ".log");
      std::this_thread::sleep_for(milliseconds(rng() % 50));
    }
  });
  std::vector<std::string> watch_argv = {kLogstream,    "-q",     "--checkpoint",
                                         path("state"), "--sink", "jsonl=" + path("watch.jsonl")};
  watch_argv.insert(watch_argv.end(), query.begin(), query.end());
  for (const std::string& a : {std::string("watch"), logs(), std::string("--quiet-ms"), std::string("50")})
    watch_argv.push_back(a);
  const int kills =
      kill_repeatedly(watch_argv, rng, logs() + "/f" + std::to_string(100 + kFiles - 1) + ".log");
  writer.join();
  // The rest on the checkpoint: the last files' batches and the one without data that ends `run`.
  std::vector<std::string> rest_argv = {kLogstream, "-q", "--checkpoint", path("state"), "--sink", "jsonl"};
  rest_argv.insert(rest_argv.end(), query.begin(), query.end());
  rest_argv.push_back("run");
  rest_argv.push_back(logs());
  const ProcessResult rest = run_process(rest_argv);
  ASSERT_EQ(rest.exit_code, 0) << rest.err;
  std::vector<std::string> clean_argv = {kLogstream, "-q", "--sink", "jsonl"};
  clean_argv.insert(clean_argv.end(), query.begin(), query.end());
  clean_argv.push_back("run");
  clean_argv.push_back(logs());
  const ProcessResult clean = run_process(clean_argv);
  ASSERT_EQ(clean.exit_code, 0) << clean.err;

  // Rows without their batch: "window...,status,n".
  auto rows = [](const std::string& jsonl) {
    std::vector<std::string> out;
    std::istringstream in(jsonl);
    for (std::string l; std::getline(in, l);) out.push_back(l.substr(l.find(',') + 1));
    return out;
  };
  std::vector<std::string> expected = rows(clean.out);
  std::sort(expected.begin(), expected.end());
  ASSERT_EQ(expected.size(), (kFiles - 1) * 4u) << "every window but the last is final, 4 statuses each";
  std::vector<std::string> written = rows(read_file(path("watch.jsonl")));
  for (const std::string& r : rows(rest.out)) written.push_back(r);
  std::sort(written.begin(), written.end());
  written.erase(std::unique(written.begin(), written.end()), written.end());
  EXPECT_EQ(written, expected) << kills << " kills";
  EXPECT_GE(kills, 10);
}

}  // namespace
}  // namespace logstream::test_support
