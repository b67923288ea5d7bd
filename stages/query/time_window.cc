#include "stages/query/time_window.h"

#include <cctype>
#include <vector>

namespace logstream {
namespace {

std::string lowered(std::string_view text) {
  std::string out(text);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::vector<std::string_view> words(std::string_view text) {
  std::vector<std::string_view> out;
  size_t at = 0;
  while (at < text.size()) {
    while (at < text.size() && std::isspace(static_cast<unsigned char>(text[at]))) ++at;
    size_t end = at;
    while (end < text.size() && !std::isspace(static_cast<unsigned char>(text[end]))) ++end;
    if (end > at) out.push_back(text.substr(at, end - at));
    at = end;
  }
  return out;
}

// Microseconds per unit, by singular name; 0 for a unit a window cannot take; -1 for no unit at all.
int64_t unit_micros(std::string_view unit) {
  if (unit.size() > 1 && unit.back() == 's') unit.remove_suffix(1);
  if (unit == "microsecond") return 1;
  if (unit == "millisecond") return 1000;
  if (unit == "second") return 1'000'000;
  if (unit == "minute") return 60'000'000;
  if (unit == "hour") return 3'600'000'000;
  if (unit == "day") return 86'400'000'000;
  if (unit == "week") return 7 * 86'400'000'000;
  if (unit == "month" || unit == "year") return 0;
  return -1;
}

}  // namespace

Expected<int64_t> parse_window_interval(std::string_view text) {
  const std::string lower = lowered(text);
  std::vector<std::string_view> parts = words(lower);
  const std::string shown = "'" + std::string(text) + "'";
  if (!parts.empty() && parts[0] == "interval") parts.erase(parts.begin());
  if (parts.empty() || parts.size() % 2 != 0) {
    return Error{shown +
                 " is not an interval: write it as a number and a unit, e.g. '10 minutes' or "
                 "'1 hour 30 minutes'"};
  }
  Wide128 total = 0;
  for (size_t i = 0; i < parts.size(); i += 2) {
    std::string_view number = parts[i];
    const bool negative = !number.empty() && number[0] == '-';
    if (negative || (!number.empty() && number[0] == '+')) number.remove_prefix(1);
    if (number.empty() || number.size() > 18 ||
        number.find_first_not_of("0123456789") != std::string_view::npos)
      return Error{shown + ": '" + std::string(parts[i]) + "' is not a whole number"};
    const int64_t unit = unit_micros(parts[i + 1]);
    if (unit == 0)
      return Error{shown + ": months and years are not supported (their length varies); use days or weeks"};
    if (unit < 0)
      return Error{shown + ": unknown unit '" + std::string(parts[i + 1]) +
                   "' (microseconds, milliseconds, seconds, minutes, hours, days or weeks)"};
    const Wide128 value = static_cast<Wide128>(std::stoll(std::string(number))) * unit;
    total += negative ? -value : value;
    if (total > INT64_MAX || total < -static_cast<Wide128>(INT64_MAX)) return Error{shown + ": too long"};
  }
  return static_cast<int64_t>(total);
}

Expected<TimeWindowSpec> make_time_window(int64_t size_us, int64_t slide_us, int64_t start_us) {
  if (size_us <= 0) return Error{"the window duration must be greater than 0"};
  if (slide_us <= 0) return Error{"the slide duration must be greater than 0"};
  if (slide_us > size_us)
    return Error{"the slide duration must be less than or equal to the window duration"};
  if (start_us <= -slide_us || start_us >= slide_us)
    return Error{"the absolute value of the start time must be less than the slide duration"};
  const TimeWindowSpec spec{size_us, slide_us, start_us};
  if (spec.windows_per_row() > kMaxWindowsPerRow) {
    return Error{"a row would fall into " + std::to_string(spec.windows_per_row()) +
                 " windows (duration / slide); at most " + std::to_string(kMaxWindowsPerRow) +
                 " are allowed: use a longer slide"};
  }
  return spec;
}

}  // namespace logstream
