// Alert evaluation: values per batch and per sliding event-time window, each state change reported once,
// and the rules' conditions run by the query engine (Hyperscan patterns included) agreeing with a direct
// count of the lines.
#include "stages/alerts/alert_engine.h"

#include <gtest/gtest.h>

#include "stages/execution/query_executor.h"
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

std::vector<AlertEvent> status_batch(AlertEngine& engine, uint64_t id, const LineCounts& counts) {
  return engine.on_batch(id, counts, nullptr, INT64_MAX);
}

TEST(AlertEngine, FiringIsReportedOnceThenResolvedOnce) {
  AlertEngine engine(rules({"errors: rate(status >= 500) > 0.05"}));
  EXPECT_TRUE(status_batch(engine, 0, batch_with({{200, 99}, {500, 1}})).empty()) << "1% is below 5%";
  const auto fired = status_batch(engine, 1, batch_with({{200, 90}, {503, 10}}));
  ASSERT_EQ(states(fired), (std::vector<std::string>{"errors:firing"}));
  EXPECT_DOUBLE_EQ(fired[0].value, 0.1);
  EXPECT_EQ(fired[0].batch_id, 1u);
  EXPECT_FALSE(fired[0].window);
  EXPECT_TRUE(status_batch(engine, 2, batch_with({{500, 10}})).empty()) << "still firing: not repeated";
  EXPECT_EQ(states(status_batch(engine, 3, batch_with({{200, 10}}))),
            (std::vector<std::string>{"errors:resolved"}));
  EXPECT_TRUE(engine.any_fired());
  EXPECT_EQ(engine.statuses()[0].state, AlertState::kInactive);
}

TEST(AlertEngine, ForNBatchesGoesThroughPending) {
  AlertEngine engine(rules({"nf: count(status == 404) > 2 for 3 batches"}));
  EXPECT_EQ(states(status_batch(engine, 0, batch_with({{404, 3}}))),
            (std::vector<std::string>{"nf:pending"}));
  EXPECT_TRUE(status_batch(engine, 1, batch_with({{404, 5}})).empty());
  EXPECT_EQ(states(status_batch(engine, 2, batch_with({{404, 3}}))), (std::vector<std::string>{"nf:firing"}));
  // A pending rule whose condition clears is resolved without ever firing; the streak starts over.
  AlertEngine other(rules({"nf: count(status == 404) > 2 for 2 batches"}));
  status_batch(other, 0, batch_with({{404, 3}}));
  EXPECT_EQ(states(status_batch(other, 1, batch_with({{404, 1}}))),
            (std::vector<std::string>{"nf:resolved"}));
  EXPECT_EQ(states(status_batch(other, 2, batch_with({{404, 3}}))), (std::vector<std::string>{"nf:pending"}));
  EXPECT_FALSE(other.any_fired());
}

TEST(AlertEngine, ARateWithoutLinesLeavesTheStateAlone) {
  AlertEngine engine(rules({"errors: rate(5xx) > 0.5"}));
  status_batch(engine, 0, batch_with({{500, 1}}));
  EXPECT_TRUE(status_batch(engine, 1, LineCounts{}).empty());
  EXPECT_EQ(engine.statuses()[0].state, AlertState::kFiring);
}

// A combined line with a given status, endpoint, method and time on 10/Oct/2000 13:MM:SS (UTC).
std::string combined_line(int status, const std::string& endpoint, const std::string& method, int minute,
                          int second = 36) {
  char time[64];
  std::snprintf(time, sizeof time, "[10/Oct/2000:13:%02d:%02d +0000]", minute, second);
  return "10.0.0.1 - - " + std::string(time) + " \"" + method + " " + endpoint + " HTTP/1.0\" " +
         std::to_string(status) + " 100 \"-\" \"agent\"\n";
}

constexpr int64_t kTenOctober2000 = 971182800;  // 2000-10-10T13:00:00Z, seconds

