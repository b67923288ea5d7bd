#include "stages/query/sql_parser.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <deque>
#include <limits>
#include <optional>
#include <system_error>
#include <utility>

#include "stages/core/java_double.h"
#include "stages/core/text_escape.h"

namespace logstream::sql {
namespace {

// --- characters -------------------------------------------------------------------------------------

size_t char_length(std::string_view text, size_t at) {
  const size_t length = utf8_sequence_length(text, at);
  return length == 0 ? 1 : length;
}

bool is_digit(char c) { return c >= '0' && c <= '9'; }
bool is_word_char(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '_';
}
char ascii_upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 'a' + 'A') : c; }

std::string ascii_lower(std::string_view text) {
  std::string out(text);
  for (char& c : out) {
    if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

std::string ascii_upper(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = ascii_upper(c);
  return out;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (ascii_upper(a[i]) != ascii_upper(b[i])) return false;
  }
  return true;
}

// What a terminal shows for one character: itself, or \xHH for each byte of a control character (C0,
// DEL, C1) or of bytes that are not UTF-8. A tab stays a tab in the echoed query line (so the caret
// below moves to the same tab stop) and is escaped inside a message.
std::string shown_character(std::string_view character, bool keep_tab) {
  const auto lead = static_cast<unsigned char>(character[0]);
  const bool c1 = character.size() == 2 && lead == 0xc2 && static_cast<unsigned char>(character[1]) < 0xa0;
  const bool keep = character.size() > 1 ? !c1 : (lead >= 0x20 && lead < 0x7f) || (keep_tab && lead == '\t');
  if (keep) return std::string(character);
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out;
  for (const char byte : character) {
    const auto b = static_cast<unsigned char>(byte);
    out += "\\x";
    out += kHex[b >> 4];
    out += kHex[b & 0xf];
  }
  return out;
}

// `text` for a message: escaped, and cut after `max_chars` characters with "...".
std::string shown_text(std::string_view text, size_t max_chars) {
  std::string out;
  size_t count = 0;
  for (size_t at = 0; at < text.size(); ++count) {
    if (count == max_chars) return out + "...";
    const size_t length = char_length(text, at);
    out += shown_character(text.substr(at, length), false);
    at += length;
  }
  return out;
}

// "'é' (U+00E9)", "\x01 (a control character)", "\xff (not UTF-8)".
std::string describe_character(std::string_view text, size_t at) {
  const std::string_view character = text.substr(at, char_length(text, at));
  const auto lead = static_cast<unsigned char>(character[0]);
  if (character.size() == 1) {
    if (lead >= 0x20 && lead < 0x7f) return "'" + std::string(character) + "'";
    return shown_character(character, false) + (lead >= 0x80 ? " (not UTF-8)" : " (a control character)");
  }
  uint32_t code_point = lead & (0x7f >> character.size());
  for (size_t i = 1; i < character.size(); ++i)
    code_point = (code_point << 6) | (static_cast<unsigned char>(character[i]) & 0x3f);
  char hex[16];
  std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(code_point));
  return "'" + shown_character(character, false) + "' (" + hex + ")";
}

void append_utf8(std::string& out, uint32_t code_point) {
  if (code_point < 0x80) {
    out += static_cast<char>(code_point);
  } else if (code_point < 0x800) {
    out += static_cast<char>(0xc0 | (code_point >> 6));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  } else if (code_point < 0x10000) {
    out += static_cast<char>(0xe0 | (code_point >> 12));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  } else {
    out += static_cast<char>(0xf0 | (code_point >> 18));
    out += static_cast<char>(0x80 | ((code_point >> 12) & 0x3f));
    out += static_cast<char>(0x80 | ((code_point >> 6) & 0x3f));
    out += static_cast<char>(0x80 | (code_point & 0x3f));
  }
}

// A decimal number as the lexer took it ("1.5e3", "00.50", "5.", ".5"); false when it is too large for
// a double. Below the smallest double it is 0 (or the nearest subnormal), as Java's BigDecimal.toDouble.
bool parse_double(std::string_view written, double& value) {
  // "5." and ".5" with the digit from_chars wants on each side of the point.
  std::string normalized;
  for (size_t i = 0; i < written.size(); ++i) {
    if (written[i] == '.') {
      if (i == 0) normalized += '0';
      normalized += '.';
      if (i + 1 == written.size() || !is_digit(written[i + 1])) normalized += '0';
    } else {
      normalized += written[i];
    }
  }
  const std::string_view text = normalized;
  const auto r = std::from_chars(text.data(), text.data() + text.size(), value, std::chars_format::general);
  if (r.ec == std::errc() && r.ptr == text.data() + text.size()) return true;
  // Out of range: overflow when the number is 1 or more, else underflow.
  size_t e = text.find_first_of("eE");
  const std::string_view mantissa = text.substr(0, e);
  int exponent = 0;
  if (e != std::string_view::npos) {
    size_t from = e + 1 + (text[e + 1] == '+' ? 1 : 0);
    // A huge written exponent saturates: its sign alone decides.
    const auto er = std::from_chars(text.data() + from, text.data() + text.size(), exponent);
    if (er.ec != std::errc()) exponent = text[e + 1] == '-' ? -100000 : 100000;
  }
  const size_t dot = mantissa.find('.');
  const std::string_view integer = mantissa.substr(0, dot);
  const size_t first = integer.find_first_not_of('0');
  long adjusted;
  if (first != std::string_view::npos) {
    adjusted = static_cast<long>(integer.size() - first) - 1 + exponent;
  } else {
    const std::string_view fraction =
        dot == std::string_view::npos ? std::string_view() : mantissa.substr(dot + 1);
    const size_t nonzero = fraction.find_first_not_of('0');
    if (nonzero == std::string_view::npos) {
      value = 0;
      return true;
    }
    adjusted = -static_cast<long>(nonzero) - 1 + exponent;
  }
  if (adjusted >= 0) return false;
  // Underflow: strtod gives the subnormal (or 0) that from_chars reports as out of range.
  const std::string copy(text);
  char* end = nullptr;
  value = std::strtod(copy.c_str(), &end);
  if (end != copy.c_str() + copy.size() || !std::isfinite(value) || std::fabs(value) > 1) value = 0;
  return true;
}

// --- tokens -----------------------------------------------------------------------------------------

enum class Keyword : uint8_t {
  kNone,
  kAll,
  kAnd,
  kAs,
  kAsc,
  kBetween,
  kBy,
  kCase,
  kCast,
  kDesc,
  kDistinct,
  kDiv,
  kElse,
  kEnd,
  kExists,
  kFalse,
  kFrom,
  kGroup,
  kHaving,
  kIlike,
  kIn,
  kInterval,
  kIs,
  kLike,
  kLimit,
  kNot,
  kNull,
  kNulls,
  kOr,
  kOrder,
  kRegexp,
  kRlike,
  kSelect,
  kThen,
  kTrue,
  kWhen,
  kWhere,
};

struct KeywordName {
  std::string_view name;
  Keyword keyword;
};

constexpr KeywordName kKeywords[] = {
    {"ALL", Keyword::kAll},
    {"AND", Keyword::kAnd},
    {"AS", Keyword::kAs},
    {"ASC", Keyword::kAsc},
    {"BETWEEN", Keyword::kBetween},
    {"BY", Keyword::kBy},
    {"CASE", Keyword::kCase},
    {"CAST", Keyword::kCast},
    {"DESC", Keyword::kDesc},
    {"DISTINCT", Keyword::kDistinct},
    {"DIV", Keyword::kDiv},
    {"ELSE", Keyword::kElse},
    {"END", Keyword::kEnd},
    {"EXISTS", Keyword::kExists},
    {"FALSE", Keyword::kFalse},
    {"FROM", Keyword::kFrom},
    {"GROUP", Keyword::kGroup},
    {"HAVING", Keyword::kHaving},
    {"ILIKE", Keyword::kIlike},
    {"IN", Keyword::kIn},
    {"INTERVAL", Keyword::kInterval},
    {"IS", Keyword::kIs},
    {"LIKE", Keyword::kLike},
    {"LIMIT", Keyword::kLimit},
    {"NOT", Keyword::kNot},
    {"NULL", Keyword::kNull},
    {"NULLS", Keyword::kNulls},
    {"OR", Keyword::kOr},
    {"ORDER", Keyword::kOrder},
    {"REGEXP", Keyword::kRegexp},
    {"RLIKE", Keyword::kRlike},
    {"SELECT", Keyword::kSelect},
    {"THEN", Keyword::kThen},
    {"TRUE", Keyword::kTrue},
    {"WHEN", Keyword::kWhen},
    {"WHERE", Keyword::kWhere},
};

