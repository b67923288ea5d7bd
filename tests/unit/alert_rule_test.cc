// The alert rule language: what it accepts, what each condition means, and errors that point at the
// offending character.
#include "stages/alerts/alert_rule.h"

#include <gtest/gtest.h>

namespace logstream {
namespace {

AlertRule parse(std::string_view text) {
  auto rule = parse_alert_rule(text);
  EXPECT_TRUE(rule) << text << "\n" << (rule ? "" : rule.error());
  return rule ? std::move(rule).value() : AlertRule{};
}

bool on_status(const AlertRule& rule, std::optional<int> status) {
  LineFacts facts;
  facts.status = status;
  return rule.matches(facts);
}

TEST(AlertRule, TheIssuesExamplesParse) {
  const AlertRule errors = parse("errors: rate(status >= 500) > 0.05");
  EXPECT_EQ(errors.name, "errors");
  EXPECT_EQ(errors.aggregate, Aggregate::kRate);
  EXPECT_EQ(errors.comparison, Comparison::kGreater);
  EXPECT_DOUBLE_EQ(errors.threshold, 0.05);
  EXPECT_TRUE(errors.status_only());
  EXPECT_EQ(errors.expression(), "rate(status >= 500) > 0.05");

  const AlertRule notfound = parse("notfound: count(status == 404) > 1000 for 3 batches");
  EXPECT_EQ(notfound.for_batches, 3u);
  EXPECT_TRUE(on_status(notfound, 404));
  EXPECT_FALSE(on_status(notfound, 403));

  const AlertRule windowed = parse("slow: rate(5xx) over 5m >= 0.1");
  EXPECT_EQ(windowed.window_seconds, 300);
  const AlertRule late = parse("late: count(5xx) > 3 over 2h for 1 batch");
  EXPECT_EQ(late.window_seconds, 7200);
  EXPECT_EQ(late.delay_seconds, -1) << "the default delay";
  EXPECT_EQ(parse("d: count(5xx) over 5m delay 2m > 1").delay_seconds, 120);
  EXPECT_EQ(parse("d: count(5xx) > 1 over 5m delay 0s").delay_seconds, 0);
}

TEST(AlertRule, StatusConditionsMeanWhatTheySay) {
  const AlertRule range = parse("r: count(status in 500..503) > 0");
  EXPECT_TRUE(on_status(range, 500));
  EXPECT_TRUE(on_status(range, 503));
  EXPECT_FALSE(on_status(range, 504));
  const AlertRule cls = parse("c: count(4xx or status in 5xx) > 0");
  EXPECT_TRUE(on_status(cls, 404));
  EXPECT_TRUE(on_status(cls, 599));
  EXPECT_FALSE(on_status(cls, 399));
  const AlertRule ne = parse("n: count(status != 200 and not status < 300) > 0");
  EXPECT_FALSE(on_status(ne, 200));
  EXPECT_FALSE(on_status(ne, 204));
  EXPECT_TRUE(on_status(ne, 301));
  // The spark-seed null row has no status: comparisons are false, their negation true.
  EXPECT_FALSE(on_status(parse("x: count(status >= 0) > 0"), std::nullopt));
  EXPECT_TRUE(on_status(parse("x: count(not status >= 0) > 0"), std::nullopt));
  // and binds tighter than or.
  const AlertRule precedence = parse("p: count(status == 1 or status == 2 and status == 3) > 0");
  EXPECT_TRUE(on_status(precedence, 1));
  EXPECT_FALSE(on_status(precedence, 2));
}

TEST(AlertRule, FieldConditionsNeedTheLine) {
  const AlertRule rule =
      parse(R"x(admin: count(method == "POST" and host != "10.0.0.1" and endpoint ~ "^/admin") > 0)x");
  EXPECT_FALSE(rule.status_only());
  ASSERT_EQ(rule.patterns.size(), 1u);
  EXPECT_EQ(rule.patterns[0], "^/admin");
  LineFacts line;
  line.status = 200;
  line.method = "POST";
  line.host = "10.0.0.2";
  line.endpoint = "/admin/x";
  line.pattern_matches = 1;
  EXPECT_TRUE(rule.matches(line));
  line.host = "10.0.0.1";
  EXPECT_FALSE(rule.matches(line));
  line.host = "10.0.0.2";
  line.pattern_matches = 0;
  EXPECT_FALSE(rule.matches(line));
  const AlertRule quoted = parse(R"x(q: count(endpoint == "/a \"b\" \\c") > 0)x");
  line.endpoint = R"x(/a "b" \c)x";
  EXPECT_TRUE(quoted.matches(line));
}

TEST(AlertRule, ThresholdComparisons) {
  EXPECT_TRUE(parse("a: count(5xx) > 3").holds(4));
  EXPECT_FALSE(parse("a: count(5xx) > 3").holds(3));
  EXPECT_TRUE(parse("a: count(5xx) >= 3").holds(3));
  EXPECT_TRUE(parse("a: count(5xx) < 3").holds(2));
  EXPECT_FALSE(parse("a: count(5xx) <= 3").holds(3.5));
  EXPECT_DOUBLE_EQ(parse("a: rate(5xx) > 2.5e-05").threshold, 2.5e-05);
}

// Each error: the column (1-based) of the offending character, and a caret under it.
void expect_error_at(std::string_view text, size_t column, std::string_view words) {
  auto rule = parse_alert_rule(text);
  ASSERT_FALSE(rule) << text;
  const std::string& error = rule.error();
  EXPECT_EQ(error.rfind("column " + std::to_string(column) + ": ", 0), 0u) << error;
  EXPECT_NE(error.find(words), std::string::npos) << error;
  const size_t caret_line = error.rfind('\n');
  ASSERT_NE(caret_line, std::string::npos) << error;
  EXPECT_EQ(error.substr(caret_line + 1), "  " + std::string(column - 1, ' ') + "^") << error;
}

TEST(AlertRule, ErrorsPointAtTheOffendingCharacter) {
  expect_error_at("errors: rate(status >= 5000) > 0.05", 24, "status code");
  expect_error_at("errors rate(status >= 500) > 0.05", 8, "expected ':'");
  expect_error_at("errors: average(5xx) > 1", 9, "count(...) or rate(...)");
  expect_error_at("errors: rate(5xx) > 5", 21, "between 0 and 1");
  expect_error_at("errors: rate(5xx) 0.05", 19, "comparison");
  expect_error_at("errors: count(5xx) > 1 for 0 batches", 28, "whole number of batches");
  expect_error_at("errors: count(5xx) over 5y > 1", 26, "s, m, h or d");
  expect_error_at("errors: count(method ~ \"GET\") > 1", 22, "== or !=");
  expect_error_at("errors: count(endpoint ~ \"/a) > 1", 26, "unterminated string");
  expect_error_at("errors: count(status in 500..400) > 1", 22, "empty");
  expect_error_at("errors: count(5xx) > 1 extra", 24, "unexpected text");
  expect_error_at("errors: count(5xx $ 1", 19, "unexpected character");
  expect_error_at("errors: count((5xx) > 1", 21, "expected ')'");
}

// std::stod threw on 1e999 (an abort), and a window's amount times its unit wrapped around (a signed
// overflow under UBSan) before the 7-day check. Both inputs are also seeds of the alert-rule fuzzer.
TEST(AlertRule, OutOfRangeNumbersAreErrorsNotCrashes) {
  expect_error_at("x: count(status == 500) > 1e999", 27, "threshold is out of range");
  expect_error_at("x: count(status == 500) > 9e99999999999999999999", 27, "threshold is out of range");
  expect_error_at("x: count(status == 500) over 5124095576030432h > 1", 30, "at most 7 days");
  expect_error_at("x: count(5xx) over 99999999999999999999999m > 1", 20, "at most 7 days");
  expect_error_at("x: count(5xx) > 1 over 10081m", 24, "at most 7 days");
  EXPECT_EQ(parse("x: count(5xx) over 10080m > 1").window_seconds, 7 * 24 * 3600);
  EXPECT_EQ(parse("x: count(5xx) over 168h > 1").window_seconds, 7 * 24 * 3600);
  EXPECT_DOUBLE_EQ(parse("x: count(5xx) > 1e300").threshold, 1e300);
}

// Only \" and \\ are escapes of the rule language; every other backslash belongs to the regex (or the
// == value), as typed.
TEST(AlertRule, BackslashesOtherThanQuoteAndBackslashReachThePatternAsTyped) {
  const AlertRule digits = parse(R"x(digits: count(endpoint ~ "\d") > 0)x");
  ASSERT_EQ(digits.patterns.size(), 1u);
  EXPECT_EQ(digits.patterns[0], R"(\d)");
  EXPECT_EQ(digits.expression(), R"x(count(endpoint ~ "\d") > 0)x");
  EXPECT_EQ(parse(R"x(css: count(endpoint !~ "\.css$") > 0)x").patterns[0], R"(\.css$)");
  EXPECT_EQ(parse(R"x(q: count(endpoint ~ "\?") > 0)x").patterns[0], R"(\?)");
  EXPECT_EQ(parse(R"x(q: count(endpoint ~ "a\"b\\c\\\.") > 0)x").patterns[0], R"(a"b\c\\.)");
  // A backslash before the closing quote escapes it: the string goes on, and is unterminated.
  expect_error_at(R"x(q: count(endpoint ~ "a\") > 0)x", 21, "unterminated string");
  LineFacts line;
  line.endpoint = R"(/a\b)";
  EXPECT_TRUE(parse(R"x(e: count(endpoint == "/a\b") > 0)x").matches(line));
  EXPECT_TRUE(parse(R"x(e: count(endpoint == "/a\\b") > 0)x").matches(line));
  // The echo of a rule in an error is what was typed, backslashes included.
  auto bad = parse_alert_rule(R"x(d: count(endpoint ~ "\d") >)x");
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("\n  "
                             R"x(d: count(endpoint ~ "\d") >)x"
                             "\n"),
            std::string::npos)
      << bad.error();
}

