// The aggregate functions against Spark 3.4's semantics and against slow, obvious references: every
// function with nulls and empty input, merges of random splits equal to one pass, checkpoint encodings
// that round-trip and refuse truncated or corrupt bytes, HyperLogLog++ and the quantile sketch within
// their error bounds.
#include "stages/query/aggregates.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <functional>
#include <limits>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "stages/query/hyperloglog.h"
#include "stages/query/quantile_sketch.h"

namespace logstream {
namespace {

using Rng = std::mt19937_64;

std::unique_ptr<AggregateFunction> make(std::string_view name, std::vector<DataType> types,
                                        std::vector<Value> constants = {}, bool distinct = false) {
  auto made = make_aggregate(name, std::move(types), std::move(constants), distinct);
  EXPECT_TRUE(made.ok()) << (made.ok() ? "" : made.error());
  if (!made.ok()) return nullptr;
  return std::move(made).value();
}

std::string error_of(std::string_view name, std::vector<DataType> types, std::vector<Value> constants = {},
                     bool distinct = false) {
  auto made = make_aggregate(name, std::move(types), std::move(constants), distinct);
  return made.ok() ? std::string("(accepted)") : made.error();
}

// One state in memory laid out as the function asks.
class State {
 public:
  explicit State(const AggregateFunction& f)
      : f_(&f), memory_(f.state_size() / sizeof(std::max_align_t) + 1) {
    EXPECT_LE(f.state_align(), alignof(std::max_align_t));
    f.create(place());
  }
  State(const State&) = delete;
  State& operator=(const State&) = delete;
  ~State() { f_->destroy(place()); }

  char* place() { return reinterpret_cast<char*>(memory_.data()); }
  void add(const Value& v) { f_->add(place(), v); }
  void add_all(const std::vector<Value>& values) {
    for (const Value& v : values) add(v);
  }
  void merge(State& other) { f_->merge(place(), other.place()); }
  Value finalize() { return f_->finalize(place()); }
  std::string bytes() {
    std::string out;
    f_->serialize(place(), out);
    return out;
  }
  bool load(std::string_view in, std::string* why = nullptr) {
    std::string reason;
    const bool ok = f_->deserialize(place(), in, reason);
    if (why) *why = reason;
    return ok;
  }

