#include "stages/parser/seed_columns.h"

#include <cassert>
#include <climits>
#include <string>

#include "stages/core/line_terminators.h"
#include "stages/parser/seed_status_scanner.h"

// How each of the seed's Java patterns becomes a Hyperscan pattern plus a small matcher.
//
// Spark's regexp_extract(value, p, n) takes the leftmost match of the Java regex p on the line's value and
// returns its group n, or "" when there is no match. Hyperscan has no groups, reports every match (each
// end offset once) and does not backtrack. So for every pattern:
//   1. Hyperscan scans the whole chunk once, all patterns in one database, for a byte-level form that
//      cannot cross a line end. For statusExp and timeExp the form is the pattern: both have a fixed
//      width, so a line's first match (by end) is Java's leftmost and the group sits at a fixed offset
//      from its end. For the other three the form finds the lines that can match (every line the Java
//      pattern matches, and for hostExp and contentSizeExp some more: a weaker form scans much faster);
//   2. each match is filed under its line by its last byte (never a terminator, except for
//      content_size, whose match ends with the terminator: that byte is the line's end);
//   3. on the lines the form found, a hand-written matcher applies Java's rules by itself (greedy
//      quantifiers, backtracking where the pattern needs it), anchored where Java's leftmost match must
//      start: the line's start for hostExp's `^`, the trailing digits for contentSizeExp's `$`, and for
//      generalExp the first quote it matches at, found by a walk that is linear in the line.
// No pattern is compiled with HS_FLAG_SOM_LEFTMOST: every start is known without it, and tracking it for
// generalExp made its scan 3x slower (356 against 1041 MB/s for that form alone on loggen's combined
// sample; BM_SeedColumns/all_seven 168 MB/s with it, 254 without). Of what remains, four fifths is the
// Hyperscan scan, most of it generalExp's form (the other four forms together scan at about 730 MB/s).
//
// Java's classes here are ASCII-only (no UNICODE_CHARACTER_CLASS): \s = [ \t\n\x0B\f\r], \d = [0-9],
// \w = [a-zA-Z0-9_]. A value never holds '\n' or '\r' (they end the line), so inside a line \s is
// [\t\x0B\f ]; \S is written [^\t\n\x0B\f\r ], which keeps every match inside one line and lets the chunk
// be scanned in one call instead of one call per line.
//
// Spark hands Java the line decoded from UTF-8 (JDK replacement rules), and Java matches code points.
// Every byte the patterns test by value is ASCII, and the JDK decoder never folds an ASCII byte into a
// multi-byte character or a replacement, so byte positions of matches are code-point positions, with one
// exception handled below: hostExp counts characters after its dot. The string columns are the raw bytes
// of the group: for well-formed UTF-8 that is Spark's value; Spark would show ill-formed bytes as U+FFFD.

