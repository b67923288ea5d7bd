#include "stages/core/clf_time.h"

namespace logstream {
namespace {

bool two_digits(const char* p, int& out) noexcept {
  if (p[0] < '0' || p[0] > '9' || p[1] < '0' || p[1] > '9') return false;
  out = (p[0] - '0') * 10 + (p[1] - '0');
  return true;
}

int month_index(const char* p) noexcept {
  static constexpr char kMonths[] = "JanFebMarAprMayJunJulAugSepOctNovDec";
  for (int m = 0; m < 12; ++m) {
    if (p[0] == kMonths[m * 3] && p[1] == kMonths[m * 3 + 1] && p[2] == kMonths[m * 3 + 2]) return m + 1;
  }
  return 0;
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

bool leap_year(int y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

std::optional<int64_t> parse_clf_time(std::string_view t) noexcept {
  // dd/Mon/yyyy:HH:MM:SS +hhmm  -> 26 characters exactly
  if (t.size() != 26) return std::nullopt;
  const char* p = t.data();
  int day, hour, minute, second, year_hi, year_lo, off_h, off_m;
  if (!two_digits(p, day) || p[2] != '/') return std::nullopt;
  const int month = month_index(p + 3);
  if (month == 0 || p[6] != '/') return std::nullopt;
  if (!two_digits(p + 7, year_hi) || !two_digits(p + 9, year_lo) || p[11] != ':') return std::nullopt;
  if (!two_digits(p + 12, hour) || p[14] != ':' || !two_digits(p + 15, minute) || p[17] != ':') {
    return std::nullopt;
  }
  if (!two_digits(p + 18, second) || p[20] != ' ') return std::nullopt;
  if ((p[21] != '+' && p[21] != '-') || !two_digits(p + 22, off_h) || !two_digits(p + 24, off_m)) {
    return std::nullopt;
  }
  const int year = year_hi * 100 + year_lo;
  static constexpr int kDaysInMonth[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const int month_days = kDaysInMonth[month - 1] + (month == 2 && leap_year(year) ? 1 : 0);
  // second 60 is a leap second, which httpd can print.
  if (day < 1 || day > month_days || hour > 23 || minute > 59 || second > 60 || off_h > 23 || off_m > 59) {
    return std::nullopt;
  }
  const int64_t offset = (off_h * 3600 + off_m * 60) * (p[21] == '-' ? -1 : 1);
  const int64_t local =
      days_from_civil(year, static_cast<unsigned>(month), static_cast<unsigned>(day)) * 86400 + hour * 3600 +
      minute * 60 + second;
  return local - offset;
}

}  // namespace logstream
