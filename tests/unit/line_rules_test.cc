// The per-line rules at set-up: a pattern Hyperscan refuses is pointed at in its rule's text, and a rule
// the log format cannot answer (it lacks the field the rule reads) is refused before anything runs.
#include "stages/alerts/line_rules.h"

#include <gtest/gtest.h>

#include "stages/parser/chunk_parser.h"

namespace logstream {
namespace {

std::vector<AlertRule> rules(std::initializer_list<std::string_view> texts) {
  std::vector<AlertRule> out;
  for (std::string_view text : texts) {
    auto rule = parse_alert_rule(text);
    EXPECT_TRUE(rule) << text << (rule ? "" : "\n" + rule.error());
    if (rule) out.push_back(std::move(rule).value());
  }
  return out;
}

TEST(LineRules, APatternHyperscanRefusesGetsTheRulesColumnAndACaretUnderItsString) {
  const std::string text = R"x(broken: count(status >= 500 and endpoint ~ "(unclosed") > 0)x";
  auto bad = LineRules::create(rules({"fine: count(endpoint ~ \"^/a\") > 0", text}));
  ASSERT_FALSE(bad);
  const size_t quote = text.find('"');
  EXPECT_EQ(bad.error().rfind("column " + std::to_string(quote + 1) +
                                  ": rule 'broken': endpoint pattern \"(unclosed\" does not compile: ",
                              0),
            0u)
      << bad.error();
  EXPECT_NE(bad.error().find("Missing close parenthesis"), std::string::npos) << bad.error();
  EXPECT_NE(bad.error().find("\n  " + text + "\n  " + std::string(quote, ' ') + "^"), std::string::npos)
      << bad.error();
  EXPECT_EQ(bad.error().back(), '^');
}

TEST(LineRules, APatternErrorFromARulesFileNamesTheFileLineAndTheRightPattern) {
  auto parsed = parse_alert_rules_file(
      "ok: count(endpoint ~ \"^/a\") > 0\n"
      "bad: count(endpoint ~ \"x\" or endpoint ~ \"\\?\" or endpoint ~ \"*\") > 0  # the third\n",
      "r.txt");
  ASSERT_TRUE(parsed) << parsed.error();
  auto bad = LineRules::create(parsed.value());
  ASSERT_FALSE(bad);
  const std::string text = R"x(bad: count(endpoint ~ "x" or endpoint ~ "\?" or endpoint ~ "*") > 0)x";
  const size_t quote = text.rfind("\"*\"");
  EXPECT_EQ(bad.error().rfind("r.txt: line 2: column " + std::to_string(quote + 1) +
                                  ": rule 'bad': endpoint pattern \"*\" does not compile",
                              0),
            0u)
      << bad.error();
  EXPECT_NE(bad.error().find("\n  " + text + "\n  " + std::string(quote, ' ') + "^"), std::string::npos)
      << bad.error();
}

TEST(LineRules, RegexEscapesCompileAsTyped) {
  auto set = LineRules::create(rules({R"x(q: count(endpoint ~ "\?" or endpoint ~ "\d+\.css$") > 0)x"}));
  EXPECT_TRUE(set) << set.error();
}

Expected<ChunkParser> parser_for(const std::string& log_format,
                                 std::initializer_list<std::string_view> texts) {
  auto line_rules = LineRules::create(rules(texts));
  EXPECT_TRUE(line_rules) << line_rules.error();
  return ChunkParser::create(FormatOptions{"custom", log_format}, line_rules.value());
}

TEST(LineRules, ARuleTheFormatCannotAnswerIsRefusedUpFront) {
  auto no_time = parser_for("%h %s", {"w: count(5xx) over 5m > 0"});
  ASSERT_FALSE(no_time);
  EXPECT_NE(no_time.error().find("alert rule 'w' reads the time of each line"), std::string::npos)
      << no_time.error();
  EXPECT_NE(no_time.error().find("'%h %s'"), std::string::npos) << no_time.error();

  auto no_request = parser_for("%h %t %>s", {"e: count(endpoint ~ \"^/a\") > 0"});
  ASSERT_FALSE(no_request);
  EXPECT_NE(no_request.error().find("'e' reads the endpoint (from the request line, %r)"), std::string::npos)
      << no_request.error();
  auto no_method = parser_for("%h %t %>s", {"m: count(not method == \"GET\") > 0"});
  ASSERT_FALSE(no_method);
  EXPECT_NE(no_method.error().find("'m' reads the method"), std::string::npos) << no_method.error();
  auto no_host = parser_for("%t \"%r\" %>s", {"h: count(host != \"10.0.0.1\") > 0"});
  ASSERT_FALSE(no_host);
  EXPECT_NE(no_host.error().find("'h' reads the client host (%h)"), std::string::npos) << no_host.error();

  // What the format has is enough; status rules without a window need nothing but the status.
  EXPECT_TRUE(parser_for("%h %s", {"s: count(5xx) > 0", "r: rate(status == 404) > 0.5"}));
  EXPECT_TRUE(
      parser_for("%t \"%r\" %>s", {"e: count(endpoint ~ \"^/a\" and method == \"GET\") over 5m > 0"}));
  for (const char* name : {"auto", "common", "combined", "vhost_combined", "nginx"}) {
    auto line_rules = LineRules::create(
        rules({R"x(all: count(endpoint ~ "\d" and method == "GET" and host == "h") over 1h > 0)x"}));
    ASSERT_TRUE(line_rules);
    auto parser = ChunkParser::create(FormatOptions{name, ""}, line_rules.value());
    EXPECT_TRUE(parser) << name << ": " << parser.error();
  }
}

}  // namespace
}  // namespace logstream
