#include "stages/query/evaluate.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <cstdio>
#include <cstring>
#include <limits>
#include <map>
#include <memory>
#include <new>
#include <optional>

#include "stages/core/invariant.h"
#include "stages/query/time_window.h"

namespace logstream {
namespace {

constexpr int64_t kMicrosPerSecond = 1'000'000;
constexpr int64_t kSecondsPerDay = 86'400;

int64_t floor_div(int64_t a, int64_t b) noexcept {
  int64_t q = a / b;
  if ((a % b != 0) && ((a < 0) != (b < 0))) --q;
  return q;
}

int64_t floor_mod(int64_t a, int64_t b) noexcept {
  int64_t r = a % b;  // not a - floor_div(a, b) * b, which overflows for the smallest longs
  if (r != 0 && ((r < 0) != (b < 0))) r += b;
  return r;
}

// Java's wrapping arithmetic on 32 and 64 bits.
int64_t wrap32(int64_t v) noexcept {
  return static_cast<int32_t>(static_cast<uint32_t>(static_cast<uint64_t>(v)));
}
int64_t add64(int64_t a, int64_t b) noexcept {
  return static_cast<int64_t>(static_cast<uint64_t>(a) + static_cast<uint64_t>(b));
}
int64_t sub64(int64_t a, int64_t b) noexcept {
  return static_cast<int64_t>(static_cast<uint64_t>(a) - static_cast<uint64_t>(b));
}
int64_t mul64(int64_t a, int64_t b) noexcept {
  return static_cast<int64_t>(static_cast<uint64_t>(a) * static_cast<uint64_t>(b));
}

// Java's (long) and (int) of a double: truncation toward zero, saturating, NaN as 0.
int64_t java_double_to_long(double v) noexcept {
  if (std::isnan(v)) return 0;
  if (v >= 9223372036854775807.0) return std::numeric_limits<int64_t>::max();
  if (v <= -9223372036854775808.0) return std::numeric_limits<int64_t>::min();
  return static_cast<int64_t>(v);
}
int64_t java_double_to_int(double v) noexcept {
  if (std::isnan(v)) return 0;
  if (v >= 2147483647.0) return std::numeric_limits<int32_t>::max();
  if (v <= -2147483648.0) return std::numeric_limits<int32_t>::min();
  return static_cast<int32_t>(v);
}

double as_double(const Value& v) noexcept {
  return v.type == DataType::kDouble ? v.real : static_cast<double>(v.integer);
}

// --- strings as Spark's UTF8String sees them -------------------------------------------------------

// UTF8String.numBytesForFirstByte: what the lead byte says, 1 for bytes that cannot lead.
size_t char_bytes(unsigned char lead) noexcept {
  if (lead >= 0xC2 && lead <= 0xDF) return 2;
  if (lead >= 0xE0 && lead <= 0xEF) return 3;
  if (lead >= 0xF0 && lead <= 0xF4) return 4;
  return 1;
}

int64_t num_chars(std::string_view s) noexcept {
  int64_t n = 0;
  for (size_t i = 0; i < s.size(); i += char_bytes(static_cast<unsigned char>(s[i]))) ++n;
  return n;
}

// UTF8String.substring(start, until) in characters, clipped to the string.
std::string char_substring(std::string_view s, int64_t start, int64_t until) {
  if (until <= start || start >= static_cast<int64_t>(s.size())) return {};
  size_t i = 0;
  int64_t c = 0;
  while (i < s.size() && c < start) {
    i += char_bytes(static_cast<unsigned char>(s[i]));
    ++c;
  }
  const size_t j = std::min(i, s.size());
  while (i < s.size() && c < until) {
    i += char_bytes(static_cast<unsigned char>(s[i]));
    ++c;
  }
  i = std::min(i, s.size());
  return i > j ? std::string(s.substr(j, i - j)) : std::string();
}

// UTF8String.substringSQL(pos, length): 1-based; 0 is the first character; negative counts from the end.
std::string substring_sql(std::string_view s, int32_t pos, int32_t length) {
  const int64_t len = num_chars(s);
  int64_t start = pos > 0 ? pos - 1 : (pos < 0 ? len + pos : 0);
  int64_t end = start + static_cast<int64_t>(length);
  end = std::clamp<int64_t>(end, std::numeric_limits<int32_t>::min(), std::numeric_limits<int32_t>::max());
  start = std::max<int64_t>(start, 0);
  if (start >= end) return {};
  return char_substring(s, start, end);
}

// UTF8String.subStringIndex: before the count-th delimiter from the left (count > 0), after the
// count-th from the right (count < 0); occurrences may overlap, as Spark searches from idx + 1.
// Java's String.split(separator, limit)[index] for a literal separator, as Spark's split gives it (limit
// <= 0: every element, trailing empty ones kept; limit > 0: at most `limit`, the last holding the rest).
std::optional<std::string_view> split_part(std::string_view text, std::string_view separator, int32_t limit,
                                           int32_t index) {
  if (index < 0 || separator.empty()) return std::nullopt;
  size_t start = 0;
  for (int32_t element = 0;; ++element) {
    const bool last_allowed = limit > 0 && element == limit - 1;
    const size_t at = last_allowed ? std::string_view::npos : text.find(separator, start);
    if (element == index)
      return text.substr(start, at == std::string_view::npos ? std::string_view::npos : at - start);
    if (at == std::string_view::npos) return std::nullopt;
    start = at + separator.size();
  }
}

std::string substring_index(std::string_view s, std::string_view delim, int32_t count) {
  if (delim.empty() || count == 0) return {};
  if (count > 0) {
    size_t idx = 0;
    bool first = true;
    int64_t left = count;
    while (left > 0) {
      const size_t from = first ? 0 : idx + 1;
      first = false;
      idx = from > s.size() ? std::string_view::npos : s.find(delim, from);
      if (idx == std::string_view::npos) return std::string(s);
      --left;
    }
    return std::string(s.substr(0, idx));
  }
  // From the right: rfind starting at numBytes - delim.numBytes, then at idx - 1.
  int64_t idx = static_cast<int64_t>(s.size()) - static_cast<int64_t>(delim.size()) + 1;
  int64_t left = -static_cast<int64_t>(count);
  while (left > 0) {
    int64_t at = idx - 1;
    int64_t found = -1;
    for (; at >= 0; --at) {
      if (s.substr(static_cast<size_t>(at)).starts_with(delim)) {
        found = at;
        break;
      }
    }
    if (found < 0) return std::string(s);
    idx = found;
    --left;
  }
  const size_t after = static_cast<size_t>(idx) + delim.size();
  if (after >= s.size()) return {};
  return std::string(s.substr(after));
}

std::string ascii_case(std::string_view s, bool upper) {
  std::string out(s);
  for (char& c : out) {
    if (upper && c >= 'a' && c <= 'z') c = static_cast<char>(c - 'a' + 'A');
    if (!upper && c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
  }
  return out;
}

// --- LIKE ------------------------------------------------------------------------------------------

// Matches atoms[from, to) (literals and _) at `pos`; the end position, or nullopt.
std::optional<size_t> match_fixed(const std::vector<LikeAtom>& atoms, size_t from, size_t to,
                                  std::string_view text, size_t pos) {
  for (size_t a = from; a < to; ++a) {
    const LikeAtom& atom = atoms[a];
    if (atom.kind == LikeAtom::kLiteral) {
      if (!text.substr(pos).starts_with(atom.text)) return std::nullopt;
      pos += atom.text.size();
    } else {
      if (pos >= text.size()) return std::nullopt;
      pos = std::min(text.size(), pos + char_bytes(static_cast<unsigned char>(text[pos])));
    }
  }
  return pos;
}

// The pattern is runs of fixed atoms separated by %: the first run is anchored at the start (unless the
// pattern starts with %), the last at the end (unless it ends with %), and each run in between taken at
// its leftmost place, which leaves the most room for the rest - so no backtracking is needed.
bool like_match(const std::vector<LikeAtom>& atoms, std::string_view text) {
  std::vector<std::pair<size_t, size_t>> runs;  // [from, to) in atoms
  size_t start = 0;
  for (size_t i = 0; i <= atoms.size(); ++i) {
    if (i == atoms.size() || atoms[i].kind == LikeAtom::kAnyString) {
      if (i > start) runs.emplace_back(start, i);
      start = i + 1;
    }
  }
  const bool leading_any = !atoms.empty() && atoms.front().kind == LikeAtom::kAnyString;
  const bool trailing_any = !atoms.empty() && atoms.back().kind == LikeAtom::kAnyString;
  if (runs.empty()) return leading_any || text.empty();  // "%" matches everything, "" only ""
  size_t pos = 0;
  size_t r = 0;
  if (!leading_any) {
    const auto end = match_fixed(atoms, runs[0].first, runs[0].second, text, 0);
    if (!end) return false;
    pos = *end;
    r = 1;
    if (runs.size() == 1 && !trailing_any) return pos == text.size();
  }
  for (; r < runs.size(); ++r) {
    const bool last_anchored = r + 1 == runs.size() && !trailing_any;
    bool matched = false;
    for (size_t at = pos; at <= text.size();) {
      const auto end = match_fixed(atoms, runs[r].first, runs[r].second, text, at);
      if (end && (!last_anchored || *end == text.size())) {
        pos = *end;
        matched = true;
        break;
      }
      if (at == text.size()) break;
      at = std::min(text.size(), at + char_bytes(static_cast<unsigned char>(text[at])));
    }
    if (!matched) return false;
  }
  return true;
}

// --- casts from strings -----------------------------------------------------------------------------

// UTF8String's trimAll: whitespace and ISO control characters as single bytes (<= 0x20, and DEL).
bool trim_byte(unsigned char b) noexcept { return b <= 0x20 || b == 0x7F; }

std::string_view trim_all(std::string_view s) noexcept {
  size_t b = 0, e = s.size();
  while (b < e && trim_byte(static_cast<unsigned char>(s[b]))) ++b;
  while (e > b && trim_byte(static_cast<unsigned char>(s[e - 1]))) --e;
  return s.substr(b, e - b);
}

// UTF8String.toLong/toInt (allowing a decimal fraction, which is dropped).
std::optional<int64_t> string_to_integral(std::string_view s, bool is_int) {
  s = trim_all(s);
  if (s.empty()) return std::nullopt;
  size_t i = 0;
  const bool negative = s[0] == '-';
  if (negative || s[0] == '+') {
    if (s.size() == 1) return std::nullopt;
    ++i;
  }
  const int64_t min_value =
      is_int ? std::numeric_limits<int32_t>::min() : std::numeric_limits<int64_t>::min();
  const int64_t stop = min_value / 10;
  int64_t result = 0;  // accumulated negatively, as Spark does, so that MIN_VALUE fits
  for (; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '.') {
      ++i;
      break;
    }
    if (c < '0' || c > '9') return std::nullopt;
    if (result < stop) return std::nullopt;
    const int64_t digit = c - '0';
    if (result * 10 < min_value + digit) return std::nullopt;
    result = result * 10 - digit;
  }
  for (; i < s.size(); ++i) {
    if (s[i] < '0' || s[i] > '9') return std::nullopt;
  }
  if (!negative) {
    if (result == min_value) return std::nullopt;  // -MIN_VALUE does not fit
    result = -result;
  }
  return result;
}

bool iequals(std::string_view a, std::string_view b) noexcept {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    const char x = a[i] >= 'A' && a[i] <= 'Z' ? static_cast<char>(a[i] - 'A' + 'a') : a[i];
    if (x != b[i]) return false;
  }
  return true;
}

// Java's Double.parseDouble (decimal forms), then Spark's special literals.
std::optional<double> string_to_double(std::string_view text) {
  std::string_view s = text;
  while (!s.empty() && static_cast<unsigned char>(s.front()) <= 0x20) s.remove_prefix(1);  // String.trim
  while (!s.empty() && static_cast<unsigned char>(s.back()) <= 0x20) s.remove_suffix(1);
  {
    std::string_view body = s;
    bool negative = false;
    if (!body.empty() && (body[0] == '+' || body[0] == '-')) {
      negative = body[0] == '-';
      body.remove_prefix(1);
    }
    if (body == "NaN") return std::nan("");
    if (body == "Infinity") return negative ? -HUGE_VAL : HUGE_VAL;
    if (!body.empty() &&
        (body.back() == 'd' || body.back() == 'D' || body.back() == 'f' || body.back() == 'F')) {
      body.remove_suffix(1);
    }
    // digits [. digits] [e [sign] digits], with at least one digit before the exponent
    size_t i = 0, digits = 0, first_nonzero = std::string_view::npos, point = std::string_view::npos;
    for (; i < body.size() &&
           ((body[i] >= '0' && body[i] <= '9') || (body[i] == '.' && point == std::string_view::npos));
         ++i) {
      if (body[i] == '.') {
        point = i;
      } else {
        ++digits;
        if (body[i] != '0' && first_nonzero == std::string_view::npos) first_nonzero = i;
      }
    }
    bool ok = digits > 0;
    int64_t exponent = 0;
    if (ok && i < body.size() && (body[i] == 'e' || body[i] == 'E')) {
      size_t j = i + 1;
      bool exp_negative = false;
      if (j < body.size() && (body[j] == '+' || body[j] == '-')) exp_negative = body[j++] == '-';
      const size_t exp_digits = j;
      for (; j < body.size() && body[j] >= '0' && body[j] <= '9'; ++j) {
        exponent = std::min<int64_t>(exponent * 10 + (body[j] - '0'), 1'000'000);
      }
      ok = j > exp_digits;
      if (exp_negative) exponent = -exponent;
      i = j;
    }
    ok = ok && i == body.size();
    if (ok) {
      double value = 0;
      const auto r =
          std::from_chars(body.data(), body.data() + body.size(), value, std::chars_format::general);
      if (r.ec == std::errc::result_out_of_range) {
        // Overflow or underflow: the decimal exponent of the first significant digit decides.
        if (first_nonzero == std::string_view::npos) {
          value = 0;
        } else {
          const size_t dot = point == std::string_view::npos ? body.find_first_of("eE") : point;
          const size_t int_end = dot == std::string_view::npos ? body.size() : dot;
          const int64_t magnitude =
              exponent + (first_nonzero < int_end ? static_cast<int64_t>(int_end - first_nonzero)
                                                  : -static_cast<int64_t>(first_nonzero - int_end - 1));
          value = magnitude > 0 ? HUGE_VAL : 0.0;
        }
      } else if (r.ec != std::errc() || r.ptr != body.data() + body.size()) {
        ok = false;
      }
      if (ok) return negative ? -value : value;
    }
  }
  const std::string_view t = trim_all(text);  // processFloatingPointSpecialLiterals: trim, lowercase
  if (iequals(t, "inf") || iequals(t, "+inf") || iequals(t, "infinity") || iequals(t, "+infinity"))
    return HUGE_VAL;
  if (iequals(t, "-inf") || iequals(t, "-infinity")) return -HUGE_VAL;
  if (iequals(t, "nan")) return std::nan("");
  return std::nullopt;
}

std::optional<bool> string_to_boolean(std::string_view s) {
  const std::string_view t = trim_all(s);
  for (std::string_view v : {"t", "true", "y", "yes", "1"}) {
    if (iequals(t, v)) return true;
  }
  for (std::string_view v : {"f", "false", "n", "no", "0"}) {
    if (iequals(t, v)) return false;
  }
  return std::nullopt;
}

// --- time ------------------------------------------------------------------------------------------

// A local date-time in `zone` to UTC seconds, as java.time resolves a LocalDateTime: the preferred offset
// if it is valid there, else in an overlap the earlier offset, and in a gap the time shifted forward by
// the gap (the result is the instant local - offset before the transition).
int64_t local_to_utc(const TimeZone& zone, int64_t local, std::optional<int32_t> preferred) {
  std::vector<int32_t> candidates;
  auto add = [&](int32_t o) {
    if (std::find(candidates.begin(), candidates.end(), o) == candidates.end()) candidates.push_back(o);
  };
  if (preferred) add(*preferred);
  add(zone.offset_at(local));
  add(zone.offset_at(local - kSecondsPerDay));
  add(zone.offset_at(local + kSecondsPerDay));
  for (size_t i = 0; i < candidates.size() && i < 16; ++i) add(zone.offset_at(local - candidates[i]));
  std::vector<int32_t> valid;
  for (const int32_t o : candidates) {
    if (zone.offset_at(local - o) == o) valid.push_back(o);
  }
  if (preferred && std::find(valid.begin(), valid.end(), *preferred) != valid.end())
    return local - *preferred;
  if (!valid.empty()) return local - *std::max_element(valid.begin(), valid.end());
  const int32_t after = *std::max_element(candidates.begin(), candidates.end());
  return local - zone.offset_at(local - after);
}

int64_t utc_seconds(int64_t micros) noexcept { return floor_div(micros, kMicrosPerSecond); }

// Seconds (plus microseconds) as a timestamp, or nullopt beyond its range (Spark's multiplyExact throws;
// a cast gives null, and so do we for date_trunc at the very ends of time).
std::optional<int64_t> to_micros(int64_t seconds, int64_t micros = 0) noexcept {
  int64_t scaled = 0, sum = 0;
  if (__builtin_mul_overflow(seconds, kMicrosPerSecond, &scaled) ||
      __builtin_add_overflow(scaled, micros, &sum)) {
    return std::nullopt;
  }
  return sum;
}

int64_t local_seconds(int64_t micros, const TimeZone& zone) noexcept {
  const int64_t s = utc_seconds(micros);
  return s + zone.offset_at(s);
}

std::string date_text(int64_t days) {
  const CivilDate d = civil_from_days(days);
  char buffer[32];
  int n;
  if (d.year < 0) {
    n = std::snprintf(buffer, sizeof buffer, "-%04lld-%02d-%02d", static_cast<long long>(-d.year), d.month,
                      d.day);
  } else if (d.year > 9999) {
    n = std::snprintf(buffer, sizeof buffer, "+%lld-%02d-%02d", static_cast<long long>(d.year), d.month,
                      d.day);
  } else {
    n = std::snprintf(buffer, sizeof buffer, "%04lld-%02d-%02d", static_cast<long long>(d.year), d.month,
                      d.day);
  }
  return std::string(buffer, static_cast<size_t>(std::max(n, 0)));
}

bool valid_date(int64_t year, int month, int day) noexcept {
  if (month < 1 || month > 12 || day < 1) return false;
  static constexpr int kDays[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  const bool leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
  return day <= (month == 2 && leap ? 29 : kDays[month - 1]);
}

// A zone written after a timestamp, if it is one we can resolve without reading zone files: Z, an
// offset, UTC/GMT/UT alone or with an offset.
std::optional<TimeZone> written_zone(std::string_view name) {
  name = trim_all(name);
  if (name.empty()) return std::nullopt;
  bool resolvable = name == "Z" || name[0] == '+' || name[0] == '-';
  for (std::string_view prefix : {"UTC", "GMT", "UT"}) {
    if (name.starts_with(prefix)) {
      const std::string_view rest = name.substr(prefix.size());
      resolvable = resolvable || rest.empty() || rest[0] == '+' || rest[0] == '-';
    }
  }
  if (!resolvable) return std::nullopt;
  auto zone = TimeZone::load(name);
  if (!zone) return std::nullopt;
  return std::move(zone).value();
}

// Spark's parseTimestampString + stringToTimestamp (DateTimeUtils, 3.4).
std::optional<int64_t> string_to_timestamp(std::string_view text, const TimeZone& session) {
  const std::string_view s = trim_all(text);
  if (s.empty()) return std::nullopt;
  auto valid_digits = [](int segment, int digits) {
    return segment == 6 || (segment == 0 && digits >= 4 && digits <= 6) || (segment == 7 && digits <= 2) ||
           (segment != 0 && segment != 6 && segment != 7 && digits > 0 && digits <= 2);
  };
  int64_t segments[9] = {1, 1, 1, 0, 0, 0, 0, 0, 0};
  int i = 0;
  int64_t value = 0;
  int digits = 0;
  int fraction_digits = 0;
  bool just_time = false;
  std::optional<std::string_view> tz;
  int year_sign = 0;
  size_t j = 0;
  if (s[0] == '-' || s[0] == '+') {
    year_sign = s[0] == '-' ? -1 : 1;
    j = 1;
  }
  auto next_segment = [&](int segment) {
    if (!valid_digits(segment, digits)) return false;
    segments[segment] = value;
    value = 0;
    digits = 0;
    return true;
  };
  for (; j < s.size(); ++j) {
    const char b = s[j];
    if (b >= '0' && b <= '9') {
      if (i == 6) ++fraction_digits;
      if (i != 6 || digits < 6) value = value * 10 + (b - '0');
      if (value > 1'000'000'000) return std::nullopt;  // more digits than any segment can take
      ++digits;
      continue;
    }
    if (j == 0 && b == 'T') {
      just_time = true;
      i += 3;
    } else if (i < 2) {
      if (b == '-') {
        if (!next_segment(i)) return std::nullopt;
        ++i;
      } else if (i == 0 && b == ':' && year_sign == 0) {
        just_time = true;
        if (!next_segment(3)) return std::nullopt;
        i = 4;
      } else {
        return std::nullopt;
      }
    } else if (i == 2) {
      if (b != ' ' && b != 'T') return std::nullopt;
      if (!next_segment(i)) return std::nullopt;
      ++i;
    } else if (i == 3 || i == 4) {
      if (b != ':') return std::nullopt;
      if (!next_segment(i)) return std::nullopt;
      ++i;
    } else if (i == 5 || i == 6) {
      if (b == '.' && i == 5) {
        if (!next_segment(i)) return std::nullopt;
        ++i;
      } else {
        if (!next_segment(i)) return std::nullopt;
        ++i;
        tz = s.substr(j);
        j = s.size() - 1;
      }
      if (i == 6 && b != '.') ++i;
    } else {
      if (i < 9 && (b == ':' || b == ' ')) {
        if (!next_segment(i)) return std::nullopt;
        ++i;
      } else {
        return std::nullopt;
      }
    }
  }
  if (!next_segment(i)) return std::nullopt;
  // Only the first six fraction digits count (the rest were not accumulated).
  for (int d = std::min(fraction_digits, 6); d < 6; ++d) segments[6] *= 10;
  if (just_time) return std::nullopt;  // Spark takes today's date: not a reproducible answer
  const int64_t year = segments[0] * (year_sign == 0 ? 1 : year_sign);
  const int month = static_cast<int>(segments[1]), day = static_cast<int>(segments[2]);
  if (!valid_date(year, month, day)) return std::nullopt;
  if (segments[3] > 23 || segments[4] > 59 || segments[5] > 59) return std::nullopt;
  TimeZone zone = session;
  if (tz) {
    auto written = written_zone(*tz);
    if (!written) return std::nullopt;
    zone = std::move(*written);
  }
  const int64_t local = days_from_civil(year, month, day) * kSecondsPerDay + segments[3] * 3600 +
                        segments[4] * 60 + segments[5];
  return to_micros(local_to_utc(zone, local, std::nullopt), segments[6]);
}

// Spark's stringToDate: [+-]yyyy[-[m]m[-[d]d]] and anything after a ' ' or 'T'; days since the epoch.
std::optional<int64_t> string_to_date(std::string_view text) {
  const std::string_view s = trim_all(text);
  if (s.empty()) return std::nullopt;
  int64_t segments[3] = {1, 1, 1};
  int sign = 1;
  int i = 0;
  int64_t value = 0;
  int digits = 0;
  size_t j = 0;
  auto valid_digits = [](int segment, int n) {
    return (segment == 0 && n >= 4 && n <= 7) || (segment != 0 && n > 0 && n <= 2);
  };
  if (s[0] == '-' || s[0] == '+') {
    sign = s[0] == '-' ? -1 : 1;
    j = 1;
  }
  while (j < s.size() && i < 3 && s[j] != ' ' && s[j] != 'T') {
    const char b = s[j];
    if (i < 2 && b == '-') {
      if (!valid_digits(i, digits)) return std::nullopt;
      segments[i] = value;
      value = 0;
      digits = 0;
      ++i;
    } else {
      if (b < '0' || b > '9') return std::nullopt;
      value = value * 10 + (b - '0');
      if (value > 100'000'000) return std::nullopt;
      ++digits;
    }
    ++j;
  }
  if (!valid_digits(i, digits)) return std::nullopt;
  if (i < 2 && j < s.size()) return std::nullopt;
  segments[i] = value;
  const int64_t year = sign * segments[0];
  if (!valid_date(year, static_cast<int>(segments[1]), static_cast<int>(segments[2]))) return std::nullopt;
  return days_from_civil(year, static_cast<int>(segments[1]), static_cast<int>(segments[2]));
}

// date_trunc(unit, ts): Spark's parseTruncLevel names and truncTimestamp.
std::optional<int64_t> date_trunc(std::string_view unit, int64_t micros, const TimeZone& zone) {
  std::string u = ascii_case(unit, true);
  if (u == "MICROSECOND") return micros;
  if (u == "MILLISECOND") return sub64(micros, floor_mod(micros, 1000));  // Java's wrapping long arithmetic
  if (u == "SECOND") return sub64(micros, floor_mod(micros, kMicrosPerSecond));
  int64_t unit_seconds = 0;
  if (u == "MINUTE") unit_seconds = 60;
  if (u == "HOUR") unit_seconds = 3600;
  if (u == "DAY" || u == "DD") unit_seconds = kSecondsPerDay;
  const int64_t s = utc_seconds(micros);
  const int32_t offset = zone.offset_at(s);
  const int64_t local = s + offset;
  if (unit_seconds > 0) {  // ZonedDateTime.truncatedTo, keeping the offset where it is still valid
    return to_micros(local_to_utc(zone, local - floor_mod(local, unit_seconds), offset));
  }
  const int64_t days = floor_div(local, kSecondsPerDay);
  const CivilDate d = civil_from_days(days);
  int64_t first;
  if (u == "WEEK") {
    first = days - floor_mod(days + 3, 7);  // Monday; 1970-01-01 was a Thursday
  } else if (u == "MON" || u == "MONTH" || u == "MM") {
    first = days_from_civil(d.year, d.month, 1);
  } else if (u == "QUARTER") {
    first = days_from_civil(d.year, (d.month - 1) / 3 * 3 + 1, 1);
  } else if (u == "YEAR" || u == "YYYY" || u == "YY") {
    first = days_from_civil(d.year, 1, 1);
  } else {
    return std::nullopt;
  }
  return to_micros(local_to_utc(zone, first * kSecondsPerDay, std::nullopt));
}

// --- evaluation --------------------------------------------------------------------------------------

const CastText& text_of(const EvalContext& context) {
  if (!context.text)
    fail_invariant("a cast of a double or timestamp to string was evaluated without a CastText");
  return *context.text;
}

const PatternMatcher& patterns_of(const EvalContext& context) {
  if (!context.patterns) fail_invariant("RLIKE or regexp_extract was evaluated without a PatternMatcher");
  return *context.patterns;
}

Value arithmetic(BoundOp op, DataType type, const Value& l, const Value& r) {
  if (l.null || r.null) return Value::null_of(type);
  if (op == BoundOp::kDivide) {
    const double d = as_double(r);
    if (d == 0) return Value::null_of(DataType::kDouble);
    return Value::float64(as_double(l) / d);
  }
  if (op == BoundOp::kIntegralDivide) {
    if (r.integer == 0) return Value::null_of(DataType::kBigint);
    if (l.integer == std::numeric_limits<int64_t>::min() && r.integer == -1) return Value::bigint(l.integer);
    return Value::bigint(l.integer / r.integer);
  }
  if (type == DataType::kDouble) {
    const double a = l.real, b = r.real;
    switch (op) {
      case BoundOp::kAdd:
        return Value::float64(a + b);
      case BoundOp::kSubtract:
        return Value::float64(a - b);
      case BoundOp::kMultiply:
        return Value::float64(a * b);
      case BoundOp::kRemainder:
        if (b == 0) return Value::null_of(type);
        return Value::float64(std::fmod(a, b));  // Java's %: the sign of the dividend
      default:
        break;
    }
    fail_invariant("arithmetic on doubles with an unknown operator");
  }
  const int64_t a = l.integer, b = r.integer;
  int64_t result = 0;
  switch (op) {
    case BoundOp::kAdd:
      result = add64(a, b);
      break;
    case BoundOp::kSubtract:
      result = sub64(a, b);
      break;
    case BoundOp::kMultiply:
      result = mul64(a, b);
      break;
    case BoundOp::kRemainder:
      if (b == 0) return Value::null_of(type);
      result = b == -1 ? 0 : a % b;  // MIN % -1 is 0 in Java (and undefined in C++)
      break;
    default:
      fail_invariant("arithmetic on integers with an unknown operator");
  }
  if (type == DataType::kInt) return Value::int32(static_cast<int32_t>(wrap32(result)));
  return Value::bigint(result);
}

Value compare(BoundOp op, const Value& l, const Value& r) {
  if (op == BoundOp::kNullSafeEqual) {
    if (l.null || r.null) return Value::boolean(l.null && r.null);
    return Value::boolean(compare_for_sort(l, r) == std::strong_ordering::equal);
  }
  if (l.null || r.null) return Value::null_of(DataType::kBoolean);
  const auto c = compare_for_sort(l, r);
  switch (op) {
    case BoundOp::kEqual:
      return Value::boolean(c == 0);
    case BoundOp::kLess:
      return Value::boolean(c < 0);
    case BoundOp::kLessOrEqual:
      return Value::boolean(c <= 0);
    case BoundOp::kGreater:
      return Value::boolean(c > 0);
    case BoundOp::kGreaterOrEqual:
      return Value::boolean(c >= 0);
    default:
      break;
  }
  fail_invariant("comparison with an unknown operator");
}

class Evaluator {
 public:
  Evaluator(std::span<const Value> row, const EvalContext& context) : row_(row), context_(context) {}

  Value eval(const BoundExpr& e) const {
    switch (e.kind) {
      case BoundKind::kColumn: {
        if (e.column >= row_.size()) {
          fail_invariant("column slot " + std::to_string(e.column) + " (" + e.name + ") of a row of " +
                         std::to_string(row_.size()) + " values");
        }
        const Value& v = row_[e.column];
        if (v.null) return Value::null_of(e.type);
        if (v.type != e.type) {
          fail_invariant("column " + e.name + " is " + std::string(data_type_name(e.type)) +
                         " but the row has a " + std::string(data_type_name(v.type)));
        }
        return v;
      }
      case BoundKind::kLiteral:
        return e.value;
      case BoundKind::kNegate: {
        const Value x = eval(e.child(0));
        if (x.null) return Value::null_of(e.type);
        if (e.type == DataType::kDouble) return Value::float64(-x.real);
        if (e.type == DataType::kInt) return Value::int32(static_cast<int32_t>(wrap32(sub64(0, x.integer))));
        return Value::bigint(sub64(0, x.integer));
      }
      case BoundKind::kArithmetic:
        return arithmetic(e.op, e.type, eval(e.child(0)), eval(e.child(1)));
      case BoundKind::kCompare:
        return compare(e.op, eval(e.child(0)), eval(e.child(1)));
      case BoundKind::kAnd:
      case BoundKind::kOr: {
        const bool is_and = e.kind == BoundKind::kAnd;
        const Value l = eval(e.child(0));
        if (!l.null && (l.integer != 0) != is_and) return Value::boolean(!is_and);  // false AND _, true OR _
        const Value r = eval(e.child(1));
        if (!r.null && (r.integer != 0) != is_and) return Value::boolean(!is_and);
        if (l.null || r.null) return Value::null_of(DataType::kBoolean);
        return Value::boolean(is_and);
      }
      case BoundKind::kNot: {
        const Value x = eval(e.child(0));
        if (x.null) return Value::null_of(DataType::kBoolean);
        return Value::boolean(x.integer == 0);
      }
      case BoundKind::kIsNull:
        return Value::boolean(eval(e.child(0)).null != e.negated);
      case BoundKind::kIn: {
        const Value x = eval(e.child(0));
        if (x.null) return Value::null_of(DataType::kBoolean);
        bool saw_null = false;
        for (size_t i = 1; i < e.children.size(); ++i) {
          const Value item = eval(e.child(i));
          if (item.null) {
            saw_null = true;
          } else if (compare_for_sort(x, item) == std::strong_ordering::equal) {
            return Value::boolean(true);
          }
        }
        return saw_null ? Value::null_of(DataType::kBoolean) : Value::boolean(false);
      }
      case BoundKind::kLike: {
        const Value x = eval(e.child(0));
        if (x.null) return Value::null_of(DataType::kBoolean);
        return Value::boolean(like_match(e.like, x.text));
      }
      case BoundKind::kRLike: {
        const Value x = eval(e.child(0));
        if (x.null) return Value::null_of(DataType::kBoolean);
        return Value::boolean(patterns_of(context_).find(e.pattern, x.text));
      }
      case BoundKind::kCase: {
        const size_t branches = e.children.size() - (e.has_else ? 1 : 0);
        for (size_t i = 0; i + 1 < branches; i += 2) {
          const Value when = eval(e.child(i));
          if (!when.null && when.integer != 0) return eval(e.child(i + 1));
        }
        if (e.has_else) return eval(*e.children.back());
        return Value::null_of(e.type);
      }
      case BoundKind::kCoalesce:
        for (const auto& c : e.children) {
          Value v = eval(*c);
          if (!v.null) return v;
        }
        return Value::null_of(e.type);
      case BoundKind::kCast:
        return cast_value(eval(e.child(0)), e.type, context_);
      case BoundKind::kFunction:
        return function(e);
    }
    fail_invariant("unknown expression kind");
  }

 private:
  Value function(const BoundExpr& e) const {
    std::vector<Value> args;
    args.reserve(e.children.size());
    for (const auto& c : e.children) {
      args.push_back(eval(*c));
      if (args.back().null) return Value::null_of(e.type);  // every function here is null on a null argument
    }
    switch (e.function) {
      case BoundFunction::kLower:
        return Value::string(ascii_case(args[0].text, false));
      case BoundFunction::kUpper:
        return Value::string(ascii_case(args[0].text, true));
      case BoundFunction::kLength:
        return Value::int32(static_cast<int32_t>(num_chars(args[0].text)));
      case BoundFunction::kSubstring:
        return Value::string(substring_sql(args[0].text, static_cast<int32_t>(args[1].integer),
                                           static_cast<int32_t>(args[2].integer)));
      case BoundFunction::kSubstringIndex:
        return Value::string(
            substring_index(args[0].text, args[1].text, static_cast<int32_t>(args[2].integer)));
      case BoundFunction::kConcat: {
        std::string out;
        for (const Value& v : args) out += v.text;
        return Value::string(std::move(out));
      }
      case BoundFunction::kRegexpExtract:
        return Value::string(patterns_of(context_).extract(e.pattern, args[0].text, e.group));
      case BoundFunction::kDateTrunc: {
        const auto t = date_trunc(args[0].text, args[1].integer, context_.zone);
        return t ? Value::timestamp_micros(*t) : Value::null_of(DataType::kTimestamp);
      }
      case BoundFunction::kHour:
        return Value::int32(static_cast<int32_t>(
            floor_mod(local_seconds(args[0].integer, context_.zone), kSecondsPerDay) / 3600));
      case BoundFunction::kToDate: {
        if (args[0].type == DataType::kString) {
          const auto days = string_to_date(args[0].text);
          return days ? Value::string(date_text(*days)) : Value::null_of(DataType::kString);
        }
        return Value::string(
            date_text(floor_div(local_seconds(args[0].integer, context_.zone), kSecondsPerDay)));
      }
      case BoundFunction::kInputFileName:
        return Value::string(std::string(context_.input_file));
      case BoundFunction::kSplitPart: {
        const auto part = split_part(args[0].text, args[1].text, static_cast<int32_t>(args[2].integer),
                                     static_cast<int32_t>(args[3].integer));
        return part ? Value::string(std::string(*part)) : Value::null_of(DataType::kString);
      }
      case BoundFunction::kWindow: {
        // The latest window that holds the time; a plan grouped by it asks for all (windows_of).
        const TimeWindowSpec spec{args[1].integer, args[2].integer, args[3].integer};
        Value latest = Value::null_of(DataType::kWindow);
        bool first = true;
        for_each_window(args[0].integer, spec, [&](int64_t start) {
          if (first) latest = Value::window(start, start + spec.size_us);
          first = false;
        });
        return latest;
      }
      case BoundFunction::kSessionWindow:
        // The row's own session; a plan grouped by it merges the ones that overlap.
        if (args[0].integer > INT64_MAX - args[1].integer) return Value::null_of(DataType::kWindow);
        return Value::window(args[0].integer, args[0].integer + args[1].integer);
      case BoundFunction::kWindowStart:
        return Value::timestamp_micros(args[0].integer);
      case BoundFunction::kWindowEnd:
        return Value::timestamp_micros(args[0].end);
      case BoundFunction::kNone:
        break;
    }
    fail_invariant("unknown function");
  }

  std::span<const Value> row_;
  const EvalContext& context_;
};

// The memory of one aggregate state, laid out as the function asks.
class AggregateState {
 public:
  explicit AggregateState(const AggregateFunction& f)
      : function_(&f),
        place_(static_cast<char*>(
            ::operator new(std::max<size_t>(f.state_size(), 1), std::align_val_t(f.state_align())))) {
    f.create(place_);
  }
  AggregateState(const AggregateState&) = delete;
  AggregateState& operator=(const AggregateState&) = delete;
  ~AggregateState() {
    function_->destroy(place_);
    ::operator delete(place_, std::align_val_t(function_->state_align()));
  }
  char* place() const noexcept { return place_; }

 private:
  const AggregateFunction* function_;
  char* place_;
};

struct RowLess {
  bool operator()(const std::vector<Value>& a, const std::vector<Value>& b) const noexcept {
    for (size_t i = 0; i < a.size() && i < b.size(); ++i) {
      const auto c = compare_for_sort(a[i], b[i]);
      if (c != 0) return c < 0;
    }
    return a.size() < b.size();
  }
};

bool is_true(const Value& v) noexcept { return !v.null && v.integer != 0; }

}  // namespace

Value cast_value(const Value& v, DataType to, const EvalContext& context) {
  if (v.null) return Value::null_of(to);
  if (v.type == to) return v;
  const DataType from = v.type;
  switch (to) {
    case DataType::kNull:
      return Value::null_of(DataType::kNull);
    case DataType::kWindow:
      return Value::null_of(to);  // nothing casts to a struct (the analyzer refuses it)
    case DataType::kBoolean:
      switch (from) {
        case DataType::kString: {
          const auto b = string_to_boolean(v.text);
          return b ? Value::boolean(*b) : Value::null_of(to);
        }
        case DataType::kDouble:
          return Value::boolean(v.real != 0);  // NaN is true, as Java's d != 0
        default:
          return Value::boolean(v.integer != 0);
      }
    case DataType::kInt:
    case DataType::kBigint: {
      const bool is_int = to == DataType::kInt;
      int64_t result = 0;
      switch (from) {
        case DataType::kString: {
          const auto n = string_to_integral(v.text, is_int);
          if (!n) return Value::null_of(to);
          result = *n;
          break;
        }
        case DataType::kDouble:
          result = is_int ? java_double_to_int(v.real) : java_double_to_long(v.real);
          break;
        case DataType::kTimestamp:
          result = floor_div(v.integer, kMicrosPerSecond);
          break;
        default:
          result = v.integer;
      }
      return is_int ? Value::int32(static_cast<int32_t>(wrap32(result))) : Value::bigint(result);
    }
    case DataType::kDouble:
      switch (from) {
        case DataType::kString: {
          const auto d = string_to_double(v.text);
          return d ? Value::float64(*d) : Value::null_of(to);
        }
        case DataType::kTimestamp:
          return Value::float64(static_cast<double>(v.integer) / static_cast<double>(kMicrosPerSecond));
        default:
          return Value::float64(static_cast<double>(v.integer));
      }
    case DataType::kString:
      switch (from) {
        case DataType::kBoolean:
          return Value::string(v.integer ? "true" : "false");
        case DataType::kDouble:
          return Value::string(text_of(context).double_text(v.real));
        case DataType::kTimestamp:
          return Value::string(text_of(context).timestamp_text(v.integer, context.zone));
        case DataType::kWindow:  // a struct as Spark casts it: {start, end}
          return Value::string("{" + text_of(context).timestamp_text(v.integer, context.zone) + ", " +
                               text_of(context).timestamp_text(v.end, context.zone) + "}");
        default:
          return Value::string(std::to_string(v.integer));
      }
    case DataType::kTimestamp:
      switch (from) {
        case DataType::kString: {
          const auto t = string_to_timestamp(v.text, context.zone);
          return t ? Value::timestamp_micros(*t) : Value::null_of(to);
        }
        case DataType::kDouble:
          if (std::isnan(v.real) || std::isinf(v.real)) return Value::null_of(to);
          return Value::timestamp_micros(java_double_to_long(v.real * static_cast<double>(kMicrosPerSecond)));
        case DataType::kBoolean:
          return Value::timestamp_micros(v.integer);
        default: {  // seconds, saturating as TimeUnit.SECONDS.toMicros
          constexpr int64_t kMax = std::numeric_limits<int64_t>::max() / kMicrosPerSecond;
          if (v.integer > kMax) return Value::timestamp_micros(std::numeric_limits<int64_t>::max());
          if (v.integer < -kMax) return Value::timestamp_micros(std::numeric_limits<int64_t>::min());
          return Value::timestamp_micros(v.integer * kMicrosPerSecond);
        }
      }
  }
  fail_invariant("cast to an unknown type");
}

Value evaluate(const BoundExpr& e, std::span<const Value> row, const EvalContext& context) {
  return Evaluator(row, context).eval(e);
}

std::vector<std::vector<Value>> run_plan_naively(const LogicalPlan& plan,
                                                 const std::vector<std::vector<Value>>& rows,
                                                 const NaiveServices& services) {
  EvalContext context;
  context.zone = plan.session_zone;
  context.patterns = services.patterns;
  context.text = services.text;
  context.input_file = services.input_file;

  std::vector<const std::vector<Value>*> kept;
  for (const auto& row : rows) {
    if (row.size() != plan.input.size()) {
      fail_invariant("a row of " + std::to_string(row.size()) + " values for a table of " +
                     std::to_string(plan.input.size()) + " columns");
    }
    if (!plan.filter || is_true(evaluate(*plan.filter, row, context))) kept.push_back(&row);
  }

  // The rows the SELECT list reads: the input rows, or one row per group.
  std::vector<std::vector<Value>> sources;
  if (plan.grouped) {
    using States = std::vector<std::unique_ptr<AggregateState>>;
    std::map<std::vector<Value>, States, RowLess> groups;
    auto fresh = [&plan] {
      States states;
      for (const auto& call : plan.aggregates)
        states.push_back(std::make_unique<AggregateState>(*call.function));
      return states;
    };
    if (plan.keys.empty())
      groups.emplace(std::vector<Value>{}, fresh());  // a global aggregate: one row, always
    auto add = [&](const std::vector<Value>& key, const std::vector<Value>& row) {
      auto it = groups.find(key);
      if (it == groups.end()) it = groups.emplace(key, fresh()).first;
      for (size_t a = 0; a < plan.aggregates.size(); ++a) {
        const AggregateCall& call = plan.aggregates[a];
        if (call.arguments.empty()) {
          call.function->add_null(it->second[a]->place());  // count(*) without an argument counts rows
        } else {
          call.function->add(it->second[a]->place(), evaluate(*call.arguments[0], row, context));
        }
      }
    };
    // session_window: each group's rows in time order, cut where one comes more than the gap after the
    // end so far (sessionization as a person would do it, written apart from the engine's merge of
    // overlapping sessions).
    std::map<std::vector<Value>, std::vector<std::pair<int64_t, const std::vector<Value>*>>, RowLess>
        session_rows;
    for (const auto* row : kept) {
      std::vector<Value> key;
      for (const auto& k : plan.keys) key.push_back(evaluate(*k, *row, context));
      if (!plan.window_key) {
        add(key, *row);
        continue;
      }
      // A row goes into every window that holds its time; one without a time into none (Spark filters
      // a null event time out before the windows are made).
      const BoundExpr& window = *plan.keys[*plan.window_key];
      const Value time = evaluate(window.child(0), *row, context);
      if (time.null) continue;
      if (window.function == BoundFunction::kSessionWindow) {
        key[*plan.window_key] = Value::null_of(DataType::kWindow);
        session_rows[key].push_back({time.integer, row});
        continue;
      }
      // Written apart from the engine's for_each_window: try every start k * slide + offset from the
      // latest at or before the time back past the earliest that could still hold it.
      const Wide128 size = window.child(1).value.integer, slide = window.child(2).value.integer;
      const Wide128 offset = window.child(3).value.integer, t = time.integer;
      Wide128 k = (t - offset) / slide;
      if (k * slide + offset > t) --k;  // division truncates toward zero; the start must not pass the time
      for (Wide128 back = 0; back <= size / slide + 1; ++back) {
        const Wide128 start = (k - back) * slide + offset;
        if (start <= t && t < start + size && start >= INT64_MIN && start + size <= INT64_MAX) {
          key[*plan.window_key] =
              Value::window(static_cast<int64_t>(start), static_cast<int64_t>(start + size));
          add(key, *row);
        }
      }
    }
    for (auto& [others, timed] : session_rows) {
      const int64_t gap = plan.keys[*plan.window_key]->child(1).value.integer;
      std::stable_sort(timed.begin(), timed.end(),
                       [](const auto& a, const auto& b) { return a.first < b.first; });
      for (size_t first = 0; first < timed.size();) {
        int64_t end = timed[first].first + gap;
        size_t last = first + 1;
        while (last < timed.size() && timed[last].first <= end) {
          end = std::max(end, timed[last].first + gap);
          ++last;
        }
        std::vector<Value> key = others;
        key[*plan.window_key] = Value::window(timed[first].first, end);
        for (size_t i = first; i < last; ++i) add(key, *timed[i].second);
        first = last;
      }
    }
    for (auto& [key, states] : groups) {
      std::vector<Value> group_row = key;
      for (size_t a = 0; a < plan.aggregates.size(); ++a) {
        group_row.push_back(plan.aggregates[a].function->finalize(states[a]->place()));
      }
      if (plan.having && !is_true(evaluate(*plan.having, group_row, context))) continue;
      sources.push_back(std::move(group_row));
    }
  }

  std::vector<std::vector<Value>> result;
  auto project = [&](std::span<const Value> source) {
    std::vector<Value> out;
    out.reserve(plan.projections.size());
    for (const auto& p : plan.projections) out.push_back(evaluate(*p, source, context));
    result.push_back(std::move(out));
  };
  if (plan.grouped) {
    for (const auto& s : sources) project(s);
  } else {
    for (const auto* row : kept) project(*row);
  }

  const size_t visible = plan.output.size();
  if (plan.distinct) {
    std::map<std::vector<Value>, bool, RowLess> seen;
    std::vector<std::vector<Value>> unique;
    for (auto& row : result) {
      std::vector<Value> shown(row.begin(), row.begin() + static_cast<std::ptrdiff_t>(visible));
      if (seen.emplace(std::move(shown), true).second) unique.push_back(std::move(row));
    }
    result = std::move(unique);
  }
  if (!plan.order_by.empty()) {
    std::stable_sort(
        result.begin(), result.end(), [&plan](const std::vector<Value>& a, const std::vector<Value>& b) {
          for (const SortKey& k : plan.order_by) {
            const Value& x = a[k.column];
            const Value& y = b[k.column];
            if (x.null || y.null) {
              if (x.null && y.null) continue;
              return x.null == k.nulls_first;  // the null one goes first exactly when nulls come first
            }
            auto c = compare_for_sort(x, y);
            if (c == 0) continue;
            return k.descending ? c > 0 : c < 0;
          }
          return false;
        });
  }
  if (plan.limit && result.size() > static_cast<size_t>(*plan.limit))
    result.resize(static_cast<size_t>(*plan.limit));
  for (auto& row : result) row.resize(visible);
  return result;
}

}  // namespace logstream