 private:
  const AggregateFunction* f_;
  std::vector<std::max_align_t> memory_;
};

Value run(const AggregateFunction& f, const std::vector<Value>& values) {
  State s(f);
  s.add_all(values);
  return s.finalize();
}

std::string show(const Value& v) {
  if (v.null) return "null(" + std::string(data_type_name(v.type)) + ")";
  switch (v.type) {
    case DataType::kDouble: {
      char buf[40];
      std::snprintf(buf, sizeof buf, "%.17g", v.real);
      return std::string(buf) + " (double)";
    }
    case DataType::kString:
      return "'" + v.text + "'";
    default:
      return std::to_string(v.integer) + " (" + std::string(data_type_name(v.type)) + ")";
  }
}

// Same value, same type; doubles bit for bit except that every NaN is every NaN.
void expect_same(const Value& expected, const Value& actual, const std::string& context) {
  const bool same_sign =
      std::isnan(expected.real) || std::signbit(expected.real) == std::signbit(actual.real);
  EXPECT_TRUE(expected == actual && same_sign)
      << context << ": expected " << show(expected) << ", got " << show(actual);
}

Value i32(int32_t v) { return Value::int32(v); }
Value i64(int64_t v) { return Value::bigint(v); }
Value f64(double v) { return Value::float64(v); }
Value str(std::string v) { return Value::string(std::move(v)); }
Value ts(int64_t v) { return Value::timestamp_micros(v); }
Value null(DataType t) { return Value::null_of(t); }

constexpr double kNaN = std::numeric_limits<double>::quiet_NaN();
constexpr double kInf = std::numeric_limits<double>::infinity();

// --- one function at a time ------------------------------------------------------------------------

TEST(Aggregates, CountStarCountsEveryRowAndCountOfXOnlyNonNullOnes) {
  auto star = make("count", {});
  auto of_x = make("COUNT", {DataType::kString});
  const std::vector<Value> rows = {str("a"), null(DataType::kString), str(""), null(DataType::kString)};
  expect_same(i64(4), run(*star, rows), "count(*)");
  expect_same(i64(2), run(*of_x, rows), "count(x)");
  expect_same(i64(0), run(*star, {}), "count(*) of nothing is 0, never null");
  expect_same(i64(0), run(*of_x, {null(DataType::kString)}), "count(x) of nulls is 0");
  EXPECT_EQ(star->result_type(), DataType::kBigint);
  // count(1), as Spark rewrites count(*): an int argument that is never null.
  expect_same(i64(3), run(*make("count", {DataType::kInt}), {i32(1), i32(1), i32(1)}), "count(1)");
}

TEST(Aggregates, SumIsBigintForIntegersAndWrapsAroundAsSparkWithoutAnsi) {
  auto sum_int = make("sum", {DataType::kInt});
  EXPECT_EQ(sum_int->result_type(), DataType::kBigint);
  expect_same(i64(6), run(*sum_int, {i32(1), null(DataType::kInt), i32(5)}), "sum(int)");
  expect_same(i64(int64_t{3} * std::numeric_limits<int32_t>::max()),
              run(*sum_int, std::vector<Value>(3, i32(std::numeric_limits<int32_t>::max()))),
              "an int sum does not overflow 32 bits");
  expect_same(null(DataType::kBigint), run(*sum_int, {}), "sum of nothing");
  expect_same(null(DataType::kBigint), run(*sum_int, {null(DataType::kInt), null(DataType::kInt)}),
              "sum of nulls");
  auto sum_bigint = make("sum", {DataType::kBigint});
  expect_same(i64(std::numeric_limits<int64_t>::min()),
              run(*sum_bigint, {i64(std::numeric_limits<int64_t>::max()), i64(1)}), "Java's long + wraps");
  expect_same(i64(0), run(*sum_bigint, {i64(0)}), "a sum of zero is 0, not null");
}

TEST(Aggregates, SumOfDoublesAndImplicitCasts) {
  auto sum = make("sum", {DataType::kDouble});
  EXPECT_EQ(sum->result_type(), DataType::kDouble);
  expect_same(f64(1.75), run(*sum, {f64(1.5), null(DataType::kDouble), f64(0.25)}), "sum(double)");
  expect_same(f64(0.0), run(*sum, {f64(-0.0)}), "Spark adds to coalesce(sum, 0): -0.0 alone sums to 0.0");
  expect_same(null(DataType::kDouble), run(*sum, {}), "sum of nothing");
  expect_same(f64(kNaN), run(*sum, {f64(kInf), f64(-kInf)}), "inf - inf");
  // Spark casts a string argument of sum and avg to double; the caller inserts the cast.
  auto sum_of_string = make("sum", {DataType::kString});
  EXPECT_EQ(sum_of_string->argument_types(), std::vector<DataType>{DataType::kDouble});
  EXPECT_EQ(sum_of_string->result_type(), DataType::kDouble);
  auto sum_of_null = make("sum", {DataType::kNull});
  expect_same(null(DataType::kDouble), run(*sum_of_null, {null(DataType::kNull)}), "sum(NULL)");
}

TEST(Aggregates, AvgIsADoubleOfSumOverCountAndNullWithoutValues) {
  auto avg = make("avg", {DataType::kInt});
  EXPECT_EQ(avg->result_type(), DataType::kDouble);
  expect_same(f64(2.5), run(*avg, {i32(1), null(DataType::kInt), i32(4)}), "avg(int)");
  expect_same(null(DataType::kDouble), run(*avg, {}), "avg of nothing");
  expect_same(null(DataType::kDouble), run(*avg, {null(DataType::kInt)}), "avg of nulls");
  expect_same(f64(-0.5), run(*make("mean", {DataType::kDouble}), {f64(-1.0), f64(0.0)}), "mean is avg");
  // Spark sums bigints as doubles for avg: 2^53 + 1 is lost, as there.
  expect_same(f64(9007199254740992.0), run(*make("avg", {DataType::kBigint}), {i64((int64_t{1} << 53) + 1)}),
              "avg(bigint) through a double sum");
}

TEST(Aggregates, MinAndMaxOfEveryType) {
  struct Case {
    DataType type;
    std::vector<Value> values;
    Value min, max;
  };
  const std::vector<Case> cases = {
      {DataType::kBoolean,
       {Value::boolean(true), null(DataType::kBoolean), Value::boolean(false)},
       Value::boolean(false),
       Value::boolean(true)},
      {DataType::kInt, {i32(3), i32(-7), null(DataType::kInt), i32(5)}, i32(-7), i32(5)},
      {DataType::kBigint, {i64(int64_t{1} << 40), i64(-1)}, i64(-1), i64(int64_t{1} << 40)},
      {DataType::kDouble, {f64(1.5), f64(kNaN), f64(-kInf), f64(2.0)}, f64(-kInf), f64(kNaN)},
      {DataType::kDouble, {f64(0.0), f64(-0.0)}, f64(-0.0), f64(0.0)},
      {DataType::kString,
       {str("b"), str("\xc3\xa9t\xc3\xa9"), str("a long string over fifteen bytes"), str("z")},
       str("a long string over fifteen bytes"),
       str("\xc3\xa9t\xc3\xa9")},
      {DataType::kString, {str("ab"), str("abc"), str("")}, str(""), str("abc")},
      {DataType::kTimestamp, {ts(1448769000000000), ts(-5)}, ts(-5), ts(1448769000000000)},
  };
  for (const Case& c : cases) {
    const std::string type(data_type_name(c.type));
    auto min = make("min", {c.type});
    auto max = make("max", {c.type});
    EXPECT_EQ(min->result_type(), c.type);
    expect_same(c.min, run(*min, c.values), "min(" + type + ")");
    expect_same(c.max, run(*max, c.values), "max(" + type + ")");
    std::vector<Value> reversed(c.values.rbegin(), c.values.rend());
    expect_same(c.min, run(*min, reversed), "min(" + type + ") reversed");
    expect_same(c.max, run(*max, reversed), "max(" + type + ") reversed");
    expect_same(null(c.type), run(*min, {}), "min(" + type + ") of nothing");
    expect_same(null(c.type), run(*max, {null(c.type)}), "max(" + type + ") of nulls");
  }
  expect_same(null(DataType::kNull), run(*make("max", {DataType::kNull}), {null(DataType::kNull)}),
              "max(NULL)");
}

TEST(Aggregates, DistinctAggregatesSeeEachValueOnce) {
  auto count = make("count", {DataType::kInt}, {}, true);
  expect_same(i64(3), run(*count, {i32(1), i32(2), i32(1), null(DataType::kInt), i32(3), i32(2)}),
              "count(DISTINCT int)");
  expect_same(i64(0), run(*count, {}), "count(DISTINCT) of nothing");
  expect_same(i64(2),
              run(*make("count", {DataType::kDouble}, {}, true),
                  {f64(0.0), f64(-0.0), f64(kNaN), f64(-kNaN), null(DataType::kDouble)}),
              "-0.0 is 0.0 and NaN is NaN when grouping, as Spark normalizes them");
  expect_same(i64(3),
              run(*make("count", {DataType::kString}, {}, true),
                  {str("a"), str("a long string over fifteen bytes"), str("a"), str("")}),
              "count(DISTINCT string)");
  expect_same(i64(2),
              run(*make("count", {DataType::kBoolean}, {}, true),
                  {Value::boolean(true), Value::boolean(false), Value::boolean(true)}),
              "count(DISTINCT boolean)");
  expect_same(i64(6), run(*make("sum", {DataType::kInt}, {}, true), {i32(1), i32(2), i32(2), i32(3), i32(1)}),
              "sum(DISTINCT)");
  expect_same(null(DataType::kBigint), run(*make("sum", {DataType::kInt}, {}, true), {null(DataType::kInt)}),
              "sum(DISTINCT) of nulls");
  expect_same(f64(2.0), run(*make("avg", {DataType::kDouble}, {}, true), {f64(1), f64(3), f64(3), f64(1)}),
              "avg(DISTINCT)");
  expect_same(i32(2),
              run(*make("percentile_approx", {DataType::kInt}, {f64(0.5)}, true),
                  {i32(1), i32(1), i32(1), i32(2), i32(3)}),
              "percentile_approx(DISTINCT)");
  // DISTINCT changes nothing for these, so it is dropped.
  EXPECT_FALSE(make("max", {DataType::kInt}, {}, true)->distinct());
  EXPECT_FALSE(make("approx_count_distinct", {DataType::kInt}, {}, true)->distinct());
  EXPECT_TRUE(count->distinct());
}

// --- HyperLogLog++ ----------------------------------------------------------------------------------

TEST(HyperLogLog, Xxhash64IsTheStandardOneAndChainsAsSparksXxhash64Function) {
  auto bytes = [](std::string_view s, uint64_t seed = 0) { return xxhash64_bytes(s.data(), s.size(), seed); };
  EXPECT_EQ(bytes(""), 0xEF46DB3751D8E999ULL);
  EXPECT_EQ(bytes("abc"), 0x44BC2CF5AD770999ULL);
  EXPECT_EQ(bytes("Nobody inspects the spammish repetition"), 0xFBCEA83C8A378BF1ULL);
  EXPECT_EQ(bytes("The quick brown fox jumps over the lazy dog"), 0x0B242D361FDA71BCULL);
  EXPECT_EQ(bytes(std::string(32, 'a')), 0x856E843298F99AD7ULL);
  EXPECT_EQ(bytes(std::string(64, 'b')), 0xECBAF4BDF26B6349ULL);
  // hashInt / hashLong are the XXH64 of the value's 4 / 8 little-endian bytes.
  const int32_t i = -123456789;
  const int64_t l = 0x0123456789ABCDEFLL;
  unsigned char le4[4], le8[8];
  for (int k = 0; k < 4; ++k) le4[k] = static_cast<unsigned char>(static_cast<uint32_t>(i) >> (8 * k));
  for (int k = 0; k < 8; ++k) le8[k] = static_cast<unsigned char>(static_cast<uint64_t>(l) >> (8 * k));
  EXPECT_EQ(xxhash64_int(i, 42), xxhash64_bytes(le4, 4, 42));
  EXPECT_EQ(xxhash64_long(l, 42), xxhash64_bytes(le8, 8, 42));
  // Spark's documentation: SELECT xxhash64('Spark', array(123), 2) = 5602566077635097486 (seed 42,
  // each value's hash the seed of the next, the array's element chained like a value).
  uint64_t h = 42;
  h = bytes("Spark", h);
  h = xxhash64_int(123, h);
  h = xxhash64_int(2, h);
  EXPECT_EQ(static_cast<int64_t>(h), 5602566077635097486LL);
  EXPECT_EQ(xxhash64_double(-0.0, 42), xxhash64_double(0.0, 42));
  EXPECT_EQ(xxhash64_double(std::nan("7"), 42), xxhash64_double(kNaN, 42));
  EXPECT_EQ(xxhash64_double(1.5, 42), xxhash64_long(0x3FF8000000000000LL, 42));
}

TEST(HyperLogLog, PrecisionAndStateSizeAreSparks) {
  EXPECT_EQ(HyperLogLogPlusPlus::precision_for(0.05), 9);
  EXPECT_EQ(HyperLogLogPlusPlus::precision_for(0.01), 14);
  EXPECT_EQ(HyperLogLogPlusPlus::precision_for(0.39), 4);
  EXPECT_EQ(HyperLogLogPlusPlus::precision_for(0.4), 3);
  EXPECT_LT(HyperLogLogPlusPlus::precision_for(0.0), HyperLogLogPlusPlus::kMinPrecision);
  EXPECT_LT(HyperLogLogPlusPlus::precision_for(kNaN), HyperLogLogPlusPlus::kMinPrecision);
  EXPECT_EQ(make("approx_count_distinct", {DataType::kString})->state_size(), 416u);
  EXPECT_EQ(make("approx_count_distinct", {DataType::kString}, {f64(0.01)})->state_size(), 13112u);
  EXPECT_EQ(make("approx_count_distinct", {DataType::kString}, {f64(0.0022)})->state_size(), 209720u);
  EXPECT_EQ(make("approx_count_distinct", {DataType::kInt})->result_type(), DataType::kBigint);
}

TEST(HyperLogLog, SmallCountsAreExactAndNullsAndEmptyInputCountZero) {
  auto acd = make("approx_count_distinct", {DataType::kInt});
  // Spark's documentation: approx_count_distinct over (1), (1), (2), (2), (3) is 3.
  expect_same(i64(3), run(*acd, {i32(1), i32(1), i32(2), i32(2), i32(3)}), "Spark's example");
  expect_same(i64(0), run(*acd, {}), "nothing");
  expect_same(i64(0), run(*acd, {null(DataType::kInt)}), "nulls");
  expect_same(i64(2),
              run(*make("approx_count_distinct", {DataType::kBoolean}),
                  {Value::boolean(true), Value::boolean(false), Value::boolean(true)}),
              "booleans");
  expect_same(i64(1), run(*make("approx_count_distinct", {DataType::kDouble}), {f64(0.0), f64(-0.0)}),
              "-0.0 hashes as 0.0");
}

// Below the HLL++ threshold the estimate is linear counting over the registers, m ln(m / zeros):
// computed here the obvious way from Spark's definition of a register (the index is the top p bits of
// the hash, the value 1 + the leading zeros of the rest) and compared with the aggregate's.
TEST(HyperLogLog, SmallCardinalitiesAreLinearCountingOfSparksRegisters) {
  for (int distinct : {1, 2, 50, 200, 350}) {
    const int p = 9, m = 1 << p;
    std::vector<int> registers(m, 0);
    std::vector<Value> hosts;
    for (int i = 0; i < 2 * distinct; ++i) {
      const std::string host = "10.0." + std::to_string(i % distinct) + ".7";
      hosts.push_back(str(host));
      const uint64_t h = xxhash64_bytes(host.data(), host.size(), 42);
      int leading = 1;
      for (int bit = 63 - p; bit >= 0 && !((h >> bit) & 1); --bit) ++leading;
      int& r = registers[static_cast<size_t>(h >> (64 - p))];
      r = std::max(r, leading);
    }
    const double zeros = static_cast<double>(std::count(registers.begin(), registers.end(), 0));
    const auto expected = static_cast<int64_t>(std::floor(m * std::log(m / zeros) + 0.5));
    expect_same(i64(expected), run(*make("approx_count_distinct", {DataType::kString}), hosts),
                std::to_string(distinct) + " hosts");
    EXPECT_LE(std::abs(expected - distinct), std::max(2, distinct / 20)) << distinct;
  }
}

// Within 3 of Spark's requested rsd over 10^3..10^6 distinct values, of each type the hash treats
// differently; deterministic; and merged partials give the very registers of one pass.
TEST(HyperLogLog, EstimatesStayWithinThreeRsdAndMergesEqualOnePass) {
  struct Case {
    DataType type;
    double rsd;
  };
  for (const Case c :
       {Case{DataType::kBigint, 0.05}, Case{DataType::kString, 0.05}, Case{DataType::kInt, 0.05},
        Case{DataType::kDouble, 0.05}, Case{DataType::kString, 0.01}}) {
    auto acd = make("approx_count_distinct", {c.type}, {f64(c.rsd)});
    for (int64_t n : {1000, 3000, 10000, 100000, 1000000}) {
      const std::string context = std::string(data_type_name(c.type)) + ", rsd " + std::to_string(c.rsd) +
                                  ", " + std::to_string(n) + " distinct";
      State one(*acd), again(*acd), merged(*acd);
      std::vector<std::unique_ptr<State>> parts;
      for (int k = 0; k < 4; ++k) parts.push_back(std::make_unique<State>(*acd));
      for (int64_t i = 0; i < n; ++i) {
        // Every value twice: duplicates must not count.
        Value v = c.type == DataType::kString   ? str("/page/" + std::to_string(i * 7919))
                  : c.type == DataType::kDouble ? f64(static_cast<double>(i) * 0.5)
                  : c.type == DataType::kInt    ? i32(static_cast<int32_t>(i * 3 - 500000))
                                                : i64(i * 1000003);
        one.add(v);
        one.add(v);
        again.add(v);
        parts[static_cast<size_t>(i % 4)]->add(v);
        parts[static_cast<size_t>((i * 31) % 4)]->add(v);
      }
      const int64_t estimate = one.finalize().integer;
      EXPECT_LE(std::abs(static_cast<double>(estimate - n)), 3 * c.rsd * static_cast<double>(n))
          << context << ": estimate " << estimate;
      expect_same(one.finalize(), again.finalize(), context + ": deterministic");
      for (auto& part : parts) merged.merge(*part);
      EXPECT_EQ(merged.bytes(), one.bytes()) << context << ": merged registers";
      expect_same(one.finalize(), merged.finalize(), context + ": merged");
    }
  }
}

// The bias tables are data of our own measurement: ascending (the interpolation searches them) and
// reproducible. Measured again here with fewer runs and another seed, every bias must agree with the
// committed one within the noise of the two means (5 standard errors).
TEST(HyperLogLog, BiasTablesAreAscendingAndReproducible) {
  for (int p = HyperLogLogPlusPlus::kMinPrecision; p <= HyperLogLogPlusPlus::kMaxPrecision; ++p) {
    const HllBiasTable table = hll_bias_table(p);
    ASSERT_GE(table.size, 80u) << "p " << p;
    for (size_t i = 1; i < table.size; ++i)
      ASSERT_LT(table.raw_estimates[i - 1], table.raw_estimates[i]) << p;
  }
  for (int p = 4; p <= 8; ++p) {
    const int runs = 2000;
    std::vector<double> raw, bias;
    measure_hll_bias(p, runs, 200, 777 + static_cast<uint64_t>(p), raw, bias);
    const HllBiasTable table = hll_bias_table(p);
    ASSERT_EQ(raw.size(), table.size);
    const double m = std::ldexp(1.0, p);
    for (size_t i = 0; i < raw.size(); ++i) {
      const double cardinality = raw[i] - bias[i];
      const double sigma = 1.3 * std::max(cardinality, m) / std::sqrt(m);  // of one raw estimate
      EXPECT_NEAR(bias[i], table.biases[i], 5 * sigma / std::sqrt(static_cast<double>(runs)))
          << "p " << p << ", cardinality " << cardinality;
    }
  }
}

// Prints stages/query/hyperloglog_bias.inc (about 25 s):
//   unit_tests --gtest_also_run_disabled_tests --gtest_filter=HyperLogLog.DISABLED_PrintBiasTables
TEST(HyperLogLog, DISABLED_PrintBiasTables) {
  std::string out =
      "// The HLL++ bias tables, measured by measure_hll_bias (hyperloglog.h) with the runs below, up to "
      "200\n"
      "// cardinalities in [0, 5m] and seed 0x5EED0000 + p. Generated: the test\n"
      "// HyperLogLog.DISABLED_PrintBiasTables prints this file byte for byte. Do not edit.\n";
  char buf[64];
  for (int p = HyperLogLogPlusPlus::kMinPrecision; p <= HyperLogLogPlusPlus::kMaxPrecision; ++p) {
    const int runs = std::max(250, static_cast<int>((uint64_t{1} << 26) / (5 * (uint64_t{1} << p))));
    std::vector<double> raw, bias;
    measure_hll_bias(p, runs, 200, 0x5EED0000ULL + static_cast<uint64_t>(p), raw, bias);
    std::snprintf(buf, sizeof buf, "\n// p = %d: %d runs\n", p, runs);
    out += buf;
    for (int table = 0; table < 2; ++table) {
      const std::vector<double>& v = table == 0 ? raw : bias;
      std::snprintf(buf, sizeof buf, "constexpr double kHll%s%d[] = {", table == 0 ? "Raw" : "Bias", p);
      out += buf;
      for (size_t i = 0; i < v.size(); ++i) {
        out += i % 8 == 0 ? "\n    " : " ";
        std::snprintf(buf, sizeof buf, "%.7g,", v[i]);
        out += buf;
      }
      out += "\n};\n";
    }
  }
  out += "\nconstexpr HllBiasTable kHllBiasTables[] = {\n";
  for (int p = HyperLogLogPlusPlus::kMinPrecision; p <= HyperLogLogPlusPlus::kMaxPrecision; ++p) {
    const std::string n = std::to_string(p);
    out += "    {kHllRaw" + n + ", kHllBias" + n + ", std::size(kHllRaw" + n + ")},\n";
  }
  out += "};\n";
  std::fputs(out.c_str(), stdout);
}

// --- percentile_approx ------------------------------------------------------------------------------

// The distance from the target rank ceil(q n) to the ranks `value` holds among `sorted` (1-based).
int64_t rank_error(const std::vector<double>& sorted, double q, double value) {
  const auto n = static_cast<int64_t>(sorted.size());
  const int64_t target = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * static_cast<double>(n))));
  const int64_t lowest = std::lower_bound(sorted.begin(), sorted.end(), value) - sorted.begin() + 1;
  const int64_t highest = std::upper_bound(sorted.begin(), sorted.end(), value) - sorted.begin();
  if (highest < lowest) return n;  // not one of the values at all
  if (target < lowest) return lowest - target;
  return target > highest ? target - highest : 0;
}

