// The fixed formats' fast path (FileChunker -> ChunkParser -> merge, through the real flow graph) against
// an independent reference: one std::regex per format, applied line by line, written from the formats'
// rules in the README and sharing no code with stages/parser (its own line splitting, its own date check
// through std::chrono's calendar). On every shared log and on quirky generated logs, at chunk sizes from
// 64 bytes (most lines then too long) to 1 MiB and with 1 and 3 parse threads, the status table, the
// accepted and rejected totals and the truncated count must agree.
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <regex>

#include "pipeline/stream_pipeline.h"
#include "tests/support/seed_reference.h"
#include "tools/loggen/generator.h"

namespace logstream {
namespace {

namespace fs = std::filesystem;

// ---- The reference -----------------------------------------------------------------------------------

struct ReferenceLine {
  std::string text;
  size_t bytes_needed;  // the line and its terminator, as a chunk must hold them to hold the whole line
};

// Lines end at "\n", "\r\n" or a lone "\r"; a final segment without a terminator is a line. A chunk holds
// a line whole when it has room for the line and its terminator; a '\r' is only known to be a lone
// terminator once the byte after it is read, so it needs that byte's room too, as does a final line
// without a terminator (a full chunk could be the start of a longer line).
std::vector<ReferenceLine> split_lines(const std::string& bytes) {
  std::vector<ReferenceLine> lines;
  std::string current;
  for (size_t i = 0; i < bytes.size(); ++i) {
    const char c = bytes[i];
    if (c == '\n') {
      lines.push_back({current, current.size() + 1});
    } else if (c == '\r') {
      const bool crlf = i + 1 < bytes.size() && bytes[i + 1] == '\n';
      lines.push_back({current, current.size() + 2});
      if (crlf) ++i;
    } else {
      current += c;
      continue;
    }
    current.clear();
  }
  if (!bytes.empty() && bytes.back() != '\n' && bytes.back() != '\r')
    lines.push_back({current, current.size() + 1});
  return lines;
}

// "dd/Mon/yyyy:HH:MM:SS +hhmm" (the regexes below fix its shape) naming a real moment.
bool real_clf_time(const std::string& t) {
  static const char* const kMonths[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                        "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  unsigned month = 0;
  for (unsigned m = 0; m < 12; ++m) {
    if (t.compare(3, 3, kMonths[m]) == 0) month = m + 1;
  }
  const auto number = [&](size_t at, size_t n) { return std::stoi(t.substr(at, n)); };
  const std::chrono::year_month_day date{std::chrono::year(number(7, 4)), std::chrono::month(month),
                                         std::chrono::day(static_cast<unsigned>(number(0, 2)))};
  return month != 0 && date.ok() && number(12, 2) <= 23 && number(15, 2) <= 59 &&
         number(18, 2) <= 60 /* a leap second */ && number(22, 2) <= 23 && number(24, 2) <= 59;
}

struct ReferenceFormat {
  std::string name;  // the test's name for it
  FormatOptions options;
  std::string pattern;
  int status_group;
  int time_group;           // a "dd/Mon/yyyy:HH:MM:SS +hhmm" group that must be a real date; 0: none
  int closing_quote_group;  // matched unless the line was cut off inside its last quoted field; 0: none
};

// Building blocks, after the README: a field ends at the first byte of the literal after it; httpd
// quoted fields end at the first '"' not escaped by a backslash, nginx ones at the first '"'; extra
// fields after a format's last one start with a space; a last quoted field may be cut off by the line's
// end (then it holds the rest of the line, a lone trailing backslash included).
const std::string kWord = "([^ ]*)";
const std::string kHost = "([^ ]+)";
const std::string kTime = R"re(([0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}))re";
const std::string kStatus = "([0-9]{3})";
const std::string kSizeOrDash = "([0-9]+|-)";
const std::string kBytes = "([0-9]+)";
const std::string kQuoted = R"re("((?:[^"\\]|\\.)*)")re";
const std::string kQuotedLast = R"re("((?:[^"\\]|\\.)*)(?:(")(?: .*)?|\\?)$)re";
const std::string kNginxQuoted = R"re("([^"]*)")re";
const std::string kNginxQuotedLast = R"re("([^"]*)(?:(")(?: .*)?)?$)re";
const std::string kExtra = "(?: .*)?$";
// %v before ':': a value that starts with '[' and has a ']' ("[2001:db8::5]") runs past its ']' to the
// next ':'; otherwise it ends at the first ':'.
const std::string kVhost = R"re((\[[^\]]*\][^:]*|\[(?![^\]]*\])[^:]*|[^\[:][^:]*|))re";

std::vector<ReferenceFormat> reference_formats() {
  const std::string clf_start = "^" + kHost + " " + kWord + " " + kWord + " \\[" + kTime + "\\] ";
  return {
      {"common", {"common", ""}, clf_start + kQuoted + " " + kStatus + " " + kSizeOrDash + kExtra, 6, 4, 0},
      {"combined",
       {"combined", ""},
       clf_start + kQuoted + " " + kStatus + " " + kSizeOrDash + " " + kQuoted + " " + kQuotedLast,
       6,
       4,
       10},
      {"vhost_combined",
       {"vhost_combined", ""},
       "^" + kVhost + ":([0-9]+) " + kHost + " " + kWord + " " + kWord + " \\[" + kTime + "\\] " + kQuoted +
           " " + kStatus + " " + kBytes + " " + kQuoted + " " + kQuotedLast,
       8,
       6,
       12},
      {"nginx",
       {"nginx", ""},
       "^" + kHost + " - " + kWord + " \\[" + kTime + "\\] " + kNginxQuoted + " " + kStatus + " " + kBytes +
           " " + kNginxQuoted + " " + kNginxQuotedLast,
       5,
       3,
       9},
      // Custom strings run through the interpreter. %U ends where %q's '?' starts; the unquoted %H ends
      // at the first '"'; %O takes digits only.
      {"custom_query",
       {"custom", R"(%h %l %u %t "%m %U%q %H" %>s %O "%{Referer}i" "%{User-Agent}i")"},
       clf_start + "\"" + kWord + " ([^ ?]*)((?:\\?[^ ]*)?) ([^\"]*)\" " + kStatus + " " + kBytes + " " +
           kQuoted + " " + kQuotedLast,
       9,
       4,
       13},
      // An unbracketed strftime time with one space in it: two space-separated words, not checked.
      {"custom_strftime",
       {"custom", R"(%h %l %u %{%d/%b/%Y:%H:%M:%S %z}t "%r" %>s %b)"},
       "^" + kHost + " " + kWord + " " + kWord + " ([^ ]* [^ ]*) " + kQuoted + " " + kStatus + " " +
           kSizeOrDash + kExtra,
       6,
       0,
       0},
      // A typed last field ends at the first space: extra fields may follow it.
      {"custom_status_last",
       {"custom", R"(%h %l %u %t "%r" %>s)"},
       clf_start + kQuoted + " " + kStatus + kExtra,
       6,
       4,
       0},
  };
}

void PrintTo(const ReferenceFormat& format, std::ostream* out) { *out << format.name; }

struct Verdict {
  bool accepted = false;
  int status = -1;
  bool truncated = false;
};

Verdict judge(const ReferenceFormat& format, const std::regex& regex, const std::string& line) {
  // std::regex recurses per byte: keep it to lines it can take (generated requests are under 9 KiB).
  EXPECT_LT(line.size(), 32u * 1024) << "a line too long for the std::regex reference";
  std::smatch match;
  if (line.empty() || !std::regex_match(line, match, regex)) return {};
  if (format.time_group != 0 && !real_clf_time(match[format.time_group].str())) return {};
  Verdict verdict;
  verdict.accepted = true;
  verdict.status = std::stoi(match[format.status_group].str());
  verdict.truncated = format.closing_quote_group != 0 && !match[format.closing_quote_group].matched;
  return verdict;
}

struct Totals {
  uint64_t lines = 0, accepted = 0, rejected = 0, truncated = 0;
  std::map<int, uint64_t> statuses;
  bool operator==(const Totals&) const = default;
};

std::ostream& operator<<(std::ostream& out, const Totals& t) {
  out << t.lines << " lines = " << t.accepted << " accepted + " << t.rejected << " rejected, " << t.truncated
      << " truncated; statuses";
  for (const auto& [status, n] : t.statuses) out << " " << status << ":" << n;
  return out;
}

// The reference's verdict on every line of a file, then its totals at a chunk size: a line that a chunk
// cannot hold whole is rejected (too long).
struct ReferenceFile {
  std::vector<std::pair<Verdict, size_t>> lines;  // verdict, bytes needed

  Totals totals(size_t chunk_size) const {
    Totals t;
    for (const auto& [verdict, needed] : lines) {
      ++t.lines;
      if (!verdict.accepted || needed > chunk_size) {
        ++t.rejected;
        continue;
      }
      ++t.accepted;
      t.truncated += verdict.truncated;
      ++t.statuses[verdict.status];
    }
    return t;
  }
};

ReferenceFile reference_for(const ReferenceFormat& format, const std::string& bytes) {
  const std::regex regex(format.pattern);
  ReferenceFile file;
  for (const ReferenceLine& line : split_lines(bytes))
    file.lines.emplace_back(judge(format, regex, line.text), line.bytes_needed);
  return file;
}

// ---- The fast path -----------------------------------------------------------------------------------

Totals fast_path(const FormatOptions& options, const std::string& path, size_t chunk_size, unsigned threads) {
  auto parser = ChunkParser::create(options);
  EXPECT_TRUE(parser) << parser.error();
  if (!parser) return {};
  PipelineOptions pipeline_options;
  pipeline_options.threads = threads;
  pipeline_options.chunk_size = chunk_size;
  pipeline_options.announce_formats = false;
  std::vector<LineCounts> batches;
  auto pipeline = StreamPipeline::create(
      parser.value(), pipeline_options, [](const std::string& warning) { ADD_FAILURE() << warning; },
      [&](uint64_t, const LineCounts& counts) { batches.push_back(counts); });
  EXPECT_TRUE(pipeline) << pipeline.error();
  if (!pipeline) return {};
  pipeline.value()->run_batch(0, {whole_file_task(path, UINT64_MAX)});
  EXPECT_EQ(batches.size(), 1u);
  if (batches.size() != 1) return {};
  const LineCounts& counts = batches[0];
  Totals t;
  t.lines = counts.lines_read;
  t.accepted = counts.accepted();
  t.rejected = counts.rejected();
  t.truncated = counts.truncated;
  for (int s = 0; s < kStatusSlots; ++s) {
    if (counts.status[static_cast<size_t>(s)] != 0) t.statuses[s] = counts.status[static_cast<size_t>(s)];
  }
  return t;
}

// ---- The inputs --------------------------------------------------------------------------------------

struct InputFile {
  std::string path;
  bool temporary;
};

std::string generate(uint64_t seed, uint64_t lines, const std::string& format) {
  loggen::Options options;
  options.seed = seed;
  options.max_lines = lines;
  options.format = format;
  std::string unknown;
  EXPECT_TRUE(loggen::parse_quirks("all", options.quirks, unknown));
  loggen::Generator generator(options);
  std::string out;
  while (generator.next_line(out)) {
  }
  return out;
}

// Every shared log, and quirky generated logs of each format loggen writes, with a few lines that cut a
// last quoted field off, put a space in a field or an IPv6 address in the vhost.
std::vector<InputFile> input_files() {
  std::vector<InputFile> files;
  for (const auto& entry : fs::directory_iterator(LOGSTREAM_SHARED_DATA)) {
    if (entry.path().extension() == ".log") files.push_back({entry.path().string(), false});
  }
  std::sort(files.begin(), files.end(),
            [](const InputFile& a, const InputFile& b) { return a.path < b.path; });
  EXPECT_GE(files.size(), 2u) << "the shared logs are missing from " << LOGSTREAM_SHARED_DATA;
  const std::string edge_lines =
      "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /a?b=1 HTTP/1.1\" 200 5 \"-\" \"cut off\n"
      "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 404 5 \"-\" \"cut after a \\\n"
      "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 404 5 \"cut in the referer\n"
      "1.2.3.4 - john doe [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.0\" 200 2326\n"
      "[2001:db8::5]:443 10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 301 512 \"-\" \"x\"\n"
      "[2001:db8::5:443 10.0.0.1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 301 512 \"-\" \"x\"\n"
      "1.2.3.4 - - [31/Feb/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 5\n"
      "1.2.3.4 - - [29/Feb/2000:13:55:60 -0700] \"GET / HTTP/1.1\" 302 5 \"-\" \"x\"\n";
  uint64_t seed = 21;
  for (const char* format : {"common", "combined", "vhost_combined", "nginx"}) {
    const std::string path = (fs::temp_directory_path() /
                              ("logstream-format-ref-" + std::to_string(getpid()) + "-" + format + ".log"))
                                 .string();
    test_support::write_file(path, edge_lines + generate(seed++, 3000, format));
    files.push_back({path, true});
  }
  return files;
}

class FormatReference : public ::testing::TestWithParam<ReferenceFormat> {};

TEST_P(FormatReference, FastPathMatchesTheRegexReferenceOnEveryFileChunkSizeAndThreadCount) {
  const ReferenceFormat& format = GetParam();
  uint64_t accepted_somewhere = 0, rejected_somewhere = 0;
  for (const InputFile& file : input_files()) {
    const ReferenceFile reference = reference_for(format, test_support::read_file(file.path));
    for (size_t chunk_size : {size_t{64}, size_t{4096}, size_t{1} << 20}) {
      const Totals expected = reference.totals(chunk_size);
      accepted_somewhere += expected.accepted;
      rejected_somewhere += expected.rejected;
      for (unsigned threads : {1u, 3u}) {
        EXPECT_EQ(fast_path(format.options, file.path, chunk_size, threads), expected)
            << format.name << " on " << file.path << ", chunk size " << chunk_size << ", " << threads
            << " thread(s)";
      }
    }
    if (file.temporary) fs::remove(file.path);
  }
  // The comparison means something only when both sides of the line are exercised.
  EXPECT_GT(accepted_somewhere, 1000u) << format.name;
  EXPECT_GT(rejected_somewhere, 100u) << format.name;
}

INSTANTIATE_TEST_SUITE_P(FixedFormats, FormatReference, ::testing::ValuesIn(reference_formats()),
                         [](const ::testing::TestParamInfo<ReferenceFormat>& param_info) {
                           return param_info.param.name;
                         });

// The reference itself, on lines whose verdicts are known by hand: it must not be vacuous.
TEST(FormatReferenceSelfCheck, KnowsAcceptsRejectsAndCuts) {
  const auto formats = reference_formats();
  const auto verdict = [&](size_t f, const std::string& line) {
    return judge(formats[f], std::regex(formats[f].pattern), line);
  };
  const std::string combined =
      R"(1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 404 5 "-" "UA \"q\"")";
  EXPECT_TRUE(verdict(0, combined).accepted) << "common takes the combined fields as extra fields";
  EXPECT_EQ(verdict(1, combined).status, 404);
  EXPECT_FALSE(verdict(1, combined).truncated);
  EXPECT_TRUE(verdict(1, combined.substr(0, combined.size() - 3)).truncated);
  EXPECT_FALSE(verdict(1, combined + "x").accepted);
  EXPECT_FALSE(verdict(1, R"(1.2.3.4 - - [30/Feb/2000:13:55:36 -0700] "GET /" 200 5 "-" "x")").accepted);
  EXPECT_TRUE(verdict(2, "[::1]:80 " + combined).accepted);
  EXPECT_FALSE(verdict(2, "[::1:80 " + combined).accepted);
  EXPECT_EQ(verdict(4, combined).status, 404);
  EXPECT_TRUE(verdict(6, combined.substr(0, combined.find(" 404") + 4)).accepted);
  EXPECT_FALSE(verdict(6, combined.substr(0, combined.find(" 404") + 4) + "x").accepted);
}

}  // namespace
}  // namespace logstream
