// Alert rules with `over` windows, through the binary: the value judged is the worst sliding window the
// rule's watermark has finished, as an independent per-minute count of a real log says; and the windows'
// minutes, the firing state and the streaks survive restarts from a checkpoint.
#include <gtest/gtest.h>

#include <ctime>
#include <filesystem>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"
#include "tests/support/seed_reference.h"

namespace logstream::test_support {
namespace {

namespace fs = std::filesystem;
using AlertWindowsCliTest = TempDirTest;

constexpr int64_t kMinute = 60;

int64_t floor_minute(int64_t seconds) { return seconds - ((seconds % kMinute) + kMinute) % kMinute; }

std::string utc_text(int64_t seconds) {
  const std::time_t t = static_cast<std::time_t>(seconds);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char out[32];
  std::strftime(out, sizeof out, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return out;
}

// Per minute of event time (epoch seconds of its start): the lines, and those whose status is `status`.
struct MinuteCounts {
  std::map<int64_t, uint64_t> matching;
  int64_t first = INT64_MAX, latest = INT64_MIN;  // seconds
};

MinuteCounts minute_counts(const std::string& log, int status) {
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::regex line(
      R"x(^\S+ \S+ \S+ \[(\d{2})/([A-Z][a-z]{2})/(\d{4}):(\d{2}):(\d{2}):(\d{2}) ([+-])(\d{2})(\d{2})\] "[^"]*" (\d{3}) )x");
  MinuteCounts counts;
  std::istringstream in(read_file(log));
  std::smatch m;
  for (std::string text; std::getline(in, text);) {
    if (!std::regex_search(text, m, line)) continue;
    std::tm tm{};
    tm.tm_mday = std::stoi(m[1]);
    tm.tm_mon = static_cast<int>(std::find(std::begin(kMonths), std::end(kMonths), m[2].str()) - kMonths);
    tm.tm_year = std::stoi(m[3]) - 1900;
    tm.tm_hour = std::stoi(m[4]);
    tm.tm_min = std::stoi(m[5]);
    tm.tm_sec = std::stoi(m[6]);
    const int64_t offset = (std::stoi(m[8]) * 3600 + std::stoi(m[9]) * 60) * (m[7] == "-" ? -1 : 1);
    const int64_t seconds = static_cast<int64_t>(timegm(&tm)) - offset;
    counts.first = std::min(counts.first, floor_minute(seconds));
    counts.latest = std::max(counts.latest, seconds);
    if (std::stoi(m[10]) == status) ++counts.matching[floor_minute(seconds)];
  }
  return counts;
}

struct Worst {
  uint64_t count = 0;
  int64_t start = 0;  // of the first window with that count
};

// The windows [end - size, end) that start at the first minute or later and end at or before the latest
// time less the delay; the largest count, the earliest window on a tie.
Worst worst_window(const MinuteCounts& counts, int64_t size, int64_t delay) {
  Worst worst{0, -1};
  for (int64_t end = counts.first + size; end <= counts.latest - delay; end += kMinute) {
    uint64_t n = 0;
    for (int64_t m = end - size; m < end; m += kMinute) {
      auto it = counts.matching.find(m);
      if (it != counts.matching.end()) n += it->second;
    }
    if (worst.start < 0 || n > worst.count) worst = {n, end - size};
  }
  return worst;
}

TEST_F(AlertWindowsCliTest, TheWorstFinishedWindowIsWhatAPerMinuteReferenceCounts) {
  const std::string log = kSharedData + "/elastic-apache.log";
  const MinuteCounts counts = minute_counts(log, 404);
  const Worst worst = worst_window(counts, 5 * kMinute, 2 * kMinute);
  ASSERT_GT(worst.count, 1u);
  const std::string alert_log = path("alerts.jsonl");
  const auto fired =
      run_process({kLogstream, "-q", "--alert",
                   "nf: count(status == 404) over 5m delay 2m > " + std::to_string(worst.count - 1),
                   "--alert-log", alert_log, "--fail-on-alert", "run", log});
  EXPECT_EQ(fired.exit_code, 3) << fired.err;
  const std::string window = utc_text(worst.start) + " to " + utc_text(worst.start + 5 * kMinute);
  EXPECT_NE(fired.err.find("alert nf firing: count(status == 404) over 5m delay 2m > " +
                           std::to_string(worst.count - 1) + " (value " + std::to_string(worst.count) +
                           ", window " + window + ", batch 0)"),
            std::string::npos)
      << fired.err;
  const auto event = nlohmann::json::parse(read_file(alert_log));
  EXPECT_EQ(event["window"]["start"], utc_text(worst.start));
  EXPECT_EQ(event["window"]["end"], utc_text(worst.start + 5 * kMinute));
  const auto quiet =
      run_process({kLogstream, "-q", "--alert",
                   "nf: count(status == 404) over 5m delay 2m > " + std::to_string(worst.count),
                   "--fail-on-alert", "run", log});
  EXPECT_EQ(quiet.exit_code, 0) << quiet.err;
  EXPECT_EQ(quiet.err.find("alert nf"), std::string::npos) << quiet.err;
}

std::string line_at(const std::string& hh_mm_ss, int status) {
  return "10.0.0.1 - - [10/Oct/2000:" + hh_mm_ss + " +0000] \"GET /x HTTP/1.0\" " + std::to_string(status) +
         " 10 \"-\" \"agent\"\n";
}

TEST_F(AlertWindowsCliTest, WindowsAndFiringStateSurviveRestartsFromTheCheckpoint) {
  const std::string rule = "burst: count(5xx) over 3m delay 0s > 2";
  auto run_with = [&](const std::string& name, const std::string& content) {
    write_file(logs() + "/" + name, content);
    return run_process({kLogstream, "-q", "--format", "combined", "--checkpoint", path("cp"), "--alert", rule,
                        "run", logs()});
  };
  // 13:01 to 13:03:30: the first window, [13:01, 13:04), is not finished.
  const auto a = run_with("a.log", line_at("13:01:10", 200) + line_at("13:03:05", 500) +
                                       line_at("13:03:20", 500) + line_at("13:03:30", 200));
  ASSERT_EQ(a.exit_code, 0) << a.err;
  EXPECT_EQ(a.err.find("alert burst"), std::string::npos) << a.err;
  // [13:02, 13:05) holds the two errors of a.log and one of b.log: only if a.log's minutes came back.
  const auto b = run_with("b.log", line_at("13:04:10", 502) + line_at("13:05:10", 200));
  ASSERT_EQ(b.exit_code, 0) << b.err;
  EXPECT_NE(b.err.find("alert burst firing: count(5xx) over 3m delay 0s > 2 (value 3, window "
                       "2000-10-10T13:02:00Z to 2000-10-10T13:05:00Z, batch 1)"),
            std::string::npos)
      << b.err;
  // [13:03, 13:06) still holds three: still firing, and not announced again.
  const auto c = run_with("c.log", line_at("13:09:00", 200));
  ASSERT_EQ(c.exit_code, 0) << c.err;
  EXPECT_EQ(c.err.find("alert burst"), std::string::npos) << c.err;
  // Every window finished now is quiet: resolved.
  const auto d = run_with("d.log", line_at("13:12:00", 200));
  ASSERT_EQ(d.exit_code, 0) << d.err;
  EXPECT_NE(d.err.find("alert burst resolved"), std::string::npos) << d.err;
  EXPECT_EQ(d.err.find("firing"), std::string::npos) << d.err;
}

TEST_F(AlertWindowsCliTest, ALateLineIsCountedInProgressAndChangesNoJudgedWindow) {
  write_file(logs() + "/a.log", line_at("13:01:10", 500) + line_at("13:09:00", 200));
  const auto first =
      run_process({kLogstream, "-q", "--format", "combined", "--checkpoint", path("cp"), "--alert",
                   "e: count(5xx) over 2m delay 0s > 0", "--progress", "run", logs()});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  EXPECT_NE(first.err.find("alert e firing"), std::string::npos) << first.err;
  write_file(logs() + "/b.log", line_at("13:02:00", 500) + line_at("13:09:10", 200));
  const auto second =
      run_process({kLogstream, "-q", "--format", "combined", "--checkpoint", path("cp"), "--alert",
                   "e: count(5xx) over 2m delay 0s > 0", "--progress", "run", logs()});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(
      second.err.find("\"alertWindows\":{\"numRowsDroppedByWatermark\":1,\"numRowsWithUntrustedTime\":0}"),
      std::string::npos)
      << second.err;
}

// Found in review: editing another rule made a window rule forget its minutes; a line earlier than the
// first batch's, but not late, was dropped as late.
TEST_F(AlertWindowsCliTest, EditingAnotherRuleKeepsAWindowsMinutesAndEarlierLinesThatAreNotLateCount) {
  auto run_with = [&](const std::string& name, const std::string& content, std::vector<std::string> rules) {
    write_file(logs() + "/" + name, content);
    std::vector<std::string> argv = {kLogstream, "-q", "--format", "combined", "--checkpoint", path("cp")};
    for (const std::string& rule : rules) {
      argv.push_back("--alert");
      argv.push_back(rule);
    }
    argv.push_back("--progress");
    argv.push_back("run");
    argv.push_back(logs());
    return run_process(argv);
  };
  const std::string window_rule = "a: count(5xx) over 3m delay 0s > 2";
  const auto first = run_with("a.log", line_at("13:01:10", 500) + line_at("13:01:20", 500),
                              {window_rule, "b: count(status == 404) > 100"});
  ASSERT_EQ(first.exit_code, 0) << first.err;
  const auto second = run_with("b.log", line_at("13:02:00", 500) + line_at("13:04:00", 200),
                               {window_rule, "b: count(status == 404) > 50"});
  ASSERT_EQ(second.exit_code, 0) << second.err;
  EXPECT_NE(second.err.find("alert a firing: count(5xx) over 3m delay 0s > 2 (value 3, window "
                            "2000-10-10T13:01:00Z to 2000-10-10T13:04:00Z"),
            std::string::npos)
      << second.err;

  // A 10-minute delay: the first batch's 13:10 and 13:11 finish nothing, so a 13:09:59 in the next batch
  // is not late, and the rule's windows start at its minute.
  fs::remove_all(path("cp"));
  fs::remove_all(logs());
  fs::create_directories(logs());
  const std::string delayed = "x: count(5xx) over 5m delay 10m > 0";
  const auto early = run_with("a.log", line_at("13:10:00", 200) + line_at("13:11:00", 200), {delayed});
  ASSERT_EQ(early.exit_code, 0) << early.err;
  const auto earlier = run_with("b.log", line_at("13:09:59", 500) + line_at("13:30:00", 200), {delayed});
  ASSERT_EQ(earlier.exit_code, 0) << earlier.err;
  EXPECT_NE(earlier.err.find("alert x firing: count(5xx) over 5m delay 10m > 0 (value 1, window "
                             "2000-10-10T13:09:00Z to 2000-10-10T13:14:00Z"),
            std::string::npos)
      << earlier.err;
  EXPECT_NE(earlier.err.find("\"alertWindows\":{\"numRowsDroppedByWatermark\":0"), std::string::npos)
      << earlier.err;
}

// A batch run for the query's watermark alone is not shown to the rules: it reports none of their lines,
// not the previous batch's again.
TEST_F(AlertWindowsCliTest, ABatchWithoutDataReportsNoLinesOfTheRules) {
  auto run_with = [&](const std::string& name, const std::string& content) {
    write_file(logs() + "/" + name, content);
    return run_process({kLogstream, "-q", "--format", "combined", "--checkpoint", path("cp"), "--alert",
                        "e: count(5xx) over 2m delay 0s > 0", "--progress", "--output-mode", "append",
                        "--watermark", "timestamp, 1 minute", "--sql",
                        "SELECT window, count(*) FROM logs GROUP BY window(timestamp, '1 minute')", "run",
                        logs()});
  };
  ASSERT_EQ(run_with("a.log", line_at("13:01:10", 500) + line_at("13:09:00", 200)).exit_code, 0);
  const auto second = run_with("b.log", line_at("13:02:00", 500) + line_at("13:12:00", 200));
  ASSERT_EQ(second.exit_code, 0) << second.err;
  std::vector<std::string> reported;
  std::istringstream lines(second.err);
  for (std::string line; std::getline(lines, line);) {
    if (line.rfind("{", 0) != 0) continue;
    const auto progress = nlohmann::json::parse(line);
    reported.push_back(std::to_string(progress["batchId"].get<int>()) + ":" +
                       std::to_string(progress["alertWindows"]["numRowsDroppedByWatermark"].get<int>()));
  }
  EXPECT_EQ(reported, (std::vector<std::string>{"2:1", "3:0"})) << second.err;
}

// Minutes of event time are the epoch's, whatever the session zone: Africa/Monrovia was 44 minutes 30
// seconds behind UTC in 1971.
TEST_F(AlertWindowsCliTest, WindowMinutesAreTheEpochsInAZoneWhoseOffsetHasSeconds) {
  write_file(logs() + "/a.log",
             "10.0.0.1 - - [10/Oct/1971:13:01:10 +0000] \"GET / HTTP/1.0\" 500 1 \"-\" \"a\"\n"
             "10.0.0.1 - - [10/Oct/1971:13:01:50 +0000] \"GET / HTTP/1.0\" 500 1 \"-\" \"a\"\n"
             "10.0.0.1 - - [10/Oct/1971:13:09:00 +0000] \"GET / HTTP/1.0\" 200 1 \"-\" \"a\"\n");
  for (const char* zone : {"UTC", "Africa/Monrovia"}) {
    const auto r = run_process({kLogstream, "-q", "--timezone", zone, "--format", "combined", "--alert",
                                "m: count(5xx) over 1m delay 0s > 1", "run", logs()});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_NE(r.err.find("alert m firing: count(5xx) over 1m delay 0s > 1 (value 2, window "
                         "1971-10-10T13:01:00Z to 1971-10-10T13:02:00Z"),
              std::string::npos)
        << zone << ": " << r.err;
  }
}

// The seed's table stays the status counts beside rules on fields: a line longer than a chunk is still
// counted by its status, and --sort still orders the table.
TEST_F(AlertWindowsCliTest, RulesOnFieldsLeaveTheSeedsTableAsItIs) {
  std::string text = "h.example.com - - [10/Oct/2000:13:01:10 -0700] \"GET /a HTTP/1.0\" 200 5\n";
  text += "h.example.com - - [10/Oct/2000:13:01:11 -0700] \"GET /" + std::string(300000, 'x') +
          " HTTP/1.0\" 404 5\n";
  text += "h.example.com - - [10/Oct/2000:13:01:12 -0700] \"GET /b HTTP/1.0\" 500 5\n";
  write_file(logs() + "/a.log", text);
  for (const char* format : {"spark-seed", "common"}) {
    const std::vector<std::string> base = {kLogstream, "--format", format, "--chunk-size",
                                           "64K",      "--sort",   "count"};
    std::vector<std::string> without = base, with = base;
    for (auto* argv : {&without, &with}) {
      if (argv == &with) {
        argv->push_back("--alert");
        argv->push_back("y: count(endpoint ~ \"^/a\") > 100");
      }
      argv->push_back("run");
      argv->push_back(logs());
    }
    const auto plain = run_process(without);
    const auto ruled = run_process(with);
    ASSERT_EQ(plain.exit_code, 0) << plain.err;
    ASSERT_EQ(ruled.exit_code, 0) << format << ": " << ruled.err;
    EXPECT_EQ(ruled.out, plain.out) << format;
  }
  const auto seed = run_process({kLogstream, "--format", "spark-seed", "--chunk-size", "64K", "run", logs()});
  EXPECT_NE(seed.out.find("|   404|    1|"), std::string::npos) << seed.out;
}

// A rule may chain a thousand terms: its SQL nests as a balanced tree, within the parser's depth.
TEST_F(AlertWindowsCliTest, ARuleOfAThousandTermsRuns) {
  write_file(logs() + "/a.log", line_at("13:01:10", 500) + line_at("13:01:20", 200));
  std::string condition = "status == 100";
  for (int code = 101; code < 1100; ++code) condition += " or status == " + std::to_string(500 + code % 100);
  const auto r = run_process({kLogstream, "-q", "--format", "combined", "--alert",
                              "many: count(endpoint ~ \"^/x\" and (" + condition + ")) > 0", "run", logs()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("alert many firing"), std::string::npos) << r.err.substr(0, 300);
}

}  // namespace
}  // namespace logstream::test_support