TEST(PercentileApprox, SmallInputsAreExactAndKeepTheColumnType) {
  std::vector<Value> ones_to_ten;
  for (int i = 10; i >= 1; --i) ones_to_ten.push_back(i32(i));
  ones_to_ten.push_back(null(DataType::kInt));
  auto median = make("percentile_approx", {DataType::kInt}, {f64(0.5)});
  EXPECT_EQ(median->result_type(), DataType::kInt);
  expect_same(i32(5), run(*median, ones_to_ten), "median of 1..10 is the 5th value, as Spark gives");
  expect_same(i32(1), run(*make("percentile_approx", {DataType::kInt}, {f64(0.0)}), ones_to_ten), "p = 0");
  expect_same(i32(10), run(*make("approx_percentile", {DataType::kInt}, {i32(1)}), ones_to_ten), "p = 1");
  expect_same(i32(3), run(*make("percentile_approx", {DataType::kInt}, {f64(0.25), i32(100)}), ones_to_ten),
              "p = 0.25, accuracy 100");
  expect_same(null(DataType::kInt), run(*median, {}), "nothing");
  expect_same(null(DataType::kInt), run(*median, {null(DataType::kInt)}), "nulls");
  expect_same(ts(20),
              run(*make("percentile_approx", {DataType::kTimestamp}, {f64(0.5)}), {ts(30), ts(10), ts(20)}),
              "timestamps");
  expect_same(f64(-0.5),
              run(*make("percentile_approx", {DataType::kDouble}, {f64(0.5)}), {f64(2), f64(-0.5), f64(-7)}),
              "doubles");
  expect_same(
      i64(int64_t{1} << 50),
      run(*make("percentile_approx", {DataType::kBigint}, {f64(0.9)}), {i64(1), i64(int64_t{1} << 50)}),
      "bigints");
  EXPECT_EQ(make("percentile_approx", {DataType::kString}, {f64(0.5)})->argument_types(),
            std::vector<DataType>{DataType::kDouble})
      << "Spark casts a string to double";
}

