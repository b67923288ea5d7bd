#include "stages/alerts/alert_rule.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cmath>
#include <map>

#include "stages/core/text_escape.h"

namespace logstream {
namespace {

constexpr uint64_t kMaxWindowSeconds = 7 * 24 * 3600;

struct Token {
  enum Kind { kWord, kNumber, kString, kClass, kSymbol, kEnd } kind = kEnd;
  std::string text;   // word, number as written, string unescaped, class digit, symbol
  size_t column = 0;  // 0-based byte offset in the rule
  size_t end = 0;     // byte offset just after the token
};

// The bytes of the character at text[at]: a valid UTF-8 sequence, or one byte (ASCII or not UTF-8).
size_t character_length(std::string_view text, size_t at) {
  const size_t length = utf8_sequence_length(text, at);
  return length == 0 ? 1 : length;
}

// What the terminal shows for one character of a rule: itself, or \xHH per byte for control bytes (C0
// other than tab, DEL, C1) and bytes that are not UTF-8.
std::string shown_character(std::string_view character) {
  const auto lead = static_cast<unsigned char>(character[0]);
  const bool c1_control =
      character.size() == 2 && lead == 0xc2 && static_cast<unsigned char>(character[1]) < 0xa0;
  const bool keep = character.size() > 1 ? !c1_control : (lead >= 0x20 && lead < 0x7f) || lead == '\t';
  if (keep) return std::string(character);
  std::string out;
  for (const char byte : character) out += escape_for_terminal(std::string_view(&byte, 1));
  return out;
}

// "'é' (U+00E9, bytes \xc3\xa9)" for the error about an unexpected character.
std::string describe_character(std::string_view text, size_t at) {
  const std::string_view character = text.substr(at, character_length(text, at));
  const auto lead = static_cast<unsigned char>(character[0]);
  if (character.size() == 1) {
    if (lead >= 0x20 && lead < 0x7f) return "'" + std::string(character) + "'";
    return escape_for_terminal(character) + (lead >= 0x80 ? " (not UTF-8)" : " (a control character)");
  }
  uint32_t code_point = lead & (0x7f >> character.size());
  for (size_t i = 1; i < character.size(); ++i)
    code_point = (code_point << 6) | (static_cast<unsigned char>(character[i]) & 0x3f);
  char hex[16];
  std::snprintf(hex, sizeof hex, "U+%04X", static_cast<unsigned>(code_point));
  std::string bytes;
  for (const char byte : character) bytes += escape_for_terminal(std::string_view(&byte, 1));
  return "'" + shown_character(character) + "' (" + hex + ", bytes " + bytes + ")";
}

class RuleParser {
 public:
  explicit RuleParser(std::string_view text) : text_(text) {}

  Expected<AlertRule> parse() {
    if (!tokenize()) return failure();
    AlertRule rule;
    rule.text = std::string(text_);
    if (!expect_word_any(rule.name, "a rule name, e.g. 'errors: rate(status >= 500) > 0.05'"))
      return failure();
    if (!expect_symbol(":")) return failure();
    const Token& aggregate = peek();
    if (aggregate.kind == Token::kWord && (aggregate.text == "count" || aggregate.text == "rate")) {
      rule.aggregate = aggregate.text == "count" ? Aggregate::kCount : Aggregate::kRate;
      ++at_;
    } else {
      return fail(aggregate, "expected count(...) or rate(...)");
    }
    if (!expect_symbol("(")) return failure();
    rule_ = &rule;
    rule.nodes.emplace_back();  // the root, filled below
    auto root = condition();
    if (!root) return failure();
    rule.nodes[0] = rule.nodes[*root];
    if (!expect_symbol(")")) return failure();
    if (!maybe_window(rule)) return failure();
    const Token& compare = peek();
    if (compare.kind != Token::kSymbol ||
        (compare.text != ">" && compare.text != ">=" && compare.text != "<" && compare.text != "<=")) {
      return fail(compare, "expected a comparison (>, >=, <, <=) and a threshold after the aggregate");
    }
    rule.comparison = compare.text == ">"    ? Comparison::kGreater
                      : compare.text == ">=" ? Comparison::kGreaterEqual
                      : compare.text == "<"  ? Comparison::kLess
                                             : Comparison::kLessEqual;
    ++at_;
    const Token& threshold = peek();
    if (threshold.kind != Token::kNumber) return fail(threshold, "expected a number as the threshold");
    const char* const first = threshold.text.data();
    const char* const last = first + threshold.text.size();
    const auto [parsed_end, parsed] = std::from_chars(first, last, rule.threshold);
    if (parsed != std::errc() || parsed_end != last || !std::isfinite(rule.threshold))
      return fail(threshold, "the threshold is out of range (a finite number, at most about 1.8e308)");
    if (rule.aggregate == Aggregate::kRate && (rule.threshold < 0 || rule.threshold > 1))
      return fail(threshold, "a rate is a share between 0 and 1, e.g. 0.05 for 5%");
    ++at_;
    if (!maybe_window(rule)) return failure();
    if (peek().kind == Token::kWord && peek().text == "for") {
      ++at_;
      const Token& n = peek();
      uint64_t batches = 0;
      if (n.kind != Token::kNumber || !parse_uint(n.text, batches) || batches == 0 || batches > 1000000)
        return fail(n, "expected a whole number of batches (1 or more) after 'for'");
      ++at_;
      if (!(peek().kind == Token::kWord && (peek().text == "batch" || peek().text == "batches")))
        return fail(peek(), "expected 'batches' after the number");
      ++at_;
      rule.for_batches = static_cast<uint32_t>(batches);
    }
    if (peek().kind != Token::kEnd) return fail(peek(), "unexpected text after the rule");
    return rule;
  }

