// libFuzzer: the state topic's delta reader on arbitrary bytes (a Kafka message anyone with write access
// to the topic could have sent). It must refuse or accept without crashing; errors name the record; what
// it accepts writes back to a record that reads back the same.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "stages/checkpoint/partition_delta.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace logstream;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto delta = parse_delta(text, "fuzz");
  if (!delta) {
    if (delta.error().rfind("fuzz: ", 0) != 0) std::abort();
    return 0;
  }
  const std::string written = serialize_delta(delta.value());
  auto again = parse_delta(written, "fuzz");
  if (!again || serialize_delta(again.value()) != written) std::abort();
  DeltaChain chain;
  if (!chain.accept(delta.value()) || chain.end(delta.value().partition) != delta.value().end_offset)
    std::abort();
  return 0;
}
