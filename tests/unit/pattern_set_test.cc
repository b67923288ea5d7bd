// Hyperscan's return codes: a scan that fails must say so, never pass for "no match".
#include "stages/core/pattern_set.h"

#include <gtest/gtest.h>

#include <string>

namespace logstream {
namespace {

TEST(PatternSet, ADeliberateStopIsNotAFailure) {
  auto set = PatternSet::create({{"abc", 0, 1}});
  ASSERT_TRUE(set) << set.error();
  auto scratch = set.value().make_scratch();
  ASSERT_TRUE(scratch) << scratch.error();
  const std::string text = "abc abc";
  int matches = 0;
  auto stop_at_first = [&](unsigned, size_t) {
    ++matches;
    return false;
  };
  const hs_error_t result = set.value().scan(text.data(), text.size(), scratch.value(), stop_at_first);
  EXPECT_EQ(result, HS_SCAN_TERMINATED);
  EXPECT_FALSE(PatternSet::failed(result));
  EXPECT_EQ(matches, 1);
}

TEST(PatternSet, AScratchInUseIsReportedWithHyperscansName) {
  auto set = PatternSet::create({{"x", 0, 1}});
  ASSERT_TRUE(set) << set.error();
  auto scratch = set.value().make_scratch();
  ASSERT_TRUE(scratch) << scratch.error();
  const std::string text = "x";
  hs_error_t inner = HS_SUCCESS;
  // Scanning again from inside a callback with the same scratch is the classic misuse.
  auto reenter = [&](unsigned, size_t) {
    auto ignore = [](unsigned, size_t) { return true; };
    inner = set.value().scan(text.data(), text.size(), scratch.value(), ignore);
    return true;
  };
  EXPECT_EQ(set.value().scan(text.data(), text.size(), scratch.value(), reenter), HS_SUCCESS);
  EXPECT_EQ(inner, HS_SCRATCH_IN_USE);
  EXPECT_TRUE(PatternSet::failed(inner));
  EXPECT_NE(PatternSet::error_text(inner).find("HS_SCRATCH_IN_USE"), std::string::npos);
}

TEST(PatternSet, AScratchMadeForASmallerDatabaseIsRefusedNotIgnored) {
  auto small = PatternSet::create({{"a", 0, 1}});
  std::vector<PatternSpec> many;
  for (unsigned i = 0; i < 40; ++i) many.push_back({"(ab|cd)[0-9]{" + std::to_string(i + 1) + "}x", 0, i});
  auto large = PatternSet::create(many);
  ASSERT_TRUE(small && large);
  auto scratch = small.value().make_scratch();
  ASSERT_TRUE(scratch);
  const std::string text = "ab123x cd99999x";
  auto ignore = [](unsigned, size_t) { return true; };
  const hs_error_t result = large.value().scan(text.data(), text.size(), scratch.value(), ignore);
  EXPECT_TRUE(PatternSet::failed(result)) << result;
  EXPECT_NE(PatternSet::error_text(result).find("code"), std::string::npos);
}

}  // namespace
}  // namespace logstream
