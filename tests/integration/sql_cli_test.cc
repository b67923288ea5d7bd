// The query engine through the binary where the streaming side matters: usage errors with carets before
// any input is read, Spark's mode rules in watch, update versus complete mode across batches, rows of a
// non-aggregate query, the engine's groups through a checkpoint (and another query refused), and the
// state limit.
#include <gtest/gtest.h>
#include <signal.h>

#include <algorithm>
#include <filesystem>
#include <sstream>
#include <thread>

#include "stages/core/spark_partitioning.h"
#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"
#include "tests/support/seed_reference.h"

namespace logstream::test_support {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

std::string line(const std::string& host, const std::string& endpoint, int status) {
  return host + " - - [10/Oct/2000:13:55:36 -0700] \"GET " + endpoint + " HTTP/1.0\" " +
         std::to_string(status) + " 2326\n";
}

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> out;
  std::istringstream in(text);
  for (std::string l; std::getline(in, l);) out.push_back(l);
  return out;
}

// The jsonl rows of one batch without their batch field, sorted (a result compared as a set of rows).
std::vector<std::string> rows_of_batch(const std::string& jsonl, int batch) {
  std::vector<std::string> rows;
  const std::string prefix = "{\"batch\":" + std::to_string(batch) + ",";
  for (const std::string& l : lines_of(jsonl)) {
    if (l.rfind(prefix, 0) == 0) rows.push_back("{" + l.substr(prefix.size()));
  }
  std::sort(rows.begin(), rows.end());
  return rows;
}

using SqlCliTest = TempDirTest;

TEST_F(SqlCliTest, ABadQueryIsAUsageErrorWithItsLineColumnAndCaretBeforeAnyInputIsRead) {
  write_file(path("a.log"), line("1.2.3.4", "/a", 200));
  struct Case {
    std::string sql;
    std::string message;
    std::string caret_line;
  };
  const std::vector<Case> cases = {
      {"SELECT hots FROM logs", "line 1, column 8: unknown column 'hots'; the columns of logs are host,",
       "         ^"},
      {"SELECT status,\n  FROM logs", "line 2, column 3: expected an expression", "    ^"},
      {"SELECT host FROM logs WHERE status AND 1", "AND needs boolean operands", ""},
      {"SELECT host, count(*) FROM logs GROUP BY status",
       "'host' is neither in GROUP BY nor inside an aggregate", ""},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sql);
    const ProcessResult r = run_process({kLogstream, "run", path("a.log"), "--sql", c.sql});
    EXPECT_EQ(r.exit_code, 2) << r.err;
    EXPECT_EQ(r.out, "") << "nothing printed for a query that cannot run";
    EXPECT_NE(r.err.find(c.message), std::string::npos) << r.err;
    if (!c.caret_line.empty()) {
      EXPECT_NE(r.err.find("\n" + c.caret_line + "\n"), std::string::npos) << r.err;
    }
  }
  const ProcessResult both =
      run_process({kLogstream, "run", path("a.log"), "--sql", "SELECT 1", "--group-by", "host"});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("not both"), std::string::npos) << both.err;
}

