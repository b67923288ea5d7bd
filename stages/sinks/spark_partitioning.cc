#include "stages/sinks/spark_partitioning.h"

#include <cstring>

namespace logstream {
namespace {

constexpr uint32_t kC1 = 0xcc9e2d51u;
constexpr uint32_t kC2 = 0x1b873593u;

uint32_t rotate_left(uint32_t x, int r) noexcept { return (x << r) | (x >> (32 - r)); }

uint32_t mix_k1(uint32_t k1) noexcept { return rotate_left(k1 * kC1, 15) * kC2; }

uint32_t mix_h1(uint32_t h1, uint32_t k1) noexcept { return rotate_left(h1 ^ k1, 13) * 5 + 0xe6546b64u; }

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

}  // namespace

int32_t spark_murmur3_hash_int(int32_t value, int32_t seed) noexcept {
  const uint32_t h1 = mix_h1(static_cast<uint32_t>(seed), mix_k1(static_cast<uint32_t>(value)));
  return static_cast<int32_t>(finalize(h1, 4));
}

// Spark's hashUnsafeBytes: whole little-endian words first, then every trailing byte mixed on its own
// as a sign-extended int (this differs from the reference Murmur3 tail, and Spark's order depends on it).
int32_t spark_murmur3_hash_bytes(std::string_view bytes, int32_t seed) noexcept {
  const size_t aligned = bytes.size() - bytes.size() % 4;
  uint32_t h1 = static_cast<uint32_t>(seed);
  for (size_t i = 0; i < aligned; i += 4) {
    uint32_t word;
    std::memcpy(&word, bytes.data() + i, 4);
    h1 = mix_h1(h1, mix_k1(word));
  }
  for (size_t i = aligned; i < bytes.size(); ++i) {
    const auto byte = static_cast<int32_t>(static_cast<signed char>(bytes[i]));
    h1 = mix_h1(h1, mix_k1(static_cast<uint32_t>(byte)));
  }
  return static_cast<int32_t>(finalize(h1, static_cast<uint32_t>(bytes.size())));
}

int spark_partition_of(std::optional<int32_t> key) noexcept {
  const int32_t hash = key ? spark_murmur3_hash_int(*key, kSparkHashSeed) : kSparkHashSeed;
  return positive_mod(hash, kSparkShufflePartitions);
}

}  // namespace logstream
