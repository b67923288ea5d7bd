#include "stages/core/clf_time.h"

#include <gtest/gtest.h>

namespace logstream {
namespace {

TEST(ClfTime, ConvertsWithTheOffset) {
  // 2000-10-10 20:55:36 UTC, the example in Apache's documentation.
  EXPECT_EQ(parse_clf_time("10/Oct/2000:13:55:36 -0700"), 971211336);
  EXPECT_EQ(parse_clf_time("10/Oct/2000:20:55:36 +0000"), 971211336);
  EXPECT_EQ(parse_clf_time("11/Oct/2000:05:55:36 +0900"), 971211336);
}

TEST(ClfTime, KnowsLeapYears) {
  EXPECT_TRUE(parse_clf_time("29/Feb/2004:00:00:00 +0000"));
  EXPECT_FALSE(parse_clf_time("29/Feb/2005:00:00:00 +0000"));
  EXPECT_TRUE(parse_clf_time("29/Feb/2000:00:00:00 +0000"));
  EXPECT_FALSE(parse_clf_time("29/Feb/1900:00:00:00 +0000"));
  EXPECT_EQ(parse_clf_time("01/Jan/1970:00:00:00 +0000"), 0);
}

TEST(ClfTime, RejectsAnythingElse) {
  for (const char* bad :
       {"", "10/Oct/2000:13:55:36", "10/Oct/2000:13:55:36 0700", "10/Foo/2000:13:55:36 -0700",
        "32/Oct/2000:13:55:36 -0700", "10/Oct/2000:24:00:00 -0700", "10/Oct/2000 13:55:36 -0700",
        "1/Oct/2000:13:55:36 -0700 ", "10/Oct/2000:13:55:36 -07:0"}) {
    EXPECT_FALSE(parse_clf_time(bad)) << bad;
  }
}

TEST(ClfTime, TheCacheGivesTheSameAnswersAsAFullParse) {
  ClfTimeCache cache;
  for (const char* text :
       {"10/Oct/2000:13:55:36 -0700", "10/Oct/2000:13:55:37 -0700", "10/Oct/2000:13:55:60 -0700",
        "10/Oct/2000:13:55:61 -0700", "10/Oct/2000:13:55:3x -0700", "10/Oct/2000:13:55:09 +0700",
        "10/Oct/2000:13:56:00 +0700", "29/Feb/2005:13:56:00 +0700", "29/Feb/2005:13:56:01 +0700",
        "10/Oct/2000:13:55:36 -0700", "10/Oct/2000:13:55:36 -07001"}) {
    EXPECT_EQ(cache.parse(text), parse_clf_time(text)) << text;
  }
}

}  // namespace
}  // namespace logstream
