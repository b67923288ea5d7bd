// libFuzzer: a user's --log-format string is untrusted. The first line of the input is the format (Apache,
// or nginx when it starts with '$'), the rest are log lines. Compiling must fail cleanly or give a format
// whose parse never crashes and agrees with the interpreted path.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "stages/core/clf_time.h"
#include "stages/core/line_terminators.h"
#include "stages/parser/log_format.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace logstream;
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const size_t newline = input.find('\n');
  const std::string_view spec = input.substr(0, newline);
  const std::string_view lines =
      newline == std::string_view::npos ? std::string_view() : input.substr(newline + 1);
  auto format = !spec.empty() && spec[0] == '$' ? LogFormat::from_nginx(spec) : LogFormat::from_apache(spec);
  if (!format) {
    if (format.error().empty()) std::abort();  // an error must say what is wrong
    return 0;
  }
  ClfTimeCache times_a, times_b;
  for_each_line(lines.data(), lines.data() + lines.size(), [&](std::string_view line) {
    ParsedLine a, b;
    if (format.value().parse(line, a, times_a) != format.value().interpret(line, b, times_b)) std::abort();
    if (a.status != b.status || a.size != b.size || a.epoch_seconds != b.epoch_seconds) std::abort();
    if (a.truncated != b.truncated || a.host != b.host || a.request != b.request) std::abort();
    // Views point into the line, also for a field cut off by the line's end.
    if (!a.request.empty() &&
        (a.request.data() < line.data() || a.request.data() + a.request.size() > line.data() + line.size()))
      std::abort();
  });
  return 0;
}