TEST_F(SqlCliTest, WatchRefusesWhatSparkRefusesOnStreamingDataAndRunAllowsIt) {
  write_file(logs() + "/a.log", line("1.2.3.4", "/a", 200) + line("1.2.3.5", "/b", 404));
  const std::vector<std::pair<std::string, std::string>> refused = {
      {"SELECT status, count(*) c FROM logs GROUP BY status ORDER BY c LIMIT 1", "LIMIT is not supported"},
      {"SELECT host FROM logs ORDER BY host", "sorting is not supported on streaming data"},
      {"SELECT count(DISTINCT host) FROM logs", "consider using approx_count_distinct()"},
      {"SELECT DISTINCT host FROM logs", "DISTINCT is not supported"},
  };
  for (const auto& [sql, message] : refused) {
    SCOPED_TRACE(sql);
    const ProcessResult w = run_process({kLogstream, "watch", logs(), "--sql", sql}, seconds(10));
    EXPECT_EQ(w.exit_code, 2) << w.err;
    EXPECT_NE(w.err.find(message), std::string::npos) << w.err;
    const ProcessResult r = run_process({kLogstream, "-q", "run", logs(), "--sql", sql});
    EXPECT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.out.find("Batch: 0"), std::string::npos);
  }
  const ProcessResult append_agg =
      run_process({kLogstream, "run", logs(), "--sql", "SELECT status, count(*) FROM logs GROUP BY status",
                   "--output-mode", "append"});
  EXPECT_EQ(append_agg.exit_code, 2);
  EXPECT_NE(append_agg.err.find("append output mode is not supported"), std::string::npos) << append_agg.err;
  const ProcessResult complete_rows =
      run_process({kLogstream, "run", logs(), "--sql", "SELECT host FROM logs", "--output-mode", "complete"});
  EXPECT_EQ(complete_rows.exit_code, 2);
  EXPECT_NE(complete_rows.err.find("no aggregations"), std::string::npos) << complete_rows.err;
}

TEST_F(SqlCliTest, UpdateModeWritesOnlyTheGroupsABatchChangedAndCompleteWritesThemAll) {
  const std::string sql = "SELECT endpoint, count(*) AS hits FROM logs GROUP BY endpoint";
  for (const std::string mode : {"update", "complete"}) {
    SCOPED_TRACE(mode);
    fs::remove_all(logs());
    fs::create_directories(logs());
    const std::string out = path("out-" + mode + ".jsonl");
    RunningProcess watch({kLogstream, "-q", "watch", logs(), "--quiet-ms", "50", "--sql", sql,
                          "--output-mode", mode, "--sink", "jsonl=" + out});
    std::this_thread::sleep_for(milliseconds(300));
    write_file(logs() + "/a.log", line("1.1.1.1", "/a", 200) + line("1.1.1.1", "/b", 200));
    for (int i = 0; i < 100 && rows_of_batch(read_file(out), 0).empty(); ++i)
      std::this_thread::sleep_for(milliseconds(50));
    write_file(logs() + "/b.log", line("1.1.1.1", "/b", 200));
    for (int i = 0; i < 100 && rows_of_batch(read_file(out), 1).empty(); ++i)
      std::this_thread::sleep_for(milliseconds(50));
    watch.send_signal(SIGINT);
    EXPECT_EQ(watch.wait_exit(seconds(10)), 0) << watch.err();
    const std::string text = read_file(out);
    EXPECT_EQ(rows_of_batch(text, 0), (std::vector<std::string>{"{\"endpoint\":\"/a\",\"hits\":1}",
                                                                "{\"endpoint\":\"/b\",\"hits\":1}"}));
    if (mode == "update") {
      EXPECT_EQ(rows_of_batch(text, 1), (std::vector<std::string>{"{\"endpoint\":\"/b\",\"hits\":2}"}));
    } else {
      EXPECT_EQ(rows_of_batch(text, 1), (std::vector<std::string>{"{\"endpoint\":\"/a\",\"hits\":1}",
                                                                  "{\"endpoint\":\"/b\",\"hits\":2}"}));
    }
  }
}

