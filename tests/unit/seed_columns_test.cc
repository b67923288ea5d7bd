// SeedColumnScanner against an independent reference of the seed's logsDF: each line decoded the way the
// JDK decodes UTF-8, then the seed's five patterns run through std::regex, group by group, and the int
// casts done as Spark does them. Compared column by column on every shared log, quirky loggen output and
// hand-made hostile lines, at chunks of 1 line, 3 lines and 1 MiB of whole lines.
#include "stages/parser/seed_columns.h"

#include <gtest/gtest.h>

#include <cstring>
#include <filesystem>
#include <memory>
#include <regex>

#include "tests/support/large_stack.h"
#include "tests/support/seed_reference.h"
#include "tools/loggen/generator.h"

namespace logstream {
namespace {

using test_support::reference_lines;

// ---- The reference -------------------------------------------------------------------------------

struct RowText {
  std::string host, timestamp, method, endpoint, protocol;
  std::optional<int32_t> status, content_size;
};

// The value as Java sees it: the JDK's UTF-8 decoder (sun.nio.cs.UTF_8.Decoder.decode, replacement
// mode, what Spark's UTF8String.toString runs), ported loop for loop. Each decoded code point becomes one
// byte of `chars` so that std::regex (which works on bytes) counts characters as Java does: ASCII as is,
// the line terminators U+0085, U+2028 and U+2029 as 0x85 (Java's `$` cares about them), every other code
// point (U+FFFD included) as 0x80, which is \S and nothing else the patterns name. `offsets[k]` is the
// byte where character k starts; offsets[chars.size()] is the line's length.
struct DecodedLine {
  std::string chars;
  std::vector<size_t> offsets;
};

DecodedLine jdk_decode(const std::string& line) {
  DecodedLine out;
  const auto* sa = reinterpret_cast<const signed char*>(line.data());
  const int sl = static_cast<int>(line.size());
  auto emit = [&](int start, char32_t c) {
    out.offsets.push_back(static_cast<size_t>(start));
    out.chars += c < 0x80                                    ? static_cast<char>(c)
                 : (c == 0x85 || c == 0x2028 || c == 0x2029) ? '\x85'
                                                             : '\x80';
  };
  auto not_continuation = [](int b) { return (b & 0xc0) != 0x80; };
  constexpr char32_t kReplacement = 0xFFFD;
  int sp = 0;
  while (sp < sl) {
    const int start = sp;
    int b1 = sa[sp++];
    if (b1 >= 0) {
      emit(start, static_cast<char32_t>(b1));
    } else if ((b1 >> 5) == -2 && (b1 & 0x1e) != 0) {
      if (sp < sl) {
        const int b2 = sa[sp++];
        if (not_continuation(b2)) {
          emit(start, kReplacement);
          sp--;
        } else {
          emit(start, static_cast<char32_t>(((b1 & 0x1f) << 6) | (b2 & 0x3f)));
        }
        continue;
      }
      emit(start, kReplacement);
      break;
    } else if ((b1 >> 4) == -2) {
      if (sp + 1 < sl) {
        const int b2 = sa[sp++];
        const int b3 = sa[sp++];
        const bool malformed = (b1 == static_cast<signed char>(0xe0) && (b2 & 0xe0) == 0x80) ||
                               not_continuation(b2) || not_continuation(b3);
        if (malformed) {
          emit(start, kReplacement);
          sp = start +
               (((b1 == static_cast<signed char>(0xe0) && (b2 & 0xe0) == 0x80) || not_continuation(b2)) ? 1
                                                                                                        : 2);
        } else {
          const auto c = static_cast<char32_t>(((b1 & 0x0f) << 12) | ((b2 & 0x3f) << 6) | (b3 & 0x3f));
          emit(start, (c >= 0xD800 && c <= 0xDFFF) ? kReplacement : c);
        }
        continue;
      }
      if (sp < sl &&
          ((b1 == static_cast<signed char>(0xe0) && (sa[sp] & 0xe0) == 0x80) || not_continuation(sa[sp]))) {
        emit(start, kReplacement);
        continue;
      }
      emit(start, kReplacement);
      break;
    } else if ((b1 >> 3) == -2) {
      if (sp + 2 < sl) {
        const int b2 = sa[sp++];
        const int b3 = sa[sp++];
        const int b4 = sa[sp++];
        const auto uc = static_cast<char32_t>(((b1 & 0x07) << 18) | ((b2 & 0x3f) << 12) | ((b3 & 0x3f) << 6) |
                                              (b4 & 0x3f));
        if (not_continuation(b2) || not_continuation(b3) || not_continuation(b4) || uc < 0x10000 ||
            uc > 0x10FFFF) {
          emit(start, kReplacement);
          const int u1 = b1 & 0xff, u2 = b2 & 0xff;
          int length = 3;
          if (u1 > 0xf4 || (u1 == 0xf0 && (u2 < 0x90 || u2 > 0xbf)) || (u1 == 0xf4 && (u2 & 0xf0) != 0x80) ||
              not_continuation(u2)) {
            length = 1;
          } else if (not_continuation(b3)) {
            length = 2;
          }
          sp = start + length;
        } else {
          emit(start, uc);
        }
        continue;
      }
      const int u1 = b1 & 0xff;
      if (u1 > 0xf4 || (sp < sl && [&] {
            const int u2 = sa[sp] & 0xff;
            return (u1 == 0xf0 && (u2 < 0x90 || u2 > 0xbf)) || (u1 == 0xf4 && (u2 & 0xf0) != 0x80) ||
                   not_continuation(u2);
          }())) {
        emit(start, kReplacement);
        continue;
      }
      sp++;
      if (sp < sl && not_continuation(sa[sp])) {
        emit(start, kReplacement);
        continue;
      }
      emit(start, kReplacement);
      break;
    } else {
      emit(start, kReplacement);
    }
  }
  out.offsets.push_back(line.size());
  return out;
}

// The seed's patterns in ECMAScript. Where the dialects differ the reference says so: Java's \s is the
// ASCII class [ \t\n\x0B\f\r] (std::regex's depends on the locale), so it is spelled out, and \S as its
// complement; \d and \w are ASCII in Java, spelled out too; `]` is escaped; hostExp's class `[\S+\.]` is
// written as an alternation of \S and the two literals; Java's `$` without MULTILINE also matches before
// a final line terminator, which in a value can only be U+0085, U+2028 or U+2029 (mapped to 0x85 above),
// so contentSizeExp's `$` becomes `(?=\x85?$)`.
#define S_CLASS R"([ \t\n\x0B\f\r])"
#define NS_CLASS R"([^ \t\n\x0B\f\r])"
const std::regex& host_exp() {
  static const std::regex re("^(" NS_CLASS R"(+\.(?:)" NS_CLASS R"(|[+.])+)" NS_CLASS "+)" S_CLASS);
  return re;
}
const std::regex& time_exp() {
  static const std::regex re(
      R"(\[([0-9]{2}/[a-zA-Z0-9_]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} -[0-9]{4})\])");
  return re;
}
const std::regex& general_exp() {
  static const std::regex re("\"(" NS_CLASS "+)" S_CLASS "(" NS_CLASS "+)" S_CLASS "*(" NS_CLASS "*)\"");
  return re;
}
const std::regex& status_exp() {
  static const std::regex re(S_CLASS "([0-9]{3})" S_CLASS);
  return re;
}
const std::regex& content_size_exp() {
  static const std::regex re(S_CLASS R"(([0-9]+)(?=\x85?$))");
  return re;
}
#undef S_CLASS
#undef NS_CLASS

// regexp_extract(value, re, group) on the decoded line, mapped back to the line's bytes.
std::string extract(const std::string& line, const DecodedLine& decoded, const std::regex& re, int group) {
  std::smatch match;
  if (!std::regex_search(decoded.chars, match, re)) return "";
  const auto from = static_cast<size_t>(match.position(group));
  const size_t to = from + static_cast<size_t>(match.length(group));
  return line.substr(decoded.offsets[from], decoded.offsets[to] - decoded.offsets[from]);
}

// .cast("integer") of a digit string, Spark 3.x with ANSI off: "" and values beyond Integer.MAX_VALUE are
// null.
std::optional<int32_t> reference_cast(const std::string& digits) {
  if (digits.empty()) return std::nullopt;
  const size_t first = digits.find_first_not_of('0');
  if (first == std::string::npos) return 0;
  const std::string significant = digits.substr(first);
  if (significant.size() > 18) return std::nullopt;
  const long long value = std::stoll(significant);
  if (value > 2147483647LL) return std::nullopt;
  return static_cast<int32_t>(value);
}

RowText reference_row(const std::string& line) {
  const DecodedLine decoded = jdk_decode(line);
  RowText row;
  row.host = extract(line, decoded, host_exp(), 1);
  row.timestamp = extract(line, decoded, time_exp(), 1);
  row.method = extract(line, decoded, general_exp(), 1);
  row.endpoint = extract(line, decoded, general_exp(), 2);
  row.protocol = extract(line, decoded, general_exp(), 3);
  row.status = reference_cast(extract(line, decoded, status_exp(), 1));
  row.content_size = reference_cast(extract(line, decoded, content_size_exp(), 1));
  return row;
}

// ---- The scanner, chunk by chunk -----------------------------------------------------------------

// Splits the text into chunks of whole lines (at most `lines_per_chunk` lines and `max_bytes` bytes, at
// least one line), each copied into a buffer of exactly its size so that a read past it is caught by ASan.
std::vector<std::string> whole_line_chunks(const std::string& text, size_t lines_per_chunk,
                                           size_t max_bytes) {
  std::vector<size_t> ends;  // the byte after each line's terminator
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\n' || (text[i] == '\r' && (i + 1 == text.size() || text[i + 1] != '\n')))
      ends.push_back(i + 1);
  }
  if (ends.empty() || ends.back() != text.size()) ends.push_back(text.size());
  std::vector<std::string> chunks;
  size_t begin = 0, lines = 0;
  for (size_t k = 0; k < ends.size(); ++k) {
    ++lines;
    const bool last = k + 1 == ends.size();
    if (last || lines == lines_per_chunk || ends[k + 1] - begin > max_bytes) {
      chunks.push_back(text.substr(begin, ends[k] - begin));
      begin = ends[k];
      lines = 0;
    }
  }
  if (text.empty()) chunks.clear();
  return chunks;
}

std::string shown(std::string_view bytes) {
  std::string out;
  for (unsigned char c : bytes) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out += static_cast<char>(c);
    } else {
      char hex[8];
      std::snprintf(hex, sizeof hex, "\\x%02x", c);
      out += hex;
    }
  }
  return out.size() > 300 ? out.substr(0, 300) + "..." : out;
}

