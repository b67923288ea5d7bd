// Wall-clock time for reports meant for people and other tools (alert log, progress lines).
#pragma once

#include <string>

namespace logstream {

// Now, in UTC, as ISO 8601 with milliseconds: 2026-11-25T14:35:30.123Z.
std::string utc_now_iso8601();

}  // namespace logstream
