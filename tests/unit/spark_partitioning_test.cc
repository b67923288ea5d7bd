#include "stages/core/spark_partitioning.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <limits>

namespace logstream {
namespace {

int32_t as_int32(uint32_t bits) { return static_cast<int32_t>(bits); }

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
  // The next values are the ones Apache DataFusion Comet pins for Spark compatibility (hash(x), seed 42).
  EXPECT_EQ(spark_murmur3_hash_int(-1, 42), as_int32(0xa0590e3d));
  EXPECT_EQ(spark_murmur3_hash_int(std::numeric_limits<int32_t>::max(), 42), as_int32(0x07fb67e7));
  EXPECT_EQ(spark_murmur3_hash_int(std::numeric_limits<int32_t>::min(), 42), as_int32(0x2b1f0fc6));
}

TEST(SparkPartitioning, HashLongIsLowWordThenHighWord) {
  EXPECT_EQ(spark_murmur3_hash_long(1, 42), as_int32(0x99f0149d));
  EXPECT_EQ(spark_murmur3_hash_long(0, 42), as_int32(0x9c67b85d));
  EXPECT_EQ(spark_murmur3_hash_long(-1, 42), as_int32(0xc8008529));
  EXPECT_EQ(spark_murmur3_hash_long(std::numeric_limits<int64_t>::max(), 42), as_int32(0xa05b5d7b));
  EXPECT_EQ(spark_murmur3_hash_long(std::numeric_limits<int64_t>::min(), 42), as_int32(0xcd1e64fb));
}

// Spark's hash('...') of strings, seed 42 (DataFusion Comet's Spark-compatibility values): lengths 0..5
// cover every tail length; "天地" has two tail bytes >= 0x80, which Spark mixes sign-extended.
TEST(SparkPartitioning, HashUnsafeBytesMatchesSparkForEveryTailLength) {
  const std::pair<const char*, uint32_t> cases[] = {
      {"", 142593372u},
      {"a", 1485273170u},
      {"ab", 0xfa37157bu},
      {"abc", 1322437556u},
      {"abcd", 0xe860e5ccu},
      {"abcde", 814637928u},
      {"hello", 3286402344u},
      {"bar", 2486176763u},
      {"\xF0\x9F\x98\x81", 885025535u},           // U+1F601, one whole word
      {"\xE5\xA4\xA9\xE5\x9C\xB0", 2395000894u},  // 天地: a word and two high tail bytes
  };
  for (const auto& [text, expected] : cases) {
    EXPECT_EQ(spark_murmur3_hash_bytes(text, 42), as_int32(expected)) << text;
    EXPECT_EQ(spark_hash_value(Value::string(text), 42), as_int32(expected)) << text;
  }
  // Apache Gluten's check of the sign extension: bytes {0x00, 0xC8}, seed 42.
  EXPECT_EQ(spark_murmur3_hash_bytes(std::string_view("\x00\xC8", 2), 42), -424716282);
}

// For whole words Spark's hashUnsafeBytes is the reference MurmurHash3_x86_32 (SMHasher's vectors).
TEST(SparkPartitioning, WholeWordsMatchTheReferenceMurmur3) {
  EXPECT_EQ(spark_murmur3_hash_bytes("", 0), 0);
  EXPECT_EQ(spark_murmur3_hash_bytes("", 1), as_int32(0x514E28B7));
  EXPECT_EQ(spark_murmur3_hash_bytes("", as_int32(0xffffffff)), as_int32(0x81F16F39));
  EXPECT_EQ(spark_murmur3_hash_bytes(std::string_view("\0\0\0\0", 4), 0), as_int32(0x2362F9DE));
  EXPECT_EQ(spark_murmur3_hash_bytes("aaaa", as_int32(0x9747b28c)), as_int32(0x5A97808A));
  EXPECT_EQ(spark_murmur3_hash_bytes("abcd", as_int32(0x9747b28c)), as_int32(0xF0478627));
}

// Spark's SQL reference: SELECT hash('Spark', array(123), 2) returns -1321691492. Columns chain: each
// hash is the seed of the next, array elements included.
TEST(SparkPartitioning, MatchesTheDocumentedHashExample) {
  const int32_t after_string = spark_murmur3_hash_bytes("Spark", 42);
  const int32_t after_array = spark_murmur3_hash_int(123, after_string);
  EXPECT_EQ(spark_murmur3_hash_int(2, after_array), -1321691492);
  const std::vector<Value> keys = {Value::string("Spark"), Value::int32(123), Value::int32(2)};
  EXPECT_EQ(spark_hash(keys), -1321691492);
  EXPECT_EQ(spark_partition(keys), 108);  // pmod(-1321691492, 200)
}

TEST(SparkPartitioning, HashBytesOfAnAlignedStringEqualsHashIntOfItsWord) {
  // Four bytes "\x01\0\0\0" are one little-endian word, 1, so both hashes agree but for the length mixed in.
  EXPECT_EQ(spark_murmur3_hash_bytes(std::string_view("\x01\0\0\0", 4), 42), spark_murmur3_hash_int(1, 42));
}

TEST(SparkPartitioning, DoublesHashTheirBitsWithZeroAndNaNNormalized) {
  const double nan = std::numeric_limits<double>::quiet_NaN();
  EXPECT_EQ(spark_hash_value(Value::float64(1.0), 42), as_int32(0xe4876492));
  EXPECT_EQ(spark_hash_value(Value::float64(0.0), 42), as_int32(0x9c67b85d));
  EXPECT_EQ(spark_hash_value(Value::float64(-0.0), 42), as_int32(0x9c67b85d));
  EXPECT_EQ(spark_hash_value(Value::float64(-1.0), 42), as_int32(0x13d81357));
  EXPECT_EQ(spark_hash_value(Value::float64(99999999999.99999999999), 42), as_int32(0xb87e1595));
  EXPECT_EQ(spark_hash_value(Value::float64(nan), 42), as_int32(0xb3a005cf));
  EXPECT_EQ(spark_hash_value(Value::float64(-nan), 42), as_int32(0xb3a005cf));
  EXPECT_EQ(spark_hash_value(Value::float64(std::bit_cast<double>(uint64_t{0x7ff0000000000001})), 42),
            as_int32(0xb3a005cf));
}

TEST(SparkPartitioning, BooleansTimestampsAndBigintsHashLikeTheirJavaForms) {
  EXPECT_EQ(spark_hash_value(Value::boolean(true), 7), spark_murmur3_hash_int(1, 7));
  EXPECT_EQ(spark_hash_value(Value::boolean(false), 7), spark_murmur3_hash_int(0, 7));
  EXPECT_EQ(spark_hash_value(Value::int32(1), 42), as_int32(0xdea578e3));
  EXPECT_EQ(spark_hash_value(Value::bigint(1), 42), as_int32(0x99f0149d));
  // 2015-11-29 03:50:00 UTC in microseconds: a timestamp is its long.
  EXPECT_EQ(spark_hash_value(Value::timestamp_micros(1448769000000000), 42),
            spark_murmur3_hash_long(1448769000000000, 42));
}

TEST(SparkPartitioning, NullLeavesTheRunningHashAsItIs) {
  EXPECT_EQ(spark_hash(std::vector<Value>{Value::null_of(DataType::kString)}), 42);
  EXPECT_EQ(spark_partition(std::vector<Value>{Value::null_of(DataType::kInt)}), 42);
  const std::vector<Value> with_null = {Value::string("a"), Value::null_of(DataType::kInt), Value::int32(5)};
  const std::vector<Value> without = {Value::string("a"), Value::int32(5)};
  EXPECT_EQ(spark_hash(with_null), spark_hash(without));
  EXPECT_EQ(spark_hash(std::vector<Value>{}), 42);
}

// The status table keeps its allocation-free path; it must be the general one.
TEST(SparkPartitioning, TheIntFastPathAgreesWithTheGeneralHash) {
  for (int32_t status = 0; status < 1000; ++status) {
    ASSERT_EQ(spark_partition_of(status), spark_partition(std::vector<Value>{Value::int32(status)}))
        << status;
  }
  EXPECT_EQ(spark_partition_of(std::nullopt),
            spark_partition(std::vector<Value>{Value::null_of(DataType::kInt)}));
}

std::vector<std::vector<Value>> rows_of(std::initializer_list<const char*> keys) {
  std::vector<std::vector<Value>> rows;
  for (const char* key : keys)
    rows.push_back({key ? Value::string(key) : Value::null_of(DataType::kString),
                    Value::bigint(static_cast<int64_t>(rows.size()))});
  return rows;
}

std::vector<std::string> first_column(const std::vector<std::vector<Value>>& rows) {
  std::vector<std::string> out;
  for (const auto& row : rows) out.push_back(row[0].null ? "null" : row[0].text);
  return out;
}

// Partitions from the known hashes above: hello 48, bar 67, ab 83, abcd 100, abcde 128, abc 156, a 170,
// "" 172; null is 42. Each row keeps its other columns.
TEST(SparkPartitioning, SortsStringKeysByPartition) {
  auto rows = rows_of({"", "a", "ab", "abc", "abcd", "abcde", "hello", "bar", nullptr});
  const size_t key[] = {0};
  sort_in_spark_order(rows, key);
  EXPECT_EQ(first_column(rows),
            (std::vector<std::string>{"null", "hello", "bar", "ab", "abcd", "abcde", "abc", "a", ""}));
  EXPECT_EQ(rows[1][1].integer, 6);  // "hello" was row 6
}

TEST(SparkPartitioning, OrdersByKeyInsideOnePartitionWithNullFirst) {
  // Find three distinct ints in one partition, then a null and the same partition's keys in reverse.
  std::vector<int32_t> same;
  for (int32_t k = 0; same.size() < 3; ++k) {
    if (spark_partition(std::vector<Value>{Value::int32(k)}) == 42) same.push_back(k);
  }
  std::vector<std::vector<Value>> rows = {{Value::int32(same[2])},
                                          {Value::int32(same[0])},
                                          {Value::null_of(DataType::kInt)},
                                          {Value::int32(same[1])}};
  const size_t key[] = {0};
  sort_in_spark_order(rows, key);
  ASSERT_TRUE(rows[0][0].null);  // partition 42 too, and null sorts first
  EXPECT_EQ(rows[1][0].integer, same[0]);
  EXPECT_EQ(rows[2][0].integer, same[1]);
  EXPECT_EQ(rows[3][0].integer, same[2]);
}

TEST(SparkPartitioning, SeveralKeysHashTogetherInGroupingOrder) {
  // Rows (key b, value, key a): grouping keys are columns 2 then 0.
  std::vector<std::vector<Value>> rows;
  for (const char* a : {"GET", "POST", "HEAD"}) {
    for (int32_t b : {200, 404, 500}) rows.push_back({Value::int32(b), Value::bigint(1), Value::string(a)});
  }
  const size_t keys[] = {2, 0};
  sort_in_spark_order(rows, keys);
  int previous = -1;
  for (const auto& row : rows) {
    const int p = spark_partition(std::vector<Value>{row[2], row[0]});
    EXPECT_GE(p, previous);
    previous = p;
  }
  // hash(a, b) chains: the second key's seed is the first key's hash.
  EXPECT_EQ(spark_hash(std::vector<Value>{Value::string("GET"), Value::int32(200)}),
            spark_murmur3_hash_int(200, spark_murmur3_hash_bytes("GET", 42)));
}

}  // namespace
}  // namespace logstream
