// Alert rules with `over` windows, through the binary: the value judged is the worst sliding window the
// rule's watermark has finished, as an independent per-minute count of a real log says; and the windows'
// minutes, the firing state and the streaks survive restarts from a checkpoint.
#include <gtest/gtest.h>

#include <ctime>
#include <map>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>

#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"
#include "tests/support/seed_reference.h"

namespace logstream::test_support {
namespace {

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

}  // namespace
}  // namespace logstream::test_support