Keyword keyword_of(std::string_view word) {
  if (word.size() > 8) return Keyword::kNone;
  for (const KeywordName& k : kKeywords) {
    if (iequals(word, k.name)) return k.keyword;
  }
  return Keyword::kNone;
}

enum class Tok : uint8_t {
  kEnd,
  kError,  // text: the message, error_offset: where the caret goes
  kName,   // text: the word; keyword set when it is one
  kQuotedName,
  kInteger,  // text: the digits; bigint_suffix for 10L
  kDecimal,  // text: as written, e.g. "00.50"
  kDouble,   // text: as written without a D suffix, e.g. "1.5e3"
  kString,   // text: the decoded value
  kLeftParen,
  kRightParen,
  kComma,
  kDot,
  kLeftBracket,
  kRightBracket,
  kSemicolon,
  kStar,
  kPlus,
  kMinus,
  kSlash,
  kPercent,
  kConcat,
  kEqual,
  kNullSafeEqual,
  kNotEqual,
  kLess,
  kLessOrEqual,
  kGreater,
  kGreaterOrEqual,
  kBang,  // ! alone is NOT in Spark's lexer
};

struct Token {
  Tok kind = Tok::kEnd;
  Keyword keyword = Keyword::kNone;
  bool bigint_suffix = false;
  SourcePos pos;
  uint32_t end = 0;
  uint32_t error_offset = 0;
  std::string text;
};

bool is_number(Tok kind) { return kind == Tok::kInteger || kind == Tok::kDecimal || kind == Tok::kDouble; }

// Line and column of offsets visited in increasing order, in one pass over the text.
class PositionTracker {
 public:
  explicit PositionTracker(std::string_view text) : text_(text) {}

  SourcePos at(size_t offset) {
    while (cursor_ < offset && cursor_ < text_.size()) {
      if (text_[cursor_] == '\n') {
        ++line_;
        column_ = 1;
        ++cursor_;
      } else {
        cursor_ += char_length(text_, cursor_);
        ++column_;
      }
    }
    return SourcePos{static_cast<uint32_t>(offset), line_, column_};
  }

 private:
  std::string_view text_;
  size_t cursor_ = 0;
  uint32_t line_ = 1;
  uint32_t column_ = 1;
};

// Spark's lexer (SqlBaseLexer.g4) for the tokens this grammar uses; one token at a time. An error is a
// kError token, returned again on every later call.
class Lexer {
 public:
  explicit Lexer(std::string_view text) : text_(text), positions_(text) {}

  Token next() {
    if (failed_) return failure_;
    Token token = scan();
    if (token.kind == Tok::kError) {
      failed_ = true;
      failure_ = token;
    }
    last_kind_ = token.kind;
    last_end_ = token.end;
    return token;
  }

 private:
  Token scan() {
    if (!skip_space_and_comments()) return error(comment_start_, "unclosed comment: no */ for this /*");
    const size_t begin = at_;
    if (begin >= text_.size()) return make(Tok::kEnd, begin, begin);
    const char c = text_[begin];
    const char next = begin + 1 < text_.size() ? text_[begin + 1] : '\0';
    const char after = begin + 2 < text_.size() ? text_[begin + 2] : '\0';
    switch (c) {
      case '(':
        return make(Tok::kLeftParen, begin, begin + 1);
      case ')':
        return make(Tok::kRightParen, begin, begin + 1);
      case ',':
        return make(Tok::kComma, begin, begin + 1);
      case '[':
        return make(Tok::kLeftBracket, begin, begin + 1);
      case ']':
        return make(Tok::kRightBracket, begin, begin + 1);
      case ';':
        return make(Tok::kSemicolon, begin, begin + 1);
      case '*':
        return make(Tok::kStar, begin, begin + 1);
      case '+':
        return make(Tok::kPlus, begin, begin + 1);
      case '-':
        return make(Tok::kMinus, begin, begin + 1);
      case '/':
        return make(Tok::kSlash, begin, begin + 1);
      case '%':
        return make(Tok::kPercent, begin, begin + 1);
      case '.': {
        // `.5` is a number, but `t.5`... is a field access (an error later), as `window.start` is.
        const bool after_name = (last_kind_ == Tok::kName || last_kind_ == Tok::kQuotedName ||
                                 last_kind_ == Tok::kRightParen || last_kind_ == Tok::kRightBracket) &&
                                last_end_ == begin;
        if (is_digit(next) && !after_name) return number(begin);
        return make(Tok::kDot, begin, begin + 1);
      }
      case '|':
        if (next == '|') return make(Tok::kConcat, begin, begin + 2);
        return error(begin, "bitwise operators (&, |, ^, ~) are not supported");
      case '&':
      case '^':
      case '~':
        return error(begin, "bitwise operators (&, |, ^, ~) are not supported");
      case '=':
        return make(Tok::kEqual, begin, begin + (next == '=' ? 2 : 1));
      case '<':
        if (next == '=' && after == '>') return make(Tok::kNullSafeEqual, begin, begin + 3);
        if (next == '=') return make(Tok::kLessOrEqual, begin, begin + 2);
        if (next == '>') return make(Tok::kNotEqual, begin, begin + 2);
        return make(Tok::kLess, begin, begin + 1);
      case '>':
        if (next == '=') return make(Tok::kGreaterOrEqual, begin, begin + 2);
        return make(Tok::kGreater, begin, begin + 1);
      case '!':
        if (next == '=') return make(Tok::kNotEqual, begin, begin + 2);
        if (next == '>') return make(Tok::kLessOrEqual, begin, begin + 2);
        if (next == '<') return make(Tok::kGreaterOrEqual, begin, begin + 2);
        return make(Tok::kBang, begin, begin + 1);
      case '\'':
      case '"':
        return string_literal(begin, begin, false);
      case '`':
        return quoted_name(begin);
      default:
        break;
    }
    if (is_digit(c)) return number(begin);
    if (is_word_char(c)) return word(begin);
    std::string message = "unexpected character " + describe_character(text_, begin);
    if (static_cast<unsigned char>(c) >= 0x80)
      message += "; a name with it needs backquotes, e.g. `caf\xc3\xa9`";
    return error(begin, message);
  }

  bool skip_space_and_comments() {
    while (at_ < text_.size()) {
      const char c = text_[at_];
      const char next = at_ + 1 < text_.size() ? text_[at_ + 1] : '\0';
      if (c == ' ' || c == '\t' || c == '\r' || c == '\n') {
        ++at_;
      } else if (c == '-' && next == '-') {
        // To the end of the line; a backslash right before the newline continues it (Spark's lexer).
        at_ += 2;
        while (at_ < text_.size() && text_[at_] != '\n') {
          at_ += text_[at_] == '\\' && at_ + 1 < text_.size() && text_[at_ + 1] == '\n' ? 2 : 1;
        }
      } else if (c == '/' && next == '*') {
        comment_start_ = at_;
        size_t depth = 1;
        at_ += 2;
        while (at_ < text_.size() && depth > 0) {
          const char d = text_[at_];
          const char e = at_ + 1 < text_.size() ? text_[at_ + 1] : '\0';
          if (d == '/' && e == '*') {
            ++depth;
            at_ += 2;
          } else if (d == '*' && e == '/') {
            --depth;
            at_ += 2;
          } else {
            ++at_;
          }
        }
        if (depth > 0) return false;
      } else {
        break;
      }
    }
    return true;
  }

  Token make(Tok kind, size_t begin, size_t end) {
    Token token;
    token.kind = kind;
    token.pos = positions_.at(begin);
    token.end = static_cast<uint32_t>(end);
    at_ = end;
    return token;
  }