TEST_F(SqlCliTest, ANonAggregateQueryShowsTwentyRowsAndWritesEveryRowInInputOrder) {
  std::string text;
  for (int i = 0; i < 30; ++i) text += line("10.0.0." + std::to_string(i), "/p" + std::to_string(i), 500);
  text += line("10.0.0.99", "/ok", 200);
  write_file(path("a.log"), text);
  const std::string sql = "SELECT host, endpoint FROM logs WHERE status >= 500";
  for (const std::string threads : {"1", "2"}) {
    const ProcessResult console = run_process(
        {kLogstream, "-q", "--threads", threads, "--chunk-size", "256", "run", path("a.log"), "--sql", sql});
    ASSERT_EQ(console.exit_code, 0) << console.err;
    EXPECT_NE(console.out.find("| 10.0.0.0|     /p0|\n| 10.0.0.1|     /p1|\n"), std::string::npos)
        << console.out;
    EXPECT_NE(console.out.find("|10.0.0.19|    /p19|\n+"), std::string::npos) << console.out;
    EXPECT_NE(console.out.find("only showing top 20 rows\n"), std::string::npos) << console.out;
    const ProcessResult csv = run_process({kLogstream, "-q", "--threads", threads, "--chunk-size", "256",
                                           "run", path("a.log"), "--sql", sql, "--sink", "csv"});
    ASSERT_EQ(csv.exit_code, 0) << csv.err;
    const std::vector<std::string> rows = lines_of(csv.out);
    ASSERT_EQ(rows.size(), 31u) << csv.out;
    EXPECT_EQ(rows[0], "batch,host,endpoint");
    for (int i = 0; i < 30; ++i)
      EXPECT_EQ(rows[static_cast<size_t>(i + 1)],
                "0,10.0.0." + std::to_string(i) + ",/p" + std::to_string(i));
  }
}

TEST_F(SqlCliTest, StreamedRowsThatCannotBeWrittenLeaveTheBatchUncommittedAndTheRestartWritesThemAgain) {
  std::string text;
  for (int i = 0; i < 3000; ++i) text += line("10.0.0.1", "/p" + std::to_string(i), 500);
  write_file(logs() + "/a.log", text);
  const std::string sql = "SELECT endpoint FROM logs WHERE status = 500";
  const ProcessResult full = run_process({kLogstream, "-q", "--checkpoint", path("state"), "--chunk-size",
                                          "4K", "run", logs(), "--sql", sql, "--sink", "jsonl=/dev/full"});
  EXPECT_EQ(full.exit_code, 1) << full.err;
  EXPECT_NE(full.err.find("it is not committed"), std::string::npos) << full.err;
  const ProcessResult again = run_process({kLogstream, "-q", "--checkpoint", path("state"), "--chunk-size",
                                           "4K", "run", logs(), "--sql", sql, "--sink", "jsonl"});
  ASSERT_EQ(again.exit_code, 0) << again.err;
  const std::vector<std::string> rows = lines_of(again.out);
  ASSERT_EQ(rows.size(), 3000u);
  EXPECT_EQ(rows.front(), "{\"batch\":0,\"endpoint\":\"/p0\"}");
  EXPECT_EQ(rows.back(), "{\"batch\":0,\"endpoint\":\"/p2999\"}");
}