 private:
  bool tokenize() {
    size_t i = 0;
    while (i < text_.size()) {
      const char c = text_[i];
      if (c == ' ' || c == '\t') {
        ++i;
        continue;
      }
      Token token;
      token.column = i;
      if (std::isdigit(static_cast<unsigned char>(c))) {
        if (i + 2 < text_.size() && text_.substr(i + 1, 2) == "xx" && c >= '1' && c <= '5' &&
            (i + 3 == text_.size() || !std::isalnum(static_cast<unsigned char>(text_[i + 3])))) {
          token.kind = Token::kClass;
          token.text = std::string(1, c);
          i += 3;
        } else {
          size_t end = i;
          while (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) ++end;
          // A decimal point, but not the ".." of a range.
          if (end + 1 < text_.size() && text_[end] == '.' &&
              std::isdigit(static_cast<unsigned char>(text_[end + 1]))) {
            ++end;
            while (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) ++end;
          }
          // An exponent (1e-06), as printf's %g writes small thresholds.
          if (end < text_.size() && (text_[end] == 'e' || text_[end] == 'E')) {
            size_t exponent = end + 1;
            if (exponent < text_.size() && (text_[exponent] == '-' || text_[exponent] == '+')) ++exponent;
            if (exponent < text_.size() && std::isdigit(static_cast<unsigned char>(text_[exponent]))) {
              end = exponent;
              while (end < text_.size() && std::isdigit(static_cast<unsigned char>(text_[end]))) ++end;
            }
          }
          token.kind = Token::kNumber;
          token.text = std::string(text_.substr(i, end - i));
          i = end;
          // A duration unit right after the number (5m) is a separate word token.
        }
      } else if (std::isalpha(static_cast<unsigned char>(c)) || c == '_') {
        size_t end = i;
        while (end < text_.size() && (std::isalnum(static_cast<unsigned char>(text_[end])) ||
                                      text_[end] == '_' || text_[end] == '-'))
          ++end;
        token.kind = Token::kWord;
        token.text = std::string(text_.substr(i, end - i));
        i = end;
      } else if (c == '"') {
        token.kind = Token::kString;
        size_t end = i + 1;
        for (;; ++end) {
          if (end >= text_.size()) {
            error_column_ = i;
            error_ = "unterminated string (a closing \" is missing)";
            return false;
          }
          // \" and \\ are the rule language's only escapes; any other backslash is part of the value
          // (a regex's \d or \.), kept as typed.
          if (text_[end] == '\\' && end + 1 < text_.size() &&
              (text_[end + 1] == '"' || text_[end + 1] == '\\')) {
            token.text += text_[++end];
            continue;
          }
          if (text_[end] == '"') break;
          token.text += text_[end];
        }
        i = end + 1;
      } else {
        static constexpr std::string_view kSymbols[] = {"==", "!=", ">=", "<=", "!~", "..",
                                                        ">",  "<",  "~",  "(",  ")",  ":"};
        token.kind = Token::kSymbol;
        for (std::string_view symbol : kSymbols) {
          if (text_.substr(i, symbol.size()) == symbol) {
            token.text = std::string(symbol);
            break;
          }
        }
        if (token.text.empty()) {
          error_column_ = i;
          error_ = "unexpected character " + describe_character(text_, i);
          return false;
        }
        i += token.text.size();
      }
      token.end = i;
      tokens_.push_back(std::move(token));
    }
    Token end;
    end.column = end.end = text_.size();
    tokens_.push_back(end);
    return true;
  }

