// libFuzzer: every built-in format on arbitrary bytes. Each line must parse the same through the compiled
// program, the interpreted steps and the uncached timestamp path (the truncated flag and every field's view
// included); whole-chunk counts must account for every line. A crash, a sanitizer report or a disagreement
// aborts.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "stages/core/clf_time.h"
#include "stages/core/line_terminators.h"
#include "stages/parser/log_format.h"

namespace {

void check(bool ok) {
  if (!ok) std::abort();
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace logstream;
  static const std::vector<LogFormat> formats = [] {
    std::vector<LogFormat> all;
    for (std::string_view name : LogFormat::builtin_names()) all.push_back(LogFormat::named(name).value());
    return all;
  }();
  const char* begin = reinterpret_cast<const char*>(data);
  for (const LogFormat& format : formats) {
    ClfTimeCache compiled_times, interpreted_times;
    for_each_line(begin, begin + size, [&](std::string_view line) {
      ParsedLine compiled, interpreted, uncached;
      const auto a = format.parse(line, compiled, compiled_times);
      const auto b = format.interpret(line, interpreted, interpreted_times);
      const auto c = format.parse(line, uncached);
      check(a == b && a == c);
      if (a) return;
      // No status only when the line was cut off before it (inside the request): Spark's null row.
      check(compiled.status == interpreted.status && compiled.status < 1000 &&
            (compiled.status >= 0 || compiled.truncated));
      check(compiled.field_count == interpreted.field_count);
      for (size_t i = 0; i < compiled.field_count; ++i) check(compiled.fields[i] == interpreted.fields[i]);
      check(compiled.size == interpreted.size && compiled.host == interpreted.host);
      check(compiled.truncated == interpreted.truncated && compiled.truncated == uncached.truncated);
      check(compiled.request == interpreted.request);
      check(compiled.epoch_seconds == interpreted.epoch_seconds &&
            compiled.epoch_seconds == uncached.epoch_seconds);
      // Views point into the line.
      const char* lo = line.data();
      const char* hi = line.data() + line.size();
      check(compiled.host.empty() ||
            (compiled.host.data() >= lo && compiled.host.data() + compiled.host.size() <= hi));
    });
    // The one-pass chunk walk: an accepted line must be one the line-by-line path accepts the same way,
    // and never one cut off inside its last quoted field (the walk leaves those to the line-by-line path).
    ClfTimeCache walk_times, check_times;
    for (const char* p = begin; p < begin + size;) {
      ParsedLine walked, checked;
      const char* line_end = format.parse_in_chunk(p, begin + size, walked, walk_times);
      const char* real_end = find_line_end(p, begin + size);
      if (line_end) {
        check(line_end == real_end);
        const auto again =
            format.interpret(std::string_view(p, static_cast<size_t>(real_end - p)), checked, check_times);
        check(!again && checked.status == walked.status && checked.size == walked.size);
        check(!walked.truncated && !checked.truncated);
        check(checked.host == walked.host && checked.request == walked.request);
        check(checked.field_count == walked.field_count);
        for (size_t i = 0; i < walked.field_count; ++i) check(checked.fields[i] == walked.fields[i]);
      }
      if (real_end == begin + size) break;
      p = skip_line_terminator(real_end, begin + size);
    }
  }
  return 0;
}
