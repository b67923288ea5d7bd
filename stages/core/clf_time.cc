#include "stages/core/clf_time.h"

namespace logstream {
namespace {

constexpr unsigned digit(char c) noexcept {
  return static_cast<unsigned>(static_cast<unsigned char>(c) - '0');
}

// The month of a three-letter English abbreviation packed into one integer, or 0.
int month_of(const char* p) noexcept {
  const uint32_t code = static_cast<uint32_t>(static_cast<unsigned char>(p[0])) << 16 |
                        static_cast<uint32_t>(static_cast<unsigned char>(p[1])) << 8 |
                        static_cast<uint32_t>(static_cast<unsigned char>(p[2]));
  constexpr auto pack = [](const char(&m)[4]) {
    return static_cast<uint32_t>(m[0]) << 16 | static_cast<uint32_t>(m[1]) << 8 | static_cast<uint32_t>(m[2]);
  };
  switch (code) {
    case pack("Jan"):
      return 1;
    case pack("Feb"):
      return 2;
    case pack("Mar"):
      return 3;
    case pack("Apr"):
      return 4;
    case pack("May"):
      return 5;
    case pack("Jun"):
      return 6;
    case pack("Jul"):
      return 7;
    case pack("Aug"):
      return 8;
    case pack("Sep"):
      return 9;
    case pack("Oct"):
      return 10;
    case pack("Nov"):
      return 11;
    case pack("Dec"):
      return 12;
    default:
      return 0;
  }
}

// Days since 1970-01-01 of a proleptic Gregorian date (Howard Hinnant's days_from_civil).
int64_t days_from_civil(int64_t y, unsigned m, unsigned d) noexcept {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

bool leap_year(unsigned y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

// Hot in every fixed format: one pass over fixed positions, no loops, no calls.
std::optional<int64_t> parse_clf_time(std::string_view t) noexcept {
  // dd/Mon/yyyy:HH:MM:SS +hhmm  -> 26 characters exactly
  if (t.size() != 26) return std::nullopt;
  const char* p = t.data();
  static constexpr int kDigitAt[] = {0, 1, 7, 8, 9, 10, 12, 13, 15, 16, 18, 19, 22, 23, 24, 25};
  unsigned any_bad = 0;
  for (int at : kDigitAt) any_bad |= digit(p[at]) > 9;
  if (any_bad || p[2] != '/' || p[6] != '/' || p[11] != ':' || p[14] != ':' || p[17] != ':' || p[20] != ' ' ||
      (p[21] != '+' && p[21] != '-')) {
    return std::nullopt;
  }
  const int month = month_of(p + 3);
  if (month == 0) return std::nullopt;
  const unsigned day = digit(p[0]) * 10 + digit(p[1]);
  const unsigned year = digit(p[7]) * 1000 + digit(p[8]) * 100 + digit(p[9]) * 10 + digit(p[10]);
  const unsigned hour = digit(p[12]) * 10 + digit(p[13]);
  const unsigned minute = digit(p[15]) * 10 + digit(p[16]);
  const unsigned second = digit(p[18]) * 10 + digit(p[19]);
  const unsigned off_h = digit(p[22]) * 10 + digit(p[23]);
  const unsigned off_m = digit(p[24]) * 10 + digit(p[25]);
  static constexpr unsigned kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const unsigned month_days = kDaysInMonth[month - 1] + (month == 2 && leap_year(year) ? 1 : 0);
  // second 60 is a leap second, which httpd can print.
  if (day < 1 || day > month_days || hour > 23 || minute > 59 || second > 60 || off_h > 23 || off_m > 59) {
    return std::nullopt;
  }
  const int64_t offset = static_cast<int64_t>(off_h * 3600 + off_m * 60) * (p[21] == '-' ? -1 : 1);
  const int64_t local = days_from_civil(year, static_cast<unsigned>(month), day) * 86400 +
                        static_cast<int64_t>(hour * 3600 + minute * 60 + second);
  return local - offset;
}

std::optional<int64_t> ClfTimeCache::parse_new_minute(std::string_view text) noexcept {
  const auto epoch = parse_clf_time(text);
  valid_ = epoch.has_value();
  if (valid_) {
    std::memcpy(minute_, text.data(), 17);
    std::memcpy(offset_, text.data() + 20, 6);
    minute_epoch_ = *epoch - ((text[18] - '0') * 10 + (text[19] - '0'));
  }
  return epoch;
}

}  // namespace logstream