  const Token& peek() const { return tokens_[at_]; }

  Error failure() const { return Error{rule_error_at(text_, error_column_, error_)}; }
  Error fail(const Token& token, const std::string& reason) {
    error_column_ = token.column;
    error_ = reason;
    if (token.kind == Token::kEnd)
      error_ += ", found the end of the rule";
    else
      error_ +=
          ", found '" + rule_text_for_terminal(text_.substr(token.column, token.end - token.column)) + "'";
    return failure();
  }
  bool fail_bool(const Token& token, const std::string& reason) {
    fail(token, reason);
    return false;
  }

  bool expect_symbol(std::string_view symbol) {
    if (peek().kind == Token::kSymbol && peek().text == symbol) {
      ++at_;
      return true;
    }
    return fail_bool(peek(), "expected '" + std::string(symbol) + "'");
  }
  bool expect_word_any(std::string& out, const std::string& what) {
    if (peek().kind != Token::kWord) return fail_bool(peek(), "expected " + what);
    out = peek().text;
    ++at_;
    return true;
  }

  static bool parse_uint(const std::string& text, uint64_t& out) {
    const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), out);
    return ec == std::errc() && end == text.data() + text.size();
  }

  bool maybe_window(AlertRule& rule) {
    if (!(peek().kind == Token::kWord && peek().text == "over")) return true;
    if (rule.window_seconds != 0) return fail_bool(peek(), "the window is already given");
    ++at_;
    const Token& n = peek();
    auto window = duration("'over'", "a window");
    if (!window) return false;
    if (*window == 0) return fail_bool(n, "expected a duration after 'over', e.g. 5m");
    rule.window_seconds = *window;
    // Windows slide by whole minutes of event time.
    if (rule.window_seconds % 60 != 0) return fail_bool(n, "a window is a whole number of minutes");
    if (peek().kind == Token::kWord && peek().text == "delay") {
      ++at_;
      auto delay = duration("'delay'", "a delay");
      if (!delay) return false;
      rule.delay_seconds = *delay;
    }
    return true;
  }

  // NUMBER UNIT (s, m, h or d), at most 7 days; `after` names what it follows and `what` what it is, for
  // the errors.
  std::optional<int64_t> duration(std::string_view after, std::string_view what) {
    const Token& n = peek();
    if (n.kind != Token::kNumber || n.text.find_first_not_of("0123456789") != std::string::npos) {
      fail_bool(n, "expected a duration after " + std::string(after) + ", e.g. 2m");
      return std::nullopt;
    }
    ++at_;
    const Token& unit = peek();
    const uint64_t scale = unit.kind != Token::kWord ? 0
                           : unit.text == "s"        ? 1
                           : unit.text == "m"        ? 60
                           : unit.text == "h"        ? 3600
                           : unit.text == "d"        ? 86400
                                                     : 0;
    if (scale == 0) {
      fail_bool(unit, "expected a unit right after the number: s, m, h or d");
      return std::nullopt;
    }
    uint64_t amount = 0;
    if (!parse_uint(n.text, amount) || amount > kMaxWindowSeconds / scale) {
      fail_bool(n, std::string(what) + " may be at most 7 days");
      return std::nullopt;
    }
    ++at_;
    return static_cast<int64_t>(amount * scale);
  }

  uint32_t add(ConditionNode node) {
    rule_->nodes.push_back(std::move(node));
    return static_cast<uint32_t>(rule_->nodes.size() - 1);
  }

