// --checkpoint end to end: restarts continue the table and the batch ids, and a checkpoint that cannot be
// trusted or written stops the query with the reason instead of silently starting over.
#include <gtest/gtest.h>
#include <signal.h>

#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <thread>

#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"
#include "tests/support/seed_reference.h"

namespace logstream::test_support {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

class CheckpointCliTest : public TempDirTest {
 protected:
  std::string checkpoint() const { return path("state"); }
  ProcessResult run_seed(std::vector<std::string> extra = {}) {
    std::vector<std::string> argv = {kLogstream, "--format", "spark-seed", "--checkpoint", checkpoint()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    argv.push_back("run");
    argv.push_back(logs());
    return run_process(argv);
  }
  static StatusCountMap doubled(StatusCountMap counts) {
    for (auto& [key, n] : counts) n *= 2;
    return counts;
  }
};

TEST_F(CheckpointCliTest, ARestartCountsOnlyNewFilesOnTopOfTheSavedTable) {
  const std::string log = kSharedData + "/elastic-apache.log";
  const StatusCountMap once = reference_seed_status_counts(read_file(log));
  fs::copy_file(log, logs() + "/a.log");
  const auto first = run_seed();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.out.find("Batch: 0\n"), std::string::npos);
  EXPECT_EQ(parse_last_console_table(first.out), once);

  fs::copy_file(log, logs() + "/b.log");
  const auto second = run_seed();
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.out.find("Batch: 1\n"), std::string::npos) << second.out;
  EXPECT_EQ(second.out.find("Batch: 0\n"), std::string::npos);
  EXPECT_EQ(parse_last_console_table(second.out), doubled(once));
  EXPECT_NE(second.err.find("lines read = 10000 accepted"), std::string::npos) << second.err;

  // No new data, no batch: nothing on stdout, and still success.
  const auto third = run_seed();
  EXPECT_EQ(third.exit_code, 0) << third.err;
  EXPECT_EQ(third.out, "");
  EXPECT_NE(third.err.find("no new files"), std::string::npos) << third.err;
}

TEST_F(CheckpointCliTest, AlertStreaksAndStatesSurviveARestart) {
  const std::string log = kSharedData + "/elastic-apache.log";
  const std::vector<std::string> rules = {"--alert", "streak: count(status == 500) > 0 for 2 batches",
                                          "--alert", "plain: count(5xx) > 0"};
  fs::copy_file(log, logs() + "/a.log");
  const auto first = run_seed(rules);
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("alert streak pending"), std::string::npos) << first.err;
  EXPECT_NE(first.err.find("alert plain firing"), std::string::npos) << first.err;

  fs::copy_file(log, logs() + "/b.log");
  const auto second = run_seed(rules);
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("alert streak firing"), std::string::npos)
      << "the streak of batch 0 counts toward batch 1: " << second.err;
  EXPECT_EQ(second.err.find("alert plain"), std::string::npos) << "already firing: " << second.err;

  // --fail-on-alert sees a rule restored as firing that still fires.
  fs::copy_file(log, logs() + "/c.log");
  std::vector<std::string> gated = rules;
  gated.push_back("--fail-on-alert");
  const auto third = run_seed(gated);
  EXPECT_EQ(third.exit_code, 3) << third.err;
  EXPECT_EQ(third.err.find("alert plain firing"), std::string::npos) << third.err;

  // A rule that changed starts afresh.
  fs::copy_file(log, logs() + "/d.log");
  const auto changed = run_seed({"--alert", "plain: count(5xx) > 1"});
  EXPECT_EQ(changed.exit_code, 0) << changed.err;
  EXPECT_NE(changed.err.find("alert plain firing"), std::string::npos) << changed.err;
}

TEST_F(CheckpointCliTest, ProgressKeepsTheQueryIdAcrossRestartsAndANewRunId) {
  const std::string log = kSharedData + "/elastic-apache.log";
  auto progress_of = [&](const std::string& name) {
    fs::copy_file(log, logs() + "/" + name);
    const auto r = run_seed({"-q", "--progress"});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    return nlohmann::json::parse(r.err.substr(0, r.err.find('\n')));
  };
  const auto first = progress_of("a.log");
  const auto second = progress_of("b.log");
  EXPECT_EQ(first["batchId"], 0);
  EXPECT_EQ(second["batchId"], 1);
  EXPECT_EQ(first["id"], second["id"]) << "Spark's id names the query, whatever restarts it had";
  EXPECT_NE(first["runId"], second["runId"]);
}

