#include "stages/sinks/spark_value_text.h"

#include <gtest/gtest.h>

#include <bit>
#include <cmath>
#include <cstdlib>
#include <limits>

namespace logstream {
namespace {

// Every expectation here is what java.lang.Double.toString prints (checked on a JVM).
TEST(SparkValueText, DoublesAsJavaPrintsThem) {
  const std::pair<double, const char*> cases[] = {
      {0.1, "0.1"},
      {1e7, "1.0E7"},
      {1e-4, "1.0E-4"},
      {123456.789, "123456.789"},
      {9.999999e6, "9999999.0"},
      {1e-3, "0.001"},  // the lower edge of plain notation
      {9.99e-4, "9.99E-4"},
      {5e-324, "4.9E-324"},  // one digit would do; Java takes the closer of one or two
      {2e-323, "2.0E-323"},
      {1.7976931348623157e308, "1.7976931348623157E308"},
      {100.0, "100.0"},
      {1.0, "1.0"},
      {0.0, "0.0"},
      {-0.0, "-0.0"},
      {-1.5, "-1.5"},
      {1.0 / 3, "0.3333333333333333"},
      {2.0 / 3, "0.6666666666666666"},
      {9999999.999999998, "9999999.999999998"},
      {1234567.0, "1234567.0"},
      {12345678.0, "1.2345678E7"},
      {1e21, "1.0E21"},
      {1e23, "1.0E23"},
      {4.35, "4.35"},
      {-4685301.732781133, "-4685301.732781133"},
      {-3.1656550389409077E-137, "-3.1656550389409077E-137"},
      {std::numeric_limits<double>::infinity(), "Infinity"},
      {-std::numeric_limits<double>::infinity(), "-Infinity"},
      {std::numeric_limits<double>::quiet_NaN(), "NaN"},
      {std::numeric_limits<double>::min(), "2.2250738585072014E-308"},
  };
  for (const auto& [v, expected] : cases) EXPECT_EQ(java_double_to_string(v), expected) << expected;
}

// Of two shortest decimals the closer wins (JDK 19+; JDK 17 prints ...675E25 here).
TEST(SparkValueText, TheClosestOfTheShortestDigits) {
  EXPECT_EQ(java_double_to_string(std::bit_cast<double>(uint64_t{0x453b016bd768dcd7})),
            "3.2647708819592676E25");
}

TEST(SparkValueText, EveryDoubleReadsBack) {
  uint64_t bits = 0x9E3779B97F4A7C15ull;
  for (int i = 0; i < 20000; ++i) {
    bits = bits * 6364136223846793005ull + 1442695040888963407ull;
    const double v = std::bit_cast<double>(bits);
    if (!std::isfinite(v)) continue;
    const std::string text = java_double_to_string(v);
    ASSERT_EQ(std::strtod(text.c_str(), nullptr), v) << text;  // strtod reads Java's "1.0E-4" too
  }
}

TEST(SparkValueText, TimestampsInTheSessionZone) {
  const TimeZone utc;
  const TimeZone la = TimeZone::load("America/Los_Angeles").value();
  // Expectations from java.time with Spark's fraction formatter.
  EXPECT_EQ(format_timestamp(1448769000000000, utc), "2015-11-29 03:50:00");
  EXPECT_EQ(format_timestamp(1448769000000000, la), "2015-11-28 19:50:00");
  EXPECT_EQ(format_timestamp(1448769000500000, la), "2015-11-28 19:50:00.5");
  EXPECT_EQ(format_timestamp(1425808799000000, la), "2015-03-08 01:59:59");
  EXPECT_EQ(format_timestamp(1425808800000000, la), "2015-03-08 03:00:00");
  EXPECT_EQ(format_timestamp(4118083200000000, la), "2100-06-30 17:00:00");
  EXPECT_EQ(format_timestamp(-3786825600000000, la), "1849-12-31 16:07:02");
  EXPECT_EQ(format_timestamp(1448769000000001, TimeZone::load("Asia/Kolkata").value()),
            "2015-11-29 09:20:00.000001");
  EXPECT_EQ(format_timestamp(1448769000120000, TimeZone::load("+05:30").value()), "2015-11-29 09:20:00.12");
  EXPECT_EQ(format_timestamp(-1, TimeZone::load("Europe/Berlin").value()), "1970-01-01 00:59:59.999999");
  EXPECT_EQ(format_timestamp(-1, utc), "1969-12-31 23:59:59.999999");
  EXPECT_EQ(format_timestamp(-62135596801000000, utc), "0000-12-31 23:59:59");
  EXPECT_EQ(format_timestamp(-62198755200000000, utc), "-0001-01-01 00:00:00");
  EXPECT_EQ(format_timestamp(253402300800000000, utc), "+10000-01-01 00:00:00");
}

TEST(SparkValueText, ValuesOfEveryType) {
  const TimeZone utc;
  EXPECT_EQ(format_value(Value::null_of(DataType::kString), utc), "null");
  EXPECT_EQ(format_value(Value::null_of(DataType::kDouble), utc), "null");
  EXPECT_EQ(format_value(Value::null_of(DataType::kNull), utc), "null");
  EXPECT_EQ(format_value(Value::boolean(true), utc), "true");
  EXPECT_EQ(format_value(Value::boolean(false), utc), "false");
  EXPECT_EQ(format_value(Value::int32(-2147483647 - 1), utc), "-2147483648");
  EXPECT_EQ(format_value(Value::bigint(9223372036854775807), utc), "9223372036854775807");
  EXPECT_EQ(format_value(Value::float64(64971.0), utc), "64971.0");
  EXPECT_EQ(format_value(Value::string("GET /index.html"), utc), "GET /index.html");
  EXPECT_EQ(format_value(Value::timestamp_micros(0), utc), "1970-01-01 00:00:00");
}

TEST(SparkValueText, AWindowIsAStructOfItsBounds) {
  const TimeZone utc;
  const Value window[] = {Value::timestamp_micros(1448769000000000),
                          Value::timestamp_micros(1448769300000000)};
  EXPECT_EQ(format_struct(window, utc), "{2015-11-29 03:50:00, 2015-11-29 03:55:00}");
  const Value with_null[] = {Value::null_of(DataType::kTimestamp), Value::int32(3)};
  EXPECT_EQ(format_struct(with_null, utc), "{null, 3}");
  EXPECT_EQ(format_struct({}, utc), "{}");
}

}  // namespace
}  // namespace logstream
