// The alert rule language (--alert RULE, --alert-rules FILE):
//
//   rule      := NAME ':' aggregate [window] COMPARE NUMBER [window] ['for' INT ('batch'|'batches')]
//   window    := 'over' DURATION ['delay' DURATION]
//   aggregate := ('count' | 'rate') '(' condition ')'
//   condition := term ('or' term)* ;  term := factor ('and' factor)* ;
//   factor    := 'not' factor | '(' condition ')' | atom
//   atom      := 'status' ('=='|'!='|'<'|'<='|'>'|'>=') INT | 'status' 'in' INT '..' INT
//              | 'status' 'in' CLASS | CLASS                         (CLASS: 1xx .. 5xx)
//              | ('method'|'host'|'endpoint') ('=='|'!=') STRING
//              | 'endpoint' ('~'|'!~') STRING                        (a regex, run by Hyperscan)
//   STRING    := '"' ... '"' ; inside, \" is a quote and \\ a backslash; every other backslash is kept
//                as typed, so "\d" and "\.css$" reach the regex (or the == value) unchanged
//   COMPARE   := '>' | '>=' | '<' | '<=' ;  DURATION := INT ('s'|'m'|'h'|'d') ;  NUMBER: 12, 0.05, 1e-06
//
// count() counts the accepted lines that meet the condition; rate() divides that by the accepted lines.
// Both are taken per batch, or with `over D` over sliding event-time windows of length D that move by one
// minute: a window is judged once, when the rule's watermark (the latest event time seen, less `delay`)
// has passed its end, and a batch's value is its worst window. `for N batches`: the comparison must hold
// in N batches in a row (batches that finish no window do not count).
// Examples:  errors: rate(status >= 500) > 0.05
//            notfound: count(status == 404) > 1000 for 3 batches
//            admin: count(endpoint ~ "^/admin" and not status in 200..399) over 5m > 10
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "stages/core/expected.h"

namespace logstream {

enum class ConditionKind : uint8_t { kAnd, kOr, kNot, kStatusRange, kFieldEquals, kEndpointMatches };
enum class LineField : uint8_t { kMethod, kHost, kEndpoint };

struct ConditionNode {
  ConditionKind kind{};
  std::vector<uint32_t> children;       // kAnd, kOr: two or more; kNot: one
  int status_low = 0, status_high = 0;  // kStatusRange: inclusive
  LineField field{};                    // kFieldEquals
  std::string text;                     // kFieldEquals: the value; kEndpointMatches: the regex
  uint32_t pattern = 0;                 // kEndpointMatches: index among the rule's patterns
};

// What a condition can look at in one accepted line.
struct LineFacts {
  std::optional<int> status;  // nullopt: the spark-seed null row
  std::string_view method, host, endpoint;
  uint64_t pattern_matches = 0;  // bit i: the endpoint matched pattern i (ids as given by the rule set)
};

enum class Aggregate : uint8_t { kCount, kRate };
enum class Comparison : uint8_t { kGreater, kGreaterEqual, kLess, kLessEqual };

struct AlertRule {
  std::string name;
  std::string text;  // as written
  Aggregate aggregate = Aggregate::kCount;
  std::vector<ConditionNode> nodes;  // nodes[0] is the root
  Comparison comparison = Comparison::kGreater;
  double threshold = 0;
  uint32_t for_batches = 1;
  int64_t window_seconds = 0;           // 0: per batch
  int64_t delay_seconds = -1;           // with a window: how late a line may come; -1: the default
  std::vector<std::string> patterns;    // the endpoint regexes, in ConditionNode::pattern order
  std::vector<size_t> pattern_offsets;  // byte offset in `text` of each pattern's opening quote
  std::string origin;                   // "FILE: line N" for a rule from a rules file, else empty

  // Only status atoms: the batch's status table answers it, no per-line work.
  bool status_only() const;
  bool needs_fields() const;  // method, host or endpoint
  bool uses_field(LineField field) const;
  bool holds(double value) const;
  // The condition on one line; `pattern_base` maps this rule's pattern i to bit pattern_base + i.
  bool matches(const LineFacts& line, uint32_t pattern_base = 0) const;
  std::string comparison_text() const;  // "> 0.05"
  std::string_view expression() const;  // the text after "NAME:", trimmed
};

// Parses one rule. The error gives the column (1-based) and what was expected, and a second line with
// the rule and a caret under the offending character.
Expected<AlertRule> parse_alert_rule(std::string_view text);

// An error about the character at byte `offset` of `rule_text`: "column N: REASON", the rule on a line of
// its own and a caret under that character. Columns count characters (UTF-8 code points); the echo keeps
// what was typed, tabs included, except control bytes and invalid UTF-8, which become \xHH (the caret
// line is padded to match, so the caret stays under the character on a terminal).
std::string rule_error_at(std::string_view rule_text, size_t offset, std::string_view reason);

// The rule text as shown on a terminal: as typed, tabs and backslashes included, with control bytes (C0
// other than tab, DEL, C1) and invalid UTF-8 as \xHH.
std::string rule_text_for_terminal(std::string_view text);

// One rule per line; blank lines and lines starting with '#' are skipped, and so is a '#' comment after a
// rule (a '#' inside a "..." string is part of the string). Errors name the file and line; a second rule
// with a name already used in the file names both lines.
Expected<std::vector<AlertRule>> parse_alert_rules_file(std::string_view content, const std::string& source);

}  // namespace logstream
