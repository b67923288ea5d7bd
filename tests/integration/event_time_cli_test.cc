// Event time through the binary: files dropped in event-time order into `watch --output-mode append
// --watermark`, where every (window, status) row must come out exactly once, only once the watermark has
// passed the window's end (the last ones by a batch without data), equal to a count made here; late rows
// dropped exactly at the watermark; and restarts from a checkpoint in the middle of a window.
#include <gtest/gtest.h>
#include <signal.h>
#include <time.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
#include <nlohmann/json.hpp>
#include <sstream>
#include <thread>
#include <tuple>

#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"
#include "tests/support/utc_text.h"

namespace logstream::test_support {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

constexpr int64_t kStart = 971182800;  // 2000-10-10T13:00:00Z
constexpr int64_t kWindow = 600;       // 10 minutes
constexpr int64_t kDelay = 300;        // --watermark 'timestamp, 5 minutes'

const std::string kQuery =
    "SELECT window, status, count(*) AS n FROM logs GROUP BY window(timestamp, '10 minutes'), status";

std::string iso(int64_t epoch) { return utc_text(epoch, "%Y-%m-%dT%H:%M:%S.000Z"); }

struct Event {
  int64_t time;
  int status;
};

std::string lines_of(const std::vector<Event>& events) {
  std::string text;
  for (const Event& e : events) {
    text +=
        "10.0.0.1 - - [" + clf_time(e.time) + "] \"GET /p HTTP/1.1\" " + std::to_string(e.status) + " 5\n";
  }
  return text;
}

// (window start, status) -> count, as the query counts them: a window per 10 minutes from the epoch.
using Counts = std::map<std::pair<int64_t, int>, int64_t>;
void count_into(const std::vector<Event>& events, Counts& counts) {
  for (const Event& e : events) ++counts[{e.time - e.time % kWindow, e.status}];
}

struct Row {
  int batch;
  int64_t start;
  int status;
  int64_t n;
};

std::vector<Row> rows_of(const std::string& jsonl) {
  std::vector<Row> rows;
  std::istringstream in(jsonl);
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    Row row{j["batch"].get<int>(), 0, j["status"].get<int>(), j["n"].get<int64_t>()};
    const std::string start = j["window"]["start"].get<std::string>();
    struct tm parts {};
    strptime(start.c_str(), "%Y-%m-%dT%H:%M:%S", &parts);
    row.start = static_cast<int64_t>(timegm(&parts));
    EXPECT_EQ(j["window"]["end"].get<std::string>(), iso(row.start + kWindow)) << line;
    rows.push_back(row);
  }
  return rows;
}

class EventTimeCliTest : public TempDirTest {
 protected:
  void drop(const std::string& name, const std::vector<Event>& events) {
    const std::string staged = path(name);
    std::ofstream(staged) << lines_of(events);
    fs::rename(staged, logs() + "/" + name);
  }
};

// Half an hour of events, one every 20 seconds, statuses in a fixed mix.
std::vector<Event> half_hour(int64_t from) {
  std::vector<Event> events;
  static constexpr int kStatuses[] = {200, 200, 404, 200, 500, 304};
  for (int64_t t = from, i = 0; t < from + 1800; t += 20, ++i) events.push_back({t, kStatuses[i % 6]});
  return events;
}

