// Apache LogFormat strings (and nginx log_format strings) compiled into a small program of literal and
// field steps; one tokenizer runs that program over a line. Named formats (common, combined,
// vhost_combined, nginx) are just built-in strings, so every format shares one tokenizer.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "stages/core/clf_time.h"
#include "stages/core/expected.h"
#include "stages/core/line_counts.h"

namespace logstream {

enum class FieldKind : uint8_t {
  kHost,           // %h %a $remote_addr: the client, non-empty
  kTimeBracketed,  // %t: "[dd/Mon/yyyy:HH:MM:SS +hhmm]"
  kTimeBare,       // nginx $time_local: the same without brackets (the brackets are literals)
  kRequest,        // %r $request: "METHOD TARGET PROTOCOL", any bytes
  kStatus,         // %>s %s $status: three digits
  kSizeOrDash,     // %b: response bytes, digits or "-"
  kBytes,          // %B %O $body_bytes_sent $bytes_sent: response bytes, digits
  kNumber,         // %I %D %T %p ...: digits, not a response size
  kQuery,          // %q: the query string, "?..." or empty, so it may follow another field directly
  kText,           // anything else
};

// How a quoted field escapes a '"' it contains.
enum class QuoteEscaping : uint8_t {
  kBackslash,  // httpd: \" and \\ (so a quote ends a field unless an odd run of backslashes precedes it)
  kNone,       // nginx: quotes inside fields are written \x22, so the first '"' ends the field
};

// The most fields one format may have: what ParsedLine keeps a view of for every line.
inline constexpr size_t kMaxFields = 32;

// Where a field came from in the format string, for naming its column (stages/parser/log_columns.h).
struct FieldOrigin {
  FieldKind kind{};
  char directive = 0;    // Apache: 'h', 'r', 's', 'i', ...; 0 for nginx
  std::string argument;  // Apache: the {…} argument ("Referer" of %{Referer}i); nginx: the variable name
};

// The fields of one accepted line. Views point into the line. method, target and protocol are filled
// only by split_request(), which callers that need them call: the status count does not pay for it.
struct ParsedLine {
  std::string_view host;
  std::string_view request;
  std::string_view method, target, protocol;
  int64_t epoch_seconds = 0;
  bool has_time = false;
  int status = -1;
  int64_t size = -1;  // -1 when "-" or absent
  // The line was cut off inside the format's last field, a quoted one (no closing quote): accepted, with
  // that field taken up to the line's end. Never set by parse_in_chunk(): such a line is parsed alone.
  bool truncated = false;
  // Every field's text in format order (quotes and brackets excluded for quoted fields; a bracketed time
  // keeps its brackets). field_count < the format's field count when the line was cut off: the fields
  // after the cut are absent.
  std::array<std::string_view, kMaxFields> fields{};
  uint8_t field_count = 0;

  // What the tokenizer resets before each line: the fields it fills (method, target and protocol belong
  // to split_request). Cheaper than assigning a whole new ParsedLine on the hot path.
  void reset_for_tokenizer() noexcept {
    host = {};
    request = {};
    epoch_seconds = 0;
    has_time = false;
    status = -1;
    size = -1;
    truncated = false;
    field_count = 0;
  }
};

class LogFormat {
 public:
  // Compiles an Apache LogFormat string, e.g. `%h %l %u %t "%r" %>s %b`.
  static Expected<LogFormat> from_apache(std::string_view format,
                                         QuoteEscaping escaping = QuoteEscaping::kBackslash);
  // Compiles an nginx log_format string, e.g. `$remote_addr - $remote_user [$time_local] "$request" ...`.
  static Expected<LogFormat> from_nginx(std::string_view format);

  // Built-in names: common, combined, vhost_combined, nginx.
  static Expected<LogFormat> named(std::string_view name);
  static const std::vector<std::string_view>& builtin_names();

