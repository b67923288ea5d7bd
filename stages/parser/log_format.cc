#include "stages/parser/log_format.h"

#include <cctype>
#include <cstring>

#include "stages/core/byte_search.h"
#include "stages/core/clf_time.h"
#include "stages/core/line_terminators.h"

namespace logstream {
namespace {

// The value of a run of more than 18 digits, saturated at INT64_MAX (a size this large is still a size).
int64_t saturated_digits_value(std::string_view digits) noexcept {
  int64_t v = 0;
  for (char c : digits) {
    if (v > (INT64_MAX - 9) / 10) return INT64_MAX;
    v = v * 10 + (c - '0');
  }
  return v;
}

// Whether s is one or more ASCII digits; their value, saturated at INT64_MAX, into `value`. One pass that
// both checks and converts, inlined into the tokenizer: a call each to check and to convert cost a tenth of
// the status count's parse.
[[gnu::always_inline]] inline bool parse_digits(std::string_view s, int64_t& value) noexcept {
  if (s.empty()) return false;
  uint64_t v = 0;
  for (char c : s) {
    const auto digit = static_cast<unsigned>(static_cast<unsigned char>(c)) - '0';
    if (digit > 9) return false;
    v = v * 10 + digit;  // 19 digits cannot overflow 64 unsigned bits; longer ones saturate below
  }
  value = s.size() <= 18 ? static_cast<int64_t>(v) : saturated_digits_value(s);
  return true;
}

// A status is exactly three digits: its value, or -1.
[[gnu::always_inline]] inline int status_value(std::string_view s) noexcept {
  if (s.size() != 3) return -1;
  const auto d0 = static_cast<unsigned>(static_cast<unsigned char>(s[0])) - '0';
  const auto d1 = static_cast<unsigned>(static_cast<unsigned char>(s[1])) - '0';
  const auto d2 = static_cast<unsigned>(static_cast<unsigned char>(s[2])) - '0';
  if (d0 > 9 || d1 > 9 || d2 > 9) return -1;
  return static_cast<int>(d0 * 100 + d1 * 10 + d2);
}

// Position of the quote that closes a field starting at `from` in data[0, size), or npos.
// StopAtLineEnd: data runs on past the line (a chunk of many lines), so a line terminator before the
// closing quote also means npos.
template <bool StopAtLineEnd = false>
[[gnu::always_inline]] inline size_t find_closing_quote(const char* data, size_t size, size_t from,
                                                        QuoteEscaping escaping) noexcept {
  const char* const end = data + size;
  for (const char* p = data + from;;) {
    const char* quote = StopAtLineEnd ? find_byte_or_line_end(p, end, '"') : find_byte_in_field(p, end, '"');
    if (quote == end || (StopAtLineEnd && *quote != '"')) return std::string_view::npos;
    const auto at = static_cast<size_t>(quote - data);
    if (escaping == QuoteEscaping::kNone || at == from || data[at - 1] != '\\') return at;
    size_t backslashes = 0;
    while (at - backslashes > from && data[at - backslashes - 1] == '\\') ++backslashes;
    if (backslashes % 2 == 0) return at;
    p = quote + 1;
  }
}

FieldKind apache_directive_kind(char directive, std::string_view argument) {
  switch (directive) {
    case 'h':
    case 'a':
      return FieldKind::kHost;
    case 't':
      return argument.empty() ? FieldKind::kTimeBracketed : FieldKind::kText;
    case 'r':
      return FieldKind::kRequest;
    case 'q':
      return FieldKind::kQuery;
    case 's':
      return FieldKind::kStatus;
    case 'b':
      return FieldKind::kSizeOrDash;
    case 'B':
    case 'O':
      return FieldKind::kBytes;
    case 'I':
    case 'S':
    case 'D':
    case 'T':
    case 'k':
      return argument.empty() ? FieldKind::kNumber : FieldKind::kText;  // %{ms}T and friends
    case 'p':
    case 'P':
      return argument.empty() || argument == "canonical" || argument == "local" || argument == "remote" ||
                     argument == "pid"
                 ? FieldKind::kNumber
                 : FieldKind::kText;
    default:
      return FieldKind::kText;
  }
}

bool known_apache_directive(char c) { return std::strchr("aABbCDefhHiklLmnopPqrRsStTuUvVXIO", c) != nullptr; }

FieldKind nginx_variable_kind(std::string_view name) {
  if (name == "remote_addr") return FieldKind::kHost;
  if (name == "time_local") return FieldKind::kTimeBare;
  if (name == "request") return FieldKind::kRequest;
  if (name == "status") return FieldKind::kStatus;
  if (name == "body_bytes_sent" || name == "bytes_sent") return FieldKind::kBytes;
  if (name == "request_length" || name == "server_port" || name == "connection") return FieldKind::kNumber;
  return FieldKind::kText;
}

// What strftime prints for an httpd %{format}t field, as far as finding the field's end needs: how many
// times the delimiter (the first byte after the field) appears in it, whether a number in it may be
// padded with spaces (%e, %k, %l, the '_' flag, a width), and whether that count depends on the time.
// C locale, as httpd logs.
struct TimeShape {
  unsigned delimiters = 0;
  bool space_padded = false;
  bool varies = false;
};

void add_strftime_shape(std::string_view format, char delimiter, TimeShape& shape) {
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '%') {
      shape.delimiters += format[i] == delimiter;
      continue;
    }
    ++i;
    bool padded = false;
    while (i < format.size() && std::strchr("_-0^#", format[i]) != nullptr) padded |= format[i++] == '_';
    while (i < format.size() && format[i] >= '0' && format[i] <= '9') {
      padded = true;  // a width pads names with spaces
      ++i;
    }
    while (i < format.size() && (format[i] == 'E' || format[i] == 'O')) ++i;
    if (i >= format.size()) {
      shape.delimiters += delimiter == '%';  // a lone '%' at the end is printed as it is
      break;
    }
    shape.space_padded |= padded;
    switch (format[i]) {
      case 'c':
        add_strftime_shape("%a %b %e %H:%M:%S %Y", delimiter, shape);
        break;
      case 'D':
      case 'x':
        add_strftime_shape("%m/%d/%y", delimiter, shape);
        break;
      case 'F':
        add_strftime_shape("%Y-%m-%d", delimiter, shape);
        break;
      case 'r':
        add_strftime_shape("%I:%M:%S %p", delimiter, shape);
        break;
      case 'R':
        add_strftime_shape("%H:%M", delimiter, shape);
        break;
      case 'T':
      case 'X':
        add_strftime_shape("%H:%M:%S", delimiter, shape);
        break;
      case 'n':
        shape.delimiters += delimiter == '\n';
        break;
      case 't':
        shape.delimiters += delimiter == '\t';
        break;
      case '%':
        shape.delimiters += delimiter == '%';
        break;
      case 'e':
      case 'k':
      case 'l':
        shape.space_padded = true;
        break;
      case 'z':
      case 'Z':  // "+0200"; a zone without an abbreviation prints "+02"
        shape.varies |= delimiter == '+' || delimiter == '-';
        break;
      default:  // digits or letters
        break;
    }
  }
}

