// Values as Spark SQL groups and sorts them.
#include "stages/core/value.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cmath>
#include <limits>
#include <random>
#include <set>

namespace logstream {
namespace {

TEST(Value, GroupingTreatsNullsOfATypeAsOneGroupAndNormalizesDoubles) {
  EXPECT_EQ(Value::null_of(DataType::kInt), Value::null_of(DataType::kInt));
  EXPECT_FALSE(Value::null_of(DataType::kInt) == Value::int32(0));
  EXPECT_EQ(Value::float64(-0.0), Value::float64(0.0));
  EXPECT_EQ(Value::float64(std::nan("1")), Value::float64(-std::nan("2")));
  EXPECT_FALSE(Value::int32(1) == Value::bigint(1)) << "a plan never compares across types";
  EXPECT_EQ(Value::string("a\xc3\xa9"), Value::string("a\xc3\xa9"));
}

TEST(Value, SortOrderIsSparksAscendingWithNullFirst) {
  using std::strong_ordering;
  EXPECT_EQ(compare_for_sort(Value::null_of(DataType::kInt), Value::int32(-5)), strong_ordering::less);
  EXPECT_EQ(compare_for_sort(Value::int32(-5), Value::int32(3)), strong_ordering::less);
  EXPECT_EQ(
      compare_for_sort(Value::float64(std::numeric_limits<double>::infinity()), Value::float64(std::nan(""))),
      strong_ordering::less)
      << "NaN sorts last";
  EXPECT_EQ(compare_for_sort(Value::string("Z"), Value::string("a")), strong_ordering::less);
  EXPECT_EQ(compare_for_sort(Value::string("ab"), Value::string("abc")), strong_ordering::less);
  EXPECT_EQ(compare_for_sort(Value::string("z"), Value::string("\xc3\xa9")), strong_ordering::less)
      << "bytes compare unsigned";
  EXPECT_EQ(compare_for_sort(Value::boolean(false), Value::boolean(true)), strong_ordering::less);
}

TEST(Value, ManyStringsOrderAsCompareForSortDoes) {
  // Shared prefixes past sixteen bytes, a string that is a prefix of another, embedded NUL, bytes of
  // 0x80 and above, the empty string: the fast order of many strings is compare_for_sort's, string by
  // string.
  std::mt19937 rng(3);
  const std::string alphabet = std::string("ab/?=\x00\x7f\x80\xff", 9);
  std::set<std::string> distinct;
  while (distinct.size() < 3000) {
    std::string s = rng() % 3 == 0 ? "/blog/?id=0000000" : "";
    const size_t extra = rng() % 20;
    for (size_t i = 0; i < extra; ++i) s += alphabet[rng() % alphabet.size()];
    distinct.insert(s);
  }
  std::vector<std::string> strings(distinct.begin(), distinct.end());
  std::shuffle(strings.begin(), strings.end(), rng);
  std::vector<std::string_view> texts(strings.begin(), strings.end());
  std::vector<uint32_t> order;
  order_strings_for_sort(texts, order);
  ASSERT_EQ(order.size(), texts.size());
  for (size_t i = 1; i < order.size(); ++i) {
    ValueView a{DataType::kString, false, 0, 0, texts[order[i - 1]], 0};
    ValueView b{DataType::kString, false, 0, 0, texts[order[i]], 0};
    ASSERT_EQ(compare_for_sort(a, b), std::strong_ordering::less) << i;
  }
}

TEST(Value, ColumnsResolveCaseInsensitively) {
  const Schema schema = {{"host", DataType::kString}, {"Status", DataType::kInt}};
  EXPECT_EQ(find_column(schema, "status"), 1);
  EXPECT_EQ(find_column(schema, "HOST"), 0);
  EXPECT_EQ(find_column(schema, "hosts"), -1);
  EXPECT_EQ(data_type_name(DataType::kBigint), "bigint");
}

}  // namespace
}  // namespace logstream
