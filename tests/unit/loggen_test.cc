#include <gtest/gtest.h>

#include "tests/support/seed_reference.h"
#include "tools/loggen/generator.h"

namespace logstream {
namespace {

std::string generate(loggen::Options options) {
  loggen::Generator generator(std::move(options));
  std::string out;
  while (generator.next_line(out)) {
  }
  return out;
}

TEST(Loggen, SameSeedSameBytesOtherSeedOtherBytes) {
  loggen::Options options;
  options.max_lines = 500;
  options.quirks = ~0u;
  const std::string a = generate(options);
  EXPECT_EQ(a, generate(options));
  options.seed = 2;
  EXPECT_NE(a, generate(options));
}

TEST(Loggen, SeedShapeHasTheSeedsExactCounts) {
  const auto counts = test_support::reference_seed_status_counts(generate(loggen::seed_shape()));
  const test_support::StatusCountMap expected = {{200, 64971}, {500, 10714}, {301, 271}, {304, 92},
                                                 {404, 26},    {400, 2},     {302, 2},   {405, 1}};
  EXPECT_EQ(counts, expected);
}

TEST(Loggen, SizeLimitIsRespected) {
  loggen::Options options;
  options.max_bytes = 10000;
  const std::string out = generate(options);
  EXPECT_LE(out.size(), 10000u);
  EXPECT_GT(out.size(), 9000u);
  EXPECT_EQ(out.back(), '\n');
}

TEST(Loggen, ParsesQuirksAndMixes) {
  uint32_t mask = 0;
  std::string unknown;
  EXPECT_TRUE(loggen::parse_quirks("crlf,ipv6", mask, unknown));
  EXPECT_NE(mask, 0u);
  EXPECT_FALSE(loggen::parse_quirks("crlf,bogus", mask, unknown));
  EXPECT_EQ(unknown, "bogus");
  std::vector<std::pair<int, double>> mix;
  EXPECT_TRUE(loggen::parse_status_mix("200:80,500:20", mix));
  EXPECT_EQ(mix.size(), 2u);
  EXPECT_FALSE(loggen::parse_status_mix("200", mix));
  EXPECT_FALSE(loggen::parse_status_mix("2000:1", mix));
}

}  // namespace
}  // namespace logstream
