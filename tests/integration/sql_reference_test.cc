// The query engine end to end against a reference that shares nothing with it but the plan: every shared
// log parsed line by line with std::regex (tests/support/log_reference.h), the query analyzed over those
// rows and run by the naive interpreter (run_plan_naively), a grouped result without ORDER BY put in
// Spark's hash-partition order; then the real binary's jsonl output compared row by row, for each query
// of a corpus, at chunk sizes 4K, 64K and 1M on 1 and 2 threads. Also what the console prints for the
// seed's query written as SQL and as --group-by.
#include <gtest/gtest.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <csignal>
#include <cstdlib>
#include <filesystem>
#include <map>
#include <regex>
#include <sstream>
#include <stdexcept>
#include <thread>

#include "stages/core/java_double.h"
#include "stages/core/spark_partitioning.h"
#include "stages/query/analyzer.h"
#include "stages/query/evaluate.h"
#include "stages/query/sql_parser.h"
#include "stages/sinks/row_text.h"
#include "stages/sinks/spark_value_text.h"
#include "tests/integration/cli_paths.h"
#include "tests/support/large_stack.h"
#include "tests/support/log_reference.h"
#include "tests/support/process_runner.h"
#include "tests/support/regex_matcher.h"
#include "tests/support/seed_reference.h"

