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
#include "tests/support/large_stack.h"
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

// One piece of a format's regex: its capturing groups, and what the first of them holds.
struct Piece {
  enum Role { kPlain, kStatus, kTime, kQuoted };  // kQuoted: a "..." field, quotes included
  std::string regex;
  int groups = 0;
  Role role = kPlain;
};

struct ReferenceFormat {
  std::string name;  // the test's name for it
  FormatOptions options;
  std::vector<Piece> pieces;
  bool nginx_quotes = false;  // a quoted field ends at the first '"' (no backslash escapes)
};

// Building blocks, after the README: a field ends at the first byte of the literal after it; httpd
// quoted fields end at the first '"' not escaped by a backslash, nginx ones at the first '"'; extra
// fields after a format's last one start with a space. A line cut off inside a quoted field is
// accepted: that field holds the rest of the line (a lone trailing backslash included), the pieces after
// it are absent, and a status among them is null.
const std::string kWord = "([^ ]*)";
const std::string kTime = R"re(([0-9]{2}/[A-Z][a-z]{2}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} [+-][0-9]{4}))re";
const std::string kExtra = "(?: .*)?$";
const Piece kHost{"([^ ]+)", 1};
const Piece kWordPiece{kWord, 1};
const Piece kSpace{" ", 0};
const Piece kBracketedTime{"\\[" + kTime + "\\]", 1, Piece::kTime};
const Piece kStatusPiece{"([0-9]{3})", 1, Piece::kStatus};
const Piece kSizeOrDash{"([0-9]+|-)", 1};
const Piece kBytes{"([0-9]+)", 1};
const Piece kQuoted{R"re("((?:[^"\\]|\\.)*)")re", 1, Piece::kQuoted};
const Piece kNginxQuoted{R"re("([^"]*)")re", 1, Piece::kQuoted};
const std::string kQuotedCut = R"re("((?:[^"\\]|\\.)*\\?)$)re";
const std::string kNginxQuotedCut = R"re("([^"]*)$)re";
// %v before ':': a value that starts with '[' and has a ']' ("[2001:db8::5]") runs past its ']' to the
// next ':'; otherwise it ends at the first ':'.
const Piece kVhost{R"re((\[[^\]]*\][^:]*|\[(?![^\]]*\])[^:]*|[^\[:][^:]*|))re", 1};

std::vector<ReferenceFormat> reference_formats() {
  const std::vector<Piece> clf_start = {kHost,      kSpace, kWordPiece,     kSpace,
                                        kWordPiece, kSpace, kBracketedTime, kSpace};
  auto with_start = [&](std::vector<Piece> rest) {
    std::vector<Piece> pieces = clf_start;
    pieces.insert(pieces.end(), rest.begin(), rest.end());
    return pieces;
  };
  return {
      {"common", {"common", ""}, with_start({kQuoted, kSpace, kStatusPiece, kSpace, kSizeOrDash})},
      {"combined",
       {"combined", ""},
       with_start({kQuoted, kSpace, kStatusPiece, kSpace, kSizeOrDash, kSpace, kQuoted, kSpace, kQuoted})},
      {"vhost_combined",
       {"vhost_combined", ""},
       {kVhost,
        {":([0-9]+) ", 1},
        kHost,
        kSpace,
        kWordPiece,
        kSpace,
        kWordPiece,
        kSpace,
        kBracketedTime,
        kSpace,
        kQuoted,
        kSpace,
        kStatusPiece,
        kSpace,
        kBytes,
        kSpace,
        kQuoted,
        kSpace,
        kQuoted}},
      {"nginx",
       {"nginx", ""},
       {kHost,
        {" - ", 0},
        kWordPiece,
        {" ", 0},
        kBracketedTime,
        kSpace,
        kNginxQuoted,
        kSpace,
        kStatusPiece,
        kSpace,
        kBytes,
        kSpace,
        kNginxQuoted,
        kSpace,
        kNginxQuoted},
       true},
      // Custom strings run through the interpreter. %U ends where %q's '?' starts; the unquoted %H ends
      // at the first '"'; %O takes digits only. The quotes around "%m %U%q %H" hold several fields, so
      // they are not a quoted field.
      {"custom_query",
       {"custom", R"(%h %l %u %t "%m %U%q %H" %>s %O "%{Referer}i" "%{User-Agent}i")"},
       with_start({{"\"" + kWord + " ([^ ?]*)((?:\\?[^ ]*)?) ([^\"]*)\"", 4},
                   kSpace,
                   kStatusPiece,
                   kSpace,
                   kBytes,
                   kSpace,
                   kQuoted,
                   kSpace,
                   kQuoted})},
      // An unbracketed strftime time with one space in it: two space-separated words, not checked.
      {"custom_strftime",
       {"custom", R"(%h %l %u %{%d/%b/%Y:%H:%M:%S %z}t "%r" %>s %b)"},
       {kHost,
        kSpace,
        kWordPiece,
        kSpace,
        kWordPiece,
        kSpace,
        {"([^ ]* [^ ]*)", 1},
        kSpace,
        kQuoted,
        kSpace,
        kStatusPiece,
        kSpace,
        kSizeOrDash}},
      // A typed last field ends at the first space: extra fields may follow it.
      {"custom_status_last",
       {"custom", R"(%h %l %u %t "%r" %>s)"},
       with_start({kQuoted, kSpace, kStatusPiece})},
  };
}

void PrintTo(const ReferenceFormat& format, std::ostream* out) { *out << format.name; }

struct Verdict {
  bool accepted = false;
  int status = -1;  // -1: null (the line was cut off before its status)
  bool truncated = false;
};

// The whole line, then the line cut off inside each of its quoted fields in turn.
struct CompiledReference {
  struct Variant {
    std::regex regex;
    size_t pieces_before = 0;  // the pieces that came before the cut (all of them for the whole line)
    bool cut = false;
  };
  std::vector<Variant> variants;
};

CompiledReference compile_reference(const ReferenceFormat& format) {
  CompiledReference compiled;
  std::string prefix = "^";
  for (size_t i = 0; i < format.pieces.size(); ++i) {
    if (format.pieces[i].role == Piece::kQuoted)
      compiled.variants.push_back(
          {std::regex(prefix + (format.nginx_quotes ? kNginxQuotedCut : kQuotedCut)), i, true});
    prefix += format.pieces[i].regex;
  }
  compiled.variants.insert(compiled.variants.begin(),
                           {std::regex(prefix + kExtra), format.pieces.size(), false});
  return compiled;
}

Verdict judge(const ReferenceFormat& format, const CompiledReference& compiled, const std::string& line) {
  // std::regex recurses per byte: keep it to lines it can take (generated requests are under 9 KiB).
  EXPECT_LT(line.size(), 32u * 1024) << "a line too long for the std::regex reference";
  if (line.empty()) return {};
  for (const auto& variant : compiled.variants) {
    std::smatch match;
    if (!std::regex_match(line, match, variant.regex)) continue;
    Verdict verdict;
    verdict.truncated = variant.cut;
    int group = 1;
    for (size_t i = 0; i < variant.pieces_before; ++i) {
      const Piece& piece = format.pieces[i];
      if (piece.role == Piece::kTime && !real_clf_time(match[group].str())) return {};
      if (piece.role == Piece::kStatus) verdict.status = std::stoi(match[group].str());
      group += piece.groups;
    }
    verdict.accepted = true;
    return verdict;
  }
  return {};
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
  const CompiledReference compiled = compile_reference(format);
  ReferenceFile file;
  test_support::run_on_large_stack([&] {
    for (const ReferenceLine& line : split_lines(bytes))
      file.lines.emplace_back(judge(format, compiled, line.text), line.bytes_needed);
  });
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
      parser.value(), nullptr, pipeline_options, [](const std::string& warning) { ADD_FAILURE() << warning; },
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
  if (counts.null_status != 0) t.statuses[-1] = counts.null_status;
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
// quoted field off, put a space in a field or an IPv6 address in the vhost.
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
      "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET /cut in the request\n"
      "1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 40\n"
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
    return judge(formats[f], compile_reference(formats[f]), line);
  };
  const std::string combined =
      R"(1.2.3.4 - - [10/Oct/2000:13:55:36 -0700] "GET / HTTP/1.1" 404 5 "-" "UA \"q\"")";
  EXPECT_TRUE(verdict(0, combined).accepted) << "common takes the combined fields as extra fields";
  EXPECT_EQ(verdict(1, combined).status, 404);
  EXPECT_FALSE(verdict(1, combined).truncated);
  EXPECT_TRUE(verdict(1, combined.substr(0, combined.size() - 3)).truncated);
  const std::string cut_request = combined.substr(0, combined.find(" HTTP"));
  EXPECT_TRUE(verdict(1, cut_request).accepted) << "a line cut off inside its request";
  EXPECT_TRUE(verdict(1, cut_request).truncated);
  EXPECT_EQ(verdict(1, cut_request).status, -1) << "its status is null, as Spark's";
  EXPECT_EQ(verdict(0, cut_request).status, -1);
  EXPECT_FALSE(verdict(1, combined.substr(0, combined.find(" 404") + 2)).accepted) << "cut inside the status";
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
