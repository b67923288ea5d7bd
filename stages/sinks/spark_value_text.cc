#include "stages/sinks/spark_value_text.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace logstream {
namespace {

void append_two(std::string& out, int64_t n) {
  out += static_cast<char>('0' + n / 10);
  out += static_cast<char>('0' + n % 10);
}

int64_t floor_div(int64_t a, int64_t b) noexcept { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::string format_timestamp(int64_t micros, const TimeZone& zone) {
  const int64_t utc_seconds = floor_div(micros, 1'000'000);
  const int64_t fraction = micros - utc_seconds * 1'000'000;
  const int64_t local = utc_seconds + zone.offset_at(utc_seconds);
  const int64_t days = floor_div(local, 86400);
  const int64_t second_of_day = local - days * 86400;
  const CivilDate date = civil_from_days(days);

  std::string out;
  // ISO_LOCAL_DATE's year: at least four digits, '+' beyond 9999, '-' before year 0.
  if (date.year > 9999) out += '+';
  if (date.year < 0) out += '-';
  const std::string year = std::to_string(date.year < 0 ? -date.year : date.year);
  if (year.size() < 4) out.append(4 - year.size(), '0');
  out += year;
  out += '-';
  append_two(out, date.month);
  out += '-';
  append_two(out, date.day);
  out += ' ';
  append_two(out, second_of_day / 3600);
  out += ':';
  append_two(out, second_of_day / 60 % 60);
  out += ':';
  append_two(out, second_of_day % 60);
  if (fraction != 0) {
    char digits[7];
    int64_t f = fraction;
    for (int i = 5; i >= 0; --i, f /= 10) digits[i] = static_cast<char>('0' + f % 10);
    size_t length = 6;
    while (digits[length - 1] == '0') --length;
    out += '.';
    out.append(digits, length);
  }
  return out;
}

std::string format_value(const Value& value, const TimeZone& zone) {
  if (value.null) return "null";
  switch (value.type) {
    case DataType::kNull:
      return "null";
    case DataType::kBoolean:
      return value.integer != 0 ? "true" : "false";
    case DataType::kInt:
    case DataType::kBigint:
      return std::to_string(value.integer);
    case DataType::kDouble:
      return java_double_to_string(value.real);
    case DataType::kString:
      return value.text;
    case DataType::kTimestamp:
      return format_timestamp(value.integer, zone);
    case DataType::kWindow: {
      const Value fields[] = {Value::timestamp_micros(value.integer), Value::timestamp_micros(value.end)};
      return format_struct(fields, zone);  // Spark 3.1+: {2015-11-29 03:50:00, 2015-11-29 03:55:00}
    }
  }
  return "null";
}

std::string format_struct(std::span<const Value> fields, const TimeZone& zone) {
  std::string out = "{";
  for (size_t i = 0; i < fields.size(); ++i) {
    if (i > 0) out += ", ";
    out += format_value(fields[i], zone);
  }
  out += '}';
  return out;
}

namespace {

class SparkCastText final : public CastText {
 public:
  std::string double_text(double v) const override { return java_double_to_string(v); }
  std::string timestamp_text(int64_t micros, const TimeZone& zone) const override {
    return format_timestamp(micros, zone);
  }
};

}  // namespace

const CastText& spark_cast_text() noexcept {
  static const SparkCastText text;
  return text;
}

}  // namespace logstream
