// libFuzzer: --alert and --alert-rules text is untrusted. Parsing must accept or refuse with a column and
// caret, never crash, overflow or recurse without bound (UBSan reports abort the run: the fuzz preset
// builds with -fno-sanitize-recover=undefined); an accepted rule must evaluate on any line facts.
// Seeds: tools/scripts/fuzz.sh, and tests/fuzz/corpus/rules/ for inputs that once crashed or overflowed.
#include <cmath>
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "stages/alerts/alert_rule.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace logstream;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto rule = parse_alert_rule(text);
  if (!rule) {
    if (rule.error().rfind("column ", 0) != 0 || rule.error().back() != '^') std::abort();
  } else {
    const AlertRule& r = rule.value();
    if (!std::isfinite(r.threshold) || r.window_seconds < 0 || r.window_seconds > 7 * 24 * 3600) std::abort();
    if (r.pattern_offsets.size() != r.patterns.size()) std::abort();
    for (size_t offset : r.pattern_offsets) {
      if (offset >= text.size() || text[offset] != '"') std::abort();
    }
    LineFacts facts;
    facts.method = "GET";
    facts.host = "h";
    facts.endpoint = "/x";
    for (int status : {-1, 0, 200, 404, 500, 999}) {
      facts.status = status < 0 ? std::nullopt : std::optional<int>(status);
      facts.pattern_matches = static_cast<uint64_t>(status) * 0x9e3779b97f4a7c15ULL;
      (void)r.matches(facts);
    }
    (void)r.holds(0.5);
  }
  auto rules = parse_alert_rules_file(text, "fuzz");
  if (!rules && rules.error().rfind("fuzz: line ", 0) != 0) std::abort();
  return 0;
}