namespace logstream::test_support {
namespace {

// ---- The inputs: each shared log in its own format and as spark-seed ---------------------------------

enum Input : unsigned {
  kElasticCombined = 1u << 0,
  kTwikiCommon = 1u << 1,
  kElasticSeed = 1u << 2,
  kTwikiSeed = 1u << 3,
};
constexpr unsigned kHttpd = kElasticCombined | kTwikiCommon;
constexpr unsigned kSeed = kElasticSeed | kTwikiSeed;
constexpr unsigned kAll = kHttpd | kSeed;
constexpr Input kInputs[] = {kElasticCombined, kTwikiCommon, kElasticSeed, kTwikiSeed};

std::string input_file(Input input) {
  return kSharedData +
         ((input & (kElasticCombined | kElasticSeed)) ? "/elastic-apache.log" : "/twiki-2004.log");
}

ReferenceFormat input_format(Input input) {
  switch (input) {
    case kElasticCombined:
      return ReferenceFormat::kCombined;
    case kTwikiCommon:
      return ReferenceFormat::kCommon;
    default:
      return ReferenceFormat::kSparkSeed;
  }
}

std::string input_name(Input input) {
  const std::string file = std::filesystem::path(input_file(input)).filename().string();
  return file + " as " + std::string(reference_format_name(input_format(input)));
}

// Parsed once per input and process: std::regex is the slow part of this test.
const ReferenceTable& reference(Input input) {
  static std::map<Input, ReferenceTable> tables;
  auto it = tables.find(input);
  if (it == tables.end())
    it = tables.emplace(input, reference_table(read_file(input_file(input)), input_format(input))).first;
  return it->second;
}

// ---- The reference result ----------------------------------------------------------------------------

struct SqlCase {
  const char* name;
  const char* sql;  // or the shorthands below
  unsigned inputs;
  const char* group_by = nullptr;
  const char* where = nullptr;
  const char* engine_bug = nullptr;  // set: the case is skipped with this text until the engine is fixed
  const char* zone = "UTC";          // the session time zone, --timezone
};

TimeZone session_zone(const SqlCase& c) {
  auto zone = TimeZone::load(c.zone);
  if (!zone) throw std::runtime_error(zone.error());
  return zone.value();
}

Expected<LogicalPlan> analyze_case(const SqlCase& c, const Schema& schema) {
  AnalyzerOptions options;
  options.session_zone = session_zone(c);
  if (c.sql == nullptr) {
    ShorthandQuery shorthand;
    if (c.group_by) shorthand.group_by = c.group_by;
    if (c.where) shorthand.where = c.where;
    return analyze_group_by_shorthand(shorthand, schema, options);
  }
  options.query_text = c.sql;
  auto statement = sql::parse_sql(c.sql);
  if (!statement) return Error{statement.error()};
  return analyze(statement.value(), schema, options);
}

struct ReferenceResult {
  std::vector<std::string> lines;  // as the jsonl sink writes them
  bool ordered = true;             // false: compare as a multiset (the keys are not all result columns)
};

std::vector<std::string> split_jsonl(const std::string& text) {
  std::vector<std::string> lines;
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) lines.push_back(line);
  return lines;
}

ReferenceResult reference_result(const LogicalPlan& plan, const ReferenceTable& table, uint64_t batch = 0) {
  const RegexMatcher matcher(plan);
  ResultRows rows;
  // RLIKE runs std::regex, which recurses per byte.
  run_on_large_stack([&] { rows = run_plan_naively(plan, table.rows, {&matcher, &spark_cast_text(), {}}); });
  ReferenceResult result;
  if (plan.grouped && plan.order_by.empty()) {
    // Spark's order: the partition of the grouping keys, then the keys ascending, null first.
    std::vector<size_t> key_columns;
    for (uint32_t k = 0; k < plan.keys.size(); ++k) {
      for (size_t i = 0; i < plan.output.size(); ++i) {
        const BoundExpr& e = *plan.projections[i];
        if (e.kind == BoundKind::kColumn && e.slot == Slot::kKey && e.column == k) {
          key_columns.push_back(i);
          break;
        }
      }
    }
    if (key_columns.size() != plan.keys.size()) {
      result.ordered = false;
    } else {
      auto keys_of = [&](const std::vector<Value>& row) {
        std::vector<Value> keys;
        for (size_t i : key_columns) keys.push_back(row[i]);
        return keys;
      };
      std::stable_sort(rows.begin(), rows.end(), [&](const auto& a, const auto& b) {
        const std::vector<Value> ka = keys_of(a), kb = keys_of(b);
        const int pa = spark_partition(ka), pb = spark_partition(kb);
        if (pa != pb) return pa < pb;
        for (size_t i = 0; i < ka.size(); ++i) {
          const auto order = compare_for_sort(ka[i], kb[i]);
          if (order != 0) return order < 0;
        }
        return false;
      });
    }
  }
  result.lines = split_jsonl(render_jsonl_rows(batch, plan.output, rows, plan.session_zone));
  return result;
}

// ---- The binary ----------------------------------------------------------------------------------------

std::vector<std::string> query_args(const SqlCase& c) {
  std::vector<std::string> args;
  if (c.sql) args.insert(args.end(), {"--sql", c.sql});
  if (c.group_by) args.insert(args.end(), {"--group-by", c.group_by});
  if (c.where) args.insert(args.end(), {"--where", c.where});
  return args;
}

// Differences between two jsonl results, at most a few, for the failure message.
std::string differences(const std::vector<std::string>& expected, const std::vector<std::string>& got) {
  std::ostringstream out;
  out << expected.size() << " rows expected, " << got.size() << " got";
  int shown = 0;
  for (size_t i = 0; i < std::max(expected.size(), got.size()) && shown < 4; ++i) {
    const std::string e = i < expected.size() ? expected[i] : "(none)";
    const std::string g = i < got.size() ? got[i] : "(none)";
    if (e == g) continue;
    out << "\n  row " << i << "\n    expected " << e << "\n    got      " << g;
    ++shown;
  }
  return out.str();
}

// ---- The corpus ----------------------------------------------------------------------------------------

const SqlCase kCorpus[] = {
    {"GroupByHost", "SELECT host, count(*) AS hits FROM logs GROUP BY host", kAll},
    {"GroupByMethod", "SELECT method, count(*) FROM logs GROUP BY method", kAll},
    {"GroupByEndpoint", "SELECT endpoint, count(*), sum(content_size) FROM logs GROUP BY endpoint", kAll},
    {"GroupByProtocol",
     "SELECT protocol, count(*), min(endpoint), max(endpoint), min(host) FROM logs GROUP BY protocol", kAll},
    {"GroupByStatusEveryAggregate",
     "SELECT status, count(*), count(content_size), sum(content_size), avg(content_size), "
     "min(content_size), max(content_size), approx_count_distinct(host), "
     "approx_count_distinct(content_size), max(timestamp) "
     "FROM logs GROUP BY status",
     kAll},
    {"GroupByContentSize", "SELECT content_size, count(*), min(status) FROM logs GROUP BY content_size",
     kAll},
    // Greenwald-Khanna sketches merged from any split of the input: with fewer values per group than the
    // accuracy (10000) they are exact, so every chunking must give the reference's answer. (With a small
    // accuracy the answer depends on how the input was split, in Spark too; aggregates_test checks the
    // rank error bound of merged sketches instead.)
    {"PercentilesPerMethodAndStatus",
     "SELECT method, status, percentile_approx(content_size, 0.5), percentile_approx(content_size, 0.9), "
     "approx_percentile(content_size, 0.99) AS p99 FROM logs GROUP BY method, status",
     kAll},
    {"GroupByUserAgent",
     "SELECT user_agent, count(*), approx_count_distinct(host) AS hosts FROM logs GROUP BY user_agent",
     kElasticCombined},
    {"GroupByTwoKeys", "SELECT method, status, count(*) FROM logs GROUP BY method, status", kAll},
    {"ShorthandGroupByAndWhere", nullptr, kAll, "method, status", "content_size IS NULL"},
    {"ShorthandWhereAloneCountsStatuses", nullptr, kAll, nullptr, "method = 'GET' AND content_size > 5000"},
    {"WhereEqualsNotEqualsAndOrNot",
     "SELECT method, status, count(*) FROM logs "
     "WHERE (method <> 'GET' OR status = 404) AND NOT protocol = 'HTTP/1.0' GROUP BY method, status",
     kAll},
    {"WhereLessGreaterInBetweenIsNull",
     "SELECT status, count(*), sum(content_size), count(content_size) FROM logs "
     "WHERE content_size < 1000 OR content_size >= 100000 OR status IN (304, 401, 404) "
     "OR (status BETWEEN 300 AND 403 AND content_size IS NULL) GROUP BY status",
     kAll},
    {"WhereLikeAndRlike",
     "SELECT method, status, count(*) FROM logs "
     "WHERE endpoint LIKE '%.png' OR endpoint LIKE '/twiki/bin/view/%' OR host LIKE '10.__.%' "
     "OR endpoint RLIKE '[.](css|js)$' GROUP BY method, status",
     kAll},
    {"RegexpExtractGroupsAndMisses",
     "SELECT regexp_extract(endpoint, '^/([a-z]+)/([a-z]*)', 1) AS top, regexp_extract(endpoint, "
     "'^/([a-z]+)/([a-z]*)', 2) AS second, regexp_extract(host, '^(\\d+)[.](\\d+)', 0) AS net, "
     "count(*) FROM logs WHERE endpoint RLIKE '^/[a-z]' OR host RLIKE '^6' GROUP BY 1, 2, 3",
     kAll},
    {"SplitParts",
     "SELECT split(endpoint, '/')[1] AS top, split(host, '\\\\.', 3)[2] AS tail, count(*) FROM logs "
     "GROUP BY 1, 2",
     kAll},
    {"Having",
     "SELECT host, count(*) AS hits, sum(content_size) AS bytes FROM logs GROUP BY host "
     "HAVING count(*) >= 20 AND sum(content_size) IS NOT NULL",
     kAll},
    {"OrderByLimit",
     "SELECT endpoint, count(*) AS hits FROM logs GROUP BY endpoint ORDER BY hits DESC, endpoint LIMIT 10",
     kAll},
    {"OrderByWithoutGrouping",
     "SELECT content_size, host FROM logs WHERE content_size IS NOT NULL "
     "ORDER BY content_size DESC, host LIMIT 7",
     kAll},
    {"OrderByNullsFirstDescending",
     "SELECT status, count(*) AS n FROM logs GROUP BY status ORDER BY status DESC NULLS FIRST", kAll},
    {"Distinct", "SELECT DISTINCT method, protocol FROM logs", kAll},
    {"WhereTimestampRange",
     "SELECT status, count(*) FROM logs WHERE timestamp BETWEEN '2015-05-18 12:00:00' AND "
     "'2015-05-19 00:00:00' OR timestamp < '2004-03-08 12:00:00' GROUP BY status",
     kHttpd},
    {"EmptyResult", "SELECT status, count(*) FROM logs WHERE status = 999 GROUP BY status", kAll},
    {"GlobalAggregate",
     "SELECT count(*), count(content_size), sum(content_size), avg(content_size), min(timestamp), "
     "max(timestamp), approx_count_distinct(endpoint), max(host) FROM logs",
     kAll},
    {"GlobalAggregateOverNoRows",
     "SELECT count(*), sum(content_size), avg(content_size), max(host) FROM logs WHERE status = 999", kAll},
    {"ProjectionWithFilter",
     "SELECT host, timestamp, method, endpoint, status, content_size, length(value) AS len FROM logs "
     "WHERE status >= 400 OR content_size IS NULL",
     kAll},
    {"CaseWhen",
     "SELECT CASE WHEN status >= 500 THEN 'server error' WHEN status >= 400 THEN 'client error' "
     "WHEN status IS NULL THEN 'none' ELSE 'ok' END AS class, count(*) FROM logs GROUP BY 1",
     kAll},
    {"StringFunctions",
     "SELECT lower(method) AS m, upper(protocol) AS p, length(endpoint) AS len, "
     "substring(endpoint, 1, 8) AS prefix, count(*) FROM logs "
     "GROUP BY lower(method), upper(protocol), length(endpoint), substring(endpoint, 1, 8)",
     kAll},
    {"HourOfTimestamp", "SELECT hour(timestamp) AS h, count(*) FROM logs GROUP BY hour(timestamp)", kHttpd},
    {"DateTruncHour",
     "SELECT date_trunc('HOUR', timestamp) AS t, count(*), min(timestamp), max(timestamp) FROM logs "
     "GROUP BY date_trunc('HOUR', timestamp)",
     kHttpd},
    {.name = "HourAndDayInASessionZone",
     .sql = "SELECT hour(timestamp) AS h, date_trunc('DAY', timestamp) AS d, count(*), min(timestamp) "
            "FROM logs GROUP BY 1, 2",
     .inputs = kHttpd,
     .zone = "America/Los_Angeles"},
    {"TumblingWindowByStatus",
     "SELECT window(timestamp, '10 minutes') AS w, status, count(*), sum(content_size) FROM logs "
     "GROUP BY window(timestamp, '10 minutes'), status",
     kHttpd},
    {"SlidingWindowWithStartHavingAndOrder",
     "SELECT window.start, window.end, count(*) AS n, approx_count_distinct(host) FROM logs "
     "GROUP BY window(timestamp, '1 hour', '20 minutes', '5 minutes') HAVING count(*) > 3 "
     "ORDER BY window.start DESC LIMIT 50",
     kHttpd},
    // Counts only: rows find their groups in probe batches; a key before a sliding window, so each row
    // adds to three windows after that key.
    {"CountsOfSlidingWindowsAfterAKey",
     "SELECT status, window.start, count(*), count(1) AS ones FROM logs "
     "GROUP BY status, window(timestamp, '30 minutes', '10 minutes')",
     kHttpd},
    {.name = "DailyWindowShownInASessionZone",
     .sql = "SELECT window(timestamp, '1 day'), method, count(*) FROM logs GROUP BY 1, 2",
     .inputs = kHttpd,
     .zone = "America/Los_Angeles"},
    {"SessionsByHost",
     "SELECT host, session_window(timestamp, '30 minutes') AS s, count(*), sum(content_size), "
     "min(timestamp), max(timestamp) FROM logs GROUP BY host, session_window(timestamp, '30 minutes')",
     kHttpd},
    {"SessionFieldsHavingAndOrder",
     "SELECT session_window.start, session_window.end, count(*) AS n FROM logs "
     "GROUP BY session_window(timestamp, '2 minutes') HAVING count(*) > 1 "
     "ORDER BY n DESC, session_window.start LIMIT 30",
     kHttpd},
    // The seed's timestamp is a string in its own layout, which a cast cannot read: no row has a time,
    // so none falls into a window.
    {"WindowOverTheSeedsStringTime",
     "SELECT window(timestamp, '1 hour'), count(*) FROM logs GROUP BY window(timestamp, '1 hour')", kSeed},
    {"DateTruncUnitsAndToDate",
     "SELECT date_trunc('WEEK', timestamp) AS w, date_trunc('MONTH', timestamp) AS mo, "
     "to_date(timestamp) AS d, count(*) FROM logs GROUP BY 1, 2, 3",
     kHttpd},
    {"AggregatesOfDistinctValues",
     "SELECT method, count(DISTINCT host) AS hosts, count(DISTINCT content_size), sum(DISTINCT status) "
     "FROM logs GROUP BY method",
     kAll},
    {"HavingAndOrderByOnAggregatesNotSelected",
     "SELECT host, count(*) AS n FROM logs GROUP BY host HAVING max(content_size) > 100000 "
     "ORDER BY sum(content_size) DESC NULLS LAST, host LIMIT 12",
     kAll},
    {"WhereNotInNotLike",
     "SELECT status, count(*) FROM logs WHERE NOT (status IN (200, 304)) OR endpoint NOT LIKE '%.png' "
     "GROUP BY status",
     kAll},
    {"KeysInAnotherOrderThanTheSelectList",
     "SELECT status, method, count(*) FROM logs GROUP BY method, status", kAll},
    {"LimitWithoutOrderBy", "SELECT host, endpoint FROM logs WHERE status = 404 LIMIT 5", kAll},
    {"ArithmeticAndCasts",
     "SELECT content_size + 1 AS s1, content_size DIV 1000 AS k, content_size / 4 AS q, status % 7 AS m, "
     "concat(method, ' ', cast(status AS string)) AS ms, count(*) FROM logs "
     "WHERE content_size < 300 OR content_size IS NULL GROUP BY 1, 2, 3, 4, 5",
     kAll},
    {"SeedTimestampString", "SELECT timestamp, count(*) FROM logs GROUP BY timestamp", kSeed},
};

void PrintTo(const SqlCase& c, std::ostream* out) { *out << c.name; }

// Not a TempDirTest: a parameterized test's name holds a '/', which would nest the directory.
class SqlReferenceTest : public ::testing::TestWithParam<SqlCase> {
 protected:
  void SetUp() override {
    dir_ = std::filesystem::temp_directory_path() /
           ("logstream-sql-" + std::to_string(getpid()) + "-" + GetParam().name);
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }
  std::string path(const std::string& name) const { return (dir_ / name).string(); }