TEST_F(SqlCliTest, AResultOfManyGroupsWrittenSliceBySliceIsInSparksOrderAndTheConsoleShowsItsHead) {
  std::string text;
  for (int i = 0; i < 40000; ++i) text += line("10.0.0.1", "/e" + std::to_string(i % 25000), 200);
  write_file(path("a.log"), text);
  const std::string sql = "SELECT endpoint, count(*) AS n FROM logs GROUP BY endpoint HAVING n > 0";
  const ProcessResult csv =
      run_process({kLogstream, "-q", "run", path("a.log"), "--sql", sql, "--sink", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  std::vector<std::string> rows = lines_of(csv.out);
  ASSERT_EQ(rows.size(), 25001u);
  EXPECT_EQ(rows[0], "batch,endpoint,n");
  rows.erase(rows.begin());
  // The order Spark gives, by the sinks' own sort (not the engine's), on the rows as written.
  std::vector<std::vector<Value>> expected;
  for (const std::string& row : rows) {
    const size_t a = row.find(','), b = row.rfind(',');
    expected.push_back(
        {Value::string(row.substr(a + 1, b - a - 1)), Value::bigint(std::stoll(row.substr(b + 1)))});
  }
  std::vector<std::vector<Value>> sorted = expected;
  const size_t key_column = 0;
  sort_in_spark_order(sorted, std::span<const size_t>(&key_column, 1));
  EXPECT_TRUE(sorted == expected) << "the rows are not in Spark's partition order";
  for (const auto& row : expected)
    EXPECT_EQ(row[1].integer, std::stoi(row[0].text.substr(2)) < 15000 ? 2 : 1);

  const ProcessResult console =
      run_process({kLogstream, "-q", "run", path("a.log"), "--sql", sql, "--num-rows", "3"});
  ASSERT_EQ(console.exit_code, 0) << console.err;
  const size_t header = console.out.find("|endpoint|  n|\n");
  ASSERT_NE(header, std::string::npos) << console.out;
  EXPECT_NE(
      console.out.find(expected[0][0].text + "|  " + std::to_string(expected[0][1].integer) + "|\n", header),
      std::string::npos)
      << console.out;
  EXPECT_NE(console.out.find("only showing top 3 rows\n"), std::string::npos) << console.out;
}

TEST_F(SqlCliTest, TheConsoleOptionsTakeWhatShowTakes) {
  // show(numRows: Int, truncate: Int): truncate 0 shows cells whole, as false does; numRows is an Int.
  const std::string endpoint = "/" + std::string(40, 'x');
  write_file(path("a.log"), line("1.1.1.1", endpoint, 200));
  const std::string sql = "SELECT endpoint FROM logs";
  const ProcessResult whole =
      run_process({kLogstream, "-q", "run", path("a.log"), "--sql", sql, "--truncate", "0"});
  ASSERT_EQ(whole.exit_code, 0) << whole.err;
  EXPECT_NE(whole.out.find("|" + endpoint + "|"), std::string::npos) << whole.out;
  const ProcessResult as_false =
      run_process({kLogstream, "-q", "run", path("a.log"), "--sql", sql, "--truncate", "false"});
  EXPECT_EQ(as_false.out, whole.out);
  EXPECT_EQ(run_process({kLogstream, "-q", "run", path("a.log"), "--num-rows", "2147483647"}).exit_code, 0);
  const ProcessResult too_many =
      run_process({kLogstream, "-q", "run", path("a.log"), "--num-rows", "2147483648"});
  EXPECT_EQ(too_many.exit_code, 2);
  EXPECT_NE(too_many.err.find("0 to 2147483647"), std::string::npos) << too_many.err;
}

TEST_F(SqlCliTest, ACsvFileOfAnotherQueryIsNotAppendedTo) {
  // The csv sink appends with one header per file: a second run of the same query adds rows under it, a
  // query with other columns is refused before it reads anything, and the file is left as it was.
  write_file(path("a.log"), line("1.1.1.1", "/a", 200) + line("2.2.2.2", "/b", 404));
  const std::string out = path("out.csv");
  for (int run = 0; run < 2; ++run) {
    const ProcessResult r =
        run_process({kLogstream, "-q", "run", path("a.log"), "--group-by", "status", "--sink", "csv=" + out});
    ASSERT_EQ(r.exit_code, 0) << r.err;
  }
  const std::string before = read_file(out);
  EXPECT_EQ(before, "batch,status,count\n0,404,1\n0,200,1\n0,404,1\n0,200,1\n");
  const ProcessResult other =
      run_process({kLogstream, "-q", "run", path("a.log"), "--group-by", "host", "--sink", "csv=" + out});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("holds other rows (its first line is 'batch,status,count', this query's header is "
                           "'batch,host,count')"),
            std::string::npos)
      << other.err;
  EXPECT_EQ(read_file(out), before);
}

TEST_F(SqlCliTest, InputFileNameIsEachRowsFileAsAFileUri) {
  write_file(logs() + "/a b.log", line("1.1.1.1", "/a", 200) + line("1.1.1.1", "/b", 200));
  write_file(logs() + "/c.log", line("1.1.1.1", "/c", 404));
  for (const std::string format : {"common", "spark-seed"}) {
    SCOPED_TRACE(format);
    const ProcessResult r = run_process(
        {kLogstream, "-q", "--format", format, "--chunk-size", "128", "run", logs(), "--sql",
         "SELECT input_file_name() AS file, count(*) AS n, max(status) FROM logs GROUP BY input_file_name()",
         "--sink", "csv"});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string dir = fs::absolute(logs()).lexically_normal().string();
    std::vector<std::string> rows = lines_of(r.out);
    std::sort(rows.begin(), rows.end());
    EXPECT_EQ(rows,
              (std::vector<std::string>{"0,file://" + dir + "/a%20b.log,2,200",
                                        "0,file://" + dir + "/c.log,1,404", "batch,file,n,max(status)"}));
  }
  const ProcessResult ungrouped =
      run_process({kLogstream, "run", logs(), "--sql", "SELECT input_file_name(), count(*) FROM logs"});
  EXPECT_EQ(ungrouped.exit_code, 2);
  EXPECT_NE(ungrouped.err.find("'input_file_name()' is neither in GROUP BY nor inside an aggregate"),
            std::string::npos)
      << ungrouped.err;
}

TEST_F(SqlCliTest, TheEngineGroupsAreCommittedAndAnotherQueryIsRefused) {
  const std::string sql = "SELECT endpoint, count(*) AS hits, sum(content_size) FROM logs GROUP BY endpoint";
  write_file(logs() + "/a.log", line("1.1.1.1", "/a", 200) + line("1.1.1.1", "/b", 404));
  const ProcessResult first = run_process(
      {kLogstream, "-q", "--checkpoint", path("state"), "run", logs(), "--sql", sql, "--sink", "jsonl"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  write_file(logs() + "/b.log", line("1.1.1.1", "/b", 200) + line("1.1.1.1", "/c", 200));
  // The same query spelt otherwise is the same plan: it resumes.
  const ProcessResult second = run_process(
      {kLogstream, "-q", "--checkpoint", path("state"), "run", logs(), "--sql",
       "select endpoint, COUNT(1) as hits, SUM(content_size)\nfrom logs group by 1", "--sink", "jsonl"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  const ProcessResult clean = run_process({kLogstream, "-q", "run", logs(), "--sql", sql, "--sink", "jsonl"});
  ASSERT_EQ(clean.exit_code, 0) << clean.err;
  EXPECT_EQ(rows_of_batch(second.out, 1), rows_of_batch(clean.out, 0)) << second.out;
  EXPECT_EQ(rows_of_batch(clean.out, 0).size(), 3u);

  const ProcessResult other =
      run_process({kLogstream, "-q", "--checkpoint", path("state"), "run", logs(), "--group-by", "host"});
  EXPECT_EQ(other.exit_code, 1);
  EXPECT_NE(other.err.find("written by another query"), std::string::npos) << other.err;
}

// A commit writes the batch's partial aggregate and the files it counted; a snapshot every 10 commits
// starts a new chain. Over 23 restarts (two whole chains and part of a third) the restored state, with
// every kind of aggregate, must equal one run over the same files, and the directory holds one chain.
TEST_F(SqlCliTest, IncrementalCommitsOverManyRestartsRestoreTheSameStateAsOneRun) {
  const std::string sql =
      "SELECT status, count(*), sum(content_size), avg(content_size), min(endpoint), max(host), "
      "approx_count_distinct(endpoint), percentile_approx(content_size, 0.5) FROM logs GROUP BY status";
  auto count_segments = [&](const std::string& prefix) {
    size_t n = 0;
    for (const auto& e : fs::directory_iterator(path("state")))
      n += e.path().filename().string().rfind(prefix, 0) == 0 ? 1 : 0;
    return n;
  };
  for (int batch = 0; batch < 23; ++batch) {
    std::string text;
    for (int i = 0; i < 40; ++i) {
      text += line("10.0." + std::to_string(batch) + "." + std::to_string(i % 7),
                   "/p" + std::to_string((batch * 13 + i) % 50), 200 + 100 * ((batch + i) % 4));
    }
    write_file(logs() + "/f" + std::to_string(batch) + ".log", text);
    const ProcessResult resumed = run_process(
        {kLogstream, "-q", "--checkpoint", path("state"), "run", logs(), "--sql", sql, "--sink", "jsonl"});
    ASSERT_EQ(resumed.exit_code, 0) << resumed.err;
    const ProcessResult clean =
        run_process({kLogstream, "-q", "run", logs(), "--sql", sql, "--sink", "jsonl"});
    ASSERT_EQ(clean.exit_code, 0) << clean.err;
    ASSERT_EQ(rows_of_batch(resumed.out, batch), rows_of_batch(clean.out, 0)) << "batch " << batch;
    // Batches 0, 10, 20 are snapshots: the chain holds (batch % 10) + 1 segments of each kind.
    EXPECT_EQ(count_segments("groups-"), static_cast<size_t>(batch % 10 + 1)) << "batch " << batch;
    EXPECT_EQ(count_segments("files-"), static_cast<size_t>(batch % 10 + 1)) << "batch " << batch;
  }
}

// A static query over nothing is still a batch: a global count of 0, as Spark's availableNow prints it.
TEST_F(SqlCliTest, RunOverAnEmptyDirectoryWritesBatchZero) {
  const ProcessResult result = run_process(
      {kLogstream, "-q", "run", logs(), "--sql", "SELECT count(*) AS n FROM logs", "--sink", "jsonl"});
  ASSERT_EQ(result.exit_code, 0) << result.err;
  EXPECT_EQ(result.out, "{\"batch\":0,\"n\":0}\n");
}

TEST_F(SqlCliTest, GroupsBeyondMaxStateBytesStopTheQueryWithTheReasonAndNothingCommitted) {
  std::string text;
  for (int i = 0; i < 2000; ++i) text += line("1.1.1.1", "/page/" + std::to_string(i), 200);
  write_file(logs() + "/a.log", text);
  const ProcessResult r = run_process({kLogstream, "-q", "--checkpoint", path("state"), "--max-state-bytes",
                                       "16K", "run", logs(), "--group-by", "endpoint"});
  EXPECT_EQ(r.exit_code, 1) << r.err;
  EXPECT_NE(r.err.find("2000 groups of (endpoint)"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("--max-state-bytes 16384"), std::string::npos) << r.err;
  EXPECT_EQ(r.out, "");
  const ProcessResult again =
      run_process({kLogstream, "-q", "--checkpoint", path("state"), "run", logs(), "--group-by", "endpoint"});
  EXPECT_EQ(again.exit_code, 0) << again.err;
  EXPECT_NE(again.out.find("Batch: 0"), std::string::npos) << "the refused batch was not committed";
}

TEST_F(SqlCliTest, GroupByStatusIsTheSeedsTableAndSqlNamesTheCountColumnCount1) {
  const std::string file = kSharedData + "/elastic-apache.log";
  const ProcessResult seed = run_process({kLogstream, "-q", "run", file});
  const ProcessResult shorthand = run_process({kLogstream, "-q", "run", file, "--group-by", "status"});
  const ProcessResult sql = run_process(
      {kLogstream, "-q", "run", file, "--sql", "SELECT status, count(*) FROM logs GROUP BY status"});
  ASSERT_EQ(seed.exit_code, 0) << seed.err;
  EXPECT_EQ(shorthand.out, seed.out);
  EXPECT_NE(sql.out.find("|status|count(1)|"), std::string::npos) << sql.out;
  EXPECT_EQ(parse_last_console_table(sql.out), parse_last_console_table(seed.out));
  // A filter leaves the status table for the engine; the rows kept still come in Spark's order.
  const ProcessResult filtered = run_process({kLogstream, "-q", "run", file, "--where", "status <> 200"});
  StatusCountMap expected = parse_last_console_table(seed.out);
  expected.erase(200);
  EXPECT_EQ(parse_last_console_table(filtered.out), expected) << filtered.out;
}

}  // namespace
}  // namespace logstream::test_support
