#include "stages/core/line_terminators.h"

#include <gtest/gtest.h>

#include <random>
#include <string>
#include <vector>

namespace logstream {
namespace {

std::vector<std::string> lines_of(const std::string& text) {
  std::vector<std::string> lines;
  for_each_line(text.data(), text.data() + text.size(), [&](std::string_view l) { lines.emplace_back(l); });
  EXPECT_EQ(lines.size(), count_lines(text.data(), text.data() + text.size()));
  return lines;
}

TEST(LineTerminators, SplitsOnLfCrlfAndLoneCr) {
  EXPECT_EQ(lines_of("a\nb\r\nc\rd"), (std::vector<std::string>{"a", "b", "c", "d"}));
}

TEST(LineTerminators, FinalLineWithoutTerminatorIsALine) {
  EXPECT_EQ(lines_of("a\nb"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(lines_of("a\n"), (std::vector<std::string>{"a"}));
}

TEST(LineTerminators, EmptyLinesAreLines) {
  EXPECT_EQ(lines_of("\n\r\n\r"), (std::vector<std::string>{"", "", ""}));
  EXPECT_EQ(lines_of(""), (std::vector<std::string>{}));
}

TEST(LineTerminators, CrThenLfIsOneTerminatorButLfThenCrIsTwo) {
  EXPECT_EQ(lines_of("a\r\nb"), (std::vector<std::string>{"a", "b"}));
  EXPECT_EQ(lines_of("a\n\rb"), (std::vector<std::string>{"a", "", "b"}));
}

TEST(LineTerminators, NulBytesStayInsideTheLine) {
  const std::string text("a\0b\nc", 5);
  const auto lines = lines_of(text);
  ASSERT_EQ(lines.size(), 2u);
  EXPECT_EQ(lines[0], std::string("a\0b", 3));
}

}  // namespace
}  // namespace logstream

namespace logstream {
namespace {

// The vector search against the two-memchr one, at every offset and length around the 16- and 32-byte
// block sizes, with terminators at every position (and none).
TEST(FindLineEnd, AgreesWithTheScalarSearchAtEveryBlockBoundary) {
  std::mt19937 rng(7);
  for (size_t length = 0; length < 100; ++length) {
    for (int trial = 0; trial < 40; ++trial) {
      std::string text(length + 8, 'x');
      for (char& c : text) {
        const unsigned r = rng() % 64;
        c = r == 0 ? '\n' : r == 1 ? '\r' : static_cast<char>('a' + r % 26);
      }
      for (size_t offset = 0; offset < 4; ++offset) {
        const char* begin = text.data() + offset;
        const char* end = begin + length;
        ASSERT_EQ(find_line_end(begin, end), find_line_terminator(begin, end)) << length << " " << offset;
      }
    }
  }
}

}  // namespace
}  // namespace logstream