std::string shown(const std::optional<int32_t>& v) { return v ? std::to_string(*v) : "null"; }

constexpr size_t kMiB = 1 << 20;
struct ChunkShapeCase {
  size_t lines;
  size_t bytes;
};
const ChunkShapeCase kChunkShapes[] = {{1, kMiB}, {3, kMiB}, {SIZE_MAX, kMiB}};

struct Reference {
  std::vector<std::string> lines;
  std::vector<RowText> rows;
};

Reference reference_of(const std::string& text) {
  Reference reference;
  reference.lines = reference_lines(text);
  test_support::run_on_large_stack([&] {
    for (const std::string& line : reference.lines) reference.rows.push_back(reference_row(line));
  });
  return reference;
}

// Compares every requested column of every line with the reference; at most a few failures are shown.
void expect_matches_reference(const std::string& name, const std::string& text, const Reference& reference,
                              SeedColumnSet columns = SeedColumnSet::all()) {
  const std::vector<std::string>& lines = reference.lines;
  const std::vector<RowText>& expected = reference.rows;
  auto scanner = SeedColumnScanner::create(columns);
  ASSERT_TRUE(scanner) << scanner.error();
  for (const ChunkShapeCase& shape : kChunkShapes) {
    auto context = scanner.value().make_context().value();
    SeedColumnBatch batch;
    size_t row = 0, failures = 0;
    for (const std::string& chunk_text : whole_line_chunks(text, shape.lines, shape.bytes)) {
      auto buffer = std::make_unique<char[]>(chunk_text.size());
      std::memcpy(buffer.get(), chunk_text.data(), chunk_text.size());
      ASSERT_EQ(scanner.value().process(context, std::string_view(buffer.get(), chunk_text.size()), batch),
                HS_SUCCESS);
      const size_t n = batch.rows();
      for (SeedColumn c : {SeedColumn::kHost, SeedColumn::kTimestamp, SeedColumn::kMethod,
                           SeedColumn::kEndpoint, SeedColumn::kProtocol}) {
        const std::vector<std::string_view>* column = nullptr;
        switch (c) {
          case SeedColumn::kHost:
            column = &batch.host;
            break;
          case SeedColumn::kTimestamp:
            column = &batch.timestamp;
            break;
          case SeedColumn::kMethod:
            column = &batch.method;
            break;
          case SeedColumn::kEndpoint:
            column = &batch.endpoint;
            break;
          default:
            column = &batch.protocol;
            break;
        }
        ASSERT_EQ(column->size(), columns.has(c) ? n : 0) << seed_column_name(c);
      }
      ASSERT_EQ(batch.status.size(), columns.has(SeedColumn::kStatus) ? n : 0);
      ASSERT_EQ(batch.content_size.size(), columns.has(SeedColumn::kContentSize) ? n : 0);
      for (size_t i = 0; i < n && row + i < lines.size(); ++i) {
        const RowText& want = expected[row + i];
        const std::string where =
            name + " line " + std::to_string(row + i + 1) + " (chunks of " +
            (shape.lines == SIZE_MAX ? std::string("1 MiB") : std::to_string(shape.lines) + " lines") +
            "): " + shown(lines[row + i]);
        bool ok = batch.lines[i] == lines[row + i];
        if (!ok && failures < 10)
          ADD_FAILURE() << where << "\n  value: got '" << shown(batch.lines[i]) << "'";
        auto check_text = [&](SeedColumn c, const std::vector<std::string_view>& got,
                              const std::string& value) {
          if (!columns.has(c) || got[i] == value) return;
          ok = false;
          if (failures < 10)
            ADD_FAILURE() << where << "\n  " << seed_column_name(c) << ": got '" << shown(got[i])
                          << "', want '" << shown(value) << "'";
        };
        auto check_int = [&](SeedColumn c, const std::vector<std::optional<int32_t>>& got,
                             const std::optional<int32_t>& value) {
          if (!columns.has(c) || got[i] == value) return;
          ok = false;
          if (failures < 10)
            ADD_FAILURE() << where << "\n  " << seed_column_name(c) << ": got " << shown(got[i]) << ", want "
                          << shown(value);
        };
        check_text(SeedColumn::kHost, batch.host, want.host);
        check_text(SeedColumn::kTimestamp, batch.timestamp, want.timestamp);
        check_text(SeedColumn::kMethod, batch.method, want.method);
        check_text(SeedColumn::kEndpoint, batch.endpoint, want.endpoint);
        check_text(SeedColumn::kProtocol, batch.protocol, want.protocol);
        check_int(SeedColumn::kStatus, batch.status, want.status);
        check_int(SeedColumn::kContentSize, batch.content_size, want.content_size);
        if (!ok) ++failures;
      }
      row += n;
    }
    EXPECT_EQ(row, lines.size()) << name;
    EXPECT_EQ(failures, 0u) << name;
  }
}

