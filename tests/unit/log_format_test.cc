#include "stages/parser/log_format.h"

#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "stages/core/line_terminators.h"
#include "stages/parser/chunk_parser.h"
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
  EXPECT_EQ(common.parse(R"(h - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1 200 5")", line),
            RejectReason::kMissingField);
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

// Every answer of a format, compiled or not, is also the interpreter's: the two must never drift apart.
std::optional<RejectReason> parse_both(const LogFormat& format, std::string_view line, ParsedLine& out) {
  ClfTimeCache times;
  ParsedLine interpreted;
  const auto reject = format.parse(line, out, times);
  EXPECT_EQ(reject, format.interpret(line, interpreted, times)) << line;
  EXPECT_EQ(out.status, interpreted.status) << line;
  EXPECT_EQ(out.size, interpreted.size) << line;
  EXPECT_EQ(out.truncated, interpreted.truncated) << line;
  return reject;
}

TEST(LogFormat, ALastTypedFieldEndsAtTheFirstSpaceSoExtraFieldsMayFollow) {
  ParsedLine line;
  const LogFormat common = named("common");
  ASSERT_TRUE(common.uses_compiled_program());
  EXPECT_FALSE(parse_both(
      common, R"(1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326 "-" "Mozilla/5.0")",
      line));
  EXPECT_EQ(line.size, 2326);
  EXPECT_FALSE(
      parse_both(common, R"(1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 304 - 0.004)", line));
  EXPECT_EQ(line.size, -1);
  EXPECT_EQ(
      parse_both(common, R"(1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 23x6 "-")", line),
      RejectReason::kBadNumber);
  EXPECT_EQ(parse_both(common, R"(1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 )", line),
            RejectReason::kBadNumber);

  const LogFormat host_status = LogFormat::from_apache("%h %s").value();
  ASSERT_FALSE(host_status.uses_compiled_program());
  EXPECT_FALSE(parse_both(host_status, "1.2.3.4 404 ", line));
  EXPECT_EQ(line.status, 404);
  EXPECT_FALSE(parse_both(host_status, "1.2.3.4 404 0.5 extra", line));
  EXPECT_EQ(parse_both(host_status, "1.2.3.4 404x", line), RejectReason::kBadStatus);
  EXPECT_EQ(parse_both(host_status, "1.2.3.4  404", line), RejectReason::kBadStatus);
  // A text field at the end still runs to the end: it may hold spaces.
  const LogFormat agent_last = LogFormat::from_apache("%h %>s %{User-Agent}i").value();
  EXPECT_FALSE(parse_both(agent_last, "1.2.3.4 200 Mozilla/5.0 (X11; Linux)", line));
}