TEST_F(EventTimeCliTest, AppendWritesEveryWindowOnceWhenTheWatermarkPassesItAndLateFilesChangeNothing) {
  RunningProcess watch({kLogstream,      "--timezone",
                        "UTC",           "--format",
                        "common",        "--progress",
                        "watch",         logs(),
                        "--quiet-ms",    "100",
                        "--output-mode", "append",
                        "--watermark",   "timestamp, 5 minutes",
                        "--sql",         kQuery,
                        "--sink",        "console",
                        "--sink",        "jsonl=" + path("rows.jsonl")});
  std::this_thread::sleep_for(milliseconds(200));
  Counts expected;
  std::vector<int64_t> watermark_of_batch;  // what each batch ran with
  int64_t watermark = 0;
  for (int k = 0; k < 4; ++k) {
    const std::vector<Event> events = half_hour(kStart + 1800 * k);
    count_into(events, expected);
    drop("f" + std::to_string(k) + ".log", events);
    // The file's batch, then one without data for the watermark it moved.
    watermark_of_batch.push_back(watermark);
    watermark = events.back().time - kDelay;
    watermark_of_batch.push_back(watermark);
    ASSERT_TRUE(watch.wait_for_text("Batch: " + std::to_string(2 * k + 1) + "\n", 1, seconds(20)))
        << watch.err();
  }
  // Old events, all at or before the watermark: a batch that drops every row and writes nothing.
  std::vector<Event> late = half_hour(kStart);
  late.resize(30);
  drop("late.log", late);
  ASSERT_TRUE(watch.wait_for_text("Batch: 8\n", 1, seconds(20))) << watch.err();
  std::this_thread::sleep_for(milliseconds(500));
  EXPECT_EQ(watch.out().find("Batch: 9\n"), std::string::npos) << "the watermark did not move: no batch";
  watch.send_signal(SIGTERM);
  ASSERT_EQ(watch.wait_exit(seconds(10)), 0) << watch.err();
  EXPECT_NE(watch.err().find("\"numRowsDroppedByWatermark\":30"), std::string::npos) << watch.err();

  std::ifstream in(path("rows.jsonl"));
  const std::string jsonl((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const std::vector<Row> rows = rows_of(jsonl);
  Counts got;
  for (const Row& row : rows) {
    EXPECT_TRUE(got.emplace(std::make_pair(row.start, row.status), row.n).second)
        << "window " << iso(row.start) << " status " << row.status << " written twice";
    // Final in its batch, and not in the batch before.
    ASSERT_LT(static_cast<size_t>(row.batch), watermark_of_batch.size());
    EXPECT_LE(row.start + kWindow, watermark_of_batch[static_cast<size_t>(row.batch)]) << iso(row.start);
    if (row.batch > 0) {
      EXPECT_GT(row.start + kWindow, watermark_of_batch[static_cast<size_t>(row.batch) - 1])
          << iso(row.start);
    }
  }
  Counts closed;
  for (const auto& [key, n] : expected) {
    if (key.first + kWindow <= watermark) closed[key] = n;
  }
  EXPECT_EQ(got, closed);
  EXPECT_EQ(closed.size(), 11u * 4) << "11 of the 12 windows closed, 4 statuses each";
}

// Spark judges lateness on the window: a row whose window ends at or before the watermark is dropped,
// one whose window is still open counts even if the row itself is older than the watermark.
TEST_F(EventTimeCliTest, ARowWhoseWindowEndsAtTheWatermarkIsLateAndARestartGoesOnInTheMiddleOfAWindow) {
  auto run = [&] {
    return run_process({kLogstream, "--timezone", "UTC", "--format", "common", "--progress", "--checkpoint",
                        path("state"), "run", logs(), "--output-mode", "append", "--watermark",
                        "timestamp, 5 minutes", "--sql", kQuery, "--sink", "jsonl"});
  };
  // 13:00:10 .. 13:35:00: the watermark becomes 13:30:00, the end of [13:20, 13:30).
  drop("a.log", {{kStart + 10, 200},
                 {kStart + 240, 404},
                 {kStart + 720, 200},
                 {kStart + 1380, 200},
                 {kStart + 2100, 200}});
  const ProcessResult one = run();
  ASSERT_EQ(one.exit_code, 0) << one.err;
  std::vector<Row> rows = rows_of(one.out);
  ASSERT_EQ(rows.size(), 4u) << one.out;  // [13:00, 13:10) 200 and 404, [13:10, 13:20) and [13:20, 13:30) 200
  for (const Row& row : rows) EXPECT_EQ(row.batch, 1) << "written by the batch without data";

  // 13:29:59 is in [13:20, 13:30), which ended at the watermark: late. 13:30:00 opens [13:30, 13:40),
  // where 13:35:00 from before the restart waits; 13:46:00 moves the watermark past it.
  drop("b.log", {{kStart + 1799, 200}, {kStart + 1800, 200}, {kStart + 2760, 500}});
  const ProcessResult two = run();
  ASSERT_EQ(two.exit_code, 0) << two.err;
  rows = rows_of(two.out);
  ASSERT_EQ(rows.size(), 1u) << two.out;
  EXPECT_EQ(rows[0].batch, 3);
  EXPECT_EQ(rows[0].start, kStart + 1800);
  EXPECT_EQ(rows[0].status, 200);
  EXPECT_EQ(rows[0].n, 2) << "13:35:00 from before the restart and 13:30:00";
  EXPECT_NE(two.err.find("\"batchId\":2,"), std::string::npos) << two.err;
  EXPECT_NE(two.err.find("\"numRowsDroppedByWatermark\":1"), std::string::npos) << two.err;
  EXPECT_NE(two.err.find("\"watermark\":\"2000-10-10T13:30:00.000Z\""), std::string::npos) << two.err;

  // Nothing new, and the watermark has not moved: no batch at all.
  const ProcessResult three = run();
  ASSERT_EQ(three.exit_code, 0) << three.err;
  EXPECT_EQ(three.out, "");
}

// Complete mode keeps every window and drops nothing; the watermark still moves.
TEST_F(EventTimeCliTest, CompleteModeWithAWatermarkKeepsAndCountsEverything) {
  auto run = [&] {
    return run_process({kLogstream, "--timezone", "UTC", "--format", "common", "--checkpoint", path("state"),
                        "run", logs(), "--watermark", "timestamp, 5 minutes", "--sql", kQuery, "--sink",
                        "jsonl"});
  };
  drop("a.log", {{kStart + 10, 200}, {kStart + 3600, 200}});
  ASSERT_EQ(run().exit_code, 0);
  drop("b.log", {{kStart + 20, 200}});  // its window ended long before the watermark
  const ProcessResult two = run();
  ASSERT_EQ(two.exit_code, 0) << two.err;
  Counts got;
  for (const Row& row : rows_of(two.out)) got[{row.start, row.status}] = row.n;
  EXPECT_EQ(got, (Counts{{{kStart, 200}, 2}, {{kStart + 3600, 200}, 1}})) << two.out;
  EXPECT_EQ(two.out.find("\"batch\":2"), std::string::npos) << "no batch without data in complete mode";
}

// One line dated in 2099 (a broken clock) must not move the watermark to 2099, which would make every
// later line late; nor may a line before 1970 open a window. Both are counted instead.
TEST_F(EventTimeCliTest, ALineFromTheFarFutureOrBefore1970OpensNoWindowAndMovesNoWatermark) {
  auto run = [&] {
    return run_process({kLogstream, "--timezone", "UTC", "--format", "common", "--progress", "--checkpoint",
                        path("state"), "run", logs(), "--output-mode", "update", "--watermark",
                        "timestamp, 5 minutes", "--sql", kQuery, "--sink", "jsonl"});
  };
  const int64_t year_2099 = 4070908800;
  drop("a.log", {{kStart + 10, 200}, {year_2099, 200}, {-60, 200}, {kStart + 700, 200}});
  const ProcessResult one = run();
  ASSERT_EQ(one.exit_code, 0) << one.err;
  EXPECT_NE(one.err.find("2 dated before 1970 or past --max-future ahead of the clock, in no window"),
            std::string::npos)
      << one.err;
  EXPECT_NE(one.err.find("\"numRowsWithUntrustedTime\":2"), std::string::npos) << one.err;
  for (const Row& row : rows_of(one.out)) EXPECT_LT(row.start, kStart + 3600) << iso(row.start);
  // Had 2099 moved the watermark, these would be late.
  drop("b.log", {{kStart + 900, 404}, {kStart + 960, 404}});
  const ProcessResult two = run();
  ASSERT_EQ(two.exit_code, 0) << two.err;
  const std::vector<Row> rows = rows_of(two.out);
  ASSERT_EQ(rows.size(), 1u) << two.out;
  EXPECT_EQ(rows[0].start, kStart + 600);
  EXPECT_EQ(rows[0].status, 404);
  EXPECT_EQ(rows[0].n, 2);
  EXPECT_NE(two.err.find("\"numRowsDroppedByWatermark\":0"), std::string::npos) << two.err;
}

// Windows are aligned to the epoch, not to local midnight, and shown in the session zone: across the
// spring change in Paris (2015-03-29, 02:00 CET became 03:00 CEST at 01:00 UTC) an hour's window reads
// as 01:00 to 03:00, and the offsets in jsonl tell the two apart.
TEST_F(EventTimeCliTest, WindowsAcrossADaylightSavingChangeAreShownInTheSessionZone) {
  const int64_t change = 1427590800;  // 2015-03-29T01:00:00Z
  std::ofstream(logs() + "/a.log") << lines_of(
      {{change - 1800, 200}, {change + 1800, 200}, {change + 1900, 200}});
  const std::string sql =
      "SELECT window, count(*) AS n FROM logs GROUP BY window(timestamp, '1 hour') ORDER BY window";
  const ProcessResult console = run_process({kLogstream, "-q", "--timezone", "Europe/Paris", "--format",
                                             "common", "run", logs(), "--sql", sql, "--truncate", "false"});
  ASSERT_EQ(console.exit_code, 0) << console.err;
  EXPECT_NE(console.out.find("|{2015-03-29 01:00:00, 2015-03-29 03:00:00}|1  |\n"
                             "|{2015-03-29 03:00:00, 2015-03-29 04:00:00}|2  |\n"),
            std::string::npos)
      << console.out;
  const ProcessResult jsonl = run_process({kLogstream, "-q", "--timezone", "Europe/Paris", "--format",
                                           "common", "run", logs(), "--sql", sql, "--sink", "jsonl"});
  ASSERT_EQ(jsonl.exit_code, 0) << jsonl.err;
  EXPECT_EQ(jsonl.out,
            "{\"batch\":0,\"window\":{\"start\":\"2015-03-29T01:00:00.000+01:00\",\"end\":\"2015-03-29T03:00:"
            "00.000+02:"
            "00\"},\"n\":1}\n"
            "{\"batch\":0,\"window\":{\"start\":\"2015-03-29T03:00:00.000+02:00\",\"end\":\"2015-03-29T04:00:"
            "00.000+02:"
            "00\"},\"n\":2}\n");
  // CSV has no structs: the window is two columns.
  const ProcessResult csv = run_process({kLogstream, "-q", "--timezone", "Europe/Paris", "--format", "common",
                                         "run", logs(), "--sql", sql, "--sink", "csv"});
  ASSERT_EQ(csv.exit_code, 0) << csv.err;
  EXPECT_EQ(csv.out,
            "batch,window.start,window.end,n\n"
            "0,2015-03-29T01:00:00.000+01:00,2015-03-29T03:00:00.000+02:00,1\n"
            "0,2015-03-29T03:00:00.000+02:00,2015-03-29T04:00:00.000+02:00,2\n");
}

// Files dropped out of event-time order: without a watermark nothing is late, and the last complete
// table is the count of every line.
TEST_F(EventTimeCliTest, FilesDroppedInShuffledOrderGiveTheWholeInputsCounts) {
  RunningProcess watch({kLogstream, "--timezone", "UTC", "--format", "common", "watch", logs(), "--quiet-ms",
                        "100", "--sql", kQuery, "--sink", "console", "--sink",
                        "jsonl=" + path("rows.jsonl")});
  std::this_thread::sleep_for(milliseconds(200));
  Counts expected;
  const int order[] = {3, 0, 5, 1, 4, 2};
  for (size_t i = 0; i < std::size(order); ++i) {
    const std::vector<Event> events = half_hour(kStart + 1800 * order[i]);
    count_into(events, expected);
    drop("f" + std::to_string(order[i]) + ".log", events);
    ASSERT_TRUE(watch.wait_for_text("Batch: " + std::to_string(i) + "\n", 1, seconds(20))) << watch.err();
  }
  watch.send_signal(SIGTERM);
  ASSERT_EQ(watch.wait_exit(seconds(10)), 0) << watch.err();
  std::ifstream in(path("rows.jsonl"));
  const std::string jsonl((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  Counts last;
  for (const Row& row : rows_of(jsonl)) {
    if (row.batch == 5) last[{row.start, row.status}] = row.n;
  }
  EXPECT_EQ(last, expected);
}

// Sessions per host, dropped half an hour at a time in event-time order: every session comes out once,
// when the watermark passes its end, with the sessions a person would cut by hand (a row more than the
// gap after the session's end so far starts a new one), one of them spanning two files.
TEST_F(EventTimeCliTest, AppendWritesEverySessionOnceWhenFinalAndSessionsSpanBatches) {
  constexpr int64_t kGap = 600;
  struct HostEvent {
    int64_t time;
    std::string host;
  };
  std::vector<HostEvent> events;
  for (int64_t t = 0; t <= 840; t += 60) events.push_back({kStart + t, "a"});
  for (int64_t t = 2700; t <= 3900; t += 60) events.push_back({kStart + t, "a"});  // across 3600
  for (int64_t t = 0; t <= 3600; t += 420) events.push_back({kStart + t, "b"});    // 7-minute steps
  for (int64_t t = 5400; t < 7200; t += 20) events.push_back({kStart + t, "c"});
  std::sort(events.begin(), events.end(),
            [](const HostEvent& x, const HostEvent& y) { return x.time < y.time; });
  RunningProcess watch({kLogstream, "--timezone", "UTC", "--format", "common", "watch", logs(), "--quiet-ms",
                        "100", "--output-mode", "append", "--watermark", "timestamp, 5 minutes", "--sql",
                        "SELECT host, session_window, count(*) AS n FROM logs "
                        "GROUP BY host, session_window(timestamp, '10 minutes')",
                        "--sink", "console", "--sink", "jsonl=" + path("rows.jsonl")});
  std::this_thread::sleep_for(milliseconds(200));
  std::vector<int64_t> watermark_of_batch;
  int64_t watermark = 0;
  int batches = 0;
  for (int k = 0; k < 4; ++k) {
    std::string text;
    int64_t latest = 0;
    for (const HostEvent& e : events) {
      if (e.time < kStart + 1800 * k || e.time >= kStart + 1800 * (k + 1)) continue;
      text += e.host + " - - [" + clf_time(e.time) + "] \"GET /p HTTP/1.1\" 200 5\n";
      latest = e.time;
    }
    std::ofstream(path("staged")) << text;
    fs::rename(path("staged"), logs() + "/f" + std::to_string(k) + ".log");
    watermark_of_batch.push_back(watermark);
    batches += 1;
    if (latest - kDelay > watermark) {  // a batch without data follows for the watermark it moved
      watermark = latest - kDelay;
      watermark_of_batch.push_back(watermark);
      batches += 1;
    }
    ASSERT_TRUE(watch.wait_for_text("Batch: " + std::to_string(batches - 1) + "\n", 1, seconds(20)))
        << watch.err();
  }
  std::this_thread::sleep_for(milliseconds(300));
  watch.send_signal(SIGTERM);
  ASSERT_EQ(watch.wait_exit(seconds(10)), 0) << watch.err();

  // By hand: per host, in time order.
  std::map<std::tuple<std::string, int64_t, int64_t>, int64_t> expected;
  std::map<std::string, std::vector<int64_t>> by_host;
  for (const HostEvent& e : events) by_host[e.host].push_back(e.time);
  for (const auto& [host, times] : by_host) {
    for (size_t i = 0; i < times.size();) {
      int64_t end = times[i] + kGap;
      size_t j = i + 1;
      while (j < times.size() && times[j] <= end) end = times[j++] + kGap;
      if (end <= watermark) expected[{host, times[i], end}] = static_cast<int64_t>(j - i);
      i = j;
    }
  }
  std::map<std::tuple<std::string, int64_t, int64_t>, int64_t> got;
  std::ifstream in(path("rows.jsonl"));
  for (std::string line; std::getline(in, line);) {
    const auto j = nlohmann::json::parse(line);
    auto epoch = [](const std::string& text) {
      struct tm parts {};
      strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &parts);
      return static_cast<int64_t>(timegm(&parts));
    };
    const int64_t start = epoch(j["session_window"]["start"].get<std::string>());
    const int64_t end = epoch(j["session_window"]["end"].get<std::string>());
    const auto batch = static_cast<size_t>(j["batch"].get<int>());
    ASSERT_LT(batch, watermark_of_batch.size()) << line;
    EXPECT_LE(end, watermark_of_batch[batch]) << line;
    if (batch > 0) {
      EXPECT_GT(end, watermark_of_batch[batch - 1]) << "written once, when final: " << line;
    }
    EXPECT_TRUE(
        got.emplace(std::make_tuple(j["host"].get<std::string>(), start, end), j["n"].get<int64_t>()).second)
        << "written twice: " << line;
  }
  EXPECT_EQ(got, expected);
  EXPECT_EQ(expected.size(), 3u) << "a's two sessions (one across files) and b's; c's is still open";
  EXPECT_NE(watch.out().find("|   a|{2000-10-10 13:45...|"), std::string::npos) << watch.out();
}

TEST_F(EventTimeCliTest, SessionWindowsRefuseWhatSparkRefusesInStreaming) {
  std::ofstream(logs() + "/a.log") << lines_of({{kStart, 200}});
  const ProcessResult global = run_process(
      {kLogstream, "--format", "common", "--output-mode", "append", "--watermark", "timestamp, 5 minutes",
       "--sql", "SELECT session_window, count(*) FROM logs GROUP BY session_window(timestamp, '5 minutes')",
       "watch", logs()});
  EXPECT_EQ(global.exit_code, 2);
  EXPECT_NE(global.err.find("global aggregation with session_window() in a streaming query is not supported"),
            std::string::npos)
      << global.err;
  const ProcessResult update =
      run_process({kLogstream, "--format", "common", "--output-mode", "update", "--sql",
                   "SELECT host, count(*) FROM logs GROUP BY host, session_window(timestamp, '5 minutes')",
                   "run", logs()});
  EXPECT_EQ(update.exit_code, 2);
  EXPECT_NE(update.err.find("update output mode is not supported for session_window()"), std::string::npos)
      << update.err;
  const ProcessResult gap = run_process(
      {kLogstream, "--format", "common", "--sql",
       "SELECT count(*) FROM logs GROUP BY session_window(timestamp, '0 seconds')", "run", logs()});
  EXPECT_EQ(gap.exit_code, 2);
  EXPECT_NE(gap.err.find("session_window: the gap must be positive"), std::string::npos) << gap.err;
  // A static query (run) allows a session window as the only key.
  const ProcessResult static_query = run_process(
      {kLogstream, "-q", "--timezone", "UTC", "--format", "common", "--sql",
       "SELECT session_window.end, count(*) FROM logs GROUP BY session_window(timestamp, '5 minutes')", "run",
       logs()});
  EXPECT_EQ(static_query.exit_code, 0) << static_query.err;
  EXPECT_NE(static_query.out.find("|2000-10-10 13:05:00|       1|"), std::string::npos) << static_query.out;
}

TEST_F(EventTimeCliTest, UsageErrorsNameWhatIsMissing) {
  std::ofstream(logs() + "/a.log") << lines_of({{kStart, 200}});
  auto usage = [&](std::vector<std::string> extra) {
    std::vector<std::string> argv = {kLogstream, "--format", "common", "run", logs()};
    argv.insert(argv.end(), extra.begin(), extra.end());
    return run_process(argv);
  };
  const ProcessResult no_watermark =
      usage({"--output-mode", "append", "--sql", "SELECT status, count(*) FROM logs GROUP BY status"});
  EXPECT_EQ(no_watermark.exit_code, 2);
  EXPECT_NE(no_watermark.err.find("without a watermark on its event-time window"), std::string::npos)
      << no_watermark.err;
  const ProcessResult no_window = usage({"--watermark", "timestamp, 5 minutes", "--group-by", "status"});
  EXPECT_EQ(no_window.exit_code, 2);
  EXPECT_NE(no_window.err.find("--watermark needs a query grouped by an event-time window"),
            std::string::npos)
      << no_window.err;
  const ProcessResult bad_column = usage({"--watermark", "status, 5 minutes", "--sql", kQuery});
  EXPECT_EQ(bad_column.exit_code, 2);
  EXPECT_NE(bad_column.err.find("column 'status' is int; the event time must be a timestamp"),
            std::string::npos)
      << bad_column.err;
  const ProcessResult bad_delay = usage({"--watermark", "timestamp, soon", "--sql", kQuery});
  EXPECT_EQ(bad_delay.exit_code, 2);
  EXPECT_NE(bad_delay.err.find("--watermark: the delay 'soon' is not an interval"), std::string::npos)
      << bad_delay.err;
}

}  // namespace
}  // namespace logstream::test_support
