#include "stages/sinks/spark_value_text.h"

#include <charconv>
#include <cmath>
#include <system_error>

namespace logstream {
namespace {

struct DecimalDigits {
  std::string digits;  // significant digits, no leading or trailing zeros
  int exponent = 0;    // value = d.ddd x 10^exponent
};

// Splits std::to_chars' scientific output "d.ddde+XX" (or "de+XX").
DecimalDigits split_scientific(std::string_view text) {
  DecimalDigits out;
  const size_t e = text.find('e');
  for (size_t i = 0; i < e; ++i) {
    if (text[i] != '.') out.digits += text[i];
  }
  while (out.digits.size() > 1 && out.digits.back() == '0') out.digits.pop_back();
  std::from_chars(text.data() + e + (text[e + 1] == '+' ? 2 : 1), text.data() + text.size(), out.exponent);
  return out;
}

DecimalDigits shortest_digits(double magnitude) {
  char buffer[64];
  const auto shortest =
      std::to_chars(buffer, buffer + sizeof buffer, magnitude, std::chars_format::scientific);
  DecimalDigits best = split_scientific(std::string_view(buffer, static_cast<size_t>(shortest.ptr - buffer)));
  if (best.digits.size() == 1) {
    // Java widens the choice to two digits when one would do and takes the closest (4.9E-324, not 5E-324).
    // to_chars with precision 1 gives the two-digit decimal closest to the double; it must still read back.
    char two[64];
    const auto r = std::to_chars(two, two + sizeof two, magnitude, std::chars_format::scientific, 1);
    double back = 0;
    const auto parsed = std::from_chars(two, r.ptr, back);
    if (parsed.ec == std::errc() && back == magnitude) {
      DecimalDigits candidate = split_scientific(std::string_view(two, static_cast<size_t>(r.ptr - two)));
      if (candidate.digits.size() == 2) best = candidate;
    }
  }
  return best;
}

void append_two(std::string& out, int64_t n) {
  out += static_cast<char>('0' + n / 10);
  out += static_cast<char>('0' + n % 10);
}

int64_t floor_div(int64_t a, int64_t b) noexcept { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

}  // namespace

std::string java_double_to_string(double v) {
  if (std::isnan(v)) return "NaN";
  if (std::isinf(v)) return v > 0 ? "Infinity" : "-Infinity";
  if (v == 0) return std::signbit(v) ? "-0.0" : "0.0";
  const DecimalDigits d = shortest_digits(std::fabs(v));
  std::string out = v < 0 ? "-" : "";
  const int n = static_cast<int>(d.digits.size());
  if (d.exponent >= -3 && d.exponent < 7) {
    if (d.exponent >= 0) {
      const int integer_digits = d.exponent + 1;
      out.append(d.digits, 0, static_cast<size_t>(std::min(n, integer_digits)));
      if (n < integer_digits) out.append(static_cast<size_t>(integer_digits - n), '0');
      out += '.';
      out += n > integer_digits ? d.digits.substr(static_cast<size_t>(integer_digits)) : "0";
    } else {
      out += "0.";
      out.append(static_cast<size_t>(-d.exponent - 1), '0');
      out += d.digits;
    }
  } else {
    out += d.digits[0];
    out += '.';
    out += n > 1 ? d.digits.substr(1) : "0";
    out += 'E';
    out += std::to_string(d.exponent);
  }
  return out;
}

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

}  // namespace logstream