  std::optional<uint32_t> combine(ConditionKind kind, std::optional<uint32_t> (RuleParser::*operand)(),
                                  std::string_view word) {
    auto first = (this->*operand)();
    if (!first) return std::nullopt;
    if (!(peek().kind == Token::kWord && peek().text == word)) return first;
    ConditionNode node;
    node.kind = kind;
    node.children.push_back(*first);
    while (peek().kind == Token::kWord && peek().text == word) {
      ++at_;
      auto next = (this->*operand)();
      if (!next) return std::nullopt;
      node.children.push_back(*next);
    }
    return add(std::move(node));
  }

  std::optional<uint32_t> condition() { return combine(ConditionKind::kOr, &RuleParser::term, "or"); }
  std::optional<uint32_t> term() { return combine(ConditionKind::kAnd, &RuleParser::factor, "and"); }

  std::optional<uint32_t> factor() {
    if (++depth_ > 64) {
      fail(peek(), "the condition nests too deeply");
      return std::nullopt;
    }
    struct Leave {
      int& depth;
      ~Leave() { --depth; }
    } leave{depth_};
    const Token& token = peek();
    if (token.kind == Token::kWord && token.text == "not") {
      ++at_;
      auto inner = factor();
      if (!inner) return std::nullopt;
      ConditionNode node;
      node.kind = ConditionKind::kNot;
      node.children.push_back(*inner);
      return add(std::move(node));
    }
    if (token.kind == Token::kSymbol && token.text == "(") {
      ++at_;
      auto inner = condition();
      if (!inner || !expect_symbol(")")) return std::nullopt;
      return inner;
    }
    return atom();
  }

  std::optional<uint32_t> status_class(const Token& token) {
    const int digit = token.text[0] - '0';
    ConditionNode node;
    node.kind = ConditionKind::kStatusRange;
    node.status_low = digit * 100;
    node.status_high = digit * 100 + 99;
    ++at_;
    return add(std::move(node));
  }

  std::optional<uint32_t> status_code(int& out) {
    const Token& token = peek();
    uint64_t value = 0;
    if (token.kind != Token::kNumber || !parse_uint(token.text, value) || value > 999) {
      fail(token, "expected a status code (0 to 999)");
      return std::nullopt;
    }
    out = static_cast<int>(value);
    ++at_;
    return 0;
  }

  std::optional<uint32_t> atom() {
    const Token& token = peek();
    if (token.kind == Token::kClass) return status_class(token);
    if (token.kind != Token::kWord) {
      fail(token, "expected a condition on status, method, host or endpoint");
      return std::nullopt;
    }
    if (token.text == "status") return status_atom();
    if (token.text == "method" || token.text == "host" || token.text == "endpoint") return field_atom();
    fail(token, "expected a condition on status, method, host or endpoint");
    return std::nullopt;
  }

  std::optional<uint32_t> status_atom() {
    ++at_;
    const Token op = peek();
    ConditionNode node;
    node.kind = ConditionKind::kStatusRange;
    if (op.kind == Token::kWord && op.text == "in") {
      ++at_;
      if (peek().kind == Token::kClass) return status_class(peek());
      if (!status_code(node.status_low) || !expect_symbol("..") || !status_code(node.status_high))
        return std::nullopt;
      if (node.status_low > node.status_high) {
        fail(op, "the range is empty (its low end is above its high end)");
        return std::nullopt;
      }
      return add(std::move(node));
    }
    if (op.kind != Token::kSymbol || (op.text != "==" && op.text != "!=" && op.text != "<" &&
                                      op.text != "<=" && op.text != ">" && op.text != ">=")) {
      fail(op, "expected ==, !=, <, <=, >, >= or 'in' after 'status'");
      return std::nullopt;
    }
    ++at_;
    int code = 0;
    if (!status_code(code)) return std::nullopt;
    node.status_low = 0;
    node.status_high = 999;
    if (op.text == "==") node.status_low = node.status_high = code;
    if (op.text == "<") node.status_high = code - 1;
    if (op.text == "<=") node.status_high = code;
    if (op.text == ">") node.status_low = code + 1;
    if (op.text == ">=") node.status_low = code;
    if (op.text == "!=") {
      node.status_low = node.status_high = code;
      ConditionNode negation;
      negation.kind = ConditionKind::kNot;
      negation.children.push_back(add(std::move(node)));
      return add(std::move(negation));
    }
    return add(std::move(node));
  }

