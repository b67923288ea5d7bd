// Spark's hash partitioning of groupBy keys, which decides the row order of complete-mode output: the
// partition of a row is pmod(Murmur3Hash(key1, ..., keyN; seed 42), spark.sql.shuffle.partitions = 200).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string_view>
#include <vector>

#include "stages/core/value.h"

namespace logstream {

inline constexpr int32_t kSparkHashSeed = 42;
inline constexpr int32_t kSparkShufflePartitions = 200;

// org.apache.spark.unsafe.hash.Murmur3_x86_32: hashInt, hashLong (low word, then high word) and
// hashUnsafeBytes (Spark's own tail: every byte past the last whole word mixed alone, sign-extended).
int32_t spark_murmur3_hash_int(int32_t value, int32_t seed) noexcept;
int32_t spark_murmur3_hash_long(int64_t value, int32_t seed) noexcept;
int32_t spark_murmur3_hash_bytes(std::string_view bytes, int32_t seed) noexcept;

// Catalyst's Murmur3HashFunction.hash of one value: boolean as hashInt(1/0), int as hashInt, bigint and
// timestamp (microseconds) as hashLong, double as hashLong of doubleToLongBits (-0.0 as 0.0, every NaN as
// the canonical NaN), string as hashUnsafeBytes of its UTF-8 bytes, a window (a struct) as its start and
// then its end chained; a null returns `seed` unchanged.
int32_t spark_hash_value(const ValueView& value, int32_t seed) noexcept;
inline int32_t spark_hash_value(const Value& value, int32_t seed) noexcept {
  return spark_hash_value(ValueView::of(value), seed);
}

// Spark's hash(k1, ..., kN): each key's hash is the seed of the next, starting from 42. A window key
// hashes as its fields chained in order; a null one leaves the hash as it is, as in Spark.
int32_t spark_hash(std::span<const Value> keys) noexcept;

// pmod(spark_hash(keys), 200): the shuffle partition, 0..199.
int spark_partition(std::span<const Value> keys) noexcept;
int spark_partition(std::span<const ValueView> keys) noexcept;

// The same for one int key without building a Value (the status table); a null key hashes to the seed.
int spark_partition_of(std::optional<int32_t> key) noexcept;

// Puts the rows of a grouped result in Spark's complete-mode order: ascending partition of the grouping
// key columns `key_columns` (in grouping order), and inside one partition by those keys ascending, null
// first (compare_for_sort) — Spark's order there comes from its hash map; this is our documented choice.
void sort_in_spark_order(std::vector<std::vector<Value>>& rows, std::span<const size_t> key_columns);

}  // namespace logstream