// Every quantile within ceil(n / accuracy) of its rank (the GK guarantee), in one pass, after merging
// random partials, and after folding in a partial per 3,000 values as the merge stage does, on distinct
// data and on data with many repeats; exact below accuracy / 2 values.
TEST(PercentileApprox, RankErrorStaysWithinOneOverAccuracy) {
  Rng rng(20230413);
  struct Case {
    int64_t accuracy;
    size_t n;
    bool repeats;
  };
  const std::vector<Case> cases = {
      {10000, 4999, false},  {10000, 4999, true},     {10000, 100000, false},
      {10000, 100000, true}, {10000, 1000000, false}, {1000, 1000000, false},
      {1000, 300000, true},  {100, 100000, false},    {100, 20000, true},
  };
  for (const Case& c : cases) {
    std::vector<double> values(c.n);
    for (double& v : values) {
      v = c.repeats ? static_cast<double>(rng() % 1000) : std::ldexp(static_cast<double>(rng() >> 11), -20);
    }
    std::vector<double> sorted = values;
    std::sort(sorted.begin(), sorted.end());
    QuantileSketch one(c.accuracy), merged(c.accuracy), folded(c.accuracy), partial(c.accuracy);
    std::vector<QuantileSketch> parts(7, QuantileSketch(c.accuracy));
    for (size_t i = 0; i < c.n; ++i) {
      one.insert(values[i]);
      parts[rng() % parts.size()].insert(values[i]);
      partial.insert(values[i]);
      if ((i + 1) % 3000 == 0 || i + 1 == c.n) {
        folded.merge(partial);
        partial = QuantileSketch(c.accuracy);
      }
    }
    for (const QuantileSketch& part : parts) merged.merge(part);
    const std::string context = "n " + std::to_string(c.n) + ", accuracy " + std::to_string(c.accuracy) +
                                (c.repeats ? ", repeats" : "");
    EXPECT_EQ(merged.count(), static_cast<int64_t>(c.n)) << context;
    EXPECT_EQ(folded.count(), static_cast<int64_t>(c.n)) << context;
    const auto bound =
        static_cast<int64_t>(std::ceil(static_cast<double>(c.n) / static_cast<double>(c.accuracy)));
    for (double q : {0.0, 0.001, 0.01, 0.1, 0.25, 0.5, 0.75, 0.9, 0.99, 0.999, 1.0}) {
      const std::string at = context + ", q " + std::to_string(q);
      EXPECT_LE(rank_error(sorted, q, *one.query(q)), bound) << at;
      EXPECT_LE(rank_error(sorted, q, *merged.query(q)), bound) << at << " (merged)";
      EXPECT_LE(rank_error(sorted, q, *folded.query(q)), bound) << at << " (folded)";
      if (static_cast<int64_t>(c.n) * 2 < c.accuracy) {
        const auto rank = std::max<int64_t>(1, static_cast<int64_t>(std::ceil(q * static_cast<double>(c.n))));
        const double exact = sorted[static_cast<size_t>(rank - 1)];
        EXPECT_EQ(*one.query(q), exact) << at;
        EXPECT_EQ(*merged.query(q), exact) << at << " (merged)";
        EXPECT_EQ(*folded.query(q), exact) << at << " (folded)";
      }
    }
    // Folding partials costs no more than one pass (Spark's merge grows it to ~545,000 samples for
    // 10^6 values at accuracy 1000); the sizes quantile_sketch.h documents.
    EXPECT_LE(folded.sample_count(), one.sample_count() + one.sample_count() / 2 + 100) << context;
    if (c.n == 1000000) {
      EXPECT_LT(one.sample_count(), c.accuracy == 10000 ? 9000u : 1500u) << context;
      RecordProperty("samples_" + std::to_string(c.accuracy), std::to_string(one.sample_count()));
    }
  }
}