// Columns count characters (UTF-8 code points), not bytes; a tab stays a tab in the echo and the caret
// line, so the caret sits under the character; control bytes and bytes that are not UTF-8 are \xHH.
TEST(AlertRule, NonAsciiAndTabsKeepTheCaretUnderTheCharacter) {
  auto accented = parse_alert_rule("x: count(5xx)\t\xc3\xa9 > 1");
  ASSERT_FALSE(accented);
  EXPECT_EQ(accented.error(),
            "column 15: unexpected character '\xc3\xa9' (U+00E9, bytes \\xc3\\xa9)\n"
            "  x: count(5xx)\t\xc3\xa9 > 1\n"
            "  " +
                std::string(13, ' ') + "\t^");

  auto wide = parse_alert_rule("x: count(endpoint == \"\xe6\x97\xa5\xe6\x9c\xac\") $");
  ASSERT_FALSE(wide);
  EXPECT_EQ(wide.error(),
            "column 28: unexpected character '$'\n"
            "  x: count(endpoint == \"\xe6\x97\xa5\xe6\x9c\xac\") $\n"
            "  " +
                std::string(27, ' ') + "^");

  // A byte that is not UTF-8 inside a string is shown as \xff, four cells wide.
  auto invalid = parse_alert_rule("x: count(endpoint == \"\xff\") $");
  ASSERT_FALSE(invalid);
  EXPECT_EQ(invalid.error(),
            "column 27: unexpected character '$'\n"
            "  x: count(endpoint == \"\\xff\") $\n"
            "  " +
                std::string(29, ' ') + "^");

  auto lone = parse_alert_rule("x: count(5xx) \xc3 > 1");
  ASSERT_FALSE(lone);
  EXPECT_EQ(lone.error().substr(0, lone.error().find('\n')),
            "column 15: unexpected character \\xc3 (not UTF-8)");
  auto control = parse_alert_rule("x: count(5xx) \x1b[31m > 1");
  ASSERT_FALSE(control);
  EXPECT_EQ(control.error(),
            "column 15: unexpected character \\x1b (a control character)\n"
            "  x: count(5xx) \\x1b[31m > 1\n"
            "  " +
                std::string(14, ' ') + "^");
  // What follows "found" is escaped too.
  auto found = parse_alert_rule("x: count(method \"\x1b\") > 1");
  ASSERT_FALSE(found);
  EXPECT_EQ(found.error().find('\x1b'), std::string::npos) << found.error();
  EXPECT_NE(found.error().find("found '\"\\x1b\"'"), std::string::npos) << found.error();
}

