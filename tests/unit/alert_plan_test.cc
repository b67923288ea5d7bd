// The alert rules as a plan of the query engine, at set-up: each rule's condition as SQL (two-valued
// atoms), a pattern Hyperscan refuses pointed at in its rule's text, and a rule the log format cannot
// answer (it lacks the column the rule reads) refused before anything runs.
#include "stages/alerts/alert_plan.h"

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

Expected<std::optional<AlertPlan>> plan_for(const FormatOptions& format, const std::vector<AlertRule>& all) {
  auto parser = ChunkParser::create(format);
  EXPECT_TRUE(parser) << parser.error();
  AlertPlanInput input;
  input.logs = &parser.value().schema();
  input.format_label = "--format " + format.format + " ('" + format.log_format + "')";
  return compile_alert_plan(all, input);
}

Expected<std::optional<AlertPlan>> plan_for(const std::string& log_format,
                                            std::initializer_list<std::string_view> texts) {
  return plan_for(FormatOptions{"custom", log_format}, rules(texts));
}

TEST(AlertPlan, ConditionsBecomeTwoValuedSqlWithTheirStringsEscaped) {
  EXPECT_EQ(condition_sql(rules({"a: count(5xx) > 0"})[0]), "coalesce(status BETWEEN 500 AND 599, false)");
  EXPECT_EQ(
      condition_sql(
          rules({R"x(b: count(not status == 200 and (method == "it's" or endpoint ~ "\.css$")) > 0)x"})[0]),
      R"x(((NOT coalesce(status BETWEEN 200 AND 200, false)) AND (coalesce(method = 'it\'s', false) OR coalesce(endpoint RLIKE '\\.css$', false))))x");
}

TEST(AlertPlan, RulesOnTheStatusAloneNeedNoPlan) {
  auto plan =
      plan_for(FormatOptions{"combined", ""}, rules({"s: count(5xx) > 0", "r: rate(status == 404) > 0.5"}));
  ASSERT_TRUE(plan) << plan.error();
  EXPECT_FALSE(plan.value().has_value());
}

TEST(AlertPlan, OneCountPerRuleAndTheQuerysPatternsKeepTheirIds) {
  auto parser = ChunkParser::create(FormatOptions{"combined", ""}).value();
  AlertPlanInput input;
  input.logs = &parser.schema();
  input.format_label = "--format combined";
  input.query_patterns = {{"^/query", 0, false}};
  const auto all =
      rules({R"x(a: count(endpoint ~ "^/admin") > 0)x", "s: count(5xx) > 0",
             R"x(b: rate(endpoint ~ "^/query") over 5m > 0.5)x", R"x(c: count(endpoint ~ "^/admin") > 3)x"});
  auto plan = compile_alert_plan(all, input);
  ASSERT_TRUE(plan) << plan.error();
  ASSERT_TRUE(plan.value());
  const AlertPlanLayout& p = plan.value()->layout;
  const LogicalPlan& tallies = plan.value()->plan;
  EXPECT_TRUE(p.by_minute);
  ASSERT_EQ(tallies.patterns.size(), 2u);
  EXPECT_EQ(tallies.patterns[0].regex, "^/query") << "the query's pattern first, shared";
  EXPECT_EQ(tallies.patterns[1].regex, "^/admin");
  ASSERT_EQ(p.rule_column.size(), 4u);
  EXPECT_EQ(p.rule_column[1], -1) << "status-only: the status counts answer it";
  EXPECT_EQ(p.rule_column[0], p.rule_column[3]) << "the same condition is one aggregate";
  EXPECT_NE(p.rule_column[0], p.rule_column[2]);
  ASSERT_TRUE(p.time_column);
}

TEST(AlertPlan, APatternHyperscanRefusesGetsTheRulesColumnAndACaretUnderItsString) {
  const std::string text = R"x(broken: count(status >= 500 and endpoint ~ "(unclosed") > 0)x";
  auto bad = plan_for(FormatOptions{"combined", ""}, rules({"fine: count(endpoint ~ \"^/a\") > 0", text}));
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
}

TEST(AlertPlan, APatternErrorFromARulesFileNamesTheFileLineAndTheRightPattern) {
  auto parsed = parse_alert_rules_file(
      "ok: count(endpoint ~ \"^/a\") > 0\n"
      "bad: count(endpoint ~ \"x\" or endpoint ~ \"\\?\" or endpoint ~ \"*\") > 0  # the third\n",
      "r.txt");
  ASSERT_TRUE(parsed) << parsed.error();
  auto bad = plan_for(FormatOptions{"combined", ""}, parsed.value());
  ASSERT_FALSE(bad);
  const std::string text = R"x(bad: count(endpoint ~ "x" or endpoint ~ "\?" or endpoint ~ "*") > 0)x";
  const size_t quote = text.rfind("\"*\"");
  EXPECT_EQ(bad.error().rfind("r.txt: line 2: column " + std::to_string(quote + 1) +
                                  ": rule 'bad': endpoint pattern \"*\" does not compile",
                              0),
            0u)
      << bad.error();
}

TEST(AlertPlan, RegexEscapesCompileAsTyped) {
  auto set = plan_for(FormatOptions{"combined", ""},
                      rules({R"x(q: count(endpoint ~ "\?" or endpoint ~ "\d+\.css$") > 0)x"}));
  EXPECT_TRUE(set) << set.error();
}

TEST(AlertPlan, ARuleTheFormatCannotAnswerIsRefusedUpFront) {
  auto no_time = plan_for("%h %s", {"w: count(5xx) over 5m > 0"});
  ASSERT_FALSE(no_time);
  EXPECT_NE(no_time.error().find("alert rule 'w' reads the time of each line"), std::string::npos)
      << no_time.error();
  EXPECT_NE(no_time.error().find("'%h %s'"), std::string::npos) << no_time.error();
  auto no_request = plan_for("%h %t %>s", {"e: count(endpoint ~ \"^/a\") > 0"});
  ASSERT_FALSE(no_request);
  EXPECT_NE(no_request.error().find("'e' reads the endpoint (from the request line, %r)"), std::string::npos)
      << no_request.error();
  auto no_method = plan_for("%h %t %>s", {"m: count(not method == \"GET\") > 0"});
  ASSERT_FALSE(no_method);
  EXPECT_NE(no_method.error().find("'m' reads the method"), std::string::npos) << no_method.error();
  auto no_host = plan_for("%t \"%r\" %>s", {"h: count(host != \"10.0.0.1\") > 0"});
  ASSERT_FALSE(no_host);
  EXPECT_NE(no_host.error().find("'h' reads the client host (%h)"), std::string::npos) << no_host.error();

  EXPECT_TRUE(plan_for("%h %s", {"s: count(5xx) > 0", "r: rate(status == 404) > 0.5"}));
  EXPECT_TRUE(plan_for("%t \"%r\" %>s", {"e: count(endpoint ~ \"^/a\" and method == \"GET\") over 5m > 0"}));
  for (const char* name : {"auto", "common", "combined", "vhost_combined", "nginx"}) {
    auto plan =
        plan_for(FormatOptions{name, ""},
                 rules({R"x(all: count(endpoint ~ "\d" and method == "GET" and host == "h") over 1h > 0)x"}));
    EXPECT_TRUE(plan) << name << ": " << plan.error();
  }
}

TEST(AlertPlan, SparkSeedAnswersFieldRulesButNotWindowsOnItsTextTime) {
  EXPECT_TRUE(plan_for(FormatOptions{"spark-seed", ""}, rules({R"x(a: count(method == "GET") > 0)x"})));
  auto windowed = plan_for(FormatOptions{"spark-seed", ""}, rules({"w: count(5xx) over 5m > 0"}));
  ASSERT_FALSE(windowed);
  EXPECT_NE(windowed.error().find("gives the time as text"), std::string::npos) << windowed.error();
}

}  // namespace
}  // namespace logstream