  Token error(size_t at, std::string message) {
    Token token;
    token.kind = Tok::kError;
    token.pos = positions_.at(at);
    token.end = static_cast<uint32_t>(at);
    token.error_offset = static_cast<uint32_t>(at);
    token.text = std::move(message);
    return token;
  }

  // INTEGER_VALUE, BIGINT_LITERAL (10L), DECIMAL_VALUE (1.5, .5, 5.), EXPONENT_VALUE (1e3) and
  // DOUBLE_LITERAL (1.5D); a run of letters, digits and _ longer than the number is a name (`5xx`),
  // as ANTLR's longest match makes it.
  Token number(size_t begin) {
    const size_t n = text_.size();
    size_t p = begin;
    while (p < n && is_digit(text_[p])) ++p;
    bool dot = false, exponent = false;
    if (p < n && text_[p] == '.') {
      dot = true;
      ++p;
      while (p < n && is_digit(text_[p])) ++p;
    }
    if (p < n && (text_[p] == 'e' || text_[p] == 'E')) {
      size_t q = p + 1;
      if (q < n && (text_[q] == '+' || text_[q] == '-')) ++q;
      if (q < n && is_digit(text_[q])) {
        exponent = true;
        p = q;
        while (p < n && is_digit(text_[p])) ++p;
      }
    }
    const size_t number_end = p;
    char suffix = 0;
    size_t suffix_length = 0;
    if (p < n) {
      const char u = ascii_upper(text_[p]);
      if (u == 'B' && p + 1 < n && ascii_upper(text_[p + 1]) == 'D') {
        suffix = 'B';
        suffix_length = 2;
      } else if (u == 'D' || u == 'F' || ((u == 'L' || u == 'S' || u == 'Y') && !dot && !exponent)) {
        suffix = u;
        suffix_length = 1;
      }
    }
    const size_t token_end = p + suffix_length;
    if (!dot) {
      size_t word_end = begin;
      while (word_end < n && is_word_char(text_[word_end])) ++word_end;
      if (word_end > token_end) return word(begin);
    } else if (token_end < n && is_word_char(text_[token_end])) {
      size_t word_end = token_end;
      while (word_end < n && is_word_char(text_[word_end])) ++word_end;
      return error(begin, "malformed number '" + shown_text(text_.substr(begin, word_end - begin), 40) + "'");
    }
    const std::string_view written = text_.substr(begin, token_end - begin);
    switch (suffix) {
      case 'S':
      case 'Y':
      case 'F':
      case 'B':
        return error(begin,
                     "the literal " + shown_text(written, 40) + " has a type logstream does not have (" +
                         (suffix == 'S'   ? "SMALLINT"
                          : suffix == 'Y' ? "TINYINT"
                          : suffix == 'F' ? "FLOAT"
                                          : "DECIMAL") +
                         "); write it without the suffix" + (suffix == 'F' ? " or with D for a double" : ""));
      default:
        break;
    }
    Token token = make(suffix == 'D' || exponent ? Tok::kDouble
                       : dot                     ? Tok::kDecimal
                                                 : Tok::kInteger,
                       begin, token_end);
    token.bigint_suffix = suffix == 'L';
    token.text = std::string(text_.substr(begin, number_end - begin));
    return token;
  }

  Token word(size_t begin) {
    size_t p = begin;
    while (p < text_.size() && is_word_char(text_[p])) ++p;
    const std::string_view w = text_.substr(begin, p - begin);
    if ((w == "r" || w == "R") && p < text_.size() && (text_[p] == '\'' || text_[p] == '"')) {
      return string_literal(begin, p, true);
    }
    Token token = make(Tok::kName, begin, p);
    token.text = std::string(w);
    token.keyword = keyword_of(w);
    return token;
  }

  Token quoted_name(size_t begin) {
    std::string name;
    size_t p = begin + 1;
    while (true) {
      const size_t close = text_.find('`', p);
      if (close == std::string_view::npos) return error(begin, "unterminated name: no closing ` for this `");
      name.append(text_.substr(p, close - p));
      if (close + 1 < text_.size() && text_[close + 1] == '`') {
        name += '`';
        p = close + 2;
        continue;
      }
      p = close + 1;
      break;
    }
    if (name.empty()) return error(begin, "empty name ``");
    Token token = make(Tok::kQuotedName, begin, p);
    token.text = std::move(name);
    return token;
  }

  // '...' or "..." with Spark's backslash escapes (unescapeSQLString), R'...' without; a doubled quote
  // inside is one quote. Escapes that make UTF-16 are joined as Java joins them; a lone surrogate becomes
  // '?', as Java's UTF-8 encoder writes it.
  Token string_literal(size_t begin, size_t quote_at, bool raw) {
    const char quote = text_[quote_at];
    const size_t n = text_.size();
    std::string value;
    uint32_t high_surrogate = 0;
    const auto flush = [&] {
      if (high_surrogate != 0) value += '?';
      high_surrogate = 0;
    };
    const auto unit = [&](uint32_t u) {
      if (high_surrogate != 0) {
        if (u >= 0xdc00 && u <= 0xdfff) {
          append_utf8(value, 0x10000 + ((high_surrogate - 0xd800) << 10) + (u - 0xdc00));
          high_surrogate = 0;
          return;
        }
        flush();
      }
      if (u >= 0xd800 && u <= 0xdbff) {
        high_surrogate = u;
      } else if (u >= 0xdc00 && u <= 0xdfff) {
        value += '?';
      } else {
        append_utf8(value, u);
      }
    };
    const auto hex_digits = [&](size_t from, size_t count, uint32_t& out) {
      if (from + count > n) return false;
      out = 0;
      for (size_t i = from; i < from + count; ++i) {
        const char h = text_[i];
        const int v = is_digit(h)              ? h - '0'
                      : (h >= 'a' && h <= 'f') ? h - 'a' + 10
                      : (h >= 'A' && h <= 'F') ? h - 'A' + 10
                                               : -1;
        if (v < 0) return false;
        out = out * 16 + static_cast<uint32_t>(v);
      }
      return true;
    };
    const auto is_octal = [&](size_t i) { return i < n && text_[i] >= '0' && text_[i] <= '7'; };
    size_t p = quote_at + 1;
    while (true) {
      if (p >= n) {
        return error(begin, std::string("unterminated string: no closing ") + quote + " for this " + quote);
      }
      const char c = text_[p];
      if (c == quote) {
        if (p + 1 < n && text_[p + 1] == quote) {
          flush();
          value += quote;
          p += 2;
          continue;
        }
        ++p;
        break;
      }
      if (c != '\\' || raw) {
        flush();
        value += c;
        ++p;
        continue;
      }
      if (p + 1 >= n) {
        return error(begin, std::string("unterminated string: no closing ") + quote + " for this " + quote);
      }
      const char e = text_[p + 1];
      uint32_t code = 0;
      if (e == 'u' && hex_digits(p + 2, 4, code)) {
        unit(code);
        p += 6;
        continue;
      }
      if (e == 'U' && hex_digits(p + 2, 8, code)) {
        if (code > 0x10ffff) return error(p, "\\U escape beyond U+10FFFF");
        if (code >= 0x10000) {
          unit(0xd800 + ((code - 0x10000) >> 10));
          unit(0xdc00 + ((code - 0x10000) & 0x3ff));
        } else {
          unit(code);
        }
        p += 10;
        continue;
      }
      flush();
      if ((e == '0' || e == '1') && is_octal(p + 2) && is_octal(p + 3)) {
        value += static_cast<char>((e - '0') * 64 + (text_[p + 2] - '0') * 8 + (text_[p + 3] - '0'));
        p += 4;
        continue;
      }
      switch (e) {
        case '0':
          value += '\0';
          break;
        case 'b':
          value += '\b';
          break;
        case 'n':
          value += '\n';
          break;
        case 'r':
          value += '\r';
          break;
        case 't':
          value += '\t';
          break;
        case 'Z':
          value += '\x1a';
          break;
        case '%':  // kept escaped, for LIKE (MySQL's rule, and Spark's)
          value += "\\%";
          break;
        case '_':
          value += "\\_";
          break;
        default: {
          const size_t length = char_length(text_, p + 1);
          value.append(text_.substr(p + 1, length));
          p += 1 + length;
          continue;
        }
      }
      p += 2;
    }
    flush();
    Token token = make(Tok::kString, begin, p);
    token.text = std::move(value);
    return token;
  }