TEST(PercentileApprox, NaNIsTheLargestValue) {
  auto max_p = make("percentile_approx", {DataType::kDouble}, {f64(1.0)});
  auto min_p = make("percentile_approx", {DataType::kDouble}, {f64(0.0)});
  const std::vector<Value> values = {f64(kNaN), f64(1), f64(-kInf), f64(kInf)};
  expect_same(f64(kNaN), run(*max_p, values), "max is NaN");
  expect_same(f64(-kInf), run(*min_p, values), "min is -inf");
}

// --- every function: merges, encodings --------------------------------------------------------------

// A function with a generator of its input values (about a fifth of them null).
struct Subject {
  std::string label;
  std::unique_ptr<AggregateFunction> f;
  std::function<Value(Rng&)> value;
};

Value maybe_null(Rng& rng, DataType type, const std::function<Value()>& make_value) {
  return rng() % 5 == 0 ? Value::null_of(type) : make_value();
}

std::function<Value(Rng&)> generator(DataType type) {
  switch (type) {
    case DataType::kBoolean:
      return [](Rng& rng) {
        return maybe_null(rng, DataType::kBoolean, [&] { return Value::boolean(rng() & 1); });
      };
    case DataType::kInt:
      return [](Rng& rng) {
        return maybe_null(rng, DataType::kInt,
                          [&] { return i32(static_cast<int32_t>(rng() % 2001) - 1000); });
      };
    case DataType::kBigint:  // the full range: sums wrap around
      return [](Rng& rng) {
        return maybe_null(rng, DataType::kBigint, [&] {
          return i64(rng() % 4 == 0 ? static_cast<int64_t>(rng()) : static_cast<int64_t>(rng() % 100000));
        });
      };
    case DataType::kDouble:  // multiples of 1/8: sums are exact in any order
      return [](Rng& rng) {
        return maybe_null(rng, DataType::kDouble, [&] {
          const uint64_t r = rng() % 64;
          if (r == 0) return f64(kNaN);
          if (r == 1) return f64(-0.0);
          if (r == 2) return f64(0.0);
          return f64(static_cast<double>(static_cast<int64_t>(rng() % 16001) - 8000) / 8);
        });
      };
    case DataType::kString:
      return [](Rng& rng) {
        return maybe_null(rng, DataType::kString, [&] {
          static const char* const kPieces[] = {"a", "b", "/index.html",       "\xc3\xa9",
                                                "",  "z", "/a/long/path/name/"};
          std::string s;
          for (uint64_t k = rng() % 4; k > 0; --k) s += kPieces[rng() % 7];
          return str(s);
        });
      };
    case DataType::kTimestamp:
      return [](Rng& rng) {
        return maybe_null(rng, DataType::kTimestamp,
                          [&] { return ts(1448769000000000 + static_cast<int64_t>(rng() % 100000) * 1000); });
      };
    default:
      return [](Rng&) { return Value::null_of(DataType::kNull); };
  }
}

