// Event-time windows as Spark's window(ts, duration[, slide[, startTime]]) assigns them: every window
// [start, start + duration) that holds a row's time, starts aligned to the epoch plus startTime every
// `slide`; and the interval strings those arguments are written in ('10 minutes', '1 hour 30 minutes').
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "stages/core/expected.h"

namespace logstream {

// Window arithmetic near the ends of the 64-bit range is done in 128 bits (a GCC/Clang extension).
__extension__ typedef __int128 Wide128;

struct TimeWindowSpec {
  int64_t size_us = 0;   // the window duration, > 0
  int64_t slide_us = 0;  // 0 < slide <= size; equal to size for a tumbling window
  int64_t start_us = 0;  // |start| < slide: the offset of every window start from the epoch

  // How many windows hold one time at most: ceil(size / slide).
  int64_t windows_per_row() const noexcept { return 1 + (size_us - 1) / slide_us; }
};

// Spark's interval text for a window argument: "<integer> <unit>" one or more times, optionally after
// "interval", units microsecond, millisecond, second, minute, hour, day and week (singular or plural, any
// case); a day is 24 hours, as Spark counts a window's days. Months and years are refused as Spark
// refuses them for windows; the error says why ("'10 minuts': unknown unit 'minuts' ...").
Expected<int64_t> parse_window_interval(std::string_view text);

// The checks Spark's TimeWindow makes of its arguments, with its messages; and one of ours: at most
// kMaxWindowsPerRow windows per row (window(ts, '1 week', '1 second') would repeat each row 604,800
// times).
inline constexpr int64_t kMaxWindowsPerRow = 10000;
Expected<TimeWindowSpec> make_time_window(int64_t size_us, int64_t slide_us, int64_t start_us);

// Calls on_window(start) for every window that holds `time_us`, the latest first. Starts are floor-aligned
// (a time before 1970 gets the window that holds it, as Spark 3.4's precise formula gives), and a window
// whose start or end would not fit in 64 bits is left out.
template <typename OnWindow>
void for_each_window(int64_t time_us, const TimeWindowSpec& spec, OnWindow&& on_window) {
  // The latest start at or before time_us: time - ((time - start) mod slide), the modulo taken >= 0.
  // In 64 bits when the difference fits (every real time): a 128-bit modulo is a library call per row.
  Wide128 remainder = 0;
  if (int64_t offset = 0; !__builtin_sub_overflow(time_us, spec.start_us, &offset)) {
    remainder = offset % spec.slide_us;
  } else {
    remainder = (static_cast<Wide128>(time_us) - spec.start_us) % spec.slide_us;
  }
  if (remainder < 0) remainder += spec.slide_us;
  const Wide128 last_start = static_cast<Wide128>(time_us) - remainder;
  for (int64_t i = 0; i < spec.windows_per_row(); ++i) {
    const Wide128 start = last_start - static_cast<Wide128>(i) * spec.slide_us;
    const Wide128 end = start + spec.size_us;
    if (end <= time_us) break;  // later ones start earlier still
    if (start < INT64_MIN || end > INT64_MAX) continue;
    on_window(static_cast<int64_t>(start));
  }
}

}  // namespace logstream