void expect_matches_reference(const std::string& name, const std::string& text) {
  expect_matches_reference(name, text, reference_of(text));
}

std::string generate(uint64_t seed, uint64_t lines, const std::string& format, const std::string& quirks) {
  loggen::Options options;
  options.seed = seed;
  options.max_lines = lines;
  options.format = format;
  std::string unknown;
  EXPECT_TRUE(loggen::parse_quirks(quirks, options.quirks, unknown)) << unknown;
  loggen::Generator generator(options);
  std::string out;
  while (generator.next_line(out)) {
  }
  return out;
}

// The views in the batch point into `text`, which must outlive it.
SeedColumnBatch scan(std::string_view text, SeedColumnSet columns = SeedColumnSet::all()) {
  const auto scanner = SeedColumnScanner::create(columns).value();
  auto context = scanner.make_context().value();
  SeedColumnBatch batch;
  EXPECT_EQ(scanner.process(context, text, batch), HS_SUCCESS);
  return batch;
}

// ---- Tests ---------------------------------------------------------------------------------------

TEST(SeedColumns, ReferenceDecodesLikeTheJdk) {
  // The reference's own check on the cases that matter: one character per well-formed sequence (a
  // supplementary one included), and the JDK's replacement lengths for ill-formed ones.
  EXPECT_EQ(jdk_decode("a\xC3\xA9").chars.size(), 2u);
  EXPECT_EQ(jdk_decode("\xF0\x9F\x98\x80").chars.size(), 1u);
  EXPECT_EQ(jdk_decode("\xE2\x80 ").chars.size(), 2u) << "a cut 3-byte sequence is one U+FFFD";
  EXPECT_EQ(jdk_decode("\xED\xA0\x80").chars.size(), 1u) << "an encoded surrogate is one U+FFFD";
  EXPECT_EQ(jdk_decode("\xE0\x80\x80").chars.size(), 3u) << "an overlong E0 is one U+FFFD a byte";
  EXPECT_EQ(jdk_decode("\xF0\x8F\x80\x80").chars.size(), 4u);
  EXPECT_EQ(jdk_decode("\xF1\x80\x80 ").chars.size(), 2u);
  EXPECT_EQ(jdk_decode("\xE2\x80\xA8").chars, "\x85");
}