// The rules' plan run by the query engine beside the seed's query, one chunk per batch, as the pipeline
// runs it.
class EngineHarness {
 public:
  explicit EngineHarness(std::vector<AlertRule> all, int64_t default_delay_us = 60'000'000)
      : parser_(ChunkParser::create(FormatOptions{"combined", ""}).value()), engine_(all) {
    AlertPlanInput input;
    input.logs = &parser_.schema();
    input.format_label = "--format combined";
    auto alert_plan = compile_alert_plan(all, input);
    EXPECT_TRUE(alert_plan) << alert_plan.error();
    std::optional<LogicalPlan> tallies;
    std::optional<AlertPlanLayout> layout;
    if (alert_plan.value()) {
      layout = alert_plan.value()->layout;
      tallies.emplace(std::move(alert_plan.value()->plan));
    }
    engine_.use_plan(layout, default_delay_us);
    auto query = analyze_group_by_shorthand({}, parser_.schema(), AnalyzerOptions{});
    EXPECT_TRUE(query) << query.error();
    executor_ = QueryExecutor::create(std::move(query).value(), parser_, OutputMode::kComplete, true, true,
                                      std::move(tallies))
                    .value();
    context_ = executor_->make_context().value();
  }

  std::vector<AlertEvent> batch(uint64_t id, const std::string& text, int64_t latest_trusted = INT64_MAX) {
    QueryExecutor::BatchState state(executor_->functions(), executor_->tally_functions());
    Chunk chunk(text.size() + 1);
    std::copy(text.begin(), text.end(), chunk.data());
    chunk.size = text.size();
    ChunkResult out;
    executor_->process(*context_, chunk, out);
    EXPECT_EQ(chunk.scan_error, 0);
    state.take_spilled(out);
    state.take_partial(*context_);
    return engine_.on_batch(id, chunk.counts, state.tallies(), latest_trusted);
  }
  AlertEngine& engine() { return engine_; }

 private:
  ChunkParser parser_;
  AlertEngine engine_;
  std::unique_ptr<QueryExecutor> executor_;
  std::unique_ptr<QueryExecutor::Context> context_;
};

TEST(AlertEngine, RulesOnFieldsRunOnTheEngineAndAgreeWithADirectCount) {
  EngineHarness harness(rules({
      R"x(admin: count(endpoint ~ "^/admin" and not 2xx) > 0)x", R"x(posts: count(method == "POST") > 1)x",
      R"x(span: count(endpoint ~ "x[^y]*z") > 0)x",  // within one endpoint, never across two
      "errors: rate(5xx) > 0.5",
      R"x(either: rate(endpoint ~ "^/admin" or endpoint ~ "z$") >= 0.5)x",  // two patterns, one value
  }));
  const std::string text =
      combined_line(403, "/admin/login", "POST", 1) + combined_line(200, "/admin/ok", "GET", 1) +
      combined_line(404, "/public/admin", "POST", 2) + combined_line(500, "/x-no", "GET", 2) +
      combined_line(200, "/no-z", "GET", 3) + combined_line(200, "/xaz", "GET", 3);
  EXPECT_EQ(states(harness.batch(0, text)),
            (std::vector<std::string>{"admin:firing", "posts:firing", "span:firing", "either:firing"}));
  const auto& s = harness.engine().statuses();
  EXPECT_DOUBLE_EQ(s[0].value, 1);  // only /admin/login (403)
  EXPECT_DOUBLE_EQ(s[1].value, 2);
  EXPECT_DOUBLE_EQ(s[2].value, 1) << "x...z only inside /xaz";
  EXPECT_DOUBLE_EQ(s[3].value, 1.0 / 6);
  EXPECT_DOUBLE_EQ(s[4].value, 4.0 / 6) << "/admin/login, /admin/ok, /no-z, /xaz";
}