  std::string_view text_;
  PositionTracker positions_;
  size_t at_ = 0;
  size_t comment_start_ = 0;
  Tok last_kind_ = Tok::kEnd;
  size_t last_end_ = 0;
  bool failed_ = false;
  Token failure_;
};

// --- parser -----------------------------------------------------------------------------------------

std::string where(const SourcePos& pos) {
  return "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column);
}

bool is_clause_keyword(Keyword k) {
  switch (k) {
    case Keyword::kSelect:
    case Keyword::kFrom:
    case Keyword::kWhere:
    case Keyword::kGroup:
    case Keyword::kBy:
    case Keyword::kHaving:
    case Keyword::kOrder:
    case Keyword::kLimit:
    case Keyword::kAnd:
    case Keyword::kOr:
    case Keyword::kAs:
    case Keyword::kWhen:
    case Keyword::kThen:
    case Keyword::kElse:
    case Keyword::kEnd:
      return true;
    default:
      return false;
  }
}

// Recursive descent over Spark's grammar. The recursion (parentheses, calls, CASE, lists) goes through
// expression() -> logical() -> negation() -> value() -> operand() and back, each frame small: error
// messages are built out of line ([[gnu::noinline]] helpers), so that kMaxNesting levels fit in a
// thread's stack even in sanitizer builds.
class Parser {
 public:
  Parser(std::string_view text, std::string_view what) : text_(text), what_(what), lexer_(text) {}

  bool failed() const { return failed_; }
  Error error() const { return Error{sql_error_at(text_, error_offset_, error_)}; }
  bool at_end() { return peek().kind == Tok::kEnd; }
  bool accept_comma() { return accept(Tok::kComma); }

  ExprPtr expression() {
    Nesting nesting(*this);
    if (nesting.too_deep()) return fail_too_deep();
    return logical();
  }

  [[gnu::noinline]] std::nullptr_t fail_expected(std::string_view expected) {
    const Token& t = peek();
    if (t.kind == Tok::kError) return fail_at(t.error_offset, t.text);
    return fail_at(t.pos.offset, "expected " + std::string(expected) + ", found " + describe(t));
  }

  SelectStatement statement() {
    SelectStatement s;
    if (!at(Keyword::kSelect)) {
      fail_expected("SELECT");
      return s;
    }
    s.select_pos = skip();
    if (at(Keyword::kDistinct)) {
      skip();
      s.distinct = true;
    } else if (at(Keyword::kAll)) {
      skip();
    }
    do {
      SelectItem item;
      item.expr = expression();
      if (!item.expr) return s;
      const bool as = at(Keyword::kAs);
      if (as) skip();
      if (at_plain_name()) {
        item.alias_pos = peek().pos;
        item.alias = take().text;
      } else if (as) {
        fail_expected("a name after AS");
        return s;
      }
      s.items.push_back(std::move(item));
    } while (accept(Tok::kComma));
    if (!at(Keyword::kFrom)) {
      fail_expected(s.items.back().alias ? "',' or FROM" : "an operator, an alias, ',' or FROM");
      return s;
    }
    skip();
    if (!at_plain_name()) {
      fail_expected("the table name logs after FROM");
      return s;
    }
    s.table_pos = peek().pos;
    s.table = take().text;
    if (!iequals(s.table, "logs")) {
      fail_at(s.table_pos.offset, "unknown table '" + shown_text(s.table, 40) + "': the table is logs");
      return s;
    }
    int stage = 0;  // clauses already passed: 1 WHERE, 2 GROUP BY, 3 HAVING, 4 ORDER BY, 5 LIMIT
    bool after_expression = false;
    if (at(Keyword::kWhere)) {
      s.where_pos = skip();
      if (!(s.where = expression())) return s;
      stage = 1;
      after_expression = true;
    }
    if (at(Keyword::kGroup)) {
      s.group_by_pos = skip();
      if (!at(Keyword::kBy)) {
        fail_expected("BY after GROUP");
        return s;
      }
      skip();
      do {
        ExprPtr e = expression();
        if (!e) return s;
        s.group_by.push_back(std::move(e));
      } while (accept(Tok::kComma));
      stage = 2;
      after_expression = true;
    }
    if (at(Keyword::kHaving)) {
      s.having_pos = skip();
      if (!(s.having = expression())) return s;
      stage = 3;
      after_expression = true;
    }
    if (at(Keyword::kOrder)) {
      s.order_by_pos = skip();
      if (!at(Keyword::kBy)) {
        fail_expected("BY after ORDER");
        return s;
      }
      skip();
      do {
        OrderItem item;
        if (!(item.expr = expression())) return s;
        after_expression = true;
        if (at(Keyword::kAsc) || at(Keyword::kDesc)) {
          item.descending = at(Keyword::kDesc);
          skip();
          after_expression = false;
        }
        item.nulls_first = !item.descending;
        if (at(Keyword::kNulls)) {
          skip();
          const Token& order = peek();
          if (order.kind != Tok::kName || !(iequals(order.text, "first") || iequals(order.text, "last"))) {
            fail_expected("FIRST or LAST after NULLS");
            return s;
          }
          item.nulls_first = iequals(order.text, "first");
          skip();
          after_expression = false;
        }
        s.order_by.push_back(std::move(item));
      } while (accept(Tok::kComma));
      stage = 4;
    }
    if (at(Keyword::kLimit)) {
      s.limit_pos = skip();
      if (at(Keyword::kAll)) {
        skip();
      } else {
        const Token& n = peek();
        uint64_t rows = 0;
        const auto r = std::from_chars(n.text.data(), n.text.data() + n.text.size(), rows);
        if (n.kind != Tok::kInteger || n.bigint_suffix || r.ec != std::errc() ||
            rows > static_cast<uint64_t>(std::numeric_limits<int32_t>::max())) {
          fail_expected("the number of rows after LIMIT (0 to 2147483647) or ALL");
          return s;
        }
        skip();
        s.limit = static_cast<int64_t>(rows);
      }
      stage = 5;
      after_expression = false;
    }
    while (accept(Tok::kSemicolon)) {
    }
    if (!at_end()) fail_expected(rest_of_statement(stage, after_expression));
    return s;
  }

 private:
  struct Nesting {
    explicit Nesting(Parser& parser) : p(parser) { ++p.depth_; }
    ~Nesting() { --p.depth_; }
    Nesting(const Nesting&) = delete;
    Nesting& operator=(const Nesting&) = delete;
    bool too_deep() const { return p.depth_ > kMaxNesting; }
    Parser& p;
  };

  // --- tokens ---

  const Token& peek(size_t ahead = 0) { return ahead < lookahead_.size() ? lookahead_[ahead] : fill(ahead); }

  [[gnu::noinline]] const Token& fill(size_t ahead) {
    while (lookahead_.size() <= ahead) lookahead_.push_back(lexer_.next());
    return lookahead_[ahead];
  }

  Token take() {
    peek();
    Token t = std::move(lookahead_.front());
    lookahead_.pop_front();
    last_end_ = t.end;
    return t;
  }

  // Consumes the next token and returns where it was (no copy of the token in the caller's frame).
  [[gnu::noinline]] SourcePos skip() {
    peek();
    const SourcePos pos = lookahead_.front().pos;
    last_end_ = lookahead_.front().end;
    lookahead_.pop_front();
    return pos;
  }

  bool at(Keyword k, size_t ahead = 0) { return peek(ahead).keyword == k; }
  bool at_not(size_t ahead = 0) { return at(Keyword::kNot, ahead) || peek(ahead).kind == Tok::kBang; }
  bool at_plain_name() {
    const Token& t = peek();
    return (t.kind == Tok::kName && t.keyword == Keyword::kNone) || t.kind == Tok::kQuotedName;
  }
  bool at_word(std::string_view word, size_t ahead = 0) {
    const Token& t = peek(ahead);
    return t.kind == Tok::kName && t.keyword == Keyword::kNone && iequals(t.text, word);
  }
  bool accept(Tok kind) {
    if (peek().kind != kind) return false;
    skip();
    return true;
  }

