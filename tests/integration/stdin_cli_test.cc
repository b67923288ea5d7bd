// Standard input through the binary: `run -` reads a pipe to its end as one file and prints what
// `run FILE` prints; `watch -` turns the lines arriving in a pipe into a batch per trigger and ends, exit
// 0, after the last batch when the input ends; a checkpoint cannot go with it.
#include <fcntl.h>
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <string>
#include <thread>

#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"
#include "tests/support/seed_reference.h"

namespace logstream::test_support {
namespace {

using StdinCliTest = TempDirTest;

// `text` as one shell word.
std::string quoted(const std::string& text) {
  std::string out = "'";
  for (const char c : text) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

ProcessResult shell(const std::string& command) { return run_process({"/bin/sh", "-c", command}); }

TEST_F(StdinCliTest, RunDashPrintsWhatRunFilePrints) {
  for (const char* name : {"elastic-apache.log", "twiki-2004.log"}) {
    const std::string log = kSharedData + "/" + name;
    const ProcessResult file = run_process({kLogstream, "-q", "run", log});
    const ProcessResult piped = shell("cat " + quoted(log) + " | " + quoted(kLogstream) + " -q run -");
    ASSERT_EQ(file.exit_code, 0) << file.err;
    ASSERT_EQ(piped.exit_code, 0) << piped.err;
    EXPECT_EQ(piped.out, file.out) << name;
    // A query over the fields too, and the line accounting on stderr.
    const std::string sql = "SELECT method, count(*), sum(content_size) FROM logs GROUP BY method";
    const ProcessResult file_sql = run_process({kLogstream, "--sql", sql, "run", log});
    const ProcessResult piped_sql =
        shell("cat " + quoted(log) + " | " + quoted(kLogstream) + " --sql " + quoted(sql) + " run -");
    EXPECT_EQ(piped_sql.out, file_sql.out) << name;
    const size_t accounting = file_sql.err.find("lines read");
    const size_t accounting_end = file_sql.err.find(" rejected", accounting);
    ASSERT_NE(accounting_end, std::string::npos) << file_sql.err;
    EXPECT_NE(piped_sql.err.find(file_sql.err.substr(accounting, accounting_end - accounting)),
              std::string::npos)
        << piped_sql.err;
  }
}

TEST_F(StdinCliTest, AFinalLineWithoutANewlineIsALineAndInputFileNameIsEmpty) {
  const ProcessResult r = shell(
      "printf '1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 5\\n"
      "1.2.3.4 - - [10/Oct/2000:13:55:37 -0700] \"GET / HTTP/1.0\" 404 5' | " +
      quoted(kLogstream) +
      " -q --format common --sql \"SELECT status, input_file_name() AS f, count(*) FROM logs GROUP BY 1, 2\" "
      "run -");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("|   404|   |       1|"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("|   200|   |       1|"), std::string::npos) << r.out;
}

// The check: two writes into a pipe 3 s apart give Batch 0, then Batch 1 with every count doubled.
TEST_F(StdinCliTest, WatchDashMakesABatchPerTriggerAndEndsWithTheInput) {
  const std::string log = kSharedData + "/elastic-apache.log";
  const ProcessResult r = shell("{ cat " + quoted(log) + "; sleep 3; cat " + quoted(log) + "; } | " +
                                quoted(kLogstream) + " watch - --trigger-interval 1s");
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(count_occurrences(r.out, "Batch: "), 2u) << r.out;
  const size_t second = r.out.find("Batch: 1\n");
  ASSERT_NE(second, std::string::npos) << r.out;
  const StatusCountMap first_counts = parse_last_console_table(r.out.substr(0, second));
  const StatusCountMap second_counts = parse_last_console_table(r.out.substr(second));
  const StatusCountMap reference = reference_seed_status_counts(read_file(log));
  ASSERT_FALSE(first_counts.empty());
  ASSERT_EQ(first_counts.size(), second_counts.size());
  for (const auto& [status, n] : first_counts) {
    EXPECT_EQ(second_counts.at(status), 2 * n) << (status ? *status : -1);
  }
  EXPECT_EQ(first_counts, reference) << "the first write's table is the file's";
  EXPECT_NE(r.err.find("end of input after 2 batches"), std::string::npos) << r.err;
  EXPECT_EQ(count_occurrences(r.err, "-: format combined"), 1u)
      << "the format is picked once, for the stream";
}

TEST_F(StdinCliTest, ACheckpointCannotGoWithStandardInput) {
  for (const std::string& tail : {std::string("run -"), std::string("watch -")}) {
    const ProcessResult r =
        shell("true | " + quoted(kLogstream) + " --checkpoint " + quoted(path("cp")) + " " + tail);
    EXPECT_EQ(r.exit_code, 2) << tail;
    EXPECT_NE(r.err.find("--checkpoint cannot go with standard input (-)"), std::string::npos) << r.err;
  }
  const ProcessResult twice = shell("true | " + quoted(kLogstream) + " run - -");
  EXPECT_EQ(twice.exit_code, 2);
  EXPECT_NE(twice.err.find("standard input is named twice"), std::string::npos) << twice.err;
}

// Ctrl-C in `watch -`: the lines already read make a last batch (Spark's file source would have them in
// files; here they exist nowhere else), and only an unfinished line is dropped, with a message.
TEST_F(StdinCliTest, StoppingWatchDashCountsTheLinesAlreadyRead) {
  const std::string fifo = path("in");
  ASSERT_EQ(::mkfifo(fifo.c_str(), 0600), 0);
  RunningProcess watch(
      {"/bin/sh", "-c",
       "exec " + quoted(kLogstream) + " --format common watch - --trigger-interval 1h < " + quoted(fifo)});
  const int writer = ::open(fifo.c_str(), O_WRONLY);
  ASSERT_GE(writer, 0);
  const std::string lines =
      "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 5\n"
      "1.2.3.4 - - [10/Oct/2000:13:55:37 -0700] \"GET / HTTP/1.0\" 200 5\n"
      "1.2.3.4 - - [10/Oct/2000:13:55:38 -0700] \"GET / HT";
  ASSERT_EQ(::write(writer, lines.data(), lines.size()), static_cast<ssize_t>(lines.size()));
  std::this_thread::sleep_for(std::chrono::milliseconds(700));
  watch.send_signal(SIGINT);
  ASSERT_EQ(watch.wait_exit(std::chrono::seconds(10)), 0) << watch.err();
  ::close(writer);
  EXPECT_NE(watch.out().find("Batch: 0\n"), std::string::npos) << watch.out();
  EXPECT_NE(watch.out().find("|   200|    2|"), std::string::npos) << watch.out();
  const size_t unfinished = lines.size() - (lines.rfind('\n') + 1);
  EXPECT_NE(watch.err().find("an unfinished last line of standard input (" + std::to_string(unfinished) +
                             " bytes) is not counted"),
            std::string::npos)
      << watch.err();
  EXPECT_NE(watch.err().find("stopped after 1 batch\n"), std::string::npos) << watch.err();
}

// --trigger-interval on a directory: files that arrive between two triggers wait for the next one and
// are one batch together.
TEST_F(StdinCliTest, ATriggerIntervalGathersADirectorysNewFilesIntoOneBatch) {
  const std::string line = "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 5\n";
  RunningProcess watch(
      {kLogstream, "--format", "common", "watch", logs(), "--quiet-ms", "50", "--trigger-interval", "3s"});
  write_file(path("a"), line);
  std::filesystem::rename(path("a"), logs() + "/a.log");
  ASSERT_TRUE(watch.wait_for_text("Batch: 0\n", 1, std::chrono::seconds(20))) << watch.err();
  for (const char* name : {"b.log", "c.log"}) {
    write_file(path("x"), line);
    std::filesystem::rename(path("x"), logs() + "/" + name);
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(watch.wait_for_text("Batch: 1\n", 1, std::chrono::seconds(20))) << watch.err();
  std::this_thread::sleep_for(std::chrono::milliseconds(500));
  watch.send_signal(SIGTERM);
  ASSERT_EQ(watch.wait_exit(std::chrono::seconds(10)), 0) << watch.err();
  EXPECT_EQ(watch.out().find("Batch: 2"), std::string::npos) << watch.out();
  EXPECT_NE(watch.out().find("|   200|    3|"), std::string::npos) << watch.out();
  EXPECT_NE(watch.err().find("batch 1: 2 files"), std::string::npos) << watch.err();
}

}  // namespace
}  // namespace logstream::test_support
