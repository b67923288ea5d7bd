// Spark's hash partitioning of groupBy keys, which decides the row order of complete-mode output:
// pmod(Murmur3_x86_32(key, seed 42), spark.sql.shuffle.partitions = 200).
#pragma once

#include <cstdint>
#include <optional>
#include <string_view>

namespace logstream {

inline constexpr int32_t kSparkHashSeed = 42;
inline constexpr int32_t kSparkShufflePartitions = 200;

int32_t spark_murmur3_hash_int(int32_t value, int32_t seed) noexcept;
int32_t spark_murmur3_hash_bytes(std::string_view bytes, int32_t seed) noexcept;

// Partition of an integer key; a null key hashes to the seed itself.
int spark_partition_of(std::optional<int32_t> key) noexcept;

}  // namespace logstream