TimeShape strftime_shape(std::string_view format, char delimiter) {
  if (format.starts_with("begin:")) {
    format.remove_prefix(6);
  } else if (format.starts_with("end:")) {
    format.remove_prefix(4);
  }
  TimeShape shape;
  // httpd's own tokens, which stand alone: digits.
  if (format == "sec" || format == "msec" || format == "usec" || format == "msec_frac" ||
      format == "usec_frac")
    return shape;
  add_strftime_shape(format, delimiter, shape);
  return shape;
}

}  // namespace

RequestParts split_request(std::string_view request) noexcept {
  const size_t first = request.find(' ');
  if (first == std::string_view::npos) return {request, {}, {}};
  const size_t last = request.rfind(' ');
  if (last == first) return {request.substr(0, first), request.substr(first + 1), {}};
  // A target with spaces in it (seen in real logs) keeps them: the protocol is the last word.
  return {request.substr(0, first), request.substr(first + 1, last - first - 1), request.substr(last + 1)};
}

void split_request(std::string_view request, ParsedLine& out) noexcept {
  const RequestParts parts = split_request(request);
  out.method = parts.method;
  out.target = parts.target;
  out.protocol = parts.protocol;
}

void LogFormat::add_literal(std::string text) {
  if (text.empty()) return;
  if (!steps_.empty() && steps_.back().is_literal) {
    steps_.back().literal += text;
    return;
  }
  Step step;
  step.is_literal = true;
  step.literal = std::move(text);
  steps_.push_back(std::move(step));
}

