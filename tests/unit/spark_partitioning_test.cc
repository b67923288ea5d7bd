#include "stages/sinks/spark_partitioning.h"

#include <gtest/gtest.h>

namespace logstream {
namespace {

// The seed's transcript prints 500, 301, 400, 404, 200, 304, 302, 405: Spark's partitions 54 .. 183.
TEST(SparkPartitioning, ReproducesTheSeedsRowOrder) {
  EXPECT_EQ(spark_partition_of(500), 54);
  EXPECT_EQ(spark_partition_of(301), 101);
  EXPECT_EQ(spark_partition_of(400), 116);
  EXPECT_EQ(spark_partition_of(404), 125);
  EXPECT_EQ(spark_partition_of(200), 155);
  EXPECT_EQ(spark_partition_of(304), 160);
  EXPECT_EQ(spark_partition_of(302), 182);
  EXPECT_EQ(spark_partition_of(405), 183);
}

TEST(SparkPartitioning, NullHashesToTheSeed) { EXPECT_EQ(spark_partition_of(std::nullopt), 42); }

// Known values of Spark's Murmur3_x86_32 (as computed by Spark's own Murmur3Hash expression).
TEST(SparkPartitioning, HashIntMatchesSpark) {
  EXPECT_EQ(spark_murmur3_hash_int(0, 42), 933211791);
  EXPECT_EQ(spark_murmur3_hash_int(1, 42), -559580957);
}

// Spark's SQL reference: SELECT hash('Spark', array(123), 2) returns -1321691492. Columns chain: each
// hash is the seed of the next, array elements included.
TEST(SparkPartitioning, MatchesTheDocumentedHashExample) {
  const int32_t after_string = spark_murmur3_hash_bytes("Spark", 42);
  const int32_t after_array = spark_murmur3_hash_int(123, after_string);
  EXPECT_EQ(spark_murmur3_hash_int(2, after_array), -1321691492);
}

TEST(SparkPartitioning, HashBytesOfAnAlignedStringEqualsHashIntOfItsWord) {
  // Four bytes "\x01\0\0\0" are one little-endian word, 1, so both hashes agree but for the length mixed in.
  EXPECT_EQ(spark_murmur3_hash_bytes(std::string_view("\x01\0\0\0", 4), 42), spark_murmur3_hash_int(1, 42));
}

}  // namespace
}  // namespace logstream
