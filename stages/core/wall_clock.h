// Wall-clock time for reports meant for people and other tools (alert log, progress lines).
#pragma once

#include <cstdint>
#include <string>

namespace logstream {

// Now, in UTC, as ISO 8601 with milliseconds: 2026-11-25T14:35:30.123Z.
std::string utc_now_iso8601();
// A moment given in microseconds since the epoch, in UTC to the second: 2015-05-17T10:05:00Z.
std::string utc_iso8601_seconds(int64_t micros);

}  // namespace logstream