namespace logstream {
namespace {

// Java's \s inside a line, and \S minus the line terminators.
#define LOGSTREAM_SPACE R"([\t\x0B\x0C ])"
#define LOGSTREAM_NON_SPACE R"([^\t\n\x0B\x0C\r ])"

enum Pattern : unsigned {
  kStatusSpace,  // statusExp, split in two as SeedStatusScanner explains
  kStatusRare,
  kTime,
  kHost,
  kContentSize,
  kGeneral,
};

// timeExp `\[(\d{2}/\w{3}/\d{4}:\d{2}:\d{2}:\d{2} -\d{4})]`: plain ASCII of one fixed width, so the first
// match of a line (by end) is the leftmost and the group is the match minus its brackets. The literal
// " -" is why a "+0000" log gives "".
constexpr char kTimeForm[] = R"(\[[0-9]{2}/[A-Za-z0-9_]{3}/[0-9]{4}:[0-9]{2}:[0-9]{2}:[0-9]{2} -[0-9]{4}\])";
constexpr size_t kTimeWidth = 28;  // '[' + the 26 bytes of the group + ']'

// hostExp `(^\S+\.[\S+\.]+\S+)\s`: `[\S+\.]` is a character class, and '+' and '.' are already in \S,
// so it is `^(\S+\.\S+\S+)\s`. Java's `^` without MULTILINE is the start of the value only. The group is
// all \S and is followed by \s, so it is the whole first run of non-space characters T, and the line
// matches iff T is followed by a space (not the line's end) and has a '.' with at least one character
// before it and two after it (characters: a multi-byte one counts once). The form finds the lines whose T
// has a dot after its first byte (anchored after the previous terminator, one match a line at most: the
// first such dot); match_host() checks the rest.
constexpr char kHostForm[] = R"((?:\A|[\r\n]))" LOGSTREAM_NON_SPACE R"([^\t\n\x0B\x0C\r .]*\.)";

// contentSizeExp `\s(\d+)$`: Java's `$` without MULTILINE matches at the end of the input and before a
// line terminator that is the input's last character; inside a value that can only be U+0085, U+2028 or
// U+2029 (UTF-8 C2 85, E2 80 A8, E2 80 A9). The digits must run up to that point, so a line has at most
// one candidate, the space before its trailing digit run. The form finds the lines that end in a digit,
// maybe followed by one of those three (then the line's terminator, or the end of the chunk, \z): 4.7
// GB/s alone where the whole pattern scans at 0.8, as a space before a digit is everywhere in a log line
// and a line's end is not. match_content_size() walks back from the line's end.
constexpr char kContentSizeForm[] = R"([0-9](?:\xC2\x85|\xE2\x80[\xA8\xA9])?(?:[\r\n]|\z))";

// generalExp `\"(\S+)\s(\S+)\s*(\S*)\"` backtracks, and \S includes '"'. The form is the pattern at the byte
// level, so a line it matches has a Java match; find_request() walks the line's quotes to the leftmost one
// Java matches at and cuts the groups there with Java's order (match_request()).
constexpr char kGeneralForm[] = R"(")" LOGSTREAM_NON_SPACE "+" LOGSTREAM_SPACE LOGSTREAM_NON_SPACE
                                "+" LOGSTREAM_SPACE "*" LOGSTREAM_NON_SPACE R"(*")";

#undef LOGSTREAM_SPACE
#undef LOGSTREAM_NON_SPACE

// statusExp `\s(\d{3})\s`: fixed width 5, the first match of a line is the leftmost, the group its middle.
constexpr size_t kStatusWidth = SeedStatusScanner::kMatchWidth;

bool is_java_space(char c) noexcept {
  return c == ' ' || c == '\t' || c == '\n' || c == '\x0B' || c == '\f' || c == '\r';
}
bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

// regexp_extract(...).cast("integer") of a group of ASCII digits (Spark's UTF8String.toInt, ANSI off):
// leading zeros are fine, "" and anything above Integer.MAX_VALUE are null. \d+ may be any length.
std::optional<int32_t> cast_to_int(std::string_view digits) noexcept {
  if (digits.empty()) return std::nullopt;
  size_t i = 0;
  while (i < digits.size() && digits[i] == '0') ++i;
  if (digits.size() - i > 10) return std::nullopt;
  uint64_t value = 0;
  for (; i < digits.size(); ++i) value = value * 10 + static_cast<uint64_t>(digits[i] - '0');
  if (value > static_cast<uint64_t>(INT32_MAX)) return std::nullopt;
  return static_cast<int32_t>(value);
}