  // --- errors (out of line: see the class comment) ---

  std::nullptr_t fail_at(size_t offset, std::string message) {
    if (!failed_) {
      failed_ = true;
      error_offset_ = offset;
      error_ = std::move(message);
    }
    return nullptr;
  }

  [[gnu::noinline]] std::nullptr_t fail_here(std::string_view message) {
    const Token& t = peek();
    if (t.kind == Tok::kError) return fail_at(t.error_offset, t.text);
    return fail_at(t.pos.offset, std::string(message));
  }

  // "expected <what> <opener> at line L, column C, found ...", for a bracket or CASE left open.
  [[gnu::noinline]] std::nullptr_t fail_unclosed(std::string_view what, const SourcePos& open) {
    return fail_expected(std::string(what) + " at " + where(open));
  }

  [[gnu::noinline]] std::nullptr_t fail_call_unclosed(const Expr& call) {
    return fail_expected("',' or ')' in the arguments of " + shown_text(source_text(text_, call), 40) +
                         "( at " + where(call.op_pos));
  }

  [[gnu::noinline]] std::nullptr_t fail_too_deep() {
    return fail_here("nested too deeply: more than " + std::to_string(kMaxNesting) +
                     " levels of parentheses, function calls, CASE and lists");
  }

  [[gnu::noinline]] std::nullptr_t fail_too_tall(const Expr& e) {
    return fail_at(e.op_pos.offset, "expression too large: nested more than " + std::to_string(kMaxHeight) +
                                        " levels deep (for a long chain of OR, write IN (...))");
  }

  std::string describe(const Token& t) const {
    if (t.kind == Tok::kEnd) return "the end of the " + std::string(what_);
    const std::string_view written = text_.substr(t.pos.offset, t.end - t.pos.offset);
    if (t.kind == Tok::kString) return "the string " + shown_text(written, 40);
    std::string out = "'" + shown_text(written, 40) + "'";
    if (t.keyword != Keyword::kNone && !is_clause_keyword(t.keyword)) {
      out +=
          " (" + ascii_upper(written) + " is reserved: write `" + shown_text(written, 40) + "` for a name)";
    }
    return out;
  }

  static std::string rest_of_statement(int stage, bool after_expression) {
    std::vector<std::string> options;
    if (after_expression && stage < 5) options.push_back("an operator");
    if (stage == 2 || stage == 4) options.push_back("','");
    if (stage < 1) options.push_back("WHERE");
    if (stage < 2) options.push_back("GROUP BY");
    if (stage < 3) options.push_back("HAVING");
    if (stage < 4) options.push_back("ORDER BY");
    if (stage < 5) options.push_back("LIMIT");
    options.push_back("the end of the query");
    std::string out;
    for (size_t i = 0; i < options.size(); ++i) {
      if (i > 0) out += i + 1 == options.size() ? " or " : ", ";
      out += options[i];
    }
    return out;
  }

  // --- nodes ---

  [[gnu::noinline]] ExprPtr node(ExprKind kind, const SourcePos& pos, const SourcePos& op_pos) {
    auto e = std::make_unique<Expr>();
    e->kind = kind;
    e->pos = pos;
    e->op_pos = op_pos;
    return e;
  }

  // Completes a node whose last token has been taken: its end, its height and the height limit.
  [[gnu::noinline]] ExprPtr finish(ExprPtr e) {
    uint32_t tallest = 0;
    for (const ExprPtr& c : e->children) tallest = std::max(tallest, c->height);
    e->height = tallest + 1;
    e->end = last_end_;
    if (e->height > kMaxHeight) return fail_too_tall(*e);
    return e;
  }

  [[gnu::noinline]] ExprPtr make_binary(Op op, ExprPtr left, ExprPtr right, const SourcePos& op_pos) {
    ExprPtr e = node(ExprKind::kBinary, left->pos, op_pos);
    e->op = op;
    e->children.push_back(std::move(left));
    e->children.push_back(std::move(right));
    return finish(std::move(e));
  }

  [[gnu::noinline]] ExprPtr make_unary(Op op, ExprPtr operand, const SourcePos& op_pos) {
    ExprPtr e = node(ExprKind::kUnary, op_pos, op_pos);
    e->op = op;
    e->children.push_back(std::move(operand));
    return finish(std::move(e));
  }

  // --- expressions, loosest first ---

  // OR over AND over negation(), both left-associative, in one frame.
  ExprPtr logical() {
    ExprPtr result = conjunction();
    while (result && at(Keyword::kOr)) {
      const SourcePos op = skip();
      ExprPtr right = conjunction();
      if (!right) return nullptr;
      result = make_binary(Op::kOr, std::move(result), std::move(right), op);
    }
    return result;
  }

  ExprPtr conjunction() {
    ExprPtr result = negation();
    while (result && at(Keyword::kAnd)) {
      const SourcePos op = skip();
      ExprPtr right = negation();
      if (!right) return nullptr;
      result = make_binary(Op::kAnd, std::move(result), std::move(right), op);
    }
    return result;
  }

  // NOT binds looser than every predicate and comparison (NOT a = b is NOT (a = b)) and tighter than
  // AND; a chain of them is collected without recursion. Then valueExpression predicate?: at most one
  // predicate, applied to a whole comparison.
  ExprPtr negation() {
    const size_t base = not_stack_.size();
    while (at_not()) not_stack_.push_back(skip());
    ExprPtr e = value();
    if (e) e = predicate(std::move(e));
    while (not_stack_.size() > base) {
      const SourcePos pos = not_stack_.back();
      not_stack_.pop_back();
      if (e) e = make_unary(Op::kNot, std::move(e), pos);
    }
    return e;
  }

  static bool is_predicate_keyword(Keyword k) {
    return k == Keyword::kBetween || k == Keyword::kIn || k == Keyword::kLike || k == Keyword::kRlike ||
           k == Keyword::kRegexp || k == Keyword::kIlike;
  }

  [[gnu::noinline]] ExprPtr predicate(ExprPtr subject) {
    if (at(Keyword::kIs)) return is_predicate(std::move(subject));
    bool negated = false;
    if (at_not() && is_predicate_keyword(peek(1).keyword)) {
      skip();
      negated = true;
    }
    switch (peek().keyword) {
      case Keyword::kBetween:
        return between(std::move(subject), negated);
      case Keyword::kIn:
        return in_list(std::move(subject), negated);
      case Keyword::kLike:
      case Keyword::kRlike:
      case Keyword::kRegexp:
        return like(std::move(subject), negated);
      case Keyword::kIlike:
        return fail_here("ILIKE is not supported; write lower(x) LIKE lower(pattern)");
      default:
        return subject;
    }
  }

  [[gnu::noinline]] ExprPtr between(ExprPtr subject, bool negated) {
    ExprPtr e = node(ExprKind::kBetween, subject->pos, skip());
    e->negated = negated;
    e->children.push_back(std::move(subject));
    ExprPtr bound = value();
    if (!bound) return nullptr;
    e->children.push_back(std::move(bound));
    if (!at(Keyword::kAnd)) return fail_expected("AND (BETWEEN lower AND upper)");
    skip();
    if (!(bound = value())) return nullptr;
    e->children.push_back(std::move(bound));
    return finish(std::move(e));
  }

  [[gnu::noinline]] ExprPtr in_list(ExprPtr subject, bool negated) {
    ExprPtr e = node(ExprKind::kIn, subject->pos, skip());
    e->negated = negated;
    e->children.push_back(std::move(subject));
    if (peek().kind != Tok::kLeftParen) return fail_expected("'(' after IN");
    const SourcePos open = skip();
    if (at(Keyword::kSelect)) return fail_here("subqueries are not supported");
    do {
      ExprPtr item = expression();
      if (!item) return nullptr;
      e->children.push_back(std::move(item));
    } while (accept(Tok::kComma));
    if (peek().kind != Tok::kRightParen) return fail_unclosed("',' or ')' in the IN list opened", open);
    skip();
    return finish(std::move(e));
  }

