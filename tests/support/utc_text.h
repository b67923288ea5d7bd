// Epoch seconds as text in UTC, for tests that write log lines with chosen times and read back the
// times a sink printed.
#pragma once

#include <time.h>

#include <cstdint>
#include <string>

namespace logstream::test_support {

// strftime of `epoch` in UTC, e.g. "%d/%b/%Y:%H:%M:%S +0000" for a common-log time.
inline std::string utc_text(int64_t epoch, const char* format) {
  const time_t t = static_cast<time_t>(epoch);
  struct tm parts {};
  gmtime_r(&t, &parts);
  char text[64];
  std::strftime(text, sizeof text, format, &parts);
  return text;
}

inline std::string clf_time(int64_t epoch) { return utc_text(epoch, "%d/%b/%Y:%H:%M:%S +0000"); }

}  // namespace logstream::test_support