void LogFormat::add_field(FieldOrigin origin, bool final_status, size_t column,
                          std::string_view time_format) {
  Step step;
  step.kind = origin.kind;
  fields_.push_back(std::move(origin));
  step.final_status = final_status;
  step.column = column;
  step.time_format = std::string(time_format);
  steps_.push_back(std::move(step));
}

// Resolves delimiters and checks the program can be tokenized without backtracking.
Expected<bool> LogFormat::finish() {
  if (steps_.empty()) return Error{"the format is empty"};
  if (fields_.size() > kMaxFields)
    return Error{"the format has " + std::to_string(fields_.size()) + " fields; at most " +
                 std::to_string(kMaxFields) + " are supported"};
  const size_t n = steps_.size();
  // Only %q may follow a field directly: it starts at '?' or is empty, so the field before it ends at the
  // first '?'. The two then share the literals around them.
  for (size_t i = 0; i + 1 < n; ++i) {
    if (steps_[i].is_literal || steps_[i + 1].is_literal) continue;
    if (steps_[i + 1].kind != FieldKind::kQuery || steps_[i].kind == FieldKind::kQuery) {
      return Error{"two fields with nothing between them cannot be told apart (column " +
                   std::to_string(steps_[i + 1].column) + "; only %q may follow a field directly)"};
    }
  }
  for (size_t i = 0; i < n; ++i) {
    Step& step = steps_[i];
    if (step.is_literal) continue;
    const bool before_query = i + 1 < n && !steps_[i + 1].is_literal;
    step.stops_at_query = before_query;
    const size_t first = i > 0 && !steps_[i - 1].is_literal ? i - 1 : i;  // the field before a %q
    const size_t after = before_query ? i + 2 : i + 1;                    // the literal after them
    const bool after_quote = first > 0 && steps_[first - 1].literal.back() == '"';
    const bool before_quote = after < n && steps_[after].literal.front() == '"';
    step.quoted = after_quote && before_quote;
    step.delimiter = after < n ? static_cast<unsigned char>(steps_[after].literal.front()) : -1;
    if (!step.time_format.empty() && !step.quoted && step.delimiter >= 0) {
      const TimeShape shape = strftime_shape(step.time_format, static_cast<char>(step.delimiter));
      if (shape.varies) {
        return Error{"the time at column " + std::to_string(step.column) + " prints '" +
                     std::string(1, static_cast<char>(step.delimiter)) +
                     "', the first byte after it, a varying number of times: end it with another literal"};
      }
      if (shape.delimiters > UINT8_MAX) {
        return Error{"the time at column " + std::to_string(step.column) + " holds too many delimiters"};
      }
      step.delimiters_inside = static_cast<uint8_t>(shape.delimiters);
      step.space_padded = shape.space_padded && step.delimiter == ' ';
    }
    if (step.kind == FieldKind::kStatus) {
      if (!has_status_ || step.final_status || !status_is_final_) status_is_final_ = step.final_status;
      has_status_ = true;
    }
  }
  choose_compiled_program();
  return true;
}

Expected<LogFormat> LogFormat::from_apache(std::string_view format, QuoteEscaping escaping) {
  LogFormat f;
  f.escaping_ = escaping;
  f.description_ = std::string(format);
  std::string literal;
  for (size_t i = 0; i < format.size(); ++i) {
    const char c = format[i];
    if (c == '\\' && i + 1 < format.size()) {
      const char next = format[++i];
      literal += next == 't' ? '\t' : next;
      continue;
    }
    if (c != '%') {
      literal += c;
      continue;
    }
    const size_t directive_at = i;
    if (++i >= format.size())
      return Error{"LogFormat ends in '%' at column " + std::to_string(directive_at + 1)};
    if (format[i] == '%') {
      literal += '%';
      continue;
    }
    bool final_status = false;
    // Modifiers: '<' / '>' (original / final request) and status conditions like "!400,501".
    while (i < format.size() && std::strchr("<>!,0123456789", format[i]) != nullptr) {
      if (format[i] == '>') final_status = true;
      ++i;
    }
    std::string_view argument;
    if (i < format.size() && format[i] == '{') {
      const size_t close = format.find('}', i);
      if (close == std::string_view::npos) {
        return Error{"unclosed '{' in LogFormat at column " + std::to_string(i + 1)};
      }
      argument = format.substr(i + 1, close - i - 1);
      i = close + 1;
    }
    if (i >= format.size() || !known_apache_directive(format[i])) {
      return Error{"unknown LogFormat directive at column " + std::to_string(directive_at + 1) + " ('" +
                   std::string(format.substr(directive_at, i - directive_at + 1)) + "')"};
    }
    f.add_literal(std::move(literal));
    literal.clear();
    f.add_field({apache_directive_kind(format[i], argument), format[i], std::string(argument)}, final_status,
                directive_at + 1, format[i] == 't' ? argument : std::string_view());
  }
  f.add_literal(std::move(literal));
  auto finished = f.finish();
  if (!finished) return Error{finished.error()};
  return f;
}