  [[gnu::noinline]] ExprPtr like(ExprPtr subject, bool negated) {
    const bool rlike = !at(Keyword::kLike);
    ExprPtr e = node(ExprKind::kLike, subject->pos, skip());
    e->op = rlike ? Op::kRLike : Op::kLike;
    e->negated = negated;
    e->children.push_back(std::move(subject));
    if (!rlike && peek(1).kind == Tok::kLeftParen &&
        (at(Keyword::kAll) || at_word("any") || at_word("some"))) {
      return fail_here("LIKE ANY, SOME and ALL are not supported; combine LIKEs with OR or AND");
    }
    ExprPtr pattern = value();
    if (!pattern) return nullptr;
    e->children.push_back(std::move(pattern));
    if (at_word("escape")) return fail_here("LIKE ... ESCAPE is not supported; the escape character is \\");
    return finish(std::move(e));
  }

  [[gnu::noinline]] ExprPtr is_predicate(ExprPtr subject) {
    const SourcePos is = skip();
    const bool negated = at_not();
    if (negated) skip();
    if (at(Keyword::kNull)) {
      skip();
      ExprPtr e = node(ExprKind::kIsNull, subject->pos, is);
      e->negated = negated;
      e->children.push_back(std::move(subject));
      return finish(std::move(e));
    }
    if (at(Keyword::kDistinct)) {
      skip();
      if (!at(Keyword::kFrom)) return fail_expected("FROM after IS DISTINCT");
      skip();
      ExprPtr right = value();
      if (!right) return nullptr;
      // IS NOT DISTINCT FROM is <=>, IS DISTINCT FROM its negation (Spark's AstBuilder).
      ExprPtr equal = make_binary(Op::kNullSafeEqual, std::move(subject), std::move(right), is);
      if (!equal || negated) return equal;
      ExprPtr e = node(ExprKind::kUnary, equal->pos, is);
      e->op = Op::kNot;
      e->children.push_back(std::move(equal));
      return finish(std::move(e));
    }
    if (at(Keyword::kTrue) || at(Keyword::kFalse) || at_word("unknown")) {
      return fail_here(
          "IS TRUE, IS FALSE and IS UNKNOWN are not supported; write = TRUE, = FALSE or IS NULL");
    }
    return fail_expected(negated ? "NULL or DISTINCT FROM after IS NOT"
                                 : "NULL, NOT NULL or DISTINCT FROM after IS");
  }

  // Binding strength of the operators inside a value: comparisons 1, + - || 2, * / % DIV 3.
  static int value_precedence(const Token& t, Op& op) {
    switch (t.kind) {
      case Tok::kEqual:
        return op = Op::kEqual, 1;
      case Tok::kNullSafeEqual:
        return op = Op::kNullSafeEqual, 1;
      case Tok::kNotEqual:
        return op = Op::kNotEqual, 1;
      case Tok::kLess:
        return op = Op::kLess, 1;
      case Tok::kLessOrEqual:
        return op = Op::kLessOrEqual, 1;
      case Tok::kGreater:
        return op = Op::kGreater, 1;
      case Tok::kGreaterOrEqual:
        return op = Op::kGreaterOrEqual, 1;
      case Tok::kPlus:
        return op = Op::kAdd, 2;
      case Tok::kMinus:
        return op = Op::kSubtract, 2;
      case Tok::kConcat:
        return op = Op::kConcat, 2;
      case Tok::kStar:
        return op = Op::kMultiply, 3;
      case Tok::kSlash:
        return op = Op::kDivide, 3;
      case Tok::kPercent:
        return op = Op::kRemainder, 3;
      default:
        if (t.keyword == Keyword::kDiv) return op = Op::kIntegralDivide, 3;
        return 0;
    }
  }

  struct PendingOp {
    Op op;
    int precedence;
    SourcePos pos;
  };

  // Spark's valueExpression without its predicates: comparisons over + - || over * / % DIV, all
  // left-associative, by operator precedence over stacks shared by every level of nesting.
  ExprPtr value() {
    const size_t operand_base = operand_stack_.size(), op_base = op_stack_.size();
    ExprPtr e = operand();
    if (e) {
      operand_stack_.push_back(std::move(e));
      while (true) {
        Op op = Op::kNone;
        const int precedence = value_precedence(peek(), op);
        if (precedence == 0) break;
        if (!reduce_while(op_base, precedence)) break;
        op_stack_.push_back(PendingOp{op, precedence, skip()});
        if (!(e = operand())) break;
        operand_stack_.push_back(std::move(e));
      }
      if (!failed_ && reduce_while(op_base, 1)) e = std::move(operand_stack_.back());
    }
    operand_stack_.resize(operand_base);
    op_stack_.resize(op_base);
    return failed_ ? nullptr : std::move(e);
  }

  // Applies the pending operators above op_base that bind at least as tightly as `precedence`.
  [[gnu::noinline]] bool reduce_while(size_t op_base, int precedence) {
    while (op_stack_.size() > op_base && op_stack_.back().precedence >= precedence) {
      ExprPtr right = std::move(operand_stack_.back());
      operand_stack_.pop_back();
      ExprPtr left = std::move(operand_stack_.back());
      operand_stack_.pop_back();
      const PendingOp top = op_stack_.back();
      op_stack_.pop_back();
      ExprPtr e = make_binary(top.op, std::move(left), std::move(right), top.pos);
      if (!e) return false;
      operand_stack_.push_back(std::move(e));
    }
    return true;
  }

  // Unary - and + (binding tightest; a '-' right before a number is the number's sign instead, as in
  // Spark's number : MINUS? INTEGER_VALUE ...), a primary, then subscripts.
  ExprPtr operand() {
    const size_t base = prefix_stack_.size();
    while (true) {
      const Tok kind = peek().kind;
      if (kind == Tok::kMinus && !is_number(peek(1).kind)) {
        prefix_stack_.emplace_back(Op::kNegate, skip());
      } else if (kind == Tok::kPlus) {
        prefix_stack_.emplace_back(Op::kPositive, skip());
      } else {
        break;
      }
    }
    ExprPtr e = primary();
    while (e && peek().kind == Tok::kLeftBracket) e = subscript(std::move(e));
    while (prefix_stack_.size() > base) {
      const auto [op, pos] = prefix_stack_.back();
      prefix_stack_.pop_back();
      if (e) e = make_unary(op, std::move(e), pos);
    }
    return e;
  }

  [[gnu::noinline]] ExprPtr subscript(ExprPtr base) {
    ExprPtr e = node(ExprKind::kSubscript, base->pos, skip());
    e->children.push_back(std::move(base));
    ExprPtr index;
    {
      Nesting nesting(*this);
      if (nesting.too_deep()) return fail_too_deep();
      index = value();
    }
    if (!index) return nullptr;
    e->children.push_back(std::move(index));
    if (peek().kind != Tok::kRightBracket) return fail_unclosed("']' to close the '['", e->op_pos);
    skip();
    return finish(std::move(e));
  }

  [[gnu::noinline]] ExprPtr primary() {
    const Token& t = peek();
    switch (t.kind) {
      case Tok::kInteger:
      case Tok::kDecimal:
      case Tok::kDouble:
      case Tok::kMinus:  // operand() leaves a '-' here only when a number follows
        return number_literal();
      case Tok::kString:
        return string_literal();
      case Tok::kLeftParen:
        return parenthesized();
      case Tok::kStar:
        return fail_here("'*' is only allowed in count(*); name the columns");
      case Tok::kQuotedName:
        return name_or_call();
      case Tok::kName:
        switch (t.keyword) {
          case Keyword::kNone:
            return name_or_call();
          case Keyword::kNull:
          case Keyword::kTrue:
          case Keyword::kFalse:
            return keyword_literal();
          case Keyword::kCase:
            return case_expression();
          case Keyword::kCast:
            return cast_expression();
          case Keyword::kExists:
            return fail_here("subqueries (EXISTS) are not supported");
          case Keyword::kInterval:
            return fail_here(
                "INTERVAL literals are not supported; window() takes its durations as strings, e.g. "
                "window(timestamp, '10 minutes')");
          default:
            break;
        }
        break;
      default:
        break;
    }
    return fail_expected("an expression");
  }