// How many bytes at p the JDK's UTF-8 decoder (sun.nio.cs.UTF_8, replacement mode: what Spark's
// UTF8String.toString uses) turns into one code point: a well-formed sequence (a supplementary character
// is one code point to Java's regex), or the bytes one U+FFFD replaces. Those are a lead byte and the
// continuation bytes that still fit it (E0 needs A0-BF next, F0 90-BF, F4 80-8F; an encoded surrogate ED
// A0-BF xx is one U+FFFD), so an ASCII byte is never part of one.
size_t jdk_code_point_length(const unsigned char* p, const unsigned char* end) noexcept {
  const unsigned lead = p[0];
  auto continues = [&](size_t i, unsigned low = 0x80, unsigned high = 0xBF) {
    return p + i < end && p[i] >= low && p[i] <= high;
  };
  if (lead < 0x80) return 1;
  if (lead >= 0xC2 && lead <= 0xDF) return continues(1) ? 2 : 1;
  if (lead >= 0xE0 && lead <= 0xEF) {
    if (!continues(1, lead == 0xE0 ? 0xA0 : 0x80)) return 1;
    return continues(2) ? 3 : 2;
  }
  if (lead >= 0xF0 && lead <= 0xF4) {
    if (!continues(1, lead == 0xF0 ? 0x90 : 0x80, lead == 0xF4 ? 0x8F : 0xBF)) return 1;
    if (!continues(2)) return 2;
    return continues(3) ? 4 : 3;
  }
  return 1;  // 80-C1, F5-FF: one U+FFFD each
}

bool has_two_code_points(std::string_view bytes) noexcept {
  if (bytes.size() < 2) return false;
  const auto* p = reinterpret_cast<const unsigned char*>(bytes.data());
  const auto* end = p + bytes.size();
  return jdk_code_point_length(p, end) < bytes.size();
}

// hostExp's group on a line Hyperscan flagged (see kHostForm), or "".
std::string_view match_host(std::string_view line) noexcept {
  size_t run = 0;
  while (run < line.size() && !is_java_space(line[run])) ++run;
  if (run == line.size()) return {};  // the group must be followed by \s
  // The first dot after the first character leaves the most characters after it.
  const size_t dot = line.substr(0, run).find('.', 1);
  if (dot == std::string_view::npos) return {};
  if (!has_two_code_points(line.substr(dot + 1, run - dot - 1))) return {};
  return line.substr(0, run);
}

// contentSizeExp's group on a line, or "" (see kContentSizeForm).
std::string_view match_content_size(std::string_view line) noexcept {
  size_t end = line.size();
  if (line.ends_with("\xC2\x85")) {
    end -= 2;
  } else if (line.ends_with("\xE2\x80\xA8") || line.ends_with("\xE2\x80\xA9")) {
    end -= 3;
  }
  size_t begin = end;
  while (begin > 0 && is_digit(line[begin - 1])) --begin;
  if (begin == end || begin == 0 || !is_java_space(line[begin - 1])) return {};
  return line.substr(begin, end - begin);
}

struct Request {
  std::string_view method, endpoint, protocol;
};

size_t last_quote(std::string_view line, size_t from, size_t to) noexcept {
  for (size_t i = to; i > from; --i) {
    if (line[i - 1] == '"') return i - 1;
  }
  return std::string_view::npos;
}