  std::filesystem::path dir_;
};

TEST_P(SqlReferenceTest, BinaryMatchesTheNaiveReference) {
  const SqlCase& c = GetParam();
  if (c.engine_bug) GTEST_SKIP() << "engine bug: " << c.engine_bug;
  for (const Input input : kInputs) {
    if (!(c.inputs & input)) continue;
    const ReferenceTable& table = reference(input);
    auto plan = analyze_case(c, table.schema);
    ASSERT_TRUE(plan) << input_name(input) << ": " << plan.error();
    const ReferenceResult expected = reference_result(plan.value(), table);
    // Under the sanitizers (ASan's binary runs 5-10 times slower) two of the six runs: many chunks on two
    // threads, and one chunk on one; the release run checks all six. With many chunks, a parser thread's
    // partial aggregate goes to the merge stage every 7 groups (--partial-groups), not only at the end of
    // the batch: the merge of partials of any size is checked, not just that of one per thread.
    const bool sanitized = std::getenv("LOGSTREAM_SANITIZED_RUN") != nullptr;
    for (const char* chunk : {"4K", "64K", "1M"}) {
      for (const char* threads : {"1", "2"}) {
        if (sanitized && !((std::string(chunk) == "4K" && std::string(threads) == "2") ||
                           (std::string(chunk) == "1M" && std::string(threads) == "1")))
          continue;
        const std::string out = path("out.jsonl");
        std::filesystem::remove(out);
        std::vector<std::string> argv = {kLogstream,
                                         "run",
                                         input_file(input),
                                         "--format",
                                         std::string(reference_format_name(input_format(input))),
                                         "--sink",
                                         "jsonl=" + out,
                                         "-q",
                                         "--timezone",
                                         c.zone,
                                         "--threads",
                                         threads,
                                         "--chunk-size",
                                         chunk};
        const bool small_partials = std::string(chunk) == "4K";
        if (small_partials) argv.insert(argv.end(), {"--partial-groups", "7"});
        const std::vector<std::string> query = query_args(c);
        argv.insert(argv.end(), query.begin(), query.end());
        const ProcessResult r = run_process(argv);
        const std::string where = input_name(input) + ", --chunk-size " + chunk + " --threads " + threads +
                                  (small_partials ? " --partial-groups 7" : "");
        ASSERT_EQ(r.exit_code, 0) << where << ": " << r.err;
        EXPECT_EQ(r.err, "") << where;
        std::vector<std::string> got =
            std::filesystem::exists(out) ? split_jsonl(read_file(out)) : std::vector<std::string>{};
        std::vector<std::string> want = expected.lines;
        if (!expected.ordered) {
          std::sort(got.begin(), got.end());
          std::sort(want.begin(), want.end());
        }
        EXPECT_TRUE(got == want) << where << ": " << differences(want, got);
      }
    }
  }
}

INSTANTIATE_TEST_SUITE_P(Corpus, SqlReferenceTest, ::testing::ValuesIn(kCorpus),
                         [](const auto& param_info) { return std::string(param_info.param.name); });

// ---- The reference itself against what the binary says of the table ---------------------------------

using SqlReferenceTableTest = TempDirTest;

TEST_F(SqlReferenceTableTest, SchemaIsWhatTheBinaryPrints) {
  for (const ReferenceFormat format :
       {ReferenceFormat::kCommon, ReferenceFormat::kCombined, ReferenceFormat::kSparkSeed}) {
    const auto r =
        run_process({kLogstream, "schema", "--format", std::string(reference_format_name(format))});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    EXPECT_EQ(r.out, reference_print_schema(reference_schema(format))) << reference_format_name(format);
  }
}

// The reference keeps exactly the lines the engine accepts, and cuts off the same ones.
TEST_F(SqlReferenceTableTest, AcceptsAndTruncatesTheLinesTheEngineDoes) {
  for (const Input input : kInputs) {
    const ReferenceTable& table = reference(input);
    const auto r = run_process({kLogstream, "run", input_file(input), "--format",
                                std::string(reference_format_name(input_format(input)))});
    ASSERT_EQ(r.exit_code, 0) << r.err;
    const std::string summary = std::to_string(table.lines) +
                                " lines read = " + std::to_string(table.rows.size()) + " accepted + " +
                                std::to_string(table.skipped) + " rejected";
    EXPECT_NE(r.err.find(summary), std::string::npos) << input_name(input) << ": " << r.err;
    if (input_format(input) != ReferenceFormat::kSparkSeed) {
      const std::string truncated = "; " + std::to_string(table.truncated) + " truncated";
      EXPECT_EQ(r.err.find(truncated) != std::string::npos, table.truncated > 0)
          << input_name(input) << ": " << r.err;
    }
  }
  // Each shared log has one line cut off inside a quoted field: elastic's line 8899 in its user agent,
  // twiki's last line in its request (the null row).
  EXPECT_EQ(reference(kElasticCombined).truncated, 1u);
  EXPECT_EQ(reference(kTwikiCommon).truncated, 1u);
  const auto& last = reference(kTwikiCommon).rows.back();
  EXPECT_TRUE(last[7].null);
  EXPECT_EQ(last[4].text, "GET");
}

// ---- watch: the state since the start ------------------------------------------------------------------

using SqlWatchTest = TempDirTest;

// Complete mode over two batches: batch 1 is the reference over both copies of the log, so the groups'
// states (sums, HyperLogLog registers, a HAVING that more groups pass the second time) carry across.
TEST_F(SqlWatchTest, SecondBatchIsTheReferenceOverBothCopies) {
  const SqlCase c = {"WatchTwice",
                     "SELECT host, count(*) AS hits, sum(content_size), approx_count_distinct(endpoint) "
                     "FROM logs GROUP BY host HAVING count(*) >= 30",
                     kElasticCombined};
  const ReferenceTable& once = reference(kElasticCombined);
  ReferenceTable twice = once;
  twice.rows.insert(twice.rows.end(), once.rows.begin(), once.rows.end());
  auto plan = analyze_case(c, once.schema);
  ASSERT_TRUE(plan) << plan.error();
  const ReferenceResult batch0 = reference_result(plan.value(), once, 0);
  const ReferenceResult batch1 = reference_result(plan.value(), twice, 1);
  ASSERT_LT(batch0.lines.size(), batch1.lines.size()) << "more hosts pass HAVING the second time";

  const std::string out = path("out.jsonl");
  RunningProcess watch({kLogstream, "watch", logs(), "--format", "combined", "--sql", c.sql, "--sink",
                        "jsonl=" + out, "--sink", "console", "-q", "--timezone", "UTC", "--quiet-ms", "100"});
  std::this_thread::sleep_for(std::chrono::milliseconds(200));  // inotify armed
  const std::string bytes = read_file(input_file(kElasticCombined));
  for (const char* name : {"a.log", "b.log"}) {
    write_file(path(name), bytes);
    std::filesystem::rename(path(name), logs() + "/" + name);  // moved in: taken at once
    const std::string batch = name[0] == 'a' ? "Batch: 0\n" : "Batch: 1\n";
    ASSERT_TRUE(watch.wait_for_text(batch, 1, std::chrono::seconds(20))) << watch.err();
  }
  watch.send_signal(SIGINT);
  ASSERT_EQ(watch.wait_exit(std::chrono::seconds(10)), 0) << watch.err();
  std::vector<std::string> got0, got1;
  for (const std::string& line : split_jsonl(read_file(out)))
    (line.rfind("{\"batch\":0,", 0) == 0 ? got0 : got1).push_back(line);
  EXPECT_TRUE(got0 == batch0.lines) << "batch 0: " << differences(batch0.lines, got0);
  EXPECT_TRUE(got1 == batch1.lines) << "batch 1: " << differences(batch1.lines, got1);
}

// ---- The console -----------------------------------------------------------------------------------------

// The statuses of the last console table, top to bottom, and its header line.
std::vector<std::string> console_keys(const std::string& out, std::string& header) {
  std::vector<std::string> keys;
  std::istringstream in(out.substr(out.rfind("Batch: ")));
  int borders = 0;
  for (std::string line; std::getline(in, line);) {
    if (line.rfind('+', 0) == 0) {
      ++borders;
    } else if (line.rfind('|', 0) == 0 && borders == 1) {
      header = line;
    } else if (line.rfind('|', 0) == 0 && borders == 2) {
      std::string key = line.substr(1, line.find('|', 1) - 1);
      keys.push_back(key.substr(key.find_first_not_of(' ')));
    }
  }
  return keys;
}

using SqlConsoleTest = TempDirTest;

TEST_F(SqlConsoleTest, SqlStatusCountIsNamedCount1AndGivesTheSeedsNumbers) {
  const StatusCountMap kPublished[] = {
      {{200, 9126}, {206, 45}, {301, 164}, {304, 445}, {403, 2}, {404, 213}, {416, 2}, {500, 3}},
      {{200, 1273}, {302, 6}, {304, 137}, {401, 123}, {404, 5}, {408, 1}, {std::nullopt, 1}},
  };
  const std::string files[] = {kSharedData + "/elastic-apache.log", kSharedData + "/twiki-2004.log"};
  for (size_t i = 0; i < 2; ++i) {
    const auto sql = run_process({kLogstream, "-q", "--format", "spark-seed", "run", files[i], "--sql",
                                  "SELECT status, count(*) FROM logs GROUP BY status"});
    const auto seed = run_process({kLogstream, "-q", "--format", "spark-seed", "run", files[i]});
    ASSERT_EQ(sql.exit_code, 0) << sql.err;
    ASSERT_EQ(seed.exit_code, 0) << seed.err;
    EXPECT_EQ(parse_last_console_table(sql.out), kPublished[i]) << files[i];
    EXPECT_EQ(parse_last_console_table(sql.out), reference_seed_status_counts(read_file(files[i])));
    std::string sql_header, seed_header;
    const auto sql_keys = console_keys(sql.out, sql_header);
    const auto seed_keys = console_keys(seed.out, seed_header);
    EXPECT_EQ(sql_header, "|status|count(1)|") << sql.out;
    EXPECT_EQ(seed_header, "|status|count|") << seed.out;
    EXPECT_EQ(sql_keys, seed_keys) << "the same Spark row order";
  }
}

TEST_F(SqlConsoleTest, GroupByStatusShorthandPrintsTheDefaultQuerysBlock) {
  for (const char* file : {"/elastic-apache.log", "/twiki-2004.log"}) {
    for (const char* format : {"auto", "spark-seed"}) {
      const std::string log = kSharedData + file;
      const auto shorthand =
          run_process({kLogstream, "-q", "--format", format, "run", log, "--group-by", "status"});
      const auto seed = run_process({kLogstream, "-q", "--format", format, "run", log});
      ASSERT_EQ(shorthand.exit_code, 0) << shorthand.err;
      ASSERT_EQ(seed.exit_code, 0) << seed.err;
      EXPECT_EQ(shorthand.out, seed.out) << file << " " << format;
      EXPECT_NE(seed.out.find("|status|count|"), std::string::npos) << seed.out;
    }
  }
}

}  // namespace
}  // namespace logstream::test_support
