// The command line as a user types it: usage, unknown words, option values, and options on either side
// of the subcommand.
#include <gtest/gtest.h>

#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"
#include "tests/support/seed_reference.h"

namespace logstream::test_support {
namespace {

using CliOptionsTest = TempDirTest;

const std::string kElastic = kSharedData + "/elastic-apache.log";

TEST_F(CliOptionsTest, NoArgumentsPrintsTheUsage) {
  const auto r = run_process({kLogstream});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("Usage: logstream"), std::string::npos) << r.err;
  EXPECT_NE(r.err.find("watch"), std::string::npos) << r.err;
}

TEST_F(CliOptionsTest, AnUnknownSubcommandIsNamed) {
  const auto r = run_process({kLogstream, "--format", "combined", "frobnicate"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("unknown subcommand 'frobnicate'"), std::string::npos) << r.err;
}

TEST_F(CliOptionsTest, NumbersAreCheckedWithTheOptionsName) {
  auto r = run_process({kLogstream, "--threads", "abc", "run", kElastic});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--threads: 'abc' is not a number"), std::string::npos) << r.err;
  r = run_process({kLogstream, "--threads", "0", "run", kElastic});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("out of range"), std::string::npos) << r.err;
  r = run_process({kLogstream, "watch", logs(), "--quiet-ms", "soon"});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--quiet-ms: 'soon' is not a number"), std::string::npos) << r.err;
}

TEST_F(CliOptionsTest, ChunkSizesTakeEitherCaseAndNeverWrap) {
  const auto reference = run_process({kLogstream, "-q", "run", kElastic});
  ASSERT_EQ(reference.exit_code, 0) << reference.err;
  for (const char* size : {"1m", "1M", "64k", "256K"}) {
    const auto r = run_process({kLogstream, "-q", "--chunk-size", size, "run", kElastic});
    EXPECT_EQ(r.exit_code, 0) << size << ": " << r.err;
    EXPECT_EQ(r.out, reference.out) << size;
  }
  for (const char* size : {"17179869185G", "2G", "8", "1x", "99999999999999999999999"}) {
    const auto r = run_process({kLogstream, "--chunk-size", size, "run", kElastic});
    EXPECT_EQ(r.exit_code, 2) << size;
    EXPECT_NE(r.err.find("--chunk-size"), std::string::npos) << r.err;
  }
}

TEST_F(CliOptionsTest, RepeatableOptionsTakeOneValueAndLeaveThePath) {
  auto r = run_process({kLogstream, "-q", "run", "--sink", "csv", kElastic});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_EQ(r.out.rfind("batch,status,count\n", 0), 0u) << r.out;
  EXPECT_NE(r.out.find("\n0,200,"), std::string::npos) << r.out;

  r = run_process(
      {kLogstream, "-q", "run", "--alert", "e: count(5xx) > 1", kElastic, "--alert", "n: count(4xx) > 1000"});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(r.err.find("alert e firing"), std::string::npos) << r.err;
  EXPECT_EQ(r.err.find("alert n firing"), std::string::npos) << r.err;
}

TEST_F(CliOptionsTest, OptionsWorkBeforeAndAfterTheSubcommand) {
  const auto before =
      run_process({kLogstream, "-q", "--format", "spark-seed", "--sort", "key", "run", kElastic});
  const auto after =
      run_process({kLogstream, "run", kElastic, "--sort", "key", "--format", "spark-seed", "-q"});
  ASSERT_EQ(before.exit_code, 0) << before.err;
  ASSERT_EQ(after.exit_code, 0) << after.err;
  EXPECT_EQ(before.out, after.out);
  EXPECT_EQ(parse_last_console_table(before.out), reference_seed_status_counts(read_file(kElastic)));
}

TEST_F(CliOptionsTest, ALogFormatImpliesTheCustomFormat) {
  const auto custom =
      run_process({kLogstream, "-q", "--log-format",
                   R"(%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i")", "run", kElastic});
  const auto combined = run_process({kLogstream, "-q", "--format", "combined", "run", kElastic});
  ASSERT_EQ(custom.exit_code, 0) << custom.err;
  EXPECT_EQ(custom.out, combined.out);
  const auto conflicting =
      run_process({kLogstream, "--format", "nginx", "--log-format", "%h %s", "run", kElastic});
  EXPECT_EQ(conflicting.exit_code, 2);
  EXPECT_NE(conflicting.err.find("--log-format goes with --format custom"), std::string::npos)
      << conflicting.err;
}

TEST_F(CliOptionsTest, AnEmptyCheckpointDirectoryIsAUsageError) {
  const auto r = run_process({kLogstream, "--checkpoint", "", "run", kElastic});
  EXPECT_EQ(r.exit_code, 2);
  EXPECT_NE(r.err.find("--checkpoint needs a directory"), std::string::npos) << r.err;
}

}  // namespace
}  // namespace logstream::test_support

namespace logstream::test_support {
namespace {

TEST_F(CliOptionsTest, SchemaPrintsTheColumnsOfTheFormat) {
  const auto seed = run_process({kLogstream, "schema", "--format", "spark-seed"});
  EXPECT_EQ(seed.exit_code, 0) << seed.err;
  EXPECT_EQ(seed.out,
            "root\n"
            " |-- host: string (nullable = true)\n"
            " |-- timestamp: string (nullable = true)\n"
            " |-- method: string (nullable = true)\n"
            " |-- endpoint: string (nullable = true)\n"
            " |-- protocol: string (nullable = true)\n"
            " |-- status: integer (nullable = true)\n"
            " |-- content_size: integer (nullable = true)\n"
            " |-- value: string (nullable = true)\n");
  const auto custom = run_process({kLogstream, "--log-format", "%h %>s %D %{User-Agent}i", "schema"});
  EXPECT_EQ(custom.exit_code, 0) << custom.err;
  EXPECT_NE(custom.out.find(" |-- duration_us: long"), std::string::npos) << custom.out;
  EXPECT_NE(custom.out.find(" |-- user_agent: string"), std::string::npos) << custom.out;
  const auto bad = run_process({kLogstream, "schema", "--format", "apache9"});
  EXPECT_EQ(bad.exit_code, 2);
  EXPECT_NE(bad.err.find("apache9"), std::string::npos) << bad.err;
}

}  // namespace
}  // namespace logstream::test_support