Expected<LogFormat> LogFormat::from_nginx(std::string_view format) {
  LogFormat f;
  f.escaping_ = QuoteEscaping::kNone;
  f.description_ = std::string(format);
  std::string literal;
  for (size_t i = 0; i < format.size(); ++i) {
    if (format[i] != '$') {
      literal += format[i];
      continue;
    }
    size_t j = i + 1;
    const bool braced = j < format.size() && format[j] == '{';
    if (braced) ++j;
    const size_t name_start = j;
    while (j < format.size() && (std::isalnum(static_cast<unsigned char>(format[j])) || format[j] == '_'))
      ++j;
    if (j == name_start) return Error{"'$' without a variable name at column " + std::to_string(i + 1)};
    const std::string_view name = format.substr(name_start, j - name_start);
    if (braced) {
      if (j >= format.size() || format[j] != '}')
        return Error{"unclosed '${' at column " + std::to_string(i + 1)};
      ++j;
    }
    f.add_literal(std::move(literal));
    literal.clear();
    f.add_field({nginx_variable_kind(name), 0, std::string(name)}, true, i + 1);
    i = j - 1;
  }
  f.add_literal(std::move(literal));
  auto finished = f.finish();
  if (!finished) return Error{finished.error()};
  return f;
}

const std::vector<std::string_view>& LogFormat::builtin_names() {
  static const std::vector<std::string_view> kNames = {"common", "combined", "vhost_combined", "nginx"};
  return kNames;
}

Expected<LogFormat> LogFormat::named(std::string_view name) {
  if (name == "common") return from_apache(R"(%h %l %u %t "%r" %>s %b)");
  if (name == "combined") return from_apache(R"(%h %l %u %t "%r" %>s %b "%{Referer}i" "%{User-Agent}i")");
  if (name == "vhost_combined") {
    return from_apache(R"(%v:%p %h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i")");
  }
  if (name == "nginx") {
    return from_nginx(
        R"($remote_addr - $remote_user [$time_local] "$request" $status $body_bytes_sent "$http_referer" "$http_user_agent")");
  }
  return Error{"unknown format '" + std::string(name) + "'"};
}

