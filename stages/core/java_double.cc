#include "stages/core/java_double.h"

#include <algorithm>
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

}  // namespace logstream
