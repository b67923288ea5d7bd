// libFuzzer, differential: the Hyperscan-backed spark-seed parser against the slow std::regex reference
// (tests/support/seed_reference.cc, which shares no code with it), on the same bytes, in one chunk.
#include <cstdint>
#include <cstdlib>
#include <string>

#include "stages/parser/chunk_parser.h"
#include "tests/support/seed_reference.h"

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace logstream;
  static const ChunkParser parser = ChunkParser::create(FormatOptions{"spark-seed", ""}).value();
  static ChunkParser::Context context = parser.make_context().value();
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  Chunk chunk(size + 1);
  std::copy(bytes.begin(), bytes.end(), chunk.data());
  chunk.size = size;
  parser.process(context, chunk);

  test_support::StatusCountMap got;
  if (chunk.counts.null_status) got[std::nullopt] = chunk.counts.null_status;
  for (int code = 0; code < kStatusSlots; ++code) {
    if (chunk.counts.status[static_cast<size_t>(code)])
      got[code] = chunk.counts.status[static_cast<size_t>(code)];
  }
  if (got != test_support::reference_seed_status_counts(bytes)) std::abort();
  if (chunk.counts.rejected() != 0) std::abort();  // the seed's semantics accept every line
  return 0;
}