TEST(LogFormat, ALineCutOffInsideAQuotedFieldIsAcceptedAsTruncated) {
  ParsedLine line;
  const std::string head = R"(1.2.3.4 - - [20/May/2015:12:05:17 +0000] "GET /a HTTP/1.1" 200 235 "-" )";
  for (const char* name : {"combined", "vhost_combined", "nginx"}) {
    const LogFormat format = named(name);
    const std::string prefix = std::string_view(name) == "vhost_combined" ? "www.example.com:443 " : "";
    EXPECT_FALSE(parse_both(format, prefix + head + R"("Mozilla/5.0 (compatible; Googlebot/2.1)", line))
        << name;
    EXPECT_TRUE(line.truncated) << name;
    EXPECT_EQ(line.status, 200) << name;
    EXPECT_FALSE(parse_both(format, prefix + head + R"(")", line)) << name << ": cut right after the quote";
    EXPECT_TRUE(line.truncated) << name;
    EXPECT_FALSE(parse_both(format, prefix + head + R"("complete")", line)) << name;
    EXPECT_FALSE(line.truncated) << name;
    // A cut inside an earlier quoted field ends the line there: the fields after it are absent.
    EXPECT_FALSE(parse_both(
        format, prefix + R"(1.2.3.4 - - [20/May/2015:12:05:17 +0000] "GET /a HTTP/1.1" 200 235 "http://cut)",
        line))
        << name;
    EXPECT_TRUE(line.truncated) << name;
    EXPECT_EQ(line.status, 200) << name;
    EXPECT_FALSE(
        parse_both(format, prefix + R"(1.2.3.4 - - [20/May/2015:12:05:17 +0000] "GET /a HTTP/1.1)", line))
        << name;
    EXPECT_TRUE(line.truncated) << name;
    EXPECT_EQ(line.status, -1) << name << ": cut before its status, which is null as in Spark";
    // A cut anywhere but inside a quoted field is still a reject.
    EXPECT_NE(
        parse_both(format, prefix + R"(1.2.3.4 - - [20/May/2015:12:05:17 +0000] "GET /a HTTP/1.1" 20)", line),
        std::nullopt)
        << name;
    EXPECT_NE(parse_both(format, prefix + head, line), std::nullopt) << name << ": the last field is missing";
  }
  // An escaped quote at the end does not close the field (httpd), so the line is cut off after it.
  EXPECT_FALSE(parse_both(named("combined"), head + R"("UA \")", line));
  EXPECT_TRUE(line.truncated);
  // The common format's request cut off: accepted, with a null status (twiki-2004.log's last line).
  EXPECT_FALSE(parse_both(named("common"), R"(h - - [10/Oct/2000:13:55:36 -0700] "GET /a)", line));
  EXPECT_TRUE(line.truncated);
  EXPECT_EQ(line.status, -1);
  // Custom formats get the same rule, whatever follows the quoted field.
  EXPECT_FALSE(parse_both(LogFormat::from_apache(R"(%h %>s "%{User-Agent}i")").value(), "h 200 \"cut", line));
  EXPECT_TRUE(line.truncated);
  EXPECT_FALSE(
      parse_both(LogFormat::from_apache(R"(%h %>s "%{User-Agent}i" %D)").value(), "h 200 \"cut", line));
  EXPECT_TRUE(line.truncated);
  EXPECT_EQ(line.status, 200);
}

TEST(LogFormat, TheChunkWalkLeavesACutOffLineToTheLineByLinePath) {
  const std::string text =
      "1.2.3.4 - - [20/May/2015:12:05:17 +0000] \"GET / HTTP/1.1\" 200 235 \"-\" \"cut\n"
      "1.2.3.4 - - [20/May/2015:12:05:17 +0000] \"GET / HTTP/1.1\" 404 235 \"-\" \"x\"\n";
  const LogFormat format = named("combined");
  ParsedLine line;
  ClfTimeCache times;
  EXPECT_EQ(format.parse_in_chunk(text.data(), text.data() + text.size(), line, times), nullptr);
  auto parser = ChunkParser::create({"combined", ""}).value();
  auto context = parser.make_context().value();
  Chunk chunk(text.size());
  std::memcpy(chunk.data(), text.data(), text.size());
  chunk.size = text.size();
  parser.process(context, chunk);
  EXPECT_EQ(chunk.counts.lines_read, 2u);
  EXPECT_EQ(chunk.counts.accepted(), 2u) << "lines read = accepted + rejected, the cut line accepted";
  EXPECT_EQ(chunk.counts.truncated, 1u);
  EXPECT_EQ(chunk.counts.status[200], 1u);
  EXPECT_EQ(chunk.counts.status[404], 1u);
  LineCounts total;
  total.add(chunk.counts);
  total.add(chunk.counts);
  EXPECT_EQ(total.truncated, 2u);
}

TEST(LogFormat, AnUnbracketedStrftimeTimeWithSpacesTakesThatManyWords) {
  ParsedLine line;
  const LogFormat iso = LogFormat::from_apache(R"(%h %l %u %{%Y-%m-%d %H:%M:%S}t "%r" %>s %b)").value();
  EXPECT_FALSE(parse_both(iso, R"(1.2.3.4 - - 2000-10-10 13:55:36 "GET / HTTP/1.0" 200 2326)", line));
  EXPECT_EQ(line.status, 200);
  EXPECT_EQ(line.size, 2326);
  EXPECT_EQ(parse_both(iso, R"(1.2.3.4 - - 2000-10-10 "GET / HTTP/1.0" 200 2326)", line),
            RejectReason::kUnexpectedText);
  EXPECT_EQ(parse_both(iso, R"(1.2.3.4 - - 2000-10-10)", line), RejectReason::kMissingField);
  // %c prints five words in the C locale, and %e pads the day with a space: a run of spaces is one.
  const LogFormat ctime = LogFormat::from_apache(R"(%h %{%c}t %>s)").value();
  EXPECT_FALSE(parse_both(ctime, "h Tue Oct 10 13:55:36 2000 200", line));
  EXPECT_EQ(line.status, 200);
  EXPECT_FALSE(parse_both(ctime, "h Thu Oct  5 13:55:36 2000 301", line));
  EXPECT_EQ(line.status, 301);
  const LogFormat day_first = LogFormat::from_apache(R"(%h %{%e %b}t %>s)").value();
  EXPECT_FALSE(parse_both(day_first, "h  5 Oct 404", line));
  EXPECT_EQ(line.status, 404);
  // Between brackets, the closing bracket ends it, spaces or not; httpd's own tokens are one word.
  EXPECT_FALSE(parse_both(LogFormat::from_apache(R"(%h [%{%d/%b/%Y %T %z}t] %>s)").value(),
                          "h [10/Oct/2000 13:55:36 -0700] 200", line));
  EXPECT_FALSE(
      parse_both(LogFormat::from_apache(R"(%h %{begin:msec}t %>s)").value(), "h 971211336123 200", line));
  // A delimiter the time prints a varying number of times cannot be told apart.
  const auto varying = LogFormat::from_apache(R"(%h %{%H%z}t-%>s)");
  ASSERT_FALSE(varying);
  EXPECT_NE(varying.error().find("column 4"), std::string::npos) << varying.error();
}

TEST(LogFormat, AFieldMayBeFollowedDirectlyByTheQueryString) {
  ParsedLine line;
  auto format = LogFormat::from_apache(R"(%h %t "%m %U%q %H" %>s %b)");
  ASSERT_TRUE(format) << format.error();
  EXPECT_FALSE(
      parse_both(format.value(), R"(h [10/Oct/2000:13:55:36 -0700] "GET /a?x=1&y=2 HTTP/1.1" 200 5)", line));
  EXPECT_EQ(line.status, 200);
  EXPECT_FALSE(parse_both(format.value(), R"(h [10/Oct/2000:13:55:36 -0700] "GET /a HTTP/1.1" 301 5)", line));
  EXPECT_EQ(line.status, 301);
  EXPECT_EQ(parse_both(format.value(), R"(h [10/Oct/2000:13:55:36 -0700] "GET /a?x HTTP/1.1 200 5)", line),
            RejectReason::kMissingField);
  // Quoted together, the pair ends at the closing quote (escapes and all).
  const LogFormat quoted = LogFormat::from_apache(R"(%h "%U%q" %>s)").value();
  EXPECT_FALSE(parse_both(quoted, R"(h "/a?q=\"x y\"" 200)", line));
  EXPECT_FALSE(parse_both(quoted, R"(h "/a" 200)", line));
  // A %q standing alone is "?..." or empty.
  const LogFormat alone = LogFormat::from_apache(R"(%h %U %q %>s)").value();
  EXPECT_FALSE(parse_both(alone, "h /a ?x=1 200", line));
  EXPECT_FALSE(parse_both(alone, "h /a  200", line));
  EXPECT_EQ(parse_both(alone, "h /a x=1 200", line), RejectReason::kUnexpectedText);
  // Any other pair, or %q before a field, is still ambiguous; the error points at the second field.
  for (const auto& [ambiguous, column] :
       {std::pair{"%h %U%q%q", "column 8"}, std::pair{"%h %q%U", "column 6"},
        std::pair{"%h %U%H", "column 6"}}) {
    const auto refused = LogFormat::from_apache(ambiguous);
    ASSERT_FALSE(refused) << ambiguous;
    EXPECT_NE(refused.error().find(column), std::string::npos) << refused.error();
  }
}

TEST(LogFormat, RejectReasonsSayWhatHappened) {
  ParsedLine line;
  // A space inside a field shifts every field after it: the timestamp's place holds other text.
  EXPECT_EQ(parse_both(named("common"),
                       R"(1.2.3.4 - john doe [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326)", line),
            RejectReason::kUnexpectedText);
  EXPECT_EQ(parse_both(LogFormat::from_apache(R"(%h %{X-Forwarded-For}i %t "%r" %>s %b)").value(),
                       R"(10.0.0.1 a, b [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326)", line),
            RejectReason::kUnexpectedText);
  // A timestamp in its place but not a real one is still a bad timestamp.
  EXPECT_EQ(parse_both(named("common"),
                       R"(1.2.3.4 - - [32/Oct/2000:13:55:36 -0700] "GET / HTTP/1.0" 200 2326)", line),
            RejectReason::kBadTimestamp);
}

TEST(LogFormat, ABracketedIpv6VhostHoldsItsColons) {
  ParsedLine line;
  const LogFormat vhost = named("vhost_combined");
  ASSERT_TRUE(vhost.uses_compiled_program());
  EXPECT_FALSE(parse_both(
      vhost,
      R"([2001:db8::5]:443 10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 200 512 "-" "x")",
      line));
  EXPECT_EQ(line.host, "10.0.0.1");
  EXPECT_EQ(line.status, 200);
  EXPECT_EQ(
      parse_both(vhost, R"([2001:db8::5]443 10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] "GET /" 200 5 "-" "x")",
                 line),
      RejectReason::kBadNumber);
  const std::string text =
      "[2001:db8::5]:80 10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 301 5 \"-\" \"x\"\n";
  ClfTimeCache times;
  EXPECT_EQ(vhost.parse_in_chunk(text.data(), text.data() + text.size(), line, times),
            text.data() + text.size() - 1);
  EXPECT_EQ(line.status, 301);
}

TEST(ChunkParserFormats, AutoCountsEveryLineOfAFileThatStartsCommonAndGoesOnCombined) {
  std::string text;
  for (int i = 0; i < 64; ++i)
    text += "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /c HTTP/1.0\" 200 " + std::to_string(i) + "\n";
  for (int i = 0; i < 100; ++i)
    text += "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /c HTTP/1.0\" 404 5 \"-\" \"Mozilla/5.0\"\n";
  auto parser = ChunkParser::create({"auto", ""}).value();
  std::string note, warning = "stale";
  const uint32_t picked = parser.choose_for_file(text, note, &warning);
  EXPECT_EQ(parser.parser_name(picked), "common") << note;
  EXPECT_EQ(warning, "") << "64 of 64 sample lines fit";
  auto context = parser.make_context().value();
  Chunk chunk(text.size());
  std::memcpy(chunk.data(), text.data(), text.size());
  chunk.size = text.size();
  chunk.parser_index = picked;
  parser.process(context, chunk);
  EXPECT_EQ(chunk.counts.lines_read, 164u);
  EXPECT_EQ(chunk.counts.accepted(), 164u);
  EXPECT_EQ(chunk.counts.status[200], 64u);
  EXPECT_EQ(chunk.counts.status[404], 100u);
}

TEST(ChunkParserFormats, AutoWarnsWhenTheBestFormatFitsFewerThanHalfTheSample) {
  auto parser = ChunkParser::create({"auto", ""}).value();
  const std::string good = "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 5\n";
  std::string text;
  for (int i = 0; i < 10; ++i) text += "junk line " + std::to_string(i) + "\n";
  for (int i = 0; i < 9; ++i) text += good;
  std::string note, warning;
  parser.choose_for_file(text, note, &warning);
  EXPECT_NE(warning.find("fewer than half"), std::string::npos) << warning;
  EXPECT_NE(warning.find("9 of 19"), std::string::npos) << warning;
  text += good;  // 10 of 20: half fit, no warning
  parser.choose_for_file(text, note, &warning);
  EXPECT_EQ(warning, "");
  EXPECT_EQ(note, "format common (10 of 20 sample lines fit)");
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