TEST(SeedColumns, EverySharedLogMatchesTheReference) {
  size_t files = 0;
  for (const auto& entry : std::filesystem::directory_iterator(LOGSTREAM_SHARED_DATA)) {
    if (entry.path().extension() != ".log") continue;
    ++files;
    expect_matches_reference(entry.path().filename().string(),
                             test_support::read_file(entry.path().string()));
  }
  EXPECT_GE(files, 2u);
}

TEST(SeedColumns, QuirkyGeneratedLogsMatchTheReference) {
  for (uint64_t seed : {1, 2, 3, 4}) {
    const char* format = seed == 2   ? "common"
                         : seed == 3 ? "vhost_combined"
                         : seed == 4 ? "nginx"
                                     : "combined";
    expect_matches_reference("loggen seed " + std::to_string(seed), generate(seed, 3000, format, "all"));
  }
}

const char* const kHostileLines[] = {
    // generalExp: backtracking, quotes inside runs, several quoted strings
    "\"a b\"",
    "\"a b\"\"",
    "\"\"a b\"",
    "\"a b c d\"",
    "\"GET /x\" 200 5",
    "\"GET /a\"b HTTP/1.1\" 200 5",
    "\"GET /x HTTP/1.1\"x\"y\" 200",
    "\"GET  /x HTTP/1.1\" 200",
    "\"GET\t/x\tHTTP/1.0\" 200 1",
    "\"GET /x\x0b\x0bHTTP/1.0\" 200 1",
    "\"\" \"a b\"",
    "x \"not-a-request\" \"GET /a HTTP/1.1\" 200 5",
    "h.example.com - - [10/Oct/2000:13:55:36 -0700] \"GET /a b HTTP/1.0\" 404 - \"http://r/\" \"Mozilla/5.0 "
    "(X11; Linux) x\"",
    "\"\"\"\"\"\"\"\"",
    "\"a\" \"b\" \"c d\"",
    "\" a b\"",
    "\"a b \"",
    "\"a b  \"c\"",
    "\"a \"b\" c\"",
    "\"a  b\" \"c d\"",
    "\"a\tb\"\t\"c\x0b\x0bd\" \"e f\"",
    // hostExp: needs a dot with a character before and two after, then whitespace
    "2001:db8::1 - - [10/Oct/2000:13:55:36 -0700] \"GET / HTTP/1.1\" 200 1",
    "::ffff:10.0.0.1 - - x",
    "a.b x",
    "a.bc x",
    ".abc x",
    ".a.bc x",
    "a..b x",
    "a.bc\tx",
    "a.bcd",
    " a.bc x",
    "a.\xC3\xA9 x",
    "a.\xC3\xA9\xC3\xA9 x",
    "a.\xF0\x9F\x98\x80 x",
    "a.\xE2\x80 x",
    "a.\x80\x80 x",
    "a.\xED\xA0\x80 x",
    "a.\xF0\x8F\x80 x",
    "\xC3\xA9.bc x",
    // timeExp: only negative offsets, \w includes '_', the first of several
    "[10/Oct/2000:13:55:36 -0700]",
    "[10/Oct/2000:13:55:36 +0000]",
    "x [10/Oct/2000:13:55:36 +0000] [11/Nov/2001:01:02:03 -0130]",
    "[10/Oct/2000:13:55:36 -0700] [11/Nov/2001:01:02:03 -0130]",
    "[10/O_t/2000:13:55:36 -0700]",
    "[10/Oct/2000:13:55:36 -07000]",
    "[[10/Oct/2000:13:55:36 -0700]]",
    "[1/Oct/2000:13:55:36 -0700]",
    "[10/Oct/2000:13:55:36  -0700]",
    // contentSizeExp: digits up to the end (or a final U+0085, U+2028, U+2029), the int cast
    "x 2147483647",
    "x 2147483648",
    "x 0000000000002147483647",
    "x 99999999999999999999999999",
    "x 00000000000000000000000000000000000000000000000000",
    "x -",
    "x\t12",
    "x12",
    "x 12 ",
    "12",
    " 12",
    "x 12\xC2\x85",
    "x 12\xE2\x80\xA8",
    "x 12\xE2\x80\xA9",
    "x 12\xC2\x85\xC2\x85",
    "x 12\x85",
    "x 12\xE2\x80",
    // statusExp
    "a 200 b 404 c",
    " 2000 ",
    "a\x0b"
    "201\x0c"
    "b",
    "a 007 b",
    "",
    "\t",
};

