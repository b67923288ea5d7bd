// `logstream run` end to end through the built binary.
#include <gtest/gtest.h>

#include <filesystem>

#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"
#include "tests/support/seed_reference.h"

namespace logstream::test_support {
namespace {

namespace fs = std::filesystem;

// elastic-apache.log under the seed's semantics (SOURCES.md), rows in Spark's partition order:
// 416 (p. 17), 206 (34), 500 (54), 301 (101), 403 (110), 404 (125), 200 (155), 304 (160).
const char* const kElasticBatch0 =
    "-------------------------------------------\n"
    "Batch: 0\n"
    "-------------------------------------------\n"
    "+------+-----+\n"
    "|status|count|\n"
    "+------+-----+\n"
    "|   416|    2|\n"
    "|   206|   45|\n"
    "|   500|    3|\n"
    "|   301|  164|\n"
    "|   403|    2|\n"
    "|   404|  213|\n"
    "|   200| 9126|\n"
    "|   304|  445|\n"
    "+------+-----+\n"
    "\n";

using RunCliTest = TempDirTest;

TEST_F(RunCliTest, SeedFormatPrintsSparksTableForARealLog) {
  const auto r =
      run_process({kLogstream, "run", "--format", "spark-seed", kSharedData + "/elastic-apache.log"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out, kElasticBatch0);
  EXPECT_NE(r.err.find("10000 lines read = 10000 accepted + 0 rejected"), std::string::npos) << r.err;
}

TEST_F(RunCliTest, SeedFormatGivesTheNullRowForTheCutLine) {
  const auto r =
      run_process({kLogstream, "run", "-q", "--format", "spark-seed", kSharedData + "/twiki-2004.log"});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(
      parse_last_console_table(r.out),
      (StatusCountMap{{200, 1273}, {302, 6}, {304, 137}, {401, 123}, {404, 5}, {408, 1}, {std::nullopt, 1}}));
  EXPECT_EQ(r.out.find("|  null|    1|"), r.out.find("+------+-----+\n|  null") + 15)
      << "null is the first row";
  EXPECT_EQ(r.err, "") << "--quiet leaves stderr to warnings";
}

TEST_F(RunCliTest, AutoFormatSaysWhatItPickedAndAccountsForEveryLine) {
  const auto r =
      run_process({kLogstream, "run", kSharedData + "/elastic-apache.log", kSharedData + "/twiki-2004.log"});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("elastic-apache.log: format combined"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("twiki-2004.log: format common"), std::string::npos) << r.err;
  // twiki's last line is cut inside its request, elastic's line 8899 inside its user agent: both are
  // accepted as truncated, and the cut request's status is null, so the table is the seed query's.
  EXPECT_NE(r.err.find("11546 lines read = 11546 accepted + 0 rejected"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("; 2 truncated (cut off inside a quoted field)"), std::string::npos) << r.err;
  StatusCountMap expected = reference_seed_status_counts(read_file(kSharedData + "/elastic-apache.log"));
  for (const auto& [status, n] : reference_seed_status_counts(read_file(kSharedData + "/twiki-2004.log")))
    expected[status] += n;
  EXPECT_EQ(parse_last_console_table(r.out), expected);
}

TEST_F(RunCliTest, SeedFormatMatchesTheReferenceAtEveryChunkSizeAndThreadCount) {
  std::vector<std::string> inputs = {kSharedData + "/elastic-apache.log", kSharedData + "/twiki-2004.log"};
  for (const char* seed : {"11", "12"}) {
    const std::string quirky = path(std::string("quirky-") + seed + ".log");
    ASSERT_EQ(
        run_process({kLoggen, "--lines", "4000", "--quirks", "all", "--seed", seed, "-o", quirky}).exit_code,
        0);
    inputs.push_back(quirky);
  }
  for (const std::string& input : inputs) {
    const StatusCountMap expected = reference_seed_status_counts(read_file(input));
    for (const char* chunk : {"16", "333", "4K", "1M"}) {
      for (const char* threads : {"1", "2", "3"}) {
        const auto r = run_process({kLogstream, "run", "-q", "--format", "spark-seed", "--chunk-size", chunk,
                                    "--threads", threads, input});
        ASSERT_EQ(r.exit_code, 0) << r.err;
        EXPECT_EQ(parse_last_console_table(r.out), expected)
            << input << " chunk " << chunk << " threads " << threads;
      }
    }
  }
}

TEST_F(RunCliTest, DirectoriesAreExpandedWithHiddenFilesSkipped) {
  fs::copy_file(kSharedData + "/elastic-apache.log", logs() + "/a.log");
  fs::copy_file(kSharedData + "/elastic-apache.log", logs() + "/.hidden.log");
  fs::copy_file(kSharedData + "/elastic-apache.log", logs() + "/_tmp.log");
  const auto r = run_process({kLogstream, "run", "-q", "--format", "spark-seed", logs()});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(r.out, kElasticBatch0);
}

TEST_F(RunCliTest, EmptyInputsPrintAnEmptyBatch) {
  write_file(path("empty.log"), "");
  const auto r = run_process({kLogstream, "run", "-q", path("empty.log")});
  EXPECT_EQ(r.exit_code, 0);
  EXPECT_EQ(
      r.out,
      "-------------------------------------------\nBatch: 0\n-------------------------------------------\n"
      "+------+-----+\n|status|count|\n+------+-----+\n+------+-----+\n\n");
}

TEST_F(RunCliTest, CustomLogFormat) {
  write_file(path("custom.log"),
             "10.0.0.1 [10/Oct/2000:13:55:36 -0700] 503 \"GET / HTTP/1.1\"\n"
             "10.0.0.2 [10/Oct/2000:13:55:37 -0700] 200 \"GET /x HTTP/1.1\"\n");
  const auto r = run_process({kLogstream, "run", "--format", "custom", "--log-format", "%a %t %>s \"%r\"",
                              "--sort", "key", path("custom.log")});
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.out.find("|   200|    1|\n|   503|    1|\n"), std::string::npos) << r.out;
}

TEST_F(RunCliTest, UsageErrorsExitTwoWithOneClearLine) {
  struct Case {
    std::vector<std::string> args;
    std::string says;
  };
  const std::vector<Case> cases = {
      {{"run", path("missing.log")}, "missing.log: No such file or directory"},
      {{"run", "--format", "apache2", path("x")}, "unknown format 'apache2'"},
      {{"run", "--sort", "random", "/dev/null"}, "--sort must be spark, key or count"},
      {{"run", "--chunk-size", "8", "/dev/null"}, "--chunk-size must be between"},
      {{"run", "--format", "custom", "--log-format", "%h %Z", "/dev/null"},
       "unknown LogFormat directive at column 4"},
      {{"run", "--format", "custom", "/dev/null"}, "--format custom needs --log-format"},
      {{"watch", path("no-such-dir")}, "no-such-dir: No such file or directory"},
      {{"--threads", "0", "run", "/dev/null"}, "--threads"},
      {{}, "Usage: logstream"},
      {{"-q"}, "a subcommand is required"},
  };
  for (const Case& c : cases) {
    std::vector<std::string> argv = {kLogstream};
    argv.insert(argv.end(), c.args.begin(), c.args.end());
    const auto r = run_process(argv);
    EXPECT_EQ(r.exit_code, 2) << c.says << "\n" << r.err;
    EXPECT_NE(r.err.find(c.says), std::string::npos) << r.err;
    EXPECT_EQ(r.out, "") << c.says;
  }
}

TEST_F(RunCliTest, HelpAndVersionExitZero) {
  const auto help = run_process({kLogstream, "--help"});
  EXPECT_EQ(help.exit_code, 0);
  EXPECT_NE(help.out.find("watch"), std::string::npos);
  const auto watch_help = run_process({kLogstream, "watch", "--help"});
  EXPECT_EQ(watch_help.exit_code, 0);
  EXPECT_NE(watch_help.out.find("--quiet-ms"), std::string::npos);
  const auto version = run_process({kLogstream, "--version"});
  EXPECT_EQ(version.exit_code, 0);
  EXPECT_NE(version.out.find("logstream "), std::string::npos);
}

TEST_F(RunCliTest, ASpecialFileIsAWarningNotAHang) {
  const auto r = run_process({kLogstream, "run", "-q", "/dev/zero", kSharedData + "/twiki-2004.log"},
                             std::chrono::seconds(20));
  EXPECT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("/dev/zero: not a regular file"), std::string::npos) << r.err;
  EXPECT_EQ(parse_last_console_table(r.out).at(401), 123u);
}

TEST_F(RunCliTest, APipeNamedOnTheCommandLineIsReadToItsEnd) {
  // Process substitution hands the program a pipe's name (/dev/fd/63): read like standard input, not
  // skipped as a device would be. Named twice, it is read once.
  const std::string log = kSharedData + "/twiki-2004.log";
  const auto r = run_process(
      {"/bin/bash", "-c", "exec \"$0\" run -q --format combined <(cat \"$1\") \"$1\"", kLogstream, log},
      std::chrono::seconds(30));
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.err.find("not a regular file"), std::string::npos) << r.err;
  const auto once = run_process({kLogstream, "run", "-q", "--format", "combined", log});
  ASSERT_EQ(once.exit_code, 0) << once.err;
  auto doubled = parse_last_console_table(once.out);
  for (auto& [status, count] : doubled) count *= 2;
  EXPECT_EQ(parse_last_console_table(r.out), doubled);

  const auto twice = run_process(
      {"/bin/bash", "-c", "exec \"$0\" run -q --format combined /dev/fd/3 /dev/fd/3 3< <(cat \"$1\")",
       kLogstream, log},
      std::chrono::seconds(30));
  ASSERT_EQ(twice.exit_code, 0) << twice.err;
  EXPECT_NE(twice.err.find("the same pipe as"), std::string::npos) << twice.err;
  EXPECT_EQ(parse_last_console_table(twice.out), parse_last_console_table(once.out));

  // A pipe cannot be read again after a restart: with --checkpoint it is refused, as standard input is.
  const auto checkpointed =
      run_process({"/bin/bash", "-c", "exec \"$0\" run -q --checkpoint \"$2\" <(cat \"$1\")", kLogstream, log,
                   path("ck")},
                  std::chrono::seconds(30));
  EXPECT_EQ(checkpointed.exit_code, 2);
  EXPECT_NE(checkpointed.err.find("--checkpoint cannot go with a pipe"), std::string::npos)
      << checkpointed.err;
}

}  // namespace
}  // namespace logstream::test_support