  std::optional<uint32_t> field_atom() {
    const Token field = peek();
    ++at_;
    const Token op = peek();
    const bool is_match = op.kind == Token::kSymbol && (op.text == "~" || op.text == "!~");
    const bool is_equal = op.kind == Token::kSymbol && (op.text == "==" || op.text == "!=");
    if (!is_equal && !(is_match && field.text == "endpoint")) {
      fail(op, field.text == "endpoint" ? "expected ==, != , ~ or !~ after 'endpoint'"
                                        : "expected == or != after '" + field.text + "'");
      return std::nullopt;
    }
    ++at_;
    const Token value = peek();
    if (value.kind != Token::kString) {
      fail(value, "expected a quoted string");
      return std::nullopt;
    }
    ++at_;
    ConditionNode node;
    node.text = value.text;
    if (is_match) {
      node.kind = ConditionKind::kEndpointMatches;
      if (rule_->patterns.size() >= 64) {
        fail(value, "at most 64 endpoint patterns per rule");
        return std::nullopt;
      }
      node.pattern = static_cast<uint32_t>(rule_->patterns.size());
      rule_->patterns.push_back(value.text);
      rule_->pattern_offsets.push_back(value.column);
    } else {
      node.kind = ConditionKind::kFieldEquals;
      node.field = field.text == "method" ? LineField::kMethod
                   : field.text == "host" ? LineField::kHost
                                          : LineField::kEndpoint;
    }
    const uint32_t index = add(std::move(node));
    if (op.text[0] != '!') return index;
    ConditionNode negation;
    negation.kind = ConditionKind::kNot;
    negation.children.push_back(index);
    return add(std::move(negation));
  }

  std::string_view text_;
  std::vector<Token> tokens_;
  size_t at_ = 0;
  AlertRule* rule_ = nullptr;
  int depth_ = 0;
  size_t error_column_ = 0;
  std::string error_;
};

bool node_status_only(const AlertRule& rule, uint32_t index) {
  const ConditionNode& node = rule.nodes[index];
  if (node.kind == ConditionKind::kFieldEquals || node.kind == ConditionKind::kEndpointMatches) return false;
  for (uint32_t child : node.children) {
    if (!node_status_only(rule, child)) return false;
  }
  return true;
}

bool node_uses_field(const AlertRule& rule, uint32_t index, LineField field) {
  const ConditionNode& node = rule.nodes[index];
  if (node.kind == ConditionKind::kFieldEquals && node.field == field) return true;
  if (node.kind == ConditionKind::kEndpointMatches && field == LineField::kEndpoint) return true;
  for (uint32_t child : node.children) {
    if (node_uses_field(rule, child, field)) return true;
  }
  return false;
}

// Where the rule ends on a rules-file line: at a '#' outside a "..." string (strings escape as the
// tokenizer reads them), or at the end of the line.
size_t comment_start(std::string_view line) {
  bool in_string = false;
  for (size_t i = 0; i < line.size(); ++i) {
    if (in_string) {
      if (line[i] == '\\' && i + 1 < line.size() && (line[i + 1] == '"' || line[i + 1] == '\\'))
        ++i;
      else if (line[i] == '"')
        in_string = false;
    } else if (line[i] == '"') {
      in_string = true;
    } else if (line[i] == '#') {
      return i;
    }
  }
  return line.size();
}

bool node_matches(const AlertRule& rule, uint32_t index, const LineFacts& line, uint32_t pattern_base) {
  const ConditionNode& node = rule.nodes[index];
  switch (node.kind) {
    case ConditionKind::kAnd:
      for (uint32_t child : node.children) {
        if (!node_matches(rule, child, line, pattern_base)) return false;
      }
      return true;
    case ConditionKind::kOr:
      for (uint32_t child : node.children) {
        if (node_matches(rule, child, line, pattern_base)) return true;
      }
      return false;
    case ConditionKind::kNot:
      return !node_matches(rule, node.children[0], line, pattern_base);
    case ConditionKind::kStatusRange:
      return line.status && *line.status >= node.status_low && *line.status <= node.status_high;
    case ConditionKind::kFieldEquals: {
      const std::string_view value = node.field == LineField::kMethod ? line.method
                                     : node.field == LineField::kHost ? line.host
                                                                      : line.endpoint;
      return value == node.text;
    }
    case ConditionKind::kEndpointMatches:
      return (line.pattern_matches >> (pattern_base + node.pattern)) & 1;
  }
  return false;
}

}  // namespace

