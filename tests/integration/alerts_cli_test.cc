// Alerts, sinks, metrics and progress through the built binary, on the shared real logs.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>
#include <regex>
#include <sstream>
#include <thread>

#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"
#include "tests/support/seed_reference.h"

namespace logstream::test_support {
namespace {

namespace fs = std::filesystem;
using std::chrono::milliseconds;
using std::chrono::seconds;

using AlertsCliTest = TempDirTest;

// The true share of 5xx among the lines of `log` under --format auto, from the console table and the
// batch summary of a plain run (accepted lines are the rate's denominator).
double true_error_rate(const std::string& log) {
  const auto r = run_process({kLogstream, "--format", "auto", "run", log});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  uint64_t errors = 0;
  for (const auto& [status, n] : parse_last_console_table(r.out)) {
    if (status && *status >= 500) errors += n;
  }
  std::smatch m;
  const std::regex accepted(R"((\d+) accepted)");
  EXPECT_TRUE(std::regex_search(r.err, m, accepted)) << r.err;
  return static_cast<double>(errors) / std::stod(m[1]);
}

std::string threshold_text(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

TEST_F(AlertsCliTest, FailOnAlertExitsThreeJustAboveTheTrueRateAndZeroJustBelowIt) {
  for (const char* name : {"elastic-apache.log", "twiki-2004.log"}) {
    const std::string log = kSharedData + "/" + name;
    const double rate = true_error_rate(log);
    // A threshold just below the true rate fires ("> threshold" holds); just above it does not.
    const std::string below = threshold_text(rate * (1 - 1e-9));
    const std::string above = threshold_text(rate * (1 + 1e-9) + 1e-12);
    const auto fired =
        run_process({kLogstream, "--format", "auto", "--alert",
                     "server-errors: rate(status >= 500) > " + below, "--fail-on-alert", "run", log});
    EXPECT_EQ(fired.exit_code, rate > 0 ? 3 : 0) << name << " rate " << rate << "\n" << fired.err;
    if (rate > 0) {
      EXPECT_NE(fired.err.find("alert server-errors firing"), std::string::npos) << fired.err;
    }
    const auto quiet =
        run_process({kLogstream, "--format", "auto", "--alert",
                     "server-errors: rate(status >= 500) > " + above, "--fail-on-alert", "run", log});
    EXPECT_EQ(quiet.exit_code, 0) << name << "\n" << quiet.err;
    EXPECT_EQ(quiet.err.find("alert server-errors"), std::string::npos) << quiet.err;
  }
}

TEST_F(AlertsCliTest, ABadRuleIsAUsageErrorThatPointsAtTheCharacter) {
  const auto r = run_process({kLogstream, "--alert", "errors: rate(status >= 5000) > 0.05", "run",
                              kSharedData + "/elastic-apache.log"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_EQ(r.out, "");
  EXPECT_NE(r.err.find("logstream: --alert: column 24: expected a status code"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("\n  errors: rate(status >= 5000) > 0.05\n                         ^\n"),
            std::string::npos)
      << r.err;
  const auto seed =
      run_process({kLogstream, "--format", "spark-seed", "--alert", "a: count(method == \"GET\") > 0", "run",
                   kSharedData + "/elastic-apache.log"});
  EXPECT_EQ(seed.exit_code, 2);
  EXPECT_NE(seed.err.find("need a format with fields"), std::string::npos) << seed.err;
}

// The program gets the details in its environment, runs without a shell (its path has a space and a
// '$' that no shell expands), and runs once per firing: not again while the rule stays firing, and once
// more after it resolved and fired again.
TEST_F(AlertsCliTest, OnAlertRunsTheProgramOncePerFiringAndTheAlertLogHasEveryChange) {
  const std::string program = path("on alert $HOME.sh");
  const std::string record = path("runs.txt");
  write_file(program,
             "#!/bin/sh\necho \"$LOGSTREAM_ALERT_RULE $LOGSTREAM_ALERT_STATE $LOGSTREAM_ALERT_BATCH "
             "$LOGSTREAM_ALERT_VALUE $LOGSTREAM_ALERT_THRESHOLD\" >> '" +
                 record + "'\n");
  ::chmod(program.c_str(), 0755);
  const std::string alert_log = path("alerts.jsonl");
  RunningProcess watch({kLogstream, "--format", "common", "--alert", "errors: count(5xx) > 0", "--on-alert",
                        program, "--alert-log", alert_log, "watch", logs(), "--quiet-ms", "50"});
  std::this_thread::sleep_for(milliseconds(300));
  auto drop = [&](const std::string& name, int status, int expected_batch) {
    write_file(path("tmp"),
               "h - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" " + std::to_string(status) + " 1\n");
    fs::rename(path("tmp"), logs() + "/" + name);
    ASSERT_TRUE(watch.wait_for_text("Batch: " + std::to_string(expected_batch) + "\n", 1, seconds(20)))
        << watch.err();
    std::this_thread::sleep_for(milliseconds(100));
  };
  drop("a.log", 500, 0);  // fires
  drop("b.log", 503, 1);  // still firing: no second run
  drop("c.log", 200, 2);  // resolved
  drop("d.log", 502, 3);  // fires again
  std::this_thread::sleep_for(milliseconds(300));
  watch.send_signal(SIGINT);
  ASSERT_EQ(watch.wait_exit(seconds(10)), 0) << watch.err();
  EXPECT_EQ(read_file(record), "errors firing 0 1 0\nerrors firing 3 1 0\n");
  std::vector<std::string> states;
  std::istringstream lines(read_file(alert_log));
  for (std::string line; std::getline(lines, line);) {
    const auto event = nlohmann::json::parse(line);
    states.push_back(event["state"].get<std::string>() + "@" + std::to_string(event["batch"].get<int>()));
    EXPECT_EQ(event["rule"], "errors");
    EXPECT_EQ(event["expression"], "count(5xx) > 0");
  }
  EXPECT_EQ(states, (std::vector<std::string>{"firing@0", "resolved@2", "firing@3"}));
  EXPECT_EQ(count_occurrences(watch.err(), "alert errors firing"), 2u) << watch.err();
}

TEST_F(AlertsCliTest, JsonlAndCsvSinksAgreeWithTheConsoleTable) {
  const std::string log = kSharedData + "/twiki-2004.log";
  fs::copy_file(log, logs() + "/a.log");
  const auto r =
      run_process({kLogstream, "-q", "--format", "spark-seed", "--sink", "console", "--sink",
                   "jsonl=" + path("out.jsonl"), "--sink", "csv=" + path("out.csv"), "run", logs()});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const StatusCountMap console = parse_last_console_table(r.out);
  ASSERT_EQ(console.count(std::nullopt), 1u) << "twiki has the null row";

  StatusCountMap from_jsonl;
  std::istringstream jsonl(read_file(path("out.jsonl")));
  for (std::string line; std::getline(jsonl, line);) {
    const auto row = nlohmann::json::parse(line);
    EXPECT_EQ(row["batch"], 0);
    const std::optional<int> status =
        row["status"].is_null() ? std::nullopt : std::optional<int>(row["status"]);
    from_jsonl[status] = row["count"].get<uint64_t>();
  }
  EXPECT_EQ(from_jsonl, console);

  StatusCountMap from_csv;
  std::istringstream csv(read_file(path("out.csv")));
  std::string header;
  std::getline(csv, header);
  EXPECT_EQ(header, "batch,status,count");
  for (std::string line; std::getline(csv, line);) {
    const size_t first = line.find(','), second = line.find(',', first + 1);
    const std::string status = line.substr(first + 1, second - first - 1);
    from_csv[status.empty() ? std::nullopt : std::optional<int>(std::stoi(status))] =
        std::stoull(line.substr(second + 1));
  }
  EXPECT_EQ(from_csv, console);

  // Two sinks on stdout is a usage error.
  const auto both = run_process({kLogstream, "--sink", "console", "--sink", "jsonl", "run", logs()});
  EXPECT_EQ(both.exit_code, 2);
  EXPECT_NE(both.err.find("only one --sink can write to standard output"), std::string::npos) << both.err;
}

TEST_F(AlertsCliTest, TheMetricsEndpointAnswersARealHttpClientAndThePrometheusFileMatchesIt) {
  const std::string prom = path("metrics.prom");
  RunningProcess watch({kLogstream, "--format", "combined", "--metrics-port", "0", "--prometheus-file", prom,
                        "--alert", "errors: rate(5xx) > 0.0001", "watch", logs(), "--quiet-ms", "50"});
  std::this_thread::sleep_for(milliseconds(300));
  fs::copy_file(kSharedData + "/elastic-apache.log", logs() + "/a.log");
  ASSERT_TRUE(watch.wait_for_text("Batch: 0\n", 1, seconds(20))) << watch.err();
  std::this_thread::sleep_for(milliseconds(100));
  std::smatch m;
  const std::string err = watch.err();
  ASSERT_TRUE(std::regex_search(err, m, std::regex(R"(http://127\.0\.0\.1:(\d+)/metrics)"))) << err;
  const auto curl = run_process({"/usr/bin/curl", "-sS", "--fail", "-D", "-", m[0].str()}, seconds(20));
  ASSERT_EQ(curl.exit_code, 0) << curl.err;
  EXPECT_NE(curl.out.find("HTTP/1.1 200 OK"), std::string::npos) << curl.out;
  EXPECT_NE(curl.out.find("Content-Type: text/plain; version=0.0.4"), std::string::npos) << curl.out;
  for (const char* sample :
       {"logstream_lines_read_total 10000\n", "logstream_lines_accepted_total 9999\n",
        "logstream_lines_rejected_total{reason=\"unterminated quote\"} 1\n", "logstream_batches_total 1\n",
        "logstream_status_lines_total{status=\"200\"} 9125\n",
        "logstream_alert_state{rule=\"errors\"} 2\n"}) {
    EXPECT_NE(curl.out.find(sample), std::string::npos) << sample << curl.out;
  }
  const std::string file = read_file(prom);
  EXPECT_NE(curl.out.find(file), std::string::npos) << "the file holds the same exposition";
  EXPECT_FALSE(fs::exists(prom + ".tmp"));
  watch.send_signal(SIGINT);
  EXPECT_EQ(watch.wait_exit(seconds(10)), 0) << watch.err();
}

TEST_F(AlertsCliTest, ProgressPrintsOneSparkStyleJsonLinePerBatchAndNoBarWhenNotATerminal) {
  const auto r = run_process(
      {kLogstream, "-q", "--progress", "--format", "combined", "run", kSharedData + "/elastic-apache.log"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find('\r'), std::string::npos) << "no progress bar into a pipe";
  const auto progress = nlohmann::json::parse(r.err.substr(0, r.err.find('\n')));
  EXPECT_EQ(progress["batchId"], 0);
  EXPECT_EQ(progress["numInputRows"], 10000);
  EXPECT_EQ(progress["numRejectedRows"], 1);
  EXPECT_EQ(progress["stateOperators"][0]["numRowsTotal"], 8);
  EXPECT_GT(progress["durationMs"]["triggerExecution"].get<double>(), 0);
  EXPECT_GT(progress["memory"]["peakRssBytes"].get<double>(), 0);
}

TEST_F(AlertsCliTest, OnATerminalRunShowsAProgressBarAndErasesIt) {
  const std::string big = path("big.log");
  ASSERT_EQ(run_process({kLoggen, "--size", "300M", "--seed", "9", "-o", big}).exit_code, 0);
  // script(1) gives the child a pseudo-terminal; --threads 1 keeps the run long enough for a redraw.
  const auto r =
      run_process({"/usr/bin/script", "-qfec",
                   kLogstream + " --threads 1 --format spark-seed run " + big + " > /dev/null", "/dev/null"});
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  EXPECT_NE(r.out.find("% "), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("/s"), std::string::npos) << r.out;
  EXPECT_NE(r.out.find("\r\033[K"), std::string::npos) << "the bar is erased before the summary";
  EXPECT_NE(r.out.find("lines read"), std::string::npos) << r.out;
}

}  // namespace
}  // namespace logstream::test_support

namespace logstream::test_support {
namespace {

TEST_F(AlertsCliTest, ARulesFileWorksLikeAlertFlagsAndAMissingProgramIsAWarning) {
  write_file(path("rules.txt"),
             "# the seed's motivation\n"
             "errors: rate(status >= 500) > 0.0001\n"
             "\n"
             "notfound: count(status == 404) > 1000 for 2 batches\n");
  const auto r =
      run_process({kLogstream, "--format", "combined", "--alert-rules", path("rules.txt"), "--on-alert",
                   path("no-such-program"), "--fail-on-alert", "run", kSharedData + "/elastic-apache.log"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("alert errors firing"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("alert notfound"), std::string::npos) << "213 is not above 1000" << r.err;
  EXPECT_NE(r.err.find("no-such-program: cannot start: No such file or directory"), std::string::npos)
      << r.err;

  write_file(path("bad.txt"), "ok: count(5xx) > 1\nbad: count(5xx) >> 1\n");
  const auto bad =
      run_process({kLogstream, "--alert-rules", path("bad.txt"), "run", kSharedData + "/elastic-apache.log"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("bad.txt: line 2: column 18"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace logstream::test_support
