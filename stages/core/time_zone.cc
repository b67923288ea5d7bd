#include "stages/core/time_zone.h"

#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <climits>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <optional>
#include <vector>

namespace logstream {

// A POSIX TZ rule ("PST8PDT,M3.2.0,M11.1.0"), as in the footer of a TZif file: what applies after the
// file's last transition.
struct PosixRule {
  enum class DateKind : uint8_t { kJulianNoLeap, kZeroBasedDay, kMonthWeekDay };
  struct Date {
    DateKind kind = DateKind::kMonthWeekDay;
    int day = 0;  // Jn: 1..365; n: 0..365; Mm.w.d: weekday 0..6 (Sunday 0)
    int month = 0;
    int week = 0;         // 1..5, 5 = last
    int32_t time = 7200;  // seconds after local midnight, -167h..167h
  };
  int32_t std_offset = 0;  // seconds east of UTC
  bool has_dst = false;
  int32_t dst_offset = 0;
  Date start, end;
};

struct TimeZone::Rules {
  std::vector<int64_t> transitions;  // UTC seconds, ascending
  std::vector<uint8_t> type_of;      // local time type after each transition
  std::vector<int32_t> offsets;      // offset of each local time type; at least one
  std::optional<PosixRule> footer;
};

namespace {

constexpr int32_t kMaxJavaOffset = 18 * 3600;  // java.time.ZoneOffset's limit
constexpr size_t kMaxZoneFileBytes = 1 << 20;  // real TZif files are a few KiB

// ---- calendar -------------------------------------------------------------------------------------

bool is_leap(int64_t y) noexcept { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

int days_in_month(int64_t y, int m) noexcept {
  static constexpr std::array<int, 12> kDays = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return kDays[static_cast<size_t>(m - 1)] + (m == 2 && is_leap(y) ? 1 : 0);
}

int64_t floor_div(int64_t a, int64_t b) noexcept { return a / b - ((a % b != 0) && ((a < 0) != (b < 0))); }

// ---- POSIX TZ strings -----------------------------------------------------------------------------

class PosixParser {
 public:
  explicit PosixParser(std::string_view text) : text_(text) {}

  std::optional<PosixRule> parse() {
    PosixRule rule;
    if (!name()) return std::nullopt;
    const auto std_west = hms(24);
    if (!std_west) return std::nullopt;
    rule.std_offset = -*std_west;
    if (at_end()) return rule;
    if (!name()) return std::nullopt;
    rule.has_dst = true;
    rule.dst_offset = rule.std_offset + 3600;
    if (!at_end() && peek() != ',') {
      const auto dst_west = hms(24);
      if (!dst_west) return std::nullopt;
      rule.dst_offset = -*dst_west;
    }
    if (at_end()) {
      // No rule given: POSIX leaves it to the implementation; glibc and the tz code use the US rule.
      rule.start = {PosixRule::DateKind::kMonthWeekDay, 0, 3, 2, 7200};
      rule.end = {PosixRule::DateKind::kMonthWeekDay, 0, 11, 1, 7200};
      return rule;
    }
    if (!take(',') || !date(rule.start) || !take(',') || !date(rule.end) || !at_end()) return std::nullopt;
    return rule;
  }

 private:
  bool at_end() const noexcept { return pos_ >= text_.size(); }
  char peek() const noexcept { return at_end() ? '\0' : text_[pos_]; }
  bool take(char c) noexcept {
    if (peek() != c) return false;
    ++pos_;
    return true;
  }
  static bool is_alpha(char c) noexcept { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
  static bool is_digit(char c) noexcept { return c >= '0' && c <= '9'; }

  // "ABC" (three or more letters) or "<+0330>" (quoted: letters, digits, '+', '-').
  bool name() noexcept {
    const size_t begin = pos_;
    if (take('<')) {
      while (!at_end() && peek() != '>') ++pos_;
      if (!take('>')) return false;
      return pos_ - begin >= 5;  // "<" + at least three + ">"
    }
    while (is_alpha(peek())) ++pos_;
    return pos_ - begin >= 3;
  }

  std::optional<int> number(int max) noexcept {
    if (!is_digit(peek())) return std::nullopt;
    int n = 0;
    while (is_digit(peek())) {
      n = n * 10 + (text_[pos_++] - '0');
      if (n > max) return std::nullopt;
    }
    return n;
  }

  // [+-]hh[:mm[:ss]], hours at most max_hours.
  std::optional<int32_t> hms(int max_hours) noexcept {
    int sign = 1;
    if (take('-')) {
      sign = -1;
    } else {
      take('+');
    }
    const auto h = number(max_hours);
    if (!h) return std::nullopt;
    int32_t seconds = *h * 3600;
    if (take(':')) {
      const auto m = number(59);
      if (!m) return std::nullopt;
      seconds += *m * 60;
      if (take(':')) {
        const auto s = number(59);
        if (!s) return std::nullopt;
        seconds += *s;
      }
    }
    return sign * seconds;
  }

  bool date(PosixRule::Date& d) noexcept {
    if (take('J')) {
      const auto n = number(365);
      if (!n || *n < 1) return false;
      d.kind = PosixRule::DateKind::kJulianNoLeap;
      d.day = *n;
    } else if (take('M')) {
      const auto m = number(12);
      if (!m || *m < 1 || !take('.')) return false;
      const auto w = number(5);
      if (!w || *w < 1 || !take('.')) return false;
      const auto wd = number(6);
      if (!wd) return false;
      d.kind = PosixRule::DateKind::kMonthWeekDay;
      d.month = *m;
      d.week = *w;
      d.day = *wd;
    } else {
      const auto n = number(365);
      if (!n) return false;
      d.kind = PosixRule::DateKind::kZeroBasedDay;
      d.day = *n;
    }
    if (take('/')) {
      const auto t = hms(167);  // RFC 8536 extends the POSIX range to +-167 hours
      if (!t) return false;
      d.time = *t;
    }
    return true;
  }

  std::string_view text_;
  size_t pos_ = 0;
};

// Days since the epoch of a rule's date in `year`.
int64_t rule_day(const PosixRule::Date& d, int64_t year) noexcept {
  const int64_t jan1 = days_from_civil(year, 1, 1);
  switch (d.kind) {
    case PosixRule::DateKind::kJulianNoLeap:
      return jan1 + d.day - 1 + (is_leap(year) && d.day >= 60 ? 1 : 0);
    case PosixRule::DateKind::kZeroBasedDay:
      return jan1 + d.day;
    case PosixRule::DateKind::kMonthWeekDay: {
      const int64_t first = days_from_civil(year, d.month, 1);
      const int first_weekday = static_cast<int>(((first % 7) + 7 + 4) % 7);  // 1970-01-01 was a Thursday
      int day = 1 + (d.day - first_weekday + 7) % 7 + (d.week - 1) * 7;
      while (day > days_in_month(year, d.month)) day -= 7;
      return first + day - 1;
    }
  }
  return jan1;
}

int32_t posix_offset_at(const PosixRule& rule, int64_t t) noexcept {
  if (!rule.has_dst) return rule.std_offset;
  const int64_t year = civil_from_days(floor_div(t + rule.std_offset, 86400)).year;
  // The start is given in local standard time, the end in local daylight time.
  const int64_t start = rule_day(rule.start, year) * 86400 + rule.start.time - rule.std_offset;
  const int64_t end = rule_day(rule.end, year) * 86400 + rule.end.time - rule.dst_offset;
  const bool dst = start < end ? (t >= start && t < end) : !(t >= end && t < start);
  return dst ? rule.dst_offset : rule.std_offset;
}

// ---- TZif files (RFC 8536) ------------------------------------------------------------------------

class TzifReader {
 public:
  explicit TzifReader(std::string_view bytes) : bytes_(bytes) {}

  // Fills `rules`, or returns why the file is not a TZif file we can use.
  std::optional<std::string> read(TimeZone::Rules& rules) {
    Header first;
    if (auto error = header(first)) return error;
    if (first.version == 0) return block(first, 4, rules);  // version 1: 32-bit data only
    pos_ += first.data_size(4);
    if (pos_ > bytes_.size()) return "truncated version 1 data";
    Header second;
    if (auto error = header(second)) return error;
    if (auto error = block(second, 8, rules)) return error;
    // Footer: "\n" POSIX-TZ "\n"; an empty string means no rule beyond the last transition.
    if (pos_ >= bytes_.size() || bytes_[pos_] != '\n') return "missing footer";
    const size_t close = bytes_.find('\n', pos_ + 1);
    if (close == std::string_view::npos) return "unterminated footer";
    const std::string_view tz = bytes_.substr(pos_ + 1, close - pos_ - 1);
    if (!tz.empty()) {
      rules.footer = PosixParser(tz).parse();
      if (!rules.footer) return "footer is not a POSIX TZ rule we understand: " + std::string(tz);
    }
    return std::nullopt;
  }

 private:
  struct Header {
    int version = 0;
    uint32_t isutcnt = 0, isstdcnt = 0, leapcnt = 0, timecnt = 0, typecnt = 0, charcnt = 0;
    size_t data_size(size_t time_size) const noexcept {
      return size_t{timecnt} * time_size + timecnt + size_t{typecnt} * 6 + charcnt +
             size_t{leapcnt} * (time_size + 4) + isstdcnt + isutcnt;
    }
  };

  uint32_t be32(size_t at) const noexcept {
    return static_cast<uint32_t>(static_cast<unsigned char>(bytes_[at])) << 24 |
           static_cast<uint32_t>(static_cast<unsigned char>(bytes_[at + 1])) << 16 |
           static_cast<uint32_t>(static_cast<unsigned char>(bytes_[at + 2])) << 8 |
           static_cast<uint32_t>(static_cast<unsigned char>(bytes_[at + 3]));
  }
  int64_t be64(size_t at) const noexcept {
    return static_cast<int64_t>(static_cast<uint64_t>(be32(at)) << 32 | be32(at + 4));
  }

  std::optional<std::string> header(Header& h) {
    if (bytes_.size() - pos_ < 44 || bytes_.compare(pos_, 4, "TZif") != 0) return "not a TZif file";
    const char version = bytes_[pos_ + 4];
    if (version == '\0') {
      h.version = 0;
    } else if (version >= '2' && version <= '9') {
      h.version = version - '0';
    } else {
      return "unknown TZif version";
    }
    h.isutcnt = be32(pos_ + 20);
    h.isstdcnt = be32(pos_ + 24);
    h.leapcnt = be32(pos_ + 28);
    h.timecnt = be32(pos_ + 32);
    h.typecnt = be32(pos_ + 36);
    h.charcnt = be32(pos_ + 40);
    pos_ += 44;
    if (h.typecnt == 0 || h.typecnt > 256 || h.charcnt == 0) return "no local time types";
    if ((h.isutcnt != 0 && h.isutcnt != h.typecnt) || (h.isstdcnt != 0 && h.isstdcnt != h.typecnt))
      return "inconsistent counts";
    if (h.timecnt > bytes_.size() || h.leapcnt > bytes_.size() || h.charcnt > bytes_.size())
      return "counts larger than the file";
    if (h.leapcnt != 0) return "leap-second zone files (\"right/\") are not supported";
    return std::nullopt;
  }

  std::optional<std::string> block(const Header& h, size_t time_size, TimeZone::Rules& rules) {
    if (bytes_.size() - pos_ < h.data_size(time_size)) return "truncated data";
    rules.transitions.resize(h.timecnt);
    for (size_t i = 0; i < h.timecnt; ++i) {
      const size_t at = pos_ + i * time_size;
      rules.transitions[i] = time_size == 8 ? be64(at) : static_cast<int32_t>(be32(at));
      if (i > 0 && rules.transitions[i] <= rules.transitions[i - 1]) return "transitions out of order";
    }
    pos_ += size_t{h.timecnt} * time_size;
    rules.type_of.resize(h.timecnt);
    for (size_t i = 0; i < h.timecnt; ++i) {
      rules.type_of[i] = static_cast<uint8_t>(bytes_[pos_ + i]);
      if (rules.type_of[i] >= h.typecnt) return "transition to an undefined local time type";
    }
    pos_ += h.timecnt;
    rules.offsets.resize(h.typecnt);
    for (size_t i = 0; i < h.typecnt; ++i) {
      const auto offset = static_cast<int32_t>(be32(pos_ + i * 6));
      if (offset < -25 * 3600 || offset > 26 * 3600) return "local time type offset out of range";
      rules.offsets[i] = offset;
    }
    pos_ += size_t{h.typecnt} * 6 + h.charcnt + size_t{h.leapcnt} * (time_size + 4) + h.isstdcnt + h.isutcnt;
    return std::nullopt;
  }

  std::string_view bytes_;
  size_t pos_ = 0;
};

// ---- names ----------------------------------------------------------------------------------------

// java.time.ZoneId.SHORT_IDS, which Spark passes to ZoneId.of.
constexpr std::array<std::pair<std::string_view, std::string_view>, 28> kShortIds = {{
    {"ACT", "Australia/Darwin"},
    {"AET", "Australia/Sydney"},
    {"AGT", "America/Argentina/Buenos_Aires"},
    {"ART", "Africa/Cairo"},
    {"AST", "America/Anchorage"},
    {"BET", "America/Sao_Paulo"},
    {"BST", "Asia/Dhaka"},
    {"CAT", "Africa/Harare"},
    {"CNT", "America/St_Johns"},
    {"CST", "America/Chicago"},
    {"CTT", "Asia/Shanghai"},
    {"EAT", "Africa/Addis_Ababa"},
    {"ECT", "Europe/Paris"},
    {"IET", "America/Indiana/Indianapolis"},
    {"IST", "Asia/Kolkata"},
    {"JST", "Asia/Tokyo"},
    {"MIT", "Pacific/Apia"},
    {"NET", "Asia/Yerevan"},
    {"NST", "Pacific/Auckland"},
    {"PLT", "Asia/Karachi"},
    {"PNT", "America/Phoenix"},
    {"PRT", "America/Puerto_Rico"},
    {"PST", "America/Los_Angeles"},
    {"SST", "Pacific/Guadalcanal"},
    {"VST", "Asia/Ho_Chi_Minh"},
    {"EST", "-05:00"},
    {"MST", "-07:00"},
    {"HST", "-10:00"},
}};

bool digits_only(std::string_view s) noexcept {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int two_digits(std::string_view s, size_t at) noexcept { return (s[at] - '0') * 10 + (s[at + 1] - '0'); }

// ZoneOffset.of: "+h", "+hh", "+hh:mm", "+hhmm", "+hh:mm:ss", "+hhmmss" (sign required), at most 18:00.
std::optional<int32_t> parse_offset(std::string_view s) noexcept {
  if (s.size() < 2 || (s[0] != '+' && s[0] != '-')) return std::nullopt;
  const int sign = s[0] == '-' ? -1 : 1;
  const std::string_view body = s.substr(1);
  int h = 0, m = 0, sec = 0;
  if (body.size() == 1 && digits_only(body)) {
    h = body[0] - '0';
  } else if (body.size() == 2 && digits_only(body)) {
    h = two_digits(body, 0);
  } else if (body.size() == 5 && body[2] == ':' && digits_only(body.substr(0, 2)) &&
             digits_only(body.substr(3))) {
    h = two_digits(body, 0), m = two_digits(body, 3);
  } else if (body.size() == 4 && digits_only(body)) {
    h = two_digits(body, 0), m = two_digits(body, 2);
  } else if (body.size() == 8 && body[2] == ':' && body[5] == ':' && digits_only(body.substr(0, 2)) &&
             digits_only(body.substr(3, 2)) && digits_only(body.substr(6))) {
    h = two_digits(body, 0), m = two_digits(body, 3), sec = two_digits(body, 6);
  } else if (body.size() == 6 && digits_only(body)) {
    h = two_digits(body, 0), m = two_digits(body, 2), sec = two_digits(body, 4);
  } else {
    return std::nullopt;
  }
  if (m > 59 || sec > 59) return std::nullopt;
  const int32_t total = h * 3600 + m * 60 + sec;
  if (total > kMaxJavaOffset) return std::nullopt;
  return sign * total;
}

// A region ID as java.time accepts it ([A-Za-z][A-Za-z0-9~/._+-]+), and no path tricks.
bool valid_region_name(std::string_view s) noexcept {
  if (s.size() < 2 || s.size() > 255) return false;
  if (!((s[0] >= 'A' && s[0] <= 'Z') || (s[0] >= 'a' && s[0] <= 'z'))) return false;
  for (char c : s) {
    const bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '~' ||
                    c == '/' || c == '.' || c == '_' || c == '+' || c == '-';
    if (!ok) return false;
  }
  if (s.back() == '/' || s.find("//") != std::string_view::npos) return false;
  for (size_t begin = 0; begin <= s.size();) {
    const size_t end = std::min(s.find('/', begin), s.size());
    const std::string_view part = s.substr(begin, end - begin);
    if (part == "." || part == "..") return false;
    begin = end + 1;
  }
  return true;
}

std::string zone_directory() {
  const char* dir = std::getenv("TZDIR");
  return dir && *dir ? dir : "/usr/share/zoneinfo";
}

// Reads a whole (small) file; the error names it.
Expected<std::string> read_small_file(const std::string& path) {
  std::FILE* file = std::fopen(path.c_str(), "rbe");
  if (!file) return Error{path + ": " + std::strerror(errno)};
  struct stat st {};
  if (::fstat(::fileno(file), &st) != 0 || !S_ISREG(st.st_mode)) {
    std::fclose(file);
    return Error{path + ": not a regular file"};
  }
  std::string bytes;
  char buffer[4096];
  size_t n = 0;
  while ((n = std::fread(buffer, 1, sizeof buffer, file)) > 0) {
    bytes.append(buffer, n);
    if (bytes.size() > kMaxZoneFileBytes) {
      std::fclose(file);
      return Error{path + ": larger than any time zone file"};
    }
  }
  const bool failed = std::ferror(file) != 0;
  std::fclose(file);
  if (failed) return Error{path + ": read error"};
  return bytes;
}

Expected<std::shared_ptr<const TimeZone::Rules>> load_zone_file(const std::string& path,
                                                                std::string_view shown_name) {
  auto bytes = read_small_file(path);
  if (!bytes) return Error{"time zone " + std::string(shown_name) + ": " + bytes.error()};
  auto rules = std::make_shared<TimeZone::Rules>();
  if (auto error = TzifReader(bytes.value()).read(*rules)) {
    return Error{"time zone " + std::string(shown_name) + ": " + path + ": " + *error};
  }
  return std::shared_ptr<const TimeZone::Rules>(std::move(rules));
}

std::shared_ptr<const TimeZone::Rules> fixed_rules(int32_t offset) {
  auto rules = std::make_shared<TimeZone::Rules>();
  rules->offsets = {offset};
  return rules;
}

}  // namespace

int64_t days_from_civil(int64_t year, int month, int day) noexcept {
  // Howard Hinnant's algorithm: eras of 400 years starting on March 1.
  const int64_t y = year - (month <= 2 ? 1 : 0);
  const int64_t era = floor_div(y, 400);
  const int64_t yoe = y - era * 400;
  const int64_t doy = (153 * (month + (month > 2 ? -3 : 9)) + 2) / 5 + day - 1;
  const int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

CivilDate civil_from_days(int64_t days) noexcept {
  const int64_t z = days + 719468;
  const int64_t era = floor_div(z, 146097);
  const int64_t doe = z - era * 146097;
  const int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const int64_t mp = (5 * doy + 2) / 153;
  const int day = static_cast<int>(doy - (153 * mp + 2) / 5 + 1);
  const int month = static_cast<int>(mp < 10 ? mp + 3 : mp - 9);
  return CivilDate{yoe + era * 400 + (month <= 2 ? 1 : 0), month, day};
}

TimeZone::TimeZone() : name_("UTC") {}

Expected<TimeZone> TimeZone::load(std::string_view name) {
  const std::string shown(name);
  if (name.empty()) return Error{"time zone " + shown + ": empty name"};
  // Spark's DateTimeUtils.getZoneId first widens a one-digit hour: "+1:00" -> "+01:00".
  std::string id(name);
  for (size_t i = 0; i + 2 < id.size(); ++i) {
    if ((id[i] == '+' || id[i] == '-') && id[i + 1] >= '0' && id[i + 1] <= '9' && id[i + 2] == ':') {
      id.insert(i + 1, "0");
      break;
    }
  }
  for (const auto& [short_id, target] : kShortIds) {
    if (id == short_id) {
      id = target;
      break;
    }
  }
  if (id == "Z") return TimeZone(shown, nullptr);
  if (id[0] == '+' || id[0] == '-') {
    const auto offset = parse_offset(id);
    if (!offset) return Error{"time zone " + shown + ": not an offset of the form +hh:mm (at most 18:00)"};
    return TimeZone(shown, fixed_rules(*offset));
  }
  for (std::string_view prefix : {"UTC", "GMT", "UT"}) {
    if (id.compare(0, prefix.size(), prefix) != 0) continue;
    const std::string_view rest = std::string_view(id).substr(prefix.size());
    if (rest.empty()) return TimeZone(shown, nullptr);
    if (rest[0] != '+' && rest[0] != '-') continue;  // a region such as "GMT0" or "UTC" files
    const auto offset = parse_offset(rest);
    if (!offset) return Error{"time zone " + shown + ": not an offset of the form +hh:mm (at most 18:00)"};
    return TimeZone(shown, fixed_rules(*offset));
  }
  if (!valid_region_name(id)) {
    return Error{"time zone " + shown +
                 ": not a region name (Area/City as in the tz database), an offset (+hh:mm) or UTC"};
  }
  auto rules = load_zone_file(zone_directory() + "/" + id, shown);
  if (!rules) {
    return Error{rules.error() +
                 " (names are as in the tz database, e.g. America/Los_Angeles, Europe/Berlin)"};
  }
  return TimeZone(shown, std::move(rules).value());
}

Expected<TimeZone> TimeZone::local() {
  if (const char* tz = std::getenv("TZ"); tz && *tz) {
    std::string_view name(tz);
    if (name[0] == ':') name.remove_prefix(1);
    if (!name.empty()) {
      auto zone = load(name);
      if (!zone) return Error{"$TZ: " + zone.error()};
      return zone;
    }
  }
  const std::string localtime = "/etc/localtime";
  char target[PATH_MAX];
  const ssize_t n = ::readlink(localtime.c_str(), target, sizeof target - 1);
  if (n > 0) {
    const std::string_view link(target, static_cast<size_t>(n));
    const size_t at = link.find("zoneinfo/");
    if (at != std::string_view::npos) {
      const std::string_view region = link.substr(at + 9);
      if (valid_region_name(region)) {
        auto zone = load(region);
        if (zone) return zone;
      }
    }
  }
  struct stat st {};
  if (::stat(localtime.c_str(), &st) != 0) return TimeZone();  // no local zone set: the JVM uses GMT/UTC
  auto rules = load_zone_file(localtime, localtime);
  if (!rules) return Error{rules.error()};
  return TimeZone("localtime", std::move(rules).value());
}

int32_t TimeZone::offset_at(int64_t utc_seconds) const noexcept {
  if (!rules_) return 0;
  const Rules& r = *rules_;
  if (r.transitions.empty()) return r.footer ? posix_offset_at(*r.footer, utc_seconds) : r.offsets[0];
  if (utc_seconds < r.transitions.front()) return r.offsets[0];
  if (utc_seconds >= r.transitions.back() && r.footer) return posix_offset_at(*r.footer, utc_seconds);
  const auto it = std::upper_bound(r.transitions.begin(), r.transitions.end(), utc_seconds);
  return r.offsets[r.type_of[static_cast<size_t>(it - r.transitions.begin()) - 1]];
}

}  // namespace logstream
