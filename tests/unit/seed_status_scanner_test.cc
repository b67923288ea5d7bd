#include "stages/parser/seed_status_scanner.h"

#include <gtest/gtest.h>

#include <cstring>

namespace logstream {
namespace {

LineCounts scan(const std::string& text) {
  auto scanner = SeedStatusScanner::create().value();
  auto context = scanner.make_context().value();
  Chunk chunk(text.size() + 1);
  std::memcpy(chunk.data(), text.data(), text.size());
  chunk.size = text.size();
  scanner.process(context, chunk);
  return chunk.counts;
}

TEST(SeedStatusScanner, TakesTheLeftmostMatchOfEachLine) {
  const LineCounts c = scan("a 200 b 404 c\nx 500 y\n");
  EXPECT_EQ(c.lines_read, 2u);
  EXPECT_EQ(c.status[200], 1u);
  EXPECT_EQ(c.status[404], 0u);
  EXPECT_EQ(c.status[500], 1u);
  EXPECT_EQ(c.null_status, 0u);
}

TEST(SeedStatusScanner, LineWithoutAMatchIsNull) {
  const LineCounts c = scan("no status here\n 2000 \n200 \n");
  EXPECT_EQ(c.lines_read, 3u);
  EXPECT_EQ(c.null_status, 3u) << "4 digits, or no whitespace before, is no match";
}

TEST(SeedStatusScanner, TerminatorsAreNotWhitespaceOfTheLine) {
  // "x\n200 y": the '\n' ends the first line, so " 200 " does not straddle it: both lines are null.
  const LineCounts c = scan("x\n200 y\r\n301\rz 302\n");
  EXPECT_EQ(c.lines_read, 4u);
  EXPECT_EQ(c.null_status, 4u);
}

TEST(SeedStatusScanner, TabsVerticalTabsAndFormFeedsAreWhitespace) {
  const LineCounts c = scan(
      "a\t201\tb\nc\x0b"
      "202\x0c"
      "d\n");
  EXPECT_EQ(c.status[201], 1u);
  EXPECT_EQ(c.status[202], 1u);
}

TEST(SeedStatusScanner, LeadingZerosCastToTheirIntegerValue) {
  const LineCounts c = scan("a 007 b\n");
  EXPECT_EQ(c.status[7], 1u);
}

}  // namespace
}  // namespace logstream
