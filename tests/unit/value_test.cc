// Values as Spark SQL groups and sorts them.
#include "stages/core/value.h"

#include <gtest/gtest.h>

#include <cmath>
#include <limits>

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

TEST(Value, ColumnsResolveCaseInsensitively) {
  const Schema schema = {{"host", DataType::kString}, {"Status", DataType::kInt}};
  EXPECT_EQ(find_column(schema, "status"), 1);
  EXPECT_EQ(find_column(schema, "HOST"), 0);
  EXPECT_EQ(find_column(schema, "hosts"), -1);
  EXPECT_EQ(data_type_name(DataType::kBigint), "bigint");
}

}  // namespace
}  // namespace logstream
