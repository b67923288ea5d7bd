// libFuzzer: the checkpoint reader on arbitrary bytes (a damaged or hostile file in the checkpoint
// directory). It must refuse or accept without crashing, and whatever it accepts must write back to the
// same bytes.
#include <cstdint>
#include <cstdlib>
#include <string_view>

#include "stages/checkpoint/checkpoint.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace logstream;
  const std::string_view text(reinterpret_cast<const char*>(data), size);
  auto state = parse_checkpoint(text, "fuzz");
  if (!state) {
    if (state.error().rfind("fuzz: ", 0) != 0) std::abort();  // errors name the file
    return 0;
  }
  if (serialize_checkpoint(state.value()) != text) std::abort();
  return 0;
}