// generalExp `\"(\S+)\s(\S+)\s*(\S*)\"` at the quote line[q], in Java's backtracking order; false when it
// does not match there. Let R1, R2, R3 be the maximal runs of non-space characters the groups can start in:
// - (\S+)\s: group 1 is all of R1 (a shorter one is followed by \S, not \s), and exactly one space follows
//   (group 2 needs a non-space right after it);
// - group 2 greedy is all of R2. Then \s* takes every space W after it and (\S*)\" needs a quote in the
//   run R3 after W: group 3 runs up to R3's last quote (greedy, backing off one character at a time).
//   Giving back spaces of W only puts group 3 on a space, where \" cannot match;
// - failing that, group 2 backs off: with k characters of R2, \s* is empty and group 3 starts inside
//   R2, needing a quote at or after k; the largest k that works is R2's last quote (group 3 ""), which
//   must leave group 2 at least one character.
//
// On failure, `run_end` is where R1 ends: every quote inside R1 fails too (it sees the same R1 end and
// all that follows, or an empty group 1), so the next quote worth trying is after it.
bool match_request(std::string_view line, size_t q, Request& out, size_t& run_end) noexcept {
  const size_t n = line.size();
  size_t i = q + 1;
  const size_t r1 = i;
  while (i < n && !is_java_space(line[i])) ++i;
  run_end = i;
  if (i == r1 || i == n) return false;
  const size_t r2 = ++i;  // past the one space
  while (i < n && !is_java_space(line[i])) ++i;
  if (i == r2) return false;
  const size_t r2_end = i;
  size_t r3 = r2_end;
  while (r3 < n && is_java_space(line[r3])) ++r3;
  if (r3 > r2_end) {
    size_t r3_end = r3;
    while (r3_end < n && !is_java_space(line[r3_end])) ++r3_end;
    if (const size_t quote = last_quote(line, r3, r3_end); quote != std::string_view::npos) {
      out = {line.substr(r1, r2 - 1 - r1), line.substr(r2, r2_end - r2), line.substr(r3, quote - r3)};
      return true;
    }
  }
  const size_t quote = last_quote(line, r2, r2_end);
  if (quote == std::string_view::npos || quote == r2) return false;
  out = {line.substr(r1, r2 - 1 - r1), line.substr(r2, quote - r2), line.substr(quote, 0)};
  return true;
}

// generalExp on a line: the leftmost quote it matches at, tried in order. A failed try skips the quotes
// of its R1, so every byte is read a bounded number of times (R1, R2 and R3 of one try are at most the
// next tries' R1 and R2): linear even on a line of a million quotes, where trying each would be quadratic.
bool find_request(std::string_view line, Request& out) noexcept {
  size_t q = line.find('"');
  while (q != std::string_view::npos) {
    size_t run_end = 0;
    if (match_request(line, q, out, run_end)) return true;
    q = line.find('"', run_end);
  }
  return false;
}

// What Hyperscan found on one line.
struct LineCandidates {
  static constexpr uint32_t kNone = UINT32_MAX;
  uint32_t status_anchor = kNone;  // the first match's last byte
  uint32_t time_anchor = kNone;
  bool host = false;
  bool request = false;
  bool content_size = false;
};

}  // namespace

std::string_view seed_column_name(SeedColumn column) noexcept {
  switch (column) {
    case SeedColumn::kHost:
      return "host";
    case SeedColumn::kTimestamp:
      return "timestamp";
    case SeedColumn::kMethod:
      return "method";
    case SeedColumn::kEndpoint:
      return "endpoint";
    case SeedColumn::kProtocol:
      return "protocol";
    case SeedColumn::kStatus:
      return "status";
    case SeedColumn::kContentSize:
      return "content_size";
  }
  return "";
}

Expected<SeedColumnScanner> SeedColumnScanner::create(SeedColumnSet columns) {
  std::vector<PatternSpec> specs;
  if (columns.has(SeedColumn::kStatus)) {
    specs.push_back({std::string(SeedStatusScanner::kChunkSafeStatusExpressions[0]), 0, kStatusSpace});
    specs.push_back({std::string(SeedStatusScanner::kChunkSafeStatusExpressions[1]), 0, kStatusRare});
  }
  if (columns.has(SeedColumn::kTimestamp)) specs.push_back({kTimeForm, 0, kTime});
  if (columns.has(SeedColumn::kHost)) specs.push_back({kHostForm, 0, kHost});
  if (columns.has(SeedColumn::kContentSize)) specs.push_back({kContentSizeForm, 0, kContentSize});
  if (columns.needs_request()) specs.push_back({kGeneralForm, 0, kGeneral});
  if (specs.empty()) return SeedColumnScanner(columns, 0, std::nullopt);
  auto patterns = PatternSet::create(specs);
  if (!patterns) return Error{patterns.error()};
  return SeedColumnScanner(columns, specs.size(), std::move(patterns).value());
}