TEST(AlertRule, DeepNestingIsAnErrorNotAStackOverflow) {
  std::string text = "deep: count(" + std::string(10000, '(') + "5xx" + std::string(10000, ')') + ") > 1";
  auto rule = parse_alert_rule(text);
  ASSERT_FALSE(rule);
  EXPECT_NE(rule.error().find("nests too deeply"), std::string::npos);
}

TEST(AlertRule, RulesFileSkipsCommentsAndNamesTheLineOfAnError) {
  auto rules = parse_alert_rules_file(
      "# errors\n\nerrors: rate(5xx) > 0.05\r\n  # indented comment\nnf: count(status == 404) > 3\n",
      "rules.txt");
  ASSERT_TRUE(rules) << rules.error();
  ASSERT_EQ(rules.value().size(), 2u);
  EXPECT_EQ(rules.value()[1].name, "nf");
  auto bad = parse_alert_rules_file("ok: count(5xx) > 1\nbad: count(5xx) >\n", "rules.txt");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error().rfind("rules.txt: line 2: column ", 0), 0u) << bad.error();
}

TEST(AlertRule, RulesFileTakesACommentAfterARuleButNotInsideAString) {
  auto rules = parse_alert_rules_file(
      "errors: rate(5xx) > 0.05   # page someone\n"
      "hash: count(endpoint ~ \"#top$\" or endpoint == \"/a\\\"#\\\\\") > 1 # a \"quoted\" # comment\n",
      "rules.txt");
  ASSERT_TRUE(rules) << rules.error();
  ASSERT_EQ(rules.value().size(), 2u);
  EXPECT_EQ(rules.value()[0].expression(), "rate(5xx) > 0.05");
  EXPECT_EQ(rules.value()[0].origin, "rules.txt: line 1");
  const AlertRule& hash = rules.value()[1];
  ASSERT_EQ(hash.patterns.size(), 1u);
  EXPECT_EQ(hash.patterns[0], "#top$");
  EXPECT_EQ(hash.expression(), R"x(count(endpoint ~ "#top$" or endpoint == "/a\"#\\") > 1)x");
  LineFacts line;
  line.endpoint = R"x(/a"#\)x";
  EXPECT_TRUE(hash.matches(line));
  // The error of a rule with a comment points into the rule, the comment gone from the echo.
  auto bad = parse_alert_rules_file("x: count(5xx) >> 1  # bad\n", "rules.txt");
  ASSERT_FALSE(bad);
  EXPECT_EQ(bad.error(),
            "rules.txt: line 1: column 16: expected a number as the threshold, found '>'\n"
            "  x: count(5xx) >> 1\n"
            "  " +
                std::string(15, ' ') + "^");
}

TEST(AlertRule, ADuplicateNameInARulesFileNamesBothLines) {
  auto rules = parse_alert_rules_file(
      "a: count(5xx) > 1\n# x\nb: count(4xx) > 1\na: count(status == 404) > 2\n", "rules.txt");
  ASSERT_FALSE(rules);
  EXPECT_EQ(rules.error(),
            "rules.txt: line 4: a rule named 'a' is already on line 1 (rule names must differ)");
}

TEST(AlertRule, ADelayComesAfterAWindowAndIsADuration) {
  expect_error_at("d: count(5xx) delay 2m > 1", 15, "comparison");
  expect_error_at("d: count(5xx) over 5m delay > 1", 29, "duration after 'delay'");
  expect_error_at("d: count(5xx) over 5m delay 2 > 1", 31, "s, m, h or d");
  expect_error_at("d: count(5xx) over 5m delay 8000000s > 1", 29, "at most 7 days");
}

}  // namespace
}  // namespace logstream
