#include "stages/parser/log_format.h"

#include <gtest/gtest.h>

#include <random>

#include "stages/core/line_terminators.h"
#include "tools/loggen/generator.h"

namespace logstream {
namespace {

LogFormat named(const char* name) { return LogFormat::named(name).value(); }

TEST(LogFormat, ParsesACombinedLine) {
  ParsedLine line;
  const auto reject =
      named("combined")
          .parse(
              R"(66.249.75.159 - - [29/Nov/2015:03:50:05 +0000] "GET /robots.txt HTTP/1.1" 200 55 "-" "Googlebot/2.1")",
              line);
  ASSERT_FALSE(reject) << reject_reason_name(*reject);
  EXPECT_EQ(line.request, "GET /robots.txt HTTP/1.1");
  EXPECT_EQ(line.method, "") << "split only on request";
  split_request(line.request, line);
  EXPECT_EQ(line.host, "66.249.75.159");
  EXPECT_EQ(line.method, "GET");
  EXPECT_EQ(line.target, "/robots.txt");
  EXPECT_EQ(line.protocol, "HTTP/1.1");
  EXPECT_EQ(line.status, 200);
  EXPECT_EQ(line.size, 55);
  EXPECT_EQ(line.epoch_seconds, 1448769005);
}

TEST(LogFormat, EscapedQuotesDoNotEndAQuotedField) {
  ParsedLine line;
  EXPECT_FALSE(
      named("combined")
          .parse(
              R"(1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET /a?q=\"x\"\\ HTTP/1.0" 404 - "-" "UA \"quoted\"")",
              line));
  split_request(line.request, line);
  EXPECT_EQ(line.target, R"(/a?q=\"x\"\\)");
  EXPECT_EQ(line.status, 404);
  EXPECT_EQ(line.size, -1);
}

TEST(LogFormat, AnEscapedBackslashBeforeTheQuoteStillEndsTheField) {
  ParsedLine line;
  EXPECT_FALSE(named("common").parse(R"(h - - [10/Oct/2000:13:55:36 -0700] "GET /a\\" 200 1)", line));
  EXPECT_EQ(line.request, R"(GET /a\\)");
}

TEST(LogFormat, NginxQuotesEndAtTheFirstQuote) {
  ParsedLine line;
  EXPECT_FALSE(named("nginx").parse(
      R"(::1 - - [10/Oct/2000:13:55:36 +0200] "GET /\x22a\x22 HTTP/1.1" 301 0 "-" "curl/8")", line));
  EXPECT_EQ(line.host, "::1");
  EXPECT_EQ(line.status, 301);
  EXPECT_EQ(line.size, 0);
}

TEST(LogFormat, VhostCombinedTakesTheClientHostAndBytes) {
  ParsedLine line;
  EXPECT_FALSE(
      named("vhost_combined")
          .parse(
              R"(www.example.com:443 10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 512 "-" "x")",
              line));
  EXPECT_EQ(line.host, "10.0.0.1");
  EXPECT_EQ(line.size, 512);
}

TEST(LogFormat, ExtraTrailingFieldsAreAccepted) {
  ParsedLine line;
  EXPECT_FALSE(
      named("combined")
          .parse(R"(h - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "x" 0.004 "10.0.0.1")",
                 line));
  EXPECT_EQ(named("combined")
                .parse(R"(h - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 5 "-" "x"junk)", line),
            RejectReason::kUnexpectedText);
}

TEST(LogFormat, GivesAReasonForEveryReject) {
  const LogFormat common = named("common");
  ParsedLine line;
  EXPECT_EQ(common.parse("", line), RejectReason::kEmptyLine);
  EXPECT_EQ(common.parse("host - -", line), RejectReason::kMissingField);
  EXPECT_EQ(common.parse(R"(h - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1 200 5)", line),
            RejectReason::kUnterminatedQuote);
  EXPECT_EQ(common.parse(R"(h - - [10/Oct/2000:13:55:36 +07] "GET /" 200 5)", line),
            RejectReason::kBadTimestamp);
  EXPECT_EQ(common.parse(R"(h - - [10/Oct/2000:13:55:36 -0700] "GET /" 20x 5)", line),
            RejectReason::kBadStatus);
  EXPECT_EQ(common.parse(R"(h - - [10/Oct/2000:13:55:36 -0700] "GET /" 2000 5)", line),
            RejectReason::kBadStatus);
  EXPECT_EQ(common.parse(R"(h - - [10/Oct/2000:13:55:36 -0700] "GET /" 200 5k)", line),
            RejectReason::kBadNumber);
}

TEST(LogFormat, CompilesCustomFormatsAndPointsAtMistakes) {
  auto custom = LogFormat::from_apache(R"(%a %{X-Forwarded-For}i %t "%r" %s %>s %D)");
  ASSERT_TRUE(custom) << custom.error();
  ParsedLine line;
  EXPECT_FALSE(
      custom.value().parse(R"(10.0.0.1 1.1.1.1 [10/Oct/2000:13:55:36 -0700] "GET /" 302 200 1234)", line));
  EXPECT_EQ(line.status, 200) << "the final status (%>s) wins over the original (%s)";

  auto unknown = LogFormat::from_apache("%h %Z");
  ASSERT_FALSE(unknown);
  EXPECT_NE(unknown.error().find("column 4"), std::string::npos) << unknown.error();
  EXPECT_FALSE(LogFormat::from_apache("%h%u"));
  EXPECT_FALSE(LogFormat::from_apache("%h %{Referer"));
  EXPECT_FALSE(LogFormat::from_apache("%h %"));
  EXPECT_FALSE(LogFormat::from_apache("%h %u").value().has_status());
}

TEST(LogFormat, SplitsRequestsWithoutProtocolOrWithSpaces) {
  ParsedLine line;
  split_request("GET /old", line);
  EXPECT_EQ(line.target, "/old");
  EXPECT_EQ(line.protocol, "");
  split_request("GET /my file.pdf HTTP/1.1", line);
  EXPECT_EQ(line.target, "/my file.pdf");
  EXPECT_EQ(line.protocol, "HTTP/1.1");
}

TEST(LogFormat, BuiltInFormatsRunTheirCompiledPrograms) {
  for (std::string_view name : LogFormat::builtin_names()) {
    EXPECT_TRUE(LogFormat::named(name).value().uses_compiled_program()) << name;
  }
  // The same string given as a custom format is the same program.
  EXPECT_TRUE(LogFormat::from_apache(R"(%h %l %u %t "%r" %>s %b)").value().uses_compiled_program());
  EXPECT_FALSE(LogFormat::from_apache(R"(%h %l %u %t "%r" %>s %b %D)").value().uses_compiled_program());
}

// 3,000 generated lines of the format `name`, with every quirk loggen has.
std::string quirky_lines(std::string_view name, uint64_t seed) {
  loggen::Options options;
  options.seed = seed;
  options.max_lines = 3000;
  options.format = std::string(name);
  options.quirks = ~0u;
  loggen::Generator generator(options);
  std::string text;
  while (generator.next_line(text)) {
  }
  return text;
}

TEST(LogFormat, CompiledProgramsAndTheInterpreterAgreeOnEveryLine) {
  for (std::string_view name : LogFormat::builtin_names()) {
    const std::string text = quirky_lines(name, 77);
    const LogFormat format = LogFormat::named(name).value();
    size_t accepted = 0;
    ClfTimeCache compiled_times, interpreted_times;  // the caches carry over from line to line, as in use
    for_each_line(text.data(), text.data() + text.size(), [&](std::string_view line) {
      ParsedLine compiled, interpreted, uncached;
      const auto a = format.parse(line, compiled, compiled_times);
      const auto b = format.interpret(line, interpreted, interpreted_times);
      ASSERT_EQ(a, format.parse(line, uncached)) << name << ": " << line;
      if (!a) {
        EXPECT_EQ(compiled.epoch_seconds, uncached.epoch_seconds) << line;
      }
      ASSERT_EQ(a, b) << name << ": " << line;
      if (a) return;
      ++accepted;
      EXPECT_EQ(compiled.status, interpreted.status);
      EXPECT_EQ(compiled.size, interpreted.size);
      EXPECT_EQ(compiled.host, interpreted.host);
      EXPECT_EQ(compiled.request, interpreted.request);
      EXPECT_EQ(compiled.epoch_seconds, interpreted.epoch_seconds);
    });
    EXPECT_GT(accepted, 2000u) << name;
  }
}

// The one-pass chunk walk (ChunkParser's path for the built-in formats) against splitting into lines
// first and interpreting each: the same lines, the same answers, the same reject reasons, on quirky
// generated logs and on random bytes.
TEST(LogFormatChunkWalk, AgreesWithLineByLineInterpretationOnQuirksAndNoise) {
  std::mt19937 rng(11);
  for (std::string_view name : LogFormat::builtin_names()) {
    std::string text = quirky_lines(name, 78);
    for (int i = 0; i < 20000; ++i) {
      const unsigned r = rng() % 40;
      text += r == 0 ? '\n' : r == 1 ? '\r' : r == 2 ? '"' : r == 3 ? ' ' : static_cast<char>(rng());
    }
    const LogFormat format = LogFormat::named(name).value();
    ASSERT_TRUE(format.uses_compiled_program());
    std::vector<std::pair<std::optional<RejectReason>, int>> by_lines;
    ClfTimeCache line_times;
    for_each_line(text.data(), text.data() + text.size(), [&](std::string_view line) {
      ParsedLine parsed;
      const auto reject = format.interpret(line, parsed, line_times);
      by_lines.emplace_back(reject, reject ? -1 : parsed.status);
    });
    std::vector<std::pair<std::optional<RejectReason>, int>> by_walk;
    ClfTimeCache walk_times;
    const char* p = text.data();
    const char* const end = p + text.size();
    while (p < end) {
      ParsedLine parsed;
      const char* line_end = format.parse_in_chunk(p, end, parsed, walk_times);
      if (line_end) {
        by_walk.emplace_back(std::nullopt, parsed.status);
        EXPECT_EQ(line_end, find_line_end(p, end)) << name;
      } else {
        line_end = find_line_end(p, end);
        const auto reject =
            format.parse(std::string_view(p, static_cast<size_t>(line_end - p)), parsed, walk_times);
        by_walk.emplace_back(reject, reject ? -1 : parsed.status);
      }
      if (line_end == end) break;
      p = skip_line_terminator(line_end, end);
    }
    ASSERT_EQ(by_walk.size(), by_lines.size()) << name;
    for (size_t i = 0; i < by_lines.size(); ++i) ASSERT_EQ(by_walk[i], by_lines[i]) << name << " line " << i;
  }
}

}  // namespace
}  // namespace logstream