Expected<SeedColumnScanner::Context> SeedColumnScanner::make_context() const {
  Context context;
  if (patterns_) {
    auto scratch = patterns_->make_scratch();
    if (!scratch) return Error{scratch.error()};
    context.scratch_ = std::move(scratch).value();
  }
  return context;
}

hs_error_t SeedColumnScanner::process(Context& context, std::string_view chunk,
                                      SeedColumnBatch& out) const noexcept {
  out.lines.clear();
  out.host.clear();
  out.timestamp.clear();
  out.method.clear();
  out.endpoint.clear();
  out.protocol.clear();
  out.status.clear();
  out.content_size.clear();
  // Hyperscan takes an unsigned length and the matches are kept as 32-bit offsets.
  if (chunk.size() > UINT32_MAX) return HS_INVALID;

  std::vector<Context::Match>& matches = context.matches_;
  matches.clear();
  if (patterns_) {
    auto collect = [&](unsigned id, size_t to) {
      matches.push_back({static_cast<uint32_t>(to - 1), id});
      return true;
    };
    if (const hs_error_t result = patterns_->scan(chunk.data(), chunk.size(), context.scratch_, collect);
        PatternSet::failed(result)) {
      return result;
    }
  }

  const char* data = chunk.data();
  const SeedColumnSet want = columns_;
  size_t next = 0;
  for_each_line(data, data + chunk.size(), [&](std::string_view line) {
    const auto line_start = static_cast<uint32_t>(line.data() - data);
    const auto line_end = static_cast<uint32_t>(line_start + line.size());  // its terminator, or the end
    LineCandidates found;
    for (; next < matches.size() && matches[next].anchor <= line_end; ++next) {
      const Context::Match& m = matches[next];
      assert(m.anchor >= line_start);  // every form ends inside its line (or on its terminator)
      switch (m.pattern) {
        case kStatusSpace:
        case kStatusRare:
          if (found.status_anchor == LineCandidates::kNone) found.status_anchor = m.anchor;
          break;
        case kTime:
          if (found.time_anchor == LineCandidates::kNone) found.time_anchor = m.anchor;
          break;
        case kHost:
          found.host = true;
          break;
        case kContentSize:
          found.content_size = true;
          break;
        case kGeneral:
          found.request = true;
          break;
        default:
          break;
      }
    }

    out.lines.push_back(line);
    if (want.has(SeedColumn::kHost)) out.host.push_back(found.host ? match_host(line) : std::string_view());
    if (want.has(SeedColumn::kTimestamp)) {
      out.timestamp.push_back(
          found.time_anchor == LineCandidates::kNone
              ? std::string_view()
              : std::string_view(data + found.time_anchor - (kTimeWidth - 2), kTimeWidth - 2));
    }
    if (want.needs_request()) {
      Request request;
      if (found.request) {
        // The form is exact, so the walk finds a match on every line the form matched.
        [[maybe_unused]] const bool matched = find_request(line, request);
        assert(matched && "generalExp: the form and the matcher disagree");
      }
      if (want.has(SeedColumn::kMethod)) out.method.push_back(request.method);
      if (want.has(SeedColumn::kEndpoint)) out.endpoint.push_back(request.endpoint);
      if (want.has(SeedColumn::kProtocol)) out.protocol.push_back(request.protocol);
    }
    if (want.has(SeedColumn::kStatus)) {
      std::optional<int32_t> status;
      if (found.status_anchor != LineCandidates::kNone) {
        const char* digits = data + found.status_anchor - (kStatusWidth - 2);
        status = (digits[0] - '0') * 100 + (digits[1] - '0') * 10 + (digits[2] - '0');
      }
      out.status.push_back(status);
    }
    if (want.has(SeedColumn::kContentSize)) {
      out.content_size.push_back(found.content_size ? cast_to_int(match_content_size(line)) : std::nullopt);
    }
  });
  return HS_SUCCESS;
}

}  // namespace logstream