namespace {

// A step fixed at compile time: the built-in formats' programs are arrays of these.
struct StaticStep {
  bool is_literal = false;
  char literal[4] = {};
  uint8_t literal_size = 0;
  FieldKind kind{};
  bool final_status = false;
  bool quoted = false;
  bool stops_at_query = false;    // never in a built-in format
  bool space_padded = false;      // never in a built-in format
  uint8_t delimiters_inside = 0;  // never in a built-in format
  int16_t delimiter = -1;
};

constexpr StaticStep lit(const char* text) {
  StaticStep step;
  step.is_literal = true;
  while (text[step.literal_size] != '\0') {
    step.literal[step.literal_size] = text[step.literal_size];
    ++step.literal_size;
  }
  return step;
}

constexpr StaticStep field(FieldKind kind, char delimiter, bool quoted = false, bool final_status = false) {
  StaticStep step;
  step.kind = kind;
  step.delimiter = delimiter == 0 ? int16_t{-1} : static_cast<int16_t>(static_cast<unsigned char>(delimiter));
  step.quoted = quoted;
  step.final_status = final_status;
  return step;
}

using K = FieldKind;
// What from_apache()/from_nginx() compile the built-in strings into; finish() checks a compiled format
// against these step by step and uses the unrolled tokenizer only on an exact match.
constexpr StaticStep kCommonProgram[] = {field(K::kHost, ' '),
                                         lit(" "),
                                         field(K::kText, ' '),
                                         lit(" "),
                                         field(K::kText, ' '),
                                         lit(" "),
                                         field(K::kTimeBracketed, ' '),
                                         lit(" \""),
                                         field(K::kRequest, '"', true),
                                         lit("\" "),
                                         field(K::kStatus, ' ', false, true),
                                         lit(" "),
                                         field(K::kSizeOrDash, 0)};
constexpr StaticStep kCombinedProgram[] = {field(K::kHost, ' '),
                                           lit(" "),
                                           field(K::kText, ' '),
                                           lit(" "),
                                           field(K::kText, ' '),
                                           lit(" "),
                                           field(K::kTimeBracketed, ' '),
                                           lit(" \""),
                                           field(K::kRequest, '"', true),
                                           lit("\" "),
                                           field(K::kStatus, ' ', false, true),
                                           lit(" "),
                                           field(K::kSizeOrDash, ' '),
                                           lit(" \""),
                                           field(K::kText, '"', true),
                                           lit("\" \""),
                                           field(K::kText, '"', true),
                                           lit("\"")};
constexpr StaticStep kVhostCombinedProgram[] = {field(K::kText, ':'),
                                                lit(":"),
                                                field(K::kNumber, ' '),
                                                lit(" "),
                                                field(K::kHost, ' '),
                                                lit(" "),
                                                field(K::kText, ' '),
                                                lit(" "),
                                                field(K::kText, ' '),
                                                lit(" "),
                                                field(K::kTimeBracketed, ' '),
                                                lit(" \""),
                                                field(K::kRequest, '"', true),
                                                lit("\" "),
                                                field(K::kStatus, ' ', false, true),
                                                lit(" "),
                                                field(K::kBytes, ' '),
                                                lit(" \""),
                                                field(K::kText, '"', true),
                                                lit("\" \""),
                                                field(K::kText, '"', true),
                                                lit("\"")};
constexpr StaticStep kNginxProgram[] = {field(K::kHost, ' '),
                                        lit(" - "),
                                        field(K::kText, ' ', false, true),
                                        lit(" ["),
                                        field(K::kTimeBare, ']', false, true),
                                        lit("] \""),
                                        field(K::kRequest, '"', true, true),
                                        lit("\" "),
                                        field(K::kStatus, ' ', false, true),
                                        lit(" "),
                                        field(K::kBytes, ' ', false, true),
                                        lit(" \""),
                                        field(K::kText, '"', true, true),
                                        lit("\" \""),
                                        field(K::kText, '"', true, true),
                                        lit("\"")};

// What an unrolled program knows before it runs, per step I. In a chunk walk a field that ends at its
// delimiter (a search that also stops at a line terminator checks that it found the delimiter) or at its
// closing quote leaves that byte at `pos`, so a literal that starts with it needs its first byte checked no
// more; and a field's place in ParsedLine::fields is the count of fields before it.
template <const auto& Program>
constexpr size_t known_literal_prefix(size_t i) {
  if (i == 0 || !Program[i].is_literal || Program[i - 1].is_literal) return 0;
  const StaticStep& before = Program[i - 1];
  if (before.stops_at_query || before.kind == FieldKind::kTimeBracketed ||
      before.kind == FieldKind::kTimeBare)
    return 0;
  const char ends_at = before.quoted ? '"' : static_cast<char>(before.delimiter);
  return (before.quoted || before.delimiter >= 0) && Program[i].literal[0] == ends_at ? 1 : 0;
}
template <const auto& Program>
constexpr size_t fields_before(size_t i) {
  size_t fields = 0;
  for (size_t k = 0; k < i; ++k) fields += Program[k].is_literal ? 0 : 1;
  return fields;
}

std::string_view literal_of(const StaticStep& step) noexcept { return {step.literal, step.literal_size}; }
template <typename StepT>
std::string_view literal_of(const StepT& step) noexcept {
  return step.literal;
}

// A typed field (status, sizes, numbers, hosts) cannot hold a space, so as a format's last field it ends at
// the first one, and extra fields may follow; text runs to the line's end. %q and the field before it
// hold no space either.
template <typename StepT>
constexpr bool ends_at_space(const StepT& step) noexcept {
  switch (step.kind) {
    case FieldKind::kHost:
    case FieldKind::kStatus:
    case FieldKind::kSizeOrDash:
    case FieldKind::kBytes:
    case FieldKind::kNumber:
    case FieldKind::kQuery:
      return true;
    default:
      return step.stops_at_query;
  }
}

// First `c` in [p, end), or end; InChunk: or the first line terminator.
template <bool InChunk>
[[gnu::always_inline]] inline const char* find_in_field(const char* p, const char* end, char c) noexcept {
  return InChunk ? find_byte_or_line_end(p, end, c) : find_byte_in_field(p, end, c);
}

// The body of the one tokenizer: applies one step at `pos`. Inlined into both the interpreted loop and
// the compile-time unrolled programs, where every branch on the step folds away.
// InChunk: `size` reaches the end of the chunk, not of the line, so every search also stops at a line
// terminator; a field cut short by one is a reject, which the caller redoes on the line alone to get the
// exact reason (and to accept a line cut off inside its last quoted field, which needs the line's end).
// Fixed-width fields (timestamps, literals) need no such care: their validation fails on a terminator.
template <bool InChunk = false, typename StepT>
[[gnu::always_inline]] inline std::optional<RejectReason> apply_step(
    const StepT& step, const char* data, size_t size, size_t& pos, ParsedLine& out, ClfTimeCache& times,
    bool& status_from_final, QuoteEscaping escaping, size_t known_prefix = 0,
    size_t field_index = SIZE_MAX) noexcept {
  // A line cut off inside a quoted field ends there: the steps after the cut find nothing, and their
  // fields stay null (a request cut short leaves the status null, as Spark's regexp_extract gives it).
  if (!InChunk && out.truncated) return std::nullopt;
  if (step.is_literal) {
    const std::string_view literal = literal_of(step);
    if (known_prefix == literal.size()) {  // the field before ended at it
      pos += literal.size();
      return std::nullopt;
    }
    if (size - pos < literal.size()) return RejectReason::kMissingField;
    // The differences of every byte, then one branch: a literal of the compiled programs is a constant of
    // one to three bytes, so this unrolls.
    unsigned difference = 0;
    for (size_t i = known_prefix; i < literal.size(); ++i)
      difference |= static_cast<unsigned char>(data[pos + i] ^ literal[i]);
    if (difference != 0) return RejectReason::kUnexpectedText;
    pos += literal.size();
    return std::nullopt;
  }
  const char* const line_end = data + size;
  size_t end;
  if (step.kind == FieldKind::kTimeBracketed) {
    // "[dd/Mon/yyyy:HH:MM:SS +hhmm]": fixed width, and it contains a space, so it cannot end at the
    // next literal's first byte. No '[' means the fields before did not end where the format says
    // (a user name with a space, a list of addresses): text where the timestamp should be.
    if (pos >= size) return RejectReason::kMissingField;
    if (data[pos] != '[') return RejectReason::kUnexpectedText;
    if (size - pos < 28 || data[pos + 27] != ']') return RejectReason::kBadTimestamp;
    end = pos + 28;
  } else if (step.kind == FieldKind::kTimeBare) {
    end = pos + 26;  // "dd/Mon/yyyy:HH:MM:SS +hhmm"
    if (end > size) return RejectReason::kBadTimestamp;
  } else if (step.quoted) {
    end = find_closing_quote<InChunk>(data, size, pos, escaping);
    if (end == std::string_view::npos) {
      if (InChunk) return RejectReason::kUnterminatedQuote;
      end = size;  // cut off inside the field: what there is of it counts
      out.truncated = true;
    }
  } else if (step.delimiter < 0) {
    if (ends_at_space(step)) {
      end = static_cast<size_t>(find_in_field<InChunk>(data + pos, line_end, ' ') - data);
    } else {
      end = InChunk ? static_cast<size_t>(find_line_end(data + pos, line_end) - data) : size;
    }
  } else {
    const char delimiter = static_cast<char>(step.delimiter);
    const char* from = data + pos;
    if (step.delimiter == ':' && pos < size && data[pos] == '[') {
      // "[2001:db8::5]:443": a bracketed IPv6 address holds the delimiter; the field ends after the ']'.
      const char* close = find_in_field<InChunk>(from, line_end, ']');
      if (close != line_end && *close == ']') from = close + 1;
    }
    if (step.delimiters_inside > 0) {
      // A time such as "%Y-%m-%d %H:%M:%S" prints its delimiter (here a space) a known number of times.
      // Space-padded numbers (%e) add spaces: then a run of spaces is one.
      if (step.space_padded) {
        while (from < line_end && *from == ' ') ++from;
      }
      for (unsigned k = 0; k < step.delimiters_inside; ++k) {
        const char* hit = find_in_field<InChunk>(from, line_end, delimiter);
        if (hit == line_end || *hit != delimiter) return RejectReason::kMissingField;
        from = hit + 1;
        if (step.space_padded) {
          while (from < line_end && *from == ' ') ++from;
        }
      }
    }
    const char* hit = find_in_field<InChunk>(from, line_end, delimiter);
    if (hit == line_end || (InChunk && *hit != delimiter)) return RejectReason::kMissingField;
    end = static_cast<size_t>(hit - data);
  }
  if (step.stops_at_query) {
    end = static_cast<size_t>(find_byte_in_field(data + pos, data + end, '?') - data);  // where %q starts
  }
  const std::string_view value(data + pos, end - pos);
  switch (step.kind) {
    case FieldKind::kHost:
      if (value.empty()) return RejectReason::kMissingField;
      if (out.host.empty()) out.host = value;
      break;
    case FieldKind::kTimeBracketed:
    case FieldKind::kTimeBare: {
      const std::string_view inner =
          step.kind == FieldKind::kTimeBracketed ? value.substr(1, value.size() - 2) : value;
      const auto epoch = times.parse(inner);
      if (!epoch) return RejectReason::kBadTimestamp;
      out.epoch_seconds = *epoch;
      out.has_time = true;
      break;
    }
    case FieldKind::kRequest:
      out.request = value;
      break;
    case FieldKind::kStatus: {
      const int status = status_value(value);
      if (status < 0) return RejectReason::kBadStatus;
      if (out.status < 0 || (step.final_status && !status_from_final)) {
        out.status = status;
        status_from_final = step.final_status;
      }
      break;
    }
    case FieldKind::kSizeOrDash:
      if (value.size() == 1 && value[0] == '-') break;
      [[fallthrough]];
    case FieldKind::kBytes: {
      int64_t bytes = 0;
      if (!parse_digits(value, bytes)) return RejectReason::kBadNumber;
      if (out.size < 0) out.size = bytes;
      break;
    }
    case FieldKind::kNumber: {
      int64_t unused = 0;
      if (!parse_digits(value, unused)) return RejectReason::kBadNumber;
      break;
    }
    case FieldKind::kQuery:
      if (!value.empty() && value[0] != '?') return RejectReason::kUnexpectedText;
      break;
    case FieldKind::kText:
      break;
  }
  // finish() refuses formats with more fields than the array holds. An unrolled chunk walk knows each
  // field's place and sets the count once, at the end.
  if (field_index == SIZE_MAX) {
    out.fields[out.field_count++] = value;
  } else {
    out.fields[field_index] = value;
  }
  pos = end;
  return std::nullopt;
}

// After the last step: extra fields are accepted when they start with a space.
inline std::optional<RejectReason> check_rest(const char* data, size_t size, size_t pos) noexcept {
  if (pos < size && data[pos] != ' ') return RejectReason::kUnexpectedText;
  return std::nullopt;
}

template <const auto& Program, QuoteEscaping Escaping, size_t... I>
std::optional<RejectReason> run_program(std::string_view line, ParsedLine& out, ClfTimeCache& times,
                                        std::index_sequence<I...>) noexcept {
  if (line.empty()) return RejectReason::kEmptyLine;
  out.reset_for_tokenizer();
  bool status_from_final = false;
  size_t pos = 0;
  std::optional<RejectReason> reject;
  // A fold over && stops at the first step that rejects; its value is in `reject`.
  static_cast<void>(((reject = apply_step(Program[I], line.data(), line.size(), pos, out, times,
                                          status_from_final, Escaping),
                      !reject) &&
                     ...));
  if (reject) return reject;
  return check_rest(line.data(), line.size(), pos);
}

template <const auto& Program, QuoteEscaping Escaping>
std::optional<RejectReason> compiled_tokenizer(std::string_view line, ParsedLine& out,
                                               ClfTimeCache& times) noexcept {
  return run_program<Program, Escaping>(line, out, times, std::make_index_sequence<std::size(Program)>{});
}

// The program on the line starting at `begin`, in a chunk ending at `end`, finding the line's end as it
// goes (one pass over the bytes instead of two). Returns the end of an accepted line, or nullptr when the
// line does not fit, and then the caller parses it on its own for the reason.
template <const auto& Program, QuoteEscaping Escaping, size_t... I>
const char* run_program_in_chunk(const char* begin, const char* end, ParsedLine& out, ClfTimeCache& times,
                                 std::index_sequence<I...>) noexcept {
  out.reset_for_tokenizer();
  bool status_from_final = false;
  size_t pos = 0;
  const auto size = static_cast<size_t>(end - begin);
  std::optional<RejectReason> reject;
  static_cast<void>(
      ((reject = apply_step<true>(Program[I], begin, size, pos, out, times, status_from_final, Escaping,
                                  known_literal_prefix<Program>(I), fields_before<Program>(I)),
        !reject) &&
       ...));
  if (reject) return nullptr;
  out.field_count = fields_before<Program>(sizeof...(I));
  if (pos == size || begin[pos] == '\n' || begin[pos] == '\r') return begin + pos;
  if (begin[pos] != ' ') return nullptr;
  return find_line_end(begin + pos, end);  // extra fields after the format's last one
}

template <const auto& Program, QuoteEscaping Escaping>
const char* compiled_chunk_tokenizer(const char* begin, const char* end, ParsedLine& out,
                                     ClfTimeCache& times) noexcept {
  return run_program_in_chunk<Program, Escaping>(begin, end, out, times,
                                                 std::make_index_sequence<std::size(Program)>{});
}

}  // namespace