std::string hostile_text(const char* terminator) {
  std::string text;
  for (const char* line : kHostileLines) text += std::string(line) + terminator;
  // NUL bytes are part of a line like any other byte.
  static constexpr char kNulLine[] = "h.x.y - - [10/Oct/2000:13:55:36 -0700] \"GET /\0 HTTP/1.1\" 200 7";
  text += std::string(kNulLine, sizeof kNulLine - 1) + terminator;
  return text;
}

TEST(SeedColumns, HostileLinesMatchTheReference) {
  expect_matches_reference("hostile LF", hostile_text("\n"));
  expect_matches_reference("hostile CRLF", hostile_text("\r\n"));
  expect_matches_reference("hostile CR", hostile_text("\r"));
  std::string unterminated = hostile_text("\n");
  unterminated += "last.line.host [01/Jan/2001:00:00:00 -0000] \"PUT /z HTTP/2\" 201 99";
  expect_matches_reference("hostile, last line without a terminator", unterminated);
}

TEST(SeedColumns, EverySubsetOfColumnsMatchesTheReference) {
  const std::string text = hostile_text("\n") + generate(5, 500, "combined", "all");
  const Reference reference = reference_of(text);
  for (unsigned mask = 0; mask < (1u << kSeedColumnCount); ++mask) {
    SeedColumnSet columns;
    for (size_t c = 0; c < kSeedColumnCount; ++c) {
      if (mask & (1u << c)) columns = columns.with(static_cast<SeedColumn>(c));
    }
    expect_matches_reference("columns mask " + std::to_string(mask), text, reference, columns);
  }
}