TEST(AlertEngine, ASlidingWindowIsJudgedOnceWhenFinalOnItsWorstValue) {
  EngineHarness harness(rules({"burst: count(5xx) over 2m delay 0s > 2"}));
  // 13:01: two errors. The first window that starts at the first minute seen ends at 13:03: not final.
  EXPECT_TRUE(
      harness.batch(0, combined_line(500, "/", "GET", 1) + combined_line(500, "/", "GET", 1)).empty());
  EXPECT_FALSE(harness.engine().statuses()[0].evaluated);
  // 13:03:36: the window [13:01, 13:03) is final and holds 2: judged, not above 2.
  EXPECT_TRUE(harness.batch(1, combined_line(500, "/", "GET", 3)).empty());
  EXPECT_TRUE(harness.engine().statuses()[0].evaluated);
  EXPECT_DOUBLE_EQ(harness.engine().statuses()[0].value, 2);
  // Two more in 13:04 and a line at 13:05 finish [13:02, 13:04) (1) and [13:03, 13:05) (3): the worst fires.
  const auto fired = harness.batch(2, combined_line(502, "/", "GET", 4) + combined_line(503, "/", "GET", 4) +
                                          combined_line(200, "/", "GET", 5));
  ASSERT_EQ(states(fired), (std::vector<std::string>{"burst:firing"}));
  EXPECT_DOUBLE_EQ(fired[0].value, 3);
  ASSERT_TRUE(fired[0].window);
  EXPECT_EQ(fired[0].window->start, (kTenOctober2000 + 3 * 60) * 1'000'000);
  EXPECT_EQ(fired[0].window->end, (kTenOctober2000 + 5 * 60) * 1'000'000);
  // A line from 13:01 is late: every window that could take it has been judged.
  EXPECT_TRUE(harness.batch(3, combined_line(500, "/", "GET", 1)).empty());
  EXPECT_EQ(harness.engine().late_lines(), 1u);
  // A batch that finishes no window leaves the rule alone; one that finishes a quiet one resolves it.
  EXPECT_TRUE(harness.batch(4, combined_line(200, "/", "GET", 5, 50)).empty());
  EXPECT_EQ(states(harness.batch(5, combined_line(200, "/", "GET", 9))),
            (std::vector<std::string>{"burst:resolved"}));
}

TEST(AlertEngine, AWindowWaitsForItsDelayAndALessThanRuleSeesQuietWindows) {
  // The default delay (a minute here): 13:05:36 less 1m finishes windows through 13:04 only.
  EngineHarness harness(rules({"quiet: count(status == 200) over 1m < 1"}));
  const auto fired = harness.batch(0, combined_line(200, "/", "GET", 1) + combined_line(200, "/", "GET", 5));
  ASSERT_EQ(states(fired), (std::vector<std::string>{"quiet:firing"}));
  ASSERT_TRUE(fired[0].window);
  EXPECT_EQ(fired[0].window->start, (kTenOctober2000 + 2 * 60) * 1'000'000) << "the first quiet window";
  // [13:01, 13:02) holds 1; [13:02, 13:03) and [13:03, 13:04) hold none: the worst is 0. The minute of
  // 13:05 is not judged yet.
  const AlertStatus& status = harness.engine().statuses()[0];
  ASSERT_TRUE(status.evaluated);
  EXPECT_DOUBLE_EQ(status.value, 0);
  EXPECT_EQ(status.state, AlertState::kFiring);
}

TEST(AlertEngine, UntrustedTimesOpenNoWindowAndMoveNothing) {
  EngineHarness harness(rules({"burst: count(5xx) over 2m delay 0s > 0"}));
  // The wall clock (as the caller gives it) is before these lines: their time is not trusted.
  const int64_t before = kTenOctober2000 * 1'000'000;
  EXPECT_TRUE(harness.batch(0, combined_line(500, "/", "GET", 1) + combined_line(500, "/", "GET", 9), before)
                  .empty());
  EXPECT_EQ(harness.engine().untrusted_lines(), 2u);
  EXPECT_EQ(harness.engine().window_memory().latest_time, INT64_MIN);
  EXPECT_TRUE(harness.engine().window_memory().panes.empty());
}

TEST(AlertEngine, WindowMemoryRestoredGoesOnAsIfNeverStopped) {
  const auto all = rules({"burst: count(5xx) over 2m delay 0s > 2", "per: count(method == \"GET\") > 100"});
  EngineHarness straight(all), first(all), second(all);
  const std::string a = combined_line(500, "/", "GET", 1) + combined_line(500, "/", "GET", 2);
  const std::string b = combined_line(500, "/", "GET", 2) + combined_line(200, "/", "GET", 4);
  straight.batch(0, a);
  const auto expected = states(straight.batch(1, b));
  first.batch(0, a);
  second.engine().restore_windows(first.engine().window_memory());
  for (size_t i = 0; i < all.size(); ++i) second.engine().restore(i, first.engine().memory(i));
  EXPECT_EQ(states(second.batch(1, b)), expected);
  EXPECT_EQ(expected, (std::vector<std::string>{"burst:firing"}));
}

}  // namespace
}  // namespace logstream