template <typename StepT, size_t N>
static bool same_program(const std::vector<StepT>& steps, const StaticStep (&program)[N]) {
  if (steps.size() != N) return false;
  for (size_t i = 0; i < N; ++i) {
    const auto& a = steps[i];
    const StaticStep& b = program[i];
    if (a.is_literal != b.is_literal) return false;
    if (a.is_literal ? a.literal != literal_of(b)
                     : (a.kind != b.kind || a.quoted != b.quoted || a.delimiter != b.delimiter ||
                        a.stops_at_query != b.stops_at_query || a.space_padded != b.space_padded ||
                        a.delimiters_inside != b.delimiters_inside ||
                        (a.kind == FieldKind::kStatus && a.final_status != b.final_status))) {
      return false;
    }
  }
  return true;
}

void LogFormat::choose_compiled_program() {
  if (escaping_ == QuoteEscaping::kBackslash) {
    if (same_program(steps_, kCommonProgram)) {
      compiled_ = &compiled_tokenizer<kCommonProgram, QuoteEscaping::kBackslash>;
      compiled_in_chunk_ = &compiled_chunk_tokenizer<kCommonProgram, QuoteEscaping::kBackslash>;
    }
    if (same_program(steps_, kCombinedProgram)) {
      compiled_ = &compiled_tokenizer<kCombinedProgram, QuoteEscaping::kBackslash>;
      compiled_in_chunk_ = &compiled_chunk_tokenizer<kCombinedProgram, QuoteEscaping::kBackslash>;
    }
    if (same_program(steps_, kVhostCombinedProgram)) {
      compiled_ = &compiled_tokenizer<kVhostCombinedProgram, QuoteEscaping::kBackslash>;
      compiled_in_chunk_ = &compiled_chunk_tokenizer<kVhostCombinedProgram, QuoteEscaping::kBackslash>;
    }
  } else if (same_program(steps_, kNginxProgram)) {
    compiled_ = &compiled_tokenizer<kNginxProgram, QuoteEscaping::kNone>;
    compiled_in_chunk_ = &compiled_chunk_tokenizer<kNginxProgram, QuoteEscaping::kNone>;
  }
}