bool AlertRule::status_only() const { return node_status_only(*this, 0); }
bool AlertRule::needs_fields() const { return !status_only(); }
bool AlertRule::uses_field(LineField field) const { return node_uses_field(*this, 0, field); }

bool AlertRule::holds(double value) const {
  switch (comparison) {
    case Comparison::kGreater:
      return value > threshold;
    case Comparison::kGreaterEqual:
      return value >= threshold;
    case Comparison::kLess:
      return value < threshold;
    case Comparison::kLessEqual:
      return value <= threshold;
  }
  return false;
}

bool AlertRule::matches(const LineFacts& line, uint32_t pattern_base) const {
  return node_matches(*this, 0, line, pattern_base);
}

std::string AlertRule::comparison_text() const {
  static constexpr const char* kText[] = {">", ">=", "<", "<="};
  char buffer[64];
  std::snprintf(buffer, sizeof buffer, "%s %g", kText[static_cast<int>(comparison)], threshold);
  return buffer;
}

std::string_view AlertRule::expression() const {
  std::string_view rest = text;
  rest.remove_prefix(std::min(rest.size(), rest.find(':') + 1));
  while (!rest.empty() && (rest.front() == ' ' || rest.front() == '\t')) rest.remove_prefix(1);
  while (!rest.empty() && (rest.back() == ' ' || rest.back() == '\t')) rest.remove_suffix(1);
  return rest;
}

Expected<AlertRule> parse_alert_rule(std::string_view text) { return RuleParser(text).parse(); }

std::string rule_text_for_terminal(std::string_view text) {
  std::string out;
  for (size_t at = 0; at < text.size();) {
    const size_t length = character_length(text, at);
    out += shown_character(text.substr(at, length));
    at += length;
  }
  return out;
}

std::string rule_error_at(std::string_view rule_text, size_t offset, std::string_view reason) {
  offset = std::min(offset, rule_text.size());
  size_t column = 1;
  std::string padding;
  for (size_t at = 0; at < offset;) {
    const size_t length = character_length(rule_text, at);
    const std::string shown = shown_character(rule_text.substr(at, length));
    // A tab stays a tab, so the caret moves to the same tab stop; anything else takes one cell per
    // character shown (\xHH is four).
    if (shown == "\t") {
      padding += '\t';
    } else {
      for (size_t i = 0; i < shown.size(); i += character_length(shown, i)) padding += ' ';
    }
    ++column;
    at += length;
  }
  return "column " + std::to_string(column) + ": " + std::string(reason) + "\n  " +
         rule_text_for_terminal(rule_text) + "\n  " + padding + "^";
}

Expected<std::vector<AlertRule>> parse_alert_rules_file(std::string_view content, const std::string& source) {
  std::vector<AlertRule> rules;
  std::map<std::string, size_t, std::less<>> line_of_name;
  const std::string shown_source = escape_for_terminal(source);
  size_t line_number = 0;
  for (size_t at = 0; at <= content.size();) {
    const size_t newline = content.find('\n', at);
    std::string_view line =
        content.substr(at, newline == std::string_view::npos ? std::string_view::npos : newline - at);
    at = newline == std::string_view::npos ? content.size() + 1 : newline + 1;
    ++line_number;
    if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
    line = line.substr(0, comment_start(line));
    while (!line.empty() && (line.back() == ' ' || line.back() == '\t')) line.remove_suffix(1);
    if (line.find_first_not_of(" \t") == std::string_view::npos) continue;
    const std::string where = shown_source + ": line " + std::to_string(line_number);
    auto rule = parse_alert_rule(line);
    if (!rule) return Error{where + ": " + rule.error()};
    const auto [first, inserted] = line_of_name.emplace(rule.value().name, line_number);
    if (!inserted) {
      return Error{where + ": a rule named '" + rule.value().name + "' is already on line " +
                   std::to_string(first->second) + " (rule names must differ)"};
    }
    rule.value().origin = where;
    rules.push_back(std::move(rule).value());
  }
  return rules;
}

}  // namespace logstream