TEST_F(CheckpointCliTest, ACorruptCheckpointIsAnErrorNeverAFreshStart) {
  fs::copy_file(kSharedData + "/elastic-apache.log", logs() + "/a.log");
  ASSERT_EQ(run_seed().exit_code, 0);
  std::string text = read_file(checkpoint() + "/checkpoint");
  text[text.find("status 200 ") + 11] ^= 1;
  write_file(checkpoint() + "/checkpoint", text);
  const auto result = run_seed();
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_EQ(result.out, "");
  EXPECT_NE(result.err.find(checkpoint() + "/checkpoint: line "), std::string::npos) << result.err;
  EXPECT_NE(result.err.find("corrupt"), std::string::npos) << result.err;

  write_file(checkpoint() + "/checkpoint", "offsets v1\n{\"batchWatermarkMs\":0}\n");
  const auto foreign = run_seed();
  EXPECT_EQ(foreign.exit_code, 1);
  EXPECT_NE(foreign.err.find("not a logstream checkpoint"), std::string::npos) << foreign.err;
}

// Spark's maxFileAge: the first batch takes every file; after it, a file last modified longer than
// --max-file-age (default 7 days) before the newest file counted is ignored, with a warning; and the
// checkpoint's compaction forgets such files, so that the record of counted files stays bounded while
// no file is counted twice.
TEST_F(CheckpointCliTest, FilesOlderThanMaxFileAgeAreIgnoredAfterTheFirstBatchAndForgottenAtCompaction) {
  const std::string log = kSharedData + "/elastic-apache.log";
  const StatusCountMap once = reference_seed_status_counts(read_file(log));
  const auto days_ago = [](int days) {
    return fs::file_time_type::clock::now() - std::chrono::hours(24 * days);
  };
  auto drop = [&](const std::string& name, int age_days) {
    fs::copy_file(log, logs() + "/" + name);
    fs::last_write_time(logs() + "/" + name, days_ago(age_days));
  };
  auto times = [&](uint64_t n) {
    StatusCountMap counts = once;
    for (auto& [key, count] : counts) count *= n;
    return counts;
  };
  drop("old.log", 20);
  drop("new.log", 0);
  const auto first = run_seed();
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_EQ(parse_last_console_table(first.out), times(2)) << "the first batch takes every file";
  // drop() below uses copies of one log: that is the count of each file.

  // Batch 0 was a snapshot: it forgot old.log at once (20 days before new.log).
  drop("late.log", 10);
  const auto ignored = run_seed();
  ASSERT_EQ(ignored.exit_code, 0) << ignored.err;
  EXPECT_EQ(ignored.out, "") << "nothing new: no batch";
  EXPECT_NE(ignored.err.find("2 files not read: older than the files the checkpoint has forgotten"),
            std::string::npos)
      << ignored.err;
  EXPECT_NE(ignored.err.find("late.log"), std::string::npos) << ignored.err;
  EXPECT_NE(ignored.err.find("old.log"), std::string::npos) << ignored.err;
  // A larger age cannot bring back what the checkpoint forgot: old.log would be counted twice.
  const auto larger = run_seed({"--max-file-age", "30d"});
  ASSERT_EQ(larger.exit_code, 0) << larger.err;
  EXPECT_EQ(larger.out, "") << larger.err;
  EXPECT_NE(larger.err.find("older than the files the checkpoint has forgotten"), std::string::npos)
      << larger.err;

  // Batches 1..9 are deltas; batch 10 is the next snapshot.
  for (int batch = 1; batch <= 10; ++batch) {
    drop("f" + std::to_string(batch) + ".log", 0);
    const auto next = run_seed();
    ASSERT_EQ(next.exit_code, 0) << next.err;
    EXPECT_NE(next.out.find("Batch: " + std::to_string(batch) + "\n"), std::string::npos) << next.out;
  }
  std::string record;
  for (const auto& entry : fs::directory_iterator(checkpoint())) {
    if (entry.path().filename().string().rfind("files-", 0) == 0) record += read_file(entry.path().string());
  }
  EXPECT_EQ(record.find("old.log"), std::string::npos) << record;
  EXPECT_EQ(record.find("late.log"), std::string::npos) << record;
  EXPECT_NE(record.find("new.log"), std::string::npos) << record;
  EXPECT_NE(record.find("f10.log"), std::string::npos) << record;

  // Forgotten, but still old: a restart does not count them again.
  drop("f11.log", 0);
  const auto after = run_seed();
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(parse_last_console_table(after.out), times(13)) << after.err;
  EXPECT_NE(after.err.find("2 files not read: older than the files the checkpoint has forgotten"),
            std::string::npos)
      << after.err;
  // Without a checkpoint every file is new in the first batch.
  const auto clean = run_process({kLogstream, "--format", "spark-seed", "run", logs()});
  EXPECT_EQ(parse_last_console_table(clean.out), times(14)) << clean.err;

  const auto usage = run_seed({"--max-file-age", "a week"});
  EXPECT_EQ(usage.exit_code, 2);
  EXPECT_NE(usage.err.find("--max-file-age must be a positive age such as 12h, 7d or '7 days'"),
            std::string::npos)
      << usage.err;
  EXPECT_EQ(run_seed({"--max-file-age", "7 days"}).exit_code, 0) << "Spark's interval text is an age too";
}