const char* LogFormat::parse_in_chunk(const char* begin, const char* end, ParsedLine& out,
                                      ClfTimeCache& times) const noexcept {
  return compiled_in_chunk_ ? compiled_in_chunk_(begin, end, out, times) : nullptr;
}

std::optional<RejectReason> LogFormat::parse(std::string_view line, ParsedLine& out) const noexcept {
  ClfTimeCache times;
  return parse(line, out, times);
}

std::optional<RejectReason> LogFormat::parse(std::string_view line, ParsedLine& out,
                                             ClfTimeCache& times) const noexcept {
  return compiled_ ? compiled_(line, out, times) : interpret(line, out, times);
}

// The same step body in a loop, for any format (custom LogFormat strings).
std::optional<RejectReason> LogFormat::interpret(std::string_view line, ParsedLine& out,
                                                 ClfTimeCache& times) const noexcept {
  if (line.empty()) return RejectReason::kEmptyLine;
  out.reset_for_tokenizer();
  bool status_from_final = false;
  size_t pos = 0;
  for (const Step& step : steps_) {
    const auto reject =
        apply_step(step, line.data(), line.size(), pos, out, times, status_from_final, escaping_);
    if (reject) return reject;
  }
  return check_rest(line.data(), line.size(), pos);
}

}  // namespace logstream
