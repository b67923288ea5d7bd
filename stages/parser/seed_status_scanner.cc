#include "stages/parser/seed_status_scanner.h"

#include "stages/core/line_terminators.h"

namespace logstream {
namespace {

int three_digit_value(const char* p) noexcept {
  return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
}

}  // namespace

Expected<SeedStatusScanner> SeedStatusScanner::create() {
  std::vector<PatternSpec> specs;
  for (std::string_view expression : kChunkSafeStatusExpressions)
    specs.push_back({std::string(expression), 0, 0});
  auto patterns = PatternSet::create(specs);
  if (!patterns) return Error{patterns.error()};
  return SeedStatusScanner(std::move(patterns).value());
}

Expected<SeedStatusScanner::Context> SeedStatusScanner::make_context() const {
  auto scratch = patterns_.make_scratch();
  if (!scratch) return Error{scratch.error()};
  Context context;
  context.scratch_ = std::move(scratch).value();
  return context;
}

void SeedStatusScanner::process(Context& context, Chunk& chunk) const noexcept {
  const char* data = chunk.data();
  const char* end = data + chunk.size;

  if (chunk.shape == ChunkShape::kLinePiece) {
    // Matches arrive by end offset; with a fixed width that is also leftmost-start order.
    auto first_match = [&](unsigned, size_t to) {
      chunk.piece.has_status = true;
      chunk.piece.status = three_digit_value(data + to - kMatchWidth + 1);
      return false;  // stop: the first match is the only one that matters
    };
    const hs_error_t result = patterns_.scan(data, chunk.size, context.scratch_, first_match);
    if (PatternSet::failed(result)) chunk.scan_error = result;
    return;
  }

  // Collect where every match starts (they arrive in order), then walk the lines once: a line's status is
  // its first match, its later matches are skipped, a line without one is null.
  std::vector<size_t>& starts = context.match_starts_;
  starts.clear();
  auto collect = [&](unsigned, size_t to) {
    starts.push_back(to - kMatchWidth);
    return true;
  };
  if (const hs_error_t result = patterns_.scan(data, chunk.size, context.scratch_, collect);
      PatternSet::failed(result)) {
    chunk.scan_error = result;
    return;
  }

  LineCounts& counts = chunk.counts;
  size_t next_match = 0;
  counts.lines_read += for_each_line(data, end, [&](std::string_view line) {
    const auto line_end = static_cast<size_t>(line.data() + line.size() - data);
    if (next_match < starts.size() && starts[next_match] < line_end) {
      counts.count_status(three_digit_value(data + starts[next_match] + 1));
      while (next_match < starts.size() && starts[next_match] < line_end) ++next_match;
    } else {
      ++counts.null_status;
    }
  });
}

}  // namespace logstream