std::vector<Subject> subjects() {
  std::vector<Subject> out;
  auto add = [&](std::string label, std::string_view name, DataType type, std::vector<Value> constants = {},
                 bool distinct = false) {
    out.push_back({std::move(label), make(name, {type}, std::move(constants), distinct), generator(type)});
  };
  out.push_back({"count(*)", make("count", {}), generator(DataType::kString)});
  add("count(string)", "count", DataType::kString);
  add("count(DISTINCT int)", "count", DataType::kInt, {}, true);
  add("count(DISTINCT double)", "count", DataType::kDouble, {}, true);
  add("count(DISTINCT string)", "count", DataType::kString, {}, true);
  add("count(DISTINCT boolean)", "count", DataType::kBoolean, {}, true);
  add("sum(int)", "sum", DataType::kInt);
  add("sum(bigint)", "sum", DataType::kBigint);
  add("sum(double)", "sum", DataType::kDouble);
  add("sum(DISTINCT bigint)", "sum", DataType::kBigint, {}, true);
  add("sum(DISTINCT double)", "sum", DataType::kDouble, {}, true);
  add("avg(int)", "avg", DataType::kInt);
  add("avg(double)", "avg", DataType::kDouble);
  add("avg(DISTINCT int)", "avg", DataType::kInt, {}, true);
  for (DataType t : {DataType::kBoolean, DataType::kInt, DataType::kBigint, DataType::kDouble,
                     DataType::kString, DataType::kTimestamp}) {
    add("min(" + std::string(data_type_name(t)) + ")", "min", t);
    add("max(" + std::string(data_type_name(t)) + ")", "max", t);
    add("approx_count_distinct(" + std::string(data_type_name(t)) + ")", "approx_count_distinct", t);
  }
  add("approx_count_distinct(string, 0.3)", "approx_count_distinct", DataType::kString, {f64(0.3)});
  add("percentile_approx(int, 0.5)", "percentile_approx", DataType::kInt, {f64(0.5)});
  add("percentile_approx(double, 0.9)", "percentile_approx", DataType::kDouble, {f64(0.9)});
  add("percentile_approx(timestamp, 0.1, 100000)", "percentile_approx", DataType::kTimestamp,
      {f64(0.1), i32(100000)});
  add("percentile_approx(DISTINCT bigint, 0.5)", "percentile_approx", DataType::kBigint, {f64(0.5)}, true);
  add("min(NULL)", "min", DataType::kNull);
  return out;
}

// Random splits of random input into partials (some empty), merged in a random order, some of them
// through their checkpoint encoding: the result of one pass every time. Sizes stay below 5000 values so
// that percentile_approx is exact and so equal too.
TEST(Aggregates, MergedPartialsOfRandomSplitsEqualOnePass) {
  Rng rng(11);
  for (const Subject& s : subjects()) {
    for (int trial = 0; trial < 25; ++trial) {
      const size_t n = trial == 0 ? 0 : trial == 1 ? 1 : static_cast<size_t>(rng() % 2500);
      std::vector<Value> values;
      for (size_t i = 0; i < n; ++i) values.push_back(s.value(rng));
      State whole(*s.f);
      whole.add_all(values);

      const size_t parts = 1 + rng() % 6;
      std::vector<std::unique_ptr<State>> partials;
      for (size_t k = 0; k < parts; ++k) partials.push_back(std::make_unique<State>(*s.f));
      std::vector<size_t> cuts = {0, n};
      for (size_t k = 1; k < parts; ++k) cuts.push_back(n == 0 ? 0 : rng() % (n + 1));
      std::sort(cuts.begin(), cuts.end());
      for (size_t k = 0; k + 1 < cuts.size(); ++k) {
        for (size_t i = cuts[k]; i < cuts[k + 1]; ++i) partials[k]->add(values[i]);
      }
      std::shuffle(partials.begin(), partials.end(), rng);
      State merged(*s.f);
      for (auto& partial : partials) {
        if (rng() % 2) {
          State restored(*s.f);
          ASSERT_TRUE(restored.load(partial->bytes())) << s.label;
          merged.merge(restored);
        } else {
          merged.merge(*partial);
        }
      }
      const std::string context =
          s.label + ", " + std::to_string(n) + " values in " + std::to_string(parts) + " parts";
      expect_same(whole.finalize(), merged.finalize(), context);
      // Merging into a non-empty state and merging an empty one change nothing more.
      State empty(*s.f);
      merged.merge(empty);
      expect_same(whole.finalize(), merged.finalize(), context + ", then an empty state");
    }
  }
}

