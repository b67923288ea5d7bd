// Spark's HyperLogLog++ (HyperLogLogPlusPlusHelper), the sketch behind approx_count_distinct: the same
// hash of each value (XXH64, seed 42), the same register layout and the same estimator, so a state is
// Spark's aggregation buffer word for word.
//
// Parity with Spark, and where it ends:
// - The hash (XXH64 as Spark's XXH64 class computes it, checked against Spark's documented
//   xxhash64('Spark', array(123), 2)), the precision p = ceil(2 log2(1.106 / rsd)), the register update
//   and the packing (6-bit registers, 10 per 64-bit word, m / 10 + 1 words) are Spark's, so for the same
//   values our registers equal Spark's bit for bit, in any order and after any merges.
// - The estimate is Spark's whenever Spark uses linear counting (some register is zero and
//   m ln(m / V) <= the HLL++ paper's threshold for p, or the raw estimate <= 2.5 m) or the plain raw
//   estimate (raw >= 5 m, or p >= 19): the same formulas in the same order.
// - In between, Spark subtracts a bias interpolated (6 nearest neighbours) from the empirical tables of
//   the HLL++ paper's appendix. We use the same interpolation over tables we measured ourselves the way
//   the paper did (mean raw estimate of random sets at 200 cardinalities in [0, 5m], 1000 runs each;
//   measure_hll_bias below, printed by the test HyperLogLog.DISABLED_PrintBiasTables). There our estimate
//   can differ from Spark's by the difference of the two tables' biases, a fraction of the standard error
//   1.04 / sqrt(m); the tests hold it to Spark's error bound instead of exact equality.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string_view>
#include <vector>

namespace logstream {

// XXH64 as Spark's org.apache.spark.sql.catalyst.expressions.XXH64 computes it (the standard XXH64 of the
// value's little-endian bytes). Spark chains it over values with the previous hash as the next seed.
uint64_t xxhash64_bytes(const void* data, size_t size, uint64_t seed) noexcept;
uint64_t xxhash64_int(int32_t value, uint64_t seed) noexcept;   // Spark's hashInt: boolean, int
uint64_t xxhash64_long(int64_t value, uint64_t seed) noexcept;  // Spark's hashLong: bigint, timestamp
// A double as Spark hashes it after NormalizeFloatingNumbers: -0.0 as 0.0, every NaN as Java's NaN.
uint64_t xxhash64_double(double value, uint64_t seed) noexcept;

class HyperLogLogPlusPlus {
 public:
  static constexpr int kMinPrecision = 4;   // Spark refuses fewer bits (an rsd above 0.39)
  static constexpr int kMaxPrecision = 18;  // our limit: 2^18 registers, 209,720 bytes a state
  static constexpr uint64_t kSeed = 42;     // the seed of Spark's hash of each value
  static constexpr double kDefaultRsd = 0.05;

  // Spark's p for a relative standard deviation; may be outside [kMinPrecision, kMaxPrecision] (the
  // caller refuses those), and is INT32_MIN for an rsd that is not a positive number.
  static int precision_for(double rsd) noexcept;

  explicit HyperLogLogPlusPlus(int precision) noexcept;  // kMinPrecision..kMaxPrecision

  int precision() const noexcept { return p_; }
  size_t registers() const noexcept { return m_; }
  size_t words() const noexcept { return m_ / kRegistersPerWord + 1; }  // as Spark's numWords
  double true_rsd() const noexcept;                                     // 1.04 / sqrt(m)

  // Registers are `words()` 64-bit words, zero when empty.
  void add_hash(uint64_t* words, uint64_t hash) const noexcept;
  void merge(uint64_t* words, const uint64_t* other) const noexcept;
  int64_t estimate(const uint64_t* words) const noexcept;
  // Every register at most 65 - p (the most a hash can give) and every unused bit zero: what a state
  // read from an untrusted file must satisfy.
  bool valid(const uint64_t* words) const noexcept;

  static constexpr int kRegisterBits = 6;
  static constexpr size_t kRegistersPerWord = 64 / kRegisterBits;  // 10

 private:
  double bias(double raw_estimate) const noexcept;

  int p_;
  size_t m_;
  double alpha_m2_;
};

// The bias tables: for each precision, the mean raw estimate at each measured cardinality (ascending)
// and the mean bias (raw estimate - cardinality) there.
struct HllBiasTable {
  const double* raw_estimates = nullptr;
  const double* biases = nullptr;
  size_t size = 0;
};
HllBiasTable hll_bias_table(int precision) noexcept;  // kMinPrecision..kMaxPrecision

// How the tables were measured: `runs` random sets of distinct 64-bit hashes (SplitMix64 from `seed`),
// the raw estimate taken at `points` cardinalities spaced evenly over [0, 5m]; means per cardinality.
void measure_hll_bias(int precision, int runs, int points, uint64_t seed, std::vector<double>& raw_estimates,
                      std::vector<double>& biases);

}  // namespace logstream