  [[gnu::noinline]] ExprPtr parenthesized() {
    const SourcePos open = skip();
    if (at(Keyword::kSelect)) return fail_here("subqueries are not supported");
    ExprPtr e = expression();
    if (!e) return nullptr;
    if (peek().kind == Tok::kComma) return fail_here("row values such as (a, b) are not supported");
    if (peek().kind != Tok::kRightParen) return fail_unclosed("')' to close the '('", open);
    skip();
    return e;
  }

  [[gnu::noinline]] ExprPtr keyword_literal() {
    const bool null = at(Keyword::kNull), yes = at(Keyword::kTrue);
    const SourcePos pos = skip();
    ExprPtr e = node(ExprKind::kLiteral, pos, pos);
    e->literal_form = null ? LiteralForm::kNull : LiteralForm::kBoolean;
    e->value = null ? Value::null_of(DataType::kNull) : Value::boolean(yes);
    return finish(std::move(e));
  }

  [[gnu::noinline]] ExprPtr number_literal() {
    const bool negative = peek().kind == Tok::kMinus;
    const SourcePos pos = peek().pos;
    if (negative) skip();
    const Token number = take();
    ExprPtr e = node(ExprKind::kLiteral, pos, pos);
    const std::string sign = negative ? "-" : "";
    const auto out_of_range = [&](std::string_view type) {
      return fail_at(pos.offset, "the number " + sign + shown_text(number.text, 40) +
                                     " is out of range for " + std::string(type));
    };
    if (number.kind == Tok::kInteger) {
      std::string_view digits = number.text;
      while (digits.size() > 1 && digits[0] == '0') digits.remove_prefix(1);
      uint64_t magnitude = 0;
      const auto r = std::from_chars(digits.data(), digits.data() + digits.size(), magnitude);
      const uint64_t limit = negative ? uint64_t{1} << 63 : (uint64_t{1} << 63) - 1;
      if (r.ec == std::errc() && magnitude <= limit) {
        const int64_t v = negative ? static_cast<int64_t>(0 - magnitude) : static_cast<int64_t>(magnitude);
        const bool fits_int =
            v >= std::numeric_limits<int32_t>::min() && v <= std::numeric_limits<int32_t>::max();
        e->literal_form = LiteralForm::kInteger;
        e->value =
            !number.bigint_suffix && fits_int ? Value::int32(static_cast<int32_t>(v)) : Value::bigint(v);
        e->spelling = std::to_string(v);
        return finish(std::move(e));
      }
      if (number.bigint_suffix) return out_of_range("BIGINT");
      // Beyond bigint Spark makes a DECIMAL(n, 0); we make the nearest double and keep the decimal name.
      e->literal_form = LiteralForm::kDecimal;
      e->spelling = sign + std::string(digits) + ".";
      double v = 0;
      if (!parse_double(digits, v)) return out_of_range("DOUBLE");
      e->value = Value::float64(negative ? -v : v);
      return finish(std::move(e));
    }
    if (number.kind == Tok::kDecimal) {
      const std::string_view text = number.text;
      const size_t dot = text.find('.');
      std::string_view integer = text.substr(0, dot);
      const std::string_view fraction = text.substr(dot + 1);
      while (!integer.empty() && integer[0] == '0') integer.remove_prefix(1);
      const bool zero = integer.empty() && fraction.find_first_not_of('0') == std::string_view::npos;
      e->literal_form = LiteralForm::kDecimal;
      // A DECIMAL has no negative zero.
      e->spelling = (negative && !zero ? "-" : "") + std::string(integer.empty() ? "0" : integer) + "." +
                    std::string(fraction);
      double v = 0;
      if (!parse_double(text, v)) return out_of_range("DOUBLE");
      e->value = Value::float64(zero ? 0.0 : negative ? -v : v);
      return finish(std::move(e));
    }
    double v = 0;
    if (!parse_double(number.text, v)) return out_of_range("DOUBLE");
    if (negative) v = -v;
    e->literal_form = LiteralForm::kDouble;
    e->value = Value::float64(v);
    e->spelling = java_double_to_string(v);
    return finish(std::move(e));
  }

  // Adjacent string literals are one ('a' 'b' is 'ab'), as Spark's constant : STRING+.
  [[gnu::noinline]] ExprPtr string_literal() {
    Token first = take();
    ExprPtr e = node(ExprKind::kLiteral, first.pos, first.pos);
    std::string text = std::move(first.text);
    while (peek().kind == Tok::kString) text += take().text;
    e->literal_form = LiteralForm::kString;
    e->value = Value::string(std::move(text));
    return finish(std::move(e));
  }

  [[gnu::noinline]] ExprPtr name_or_call() {
    ExprPtr e = name_start();
    if (e && e->kind == ExprKind::kFunction) return call_arguments(std::move(e));
    return e;
  }

  // A column (dotted parts), or the head of a function call up to its '(' (then kind is kFunction).
  [[gnu::noinline]] ExprPtr name_start() {
    Token first = take();
    if (first.kind == Tok::kName && peek().kind == Tok::kString) {
      return fail_at(first.pos.offset, "typed literals such as " + ascii_upper(shown_text(first.text, 40)) +
                                           " '...' are not supported; write CAST('...' AS TIMESTAMP)");
    }
    if (peek().kind == Tok::kLeftParen) {
      ExprPtr e = node(ExprKind::kFunction, first.pos, first.pos);
      e->name = ascii_lower(first.text);
      if (e->name == "substr") e->name = "substring";  // one function in Spark, named substring
      e->end = first.end;                              // until finish(): the name, for messages
      skip();
      return e;
    }
    ExprPtr e = node(ExprKind::kColumn, first.pos, first.pos);
    e->name_parts.push_back(std::move(first.text));
    while (peek().kind == Tok::kDot) {
      skip();
      const Token& field = peek();
      if (field.kind == Tok::kName || field.kind == Tok::kQuotedName) {
        e->name_parts.push_back(take().text);
      } else if (field.kind == Tok::kStar) {
        return fail_here("'*' is only allowed in count(*); name the columns");
      } else {
        return fail_expected("a field name after '.'");
      }
    }
    if (peek().kind == Tok::kLeftParen) {
      return fail_at(e->pos.offset, "qualified function names (a.f(...)) are not supported");
    }
    return finish(std::move(e));
  }

  // After f( : the arguments, count(*), f(DISTINCT ...), substring(s FROM p [FOR n]).
  [[gnu::noinline]] ExprPtr call_arguments(ExprPtr e) {
    if (peek().kind == Tok::kRightParen) {
      skip();
      return after_call(finish(std::move(e)));
    }
    if (e->name == "count" && peek().kind == Tok::kStar && peek(1).kind == Tok::kRightParen) {
      skip();
      skip();
      e->star = true;
      return after_call(finish(std::move(e)));
    }
    if (at(Keyword::kDistinct)) {
      skip();
      e->distinct = true;
    } else if (at(Keyword::kAll)) {
      skip();
    }
    if (peek().kind == Tok::kStar) {
      return fail_here(e->distinct ? "count(DISTINCT *) is not supported; name the columns"
                                   : "'*' is only allowed in count(*); name the columns");
    }
    const bool substring = e->name == "substring";
    do {
      ExprPtr arg = expression();
      if (!arg) return nullptr;
      e->children.push_back(std::move(arg));
      if (substring && e->children.size() == 1 && at(Keyword::kFrom)) {
        skip();
        if (!(arg = expression())) return nullptr;
        e->children.push_back(std::move(arg));
        if (at_word("for")) {
          skip();
          if (!(arg = expression())) return nullptr;
          e->children.push_back(std::move(arg));
        }
        break;
      }
    } while (accept(Tok::kComma));
    if (peek().kind != Tok::kRightParen) return fail_call_unclosed(*e);
    skip();
    return after_call(finish(std::move(e)));
  }