// Each state, empty and with values, through its encoding: the same bytes back, the same result; every
// truncation, an extra byte and the state of another function refused; every single-byte corruption
// either refused or a valid encoding in its own right (canonical: it re-encodes to exactly its bytes);
// a refused encoding leaves the state as it was.
TEST(Aggregates, EncodingsRoundTripAndRefuseTruncatedOrCorruptBytes) {
  Rng rng(5);
  const std::vector<Subject> all = subjects();
  for (const Subject& s : all) {
    for (size_t n : {size_t{0}, size_t{40}}) {
      // Half of the values merged in (a percentile sketch then has samples), half added after.
      State original(*s.f), half(*s.f);
      for (size_t i = 0; i < n / 2; ++i) half.add(s.value(rng));
      original.merge(half);
      for (size_t i = n / 2; i < n; ++i) original.add(s.value(rng));
      const std::string bytes = original.bytes();
      const std::string context = s.label + " with " + std::to_string(n) + " values";

      State copy(*s.f);
      copy.add(s.value(rng));  // deserialize replaces whatever was there
      std::string why;
      ASSERT_TRUE(copy.load(bytes, &why)) << context << ": " << why;
      EXPECT_EQ(copy.bytes(), bytes) << context;
      expect_same(original.finalize(), copy.finalize(), context);

      const Value before = copy.finalize();
      for (size_t len = 0; len < bytes.size(); ++len) {
        ASSERT_FALSE(copy.load(std::string_view(bytes).substr(0, len)))
            << context << ": truncated to " << len;
      }
      EXPECT_FALSE(copy.load(bytes + '\0')) << context << ": an extra byte";
      expect_same(before, copy.finalize(), context + ": refused encodings leave the state alone");

      for (size_t i = 0; i < bytes.size(); ++i) {
        for (unsigned mask : {0x01u, 0x80u, 0xFFu}) {
          std::string corrupt = bytes;
          corrupt[i] = static_cast<char>(corrupt[i] ^ static_cast<char>(mask));
          State target(*s.f);
          if (target.load(corrupt)) {
            ASSERT_EQ(target.bytes(), corrupt)
                << context << ": byte " << i << " ^ " << mask << " was accepted "
                << "but does not re-encode to itself";
          }
        }
      }
      for (const Subject& other : all) {  // a state of any other function, with its own tag
        if (other.label == s.label || other.f->kind() == s.f->kind()) continue;
        State target(*other.f);
        EXPECT_FALSE(target.load(bytes)) << other.label << " accepted a state of " << context;
      }
    }
  }
}

// Corruptions a checksum-less reader must catch, named one by one.
TEST(Aggregates, EncodingsRefuseImpossibleStates) {
  auto count = make("count", {});
  State c(*count);
  c.add(null(DataType::kNull));
  std::string bytes = c.bytes();
  bytes[9] = static_cast<char>(0x80);  // the top byte of the count
  std::string why;
  EXPECT_FALSE(c.load(bytes, &why));
  EXPECT_NE(why.find("negative"), std::string::npos) << why;

  auto sum = make("sum", {DataType::kInt});
  State s(*sum);
  bytes = s.bytes();  // null: flag 0, sum 0
  bytes[3] = 5;
  EXPECT_FALSE(s.load(bytes, &why)) << "a null sum with a value";
  bytes = s.bytes();
  bytes[2] = 2;
  EXPECT_FALSE(s.load(bytes, &why)) << "a flag of 2";

  auto min_int = make("min", {DataType::kInt});
  State m(*min_int);
  m.add(i32(-1));
  bytes = m.bytes();
  bytes[10] = 0;  // -1 as a 64-bit payload with its top byte cleared: not an int
  EXPECT_FALSE(m.load(bytes, &why));
  EXPECT_NE(why.find("out of range"), std::string::npos) << why;

  auto acd = make("approx_count_distinct", {DataType::kString});
  State h(*acd);
  bytes = h.bytes();
  bytes[3] = 57;  // register 0 = 57 > 65 - 9
  EXPECT_FALSE(h.load(bytes, &why));
  EXPECT_NE(why.find("register"), std::string::npos) << why;
  bytes = h.bytes();
  bytes[3 + 7] = static_cast<char>(0x10);  // a bit past the word's 10 registers
  EXPECT_FALSE(h.load(bytes, &why));
  bytes = h.bytes();
  bytes[2] = 10;  // the precision of another rsd
  EXPECT_FALSE(h.load(bytes, &why));
  EXPECT_NE(why.find("precision"), std::string::npos) << why;

  auto distinct = make("count", {DataType::kBigint}, {}, true);
  State d(*distinct);
  d.add(i64(1));
  d.add(i64(2));
  bytes = d.bytes();  // tag (2), count (8), 1, 2
  std::string swapped = bytes.substr(0, 10) + bytes.substr(18, 8) + bytes.substr(10, 8);
  EXPECT_FALSE(d.load(swapped, &why));
  EXPECT_NE(why.find("order"), std::string::npos) << why;
  std::string twice = bytes.substr(0, 10) + bytes.substr(10, 8) + bytes.substr(10, 8);
  EXPECT_FALSE(d.load(twice, &why)) << "a value twice";
  bytes[2] = static_cast<char>(0xFF);  // a count of values far beyond the bytes
  EXPECT_FALSE(d.load(bytes, &why));

  auto percentile = make("percentile_approx", {DataType::kDouble}, {f64(0.5)});
  State p(*percentile);
  p.add(f64(1));
  p.add(f64(2));
  p.add(f64(3));
  p.finalize();
  // tag 2, accuracy 8, compressed 1, count 8, samples 4, then the buffered values: three in the buffer.
  bytes = p.bytes();
  ASSERT_EQ(bytes.size(), 2u + 8 + 1 + 8 + 4 + 4 + 3 * 8);
  std::string flagged = bytes;
  flagged[10] = 1;  // compressed, with values still buffered
  EXPECT_FALSE(p.load(flagged, &why));
  std::string accuracy = bytes;
  accuracy[2] = 1;  // another accuracy
  EXPECT_FALSE(p.load(accuracy, &why));
  EXPECT_NE(why.find("accuracy"), std::string::npos) << why;
  // A sketch with samples: 5000 values go through the buffer into samples.
  State big(*percentile);
  for (int i = 0; i < 5000; ++i) big.add(f64(i));
  auto other = make("percentile_approx", {DataType::kDouble}, {f64(0.5)});
  State merged(*other);
  merged.merge(big);  // compressed now: samples, an empty buffer
  bytes = merged.bytes();
  const size_t first_sample = 2 + 8 + 1 + 8 + 4;
  std::string zero_g = bytes;
  for (size_t k = 0; k < 8; ++k) zero_g[first_sample + 8 + k] = 0;
  EXPECT_FALSE(merged.load(zero_g, &why)) << "g = 0";
  std::string disorder = bytes;
  for (size_t k = 0; k < 8; ++k) disorder[first_sample + k] = bytes[first_sample + 24 + 24 + k];
  EXPECT_FALSE(merged.load(disorder, &why));
  EXPECT_NE(why.find("order"), std::string::npos) << why;
  std::string miscount = bytes;
  miscount[2 + 8 + 1] = static_cast<char>(miscount[2 + 8 + 1] + 1);
  EXPECT_FALSE(merged.load(miscount, &why)) << "a count the samples do not cover";
}

