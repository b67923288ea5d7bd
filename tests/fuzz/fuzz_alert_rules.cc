// libFuzzer: --alert and --alert-rules text is untrusted. Parsing must accept or refuse with a column and
// caret, never crash or recurse without bound; an accepted rule must evaluate on any line facts.
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
    return 0;
  }
  LineFacts facts;
  facts.method = "GET";
  facts.host = "h";
  facts.endpoint = "/x";
  for (int status : {-1, 0, 200, 404, 500, 999}) {
    facts.status = status < 0 ? std::nullopt : std::optional<int>(status);
    facts.pattern_matches = static_cast<uint64_t>(status) * 0x9e3779b97f4a7c15ULL;
    (void)rule.value().matches(facts);
  }
  (void)rule.value().holds(0.5);
  (void)parse_alert_rules_file(text, "fuzz");
  return 0;
}