TEST(SeedColumns, KnownValuesOfASeedLine) {
  const std::string text =
      "in24.inetnebr.com - - [01/Aug/1995:00:00:01 -0400] \"GET "
      "/shuttle/missions/sts-68/news/sts-68-mcc-05.txt "
      "HTTP/1.0\" 200 1839\n"
      "83.149.9.216 - - [17/May/2015:10:05:03 +0000] \"GET /a.png HTTP/1.1\" 200 203023 \"-\" \"UA\"\n";
  const SeedColumnBatch b = scan(text);
  ASSERT_EQ(b.rows(), 2u);
  EXPECT_EQ(b.host[0], "in24.inetnebr.com");
  EXPECT_EQ(b.timestamp[0], "01/Aug/1995:00:00:01 -0400");
  EXPECT_EQ(b.method[0], "GET");
  EXPECT_EQ(b.endpoint[0], "/shuttle/missions/sts-68/news/sts-68-mcc-05.txt");
  EXPECT_EQ(b.protocol[0], "HTTP/1.0");
  EXPECT_EQ(b.status[0], 200);
  EXPECT_EQ(b.content_size[0], 1839);
  EXPECT_EQ(b.host[1], "83.149.9.216");
  EXPECT_EQ(b.timestamp[1], "") << "+0000 is not matched by the seed's timeExp";
  EXPECT_EQ(b.content_size[1], std::nullopt) << "the line ends in the user agent";
  EXPECT_EQ(b.status[1], 200);
}

