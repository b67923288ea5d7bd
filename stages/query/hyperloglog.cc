#include "stages/query/hyperloglog.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <iterator>
#include <limits>

namespace logstream {
namespace {

constexpr uint64_t kPrime1 = 0x9E3779B185EBCA87ULL;
constexpr uint64_t kPrime2 = 0xC2B2AE3D27D4EB4FULL;
constexpr uint64_t kPrime3 = 0x165667B19E3779F9ULL;
constexpr uint64_t kPrime4 = 0x85EBCA77C2B2AE63ULL;
constexpr uint64_t kPrime5 = 0x27D4EB2F165667C5ULL;

uint64_t load64(const unsigned char* p) noexcept {
  uint64_t v = 0;
  for (int i = 7; i >= 0; --i) v = (v << 8) | p[i];
  return v;
}

uint64_t load32(const unsigned char* p) noexcept {
  return uint64_t{p[0]} | uint64_t{p[1]} << 8 | uint64_t{p[2]} << 16 | uint64_t{p[3]} << 24;
}

uint64_t round_lane(uint64_t acc, uint64_t lane) noexcept {
  return std::rotl(acc + lane * kPrime2, 31) * kPrime1;
}

uint64_t merge_lane(uint64_t hash, uint64_t lane) noexcept {
  return (hash ^ round_lane(0, lane)) * kPrime1 + kPrime4;
}

uint64_t avalanche(uint64_t hash) noexcept {
  hash ^= hash >> 33;
  hash *= kPrime2;
  hash ^= hash >> 29;
  hash *= kPrime3;
  return hash ^ (hash >> 32);
}

// The HLL++ paper's empirical thresholds below which linear counting beats the bias-corrected estimate,
// for p = 4..18 (the same values Spark uses).
constexpr double kLinearCountingThresholds[] = {10,   20,   40,    80,    220,   400,    900,   1800,
                                                3100, 6500, 15500, 20000, 50000, 120000, 350000};

// alpha m^2, the raw estimate's correction (Flajolet et al.), computed as Spark computes it.
double alpha_m2(int p) noexcept {
  const double m = std::ldexp(1.0, p);
  switch (p) {
    case 4:
      return 0.673 * m * m;
    case 5:
      return 0.697 * m * m;
    case 6:
      return 0.709 * m * m;
    default:
      return (0.7213 / (1.0 + 1.079 / m)) * m * m;
  }
}

// Neighbours averaged by the bias interpolation, as in the paper and Spark.
constexpr size_t kBiasNeighbours = 6;

#include "stages/query/hyperloglog_bias.inc"

}  // namespace

uint64_t xxhash64_bytes(const void* data, size_t size, uint64_t seed) noexcept {
  const auto* p = static_cast<const unsigned char*>(data);
  const unsigned char* const end = p + size;
  uint64_t hash;
  if (size >= 32) {
    uint64_t v1 = seed + kPrime1 + kPrime2, v2 = seed + kPrime2, v3 = seed, v4 = seed - kPrime1;
    do {
      v1 = round_lane(v1, load64(p));
      v2 = round_lane(v2, load64(p + 8));
      v3 = round_lane(v3, load64(p + 16));
      v4 = round_lane(v4, load64(p + 24));
      p += 32;
    } while (end - p >= 32);
    hash = std::rotl(v1, 1) + std::rotl(v2, 7) + std::rotl(v3, 12) + std::rotl(v4, 18);
    hash = merge_lane(hash, v1);
    hash = merge_lane(hash, v2);
    hash = merge_lane(hash, v3);
    hash = merge_lane(hash, v4);
  } else {
    hash = seed + kPrime5;
  }
  hash += size;
  for (; end - p >= 8; p += 8) hash = std::rotl(hash ^ round_lane(0, load64(p)), 27) * kPrime1 + kPrime4;
  if (end - p >= 4) {
    hash = std::rotl(hash ^ load32(p) * kPrime1, 23) * kPrime2 + kPrime3;
    p += 4;
  }
  for (; p < end; ++p) hash = std::rotl(hash ^ uint64_t{*p} * kPrime5, 11) * kPrime1;
  return avalanche(hash);
}

uint64_t xxhash64_int(int32_t value, uint64_t seed) noexcept {
  uint64_t hash = seed + kPrime5 + 4;
  hash ^= uint64_t{static_cast<uint32_t>(value)} * kPrime1;
  return avalanche(std::rotl(hash, 23) * kPrime2 + kPrime3);
}

uint64_t xxhash64_long(int64_t value, uint64_t seed) noexcept {
  uint64_t hash = seed + kPrime5 + 8;
  hash ^= round_lane(0, static_cast<uint64_t>(value));
  return avalanche(std::rotl(hash, 27) * kPrime1 + kPrime4);
}

uint64_t xxhash64_double(double value, uint64_t seed) noexcept {
  uint64_t bits;
  if (std::isnan(value)) {
    bits = 0x7FF8000000000000ULL;  // Java's doubleToLongBits of every NaN
  } else {
    if (value == 0) value = 0.0;  // -0.0 as 0.0
    std::memcpy(&bits, &value, sizeof bits);
  }
  return xxhash64_long(static_cast<int64_t>(bits), seed);
}

int HyperLogLogPlusPlus::precision_for(double rsd) noexcept {
  if (!(rsd > 0) || std::isinf(rsd)) return std::numeric_limits<int>::min();
  const double p = std::ceil(2.0 * std::log(1.106 / rsd) / std::log(2.0));
  if (p > 1000) return 1000;
  if (p < -1000) return -1000;
  return static_cast<int>(p);
}

HyperLogLogPlusPlus::HyperLogLogPlusPlus(int precision) noexcept
    : p_(std::clamp(precision, kMinPrecision, kMaxPrecision)), m_(size_t{1} << p_), alpha_m2_(alpha_m2(p_)) {}

double HyperLogLogPlusPlus::true_rsd() const noexcept { return 1.04 / std::sqrt(static_cast<double>(m_)); }

void HyperLogLogPlusPlus::add_hash(uint64_t* words, uint64_t hash) const noexcept {
  const size_t index = static_cast<size_t>(hash >> (64 - p_));
  const uint64_t leading =
      static_cast<uint64_t>(std::countl_zero((hash << p_) | (uint64_t{1} << (p_ - 1)))) + 1;
  const size_t word = index / kRegistersPerWord;
  const unsigned shift = static_cast<unsigned>(kRegisterBits * (index - word * kRegistersPerWord));
  const uint64_t mask = uint64_t{63} << shift;
  if (leading > ((words[word] & mask) >> shift)) words[word] = (words[word] & ~mask) | (leading << shift);
}

void HyperLogLogPlusPlus::merge(uint64_t* words, const uint64_t* other) const noexcept {
  const size_t n = this->words();
  for (size_t w = 0; w < n; ++w) {
    uint64_t merged = 0;
    for (unsigned shift = 0; shift < kRegistersPerWord * kRegisterBits; shift += kRegisterBits) {
      const uint64_t mask = uint64_t{63} << shift;
      merged |= std::max(words[w] & mask, other[w] & mask);
    }
    words[w] = merged;
  }
}

bool HyperLogLogPlusPlus::valid(const uint64_t* words) const noexcept {
  const uint64_t most = static_cast<uint64_t>(65 - p_);
  for (size_t index = 0; index < this->words() * kRegistersPerWord; ++index) {
    const size_t word = index / kRegistersPerWord;
    const uint64_t r = (words[word] >> (kRegisterBits * (index - word * kRegistersPerWord))) & 63;
    if (r > (index < m_ ? most : 0)) return false;
  }
  for (size_t w = 0; w < this->words(); ++w) {
    if (words[w] >> (kRegistersPerWord * kRegisterBits)) return false;  // the 4 bits past the registers
  }
  return true;
}

double HyperLogLogPlusPlus::bias(double e) const noexcept {
  const HllBiasTable table = hll_bias_table(p_);
  const double* raw = table.raw_estimates;
  const size_t n = table.size;
  const size_t nearest = static_cast<size_t>(std::lower_bound(raw, raw + n, e) - raw);
  auto distance = [&](size_t i) { return (e - raw[i]) * (e - raw[i]); };
  size_t low = nearest + 1 >= kBiasNeighbours ? nearest + 1 - kBiasNeighbours : 0;
  size_t high = std::min(low + kBiasNeighbours, n);
  while (high < n && distance(high) < distance(low)) {
    ++low;
    ++high;
  }
  double sum = 0;
  for (size_t i = low; i < high; ++i) sum += table.biases[i];
  return sum / static_cast<double>(high - low);
}

int64_t HyperLogLogPlusPlus::estimate(const uint64_t* words) const noexcept {
  // Spark's order of operations, so that the doubles come out the same.
  double z_inverse = 0, zeros = 0;
  size_t index = 0;
  for (size_t w = 0; w < this->words(); ++w) {
    for (size_t i = 0; index < m_ && i < kRegistersPerWord; ++i, ++index) {
      const uint64_t r = (words[w] >> (kRegisterBits * i)) & 63;
      z_inverse += 1.0 / static_cast<double>(uint64_t{1} << r);
      if (r == 0) zeros += 1.0;
    }
  }
  const double m = static_cast<double>(m_);
  const double e = alpha_m2_ / z_inverse;
  auto bias_corrected = [&] { return p_ < 19 && e < 5.0 * m ? e - bias(e) : e; };
  double estimate;
  if (zeros > 0) {
    const double h = m * std::log(m / zeros);
    estimate = (p_ < 19 && h <= kLinearCountingThresholds[p_ - 4]) || e <= 2.5 * m ? h : bias_corrected();
  } else {
    estimate = bias_corrected();
  }
  return static_cast<int64_t>(std::floor(estimate + 0.5));  // Java's Math.round
}

HllBiasTable hll_bias_table(int precision) noexcept {
  const int p = std::clamp(precision, HyperLogLogPlusPlus::kMinPrecision, HyperLogLogPlusPlus::kMaxPrecision);
  return kHllBiasTables[p - HyperLogLogPlusPlus::kMinPrecision];
}

void measure_hll_bias(int precision, int runs, int points, uint64_t seed, std::vector<double>& raw_estimates,
                      std::vector<double>& biases) {
  const HyperLogLogPlusPlus hll(precision);
  const int p = hll.precision();
  const size_t m = hll.registers();
  const double alpha = alpha_m2(p);
  // At most one point per cardinality: small m has fewer than `points` cardinalities in [0, 5m].
  const size_t count = std::min(static_cast<size_t>(std::max(points, 2)), 5 * m + 1);
  std::vector<uint64_t> cardinalities(count);
  for (size_t k = 0; k < count; ++k) {
    cardinalities[k] = static_cast<uint64_t>(
        std::llround(5.0 * static_cast<double>(m) * static_cast<double>(k) / static_cast<double>(count - 1)));
  }
  double inverse_powers[66];
  for (int r = 0; r < 66; ++r) inverse_powers[r] = std::ldexp(1.0, -r);
  std::vector<double> sums(cardinalities.size(), 0.0);
  std::vector<uint8_t> registers(m);
  uint64_t state = seed;
  for (int run = 0; run < runs; ++run) {
    std::fill(registers.begin(), registers.end(), 0);
    uint64_t histogram[66] = {};  // registers holding each value: z_inverse without a pass over them
    histogram[0] = m;
    uint64_t inserted = 0;
    for (size_t k = 0; k < cardinalities.size(); ++k) {
      for (; inserted < cardinalities[k]; ++inserted) {
        state += 0x9E3779B97F4A7C15ULL;  // SplitMix64: a bijection of the counter, so hashes are distinct
        uint64_t x = state;
        x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ULL;
        x = (x ^ (x >> 27)) * 0x94D049BB133111EBULL;
        x ^= x >> 31;
        const size_t index = static_cast<size_t>(x >> (64 - p));
        const uint8_t leading =
            static_cast<uint8_t>(std::countl_zero((x << p) | (uint64_t{1} << (p - 1))) + 1);
        if (leading > registers[index]) {
          --histogram[registers[index]];
          ++histogram[leading];
          registers[index] = leading;
        }
      }
      double z_inverse = 0;
      for (int r = 0; r < 66; ++r) z_inverse += static_cast<double>(histogram[r]) * inverse_powers[r];
      sums[k] += alpha / z_inverse;
    }
  }
  raw_estimates.resize(cardinalities.size());
  biases.resize(cardinalities.size());
  for (size_t k = 0; k < cardinalities.size(); ++k) {
    raw_estimates[k] = sums[k] / runs;
    biases[k] = raw_estimates[k] - static_cast<double>(cardinalities[k]);
  }
}

}  // namespace logstream