// The age applies in watch without a checkpoint too, measured from the newest file this process counted;
// a file moved in with an old time is named and not read. And --follow, which reads every file it does
// not know from its start, refuses a checkpoint that has forgotten old files.
TEST_F(CheckpointCliTest, WatchSkipsOldFilesWithoutACheckpointAndFollowRefusesOneThatForgotFiles) {
  const std::string log = kSharedData + "/elastic-apache.log";
  const StatusCountMap once = reference_seed_status_counts(read_file(log));
  auto move_in = [&](const std::string& name, int age_days) {
    const std::string staged = path(name);  // outside the watched directory, then renamed in: mtime kept
    fs::copy_file(log, staged);
    fs::last_write_time(staged, fs::file_time_type::clock::now() - std::chrono::hours(24 * age_days));
    fs::rename(staged, logs() + "/" + name);
  };
  {
    RunningProcess watch({kLogstream, "--format", "spark-seed", "watch", logs(), "--quiet-ms", "100"});
    std::this_thread::sleep_for(milliseconds(200));
    move_in("a.log", 0);
    ASSERT_TRUE(watch.wait_for_text("Batch: 0\n", 1, seconds(20))) << watch.err();
    move_in("old.log", 30);
    move_in("b.log", 0);
    ASSERT_TRUE(watch.wait_for_text("Batch: 1\n", 1, seconds(20))) << watch.err();
    ASSERT_TRUE(watch.wait_for_text("+\n\n", 2, seconds(5)));
    EXPECT_EQ(parse_last_console_table(watch.out()), doubled(once)) << watch.err();
    EXPECT_NE(watch.err().find("1 file not read as old"), std::string::npos) << watch.err();
    EXPECT_NE(watch.err().find("old.log"), std::string::npos) << watch.err();
    watch.send_signal(SIGTERM);
    EXPECT_EQ(watch.wait_exit(seconds(10)), 0) << watch.err();
  }
  // A checkpoint whose first snapshot forgot old.log (30 days before a.log and b.log).
  ASSERT_EQ(run_seed().exit_code, 0);
  RunningProcess follow(
      {kLogstream, "--format", "spark-seed", "--checkpoint", checkpoint(), "watch", logs(), "--follow"});
  EXPECT_EQ(follow.wait_exit(seconds(20)), 1) << follow.err();
  EXPECT_NE(follow.err().find("written without --follow, it has forgotten files"), std::string::npos)
      << follow.err();
}