TEST(SeedColumns, OnlyTheRequestedPatternsAreCompiled) {
  EXPECT_EQ(SeedColumnScanner::create({}).value().compiled_patterns(), 0u);
  EXPECT_EQ(SeedColumnScanner::create({SeedColumn::kStatus}).value().compiled_patterns(), 2u)
      << "statusExp is compiled as two disjoint forms";
  EXPECT_EQ(
      SeedColumnScanner::create({SeedColumn::kMethod, SeedColumn::kProtocol}).value().compiled_patterns(), 1u)
      << "method, endpoint and protocol share generalExp";
  EXPECT_EQ(SeedColumnScanner::create(SeedColumnSet::all()).value().compiled_patterns(), 6u);
  // No pattern at all still gives the rows.
  const std::string text = "a\r\nb\rc";
  const SeedColumnBatch b = scan(text, {});
  ASSERT_EQ(b.rows(), 3u);
  EXPECT_EQ(b.lines[2], "c");
  EXPECT_TRUE(b.host.empty() && b.status.empty());
}

TEST(SeedColumns, ALongRunOfQuotesIsNotTriedQuoteByQuote) {
  // 1 MiB of quotes, then two spaces: generalExp fails at every one of them after reading the whole run,
  // so trying each quote in turn would take minutes; the scanner skips the quotes of a failed run.
  const std::string line = std::string(kMiB, '"') + "  \"a b\"\n";
  const SeedColumnBatch b = scan(line);
  ASSERT_EQ(b.rows(), 1u);
  EXPECT_EQ(b.method[0], "a");
  EXPECT_EQ(b.endpoint[0], "b");
  EXPECT_EQ(b.protocol[0], "");
}

}  // namespace
}  // namespace logstream
