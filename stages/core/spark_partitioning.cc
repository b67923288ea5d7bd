#include "stages/core/spark_partitioning.h"

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstring>
#include <numeric>

namespace logstream {
namespace {

constexpr uint32_t kC1 = 0xcc9e2d51u;
constexpr uint32_t kC2 = 0x1b873593u;

uint32_t mix_k1(uint32_t k1) noexcept { return std::rotl(k1 * kC1, 15) * kC2; }

uint32_t mix_h1(uint32_t h1, uint32_t k1) noexcept { return std::rotl(h1 ^ k1, 13) * 5 + 0xe6546b64u; }

uint32_t finalize(uint32_t h1, uint32_t length) noexcept {
  h1 ^= length;
  h1 ^= h1 >> 16;
  h1 *= 0x85ebca6bu;
  h1 ^= h1 >> 13;
  h1 *= 0xc2b2ae35u;
  h1 ^= h1 >> 16;
  return h1;
}

int positive_mod(int32_t value, int32_t modulus) noexcept {
  const int32_t r = value % modulus;
  return r < 0 ? r + modulus : r;
}

// java.lang.Double.doubleToLongBits after Spark's normalization: -0.0 hashes as 0.0, NaNs as one NaN.
int64_t normalized_double_bits(double v) noexcept {
  if (v == 0) return 0;
  if (std::isnan(v)) return 0x7ff8000000000000LL;
  return std::bit_cast<int64_t>(v);
}

}  // namespace

int32_t spark_murmur3_hash_int(int32_t value, int32_t seed) noexcept {
  const uint32_t h1 = mix_h1(static_cast<uint32_t>(seed), mix_k1(static_cast<uint32_t>(value)));
  return static_cast<int32_t>(finalize(h1, 4));
}

int32_t spark_murmur3_hash_long(int64_t value, int32_t seed) noexcept {
  const auto bits = static_cast<uint64_t>(value);
  uint32_t h1 = mix_h1(static_cast<uint32_t>(seed), mix_k1(static_cast<uint32_t>(bits)));
  h1 = mix_h1(h1, mix_k1(static_cast<uint32_t>(bits >> 32)));
  return static_cast<int32_t>(finalize(h1, 8));
}

// Spark's hashUnsafeBytes: whole little-endian words first, then every trailing byte mixed on its own
// as a sign-extended int (this differs from the reference Murmur3 tail, and Spark's order depends on it).
int32_t spark_murmur3_hash_bytes(std::string_view bytes, int32_t seed) noexcept {
  const size_t aligned = bytes.size() - bytes.size() % 4;
  uint32_t h1 = static_cast<uint32_t>(seed);
  for (size_t i = 0; i < aligned; i += 4) {
    const auto* p = reinterpret_cast<const unsigned char*>(bytes.data() + i);
    const uint32_t word = uint32_t{p[0]} | uint32_t{p[1]} << 8 | uint32_t{p[2]} << 16 | uint32_t{p[3]} << 24;
    h1 = mix_h1(h1, mix_k1(word));
  }
  for (size_t i = aligned; i < bytes.size(); ++i) {
    const auto byte = static_cast<int32_t>(static_cast<signed char>(bytes[i]));
    h1 = mix_h1(h1, mix_k1(static_cast<uint32_t>(byte)));
  }
  return static_cast<int32_t>(finalize(h1, static_cast<uint32_t>(bytes.size())));
}

int32_t spark_hash_value(const ValueView& value, int32_t seed) noexcept {
  if (value.null) return seed;
  switch (value.type) {
    case DataType::kNull:
      return seed;
    case DataType::kBoolean:
      return spark_murmur3_hash_int(value.integer != 0 ? 1 : 0, seed);
    case DataType::kInt:
      return spark_murmur3_hash_int(static_cast<int32_t>(value.integer), seed);
    case DataType::kBigint:
    case DataType::kTimestamp:
      return spark_murmur3_hash_long(value.integer, seed);
    case DataType::kDouble:
      return spark_murmur3_hash_long(normalized_double_bits(value.real), seed);
    case DataType::kString:
      return spark_murmur3_hash_bytes(value.text, seed);
    case DataType::kWindow:
      // A struct: its fields chained, start then end, both timestamps.
      return spark_murmur3_hash_long(value.end, spark_murmur3_hash_long(value.integer, seed));
  }
  return seed;
}

int32_t spark_hash(std::span<const Value> keys) noexcept {
  int32_t h = kSparkHashSeed;
  for (const Value& key : keys) h = spark_hash_value(key, h);
  return h;
}

int spark_partition(std::span<const Value> keys) noexcept {
  return positive_mod(spark_hash(keys), kSparkShufflePartitions);
}

int spark_partition(std::span<const ValueView> keys) noexcept {
  int32_t h = kSparkHashSeed;
  for (const ValueView& key : keys) h = spark_hash_value(key, h);
  return positive_mod(h, kSparkShufflePartitions);
}

int spark_partition_of(std::optional<int32_t> key) noexcept {
  const int32_t hash = key ? spark_murmur3_hash_int(*key, kSparkHashSeed) : kSparkHashSeed;
  return positive_mod(hash, kSparkShufflePartitions);
}

void sort_in_spark_order(std::vector<std::vector<Value>>& rows, std::span<const size_t> key_columns) {
  std::vector<int> partition(rows.size());
  for (size_t r = 0; r < rows.size(); ++r) {
    int32_t h = kSparkHashSeed;  // spark_hash over the key columns, without copying them out
    for (const size_t column : key_columns) h = spark_hash_value(rows[r][column], h);
    partition[r] = positive_mod(h, kSparkShufflePartitions);
  }
  std::vector<size_t> order(rows.size());
  std::iota(order.begin(), order.end(), size_t{0});
  std::stable_sort(order.begin(), order.end(), [&](size_t a, size_t b) {
    if (partition[a] != partition[b]) return partition[a] < partition[b];
    for (const size_t column : key_columns) {
      const auto c = compare_for_sort(rows[a][column], rows[b][column]);
      if (c != 0) return c < 0;
    }
    return false;
  });
  std::vector<std::vector<Value>> sorted;
  sorted.reserve(rows.size());
  for (const size_t i : order) sorted.push_back(std::move(rows[i]));
  rows = std::move(sorted);
}

}  // namespace logstream