  [[gnu::noinline]] ExprPtr after_call(ExprPtr e) {
    if (!e) return e;
    if (at_word("over") && (peek(1).kind == Tok::kLeftParen || peek(1).kind == Tok::kName)) {
      return fail_here("window functions (OVER ...) are not supported");
    }
    if (at_word("filter") && peek(1).kind == Tok::kLeftParen) {
      return fail_here("FILTER (WHERE ...) is not supported; use CASE WHEN inside the aggregate");
    }
    return e;
  }

  [[gnu::noinline]] ExprPtr case_expression() {
    const SourcePos kw = skip();
    ExprPtr e = node(ExprKind::kCase, kw, kw);
    ExprPtr part;
    if (!at(Keyword::kWhen)) {
      if (!(part = expression())) return nullptr;
      e->children.push_back(std::move(part));
      e->has_operand = true;
      if (!at(Keyword::kWhen)) return fail_expected("WHEN");
    }
    while (at(Keyword::kWhen)) {
      skip();
      if (!(part = expression())) return nullptr;
      e->children.push_back(std::move(part));
      if (!at(Keyword::kThen)) return fail_expected("THEN");
      skip();
      if (!(part = expression())) return nullptr;
      e->children.push_back(std::move(part));
    }
    if (at(Keyword::kElse)) {
      skip();
      if (!(part = expression())) return nullptr;
      e->children.push_back(std::move(part));
      e->has_else = true;
    }
    if (!at(Keyword::kEnd))
      return fail_unclosed(e->has_else ? "END to close the CASE" : "WHEN, ELSE or END to close the CASE", kw);
    skip();
    return finish(std::move(e));
  }

  [[gnu::noinline]] ExprPtr cast_expression() {
    const SourcePos kw = skip();
    if (peek().kind != Tok::kLeftParen) return fail_expected("'(' after CAST");
    skip();
    ExprPtr e = node(ExprKind::kCast, kw, kw);
    ExprPtr operand = expression();
    if (!operand) return nullptr;
    e->children.push_back(std::move(operand));
    if (!at(Keyword::kAs)) return fail_expected("AS (CAST(value AS type))");
    skip();
    if (!cast_type(*e)) return nullptr;
    if (peek().kind != Tok::kRightParen) return fail_unclosed("')' to close the CAST", kw);
    skip();
    return finish(std::move(e));
  }

  // Spark's type names, for the types logstream has.
  [[gnu::noinline]] bool cast_type(Expr& e) {
    static constexpr std::string_view kTypes = "INT, BIGINT, DOUBLE, STRING, TIMESTAMP and BOOLEAN";
    const Token& type = peek();
    if (type.kind != Tok::kName) {
      fail_expected("a type name (" + std::string(kTypes) + ")");
      return false;
    }
    const std::string name = ascii_lower(type.text);
    if (name == "int" || name == "integer") {
      e.cast_type = DataType::kInt;
    } else if (name == "bigint" || name == "long") {
      e.cast_type = DataType::kBigint;
    } else if (name == "double") {
      e.cast_type = DataType::kDouble;
    } else if (name == "string") {
      e.cast_type = DataType::kString;
    } else if (name == "timestamp" || name == "timestamp_ltz") {
      e.cast_type = DataType::kTimestamp;
    } else if (name == "boolean") {
      e.cast_type = DataType::kBoolean;
    } else if (name == "date") {
      fail_here(
          "CAST to DATE is not supported: logstream has no DATE type yet; CAST(x AS TIMESTAMP) or "
          "date_trunc('day', x) keep a timestamp");
      return false;
    } else {
      static constexpr std::string_view kSparkTypes[] = {
          "tinyint",  "byte",    "smallint", "short",     "float",   "real",   "decimal",
          "dec",      "numeric", "char",     "character", "varchar", "binary", "timestamp_ntz",
          "interval", "array",   "map",      "struct",    "void"};
      bool known = false;
      for (std::string_view spark_type : kSparkTypes) known = known || name == spark_type;
      fail_here((known ? "CAST to " + ascii_upper(name) + " is not supported"
                       : "unknown type '" + shown_text(type.text, 40) + "'") +
                "; the types are " + std::string(kTypes));
      return false;
    }
    skip();
    return true;
  }

  std::string_view text_;
  std::string_view what_;
  Lexer lexer_;
  std::deque<Token> lookahead_;
  // The pending NOTs, unary signs, operands and operators of every open level (see value()).
  std::vector<SourcePos> not_stack_;
  std::vector<std::pair<Op, SourcePos>> prefix_stack_;
  std::vector<ExprPtr> operand_stack_;
  std::vector<PendingOp> op_stack_;
  uint32_t last_end_ = 0;
  uint32_t depth_ = 0;
  bool failed_ = false;
  size_t error_offset_ = 0;
  std::string error_;
};

std::optional<Error> too_long(std::string_view text) {
  if (text.size() <= kMaxQueryBytes) return std::nullopt;
  return Error{"the query is " + std::to_string(text.size()) + " bytes long; at most " +
               std::to_string(kMaxQueryBytes) + " are accepted"};
}

}  // namespace

Expected<SelectStatement> parse_sql(std::string_view text) {
  if (auto error = too_long(text)) return *error;
  Parser parser(text, "query");
  SelectStatement statement = parser.statement();
  if (parser.failed()) return parser.error();
  return statement;
}

Expected<ExprPtr> parse_expression(std::string_view text) {
  if (auto error = too_long(text)) return *error;
  Parser parser(text, "expression");
  ExprPtr e = parser.expression();
  if (e && !parser.at_end()) parser.fail_expected("an operator or the end of the expression");
  if (parser.failed()) return parser.error();
  return e;
}

Expected<std::vector<ExprPtr>> parse_expression_list(std::string_view text) {
  if (auto error = too_long(text)) return *error;
  Parser parser(text, "list");
  std::vector<ExprPtr> list;
  while (true) {
    ExprPtr e = parser.expression();
    if (!e) break;
    list.push_back(std::move(e));
    if (parser.at_end()) break;
    if (!parser.accept_comma()) {
      parser.fail_expected("an operator, ',' or the end of the list");
      break;
    }
  }
  if (parser.failed()) return parser.error();
  return list;
}

std::string sql_error_at(std::string_view text, size_t offset, std::string_view reason) {
  offset = std::min(offset, text.size());
  const size_t line_start = offset == 0 ? 0 : text.rfind('\n', offset - 1) + 1;  // npos + 1 == 0
  size_t line_end = text.find('\n', offset);
  if (line_end == std::string_view::npos) line_end = text.size();
  if (line_end > line_start && line_end > offset && text[line_end - 1] == '\r') --line_end;
  const SourcePos pos = PositionTracker(text).at(offset);

  // The characters of the line, and a window of them around the caret when the line is long.
  std::vector<std::pair<size_t, size_t>> chars;  // offset, length
  size_t caret = 0;                              // index of the character under the caret
  for (size_t at = line_start; at < line_end;) {
    if (at < offset) caret = chars.size() + 1;
    const size_t length = char_length(text, at);
    chars.emplace_back(at, length);
    at += length;
  }
  if (offset <= line_start) caret = 0;
  constexpr size_t kWindow = 160;
  size_t first = 0, last = chars.size();
  if (chars.size() > kWindow) {
    first = caret > kWindow / 2 ? caret - kWindow / 2 : 0;
    last = std::min(chars.size(), first + kWindow);
    if (last - first < kWindow) first = last > kWindow ? last - kWindow : 0;
  }
  std::string shown = first > 0 ? "..." : "";
  std::string padding = first > 0 ? "   " : "";
  for (size_t i = first; i < last; ++i) {
    const std::string c = shown_character(text.substr(chars[i].first, chars[i].second), true);
    shown += c;
    if (i < caret) {
      if (c == "\t") {
        padding += '\t';
      } else {
        for (size_t j = 0; j < c.size(); j += char_length(c, j)) padding += ' ';
      }
    }
  }
  if (last < chars.size()) shown += "...";
  return "line " + std::to_string(pos.line) + ", column " + std::to_string(pos.column) + ": " +
         std::string(reason) + "\n  " + shown + "\n  " + padding + "^";
}

}  // namespace logstream::sql
