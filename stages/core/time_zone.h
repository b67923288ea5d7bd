// Time zones by the names Spark's session time zone takes ("America/Los_Angeles", "UTC", "+05:30", "PST"):
// the offset from UTC at any instant, read from the system's TZif files — never through TZ/localtime_r.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "stages/core/expected.h"

namespace logstream {

class TimeZone {
 public:
  struct Rules;  // the parsed zone; immutable and shared by copies, so a TimeZone is safe on any thread

  TimeZone();  // UTC

  // What java.time.ZoneId.of(name, ZoneId.SHORT_IDS) accepts, after Spark's "+1:00" -> "+01:00" fix-up:
  // a region name of the tz database (read from $TZDIR, else /usr/share/zoneinfo), "Z", "UTC", "GMT",
  // "UT" alone or followed by an offset, an offset "+h", "+hh", "+hh:mm", "+hhmm", "+hh:mm:ss" or
  // "+hhmmss" (at most 18 hours), or one of Java's three-letter SHORT_IDS ("PST", "EST", ...).
  // The error names the zone and says what is wrong with it.
  static Expected<TimeZone> load(std::string_view name);

  // The JVM's default zone on Linux: $TZ when it is set (a leading ':' dropped), else the zone
  // /etc/localtime links to (or the file itself), else UTC.
  static Expected<TimeZone> local();

  const std::string& name() const noexcept { return name_; }

  // Seconds east of UTC in effect at `utc_seconds` since the epoch. Before a zone's first transition its
  // first local time type applies; after its last, the POSIX rule of the file's footer.
  int32_t offset_at(int64_t utc_seconds) const noexcept;

 private:
  TimeZone(std::string name, std::shared_ptr<const Rules> rules)
      : name_(std::move(name)), rules_(std::move(rules)) {}

  std::string name_;
  std::shared_ptr<const Rules> rules_;  // null: UTC
};

// Proleptic Gregorian calendar arithmetic on days since 1970-01-01 (any int64 range we use).
struct CivilDate {
  int64_t year;
  int month;  // 1..12
  int day;    // 1..31
};
int64_t days_from_civil(int64_t year, int month, int day) noexcept;
CivilDate civil_from_days(int64_t days) noexcept;

}  // namespace logstream
