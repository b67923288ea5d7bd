// Alerts, sinks, metrics and progress through the built binary, on the shared real logs.
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/stat.h>

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <map>
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

// An independent reference for the shared logs: each line matched whole by one std::regex for its
// format (SOURCES.md: elastic-apache.log is combined, twiki-2004.log common); no code shared with logstream.
struct ReferenceCounts {
  uint64_t accepted = 0;               // lines that fit the format: the denominator of rate()
  uint64_t server_errors = 0;          // accepted lines with a status in 500..599
  std::vector<std::string> endpoints;  // the target of each accepted "METHOD TARGET PROTOCOL" request
  uint64_t other_requests = 0;         // accepted lines whose request is not of that shape ("-")
};

ReferenceCounts reference_counts(const std::string& log, bool combined) {
  const std::string quoted = R"x("(?:[^"\\]|\\.)*")x";
  // A line may be cut off inside the format's last field when that is quoted (elastic-apache.log's line
  // 8899, its user agent cut short): it still counts. Extra fields after the last one are accepted.
  const std::regex line(
      R"x(^\S+ \S+ \S+ \[\d{2}/[A-Z][a-z]{2}/\d{4}:\d{2}:\d{2}:\d{2} [+-]\d{4}\] "((?:[^"\\]|\\.)*)" (\d{3}) (?:\d+|-))x" +
      (combined ? " " + quoted + R"x( "(?:[^"\\]|\\.)*(?:"(?: .*)?)?$)x" : std::string("(?: .*)?$")));
  const std::regex request(R"x(^(\S+) (\S+) (\S+)$)x");
  ReferenceCounts counts;
  std::istringstream in(read_file(log));
  std::smatch m, parts;
  for (std::string text; std::getline(in, text);) {
    if (!text.empty() && text.back() == '\r') text.pop_back();
    if (!std::regex_match(text, m, line)) continue;
    ++counts.accepted;
    if (m[2].str()[0] == '5') ++counts.server_errors;
    const std::string request_line = m[1].str();
    if (std::regex_match(request_line, parts, request))
      counts.endpoints.push_back(parts[2].str());
    else
      ++counts.other_requests;
  }
  return counts;
}

// Endpoints of the reference that a std::regex finds `pattern` in.
uint64_t endpoints_matching(const ReferenceCounts& counts, const std::string& pattern) {
  const std::regex re(pattern);
  return static_cast<uint64_t>(std::count_if(counts.endpoints.begin(), counts.endpoints.end(),
                                             [&](const std::string& e) { return std::regex_search(e, re); }));
}

std::string threshold_text(double value) {
  std::ostringstream out;
  out.precision(17);
  out << value;
  return out.str();
}

TEST_F(AlertsCliTest, FailOnAlertExitsThreeJustAboveTheTrueRateAndZeroJustBelowIt) {
  for (const auto& [name, combined] : std::initializer_list<std::pair<const char*, bool>>{
           {"elastic-apache.log", true}, {"twiki-2004.log", false}}) {
    const std::string log = kSharedData + "/" + name;
    const ReferenceCounts reference = reference_counts(log, combined);
    ASSERT_GT(reference.accepted, 1000u) << name;
    const double rate =
        static_cast<double>(reference.server_errors) / static_cast<double>(reference.accepted);
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
  // spark-seed's time is the text regexp_extract cuts out: no window can be made of it.
  const auto seed = run_process({kLogstream, "--format", "spark-seed", "--alert", "a: count(5xx) over 5m > 0",
                                 "run", kSharedData + "/elastic-apache.log"});
  EXPECT_EQ(seed.exit_code, 2);
  EXPECT_EQ(seed.out, "");
  EXPECT_NE(
      seed.err.find("alert rule 'a' has an 'over' window, but --format spark-seed gives the time as text"),
      std::string::npos)
      << seed.err;
}

// The engine gives spark-seed's columns as the seed's regexes cut them, so rules on them run there too:
// the method count equals the seed's methodExp applied line by line here.
TEST_F(AlertsCliTest, SparkSeedAnswersRulesOnItsColumns) {
  const std::string log = kSharedData + "/elastic-apache.log";
  const auto seed = run_process(
      {kLogstream, "--format", "spark-seed", "--alert", "a: count(method == \"GET\") > 0", "run", log});
  ASSERT_EQ(seed.exit_code, 0) << seed.err;
  std::ifstream in(log);
  std::string line;
  uint64_t gets = 0;
  const std::regex method_exp(R"x("(\S+)\s(\S+)\s*(\S*)")x");  // the seed's methodExp, group 1
  while (std::getline(in, line)) {
    std::smatch m;
    if (std::regex_search(line, m, method_exp) && m[1] == "GET") ++gets;
  }
  EXPECT_NE(
      seed.err.find("alert a firing: count(method == \"GET\") > 0 (value " + std::to_string(gets) + ","),
      std::string::npos)
      << seed.err;
}

// The issue's "\d" reached Hyperscan as "d" (3143 lines instead of 5183): a pattern's backslashes are the
// regex's, and each value equals a std::regex count over the reference's endpoints.
TEST_F(AlertsCliTest, RegexEscapesInPatternsCountWhatAStdRegexCounts) {
  const std::string log = kSharedData + "/elastic-apache.log";
  const ReferenceCounts reference = reference_counts(log, true);
  ASSERT_EQ(reference.other_requests, 0u) << "every request has a target, as the counts below assume";
  const std::map<std::string, uint64_t> expected = {
      {"digits", endpoints_matching(reference, R"(\d)")},
      {"notcss", reference.endpoints.size() - endpoints_matching(reference, R"(\.css$)")},
      {"query", endpoints_matching(reference, R"(\?)")},
  };
  EXPECT_GT(expected.at("digits"), 0u);
  EXPECT_LT(expected.at("digits"), reference.endpoints.size());
  EXPECT_LT(expected.at("notcss"), reference.endpoints.size());
  EXPECT_GT(expected.at("query"), 0u);
  const std::string alert_log = path("alerts.jsonl");
  const auto r = run_process({kLogstream, "-q", "--alert", R"(digits: count(endpoint ~ "\d") > 0)", "--alert",
                              R"(notcss: count(endpoint !~ "\.css$") > 0)", "--alert",
                              R"(query: count(endpoint ~ "\?") > 0)", "--alert-log", alert_log, "run", log});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  std::map<std::string, uint64_t> reported;
  std::istringstream lines(read_file(alert_log));
  for (std::string line; std::getline(lines, line);) {
    const auto event = nlohmann::json::parse(line);
    EXPECT_EQ(event["state"], "firing") << line;
    reported[event["rule"].get<std::string>()] = event["value"].get<uint64_t>();
    if (event["rule"] == "digits") {
      EXPECT_EQ(event["expression"], R"(count(endpoint ~ "\d") > 0)") << "the rule as typed";
    }
  }
  EXPECT_EQ(reported, expected);
  EXPECT_NE(r.err.find("alert digits firing: count(endpoint ~ "), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("(value " + std::to_string(expected.at("digits")) + ", batch 0)"), std::string::npos)
      << r.err;
}

TEST_F(AlertsCliTest, OutOfRangeNumbersAndBadPatternsAreUsageErrorsWithACaret) {
  const std::string log = kSharedData + "/elastic-apache.log";
  const auto huge = run_process({kLogstream, "--alert", "x: count(status == 500) > 1e999", "run", log});
  EXPECT_EQ(huge.exit_code, 2) << huge.err;
  EXPECT_EQ(huge.err,
            "logstream: --alert: column 27: the threshold is out of range (a finite number, at most about "
            "1.8e308), found '1e999'\n  x: count(status == 500) > 1e999\n  " +
                std::string(26, ' ') + "^\n");
  const auto window = run_process({kLogstream, "--format", "combined", "--alert",
                                   "x: count(5xx) over 5124095576030432h > 1", "run", log});
  EXPECT_EQ(window.exit_code, 2) << window.err;
  EXPECT_NE(window.err.find("--alert: column 20: a window may be at most 7 days"), std::string::npos)
      << window.err;
  EXPECT_NE(window.err.find("\n  " + std::string(19, ' ') + "^\n"), std::string::npos) << window.err;

  // Hyperscan's refusal gets the rule's column and a caret under the pattern's string.
  const auto pattern =
      run_process({kLogstream, "--alert", R"(p: count(5xx and endpoint ~ "a{2,1}") > 1)", "run", log});
  EXPECT_EQ(pattern.exit_code, 2) << pattern.err;
  EXPECT_EQ(pattern.err.rfind("logstream: --alert: column 29: rule 'p': endpoint pattern \"a{2,1}\" does not "
                              "compile: ",
                              0),
            0u)
      << pattern.err;
  EXPECT_NE(
      pattern.err.find("\n  p: count(5xx and endpoint ~ \"a{2,1}\") > 1\n  " + std::string(28, ' ') + "^\n"),
      std::string::npos)
      << pattern.err;

  // Non-ASCII: the whole character and its bytes as \xHH, the caret under it past a tab; control bytes
  // never reach the terminal.
  const auto accented = run_process({kLogstream, "--alert", "x: count(5xx)\t\xc3\xa9 > 1", "run", log});
  EXPECT_EQ(accented.exit_code, 2);
  EXPECT_EQ(accented.err,
            "logstream: --alert: column 15: unexpected character '\xc3\xa9' (U+00E9, bytes \\xc3\\xa9)\n"
            "  x: count(5xx)\t\xc3\xa9 > 1\n  " +
                std::string(13, ' ') + "\t^\n");
  const auto control = run_process({kLogstream, "--alert", "x: count(method == \"\x1b[2J\") >", "run", log});
  EXPECT_EQ(control.exit_code, 2);
  EXPECT_EQ(control.err.find('\x1b'), std::string::npos) << control.err;
  EXPECT_NE(control.err.find("\"\\x1b[2J\""), std::string::npos) << control.err;
}

TEST_F(AlertsCliTest, ARuleTheFormatCannotAnswerIsRefusedBeforeAnythingRuns) {
  const std::string log = kSharedData + "/elastic-apache.log";
  const auto no_time = run_process({kLogstream, "--format", "custom", "--log-format", "%h %s", "--alert",
                                    "w: count(5xx) over 5m > 0", "run", log});
  EXPECT_EQ(no_time.exit_code, 2) << no_time.err;
  EXPECT_EQ(no_time.out, "");
  EXPECT_NE(no_time.err.find("alert rule 'w' reads the time of each line"), std::string::npos) << no_time.err;
  const auto no_request = run_process({kLogstream, "--format", "custom", "--log-format", "%h %l %u %t %>s %b",
                                       "--alert", R"(e: count(endpoint ~ "^/admin") > 0)", "run", log});
  EXPECT_EQ(no_request.exit_code, 2) << no_request.err;
  EXPECT_EQ(no_request.out, "");
  EXPECT_NE(no_request.err.find("alert rule 'e' reads the endpoint (from the request line, %r)"),
            std::string::npos)
      << no_request.err;
  // The same rule on a format that has the field runs.
  const auto fine =
      run_process({kLogstream, "-q", "--format", "custom", "--log-format", R"(%h %l %u %t "%r" %>s %b)",
                   "--alert", R"(e: count(endpoint ~ "^/admin") > 0)", "run", log});
  EXPECT_EQ(fine.exit_code, 0) << fine.err;
}

// The program gets the details in its environment, runs without a shell (its path has a space and a
// '$' that no shell expands), and runs once per firing: not again while the rule stays firing, and once
// more after it resolved and fired again.
TEST_F(AlertsCliTest, OnAlertRunsTheProgramOncePerFiringAndResolutionAndTheAlertLogHasEveryChange) {
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
  EXPECT_EQ(read_file(record), "errors firing 0 1 0\nerrors resolved 2 0 0\nerrors firing 3 1 0\n");
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
       {"logstream_lines_read_total 10000\n", "logstream_lines_accepted_total 10000\n",
        "logstream_lines_rejected_total{reason=\"unterminated quote\"} 0\n", "logstream_batches_total 1\n",
        "logstream_status_lines_total{status=\"200\"} 9126\n",
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
  EXPECT_EQ(progress["numRejectedRows"], 0);
  EXPECT_EQ(progress["numTruncatedRows"], 1) << "line 8899 ends inside its user agent";
  EXPECT_EQ(progress["stateOperators"][0]["numRowsTotal"], 8);
  EXPECT_TRUE(progress["durationMs"]["triggerExecution"].is_number_integer()) << r.err;
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

TEST_F(AlertsCliTest, ARulesFileWorksLikeAlertFlagsAndAMissingProgramIsAUsageError) {
  write_file(path("rules.txt"),
             "# the seed's motivation\n"
             "errors: rate(status >= 500) > 0.0001\n"
             "\n"
             "notfound: count(status == 404) > 1000 for 2 batches\n");
  const auto r =
      run_process({kLogstream, "--format", "combined", "--alert-rules", path("rules.txt"), "--on-alert",
                   "true", "--fail-on-alert", "run", kSharedData + "/elastic-apache.log"});
  EXPECT_EQ(r.exit_code, 3) << r.err;
  EXPECT_NE(r.err.find("alert errors firing"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("alert notfound"), std::string::npos) << "213 is not above 1000" << r.err;

  // A program that cannot be started is found before any input is read.
  const auto missing =
      run_process({kLogstream, "--format", "combined", "--alert-rules", path("rules.txt"), "--on-alert",
                   path("no-such-program"), "run", kSharedData + "/elastic-apache.log"});
  EXPECT_EQ(missing.exit_code, 2) << missing.err;
  EXPECT_NE(missing.err.find("--on-alert " + path("no-such-program") + ": No such file or directory"),
            std::string::npos)
      << missing.err;
  EXPECT_EQ(missing.out, "");
  write_file(path("not-executable"), "#!/bin/sh\n");
  const auto plain = run_process({kLogstream, "--alert", "e: count(5xx) > 0", "--on-alert",
                                  path("not-executable"), "run", kSharedData + "/elastic-apache.log"});
  EXPECT_EQ(plain.exit_code, 2) << plain.err;
  EXPECT_NE(plain.err.find("not executable"), std::string::npos) << plain.err;

  write_file(path("bad.txt"), "ok: count(5xx) > 1\nbad: count(5xx) >> 1\n");
  const auto bad =
      run_process({kLogstream, "--alert-rules", path("bad.txt"), "run", kSharedData + "/elastic-apache.log"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("bad.txt: line 2: column 18"), std::string::npos) << bad.err;

  // A comment after a rule; a '#' inside a string is the string's.
  write_file(path("commented.txt"),
             "errors: rate(status >= 500) > 0.0001  # the seed's motivation\n"
             "hash: count(endpoint ~ \"#\") > 0 # never: a '#' is not sent to the server\n");
  const auto commented =
      run_process({kLogstream, "-q", "--format", "combined", "--alert-rules", path("commented.txt"),
                   "--fail-on-alert", "run", kSharedData + "/elastic-apache.log"});
  EXPECT_EQ(commented.exit_code, 3) << commented.err;
  EXPECT_NE(commented.err.find("alert errors firing: rate(status >= 500) > 0.0001 (value"), std::string::npos)
      << commented.err;
  EXPECT_EQ(commented.err.find("alert hash"), std::string::npos) << commented.err;

  // A duplicate name: both lines when both are in the file, the file's line when the other is an --alert.
  write_file(path("dup.txt"), "a: count(5xx) > 1\n\nb: count(4xx) > 1\na: count(status == 404) > 2\n");
  const auto dup =
      run_process({kLogstream, "--alert-rules", path("dup.txt"), "run", kSharedData + "/elastic-apache.log"});
  EXPECT_EQ(dup.exit_code, 2);
  EXPECT_NE(dup.err.find("dup.txt: line 4: a rule named 'a' is already on line 1"), std::string::npos)
      << dup.err;
  write_file(path("other.txt"), "x: count(5xx) > 1\nb: count(4xx) > 1\n");
  const auto dup_flag = run_process({kLogstream, "--alert", "b: count(5xx) > 3", "--alert-rules",
                                     path("other.txt"), "run", kSharedData + "/elastic-apache.log"});
  EXPECT_EQ(dup_flag.exit_code, 2);
  EXPECT_NE(dup_flag.err.find("other.txt: line 2: a rule named 'b' is already given with --alert"),
            std::string::npos)
      << dup_flag.err;
}

}  // namespace
}  // namespace logstream::test_support
