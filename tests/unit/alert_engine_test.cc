// Alert evaluation: values per batch and per window, each state change reported once, and the per-line
// rules counted on the parse stage (Hyperscan endpoint patterns included) agreeing with a direct count.
#include "stages/alerts/alert_engine.h"

#include <gtest/gtest.h>

#include "stages/parser/chunk_parser.h"

namespace logstream {
namespace {

std::vector<AlertRule> rules(std::initializer_list<std::string_view> texts) {
  std::vector<AlertRule> out;
  for (std::string_view text : texts) out.push_back(parse_alert_rule(text).value());
  return out;
}

LineCounts batch_with(std::initializer_list<std::pair<int, uint64_t>> statuses) {
  LineCounts counts;
  for (const auto& [status, n] : statuses) {
    counts.status[static_cast<size_t>(status)] += n;
    counts.lines_read += n;
  }
  return counts;
}

std::vector<std::string> states(const std::vector<AlertEvent>& events) {
  std::vector<std::string> out;
  for (const AlertEvent& e : events) out.push_back(e.rule->name + ":" + e.state);
  return out;
}

TEST(AlertEngine, FiringIsReportedOnceThenResolvedOnce) {
  AlertEngine engine(rules({"errors: rate(status >= 500) > 0.05"}), nullptr);
  EXPECT_TRUE(engine.on_batch(0, batch_with({{200, 99}, {500, 1}})).empty()) << "1% is below 5%";
  const auto fired = engine.on_batch(1, batch_with({{200, 90}, {503, 10}}));
  ASSERT_EQ(states(fired), (std::vector<std::string>{"errors:firing"}));
  EXPECT_DOUBLE_EQ(fired[0].value, 0.1);
  EXPECT_EQ(fired[0].batch_id, 1u);
  EXPECT_TRUE(engine.on_batch(2, batch_with({{500, 10}})).empty()) << "still firing: not repeated";
  EXPECT_EQ(states(engine.on_batch(3, batch_with({{200, 10}}))),
            (std::vector<std::string>{"errors:resolved"}));
  EXPECT_TRUE(engine.any_fired());
  EXPECT_EQ(engine.statuses()[0].state, AlertState::kInactive);
}

TEST(AlertEngine, ForNBatchesGoesThroughPending) {
  AlertEngine engine(rules({"nf: count(status == 404) > 2 for 3 batches"}), nullptr);
  EXPECT_EQ(states(engine.on_batch(0, batch_with({{404, 3}}))), (std::vector<std::string>{"nf:pending"}));
  EXPECT_TRUE(engine.on_batch(1, batch_with({{404, 5}})).empty());
  EXPECT_EQ(states(engine.on_batch(2, batch_with({{404, 3}}))), (std::vector<std::string>{"nf:firing"}));
  // A pending rule whose condition clears is resolved without ever firing; the streak starts over.
  AlertEngine other(rules({"nf: count(status == 404) > 2 for 2 batches"}), nullptr);
  other.on_batch(0, batch_with({{404, 3}}));
  EXPECT_EQ(states(other.on_batch(1, batch_with({{404, 1}}))), (std::vector<std::string>{"nf:resolved"}));
  EXPECT_EQ(states(other.on_batch(2, batch_with({{404, 3}}))), (std::vector<std::string>{"nf:pending"}));
  EXPECT_FALSE(other.any_fired());
}

TEST(AlertEngine, ARateWithoutLinesLeavesTheStateAlone) {
  AlertEngine engine(rules({"errors: rate(5xx) > 0.5"}), nullptr);
  engine.on_batch(0, batch_with({{500, 1}}));
  EXPECT_TRUE(engine.on_batch(1, LineCounts{}).empty());
  EXPECT_EQ(engine.statuses()[0].state, AlertState::kFiring);
}

// Combined lines with a given status, endpoint, method and minute of 10/Oct/2000.
std::string combined_line(int status, const std::string& endpoint, const std::string& method, int minute) {
  char time[64];
  std::snprintf(time, sizeof time, "[10/Oct/2000:13:%02d:36 -0700]", minute);
  return "10.0.0.1 - - " + std::string(time) + " \"" + method + " " + endpoint + " HTTP/1.0\" " +
         std::to_string(status) + " 100 \"-\" \"agent\"\n";
}

LineCounts parse_chunk(const ChunkParser& parser, const std::string& text) {
  auto context = parser.make_context().value();
  Chunk chunk(text.size() + 1);
  std::copy(text.begin(), text.end(), chunk.data());
  chunk.size = text.size();
  parser.process(context, chunk);
  return chunk.counts;
}

TEST(AlertEngine, PerLineRulesUseOneHyperscanScanAndAgreeWithADirectCount) {
  const auto all = rules({
      R"x(admin: count(endpoint ~ "^/admin" and not 2xx) > 0)x",
      R"x(posts: count(method == "POST") > 1)x",
      R"x(span: count(endpoint ~ "x[^y]*z") > 0)x",  // a negated class could run across two endpoints
      "errors: rate(5xx) > 0.5",
  });
  auto line_rules = LineRules::create(all).value();
  EXPECT_EQ(line_rules->slot_of(3), -1) << "status-only: counted from the table";
  const ChunkParser parser = ChunkParser::create(FormatOptions{"combined", ""}, line_rules).value();
  std::string text = combined_line(403, "/admin/login", "POST", 1) +
                     combined_line(200, "/admin/ok", "GET", 1) +
                     combined_line(404, "/public/admin", "POST", 2) + combined_line(500, "/x-no", "GET", 2) +
                     combined_line(200, "/no-z", "GET", 3) + combined_line(200, "/xaz", "GET", 3);
  const LineCounts counts = parse_chunk(parser, text);
  EXPECT_EQ(counts.rule_matches[0], 1u);  // only /admin/login (403)
  EXPECT_EQ(counts.rule_matches[1], 2u);
  EXPECT_EQ(counts.rule_matches[2], 1u) << "x...z only inside /xaz, never from /x-no across to /no-z";
  AlertEngine engine(all, line_rules);
  EXPECT_EQ(states(engine.on_batch(0, counts)),
            (std::vector<std::string>{"admin:firing", "posts:firing", "span:firing"}));
}

TEST(AlertEngine, WindowsCountTheTrailingMinutesOfEventTime) {
  const auto all = rules({"burst: count(5xx) over 2m > 2"});
  auto line_rules = LineRules::create(all).value();
  const ChunkParser parser = ChunkParser::create(FormatOptions{"combined", ""}, line_rules).value();
  AlertEngine engine(all, line_rules);
  // Minute 1: two errors; minute 3: one error. A 2-minute window at minute 3 sees only minutes 2..3.
  EXPECT_TRUE(engine
                  .on_batch(0, parse_chunk(parser, combined_line(500, "/", "GET", 1) +
                                                       combined_line(500, "/", "GET", 1)))
                  .empty());
  EXPECT_TRUE(engine.on_batch(1, parse_chunk(parser, combined_line(500, "/", "GET", 3))).empty());
  EXPECT_DOUBLE_EQ(engine.statuses()[0].value, 1);
  // Two more in minute 4: the window (minutes 3..4) holds three.
  EXPECT_EQ(states(engine.on_batch(2, parse_chunk(parser, combined_line(502, "/", "GET", 4) +
                                                              combined_line(503, "/", "GET", 4)))),
            (std::vector<std::string>{"burst:firing"}));
  // A late line (minute 2) still counts if it falls inside the window of the newest time.
  EXPECT_TRUE(engine.on_batch(3, parse_chunk(parser, combined_line(200, "/", "GET", 2))).empty());
  EXPECT_DOUBLE_EQ(engine.statuses()[0].value, 3);
}

TEST(AlertEngine, PatternsHyperscanCannotCompileAreErrorsNamingTheRule) {
  auto bad = LineRules::create(rules({R"rule(broken: count(endpoint ~ "(unclosed") > 0)rule"}));
  ASSERT_FALSE(bad);
  EXPECT_NE(bad.error().find("rule 'broken'"), std::string::npos) << bad.error();
  EXPECT_NE(bad.error().find("(unclosed"), std::string::npos) << bad.error();
}

TEST(AlertEngine, SparkSeedRefusesRulesThatNeedFields) {
  auto line_rules = LineRules::create(rules({R"x(a: count(method == "GET") > 0)x"})).value();
  auto parser = ChunkParser::create(FormatOptions{"spark-seed", ""}, line_rules);
  ASSERT_FALSE(parser);
  EXPECT_NE(parser.error().find("need a format with fields"), std::string::npos) << parser.error();
}

}  // namespace
}  // namespace logstream
