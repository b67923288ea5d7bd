// The fixed formats end to end through the built binary: what each prints for the shared logs, the
// truncated count, custom LogFormat strings on real lines, and --format auto's warning.
#include <gtest/gtest.h>

#include "tests/integration/cli_paths.h"
#include "tests/support/process_runner.h"
#include "tests/support/seed_reference.h"

namespace logstream::test_support {
namespace {

using FormatsCliTest = TempDirTest;

const std::string kElastic = kSharedData + "/elastic-apache.log";

TEST_F(FormatsCliTest, EveryHttpdFormatGivesSparksTableOnTheElasticLog) {
  const auto seed = run_process({kLogstream, "-q", "--format", "spark-seed", "run", kElastic});
  ASSERT_EQ(seed.exit_code, 0) << seed.err;
  EXPECT_EQ(parse_last_console_table(seed.out).at(200), 9126u);
  // common reads the combined lines' referer and user agent as extra fields; the default picks
  // combined and takes line 8899, cut off inside its user agent, as a truncated line.
  for (const char* format : {"auto", "common", "combined"}) {
    const auto r = run_process({kLogstream, "--format", format, "run", kElastic});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, seed.out) << format;
    EXPECT_NE(r.err.find("10000 lines read = 10000 accepted + 0 rejected"), std::string::npos) << r.err;
    const bool last_field_quoted = std::string_view(format) != "common";
    EXPECT_EQ(r.err.find("; 1 truncated (cut off inside a quoted field)") != std::string::npos,
              last_field_quoted)
        << format << ": " << r.err;
  }
}

TEST_F(FormatsCliTest, CustomFormatsReadRealLines) {
  struct Case {
    const char* log_format;
    std::string line;
  };
  const Case cases[] = {
      {"%h %s", "1.2.3.4 404 "},
      {R"(%h %l %u %{%Y-%m-%d %H:%M:%S}t "%r" %>s %b)",
       R"(1.2.3.4 - - 2000-10-10 13:55:36 "GET / HTTP/1.0" 404 23)"},
      {R"(%h %l %u %t "%m %U%q %H" %>s %b)",
       R"(1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a.php?id=1 HTTP/1.1" 404 5)"},
      {R"(%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i")",
       R"([2001:db8::5]:443 10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 404 512 "-" "curl")"},
  };
  for (const Case& c : cases) {
    write_file(path("custom.log"), c.line + "\n");
    const auto r = run_process(
        {kLogstream, "--format", "custom", "--log-format", c.log_format, "run", path("custom.log")});
    ASSERT_EQ(r.exit_code, 0) << c.log_format << ": " << r.err;
    EXPECT_NE(r.out.find("|   404|    1|"), std::string::npos) << c.log_format << ": " << r.out << r.err;
    EXPECT_NE(r.err.find("1 lines read = 1 accepted + 0 rejected"), std::string::npos) << r.err;
  }
  const auto refused =
      run_process({kLogstream, "--format", "custom", "--log-format", "%h %U%H", "run", path("custom.log")});
  EXPECT_EQ(refused.exit_code, 2);
  EXPECT_NE(refused.err.find("column 6"), std::string::npos) << refused.err;
}

TEST_F(FormatsCliTest, AutoWarnsEvenWhenQuietIfTheBestFormatFitsFewerThanHalfTheSample) {
  std::string text;
  for (int i = 0; i < 40; ++i) text += "2000-10-10 13:55:36 GET /x 200\n";
  for (int i = 0; i < 24; ++i) text += "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 5\n";
  write_file(path("odd.log"), text);
  const auto r = run_process({kLogstream, "-q", "run", path("odd.log")});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  EXPECT_NE(
      r.err.find("odd.log: fewer than half of the sample lines fit any format (best: common, 24 of 64)"),
      std::string::npos)
      << r.err;
  write_file(path("fine.log"), text.substr(text.find("1.2.3.4")));
  const auto fine = run_process({kLogstream, "-q", "run", path("fine.log")});
  EXPECT_EQ(fine.err, "");
}

}  // namespace
}  // namespace logstream::test_support