  // Parses one line (terminator excluded). nullopt: accepted, fields in `out`. Extra fields after the
  // last step are accepted when they start with a space: real logs append fields to standard formats.
  // So a typed last field (status, size, number, host) ends at the first space; text runs to the end.
  // A line cut off inside a quoted field is accepted with out.truncated set: that field runs to the end
  // of the line and the fields after it are absent (a status after the cut is -1: the null row).
  std::optional<RejectReason> parse(std::string_view line, ParsedLine& out) const noexcept;
  // The same with the calling thread's timestamp cache: the hot path of the parse stage.
  std::optional<RejectReason> parse(std::string_view line, ParsedLine& out,
                                    ClfTimeCache& times) const noexcept;

  const std::string& description() const noexcept { return description_; }
  // The format's fields in order: ParsedLine::fields[i] holds field i of a line.
  const std::vector<FieldOrigin>& fields() const noexcept { return fields_; }
  bool nginx_quoting() const noexcept { return escaping_ == QuoteEscaping::kNone; }
  bool has_status() const noexcept { return has_status_; }
  // Whether a step of the format is a field of this kind (what alert rules check before they run).
  bool has_field(FieldKind kind) const noexcept {
    for (const Step& step : steps_) {
      if (!step.is_literal && step.kind == kind) return true;
    }
    return false;
  }
  // True when the steps are those of a built-in format, which parse() then runs unrolled at compile time.
  bool uses_compiled_program() const noexcept { return compiled_ != nullptr; }
  // The built-in formats' fast path over a chunk of many lines: parses the line at `begin` (the chunk
  // ends at `end`) and returns the end of the line when it fits, finding that end on the way. nullptr when
  // the line does not fit, or the format has no compiled program: the caller then finds the line's end
  // and calls parse() for the answer (and the reject reason) on the line alone.
  const char* parse_in_chunk(const char* begin, const char* end, ParsedLine& out,
                             ClfTimeCache& times) const noexcept;
  // The general path, a loop over the steps; parse() takes it for every other format. Public so tests can
  // hold the two paths to the same answers.
  std::optional<RejectReason> interpret(std::string_view line, ParsedLine& out,
                                        ClfTimeCache& times) const noexcept;

 private:
  struct Step {
    bool is_literal = false;
    std::string literal;            // is_literal
    FieldKind kind{};               // !is_literal
    bool final_status = false;      // %>s rather than %s; the final status wins when both appear
    bool quoted = false;            // between '"' literals: ends at the closing quote
    bool stops_at_query = false;    // followed directly by %q: ends at '?' or where the %q ends
    bool space_padded = false;      // a time with space-padded numbers (%e): a run of spaces is one
    uint8_t delimiters_inside = 0;  // a time whose format prints its delimiter: skipped that many times
    int delimiter = -1;             // first byte of the next literal, or -1 when the field runs to the end
    std::string time_format;        // the strftime format of a %{...}t field
    size_t column = 0;              // where the field's directive starts in the format string (from 1)
  };

  using CompiledTokenizer = std::optional<RejectReason> (*)(std::string_view line, ParsedLine& out,
                                                            ClfTimeCache& times) noexcept;
  using CompiledChunkTokenizer = const char* (*)(const char* begin, const char* end, ParsedLine& out,
                                                 ClfTimeCache& times) noexcept;

  void add_literal(std::string text);
  void add_field(FieldOrigin origin, bool final_status, size_t column, std::string_view time_format = {});
  Expected<bool> finish();
  void choose_compiled_program();

  std::vector<Step> steps_;
  std::vector<FieldOrigin> fields_;
  CompiledTokenizer compiled_ = nullptr;  // set by finish() when the steps match a built-in program
  CompiledChunkTokenizer compiled_in_chunk_ = nullptr;  // the same program, walking a chunk
  QuoteEscaping escaping_ = QuoteEscaping::kBackslash;
  std::string description_;
  bool has_status_ = false;
  bool status_is_final_ = false;
};

// Splits a request line "METHOD TARGET PROTOCOL" on single spaces; the protocol may be absent (HTTP/0.9).
struct RequestParts {
  std::string_view method, target, protocol;
};
RequestParts split_request(std::string_view request) noexcept;
// The same into the line's method, target and protocol.
void split_request(std::string_view request, ParsedLine& out) noexcept;

}  // namespace logstream