TEST_F(CheckpointCliTest, AnotherQuerysCheckpointIsRefused) {
  fs::copy_file(kSharedData + "/elastic-apache.log", logs() + "/a.log");
  ASSERT_EQ(run_seed().exit_code, 0);
  const auto result =
      run_process({kLogstream, "--format", "combined", "--checkpoint", checkpoint(), "run", logs()});
  EXPECT_EQ(result.exit_code, 1);
  EXPECT_NE(result.err.find("written by another query"), std::string::npos) << result.err;
}

TEST_F(CheckpointCliTest, ACheckpointThatCannotBeWrittenStopsTheQueryWithThePathAndReason) {
  fs::copy_file(kSharedData + "/elastic-apache.log", logs() + "/a.log");
  // A file-size limit of 0 makes every write to a regular file fail with EFBIG, as a full disk would
  // with ENOSPC; stdout is a pipe and unaffected.
  const auto result = run_process({"/bin/sh", "-c", "ulimit -f 0 && exec \"$0\" \"$@\"", kLogstream,
                                   "--format", "spark-seed", "--checkpoint", checkpoint(), "run", logs()});
  EXPECT_EQ(result.exit_code, 1) << result.err;
  // The first file a commit writes is the segment of the files counted, before the checkpoint naming it.
  EXPECT_NE(result.err.find("cannot commit batch 0 to the checkpoint: " + checkpoint() + "/files-"),
            std::string::npos)
      << result.err;
  EXPECT_NE(result.err.find(".log.tmp: cannot write: File too large"), std::string::npos) << result.err;
  EXPECT_FALSE(fs::exists(checkpoint() + "/checkpoint"));
  for (const auto& entry : fs::directory_iterator(checkpoint()))
    EXPECT_EQ(entry.path().filename().string().find(".tmp"), std::string::npos) << entry.path();
  // Nothing was committed, so the next run counts the file as new.
  const auto retry = run_seed();
  EXPECT_EQ(retry.exit_code, 0) << retry.err;
  EXPECT_NE(retry.out.find("Batch: 0\n"), std::string::npos);
}

TEST_F(CheckpointCliTest, TwoProcessesNeverShareACheckpoint) {
  RunningProcess watch({kLogstream, "--checkpoint", checkpoint(), "watch", logs()});
  std::this_thread::sleep_for(milliseconds(300));
  const auto second = run_seed();
  EXPECT_EQ(second.exit_code, 1);
  EXPECT_NE(second.err.find("in use by another logstream process"), std::string::npos) << second.err;
  watch.send_signal(SIGTERM);
  EXPECT_EQ(watch.wait_exit(seconds(10)), 0) << watch.err();
}

TEST_F(CheckpointCliTest, WatchResumesSilentlyThenContinuesWithTheNextBatch) {
  const std::string log = kSharedData + "/elastic-apache.log";
  const std::vector<std::string> argv = {kLogstream, "--format", "spark-seed", "--checkpoint", checkpoint(),
                                         "watch",    logs(),     "--quiet-ms", "100"};
  {
    RunningProcess watch(argv);
    std::this_thread::sleep_for(milliseconds(200));
    fs::copy_file(log, logs() + "/a.log");
    ASSERT_TRUE(watch.wait_for_text("Batch: 0\n", 1, seconds(20))) << watch.err();
    watch.send_signal(SIGTERM);
    ASSERT_EQ(watch.wait_exit(seconds(10)), 0) << watch.err();
  }
  RunningProcess watch(argv);
  // The file counted before the restart is not new: nothing is printed.
  std::this_thread::sleep_for(milliseconds(600));
  EXPECT_EQ(watch.out(), "");
  fs::copy_file(log, logs() + "/b.log");
  ASSERT_TRUE(watch.wait_for_text("Batch: 1\n", 1, seconds(20))) << watch.err();
  ASSERT_TRUE(watch.wait_for_text("+\n\n", 1, seconds(5)));
  EXPECT_EQ(parse_last_console_table(watch.out()), doubled(reference_seed_status_counts(read_file(log))));
  EXPECT_EQ(watch.out().find("Batch: 0\n"), std::string::npos);
  watch.send_signal(SIGTERM);
  EXPECT_EQ(watch.wait_exit(seconds(10)), 0) << watch.err();
}

}  // namespace
}  // namespace logstream::test_support