TEST(Aggregates, StateSizesAreAsDocumented) {
  EXPECT_EQ(make("count", {})->state_size(), 8u);
  EXPECT_EQ(make("sum", {DataType::kInt})->state_size(), 16u);
  EXPECT_EQ(make("sum", {DataType::kDouble})->state_size(), 16u);
  EXPECT_EQ(make("avg", {DataType::kInt})->state_size(), 16u);
  for (DataType t :
       {DataType::kBoolean, DataType::kInt, DataType::kBigint, DataType::kDouble, DataType::kTimestamp}) {
    EXPECT_EQ(make("min", {t})->state_size(), 16u) << data_type_name(t);
    EXPECT_TRUE(make("max", {t})->has_trivial_destroy()) << data_type_name(t);
  }
  EXPECT_EQ(make("max", {DataType::kString})->state_size(), 40u);
  EXPECT_FALSE(make("max", {DataType::kString})->has_trivial_destroy());
  EXPECT_EQ(make("percentile_approx", {DataType::kInt}, {f64(0.5)})->state_size(), 80u);
  EXPECT_EQ(make("count", {DataType::kString}, {}, true)->state_size(), 56u);
  EXPECT_TRUE(make("approx_count_distinct", {DataType::kInt})->has_trivial_destroy());

  // What the heap side reports grows with what the state holds.
  auto distinct = make("count", {DataType::kString}, {}, true);
  State d(*distinct);
  const size_t empty = distinct->allocated_bytes(d.place());
  for (int i = 0; i < 1000; ++i) d.add(str("/a/path/longer/than/fifteen/" + std::to_string(i)));
  EXPECT_GT(distinct->allocated_bytes(d.place()), empty + 1000 * 40);
}

// --- the factory's errors ---------------------------------------------------------------------------

TEST(Aggregates, FactoryRefusesWhatSparkRefusesNamingTheFunctionAndArgument) {
  auto has = [](const std::string& error, std::initializer_list<const char*> parts) {
    for (const char* part : parts) {
      if (error.find(part) == std::string::npos)
        return ::testing::AssertionFailure() << error << " lacks " << part;
    }
    return ::testing::AssertionSuccess();
  };
  EXPECT_TRUE(has(error_of("median", {DataType::kInt}), {"unknown aggregate function median", "count"}));
  EXPECT_TRUE(has(error_of("sum", {DataType::kInt, DataType::kInt}), {"sum takes 1 argument, got 2"}));
  EXPECT_TRUE(has(error_of("sum", {}), {"sum takes 1 argument, got 0"}));
  EXPECT_TRUE(has(error_of("avg", {DataType::kInt}, {f64(1)}), {"avg takes 1 argument, got 2"}));
  EXPECT_TRUE(has(error_of("count", {DataType::kInt, DataType::kString}), {"count takes", "got 2"}));
  EXPECT_TRUE(
      has(error_of("sum", {DataType::kBoolean}), {"sum(boolean)", "argument 1 is boolean", "numeric"}));
  EXPECT_TRUE(has(error_of("avg", {DataType::kTimestamp}), {"avg(timestamp)", "argument 1 is timestamp"}));
  EXPECT_TRUE(has(error_of("percentile_approx", {DataType::kBoolean}, {f64(0.5)}),
                  {"percentile_approx(boolean)", "argument 1 is boolean"}));
  EXPECT_TRUE(has(error_of("count", {}, {}, true), {"count(DISTINCT"}));

  EXPECT_TRUE(has(error_of("approx_count_distinct", {DataType::kString}, {i32(1)}),
                  {"approx_count_distinct", "argument 2", "double literal", "int 1"}));
  EXPECT_TRUE(has(error_of("approx_count_distinct", {DataType::kString}, {null(DataType::kDouble)}),
                  {"argument 2", "NULL"}));
  EXPECT_TRUE(
      has(error_of("approx_count_distinct", {DataType::kString}, {f64(0.5)}), {"is 0.5;", "at most 0.39"}));
  EXPECT_TRUE(
      has(error_of("approx_count_distinct", {DataType::kString}, {f64(-0.1)}), {"is -0.1;", "positive"}));
  EXPECT_TRUE(has(error_of("approx_count_distinct", {DataType::kString}, {f64(0.001)}), {"0.001", "0.0022"}));
  EXPECT_TRUE(has(error_of("approx_count_distinct", {DataType::kString}, {f64(0.05), f64(0.05)}),
                  {"1 or 2 arguments, got 3"}));

  EXPECT_TRUE(
      has(error_of("percentile_approx", {DataType::kInt}), {"percentile_approx takes 2 or 3", "got 1"}));
  EXPECT_TRUE(has(error_of("percentile_approx", {DataType::kInt}, {f64(1.5)}),
                  {"argument 2", "between 0.0 and 1.0", "1.5"}));
  EXPECT_TRUE(has(error_of("percentile_approx", {DataType::kInt}, {f64(kNaN)}),
                  {"argument 2", "between 0.0 and 1.0"}));
  EXPECT_TRUE(has(error_of("percentile_approx", {DataType::kInt}, {str("x")}),
                  {"argument 2", "numeric literal", "'x'"}));
  EXPECT_TRUE(has(error_of("percentile_approx", {DataType::kInt}, {f64(0.5), i32(0)}),
                  {"argument 3", "accuracy", "between 1 and 2147483647", "got 0"}));
  EXPECT_TRUE(has(error_of("percentile_approx", {DataType::kInt}, {f64(0.5), i64(int64_t{1} << 31)}),
                  {"argument 3", "2147483648"}));
  EXPECT_TRUE(has(error_of("percentile_approx", {DataType::kInt}, {f64(0.5), f64(100)}),
                  {"argument 3", "integer literal", "double"}));
}

TEST(AggregatesDeathTest, FeedingAValueOfTheWrongTypeIsABug) {
  auto sum = make("sum", {DataType::kBigint});
  EXPECT_DEATH(
      {
        State s(*sum);
        s.add(f64(1.5));
      },
      "internal error: sum\\(bigint\\) was fed a double");
}

}  // namespace
}  // namespace logstream
